"""The compare view: Wallonia, Flanders and Brussels side by side, urban versus rural."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from geobaro._units import REGION_NIS
from geobaro.i18n import t
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.views.common import ViewData, _framing, _map_html, _region_label, _title
from geobaro.views.values import (
    GroupSummary,
    _classify,
    _map_inputs,
    _marks,
    estimate_note,
    summarize_groups,
)
from geobaro.vocabulary import REGIONS, Lang, Level, Region, Scale, Scheme, Source, Vintage

if TYPE_CHECKING:
    import folium


__all__ = [
    "ComparePanel",
    "CompareRequest",
    "CompareResult",
    "render_compare",
]


@dataclass(frozen=True)
class CompareRequest:
    """Wallonia, Flanders and Brussels side by side, plus urban versus rural.

    ``weighted``: shares, means and intervals weighted for non-response (see
    `geobaro.views.ExploreRequest`), on the maps and in every summary.
    """

    indicator: str
    level: Level = "commune"
    scheme: Scheme = "quantiles"
    k: int = 5
    vintage: Vintage = "2018"
    lang: Lang = "en"
    breaks: tuple[float, ...] | None = None
    source: Source = "sample"
    scale: Scale = "shared"
    min_respondents: int = 5
    standalone: bool = True
    weighted: bool = False


@dataclass(frozen=True, eq=False)
class ComparePanel:
    """One region's map (``html``: rendered once, a string to cache) and summary.

    ``marked``: the panel's units whose interval excludes Belgium's share (outlined).
    """

    region: Region
    map: folium.Map
    classification: Classification
    values: pd.DataFrame
    summary: GroupSummary
    html: str = ""
    marked: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CompareResult:
    """The three region panels and the urban/rural summaries.

    ``estimate`` says in words which estimate the figures are (``None`` for communes' own
    answers); ``GroupSummary.differs`` marks groups whose interval excludes Belgium's share.
    """

    request: CompareRequest
    panels: tuple[ComparePanel, ...]
    urban_rural: tuple[GroupSummary, ...]
    shared: Classification | None
    estimate: str | None = None


def render_compare(request: CompareRequest, data: ViewData) -> CompareResult:
    """Build the compare view: one panel per region and the urban/rural summaries.

    With ``scale="shared"`` every panel uses the classes computed over Belgium, so equal
    colours mean equal values; with ``"panel"`` each region gets its own classes.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> data = ViewData(ind, ref, gdf_units=load_units(level="province", web=True))
    >>> view = render_compare(CompareRequest("feels_concerned", level="province"), data)
    >>> [(p.region, p.summary.respondents) for p in view.panels]
    [('Wallonia', 53), ('Flanders', 43), ('Brussels', 17)]
    """
    _kind, gdf_units, values, map_kind = _map_inputs(request, data)
    shared = _classify(values, map_kind, request=request)
    summaries = {
        s.group: s
        for s in summarize_groups(
            data.indicators,
            data.gdf_communes,
            indicator=request.indicator,
            by="region",
            min_respondents=request.min_respondents,
            vintage=request.vintage,
            lang=request.lang,
            weighted=request.weighted,
        )
    }
    title = _title(request.indicator, request.level, request.lang, request.source)
    estimate = estimate_note(values, request.lang)
    panels = []
    for region in REGIONS:
        gdf_region = gdf_units.loc[gdf_units["region"] == region]
        part = values.loc[values["nis_code"].isin(gdf_region["nis_code"])].reset_index(drop=True)
        if request.scale == "panel":
            klass = _classify(part, map_kind, request=request)
        else:
            klass = _restrict(shared, part, map_kind, request=request)
        marked = _marks(part)
        fmap = build_choropleth(
            gdf_region,
            part,
            classification=klass,
            kind=map_kind,
            lang=request.lang,
            fit_to=gdf_region,
            illustrative=request.source == "sample",
            marked=marked,
            marked_label=t("stats.differs.legend", request.lang),
            legend_note=estimate or "",
            **_framing(
                request.standalone,
                f"{title} — {_region_label(region, request.lang)}",
                request.lang,
            ),
        )
        summary = summaries[REGION_NIS[region]]
        panels.append(
            ComparePanel(region, fmap, klass, part, summary, html=_map_html(fmap), marked=marked)
        )
    urban_rural = summarize_groups(
        data.indicators,
        data.gdf_communes,
        indicator=request.indicator,
        by="urban_rural",
        min_respondents=request.min_respondents,
        vintage=request.vintage,
        lang=request.lang,
        weighted=request.weighted,
    )
    shared_out = shared if request.scale == "shared" else None
    return CompareResult(request, tuple(panels), urban_rural, shared_out, estimate=estimate)


def _restrict(
    shared: Classification, part: pd.DataFrame, map_kind: str, *, request: CompareRequest
) -> Classification:
    """Classify a panel with the shared classes, so counts in its legend are its own."""
    lang = request.lang
    if map_kind == "categorical":
        categories = tuple(e.label for e in shared.legend if e.kind == "category")
        return classify(part, kind="categorical", lang=lang, categories=categories or None)
    if not shared.bins:  # nothing to classify anywhere: the panel shows statuses only
        return _classify(part, map_kind, request=request)
    return classify(part, kind="sequential", bins=shared.bins, lang=lang)
