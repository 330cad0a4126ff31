"""The patterns view: Moran's I and clusters of an indicator, join counts of who answered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro._units import NAME_COLUMNS
from geobaro.aggregate import aggregate_by
from geobaro.i18n import format_integer, format_number, t, unit_name
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.stats.spatial import (
    CLUSTER_CODES,
    JoinCounts,
    Moran,
    contiguity_weights,
    global_moran,
    join_counts,
    knn_weights,
    local_clusters,
)
from geobaro.views.common import (
    ViewData,
    _framing,
    _map_html,
    format_value,
    indicator_kind,
    indicator_label,
)
from geobaro.vocabulary import Lang, Source

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "CLUSTER_COLORS",
    "PATTERN_KINDS",
    "PatternsRequest",
    "PatternsResult",
    "render_patterns",
]

#: Indicator kinds the view computes patterns for.
PATTERN_KINDS = ("share", "score")
#: Colours of the clusters (ColorBrewer RdYlBu, 5 classes): high-high red, low-low blue.
CLUSTER_COLORS = {
    "HH": "#d7191c",
    "LL": "#2c7bb6",
    "HL": "#fdae61",
    "LH": "#abd9e9",
    "ns": "#ffffbf",
}


@dataclass(frozen=True)
class PatternsRequest:
    """Spatial patterns of one share or score indicator at commune level.

    Attributes
    ----------
    indicator
        An id of `geobaro.indicators.INDICATORS` of kind ``share`` or ``score``.
    lang
        Language of labels, explanations and legend.
    source
        ``sample`` (illustrative; labelled so) or ``upload``.
    k
        Nearest answering neighbours each answering commune is compared with.
    permutations, seed
        Random reshufflings behind the p-values, and the seed that fixes them.
    alpha
        Significance level of the clusters and verdicts.
    min_respondents
        Fewest communes with an answer for which patterns are computed (at least k + 2).
    tiles, standalone
        Base map under the clusters; legend and title inside the map (exports).
    """

    indicator: str
    lang: Lang = "en"
    source: Source = "sample"
    k: int = 5
    permutations: int = 999
    seed: int = 2017
    alpha: float = 0.05
    min_respondents: int = 10
    tiles: bool = False
    standalone: bool = True


@dataclass(frozen=True, eq=False)
class PatternsResult:
    """Moran's I, the cluster map and the join counts of response status.

    Attributes
    ----------
    table
        One row per commune with an answer: ``nis_code``, ``name``, ``value``, ``value_text``,
        ``lag`` (mean of its k neighbours), ``cluster`` (``HH``, ``LL``, ``HL``, ``LH``,
        ``ns``), ``cluster_label``, ``p_value``.
    moran
        Global Moran's I, or ``None`` when too few communes answered or all alike.
    joins
        Join counts of "answered" over all communes (queen contiguity).
    islands
        Units without a neighbour, joined to their nearest unit (none for the 2018 communes).
    explanations
        One sentence per figure: ``moran``, ``lisa``, ``joins``, ``neighbours``, ``k``, and
        ``illustrative`` for the sample; ``too_few`` or ``constant`` when no pattern could be
        computed.
    html
        The cluster map rendered once as a standalone page (a string callers may cache).
    """

    request: PatternsRequest
    map: folium.Map
    classification: Classification
    table: pd.DataFrame
    moran: Moran | None
    joins: JoinCounts
    islands: tuple[str, ...]
    explanations: dict[str, str]
    title: str
    html: str = ""


def render_patterns(request: PatternsRequest, data: ViewData) -> PatternsResult:
    """Build the patterns view of one indicator.

    Parameters
    ----------
    request
        What to show.
    data
        The indicators of the chosen source, the 2018 commune table and the web units of
        the 2018 communes (``gdf_units`` is required: neighbours come from its borders).

    Raises
    ------
    ValueError
        If the indicator is not of kind share or score, or ``k`` is below 1.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> units = load_units(level="commune", web=True)
    >>> ref = units.drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> data = ViewData(ind, ref, gdf_units=units)
    >>> view = render_patterns(PatternsRequest("perception_future"), data)
    >>> len(view.table), int(view.joins.joins), view.islands
    (113, 1662, ())
    """
    kind = indicator_kind(request.indicator)
    lang = request.lang
    if kind not in PATTERN_KINDS:
        raise ValueError(
            f"patterns need a share or score indicator; {request.indicator!r} is a {kind}"
        )
    if request.k < 1:
        raise ValueError(f"k must be at least 1, got {request.k}")
    gdf_units = data.require_units("commune", "2018")
    agg = aggregate_by(
        data.indicators, data.gdf_communes, level="commune", indicator=request.indicator
    ).set_index("group")
    units = gdf_units.set_index(gdf_units["nis_code"].astype(str), drop=False)
    codes = [str(c) for c in units.index if c in agg.index]
    agg = agg.loc[codes]
    answered = agg["response_status"].eq("answered") & agg["value"].notna()
    weights, islands = contiguity_weights(units.loc[[str(c) for c in units.index]])
    flags = agg["response_status"].eq("answered").reindex(weights.id_order).to_numpy(float)
    joins = join_counts(flags, weights, permutations=request.permutations, seed=request.seed)
    table, moran, notes = _clusters(request, agg, units, answered, lang)
    title = t("stats.patterns.map_title", lang, indicator=indicator_label(request.indicator, lang))
    if request.source == "sample":
        title += f" ({t('app.illustrative.short', lang)})"
    values = _map_values(agg, table)
    classification = classify(
        values,
        kind="categorical",
        categories={c: t(f"stats.patterns.cluster.{c}", lang) for c in CLUSTER_CODES},
        palette=[CLUSTER_COLORS[c] for c in CLUSTER_CODES],
        lang=lang,
    )
    fmap = build_choropleth(
        gdf_units,
        values,
        classification=classification,
        lang=lang,
        tiles=request.tiles,
        illustrative=request.source == "sample",
        **_framing(request.standalone, title, lang),
    )
    explanations = {
        **notes,
        "joins": _joins_text(joins, len(flags), request.alpha, lang),
        "neighbours": t("stats.patterns.enclaves", lang),
        "k": t("stats.patterns.k", lang, k=request.k),
    }
    if islands:
        names = ", ".join(unit_name(units.loc[c], lang) for c in islands)
        explanations["islands"] = t("stats.patterns.islands", lang, n=len(islands), names=names)
    if request.source == "sample":
        explanations["illustrative"] = t("app.illustrative.notice", lang)
    for key, text in _labelled(table, kind, request.indicator, lang).items():
        table[key] = text
    return PatternsResult(
        request=request,
        map=fmap,
        classification=classification,
        table=table,
        moran=moran,
        joins=joins,
        islands=islands,
        explanations=explanations,
        title=title,
        html=_map_html(fmap),
    )


# --- helpers ---------------------------------------------------------------------------------


def _clusters(
    request: PatternsRequest,
    agg: pd.DataFrame,
    units: gpd.GeoDataFrame,
    answered: pd.Series,
    lang: Lang,
) -> tuple[pd.DataFrame, Moran | None, dict[str, str]]:
    """Moran's I and LISA clusters among the communes with an answer."""
    codes = answered.index[answered.to_numpy()].astype(str)
    y = agg.loc[codes, "value"].to_numpy(dtype=float)
    table = pd.DataFrame(
        {
            "nis_code": codes,
            "name": _names(units, codes, lang),
            "value": y,
            "lag": np.nan,
            "cluster": "ns",
            "p_value": np.nan,
        }
    )
    minimum = max(request.min_respondents, request.k + 2)
    if len(codes) < minimum:
        note = t("stats.patterns.too_few", lang, n=len(codes), minimum=minimum)
        return table, None, {"too_few": note}
    if np.unique(y).size < 2:
        return table, None, {"constant": t("stats.patterns.constant", lang)}
    w = knn_weights(units.loc[list(codes)], k=request.k)
    moran = global_moran(y, w, permutations=request.permutations, seed=request.seed)
    local = local_clusters(
        y, w, permutations=request.permutations, seed=request.seed, alpha=request.alpha
    )
    table["lag"] = local.lag.reindex(codes).to_numpy()
    table["cluster"] = local.cluster.reindex(codes).to_numpy()
    table["p_value"] = local.p_value.reindex(codes).to_numpy()
    notes = {
        "moran": _moran_text(moran, request.alpha, lang),
        "lisa": t(
            "stats.patterns.explain.lisa",
            lang,
            k=request.k,
            alpha=format_number(request.alpha, lang, decimals=2),
        ),
    }
    return table, moran, notes


def _names(units: gpd.GeoDataFrame, codes: pd.Index, lang: Lang) -> list[str]:
    columns = [c for c in ("nis_code", *NAME_COLUMNS) if c in units]
    records = pd.DataFrame(units.loc[list(codes), columns]).to_dict("records")
    return [unit_name(record, lang) for record in records]


def _map_values(agg: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Clusters of the communes with an answer; the others by their response status."""
    status = agg["response_status"].astype(str)
    out = pd.DataFrame(
        {
            "nis_code": agg.index.astype(str),
            "value": None,
            "status": np.where(status.eq("answered"), "no_data", status),
        }
    )
    cluster = table.set_index("nis_code")["cluster"]
    known = out["nis_code"].isin(cluster.index).to_numpy()
    out.loc[known, "value"] = cluster.reindex(out.loc[known, "nis_code"]).to_numpy()
    out.loc[known, "status"] = "ok"
    return out


def _labelled(table: pd.DataFrame, kind: str, indicator: str, lang: Lang) -> dict[str, list[str]]:
    return {
        "value_text": [format_value(v, kind, lang, indicator=indicator) for v in table["value"]],  # type: ignore[arg-type]
        "cluster_label": [t(f"stats.patterns.cluster.{c}", lang) for c in table["cluster"]],
    }


def _moran_text(moran: Moran, alpha: float, lang: Lang) -> str:
    if moran.p_value < alpha:
        verdict = "positive" if moran.i > moran.expected else "negative"
    else:
        verdict = "none"
    return t(
        "stats.patterns.explain.moran",
        lang,
        i=format_number(moran.i, lang, decimals=2),
        p=format_number(moran.p_value, lang, decimals=3),
        permutations=format_integer(moran.permutations, lang),
        verdict=t(f"stats.patterns.moran.{verdict}", lang),
    )


def _joins_text(joins: JoinCounts, total: int, alpha: float, lang: Lang) -> str:
    if joins.p_value < alpha:
        verdict = "clustered" if joins.bb > joins.expected_bb else "dispersed"
    else:
        verdict = "none"
    return t(
        "stats.patterns.explain.joins",
        lang,
        joins=format_integer(joins.joins, lang),
        total=format_integer(total, lang),
        bb=format_integer(joins.bb, lang),
        expected=format_number(joins.expected_bb, lang, decimals=0),
        p=format_number(joins.p_value, lang, decimals=3),
        verdict=t(f"stats.patterns.joins.{verdict}", lang),
    )
