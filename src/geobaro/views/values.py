"""Map values, group summaries and tables: the numbers every view is drawn from."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro.aggregate import aggregate_by, aggregate_categories, choose_estimates
from geobaro.i18n import format_number, format_share, t, unit_name
from geobaro.maps import MapKind
from geobaro.maps.choropleth import Classification, classify
from geobaro.views.answers import commune_answer_values
from geobaro.views.common import (
    _VALUE_COLUMNS,
    ViewData,
    _answer_label,
    _any_share,
    _group_label,
    _region_label,
    _value_text,
    format_value,
    indicator_kind,
)
from geobaro.vocabulary import AggregateLevel, IndicatorKind, Lang, Level, Vintage

if TYPE_CHECKING:
    import geopandas as gpd

    from geobaro.views.compare import CompareRequest
    from geobaro.views.explore import ExploreRequest

__all__ = [
    "GroupSummary",
    "estimate_note",
    "map_values",
    "sort_table",
    "summarize_groups",
]


@dataclass(frozen=True)
class GroupSummary:
    """Respondents, response rate and share (with its 95% Wilson interval) of one group.

    ``headline`` is the group's figure in a few characters, for every kind of indicator: a
    share (``77%``), a mean (``3.4``), the most frequent answer with its share (``yes 45%``),
    or "too few answers". ``differs``: the group's interval excludes Belgium's share (of
    the same estimate, weighted or not).
    """

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
    headline: str = ""
    differs: bool = False

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
            return f"{head} · {t('maps.status.too_small', lang)}"
        if self.share is None:
            return f"{head} · {self.detail}" if self.detail else head
        tail = format_share(self.share, lang)
        if self.ci_low is not None and self.ci_high is not None:
            tail += f" [{format_share(self.ci_low, lang)}–{format_share(self.ci_high, lang)}]"
        return f"{head} · {tail}"


def map_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    level: Level = "commune",
    vintage: Vintage = "2018",
    min_respondents: int = 5,
    lang: Lang = "en",
    weighted: bool = False,
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
        At commune level a share or category keeps each commune's own answer at every
        vintage (`geobaro.views.answers`): "partly" stays "partly", never "no" or "0%".
    weighted
        Grouped shares, means and intervals weighted for non-response
        (`geobaro.aggregate.choose_estimates`); answers (categories) have no weighted
        estimate and stay unweighted, which their ``estimate`` says.

    Returns
    -------
    pandas.DataFrame
        ``nis_code`` (of the level and vintage), ``value``, ``n`` (respondents), ``status``
        (``ok``, ``not_reached``, ``refused``, ``too_small`` or ``no_data``), ``label`` (display
        text) and, at grouped levels, ``n_communes``, ``response_rate``, ``ci_low``, ``ci_high``,
        ``estimate`` (``weighted`` or ``unweighted``: what the values are) and, for shares and
        numbers, ``differs_from_belgium`` (the unit's interval excludes Belgium's share).

    Raises
    ------
    ValueError
        If the indicator is unknown or missing, or the indicators name communes that the
        reference table does not hold (none is dropped silently).

    Examples
    --------
    >>> import pandas as pd
    >>> from geobaro.views import indicator_kind, list_indicators
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
    unknown = sorted(
        set(indicators_df["nis_code"].astype(str)) - set(gdf_communes["nis_code"].astype(str))
    )
    if unknown:
        shown = ", ".join(unknown[:10]) + (
            f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        )
        raise ValueError(
            f"the indicators table has {len(unknown)} communes that are not 2018 communes of "
            f"the reference table: {shown}"
        )
    if level == "commune" and kind in {"share", "category"}:
        return commune_answer_values(
            indicators_df, gdf_communes, indicator=indicator, vintage=vintage, lang=lang
        )
    if level == "commune" and vintage == "2018":
        return _commune_values(indicators_df, gdf_communes, indicator, kind, lang)
    return _group_values(
        indicators_df,
        gdf_communes,
        indicator=indicator,
        level=level,
        vintage=vintage,
        min_respondents=min_respondents,
        lang=lang,
        weighted=weighted,
    )


def estimate_note(values: pd.DataFrame, lang: Lang = "en") -> str | None:
    """Return which estimate a values frame holds, in words, or ``None`` for own answers.

    Legends, file notes and CSV columns say it with this text: ``stats.estimate.weighted``
    or ``stats.estimate.unweighted`` of the catalogue.

    Examples
    --------
    >>> import pandas as pd
    >>> estimate_note(pd.DataFrame({"estimate": ["weighted"]}))
    'weighted for non-response (region × urban/rural)'
    >>> estimate_note(pd.DataFrame({"value": [1.0]})) is None
    True
    """
    if "estimate" not in values.columns or values.empty:
        return None
    return t(f"stats.estimate.{values['estimate'].iloc[0]}", lang)


def summarize_groups(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    by: AggregateLevel = "region",
    min_respondents: int = 5,
    vintage: Vintage = "2018",
    lang: Lang = "en",
    weighted: bool = False,
) -> tuple[GroupSummary, ...]:
    """Return the respondents, response rate and share (95% CI) of each group.

    Shares are those of `geobaro.aggregate.aggregate_by` (weighted for non-response with
    ``weighted=True``, `geobaro.aggregate.choose_estimates`); scores and counts give their
    mean in ``detail``; for ``category`` indicators ``detail`` lists the share of every answer
    (unweighted).

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> from geobaro.indicators import compute_indicators
    >>> from geobaro.survey.sample import load_sample
    >>> ref = load_units(level="commune", web=True).drop(columns="geometry")
    >>> ind = compute_indicators(load_sample(gdf_communes=ref), ref)
    >>> [s.describe() for s in summarize_groups(ind, ref, indicator="feels_concerned",
    ...                                         by="urban_rural")]
    ['n = 29 / 135 (21%) · 34% [21%–51%]', 'n = 84 / 454 (19%) · 77% [68%–84%]']
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
    agg = choose_estimates(agg, weighted=weighted and kind != "category")
    details: dict[str, str] = {}
    headlines: dict[str, str] = {}
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
            top = part.sort_values("share", ascending=False, kind="stable").iloc[0]
            answer = _answer_label(indicator, str(top["category"]), lang)
            headlines[str(group)] = f"{answer} {format_share(float(top['share']), lang)}"
    out = []
    for row in agg.itertuples(index=False):
        code = str(row.group)
        small = bool(row.too_small)
        share = None if kind != "share" or small or pd.isna(row.share) else float(row.share)
        if kind in {"count", "score"} and not small and pd.notna(row.mean):
            mean = format_number(float(row.mean), lang, decimals=1)
            details[code] = f"{t('app.summary.mean', lang)} {mean}"
            headlines[code] = mean
        if share is not None:
            headlines[code] = format_share(share, lang)
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
                headline=t("maps.status.too_small", lang) if small else headlines.get(code, "–"),
                differs=share is not None and bool(row.differs_from_belgium),
            )
        )
    return tuple(out)


def sort_table(table: pd.DataFrame, by: str, *, ascending: bool = True) -> pd.DataFrame:
    """Return a view's table sorted on one column, blanks (no value) last whichever the order.

    Rows without a value (NaN, ``None`` or an empty text in ``value``) follow every row
    with one; within each part rows are sorted on ``by`` (stable, so ties keep their order).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"nis_code": ["1", "2", "3"], "value": [None, 40.0, 70.0]})
    >>> sort_table(table, "nis_code")["nis_code"].tolist()
    ['2', '3', '1']
    >>> sort_table(table, "value", ascending=False)["nis_code"].tolist()
    ['3', '2', '1']
    """
    if by not in table.columns:
        raise ValueError(f"no column {by!r} to sort on; columns: {', '.join(table.columns)}")
    blank = _blank(table["value"]) if "value" in table.columns else _blank(table[by])
    blank |= _blank(table[by])
    key = table[by]
    order = (
        pd.DataFrame({"blank": blank.to_numpy(), "key": key.to_numpy()}, index=table.index)
        .sort_values(
            ["blank", "key"], ascending=[True, ascending], kind="stable", na_position="last"
        )
        .index
    )
    return table.loc[order].reset_index(drop=True)


def _blank(column: pd.Series) -> pd.Series:
    return column.isna() | column.astype(str).str.strip().isin(["", "nan", "None", "–"])


def _map_inputs(
    request: ExploreRequest | CompareRequest, data: ViewData
) -> tuple[IndicatorKind, gpd.GeoDataFrame, pd.DataFrame, MapKind]:
    """Return the indicator kind, the units, the map values and the map kind of a request.

    Value rows whose unit is not in ``data.gdf_units`` cannot be drawn: they are left out of
    the map and its table with a warning that names them.
    """
    kind = indicator_kind(request.indicator)
    gdf_units = data.require_units(request.level, request.vintage)
    values = map_values(
        data.indicators,
        data.gdf_communes,
        indicator=request.indicator,
        level=request.level,
        vintage=request.vintage,
        min_respondents=request.min_respondents,
        lang=request.lang,
        weighted=request.weighted,
    )
    values = _drop_unmatched(values, gdf_units, level=request.level, vintage=request.vintage)
    return kind, gdf_units, values, _map_kind(kind, request.level)


def _drop_unmatched(
    values: pd.DataFrame, gdf_units: pd.DataFrame, *, level: str, vintage: str
) -> pd.DataFrame:
    """Return the value rows that have a unit to be drawn in; warn about the others."""
    known = values["nis_code"].astype(str).isin(gdf_units["nis_code"].astype(str))
    if known.all():
        return values
    lost = values.loc[~known, "nis_code"].astype(str).tolist()
    shown = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
    warnings.warn(
        f"{len(lost)} value rows have no unit in the {level} boundaries of {vintage} and are "
        f"left off the map and its table: {shown}",
        UserWarning,
        stacklevel=4,  # the caller of render_explore or render_compare
    )
    return values.loc[known].reset_index(drop=True)


def _map_kind(kind: IndicatorKind, level: str) -> MapKind:
    """Return the map kind: answers and communes' own answers are categories, others classes."""
    if kind == "category" or (kind == "share" and level == "commune"):
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


def _commune_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    indicator: str,
    kind: IndicatorKind,
    lang: Lang,
) -> pd.DataFrame:
    """Return each 2018 commune's own number (counts and scores)."""
    codes = gdf_communes["nis_code"].astype(str)
    ind = indicators_df.drop_duplicates("nis_code").set_index("nis_code")
    ind.index = ind.index.astype(str)
    status_in = ind["response_status"].reindex(codes).fillna("not_reached").astype(str)
    value = pd.to_numeric(ind[indicator].reindex(codes).astype(object), errors="coerce")
    answered = status_in.eq("answered").to_numpy()
    present = value.notna().to_numpy()
    status = np.where(
        answered,
        np.where(present, "ok", "no_data"),
        np.where(status_in.isin(["refused", "not_reached"]), status_in, "no_data"),
    )
    out = pd.DataFrame(
        {
            "nis_code": codes.to_numpy(),
            "value": value.to_numpy(),
            "n": (answered & present).astype(int),
            "status": status,
        }
    )
    out["label"] = [
        _value_text(v, kind, lang, indicator) if s == "ok" else t(f"maps.status.{s}", lang)
        for v, s in zip(out["value"], out["status"], strict=True)
    ]
    return out


def _group_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    level: Level,
    vintage: Vintage,
    min_respondents: int,
    lang: Lang,
    weighted: bool = False,
) -> pd.DataFrame:
    """Return values of grouped units: Wilson shares, means, or the modal answer."""
    kind = indicator_kind(indicator)
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
        level=level,
        indicator=indicator,
        min_respondents=min_respondents,
        vintage=vintage,
    )
    agg = choose_estimates(agg, weighted=weighted)
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
            "estimate": agg["estimate"].astype(str).to_numpy(),
            "differs_from_belgium": agg["differs_from_belgium"].astype(bool).to_numpy(),
        }
    )
    out["label"] = [
        f"{format_value(v, kind, lang)} (n = {k})" if s == "ok" else t(f"maps.status.{s}", lang)
        for v, k, s in zip(out["value"], out["n"], out["status"], strict=True)
    ]
    return out[[*_VALUE_COLUMNS, *_GROUP_COLUMNS, "differs_from_belgium"]]


def _category_values(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    indicator: str,
    level: Level,
    vintage: Vintage,
    min_respondents: int,
    lang: Lang,
) -> pd.DataFrame:
    """Return the most frequent answer of each unit (ties: questionnaire order), its share."""
    agg = aggregate_categories(
        indicators_df,
        gdf_communes,
        level=level,
        indicator=indicator,
        min_respondents=1 if level == "commune" else min_respondents,
        vintage=vintage,
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
        level=level,
        indicator=_any_share(),
        min_respondents=min_respondents,
        vintage=vintage,
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
            "estimate": "unweighted",  # answers have no weighted estimate
        }
    )
    shares = top["share"].to_numpy(dtype=float)
    out["label"] = [
        f"{_value_text(v, 'category', lang, indicator)} ({format_share(p, lang)}, n = {k})"
        if s == "ok"
        else t(f"maps.status.{s}", lang)
        for v, p, k, s in zip(out["value"], shares, out["n"], out["status"], strict=True)
    ]
    return out[[*_VALUE_COLUMNS, *_GROUP_COLUMNS]]


#: Columns of grouped units' values after the map's own.
_GROUP_COLUMNS = ["n_communes", "response_rate", "ci_low", "ci_high", "estimate"]


def _marks(values: pd.DataFrame) -> tuple[str, ...]:
    """Return the codes of the units whose interval excludes Belgium's share (to outline)."""
    if "differs_from_belgium" not in values.columns:
        return ()
    differs = values["differs_from_belgium"].astype(bool) & values["status"].eq("ok")
    return tuple(values.loc[differs, "nis_code"].astype(str))


def _empty_status(agg: pd.DataFrame) -> np.ndarray:
    """Return the status of units without answers (merged communes keep their members')."""
    if "response_status" not in agg:
        return np.full(len(agg), "no_data", dtype=object)
    status = agg["response_status"].astype(str)
    return np.where(status.isin(["refused", "not_reached"]), status, "no_data").astype(object)


def _table(
    values: pd.DataFrame,
    gdf_units: pd.DataFrame,
    classification: Classification,
    kind: IndicatorKind,
    request: ExploreRequest,
) -> pd.DataFrame:
    """Return the accessible twin of the map: one row per unit, sortable numbers.

    Shares are in percent (0-100) so that the table sorts and reads as the legend does.
    Names are whole (never cut); units with a value come first (by code), blanks last.
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
    table["status"] = [t(f"maps.status.{s}", request.lang) for s in values["status"]]
    labels = classification.labels.copy()
    labels.index = labels.index.astype(str)
    table["class"] = labels.reindex(codes).fillna("").astype(str).to_numpy()
    if "differs_from_belgium" in values:
        table["differs_from_belgium"] = values["differs_from_belgium"].astype(bool).to_numpy()
    note = estimate_note(values, request.lang)
    if note is not None:
        table["estimate"] = note
    return sort_table(table, "nis_code")
