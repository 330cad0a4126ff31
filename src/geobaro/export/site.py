"""Static site export: a page per view and indicator, an index, shared assets and data files.

The site needs no Python and no network once written, and opens from ``file://`` as from
any static host. Leaflet, the geometry of every level (``assets/geometry.js``, one
topology) and the page runtime (``assets/site.js``) are shared files loaded by ``<script
src>`` and cached by the browser; each map's values are a small ``data/values/*.js`` file,
so a map page switches indicator without loading the geometry again. Maps, legends and
tables come from `geobaro.views`, the same calls the app makes. The published figures of
every wave (maps with their values written on the units, trends, figures without a place,
each with its source linked) are written by `geobaro.export._site_published` from
`geobaro.views.trends.list_site_pages`.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from geobaro.config import Settings, get_settings
from geobaro.export._site_data import (
    GEOMETRY_DOWNLOAD,
    GEOMETRY_SCRIPT,
    LAYER_SCRIPT,
    SiteData,
    frame_document,
    layer_script,
    map_data,
    write_table_files,
)
from geobaro.export._site_html import (
    PageShell,
    downloads_html,
    esc,
    figures_html,
    map_frame,
    switch_html,
    table_html,
    write_page,
)
from geobaro.export._site_published import (
    PublishedPageInfo,
    PublishedWriter,
    published_index_html,
    write_published_pages,
)
from geobaro.i18n import region_name, t
from geobaro.maps.legend import render_legend

if TYPE_CHECKING:
    import geopandas as gpd

    from geobaro.i18n import Lang
    from geobaro.survey.read import SurveyResult
    from geobaro.vocabulary import Level, Scheme, Vintage

__all__ = [
    "SITE_LEVELS",
    "PageKind",
    "SitePage",
    "SiteResult",
    "export_site",
    "main",
]

log = logging.getLogger(__name__)

#: Levels written by default: one page per level and share indicator.
SITE_LEVELS: tuple[Level, ...] = ("commune", "province", "region")
PageKind = Literal["index", "home", "map", "compare", "published", "trend", "wave"]
#: The page runtime, shipped beside this module.
_RUNTIME = Path(__file__).with_name("site.js")
_RUNTIME_PATH = "assets/site.js"


@dataclass(frozen=True)
class SitePage:
    """One written page.

    Attributes
    ----------
    path
        Path relative to the site folder, with ``/`` separators.
    kind
        ``index``, ``home`` (published key figures), ``map`` (one indicator at one level),
        ``compare`` (the three regions side by side), ``published`` (one published figure of
        a wave at one level), ``trend`` (a recurring published figure across waves) or
        ``wave`` (a wave's maps and its figures without a place).
    title
        Page title (plain text).
    indicator, level
        What the page shows (empty for the index and home pages).
    maps
        Number of maps on the page.
    units
        Number of polygons the page's maps draw, summed over its maps.
    data_files
        Paths (relative to the site folder) of the downloads of what the page shows: its
        table (CSV), its values (JSON records) and the site's one geometry file (TopoJSON).
    """

    path: str
    kind: PageKind
    title: str
    indicator: str = ""
    level: str = ""
    maps: int = 0
    units: int = 0
    data_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteResult:
    """What `export_site` wrote."""

    out_dir: Path
    pages: tuple[SitePage, ...]
    illustrative: bool
    source_name: str
    files: tuple[str, ...] = field(default=())

    @property
    def index(self) -> Path:
        """The site's entry page."""
        return self.out_dir / "index.html"


def export_site(  # noqa: PLR0913 - public API: keyword-only options of the export
    out_dir: Path,
    *,
    survey: Path | None = None,
    indicators: Sequence[str] | None = None,
    levels: Sequence[Level] = SITE_LEVELS,
    lang: Lang = "en",
    vintage: Vintage = "2018",
    scheme: Scheme = "quantiles",
    k: int = 5,
    compare: bool = True,
    home: bool = True,
    published: bool = True,
    settings: Settings | None = None,
) -> SiteResult:
    """Write the static site into ``out_dir``; return what was written.

    Parameters
    ----------
    out_dir
        Folder to write into (created; files of an earlier export are replaced, other files
        are left alone).
    survey
        A survey file (see ``data/survey/SCHEMA.md``); the illustrative sample when omitted.
        Every page made from the sample says it is illustrative.
    indicators
        Indicator ids to write; every ``share`` indicator when omitted.
    levels
        Levels with one map page per indicator.
    lang
        Language of names, labels and legends.
    vintage
        Boundary vintage of the maps.
    scheme, k
        Classification of the maps.
    compare
        Also write one compare page (Wallonia, Flanders, Brussels) per indicator.
    home
        Also write the page of the published key figures.
    published
        Also write the published figures of every wave (a map page per figure and level,
        a page per wave with its figures without a place) and a trend page per recurring
        figure, on the 2018 boundaries.
    settings
        Data folders; `geobaro.config.get_settings` when omitted.

    Returns
    -------
    SiteResult

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     site = export_site(Path(tmp), indicators=["feels_concerned"], levels=["region"],
    ...                        compare=False, home=False, published=False)
    ...     [p.path for p in site.pages]
    ['maps/region-feels_concerned.html', 'index.html']
    >>> site.illustrative
    True
    """
    from geobaro.data.boundaries import load_communes, load_units
    from geobaro.indicators import compute_indicators
    from geobaro.views import indicator_kind, indicator_label, list_indicators

    settings = settings or get_settings()
    out_dir = Path(out_dir)
    result = _load_source(survey, settings)
    illustrative = survey is None or result.is_illustrative
    source: Literal["sample", "upload"] = "sample" if survey is None else "upload"
    gdf_communes = load_communes(vintage="2018", settings=settings)
    indicators_df = compute_indicators(result, gdf_communes)
    chosen = list(indicators or [i for i in list_indicators() if indicator_kind(i) == "share"])
    for ind in chosen:
        indicator_kind(ind)  # raises on unknown ids before anything is written

    ctx = _Context(
        out_dir=out_dir,
        lang=lang,
        illustrative=illustrative,
        source=source,
        source_name=result.source_name or (Path(survey).name if survey else ""),
        attribution=_attribution(settings),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    for sub in ("maps", "data"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    assets = _write_assets(out_dir)

    def units(level: Level) -> gpd.GeoDataFrame:
        gdf = load_units(level=level, vintage=vintage, web=True, settings=settings)
        ctx.data.use_units(level, gdf)
        return ctx.data.units[level]

    options = [(ind, indicator_label(ind, lang)) for ind in chosen]
    pages: list[SitePage] = []
    if home:
        pages.append(_write_home(ctx, units("region"), published=published))
    for level in levels:
        gdf_units = units(level)
        for ind in chosen:
            view = _MapView(ind, level, vintage, scheme, k)
            pages.append(
                _write_map_page(ctx, view, indicators_df, gdf_communes, gdf_units, options)
            )
    # the compare page shows the commune values of the commune page: share its data files
    written = {(p.indicator, p.level): p.data_files for p in pages if p.kind == "map"}
    if compare:
        gdf_units = units("commune")
        for ind in chosen:
            view = _MapView(ind, "commune", vintage, scheme, k)
            reuse = written.get((ind, "commune"))
            pages.append(
                _write_compare_page(
                    ctx, view, indicators_df, gdf_communes, gdf_units, reuse, options
                )
            )
    infos: list[PublishedPageInfo] = []
    if published:
        infos = _write_published(ctx, units)
        pages += [
            SitePage(i.path, i.kind, i.title, "", i.level, i.maps, i.units, i.data_files)  # type: ignore[arg-type]
            for i in infos
        ]
    report_file = _write_report(ctx, result) if survey is not None else None
    pages.append(_write_index(ctx, pages, report_file, infos))
    shared = ctx.data.write_geometry()
    files = tuple(
        sorted(
            {p.path for p in pages}
            | {f for p in pages for f in p.data_files}
            | set(ctx.data.written)
            | set(assets)
            | set(shared)
            | ({report_file} if report_file else set())
        )
    )
    log.info("static site: %d pages, %d files in %s", len(pages), len(files), out_dir)
    return SiteResult(out_dir, tuple(pages), illustrative, ctx.source_name, files)


def main(out: str) -> int:
    """Write the site of the illustrative sample into ``out`` (``python -m geobaro export``).

    Returns
    -------
    int
        The exit status (0).
    """
    import sys

    site = export_site(Path(out))
    sys.stdout.write(
        f"static site: {len(site.pages)} pages, {len(site.files)} files; open {site.index}\n"
    )
    return 0


# --- private helpers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    out_dir: Path
    lang: Lang
    illustrative: bool
    source: Literal["sample", "upload"]
    source_name: str
    attribution: str
    generated: str
    data: SiteData = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data", SiteData(self.out_dir))

    @property
    def shell(self) -> PageShell:
        return PageShell(self.lang, self.illustrative, self.attribution)

    @property
    def status(self) -> str:
        """``data_status`` of every row the site writes."""
        return "illustrative" if self.illustrative else "real"


@dataclass(frozen=True)
class _MapView:
    """What one page maps: indicator, level, boundaries, classification."""

    indicator: str
    level: Level
    vintage: Vintage
    scheme: Scheme
    k: int

    @property
    def stem(self) -> str:
        return f"{self.level}-{self.indicator}"


def _load_source(survey: Path | None, settings: Settings) -> SurveyResult:
    """Return the survey to show: the given file, else the shipped illustrative sample."""
    from geobaro.survey.read import load_survey

    if survey is not None:
        return load_survey(Path(survey), settings=settings)
    from geobaro.survey import sample

    return sample.load_sample(settings=settings)


def _attribution(settings: Settings) -> str:
    from geobaro.data.boundaries import attribution_text

    return attribution_text(settings)


def _write_assets(out_dir: Path) -> tuple[str, ...]:
    """Copy Leaflet (script, style sheet, images) and the page runtime into ``assets/``."""
    from geobaro.maps.assets import install_static_assets

    folder = out_dir / "assets"
    install_static_assets(folder)
    shutil.copyfile(_RUNTIME, folder / "site.js")
    (folder / LAYER_SCRIPT).write_text(layer_script(), encoding="utf-8")
    return tuple(
        sorted(p.relative_to(out_dir).as_posix() for p in folder.rglob("*") if p.is_file())
    )


def _write_map_page(
    ctx: _Context,
    what: _MapView,
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame,
    options: Sequence[tuple[str, str]],
) -> SitePage:
    from geobaro.views import ExploreRequest, ViewData, render_explore

    request = ExploreRequest(
        indicator=what.indicator,
        level=what.level,
        scheme=what.scheme,
        k=what.k,
        vintage=what.vintage,
        lang=ctx.lang,
        source=ctx.source,
    )
    view = render_explore(request, ViewData(indicators_df, gdf_communes, gdf_units=gdf_units))
    stem = what.stem
    data = map_data(view.map)
    ctx.data.add_names(what.level, data)
    data_files = (
        *write_table_files(ctx.out_dir, stem, view.table, view.values, status=ctx.status),
        GEOMETRY_DOWNLOAD,
    )
    legend = render_legend(view.classification, lang=ctx.lang)
    downloads = downloads_html(data_files, prefix="../")
    key = f"{stem}/0"
    page_entry = {
        "heading": view.title,
        "parts": {
            "gb-legend": legend,
            "gb-downloads": downloads,
            "gb-table": "<h2>Table</h2><p>The table of this indicator is on "
            f'<a href="{esc(stem)}.html">its own page</a>.</p>',
        },
    }
    values = ctx.data.write_values(stem, {key: data.to_json(level=what.level), stem: page_entry})
    document = frame_document(view.map, key=key, assets="../assets")
    switch = switch_html(
        [(f"{what.level}-{ind}", label) for ind, label in options],
        current=stem,
        values_dir="../data/values/",
        lang=ctx.lang,
    )
    body = "\n".join(
        [
            switch,
            map_frame(document, key=key, title=view.title, height="70vh"),
            f'<div id="gb-legend">{legend}</div>',
            f'<p class="downloads" id="gb-downloads">{downloads}</p>',
            f'<section id="gb-table"><h2>Table</h2>{table_html(view.table)}</section>',
        ]
    )
    path = f"maps/{stem}.html"
    _write(ctx, path, title=view.title, body=body, scripts=[values])
    units = int(view.values["nis_code"].isin(gdf_units["nis_code"]).sum())
    return SitePage(path, "map", view.title, what.indicator, what.level, 1, units, data_files)


def _write_compare_page(
    ctx: _Context,
    what: _MapView,
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame,
    reuse: tuple[str, ...] | None,
    options: Sequence[tuple[str, str]],
) -> SitePage:
    from geobaro.views import CompareRequest, ViewData, indicator_label, render_compare

    request = CompareRequest(
        indicator=what.indicator,
        level="commune",
        scheme=what.scheme,
        k=what.k,
        vintage=what.vintage,
        lang=ctx.lang,
        source=ctx.source,
    )
    view = render_compare(request, ViewData(indicators_df, gdf_communes, gdf_units=gdf_units))
    regions = ", ".join(region_name(p.region, ctx.lang) for p in view.panels)
    title = f"{indicator_label(what.indicator, ctx.lang)} — {regions}"
    stem = f"compare-{what.indicator}"
    panels = []
    frames = []
    entries: dict[str, dict[str, Any]] = {}
    parts: dict[str, str] = {}
    frame_titles = []
    for i, panel in enumerate(view.panels):
        frames.append(panel.values)
        data = map_data(panel.map)
        ctx.data.add_names("commune", data)
        key = f"{stem}/{i}"
        entries[key] = data.to_json(level="commune")
        document = frame_document(panel.map, key=key, assets="../assets")
        frame_titles.append(f"{title}: {region_name(panel.region, ctx.lang)}")
        parts[f"gb-panel-{i}"] = (
            f'<p class="summary">{esc(panel.summary.describe(ctx.lang))}</p>'
            + render_legend(panel.classification, lang=ctx.lang)
        )
        panels.append(
            '<section class="panel">'
            f"<h2>{esc(region_name(panel.region, ctx.lang))}</h2>"
            + map_frame(document, key=key, title=frame_titles[-1], height="55vh")
            + f'<div id="gb-panel-{i}">{parts[f"gb-panel-{i}"]}</div>'
            + "</section>"
        )
    if reuse is None:
        values = pd.concat(frames, ignore_index=True)
        table = _values_table(values, gdf_units)
        tables = write_table_files(ctx.out_dir, stem, table, values, status=ctx.status)
        data_files: tuple[str, ...] = (*tables, GEOMETRY_DOWNLOAD)
    else:
        data_files = reuse
    rural = "".join(
        f"<li><strong>{esc(s.label)}</strong>: {esc(s.describe(ctx.lang))}</li>"
        for s in view.urban_rural
    )
    scale = "one colour scale shared by the three maps" if view.shared is not None else ""
    parts["gb-hint"] = esc(scale)
    parts["gb-rural"] = rural
    parts["gb-downloads"] = downloads_html(data_files, prefix="../")
    entries[stem] = {"heading": title, "parts": parts, "frames": frame_titles}
    values_file = ctx.data.write_values(stem, entries)
    switch = switch_html(
        [(f"compare-{ind}", label) for ind, label in options],
        current=stem,
        values_dir="../data/values/",
        lang=ctx.lang,
    )
    body = "\n".join(
        [
            switch,
            f'<p class="hint" id="gb-hint">{parts["gb-hint"]}</p>',
            f'<div class="panels">{"".join(panels)}</div>',
            f'<h2>Urban and rural communes</h2><ul id="gb-rural">{rural}</ul>',
            f'<p class="downloads" id="gb-downloads">{parts["gb-downloads"]}</p>',
        ]
    )
    path = f"maps/{stem}.html"
    _write(ctx, path, title=title, body=body, scripts=[values_file])
    units = int(sum(len(f) for f in frames))
    return SitePage(
        path, "compare", title, what.indicator, "commune", len(panels), units, data_files
    )


def _write_home(ctx: _Context, gdf_regions: gpd.GeoDataFrame, *, published: bool) -> SitePage:
    from geobaro.published import key_figures, load_published
    from geobaro.views import LandingData, LandingRequest, render_landing

    landing_data = LandingData(key_figures(), load_published(), gdf_regions)
    view = render_landing(LandingRequest(ctx.lang), landing_data)
    title = "Smart City barometer 2017: published key figures"
    data = map_data(view.map)
    ctx.data.add_names("region", data)
    values = ctx.data.write_values("home", {"home/0": data.to_json(level="region")})
    document = frame_document(view.map, key="home/0", assets="assets")
    body = "\n".join(
        [
            "<p>These are the barometer's own published figures (Smart City Institute, "
            "HEC Liège), with their sources; they are not the illustrative sample.</p>",
            map_frame(document, key="home/0", title=title, height="60vh"),
            render_legend(view.classification, lang=ctx.lang),
            figures_html(view.figures, ctx.lang),
            f'<p><a href="index.html#gb-published">{esc(t("site.published.link", ctx.lang))}'
            "</a></p>"
            if published
            else "",
        ]
    )
    path = "home.html"
    _write(ctx, path, title=title, body=body, scripts=[values], illustrative=False)
    return SitePage(path, "home", title, maps=1, units=len(view.values))


def _write_published(ctx: _Context, units: Any) -> list[PublishedPageInfo]:
    """Write the published pages on the site's regions and provinces.

    They are the same in every vintage: the mergers of communes stay inside their province.
    """

    def write(path: str, **options: Any) -> None:
        _write(ctx, path, illustrative=False, **options)

    return write_published_pages(PublishedWriter(ctx.data, ctx.lang, write), units=units)


def _write_report(ctx: _Context, result: SurveyResult) -> str | None:
    """Write the rejected rows of the survey file (nothing is dropped silently)."""
    from geobaro.export.files import export_csv

    report = result.report
    log.info("survey %s: %s", ctx.source_name, report.summary())
    if report.rejected.empty:
        return None
    log.warning(
        "%d row(s) of %s were rejected; see data/rejected_rows.csv",
        report.rows_rejected,
        ctx.source_name,
    )
    path = "data/rejected_rows.csv"
    (ctx.out_dir / path).write_bytes(export_csv(report.rejected))
    return path


def _write_index(
    ctx: _Context,
    pages: list[SitePage],
    report_file: str | None,
    published: Sequence[PublishedPageInfo] = (),
) -> SitePage:
    from geobaro.views import indicator_label

    title = "geobaro — Smart City barometer of Belgian communes: static maps"
    maps = [p for p in pages if p.kind == "map"]
    levels = list(dict.fromkeys(p.level for p in maps))
    indicators = list(
        dict.fromkeys(p.indicator for p in pages if p.indicator and p.kind in {"map", "compare"})
    )
    by_key = {(p.indicator, p.level, p.kind): p for p in pages}
    head = "".join(f"<th scope='col'>{esc(t(f'app.level.{lv}', ctx.lang))}</th>" for lv in levels)
    rows = []
    for ind in indicators:
        cells = [_index_cell(by_key.get((ind, lv, "map"))) for lv in levels]
        comp = by_key.get((ind, "commune", "compare"))
        cells.append(f'<td><a href="{esc(comp.path)}">compare</a></td>' if comp else "<td></td>")
        rows.append(
            f"<tr><th scope='row'>{esc(indicator_label(ind, ctx.lang))}"
            f" <code>{esc(ind)}</code></th>{''.join(cells)}</tr>"
        )
    home = next((p for p in pages if p.kind == "home"), None)
    rejected = (
        f'<p class="hint">Some rows of {esc(ctx.source_name)} were rejected: '
        f'<a href="{esc(report_file)}">{esc(report_file)}</a> lists each one with its '
        "reason.</p>"
        if report_file
        else ""
    )
    body = "\n".join(
        [
            rejected,
            f'<p><a href="{home.path}">Published key figures of the 2017 barometer</a></p>'
            if home
            else "",
            f'<p><a href="index.html#gb-published">{esc(t("site.published.link", ctx.lang))}'
            "</a></p>"
            if published
            else "",
            "<table class='index'><thead><tr><th>Indicator</th>"
            f"{head}<th>regions side by side</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>",
            f'<p>Downloads: each table as CSV and JSON, and <a href="{GEOMETRY_DOWNLOAD}">'
            "the boundaries of every level</a> as one TopoJSON file (join on "
            "<code>nis_code</code>).</p>",
            f"<p>Generated {esc(ctx.generated)} from "
            f"{esc(ctx.source_name or ctx.source)} by <code>python -m geobaro export</code>. "
            "Every page works offline, also opened from disk: Leaflet, the boundaries and the "
            "values are files of this folder, loaded once and kept by the browser.</p>",
            published_index_html(published, lang=ctx.lang),
        ]
    )
    path = "index.html"
    _write(ctx, path, title=title, body=body, nav=False)
    return SitePage(path, "index", title)


def _index_cell(page: SitePage | None) -> str:
    if page is None:
        return "<td></td>"
    tables = [f for f in page.data_files if f != GEOMETRY_DOWNLOAD]
    links = " · ".join(f'<a href="{esc(f)}">{esc(Path(f).suffix.lstrip("."))}</a>' for f in tables)
    return f'<td><a href="{esc(page.path)}">map</a> · {links}</td>'


def _values_table(values: pd.DataFrame, gdf_units: gpd.GeoDataFrame) -> pd.DataFrame:
    names = gdf_units.set_index("nis_code")
    table = values.copy()
    table.insert(1, "name", table["nis_code"].map(names["name_fr"]).fillna(""))
    table.insert(2, "region", table["nis_code"].map(names["region"]).fillna(""))
    return table


def _write(
    ctx: _Context,
    path: str,
    *,
    title: str,
    body: str,
    scripts: Sequence[str] = (),
    illustrative: bool | None = None,
    nav: bool = True,
) -> None:
    """Write a page; pages with maps load the runtime, the geometry, then their values."""
    up = "../" * path.count("/")
    shared = [_RUNTIME_PATH, GEOMETRY_SCRIPT] if scripts else []
    write_page(
        ctx.shell,
        ctx.out_dir / path,
        title=title,
        body=body,
        up=up,
        scripts=[*shared, *scripts],
        illustrative=illustrative,
        nav=nav,
    )
