"""What each view of the app shows: frozen requests in, maps, legends and tables out.

Pure library code (no Streamlit): the app turns its widgets into one request and makes one
call here, so every view can be tested, cached and exported without a browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from geobaro._units import PROVINCE_NAMES, REGION_NAMES, REGION_NIS
from geobaro.aggregate import aggregate_by, aggregate_categories
from geobaro.data.boundaries import load_units
from geobaro.i18n import format_number, format_share, t, unit_name
from geobaro.indicators import INDICATORS
from geobaro.maps.choropleth import Classification, build_choropleth, classify
from geobaro.vocabulary import MAP_STATUSES, REGIONS, IndicatorKind, Region, Source

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from geobaro.data.boundaries import Level, Vintage
    from geobaro.i18n import Lang
    from geobaro.maps.choropleth import Scheme

__all__ = [
    "REGIONS",
    "CommuneProfile",
    "CommuneRequest",
    "ComparePanel",
    "CompareRequest",
    "CompareResult",
    "ExploreRequest",
    "ExploreResult",
    "ExportFile",
    "GroupSummary",
    "LandingResult",
    "Region",
    "Source",
    "compute_profile_groups",
    "format_value",
    "indicator_kind",
    "indicator_label",
    "list_exports",
    "list_indicators",
    "map_values",
    "render_commune",
    "render_compare",
    "render_explore",
    "render_landing",
    "search_communes",
    "summarize_groups",
]

log = logging.getLogger(__name__)

Kind = IndicatorKind
_STATUSES = MAP_STATUSES
_VALUE_COLUMNS = ["nis_code", "value", "n", "status", "label"]


# --- requests and results --------------------------------------------------------------------


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


@dataclass(frozen=True)
class CompareRequest:
    """Wallonia, Flanders and Brussels side by side, plus urban versus rural."""

    indicator: str
    level: Level = "commune"
    scheme: Scheme = "quantiles"
    k: int = 5
    vintage: Vintage = "2018"
    lang: Lang = "en"
    breaks: tuple[float, ...] | None = None
    source: Source = "sample"
    scale: Literal["shared", "panel"] = "shared"
    min_respondents: int = 5
    standalone: bool = True


@dataclass(frozen=True)
class GroupSummary:
    """Respondents, response rate and share (with its 95% Wilson interval) of one group."""

    group: str
    label: str
    n_communes: int
    respondents: int
    response_rate: float
    share: float | None
    ci_low: float | None
    ci_high: float | None
    too_small: bool
    detail: str = ""

    def describe(self, lang: Lang = "en") -> str:
        """Return a one-line account, e.g. ``n = 40 / 262 (15%) · 45% [30%–61%]``.

        Examples
        --------
        >>> GroupSummary("x", "X", 262, 40, 40 / 262, 0.45, 0.3, 0.61, False).describe()
        'n = 40 / 262 (15%) · 45% [30%–61%]'
        >>> GroupSummary("x", "X", 19, 3, 3 / 19, None, None, None, True).describe()
        'n = 3 / 19 (16%) · too few answers'
        """
        head = (
            f"n = {self.respondents} / {self.n_communes} ({format_share(self.response_rate, lang)})"
        )
        if self.too_small:
            return f"{head} · {t('app.status.too_small', lang)}"
        if self.share is None:
            return f"{head} · {self.detail}" if self.detail else head
        tail = format_share(self.share, lang)
        if self.ci_low is not None and self.ci_high is not None:
            tail += f" [{format_share(self.ci_low, lang)}–{format_share(self.ci_high, lang)}]"
        return f"{head} · {tail}"


@dataclass(frozen=True, eq=False)
class ComparePanel:
    """One region's map and summary."""

    region: Region
    map: folium.Map
    classification: Classification
    values: pd.DataFrame
    summary: GroupSummary


@dataclass(frozen=True, eq=False)
class CompareResult:
    """The three region panels and the urban/rural summaries."""

    request: CompareRequest
    panels: tuple[ComparePanel, ...]
    urban_rural: tuple[GroupSummary, ...]
    shared: Classification | None


@dataclass(frozen=True)
class CommuneRequest:
    """The profile of one 2018 commune."""

    nis_code: str
    lang: Lang = "en"
    source: Source = "sample"
    min_respondents: int = 5


@dataclass(frozen=True, eq=False)
class CommuneProfile:
    """One commune's answers next to its province, region and Belgium."""

    request: CommuneRequest
    name: str
    region: str
    province: str
    response_status: str
    table: pd.DataFrame


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


@dataclass(frozen=True, eq=False)
class LandingResult:
    """The published key figures and the region map of the published concern shares."""

    figures: pd.DataFrame
    map: folium.Map
    classification: Classification
    values: pd.DataFrame = field(repr=False)


# --- public functions ------------------------------------------------------------------------


def list_indicators() -> tuple[str, ...]:
    """Return the ids of every indicator, in registry order.

    Examples
    --------
    >>> len(list_indicators()) > 3
    True
    """
    return tuple(INDICATORS)


def indicator_kind(indicator: str) -> Kind:
    """Return ``share``, ``category``, ``count`` or ``score`` for an indicator id.

    Examples
    --------
    >>> indicator_kind("feels_concerned")
    'share'
    >>> indicator_kind("concern")
    'category'
    """
    try:
        spec = INDICATORS[indicator]
    except KeyError:
        raise ValueError(
            f"unknown indicator {indicator!r}; known: {', '.join(INDICATORS)}"
        ) from None
    kind: Kind = spec.kind
    return kind


def indicator_label(indicator: str, lang: Lang = "en") -> str:
    """Return the label of an indicator in a language (German falls back to English).

    Examples
    --------
    >>> isinstance(indicator_label(list_indicators()[0], "fr"), str)
    True
    """
    spec = INDICATORS[indicator]
    label = getattr(spec, "label", None)
    if callable(label):
        return str(label(lang))
    labels: Any = getattr(spec, "labels", {})
    if isinstance(labels, dict):
        return str(labels.get(lang) or labels.get("en") or indicator)
    return indicator


def format_value(value: object, kind: Kind, lang: Lang = "en", *, indicator: str = "") -> str:
    """Return a value as shown in tables and tooltips (shares as percentages).

    Examples
    --------
    >>> format_value(0.456, "share")
    '46%'
    >>> format_value(2.5, "count")
    '2.5'
    >>> format_value(None, "share")
    '–'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return "–"
    if kind == "share":
        return format_share(float(value), lang)  # type: ignore[arg-type]
    if kind in {"count", "score"}:
        number = float(value)  # type: ignore[arg-type]
        return format_number(number, lang, decimals=0 if number.is_integer() else 1)
    return _answer_label(indicator, str(value), lang)


def map_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    level: Level = "commune",
    vintage: Vintage = "2018",
    min_respondents: int = 5,
    lang: Lang = "en",
) -> pd.DataFrame:
    """Turn per-commune indicators into the ``values`` frame the maps take.

    Parameters
    ----------
    indicators_df
        `geobaro.indicators.compute_indicators` output: one row per 2018 commune with
        ``nis_code``, ``response_status`` and the indicator columns.
    gdf_communes
        The 2018 commune reference table (``region``, ``arrondissement_nis``,
        ``province_nis``, ``nis_2019``, ``nis_2025`` ...).
    indicator, level, vintage, min_respondents, lang
        What to map; 2018 communes are grouped into the 2019/2025 units for later vintages.

    Returns
    -------
    pandas.DataFrame
        ``nis_code`` (of the level and vintage), ``value``, ``n`` (respondents), ``status``
        (``ok``, ``not_reached``, ``refused``, ``too_small`` or ``no_data``), ``label`` (display
        text) and, at grouped levels, ``n_communes``, ``response_rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"nis_code": ["11001", "11002"], "region": ["Flanders"] * 2})
    >>> ind = pd.DataFrame({"nis_code": ["11001", "11002"],
    ...                     "response_status": ["answered", "refused"]})
    >>> shares = [c for c in list_indicators() if indicator_kind(c) == "share"]
    >>> ind[shares[0]] = [1.0, None]
    >>> map_values(ind, ref, indicator=shares[0])[["nis_code", "n", "status"]]
      nis_code  n   status
    0    11001  1       ok
    1    11002  0  refused
    """
    kind = indicator_kind(indicator)
    if indicator not in indicators_df.columns:
        raise ValueError(f"indicator column {indicator!r} missing from the indicators table")
    if level == "commune" and vintage == "2018":
        return _commune_values(indicators_df, gdf_communes, indicator, kind, lang)
    return _group_values(
        indicators_df,
        gdf_communes,
        indicator=indicator,
        kind=kind,
        level=level,
        vintage=vintage,
        min_respondents=min_respondents,
        lang=lang,
    )


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


def render_compare(
    request: CompareRequest,
    indicators_df: pd.DataFrame,
    *,
    gdf_communes: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame | None = None,
) -> CompareResult:
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
    >>> view = render_compare(CompareRequest("feels_concerned", level="province"), ind,
    ...                       gdf_communes=ref)
    >>> [(p.region, p.summary.respondents) for p in view.panels]
    [('Wallonia', 53), ('Flanders', 43), ('Brussels', 17)]
    """
    _kind, gdf_units, values, map_kind = _map_inputs(
        request, indicators_df, gdf_communes, gdf_units
    )
    shared = _classify(values, map_kind, request=request)
    summaries = {
        s.group: s
        for s in summarize_groups(
            indicators_df,
            gdf_communes,
            indicator=request.indicator,
            by="region",
            min_respondents=request.min_respondents,
            vintage=request.vintage,
            lang=request.lang,
        )
    }
    title = _title(request.indicator, request.level, request.lang, request.source)
    panels = []
    for region in REGIONS:
        gdf_region = gdf_units.loc[gdf_units["region"] == region]
        part = values.loc[values["nis_code"].isin(gdf_region["nis_code"])].reset_index(drop=True)
        if request.scale == "panel":
            klass = _classify(part, map_kind, request=request)
        else:
            klass = _restrict(shared, part, map_kind, request=request)
        fmap = build_choropleth(
            gdf_region,
            part,
            classification=klass,
            kind=map_kind,
            lang=request.lang,
            fit_to=gdf_region,
            illustrative=request.source == "sample",
            **_framing(
                request.standalone,
                f"{title} — {_region_label(region, request.lang)}",
                request.lang,
            ),
        )
        panels.append(ComparePanel(region, fmap, klass, part, summaries[REGION_NIS[region]]))
    urban_rural = summarize_groups(
        indicators_df,
        gdf_communes,
        indicator=request.indicator,
        by="urban_rural",
        min_respondents=request.min_respondents,
        vintage=request.vintage,
        lang=request.lang,
    )
    shared_out = shared if request.scale == "shared" else None
    return CompareResult(request, tuple(panels), urban_rural, shared_out)


def summarize_groups(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    by: Literal["belgium", "region", "province", "urban_rural"] = "region",
    min_respondents: int = 5,
    vintage: Vintage = "2018",
    lang: Lang = "en",
) -> tuple[GroupSummary, ...]:
    """Return the respondents, response rate and share (95% CI) of each group.

    Shares are those of `geobaro.aggregate.aggregate_by`; scores and counts give their mean
    in ``detail``; for ``category`` indicators ``detail`` lists the share of every answer.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> [s.describe() for s in summarize_groups(ind, ref, indicator="feels_concerned",
    ...                                         by="urban_rural")]
    ['n = 29 / 135 (21%) · 34% [20%–53%]', 'n = 84 / 454 (19%) · 77% [67%–85%]']
    """
    kind = indicator_kind(indicator)
    base = indicator if kind != "category" else _any_share()
    agg = aggregate_by(
        indicators_df,
        gdf_communes,
        level=by,
        indicator=base,
        min_respondents=min_respondents,
        vintage=vintage,
    )
    details: dict[str, str] = {}
    n_valid: dict[str, int] = {}
    if kind == "category":
        cats = aggregate_categories(
            indicators_df,
            gdf_communes,
            level=by,
            indicator=indicator,
            min_respondents=min_respondents,
            vintage=vintage,
        )
        for group, part in cats.groupby("group", sort=False):
            n_valid[str(group)] = int(part["n_valid"].iloc[0])
            if bool(part["too_small"].iloc[0]):
                continue
            details[str(group)] = " · ".join(
                f"{_answer_label(indicator, str(c), lang)} {format_share(p, lang)}"
                for c, p in zip(part["category"], part["share"], strict=True)
            )
    out = []
    for row in agg.itertuples(index=False):
        code = str(row.group)
        small = bool(row.too_small)
        share = None if kind != "share" or small or pd.isna(row.share) else float(row.share)
        if kind in {"count", "score"} and not small and pd.notna(row.mean):
            mean = format_number(float(row.mean), lang, decimals=1)
            details[code] = f"{t('app.summary.mean', lang)} {mean}"
        if kind == "category":
            small = code not in details
        out.append(
            GroupSummary(
                group=code,
                label=_group_label(code, by, lang),
                n_communes=int(row.n_communes),
                respondents=int(row.respondents),
                response_rate=float(row.response_rate) if pd.notna(row.response_rate) else 0.0,
                share=share,
                ci_low=None if share is None else float(row.ci_low),
                ci_high=None if share is None else float(row.ci_high),
                too_small=small,
                detail=details.get(code, ""),
            )
        )
    return tuple(out)


def compute_profile_groups(
    indicators_df: pd.DataFrame, gdf_communes: pd.DataFrame, *, min_respondents: int = 5
) -> dict[tuple[str, str], pd.DataFrame]:
    """Aggregate every indicator by province, region and Belgium, for `render_commune`.

    Computing this once per data source makes each commune profile instant.
    """
    out: dict[tuple[str, str], pd.DataFrame] = {}
    for indicator in list_indicators():
        if indicator not in indicators_df.columns:
            continue
        aggregate = (
            aggregate_categories if indicator_kind(indicator) == "category" else aggregate_by
        )
        for by in ("province", "region", "belgium"):
            out[(indicator, by)] = aggregate(
                indicators_df,
                gdf_communes,
                level=by,  # type: ignore[arg-type]
                indicator=indicator,
                min_respondents=min_respondents,
            )
    return out


def render_commune(
    request: CommuneRequest,
    indicators_df: pd.DataFrame,
    *,
    gdf_communes: pd.DataFrame,
    groups: dict[tuple[str, str], pd.DataFrame] | None = None,
) -> CommuneProfile:
    """Return one commune's answers next to those of its province, region and Belgium.

    For a yes/no share the groups show their share of "yes"; for an answer, the share of
    the commune's own answer (or of the most frequent one if it did not answer); for scores
    and counts, the mean. Groups below ``min_respondents`` show "too few answers".

    ``groups`` is `compute_profile_groups` of the same data (computed when omitted).

    Raises
    ------
    ValueError
        If ``request.nis_code`` is not a 2018 commune.

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> profile = render_commune(CommuneRequest("62063", lang="nl"), ind, gdf_communes=ref)
    >>> profile.name, profile.table.set_index("indicator").at["feels_concerned", "belgium"]
    ('Luik', '66% [57%–74%] (n = 113)')
    """
    ref = gdf_communes.drop_duplicates("nis_code").set_index("nis_code")
    ref.index = ref.index.astype(str)
    if request.nis_code not in ref.index:
        raise ValueError(f"{request.nis_code!r} is not a 2018 commune code")
    if groups is None:
        groups = compute_profile_groups(
            indicators_df, gdf_communes, min_respondents=request.min_respondents
        )
    me = ref.loc[request.nis_code]
    lang = request.lang
    ind = indicators_df.drop_duplicates("nis_code").set_index("nis_code")
    ind.index = ind.index.astype(str)
    status = (
        str(ind.at[request.nis_code, "response_status"])
        if request.nis_code in ind.index
        else "not_reached"
    )
    targets = (
        ("province", str(me["province_nis"])),
        ("region", REGION_NIS.get(str(me["region"]), "")),
        ("belgium", "BE"),
    )
    rows = []
    for indicator in list_indicators():
        if indicator not in indicators_df.columns:
            continue
        kind = indicator_kind(indicator)
        mine = ind.at[request.nis_code, indicator] if request.nis_code in ind.index else None
        if mine is not None and not isinstance(mine, str) and pd.isna(mine):
            mine = None
        if mine == "nan":
            mine = None
        if status != "answered":
            mine_text = t(f"app.status.{status}", lang)
        elif mine is None:
            mine_text = t("app.status.no_data", lang)
        elif kind == "share":
            mine_text = t(f"app.answer.{'yes' if float(mine) >= 0.5 else 'no'}", lang)
        else:
            mine_text = format_value(mine, kind, lang, indicator=indicator)
        row: dict[str, object] = {
            "indicator": indicator,
            "label": indicator_label(indicator, lang),
            "commune": mine_text,
        }
        for by, code in targets:
            row[by] = _group_text(
                groups[(indicator, by)], kind, code, indicator=indicator, mine=mine, lang=lang
            )
        rows.append(row)
    columns = ["indicator", "label", "commune", *[g for g, _ in targets]]
    table = pd.DataFrame(rows, columns=columns)
    return CommuneProfile(
        request=request,
        name=unit_name(me, lang),
        region=_region_label(str(me["region"]), lang),
        province=_group_label(str(me["province_nis"]), "province", lang),
        response_status=status,
        table=table,
    )


def search_communes(query: str, gdf_communes: pd.DataFrame, *, lang: Lang = "en") -> pd.DataFrame:
    """Return the communes any of whose names (FR/NL/DE/EN) or code contains ``query``.

    Case, accents, hyphens and apostrophes are ignored; exact matches come first.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"nis_code": ["62063", "21014"], "name_fr": ["Liège", "Saint-Josse"],
    ...     "name_nl": ["Luik", "Sint-Joost-ten-Node"], "name_de": ["Lüttich", "Sankt Joost"],
    ...     "name_en": ["Liège", "Saint-Josse"], "region": ["Wallonia", "Brussels"]})
    >>> search_communes("LUIK", ref)["nis_code"].tolist()
    ['62063']
    >>> search_communes("sint joost", ref, lang="nl")["label"].tolist()
    ['Sint-Joost-ten-Node (21014)']
    """
    from geobaro.survey.normalize import normalize_name

    needle = normalize_name(query or "")
    columns = [c for c in ("name_fr", "name_nl", "name_de", "name_en") if c in gdf_communes]
    names = gdf_communes[columns].fillna("").astype(str)
    folded = names.map(normalize_name)
    codes = gdf_communes["nis_code"].astype(str)
    if needle:
        hit = folded.apply(lambda col: col.str.contains(needle, regex=False)).any(axis=1)
        hit |= codes.str.startswith(query.strip())
        exact = folded.eq(needle).any(axis=1)
    else:
        hit = pd.Series(True, index=gdf_communes.index)
        exact = pd.Series(False, index=gdf_communes.index)
    found = gdf_communes.loc[hit, ["nis_code"]].copy()
    found["label"] = [
        f"{unit_name(gdf_communes.loc[i], lang)} ({gdf_communes.at[i, 'nis_code']})"
        for i in found.index
    ]
    found["_rank"] = (~exact[hit]).astype(int)
    found = found.sort_values(["_rank", "label"], kind="stable").drop(columns="_rank")
    return found.reset_index(drop=True)


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


def render_landing(
    lang: Lang = "en",
    *,
    figures: pd.DataFrame | None = None,
    gdf_regions: gpd.GeoDataFrame | None = None,
    standalone: bool = True,
) -> LandingResult:
    """Return the published key figures and a region map of the published concern shares.

    These are the barometer's own published numbers (2017), not the sample.

    Examples
    --------
    >>> landing = render_landing("fr")
    >>> landing.values["value"].round(2).tolist()
    [0.84, 0.45, 0.88]
    """
    from geobaro.published import key_figures, load_published

    if figures is None:
        figures = key_figures()
    if gdf_regions is None:
        gdf_regions = load_units(level="region", web=True)
    published = load_published()
    concern = published.loc[
        (published["wave"] == "2017-BE")
        & (published["indicator"] == "feels_concerned")
        & (published["breakdown"] == "region")
    ]
    by_region = dict(zip(concern["group"], concern["value"].astype(float) / 100, strict=False))
    values = pd.DataFrame({"nis_code": gdf_regions["nis_code"].astype(str).to_numpy()})
    regions = gdf_regions["region"].astype(str).to_numpy()
    values["value"] = [by_region.get(r, np.nan) for r in regions]
    values["n"] = 0
    values["status"] = ["ok" if r in by_region else "no_data" for r in regions]
    values["label"] = [
        f"{format_share(by_region[r], lang)} ({t('app.home.published', lang)})"
        if r in by_region
        else "–"
        for r in regions
    ]
    classification = classify(
        values, kind="sequential", scheme="user_defined", breaks=(0.5, 0.8), lang=lang
    )
    fmap = build_choropleth(
        gdf_regions,
        values,
        classification=classification,
        kind="sequential",
        lang=lang,
        **_framing(standalone, t("app.home.map_title", lang), lang),
    )
    return LandingResult(figures, fmap, classification, values)


# --- private helpers -------------------------------------------------------------------------


def _framing(standalone: bool, title: str, lang: Lang) -> dict[str, Any]:
    """Return what a map shows of itself: all (standalone) or a short credit (app)."""
    if standalone:
        return {"legend": True, "title": title}
    return {"legend": False, "title": "", "attribution": t("app.map.credit", lang)}


def _map_inputs(
    request: ExploreRequest | CompareRequest,
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    gdf_units: gpd.GeoDataFrame | None,
) -> tuple[Kind, gpd.GeoDataFrame, pd.DataFrame, Literal["sequential", "categorical"]]:
    """Return the indicator kind, the units, the map values and the map kind of a request."""
    kind = indicator_kind(request.indicator)
    if gdf_units is None:
        gdf_units = load_units(level=request.level, vintage=request.vintage, web=True)
    values = map_values(
        indicators_df,
        gdf_communes,
        indicator=request.indicator,
        level=request.level,
        vintage=request.vintage,
        min_respondents=request.min_respondents,
        lang=request.lang,
    )
    return kind, gdf_units, values, _map_kind(kind, request.level, request.vintage)


def _map_kind(kind: Kind, level: str, vintage: str) -> Literal["sequential", "categorical"]:
    """Return the map kind: answers and communes' yes / no are categories, others classes."""
    if kind == "category" or (kind == "share" and level == "commune" and vintage == "2018"):
        return "categorical"
    return "sequential"


def _classify(
    values: pd.DataFrame,
    map_kind: str,
    *,
    request: ExploreRequest | CompareRequest,
) -> Classification:
    if map_kind == "categorical":
        return classify(values, kind="categorical", lang=request.lang)
    scheme, k, breaks = request.scheme, request.k, request.breaks
    ok = values.loc[values["status"] == "ok", "value"].astype(float)
    distinct = int(ok.nunique())
    if scheme == "user_defined" and breaks:
        return classify(
            values, kind="sequential", scheme="user_defined", breaks=breaks, lang=request.lang
        )
    use_scheme = "equal_interval" if scheme == "user_defined" else scheme
    # mapclassify needs more distinct values than classes
    k_eff = max(1, min(k, distinct)) if distinct else 1
    if distinct <= 2:
        use_scheme = "equal_interval"
    return classify(values, kind="sequential", scheme=use_scheme, k=k_eff, lang=request.lang)


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


def _commune_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    indicator: str,
    kind: Kind,
    lang: Lang,
) -> pd.DataFrame:
    """Return each 2018 commune's own answer (shares become yes / no)."""
    codes = gdf_communes["nis_code"].astype(str)
    ind = indicators_df.drop_duplicates("nis_code").set_index("nis_code")
    ind.index = ind.index.astype(str)
    status_in = ind["response_status"].reindex(codes).fillna("not_reached").astype(str)
    raw = ind[indicator].reindex(codes).astype(object)
    raw = raw.where(raw.notna() & raw.astype(str).ne("nan"), None)
    answered = status_in.eq("answered").to_numpy()
    present = raw.notna().to_numpy()
    status = np.where(
        answered,
        np.where(present, "ok", "no_data"),
        np.where(status_in.isin(["refused", "not_reached"]), status_in, "no_data"),
    )
    if kind == "share":
        value = raw.map(lambda v: None if v is None else ("yes" if float(v) >= 0.5 else "no"))
    elif kind == "category":
        value = raw.map(lambda v: None if v is None else str(v))
    else:
        value = pd.to_numeric(raw, errors="coerce")
    out = pd.DataFrame(
        {
            "nis_code": codes.to_numpy(),
            "value": value.to_numpy(),
            "n": (answered & present).astype(int),
            "status": status,
        }
    )
    out["label"] = [
        _value_text(v, kind, lang, indicator) if s == "ok" else t(f"app.status.{s}", lang)
        for v, s in zip(out["value"], out["status"], strict=True)
    ]
    return out


def _group_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    kind: Kind,
    level: str,
    vintage: str,
    min_respondents: int,
    lang: Lang,
) -> pd.DataFrame:
    """Return values of grouped units: Wilson shares, means, or the modal answer."""
    if kind == "category":
        return _category_values(
            indicators_df,
            gdf_communes,
            indicator=indicator,
            level=level,
            vintage=vintage,
            min_respondents=min_respondents,
            lang=lang,
        )
    agg = aggregate_by(
        indicators_df,
        gdf_communes,
        level=level,  # type: ignore[arg-type]
        indicator=indicator,
        min_respondents=min_respondents,
        vintage=vintage,  # type: ignore[arg-type]
    )
    n = agg["n_valid"].astype(int).to_numpy()
    small = agg["too_small"].astype(bool).to_numpy()
    status = np.where(n == 0, _empty_status(agg), np.where(small, "too_small", "ok"))
    value = pd.to_numeric(agg["value"], errors="coerce").to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "nis_code": agg["nis_code"].astype(str).to_numpy(),
            "value": np.where(status == "ok", value, np.nan),
            "n": n,
            "status": status,
            "n_communes": agg["n_communes"].astype(int).to_numpy(),
            "response_rate": agg["response_rate"].astype(float).to_numpy(),
            "ci_low": pd.to_numeric(agg["ci_low"], errors="coerce").to_numpy(dtype=float),
            "ci_high": pd.to_numeric(agg["ci_high"], errors="coerce").to_numpy(dtype=float),
        }
    )
    out["label"] = [
        f"{format_value(v, kind, lang)} (n = {k})" if s == "ok" else t(f"app.status.{s}", lang)
        for v, k, s in zip(out["value"], out["n"], out["status"], strict=True)
    ]
    return out[[*_VALUE_COLUMNS, "n_communes", "response_rate", "ci_low", "ci_high"]]


def _category_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    level: str,
    vintage: str,
    min_respondents: int,
    lang: Lang,
) -> pd.DataFrame:
    """Return the most frequent answer of each unit (ties: questionnaire order), its share."""
    agg = aggregate_categories(
        indicators_df,
        gdf_communes,
        level=level,  # type: ignore[arg-type]
        indicator=indicator,
        min_respondents=1 if level == "commune" else min_respondents,
        vintage=vintage,  # type: ignore[arg-type]
    )
    agg = agg.assign(_order=agg.groupby("nis_code").cumcount())
    top = (
        agg.sort_values(["nis_code", "count", "_order"], ascending=[True, False, True])
        .drop_duplicates("nis_code")
        .set_index("nis_code")
    )
    counts = aggregate_by(
        indicators_df,
        gdf_communes,
        level=level,  # type: ignore[arg-type]
        indicator=_any_share(),
        min_respondents=min_respondents,
        vintage=vintage,  # type: ignore[arg-type]
    ).set_index("nis_code")
    codes = top.index.astype(str)
    n = top["n_valid"].astype(int).to_numpy()
    small = top["too_small"].astype(bool).to_numpy()
    empty = _empty_status(counts.reindex(top.index).reset_index())
    status = np.where(n == 0, empty, np.where(small, "too_small", "ok"))
    out = pd.DataFrame(
        {
            "nis_code": codes,
            "value": np.where(status == "ok", top["category"].astype(str), None),
            "n": n,
            "status": status,
            "n_communes": counts["n_communes"].reindex(top.index).astype(int).to_numpy(),
            "response_rate": counts["response_rate"].reindex(top.index).astype(float).to_numpy(),
            "ci_low": pd.to_numeric(top["ci_low"], errors="coerce").to_numpy(dtype=float),
            "ci_high": pd.to_numeric(top["ci_high"], errors="coerce").to_numpy(dtype=float),
        }
    )
    shares = top["share"].to_numpy(dtype=float)
    out["label"] = [
        f"{_value_text(v, 'category', lang, indicator)} ({format_share(p, lang)}, n = {k})"
        if s == "ok"
        else t(f"app.status.{s}", lang)
        for v, p, k, s in zip(out["value"], shares, out["n"], out["status"], strict=True)
    ]
    return out[[*_VALUE_COLUMNS, "n_communes", "response_rate", "ci_low", "ci_high"]]


def _empty_status(agg: pd.DataFrame) -> np.ndarray:
    """Return the status of units without answers (merged communes keep their members')."""
    if "response_status" not in agg:
        return np.full(len(agg), "no_data", dtype=object)
    status = agg["response_status"].astype(str)
    return np.where(status.isin(["refused", "not_reached"]), status, "no_data").astype(object)


def _any_share() -> str:
    """Return a share indicator, used only for the units' commune and respondent counts."""
    return next(i for i, s in INDICATORS.items() if s.kind == "share")


def _value_text(value: object, kind: Kind, lang: Lang, indicator: str) -> str:
    if kind == "share" and isinstance(value, str):
        return t(f"app.answer.{value}", lang)
    return format_value(value, kind, lang, indicator=indicator)


def _table(
    values: pd.DataFrame,
    gdf_units: pd.DataFrame,
    classification: Classification,
    kind: Kind,
    request: ExploreRequest,
) -> pd.DataFrame:
    """Return the accessible twin of the map: one row per unit, sortable numbers.

    Shares are in percent (0-100) so that the table sorts and reads as the legend does.
    Text stays raw: tables are shown as data grids (never as HTML) and CSV exports neutralise
    formulas themselves.
    """
    attrs = pd.DataFrame(gdf_units.drop(columns="geometry", errors="ignore"))
    attrs["nis_code"] = attrs["nis_code"].astype(str)
    records = attrs.drop_duplicates("nis_code").set_index("nis_code").to_dict("index")
    regions = {r: _region_label(str(r), request.lang) for r in attrs["region"].unique()}
    codes = values["nis_code"].astype(str)
    table = pd.DataFrame(
        {
            "nis_code": codes.to_numpy(),
            "name": [unit_name(records[c], request.lang) if c in records else c for c in codes],
            "region": [regions[records[c]["region"]] if c in records else "" for c in codes],
        }
    )
    numeric = pd.to_numeric(values["value"], errors="coerce")
    if values["value"].map(lambda v: isinstance(v, str)).any():
        table["value"] = [
            _value_text(v, kind, request.lang, request.indicator) if s == "ok" else ""
            for v, s in zip(values["value"], values["status"], strict=True)
        ]
    elif kind == "share":
        table["value"] = (numeric * 100).round(1).to_numpy()
    else:
        table["value"] = numeric.round(2).to_numpy()
    table["n"] = values["n"].astype(int).to_numpy()
    if "response_rate" in values:
        table["response_rate"] = (values["response_rate"].astype(float) * 100).round(1).to_numpy()
    if kind == "share" and "ci_low" in values and values["ci_low"].notna().any():
        table["ci_low"] = (values["ci_low"].astype(float) * 100).round(1).to_numpy()
        table["ci_high"] = (values["ci_high"].astype(float) * 100).round(1).to_numpy()
    table["status"] = [t(f"app.status.{s}", request.lang) for s in values["status"]]
    labels = classification.labels.copy()
    labels.index = labels.index.astype(str)
    table["class"] = labels.reindex(codes).fillna("").astype(str).to_numpy()
    return table


def _group_text(
    agg: pd.DataFrame, kind: Kind, code: str, *, indicator: str, mine: object, lang: Lang
) -> str:
    """Return one cell of the profile table: a group's share [95% CI], mean or answer."""
    part = agg.loc[agg["group"].astype(str) == code]
    if part.empty:
        return "–"
    if kind == "category":
        n = int(part["n_valid"].iloc[0])
        if bool(part["too_small"].iloc[0]):
            return f"{t('app.status.too_small', lang)} (n = {n})"
        pick = part.loc[part["category"].astype(str) == str(mine)] if mine is not None else part
        if pick.empty:
            pick = part
        best = pick.sort_values("count", ascending=False, kind="stable").iloc[0]
        answer = _answer_label(indicator, str(best["category"]), lang)
        return f"{answer}: {_share_ci(best, lang)} (n = {n})"
    row = part.iloc[0]
    n = int(row["n_valid"])
    if bool(row["too_small"]) or pd.isna(row["value"]):
        return f"{t('app.status.too_small', lang)} (n = {n})"
    if kind == "share":
        return f"{_share_ci(row, lang)} (n = {n})"
    mean = format_number(float(row["mean"]), lang, decimals=1)
    return f"{t('app.summary.mean', lang)} {mean} (n = {n})"


def _share_ci(row: pd.Series, lang: Lang) -> str:
    low, high = format_share(row["ci_low"], lang), format_share(row["ci_high"], lang)
    return f"{format_share(row['share'], lang)} [{low}–{high}]"


def _answer_label(indicator: str, value: str, lang: Lang) -> str:
    """Return an answer's label: the map legend's wording first, then the questionnaire's."""
    from geobaro.survey.schema import QUESTIONS

    key = f"maps.answer.{value}"
    text = t(key, lang)
    if text != key:
        return text
    spec = INDICATORS.get(indicator)
    question = QUESTIONS.get(getattr(spec, "question", indicator) or indicator)
    if question is not None and value in question.values:
        return question.value_label(value, lang)
    return value


def _lang_index(lang: str) -> int:
    return {"fr": 0, "nl": 1, "de": 2}.get(lang, 3)


def _region_label(region: str, lang: Lang) -> str:
    """Return the name of a region given by key (``Flanders``) or code (``02000``)."""
    by_code = {code: key for key, code in REGION_NIS.items()}
    names = REGION_NAMES.get(by_code.get(region, region))
    return region if names is None else names[_lang_index(lang)]


def _group_label(code: str, by: str, lang: Lang) -> str:
    if by == "region":
        return _region_label(code, lang)
    if by == "province" and code in PROVINCE_NAMES:
        return PROVINCE_NAMES[code][_lang_index(lang)]
    if by in {"urban_rural", "belgium"}:
        return t(f"app.group.{code}", lang)
    return code


def _title(indicator: str, level: str, lang: Lang, source: str) -> str:
    label = indicator_label(indicator, lang)
    level_text = t(f"app.level.{level}", lang)
    head = f"{label} — {level_text}"
    if source == "sample":
        head += f" ({t('app.illustrative.short', lang)})"
    return head
