"""The explore view: one indicator at one level, its map, legend, table and downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

import pandas as pd

from geobaro.i18n import t
from geobaro.maps.choropleth import Classification, build_choropleth
from geobaro.views.common import ViewData, _framing, _map_html, _title
from geobaro.views.values import _classify, _map_inputs, _marks, _table, estimate_note
from geobaro.vocabulary import Lang, Level, Region, Scheme, Source, Vintage

if TYPE_CHECKING:
    import folium
    import geopandas as gpd


__all__ = [
    "ExploreRequest",
    "ExploreResult",
    "ExportFile",
    "Exporters",
    "list_exports",
    "render_explore",
]


@dataclass(frozen=True)
class ExploreRequest:
    """One map of one indicator at one level.

    Attributes
    ----------
    indicator
        An id of `geobaro.indicators.INDICATORS`.
    level
        ``commune``, ``arrondissement``, ``province`` or ``region``.
    scheme, k, breaks
        Classification of numeric indicators (``breaks`` only with ``user_defined``).
    vintage
        Boundary vintage; 2018 communes are grouped into the 2019 or 2025 units.
    lang
        Language of names, labels and legend.
    source
        ``sample`` (the illustrative sample) or ``upload`` (the session's own file); it labels
        the map and keys caches, the data itself is passed to `render_explore`.
    region
        Zoom to one region, or ``None`` for Belgium: the map, its classes, legend and table
        then hold that region's units only.
    tiles
        Draw a base map under the choropleth.
    min_respondents
        Groups with fewer respondents are shown as too small.
    weighted
        Show grouped shares, means and intervals weighted for non-response (respondents
        standing for all 589 communes, `geobaro.aggregate.choose_estimates`) instead of those
        of the respondents only. The legend, the table, the CSV and the PNG say which.
    highlight
        NIS code of a unit to outline and open the map on (with its neighbours): the commune
        profile's own commune. ``None``: the map opens on all it shows.
    standalone
        Make the map complete on its own (default; for exports and static pages): legend,
        title and the full boundary attribution inside the map. The app passes ``False``: it
        shows those beside the map, and the map carries only a short credit line.
    """

    indicator: str
    level: Level = "commune"
    scheme: Scheme = "quantiles"
    k: int = 5
    vintage: Vintage = "2018"
    lang: Lang = "en"
    breaks: tuple[float, ...] | None = None
    source: Source = "sample"
    region: Region | None = None
    tiles: bool = False
    min_respondents: int = 5
    standalone: bool = True
    weighted: bool = False
    highlight: str | None = None


@dataclass(frozen=True, eq=False)
class ExploreResult:
    """A map, its classification (the legend) and the table of the same numbers.

    ``html`` is the map rendered once as a standalone page: a string that callers may cache
    and share between sessions. ``map`` is the folium object it was rendered from, built for
    this result only (exports re-render it; never mutate a cached one). ``estimate`` says in
    words which estimate the values are (weighted or not; ``None`` for communes' own
    answers); ``marked`` holds the units whose interval excludes Belgium's share, outlined
    on the map.
    """

    request: ExploreRequest
    map: folium.Map
    classification: Classification
    table: pd.DataFrame
    values: pd.DataFrame
    gdf_units: gpd.GeoDataFrame
    title: str
    html: str = ""
    estimate: str | None = None
    marked: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ExportFile:
    """One download of the explore view, built only when asked for.

    Attributes
    ----------
    kind
        ``html``, ``png``, ``csv`` or ``geojson``.
    file_name, mime
        Suggested file name and media type.
    build
        Returns the file's bytes.
    """

    kind: Literal["html", "png", "csv", "geojson"]
    file_name: str
    mime: str
    build: Callable[[], bytes]


class Exporters(Protocol):
    """What `list_exports` builds its files with; `geobaro.export.files` is one."""

    def export_html(self, fmap: folium.Map, *, title: str = ...) -> bytes:
        """Return a standalone HTML page of a map."""

    def export_png(
        self,
        gdf_units: gpd.GeoDataFrame,
        values: pd.DataFrame,
        classification: Classification | None = ...,
        *,
        title: str = ...,
        source: str = ...,
        attribution: str | None = ...,
        lang: Lang = ...,
        illustrative: bool = ...,
    ) -> bytes:
        """Return a PNG image of a map with its legend."""

    def export_csv(self, df: pd.DataFrame) -> bytes:
        """Return a table as CSV."""

    def export_geojson(self, gdf_units: gpd.GeoDataFrame, values: pd.DataFrame) -> bytes:
        """Return units joined with their values as GeoJSON."""


def render_explore(request: ExploreRequest, data: ViewData) -> ExploreResult:
    """Build the explore view: classified map, legend and table of one indicator.

    Parameters
    ----------
    request
        What to show.
    data
        The indicators of the chosen source, the 2018 commune table and the web units of
        ``request.level`` and ``request.vintage`` (``gdf_units`` is required).

    Returns
    -------
    ExploreResult
        With ``request.region`` set, only that region's units are drawn, classified, counted
        in the legend and listed in the table.

    Warns
    -----
    UserWarning
        When value rows have no unit in ``data.gdf_units`` (they are left off).

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> data = ViewData(ind, ref, gdf_units=load_units(level="region", web=True))
    >>> view = render_explore(ExploreRequest("feels_concerned", level="region"), data)
    >>> len(view.table), int(view.table["n"].sum()), view.html.startswith("<!DOCTYPE html>")
    (3, 113, True)
    """
    kind, gdf_units, values, map_kind = _map_inputs(request, data)
    if request.region is not None:
        gdf_units = gdf_units.loc[gdf_units["region"] == request.region]
        values = values.loc[values["nis_code"].isin(gdf_units["nis_code"])]
        values = values.reset_index(drop=True)
    classification = _classify(values, map_kind, request=request)
    title = _title(request.indicator, request.level, request.lang, request.source)
    estimate = estimate_note(values, request.lang)
    marked = _marks(values)
    fmap = build_choropleth(
        gdf_units,
        values,
        classification=classification,
        kind=map_kind,
        lang=request.lang,
        tiles=request.tiles,
        fit_to=gdf_units if request.region is not None and request.highlight is None else None,
        highlight=request.highlight,
        illustrative=request.source == "sample",
        marked=marked,
        marked_label=t("stats.differs.legend", request.lang),
        legend_note=estimate or "",
        **_framing(request.standalone, title, request.lang),
    )
    table = _table(values, gdf_units, classification, kind, request)
    return ExploreResult(
        request,
        fmap,
        classification,
        table,
        values,
        gdf_units,
        title,
        html=_map_html(fmap),
        estimate=estimate,
        marked=marked,
    )


def list_exports(
    result: ExploreResult,
    data: ViewData,
    *,
    exporters: Exporters,
    attribution: str | None = None,
) -> tuple[ExportFile, ...]:
    """Return the downloads of an explore view: map as HTML and PNG, table, joined GeoJSON.

    The HTML page is standalone (Leaflet inlined, legend, title and full attribution in the
    map); the PNG carries legend, title, source, attribution and, for the sample, the
    illustrative notice; CSV cells are neutralised against spreadsheet formulas. Nothing is
    built here: each file's ``build`` calls ``exporters`` when the file is asked for.

    Parameters
    ----------
    result
        The explore view to export.
    data
        The data ``result`` was rendered from (a page for the app is rendered again,
        standalone, for the HTML download).
    exporters
        The file builders, normally the module `geobaro.export.files`.
    attribution
        Boundary attribution printed on the PNG.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.export import files
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> data = ViewData(ind, ref, gdf_units=load_units(level="region", web=True))
    >>> view = render_explore(ExploreRequest("feels_concerned", level="region"), data)
    >>> exports = list_exports(view, data, exporters=files)
    >>> [f.file_name for f in exports][2]
    'geobaro_feels_concerned_region_2018.csv'
    >>> exports[2].build().decode("utf-8-sig").splitlines()[0].split(",")[:3]
    ['nis_code', 'name', 'region']
    """
    request = result.request
    stem = f"geobaro_{request.indicator}_{request.level}_{request.vintage}"

    def html_page() -> bytes:
        page = result
        if not request.standalone:
            page = render_explore(replace(request, standalone=True), data)
        return exporters.export_html(page.map, title=result.title)

    source = t(f"app.source.{request.source}", request.lang)
    if result.estimate:
        source = f"{source} · {result.estimate}"

    def png() -> bytes:
        return exporters.export_png(
            result.gdf_units,
            result.values,
            result.classification,
            title=result.title,
            source=source,
            attribution=attribution,
            lang=request.lang,
            illustrative=request.source == "sample",
        )

    return (
        ExportFile("html", f"{stem}.html", "text/html", html_page),
        ExportFile("png", f"{stem}.png", "image/png", png),
        ExportFile("csv", f"{stem}.csv", "text/csv", lambda: exporters.export_csv(result.table)),
        ExportFile(
            "geojson",
            f"{stem}.geojson",
            "application/geo+json",
            lambda: exporters.export_geojson(result.gdf_units, result.values),
        ),
    )
