"""The explore view: one indicator at one level, its map, legend, table and downloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import pandas as pd

from geobaro.i18n import t
from geobaro.maps.choropleth import Classification, build_choropleth
from geobaro.views.common import _framing, _title
from geobaro.views.values import _classify, _map_inputs, _table
from geobaro.vocabulary import Lang, Level, Region, Scheme, Source, Vintage

if TYPE_CHECKING:
    import folium
    import geopandas as gpd


__all__ = [
    "ExploreRequest",
    "ExploreResult",
    "ExportFile",
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
        Zoom to one region, or ``None`` for Belgium.
    tiles
        Draw a base map under the choropleth.
    min_respondents
        Groups with fewer respondents are shown as too small.
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


@dataclass(frozen=True, eq=False)
class ExploreResult:
    """A map, its classification (the legend) and the table of the same numbers."""

    request: ExploreRequest
    map: folium.Map
    classification: Classification
    table: pd.DataFrame
    values: pd.DataFrame
    gdf_units: gpd.GeoDataFrame
    title: str


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


def render_explore(
    request: ExploreRequest,
    indicators_df: pd.DataFrame,
    *,
    gdf_communes: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame | None = None,
) -> ExploreResult:
    """Build the explore view: classified map, legend and table of one indicator.

    Parameters
    ----------
    request
        What to show.
    indicators_df
        Per-commune indicators of the chosen source.
    gdf_communes
        The 2018 commune reference table.
    gdf_units
        Web geometry of ``request.level`` and ``request.vintage``; loaded when omitted.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> view = render_explore(ExploreRequest("feels_concerned", level="region"), ind,
    ...                       gdf_communes=ref)
    >>> len(view.table), int(view.table["n"].sum())
    (3, 113)
    """
    kind, gdf_units, values, map_kind = _map_inputs(request, indicators_df, gdf_communes, gdf_units)
    classification = _classify(values, map_kind, request=request)
    title = _title(request.indicator, request.level, request.lang, request.source)
    fit_to = None
    if request.region is not None:
        fit_to = gdf_units.loc[gdf_units["region"] == request.region]
    fmap = build_choropleth(
        gdf_units,
        values,
        classification=classification,
        kind=map_kind,
        lang=request.lang,
        tiles=request.tiles,
        fit_to=fit_to,
        illustrative=request.source == "sample",
        **_framing(request.standalone, title, request.lang),
    )
    table = _table(values, gdf_units, classification, kind, request)
    return ExploreResult(request, fmap, classification, table, values, gdf_units, title)


def list_exports(
    result: ExploreResult,
    indicators_df: pd.DataFrame,
    *,
    gdf_communes: pd.DataFrame,
    attribution: str | None = None,
) -> tuple[ExportFile, ...]:
    """Return the downloads of an explore view: map as HTML and PNG, table, joined GeoJSON.

    The HTML page is standalone (Leaflet inlined, legend, title and full attribution in the
    map); the PNG carries legend, title, source, attribution and, for the sample, the
    illustrative notice; CSV cells are neutralised against spreadsheet formulas.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> view = render_explore(ExploreRequest("feels_concerned", level="region"), ind,
    ...                       gdf_communes=ref)
    >>> files = list_exports(view, ind, gdf_communes=ref)
    >>> [f.file_name for f in files][2]
    'geobaro_feels_concerned_region_2018.csv'
    >>> files[2].build().decode("utf-8-sig").splitlines()[0].split(",")[:3]
    ['nis_code', 'name', 'region']
    """
    from geobaro.export import files as export

    request = result.request
    stem = f"geobaro_{request.indicator}_{request.level}_{request.vintage}"

    def html_page() -> bytes:
        page = result
        if not request.standalone:
            page = render_explore(
                replace(request, standalone=True),
                indicators_df,
                gdf_communes=gdf_communes,
                gdf_units=result.gdf_units,
            )
        return export.export_html(page.map, title=result.title)

    def png() -> bytes:
        return export.export_png(
            result.gdf_units,
            result.values,
            result.classification,
            title=result.title,
            source=t(f"app.source.{request.source}", request.lang),
            attribution=attribution,
            lang=request.lang,
            illustrative=request.source == "sample",
        )

    return (
        ExportFile("html", f"{stem}.html", "text/html", html_page),
        ExportFile("png", f"{stem}.png", "image/png", png),
        ExportFile("csv", f"{stem}.csv", "text/csv", lambda: export.export_csv(result.table)),
        ExportFile(
            "geojson",
            f"{stem}.geojson",
            "application/geo+json",
            lambda: export.export_geojson(result.gdf_units, result.values),
        ),
    )
