"""Pages of the published figures in the static site: maps, trends, figures without a place.

A map page per wave, figure and level; a trend page per recurring series; a page per wave
listing its maps and its figures without a place.

Every page comes from `geobaro.views.trends.list_site_pages` (the app's own views,
standalone): the maps draw on the site's shared geometry like every other map page, the
trend charts are the PNG charts of the views (no script, no network), and every number is
shown with its source linked and its locator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from geobaro.export._site_data import GEOMETRY_DOWNLOAD, SiteData, frame_document, map_data
from geobaro.export._site_html import cell_html, downloads_html, esc, map_frame
from geobaro.i18n import t

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.views.trends import ChangeResult, PublishedPage, TrendPage
    from geobaro.vocabulary import Lang, Level

__all__ = ["PublishedPageInfo", "published_index_html", "write_published_pages"]

#: Folder of the published pages, and of their chart images, relative to the site folder.
FOLDER = "published"
CHARTS = "data/published"
#: ``data_status`` of every published row: the barometer's own figures, not the sample.
_STATUS = "real"


@dataclass(frozen=True)
class PublishedPageInfo:
    """One written published page.

    Path, kind (``published``, ``trend``, ``wave``), title, wave, level, maps and units
    drawn, data files (tables, charts, geometry).
    """

    path: str
    kind: str
    title: str
    wave: str = ""
    level: str = ""
    maps: int = 0
    units: int = 0
    data_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class PublishedWriter:
    """What the pages need from the export: folder data, language and the page writer."""

    data: SiteData
    lang: Lang
    write: Callable[..., None]


def write_published_pages(
    writer: PublishedWriter,
    *,
    units: Callable[[Level], gpd.GeoDataFrame],
) -> list[PublishedPageInfo]:
    """Write every published map, trend and wave page; return what was written.

    ``units(level)`` returns the site's web geometry of a level (and registers it in the
    shared geometry file), so the published maps draw on the same shapes as the others.
    """
    from geobaro.published import load_crosswalk, load_published
    from geobaro.views.trends import list_site_pages, render_change

    figures, crosswalk = load_published(), load_crosswalk()
    by_level = {"region": units("region"), "province": units("province")}
    maps, trends = list_site_pages(figures, crosswalk, units=by_level, lang=writer.lang)

    def in_panel(change: ChangeResult) -> ChangeResult:
        """Redraw a change map for a panel: legend and sources under it, not on it."""
        request = replace(change.request, standalone=False)
        level = request.level
        return render_change(request, figures, crosswalk, gdf_units=by_level[level])

    trend_paths = {p.slug.removeprefix("trend-"): f"{FOLDER}/{p.slug}.html" for p in trends}
    pages = [_write_map(writer, page, trend_paths.get(page.series, "")) for page in maps]
    for page in trends:
        pages.append(_write_trend(writer, page, [in_panel(c) for c in page.change_maps]))
    pages += _write_waves(writer, maps, pages)
    return pages


def published_index_html(pages: Sequence[Any], *, lang: Lang, up: str = "") -> str:
    """Return the index section of the published pages: per wave its maps, then the trends."""
    from geobaro.views.published import wave_label

    waves = [p for p in pages if p.kind == "wave"]
    if not waves:
        return ""
    by_wave: dict[str, list[Any]] = {}
    for p in pages:
        if p.kind == "published":
            by_wave.setdefault(p.wave, []).append(p)
    items = []
    for w in waves:
        links = " · ".join(
            f'<a href="{esc(up + p.path)}">{esc(_map_link_text(p, lang))}</a>'
            for p in by_wave.get(w.wave, [])
        )
        items.append(
            f'<li><a href="{esc(up + w.path)}"><strong>{esc(wave_label(w.wave, lang))}</strong>'
            f"</a>: {links}</li>"
        )
    trends = "".join(
        f'<li><a href="{esc(up + p.path)}">{esc(p.title)}</a></li>'
        for p in pages
        if p.kind == "trend"
    )
    return (
        f'<section id="gb-published"><h2>{esc(t("site.published.link", lang))}</h2>'
        f"<p>{esc(t('site.published.intro', lang))}</p>"
        f"<ul class='published-waves'>{''.join(items)}</ul>"
        f"<h3>{esc(t('site.published.trends', lang))}</h3><ul class='trends'>{trends}</ul>"
        "</section>"
    )


# --- private helpers -------------------------------------------------------------------------


def _map_link_text(page: Any, lang: Lang) -> str:
    return f"{page.title.split(' — ')[0]} ({t(f'app.level.{page.level}', lang)})"


def _write_map(writer: PublishedWriter, page: PublishedPage, trend_path: str) -> PublishedPageInfo:
    result = page.result
    lang = writer.lang
    level = result.request.level
    frame, units = _frame(writer, result.map, page.slug, level=level, title=page.title)
    data_files = (*_write_table(writer, page.slug, result.table), GEOMETRY_DOWNLOAD)
    trend = (
        f'<p><a href="{esc(trend_path.removeprefix(FOLDER + "/"))}">'
        f"{esc(t('site.published.trend_of', lang))}</a></p>"
        if trend_path
        else ""
    )
    body = "\n".join(
        [
            _crumbs(lang, result.request.wave),
            f"<p class='intro'>{esc(t('site.published.intro', lang))}</p>",
            frame,
            f'<div id="gb-legend">{result.legend_html}</div>',
            _sources_html(result.sources, lang),
            trend,
            f"<section id='gb-table'><h2>{esc(t('site.published.table', lang))}</h2>"
            f"{_table_html(result.table, lang)}</section>",
            _rows_section(result.others, t("site.published.others", lang), lang),
            _rows_section(result.conflicts, t("site.published.conflicts", lang), lang),
            f'<p class="downloads">{_downloads(data_files, lang)}</p>',
        ]
    )
    path = f"{FOLDER}/{page.slug}.html"
    writer.write(path, title=page.title, body=body, scripts=[f"data/values/{page.slug}.js"])
    return PublishedPageInfo(
        path, "published", page.title, result.request.wave, level, 1, units, data_files
    )


def _write_trend(
    writer: PublishedWriter, page: TrendPage, change_maps: Sequence[ChangeResult]
) -> PublishedPageInfo:
    lang = writer.lang
    from geobaro.views.published import group_label

    charts = []
    files = []
    for group, png in page.pngs.items():
        name = f"{CHARTS}/{page.slug}-{_slug(group)}.png"
        target = writer.data.out_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
        writer.data.written.append(name)
        files.append(name)
        label = group_label(group, lang)
        alt = t("site.published.chart_alt", lang, title=page.title, group=label)
        charts.append(
            f'<figure class="chart"><img src="../{esc(name)}" alt="{esc(alt)}" '
            f'width="480" loading="lazy"><figcaption>{esc(label)}</figcaption></figure>'
        )
    frames = []
    units = 0
    for i, change in enumerate(change_maps):
        level = change.request.level
        stem = f"{page.slug}-{i}"
        frame, drawn = _frame(writer, change.map, stem, level=level, title=change.title)
        units += drawn
        frames.append(
            f"<section class='panel'><h3>{esc(change.title)}</h3>{frame}"
            f"{change.legend_html}{_change_sources(change.table, writer.lang)}</section>"
        )
    points = page.trends.points
    table = _points_html(points, lang)
    csv = _write_csv(writer, page.slug, _plain_points(points))
    data_files = (csv, *files)
    change_part = (
        f"<h2>{esc(t('site.published.change_maps', lang))}</h2>"
        f"<div class='panels'>{''.join(frames)}</div>"
        if frames
        else ""
    )
    body = "\n".join(
        [
            _crumbs(lang, ""),
            f"<p class='intro'>{esc(t('site.published.intro', lang))}</p>",
            f"<div class='charts'>{''.join(charts)}</div>",
            f"<section id='gb-points'><h2>{esc(t('site.published.points', lang))}</h2>"
            f"{table}</section>",
            change_part,
            f'<p class="downloads">{_downloads((csv,), lang)}</p>',
        ]
    )
    path = f"{FOLDER}/{page.slug}.html"
    scripts = [f"data/values/{page.slug}-{i}.js" for i in range(len(frames))]
    writer.write(path, title=page.title, body=body, scripts=scripts)
    return PublishedPageInfo(path, "trend", page.title, "", "", len(frames), units, data_files)


def _write_waves(
    writer: PublishedWriter, maps: Sequence[PublishedPage], written: Sequence[PublishedPageInfo]
) -> list[PublishedPageInfo]:
    from geobaro.views.published import wave_label

    lang = writer.lang
    out = []
    for wave in dict.fromkeys(p.result.request.wave for p in maps):
        first = next(p for p in maps if p.result.request.wave == wave)
        links = "".join(
            f'<li><a href="{esc(p.path.removeprefix(FOLDER + "/"))}">'
            f"{esc(_map_link_text(p, lang))}</a></li>"
            for p in written
            if p.kind == "published" and p.wave == wave
        )
        title = wave_label(wave, lang)
        unmapped = first.result.unmapped
        csv = _write_csv(writer, f"published-{wave}-without-place", unmapped)
        body = "\n".join(
            [
                _crumbs(lang, ""),
                f"<p>{esc(t('site.published.intro', lang))}</p>",
                f"<h2>{esc(t('site.published.maps', lang))}</h2><ul>{links}</ul>",
                _rows_section(unmapped, t("site.published.without_place", lang), lang, empty=True),
                _rows_section(first.result.conflicts, t("site.published.conflicts", lang), lang),
                f'<p class="downloads">{_downloads((csv,), lang)}</p>',
            ]
        )
        path = f"{FOLDER}/{wave}.html"
        writer.write(path, title=title, body=body)
        out.append(PublishedPageInfo(path, "wave", title, wave, data_files=(csv,)))
    return out


def _frame(
    writer: PublishedWriter, fmap: folium.Map, stem: str, *, level: str, title: str
) -> tuple[str, int]:
    """Write the map's values file; return its frame (drawn on the shared geometry), units."""
    data = map_data(fmap)
    writer.data.add_names(level, data)
    key = f"{stem}/0"
    writer.data.write_values(stem, {key: data.to_json(level=level)})
    document = frame_document(fmap, key=key, assets="../assets")
    return map_frame(document, key=key, title=title, height="62vh"), len(data.codes)


def _change_sources(table: pd.DataFrame, lang: Lang) -> str:
    pairs = pd.concat(
        [
            table[["source_from", "locator_from"]].set_axis(["source_url", "locator"], axis=1),
            table[["source_to", "locator_to"]].set_axis(["source_url", "locator"], axis=1),
        ]
    )
    pairs = pairs[pairs["source_url"].fillna("").astype(str) != ""].drop_duplicates()
    items = "".join(
        f"<li>{_source_link(str(u), str(loc))}</li>" for u, loc in pairs.itertuples(index=False)
    )
    return f"<p class='source'>{esc(t('site.published.sources', lang))}:</p><ul>{items}</ul>"


def _crumbs(lang: Lang, wave: str) -> str:
    from geobaro.views.published import wave_label

    links = [f'<a href="../index.html#gb-published">{esc(t("site.published.all", lang))}</a>']
    if wave:
        links.append(f'<a href="{esc(wave)}.html">{esc(wave_label(wave, lang))}</a>')
    return f"<p class='crumbs'>{' › '.join(links)}</p>"


def _source_link(url: str, locator: str) -> str:
    link = (
        f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>'
        if url.startswith(("https://", "http://"))
        else esc(url)
    )
    if locator:
        link += f" ({esc(locator)})" if link else esc(locator)
    return link


def _sources_html(sources: pd.DataFrame, lang: Lang) -> str:
    items = "".join(
        f"<li>{_source_link(str(u), str(loc))}</li>"
        for u, loc in sources[["source_url", "locator"]].itertuples(index=False)
    )
    return (
        f"<section class='sources' id='gb-sources'><h2>{esc(t('site.published.sources', lang))}"
        f"</h2><ul>{items}</ul></section>"
    )


def _table_html(table: pd.DataFrame, lang: Lang) -> str:
    """Return the map's table: place, value as published, status, source (linked) with locator."""
    head = [
        t("published.column.group", lang),
        t("published.column.value", lang),
        t("published.column.status", lang),
        t("published.column.source", lang),
        t("published.column.note", lang),
    ]
    rows = [
        f"<tr data-nis='{esc(r.nis_code)}'><td>{cell_html(r.place)}</td><td>{esc(r.text)}</td>"
        f"<td>{esc(r.status)}</td><td>{_source_link(str(r.source_url), str(r.locator))}</td>"
        f"<td>{esc(r.note)}</td></tr>"
        for r in table.itertuples(index=False)
    ]
    return _table(head, rows)


def _rows_section(rows: pd.DataFrame, heading: str, lang: Lang, *, empty: bool = False) -> str:
    """Figures as published (figure, group, value, source linked with its locator, note)."""
    if rows.empty and not empty:
        return ""
    head = [
        t("published.column.figure", lang),
        t("published.column.group", lang),
        t("published.column.value", lang),
        t("published.column.source", lang),
        t("published.column.note", lang),
    ]
    body = [
        f"<tr><td>{esc(r.label)}</td><td>{esc(r.group)}</td><td>{esc(r.text)}</td>"
        f"<td>{_source_link(str(r.source_url), str(r.locator))}</td><td>{esc(r.note)}</td></tr>"
        for r in rows.itertuples(index=False)
    ]
    table = _table(head, body) if body else f"<p>{esc(t('site.published.none', lang))}</p>"
    return f"<section class='figures'><h2>{esc(heading)}</h2>{table}</section>"


def _points_html(points: pd.DataFrame, lang: Lang) -> str:
    from geobaro.views.published import group_label

    head = [
        t("published.column.wave", lang),
        t("published.column.group", lang),
        t("published.column.value", lang),
        t("published.column.match", lang),
        t("published.column.source", lang),
    ]
    body = [
        f"<tr><td>{esc(r.wave_label)}</td><td>{esc(group_label(str(r.group), lang))}</td>"
        f"<td>{esc(r.text)}</td><td>{esc(r.wording)}</td>"
        f"<td>{_source_link(str(r.source_url), str(r.locator))}</td></tr>"
        for r in points.sort_values(["group", "published"]).itertuples(index=False)
    ]
    return _table(head, body)


def _table(head: Sequence[str], rows: Sequence[str]) -> str:
    cells = "".join(f"<th scope='col'>{esc(h)}</th>" for h in head)
    return (
        f"<table class='data'><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _plain_points(points: pd.DataFrame) -> pd.DataFrame:
    keep = [
        "series", "wave", "group", "nis_code", "value", "unit", "n", "match", "wording",
        "source_url", "locator", "note",
    ]  # fmt: skip
    return points[[c for c in keep if c in points.columns]]


def _write_table(writer: PublishedWriter, stem: str, table: pd.DataFrame) -> tuple[str]:
    return (_write_csv(writer, stem, table),)


def _write_csv(writer: PublishedWriter, stem: str, frame: pd.DataFrame) -> str:
    from geobaro.export.files import export_csv

    path = f"data/{stem}.csv"
    (writer.data.out_dir / path).write_bytes(export_csv(frame.assign(data_status=_STATUS)))
    writer.data.written.append(path)
    return path


def _downloads(files: Sequence[str], lang: Lang) -> str:
    return downloads_html(files, prefix="../").replace(
        "Data of this page:", esc(t("site.published.download", lang)), 1
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "group"
