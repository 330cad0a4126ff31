"""The commune profile: one commune next to its province, region and Belgium; search."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geobaro._units import REGION_NIS
from geobaro.aggregate import aggregate_by, aggregate_categories, choose_estimates
from geobaro.i18n import format_number, format_share, t, unit_name
from geobaro.views.answers import commune_answers
from geobaro.views.common import (
    ViewData,
    _answer_label,
    _group_label,
    _region_label,
    format_value,
    indicator_kind,
    indicator_label,
    list_indicators,
)
from geobaro.vocabulary import IndicatorKind, Lang, Source

__all__ = [
    "CommuneProfile",
    "CommuneRequest",
    "compute_profile_groups",
    "render_commune",
    "search_communes",
]


@dataclass(frozen=True)
class CommuneRequest:
    """The profile of one 2018 commune.

    ``weighted``: the province, region and Belgium columns show shares, means and intervals
    weighted for non-response (`geobaro.aggregate.choose_estimates`); answers stay
    unweighted. ``CommuneProfile.estimate`` says which.
    """

    nis_code: str
    lang: Lang = "en"
    source: Source = "sample"
    min_respondents: int = 5
    weighted: bool = False


@dataclass(frozen=True, eq=False)
class CommuneProfile:
    """One commune's answers next to its province, region and Belgium.

    ``estimate`` says in words which estimate the group columns show (weighted or not).
    """

    request: CommuneRequest
    name: str
    region: str
    province: str
    response_status: str
    table: pd.DataFrame
    estimate: str = ""


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
                level=by,
                indicator=indicator,
                min_respondents=min_respondents,
            )
    return out


def render_commune(request: CommuneRequest, data: ViewData) -> CommuneProfile:
    """Return one commune's answers next to those of its province, region and Belgium.

    For a yes/no share the groups show their share of "yes"; for an answer, the share of
    the commune's own answer (or of the most frequent one if it did not answer); for scores
    and counts, the mean. Groups below ``min_respondents`` show "too few answers".

    ``data.groups`` is `compute_profile_groups` of the same data (computed when omitted);
    ``data.gdf_units`` is not needed.

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
    >>> profile = render_commune(CommuneRequest("62063", lang="nl"), ViewData(ind, ref))
    >>> profile.name, profile.table.set_index("indicator").at["feels_concerned", "belgium"]
    ('Luik', '66% [58%–74%] (n = 113)')
    """
    indicators_df, gdf_communes, groups = data.indicators, data.gdf_communes, data.groups
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
            mine_text = t(f"maps.status.{status}", lang)
        elif mine is None:
            mine_text = t("maps.status.no_data", lang)
        elif kind == "share":
            _, own = commune_answers(indicators_df, pd.Series([request.nis_code]), indicator)
            mine_text = _answer_label(indicator, str(own.iloc[0]), lang)
        else:
            mine_text = format_value(mine, kind, lang, indicator=indicator)
        row: dict[str, object] = {
            "indicator": indicator,
            "label": indicator_label(indicator, lang),
            "commune": mine_text,
        }
        for by, code in targets:
            agg = groups[(indicator, by)]
            if kind != "category":
                agg = choose_estimates(agg, weighted=request.weighted)
            row[by] = _group_text(agg, kind, code, indicator=indicator, mine=mine, lang=lang)
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
        estimate=t(f"stats.estimate.{'weighted' if request.weighted else 'unweighted'}", lang),
    )


def search_communes(query: str, gdf_communes: pd.DataFrame, *, lang: Lang = "en") -> pd.DataFrame:
    """Return the communes a query may mean, best first (`geobaro.survey.match.rank_communes`).

    Any name (FR/NL/DE/EN, case, accents, hyphens and apostrophes ignored) or the first digits
    of a code; exact names first, then prefixes, names containing the query and close
    spellings. Labels name the commune's code and, for homonyms, what tells them apart. A
    blank query lists every commune.

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
    from geobaro.survey.match import rank_communes

    if not (query or "").strip():
        found = gdf_communes[["nis_code"]].astype(str).copy()
        found["label"] = [
            _with_code(unit_name(row, lang), code)
            for row, code in zip(gdf_communes.to_dict("records"), found["nis_code"], strict=True)
        ]
        return found.sort_values("label", kind="stable").reset_index(drop=True)
    ranked = rank_communes(query, gdf_communes, lang=lang, limit=len(gdf_communes))
    found = ranked[["nis_code"]].copy()
    found["label"] = [
        _with_code(label, code)
        for label, code in zip(ranked["label"], ranked["nis_code"], strict=True)
    ]
    found["exact"] = ranked["exact"].to_numpy()
    return found.reset_index(drop=True)


def _with_code(label: str, code: str) -> str:
    """Return ``Name (code)``, or ``Name (what tells it apart, code)`` for a homonym."""
    if label.endswith(")"):
        return f"{label[:-1]}, {code})"
    return f"{label} ({code})"


def _group_text(
    agg: pd.DataFrame, kind: IndicatorKind, code: str, *, indicator: str, mine: object, lang: Lang
) -> str:
    """Return one cell of the profile table: a group's share [95% CI], mean or answer."""
    part = agg.loc[agg["group"].astype(str) == code]
    if part.empty:
        return "–"
    if kind == "category":
        n = int(part["n_valid"].iloc[0])
        if bool(part["too_small"].iloc[0]):
            return f"{t('maps.status.too_small', lang)} (n = {n})"
        pick = part.loc[part["category"].astype(str) == str(mine)] if mine is not None else part
        if pick.empty:
            pick = part
        best = pick.sort_values("count", ascending=False, kind="stable").iloc[0]
        answer = _answer_label(indicator, str(best["category"]), lang)
        return f"{answer}: {_share_ci(best, lang)} (n = {n})"
    row = part.iloc[0]
    n = int(row["n_valid"])
    if bool(row["too_small"]) or pd.isna(row["value"]):
        return f"{t('maps.status.too_small', lang)} (n = {n})"
    if kind == "share":
        return f"{_share_ci(row, lang)} (n = {n})"
    mean = format_number(float(row["mean"]), lang, decimals=1)
    return f"{t('app.summary.mean', lang)} {mean} (n = {n})"


def _share_ci(row: pd.Series, lang: Lang) -> str:
    low, high = format_share(row["ci_low"], lang), format_share(row["ci_high"], lang)
    return f"{format_share(row['share'], lang)} [{low}–{high}]"
