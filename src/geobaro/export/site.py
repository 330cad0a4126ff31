"""Static site export: one self-contained HTML page per view and indicator, an index, data files.

The site needs no Python and no network once written: every page inlines Leaflet and its
data (through `geobaro.export.export_html`), so it opens from ``file://`` and from any static
host or CDN. Maps, legends and tables come from `geobaro.views.core`, the same calls the app makes.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from geobaro.config import Settings, get_settings
from geobaro.i18n import region_name, t

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.data.boundaries import Level, Vintage
    from geobaro.i18n import Lang
    from geobaro.maps.choropleth import Classification, Scheme
    from geobaro.survey.read import SurveyResult

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
PageKind = Literal["index", "home", "map", "compare"]


@dataclass(frozen=True)
class SitePage:
    """One written page.

    Attributes
    ----------
    path
        Path relative to the site folder, with ``/`` separators.
    kind
        ``index``, ``home`` (published figures), ``map`` (one indicator at one level) or
        ``compare`` (the three regions side by side).
    title
        Page title (plain text).
    indicator, level
        What the page shows (empty for the index and home pages).
    maps
        Number of maps on the page.
    units
        Number of polygons the page's maps draw, summed over its maps.
    data_files
        Paths (relative to the site folder) of the CSV/GeoJSON files of what the page shows.
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


def export_site(
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
    ...                        compare=False, home=False)
    ...     [p.path for p in site.pages]
    ['maps/region-feels_concerned.html', 'index.html']
    >>> site.illustrative
    True
    """
    from geobaro.data.boundaries import load_communes, load_units
    from geobaro.indicators import compute_indicators
    from geobaro.views import indicator_kind, list_indicators

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

    pages: list[SitePage] = []
    if home:
        pages.append(_write_home(ctx))
    for level in levels:
        gdf_units = load_units(level=level, vintage=vintage, web=True, settings=settings)
        for ind in chosen:
            pages.append(
                _write_map_page(
                    ctx,
                    indicator=ind,
                    level=level,
                    vintage=vintage,
                    scheme=scheme,
                    k=k,
                    indicators_df=indicators_df,
                    gdf_communes=gdf_communes,
                    gdf_units=gdf_units,
                )
            )
    # the compare page shows the commune values of the commune page: share its data files
    written = {(p.indicator, p.level): p.data_files for p in pages if p.kind == "map"}
    if compare:
        gdf_units = load_units(level="commune", vintage=vintage, web=True, settings=settings)
        for ind in chosen:
            pages.append(
                _write_compare_page(
                    ctx,
                    reuse=written.get((ind, "commune")),
                    indicator=ind,
                    vintage=vintage,
                    scheme=scheme,
                    k=k,
                    indicators_df=indicators_df,
                    gdf_communes=gdf_communes,
                    gdf_units=gdf_units,
                )
            )
    report_file = _write_report(ctx, result) if survey is not None else None
    pages.append(_write_index(ctx, pages, report_file))
    files = tuple(
        sorted(
            {p.path for p in pages}
            | {f for p in pages for f in p.data_files}
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


def _write_map_page(
    ctx: _Context,
    *,
    indicator: str,
    level: Level,
    vintage: Vintage,
    scheme: Scheme,
    k: int,
    indicators_df: pd.DataFrame,
    gdf_communes: gpd.GeoDataFrame,
    gdf_units: gpd.GeoDataFrame,
) -> SitePage:
    from geobaro.views import ExploreRequest, render_explore

    request = ExploreRequest(
        indicator=indicator,
        level=level,
        scheme=scheme,
        k=k,
        vintage=vintage,
        lang=ctx.lang,
        source=ctx.source,
    )
    view = render_explore(request, indicators_df, gdf_communes=gdf_communes, gdf_units=gdf_units)
    stem = f"{level}-{indicator}"
    data_files = _write_data(ctx, stem, view.table, view.values, gdf_units)
    body = "\n".join(
        [
            _map_frame(view.map, title=view.title, height="70vh"),
            _legend_html(view.classification),
            _downloads_html(data_files, prefix="../"),
            "<h2>Table</h2>",
            _table_html(view.table),
        ]
    )
    path = f"maps/{stem}.html"
    _write_page(ctx, path, title=view.title, body=body, up="../")
    units = int(view.values["nis_code"].isin(gdf_units["nis_code"]).sum())
    return SitePage(path, "map", view.title, indicator, level, 1, units, data_files)


def _write_compare_page(
    ctx: _Context,
    *,
    reuse: tuple[str, ...] | None,
    indicator: str,
    vintage: Vintage,
    scheme: Scheme,
    k: int,
    indicators_df: pd.DataFrame,
    gdf_communes: gpd.GeoDataFrame,
    gdf_units: gpd.GeoDataFrame,
) -> SitePage:
    from geobaro.views import CompareRequest, indicator_label, render_compare

    request = CompareRequest(
        indicator=indicator,
        level="commune",
        scheme=scheme,
        k=k,
        vintage=vintage,
        lang=ctx.lang,
        source=ctx.source,
    )
    view = render_compare(request, indicators_df, gdf_communes=gdf_communes, gdf_units=gdf_units)
    regions = ", ".join(region_name(p.region, ctx.lang) for p in view.panels)
    title = f"{indicator_label(indicator, ctx.lang)} — {regions}"
    panels = []
    frames = []
    for panel in view.panels:
        frames.append(panel.values)
        panels.append(
            '<section class="panel">'
            f"<h2>{_esc(region_name(panel.region, ctx.lang))}</h2>"
            + _map_frame(panel.map, title=f"{title}: {panel.region}", height="55vh")
            + f'<p class="summary">{_esc(panel.summary.describe(ctx.lang))}</p>'
            + _legend_html(panel.classification)
            + "</section>"
        )
    stem = f"compare-{indicator}"
    if reuse is None:
        values = pd.concat(frames, ignore_index=True)
        data_files = _write_data(ctx, stem, _values_table(values, gdf_units), values, gdf_units)
    else:
        data_files = reuse
    rural = "".join(
        f"<li><strong>{_esc(s.label)}</strong>: {_esc(s.describe(ctx.lang))}</li>"
        for s in view.urban_rural
    )
    scale = "one colour scale shared by the three maps" if view.shared is not None else ""
    body = "\n".join(
        [
            f'<p class="hint">{_esc(scale)}</p>' if scale else "",
            f'<div class="panels">{"".join(panels)}</div>',
            f"<h2>Urban and rural communes</h2><ul>{rural}</ul>",
            _downloads_html(data_files, prefix="../"),
        ]
    )
    path = f"maps/{stem}.html"
    _write_page(ctx, path, title=title, body=body, up="../")
    units = int(sum(len(f) for f in frames))
    return SitePage(path, "compare", title, indicator, "commune", len(panels), units, data_files)


def _write_home(ctx: _Context) -> SitePage:
    from geobaro.views import render_landing

    view = render_landing(ctx.lang)
    title = "Smart City barometer 2017: published key figures"
    body = "\n".join(
        [
            "<p>These are the barometer's own published figures (Smart City Institute, "
            "HEC Liège), with their sources; they are not the illustrative sample.</p>",
            _map_frame(view.map, title=title, height="60vh"),
            _legend_html(view.classification),
            _figures_html(view.figures, ctx.lang),
        ]
    )
    path = "home.html"
    _write_page(ctx, path, title=title, body=body, up="", illustrative=False)
    return SitePage(path, "home", title, maps=1, units=len(view.values))


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


def _write_index(ctx: _Context, pages: list[SitePage], report_file: str | None) -> SitePage:
    from geobaro.views import indicator_label

    title = "geobaro — Smart City barometer of Belgian communes: static maps"
    maps = [p for p in pages if p.kind == "map"]
    levels = list(dict.fromkeys(p.level for p in maps))
    indicators = list(dict.fromkeys(p.indicator for p in pages if p.indicator))
    by_key = {(p.indicator, p.level, p.kind): p for p in pages}
    head = "".join(f"<th scope='col'>{_esc(t(f'app.level.{lv}', ctx.lang))}</th>" for lv in levels)
    rows = []
    for ind in indicators:
        cells = []
        for lv in levels:
            page = by_key.get((ind, lv, "map"))
            cells.append(
                f'<td><a href="{_esc(page.path)}">map</a> · '
                + " · ".join(
                    f'<a href="{_esc(f)}">{_esc(Path(f).suffix.lstrip("."))}</a>'
                    for f in page.data_files
                )
                + "</td>"
                if page
                else "<td></td>"
            )
        comp = by_key.get((ind, "commune", "compare"))
        cells.append(f'<td><a href="{_esc(comp.path)}">compare</a></td>' if comp else "<td></td>")
        rows.append(
            f"<tr><th scope='row'>{_esc(indicator_label(ind, ctx.lang))}"
            f" <code>{_esc(ind)}</code></th>{''.join(cells)}</tr>"
        )
    home = next((p for p in pages if p.kind == "home"), None)
    rejected = (
        f'<p class="hint">Some rows of {_esc(ctx.source_name)} were rejected: '
        f'<a href="{_esc(report_file)}">{_esc(report_file)}</a> lists each one with its '
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
            "<table class='index'><thead><tr><th>Indicator</th>"
            f"{head}<th>regions side by side</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>",
            f"<p>Generated {_esc(ctx.generated)} from "
            f"{_esc(ctx.source_name or ctx.source)} by <code>python -m geobaro export</code>. "
            "Every page works offline: Leaflet and the data are inside it.</p>",
        ]
    )
    path = "index.html"
    _write_page(ctx, path, title=title, body=body, up="")
    return SitePage(path, "index", title)


def _write_data(
    ctx: _Context,
    stem: str,
    table: pd.DataFrame,
    values: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame,
) -> tuple[str, ...]:
    """Write the CSV (the page's table) and GeoJSON (geometry + values) of one page.

    Rows of the sample carry ``data_status = illustrative``, so the files say what they are
    wherever they end up.
    """
    from geobaro.export.files import export_csv, export_geojson

    csv_path = f"data/{stem}.csv"
    geo_path = f"data/{stem}.geojson"
    plain = table.copy()
    for column in plain.columns:
        if plain[column].dtype == object:
            # the view's table is escaped for HTML; a CSV holds the plain text
            plain[column] = plain[column].map(
                lambda v: html.unescape(v) if isinstance(v, str) else v
            )
    status = "illustrative" if ctx.illustrative else "real"
    plain["data_status"] = status
    (ctx.out_dir / csv_path).write_bytes(export_csv(plain))
    keep = [c for c in ("nis_code", "name_fr", "name_nl", "name_de", "region") if c in gdf_units]
    units = gdf_units.loc[gdf_units["nis_code"].isin(values["nis_code"]), [*keep, "geometry"]]
    (ctx.out_dir / geo_path).write_bytes(export_geojson(units, values.assign(data_status=status)))
    return (csv_path, geo_path)


def _values_table(values: pd.DataFrame, gdf_units: gpd.GeoDataFrame) -> pd.DataFrame:
    names = gdf_units.set_index("nis_code")
    table = values.copy()
    table.insert(1, "name", table["nis_code"].map(names["name_fr"]).fillna(""))
    table.insert(2, "region", table["nis_code"].map(names["region"]).fillna(""))
    return table


def _map_frame(fmap: folium.Map, *, title: str, height: str) -> str:
    """Return the map as a standalone document (Leaflet inlined) in an ``<iframe srcdoc>``."""
    from geobaro.export.files import export_html

    doc = export_html(fmap)
    text = doc.decode("utf-8") if isinstance(doc, bytes) else str(doc)
    return (
        f'<iframe class="map" title="{_esc(title)}" style="height:{height}" '
        f'srcdoc="{html.escape(text, quote=True)}"></iframe>'
    )


def _legend_html(classification: Classification) -> str:
    """Return the legend drawn in the page (outside the map): swatch, class, count."""
    items = []
    for entry in getattr(classification, "legend", ()):
        color = str(getattr(entry, "color", "#cccccc"))
        if not re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9., ]+\)", color):
            color = "#cccccc"
        count = getattr(entry, "count", None)
        label = str(getattr(entry, "label", ""))
        items.append(
            f'<li><span class="swatch" style="background:{color}"></span>{_esc(label)}'
            + (f' <span class="count">({int(count)})</span>' if count is not None else "")
            + "</li>"
        )
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def _table_html(table: pd.DataFrame) -> str:
    """Return a plain HTML table; every cell escaped exactly once."""
    head = "".join(f"<th scope='col'>{_esc(str(c))}</th>" for c in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        cells = "".join(f"<td>{_cell(v)}</td>" for v in record)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f"<table class='data'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _figures_html(figures: pd.DataFrame, lang: Lang) -> str:
    """Return the published key figures as a table: figure, value, source (linked)."""
    label_col = f"label_{lang}" if f"label_{lang}" in figures else "label_en"
    rows = []
    for rec in figures.to_dict("records"):
        value = float(rec["value"])
        text = f"{value:.0f}%" if rec.get("unit") == "percent" else f"{value:.0f}"
        url = str(rec.get("source_url") or "")
        locator = str(rec.get("locator") or "")
        source = (
            f'<a href="{_esc(url)}" rel="noopener noreferrer">{_esc(url)}</a>'
            if url.startswith(("https://", "http://"))
            else ""
        )
        if locator:
            source += f" ({_esc(locator)})" if source else _esc(locator)
        rows.append(
            f"<tr><td>{_esc(rec.get(label_col, ''))}</td><td>{_esc(text)}</td>"
            f"<td>{source}</td></tr>"
        )
    return (
        "<table class='data'><thead><tr><th>Figure</th><th>Value</th><th>Source</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return _esc(html.unescape(str(value)))


def _downloads_html(files: Sequence[str], *, prefix: str) -> str:
    links = " · ".join(
        f'<a href="{_esc(prefix + f)}" download>{_esc(Path(f).name)}</a>' for f in files
    )
    return f'<p class="downloads">Data of this page: {links}</p>'


def _write_page(
    ctx: _Context, path: str, *, title: str, body: str, up: str, illustrative: bool | None = None
) -> None:
    show_notice = ctx.illustrative if illustrative is None else illustrative
    notice = (
        f'<p class="notice" role="note">{_esc(t("app.illustrative.notice", ctx.lang))}</p>'
        if show_notice
        else ""
    )
    attribution = "<br>".join(_esc(line) for line in ctx.attribution.splitlines())
    nav = f'<nav><a href="{up}index.html">All maps</a></nav>' if path != "index.html" else ""
    page = f"""<!doctype html>
<html lang="{_esc(ctx.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="geobaro">
<title>{_esc(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>{nav}<h1>{_esc(title)}</h1>{notice}</header>
<main>
{body}
</main>
<footer><p>{_esc(t("app.footer.boundaries", ctx.lang))} {attribution}</p>
<p>{_esc(t("app.footer.published", ctx.lang))}</p></footer>
</body>
</html>
"""
    target = ctx.out_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    shutil.move(tmp, target)


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1400px;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.5rem;margin:.6rem 0}h2{font-size:1.15rem}
.notice{background:#fff3cd;border:1px solid #e0b000;padding:.5rem .75rem;border-radius:4px}
iframe.map{width:100%;border:1px solid #ccc;display:block}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:1rem}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.swatch{display:inline-block;width:1rem;height:1rem;margin-right:.35rem;
vertical-align:middle;border:1px solid #555}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.2rem .4rem}
th{text-align:left;background:#f4f4f4}footer{font-size:.8rem;color:#555;margin:2rem 0}
"""
