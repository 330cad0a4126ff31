"""Aggregate indicators by level: counts, response rates, shares and their intervals."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from geobaro._units import (
    NAME_COLUMNS,
    REGION_NIS,
    province_of_arrondissement,
    unit_names,
)
from geobaro.config import Settings
from geobaro.indicators import INDICATORS, IndicatorSpec
from geobaro.stats.fpc import wilson_fpc_interval, wilson_interval
from geobaro.stats.weights import MIN_CELL, weighted_group_means, weighted_wilson_interval
from geobaro.survey.schema import KEY_COLUMN, RESPONSE_STATUSES, STATUS_COLUMN
from geobaro.vocabulary import AGGREGATE_LEVELS, AggregateLevel, Vintage

__all__ = [
    "AGGREGATE_COLUMNS",
    "AGGREGATE_LEVELS",
    "BELGIUM_CODE",
    "CATEGORY_COLUMNS",
    "AggregateLevel",
    "BoundaryVintage",
    "aggregate_by",
    "aggregate_categories",
    "choose_estimates",
    "wilson_interval",
]

log = logging.getLogger(__name__)

BoundaryVintage = Vintage
#: Group code of the national level.
BELGIUM_CODE = "BE"
_ADMIN_LEVELS = frozenset({"region", "province", "arrondissement", "commune"})
_NAME_COLUMNS = NAME_COLUMNS
_FIXED_NAMES: dict[str, tuple[str, str, str, str]] = {
    BELGIUM_CODE: ("Belgique", "België", "Belgien", "Belgium"),
    "urban": ("urbaine", "stedelijk", "städtisch", "urban"),
    "rural": ("rurale", "landelijk", "ländlich", "rural"),
}

#: Columns of `aggregate_by` (``nis_code`` only for admin levels; ``response_status`` and
#: ``category`` only at commune level).
AGGREGATE_COLUMNS = (
    "level",
    "group",
    "nis_code",
    *_NAME_COLUMNS,
    "n_communes",
    "respondents",
    "refused",
    "not_reached",
    "non_respondents",
    "response_rate",
    "n_valid",
    "successes",
    "share",
    "ci_low",
    "ci_high",
    "mean",
    "value",
    "too_small",
    "share_weighted",
    "ci_low_weighted",
    "ci_high_weighted",
    "mean_weighted",
    "value_weighted",
    "design_effect",
    "share_low_bound",
    "share_high_bound",
    "differs_from_belgium",
    "differs_from_belgium_weighted",
)
#: What `choose_estimates` may swap: unweighted column -> weighted column.
_WEIGHTED_OF = {
    "share": "share_weighted",
    "ci_low": "ci_low_weighted",
    "ci_high": "ci_high_weighted",
    "mean": "mean_weighted",
    "value": "value_weighted",
    "differs_from_belgium": "differs_from_belgium_weighted",
}
#: Columns of `aggregate_categories`.
CATEGORY_COLUMNS = (
    "level",
    "group",
    "nis_code",
    *_NAME_COLUMNS,
    "category",
    "count",
    "n_valid",
    "share",
    "ci_low",
    "ci_high",
    "too_small",
)


def aggregate_by(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    level: AggregateLevel,
    indicator: str,
    min_respondents: int = 5,
    vintage: BoundaryVintage = "2018",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Aggregate one indicator by Belgium, region, province, arrondissement, rurality or commune.

    Parameters
    ----------
    indicators_df
        Output of `indicators.compute_indicators` (``nis_code``, ``response_status`` and the
        indicator column). Reference communes missing from it count as ``not_reached``.
    gdf_communes
        The 2018 commune reference (`boundaries.load_communes`): ``nis_code`` plus
        ``region``, ``province_nis``, ``arrondissement_nis``, ``urban_rural`` (as the level
        needs), names for commune level, ``nis_2019``/``nis_2025`` for later vintages.
    level
        One of `AGGREGATE_LEVELS`.
    indicator
        An id of `indicators.INDICATORS` of kind ``share``, ``score`` or ``count``
        (``category`` only at commune level; otherwise use `aggregate_categories`).
    min_respondents
        Groups where fewer communes answered the question are marked ``too_small`` and their
        share, interval and mean are NaN. Not applied at commune level, which shows each
        commune's own answer.
    vintage
        Boundary vintage of the groups: communes, arrondissements and provinces of 2019 or
        2025 are formed from the 2018 communes (``nis_2019``/``nis_2025``). Counts stay counts
        of 2018 communes, the survey's units; urban/rural stays the 2018 class.
    settings
        Used to read the 2019/2025 unit names (commune level, later vintages).

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted by ``group``, with the columns of `AGGREGATE_COLUMNS`:
        ``group`` (``BE``; region, province or arrondissement NIS code; ``urban``/``rural``;
        commune NIS code) and ``nis_code`` (same, admin levels only); names fr/nl/de/en;
        ``n_communes``; ``respondents`` (answered), ``refused``, ``not_reached`` and their sum
        ``non_respondents`` (never counted as "no"); ``response_rate``; ``n_valid``
        (respondents who answered this question); for shares ``successes``, ``share`` and
        its 95% interval ``ci_low``/``ci_high``: the Wilson interval with the finite
        population correction, i.e. computed with the effective size n(N-1)/(N-n) for
        n = ``n_valid`` of N = ``n_communes`` communes (`stats.wilson_fpc_interval`), which
        collapses to the share itself when every commune of the group answered (so at
        commune level the interval is the commune's own answer); ``mean`` (share, or mean score or
        count); ``value`` (what a map shows: share or mean); ``too_small``.

        Weighted for non-response (`stats.weights`: post-stratification on region x
        urban/rural, cells with fewer than 5 respondents collapsed into their region;
        without ``region``/``urban_rural`` columns the cells are the regions or Belgium):
        ``share_weighted`` with its design-based 95% interval ``ci_low_weighted``/
        ``ci_high_weighted`` (Taylor linearisation with the finite population correction,
        as a Wilson interval at the design's effective size), ``mean_weighted``,
        ``value_weighted`` (what a weighted map shows) and ``design_effect`` (Kish's,
        n sum(w^2) / (sum w)^2). At commune level these equal the unweighted columns.

        Bounds that assume nothing about the non-respondents (shares only; shown even when
        ``too_small``): ``share_low_bound`` = successes / n_communes (every commune that
        did not answer a "no") and ``share_high_bound`` = (successes + n_communes -
        n_valid) / n_communes (every one a "yes"). ``differs_from_belgium``: the interval
        ``ci_low``/``ci_high`` excludes Belgium's share (shares at grouped levels only;
        False for Belgium itself, communes, scores and hidden groups);
        ``differs_from_belgium_weighted``: the same with the weighted interval and
        Belgium's weighted share.

        At commune level also ``response_status`` and, for category indicators,
        ``category``.

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"nis_code": ["11001", "11002", "62063", "62093"],
    ...                     "region": ["Flanders", "Flanders", "Wallonia", "Wallonia"]})
    >>> ind = pd.DataFrame({"nis_code": ref["nis_code"],
    ...                     "response_status": ["answered", "answered", "refused", "answered"],
    ...                     "feels_concerned": [1.0, 0.0, float("nan"), 1.0]})
    >>> agg = aggregate_by(ind, ref, level="region", indicator="feels_concerned",
    ...                    min_respondents=2)
    >>> agg[["group", "n_communes", "respondents", "refused", "share", "too_small"]]
       group  n_communes  respondents  refused  share  too_small
    0  02000           2            2        0    0.5      False
    1  03000           2            1        1    NaN       True
    """
    spec = _spec(indicator, indicators_df)
    if spec.kind == "category" and level != "commune":
        raise ValueError(
            f"indicator {indicator!r} is a category; aggregate it with aggregate_categories() "
            "(share of each answer), or use level='commune'"
        )
    frame = _joined(indicators_df, gdf_communes, level=level, vintage=vintage, column=indicator)
    counts = _status_counts(frame)
    valid = frame["answered"] & frame["value"].notna()
    numeric = (
        pd.to_numeric(frame["value"], errors="coerce")
        if spec.kind != "category"
        else pd.Series(np.nan, index=frame.index)
    )
    helper = pd.DataFrame(
        {
            "group": frame["group"],
            "n_valid": valid.astype(int),
            "total": numeric.where(valid, 0.0).astype(float),
        }
    )
    sums = helper.groupby("group", sort=True).sum()
    out = counts.join(sums)
    out["n_valid"] = out["n_valid"].astype("int64")
    n_valid = out["n_valid"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n_valid > 0, out["total"].to_numpy() / n_valid, np.nan)
    if spec.kind == "share":
        successes = np.rint(out["total"].to_numpy()).astype("int64")
        out["successes"] = pd.array(successes, dtype="Int64")
        out["share"] = mean
        low, high = wilson_fpc_interval(successes, n_valid, out["n_communes"].to_numpy())
        out["ci_low"], out["ci_high"] = low, high
    else:
        out["successes"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["share"] = out["ci_low"] = out["ci_high"] = np.nan
    out["mean"] = mean if spec.kind != "category" else np.nan
    if level == "commune":
        out["too_small"] = False
    else:
        out["too_small"] = n_valid < min_respondents
    hidden = out["too_small"].to_numpy()
    for column in ("share", "ci_low", "ci_high", "mean"):
        out[column] = np.where(hidden, np.nan, out[column].to_numpy(dtype=float))
    out["value"] = out["mean"]
    out = out.drop(columns="total")
    _add_weighted(out, frame, numeric.where(valid), gdf_communes, kind=spec.kind, level=level)
    if level == "commune":
        out["response_status"] = _unit_status(frame)
        if spec.kind == "category":
            out["category"] = _unit_category(frame, valid, spec)
    return _finish(out, frame, level=level, vintage=vintage, settings=settings)


def choose_estimates(agg: pd.DataFrame, *, weighted: bool) -> pd.DataFrame:
    """Return `aggregate_by` output showing weighted or unweighted estimates in the usual columns.

    Views and exports read ``share``, ``ci_low``, ``ci_high``, ``mean`` and ``value``; with
    ``weighted=True`` those columns hold the non-response weighted estimates
    (``share_weighted`` ...), so a view needs no other change to offer the choice. The
    column ``estimate`` says which (``weighted`` or ``unweighted``), for legends and files
    (labels: ``stats.estimate.<estimate>`` in the catalogue), and ``differs_from_belgium``
    the mark of groups whose chosen interval excludes Belgium's chosen share (legend label:
    ``stats.differs.legend``).

    Parameters
    ----------
    agg
        Output of `aggregate_by` (not modified).
    weighted
        Show the weighted estimates.

    Returns
    -------
    pandas.DataFrame
        A copy with the same columns plus ``estimate``.

    Examples
    --------
    >>> import pandas as pd
    >>> agg = pd.DataFrame({"share": [0.5], "ci_low": [0.4], "ci_high": [0.6], "mean": [0.5],
    ...                     "value": [0.5], "share_weighted": [0.55], "ci_low_weighted": [0.44],
    ...                     "ci_high_weighted": [0.66], "mean_weighted": [0.55],
    ...                     "value_weighted": [0.55], "differs_from_belgium": [False],
    ...                     "differs_from_belgium_weighted": [True]})
    >>> out = choose_estimates(agg, weighted=True)
    >>> out[["share", "ci_low", "value", "estimate"]].to_dict("records")
    [{'share': 0.55, 'ci_low': 0.44, 'value': 0.55, 'estimate': 'weighted'}]
    >>> bool(out["differs_from_belgium"].iloc[0])
    True
    """
    missing = [c for pair in _WEIGHTED_OF.items() for c in pair if c not in agg.columns]
    if missing:
        raise ValueError(f"agg lacks {missing}; pass the output of aggregate_by()")
    out = agg.copy()
    if weighted:
        for plain, weighted_column in _WEIGHTED_OF.items():
            out[plain] = agg[weighted_column]
    out["estimate"] = "weighted" if weighted else "unweighted"
    return out


def _add_weighted(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    answers: pd.Series,
    gdf_communes: pd.DataFrame,
    *,
    kind: str,
    level: str,
) -> None:
    """Add the weighted columns, the bounds and ``differs_from_belgium`` in place."""
    hidden = out["too_small"].to_numpy()
    n_valid = out["n_valid"].to_numpy()
    population = out["n_communes"].to_numpy()
    share = kind == "share"
    cells = {
        "region": _cell_column(gdf_communes, "region"),
        "urban_rural": _cell_column(gdf_communes, "urban_rural"),
    }
    weighted = _weighted_estimates(out, frame, answers, cells, kind=kind, level=level)
    mean = np.where(hidden, np.nan, weighted["mean"].to_numpy(dtype=float))
    deff = np.where(hidden, np.nan, weighted["design_effect"].to_numpy(dtype=float))
    if share and level == "commune":
        low, high = out["ci_low"].to_numpy(dtype=float), out["ci_high"].to_numpy(dtype=float)
    elif share:
        low, high = weighted_wilson_interval(
            mean, weighted["stderr"].to_numpy(dtype=float), n_valid, population, deff
        )
    else:
        low = high = np.full(len(out), np.nan)
    out["share_weighted"] = mean if share else np.nan
    out["ci_low_weighted"], out["ci_high_weighted"] = low, high
    out["mean_weighted"] = mean
    out["value_weighted"] = mean
    out["design_effect"] = deff
    if share:
        successes = out["successes"].to_numpy(dtype=float, na_value=np.nan)
        out["share_low_bound"] = successes / population
        out["share_high_bound"] = (successes + population - n_valid) / population
    else:
        out["share_low_bound"] = out["share_high_bound"] = np.nan
    compared = share and level not in ("belgium", "commune")
    valid = answers.notna().to_numpy()
    national = answers.to_numpy(dtype=float)[valid].mean() if compared and valid.any() else np.nan
    national_weighted = np.nan
    if compared and valid.any():
        national_weighted = weighted_group_means(
            answers.to_numpy(dtype=float),
            valid,
            np.full(len(answers), "BE"),
            region=cells["region"],
            urban_rural=cells["urban_rural"],
        )["mean"].iloc[0]
    plain = (out["ci_low"].to_numpy(dtype=float), out["ci_high"].to_numpy(dtype=float))
    out["differs_from_belgium"] = _excludes(*plain, national) & ~hidden
    out["differs_from_belgium_weighted"] = _excludes(low, high, national_weighted) & ~hidden


def _weighted_estimates(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    answers: pd.Series,
    cells: dict[str, NDArray[np.str_]],
    *,
    kind: str,
    level: str,
) -> pd.DataFrame:
    """Post-stratified ``mean``, ``stderr`` and ``design_effect`` of every group."""
    if kind == "category":
        return pd.DataFrame(np.nan, index=out.index, columns=["mean", "stderr", "design_effect"])
    if level == "commune":  # each commune's own answer: nothing to weight
        weighted = pd.DataFrame(
            {"mean": out["mean"], "stderr": 0.0, "design_effect": 1.0}, index=out.index
        )
        weighted.loc[out["mean"].isna(), "design_effect"] = np.nan
        return weighted
    return weighted_group_means(
        answers.to_numpy(dtype=float),
        answers.notna().to_numpy(),
        frame["group"].to_numpy(),
        region=cells["region"],
        urban_rural=cells["urban_rural"],
        min_cell=MIN_CELL,
    ).reindex(out.index)


def _excludes(
    low: NDArray[np.float64], high: NDArray[np.float64], point: float
) -> NDArray[np.bool_]:
    """Return True where the interval [low, high] lies wholly above or below ``point``."""
    if not np.isfinite(point):
        return np.zeros(len(low), dtype=bool)
    with np.errstate(invalid="ignore"):
        return np.asarray((low > point) | (high < point), dtype=bool)


def _cell_column(gdf: pd.DataFrame, name: str) -> NDArray[np.str_]:
    """Region or urban/rural of every commune for the weighting cells ("all" when absent)."""
    if name not in gdf.columns:
        return np.full(len(gdf), "all")
    return np.asarray(gdf[name].astype(str).to_numpy(), dtype=str)


def aggregate_categories(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    level: AggregateLevel,
    indicator: str,
    min_respondents: int = 5,
    vintage: BoundaryVintage = "2018",
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Return the share of each answer of a category indicator per group.

    Parameters are those of `aggregate_by`; ``indicator`` must be of kind ``category``.

    Returns
    -------
    pandas.DataFrame
        One row per group and category (all categories, zero counts included), with the
        columns of `CATEGORY_COLUMNS`: ``count`` of respondents giving that answer, ``n_valid``
        respondents who answered the question, ``share`` with its 95% ``ci_low``/``ci_high``,
        the Wilson interval with the finite population correction as in `aggregate_by`
        (N = communes of the group; NaN when ``too_small``).

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"nis_code": ["11001", "11002", "11004"]})
    >>> ind = pd.DataFrame({"nis_code": ["11001", "11002", "11004"],
    ...                     "response_status": ["answered", "answered", "not_reached"],
    ...                     "concern": ["yes", "partly", None]})
    >>> agg = aggregate_categories(ind, ref, level="belgium", indicator="concern",
    ...                            min_respondents=1)
    >>> agg[["group", "category", "count", "n_valid", "share"]]
      group   category  count  n_valid  share
    0    BE        yes      1        2    0.5
    1    BE     partly      1        2    0.5
    2    BE         no      0        2    0.0
    3    BE  dont_know      0        2    0.0
    """
    spec = _spec(indicator, indicators_df)
    if spec.kind != "category":
        raise ValueError(
            f"indicator {indicator!r} is a {spec.kind}, not a category; use aggregate_by()"
        )
    frame = _joined(indicators_df, gdf_communes, level=level, vintage=vintage, column=indicator)
    valid = frame["answered"] & frame["value"].notna()
    answers = frame.loc[valid, ["group", "value"]]
    unexpected = sorted(set(answers["value"].astype(str)) - set(spec.categories))
    if unexpected:
        raise ValueError(
            f"indicator {indicator!r} holds {unexpected}; allowed: {list(spec.categories)}"
        )
    groups = sorted(frame["group"].unique())
    table = (
        pd.crosstab(answers["group"], answers["value"])
        .reindex(index=groups, columns=list(spec.categories), fill_value=0)
        .fillna(0)
        .astype("int64")
    )
    n_valid = table.sum(axis=1)
    long = table.stack().rename("count").reset_index()
    long.columns = ["group", "category", "count"]
    long["n_valid"] = long["group"].map(n_valid).astype("int64")
    counts = long["count"].to_numpy()
    total = long["n_valid"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, counts / total, np.nan)
    sizes = frame.groupby("group", sort=True).size()
    low, high = wilson_fpc_interval(counts, total, long["group"].map(sizes).to_numpy())
    small = np.zeros(len(long), bool) if level == "commune" else total < min_respondents
    long["share"] = np.where(small, np.nan, share)
    long["ci_low"] = np.where(small, np.nan, low)
    long["ci_high"] = np.where(small, np.nan, high)
    long["too_small"] = small
    order = {c: i for i, c in enumerate(spec.categories)}
    long = long.sort_values(
        ["group", "category"], key=lambda s: s.map(order) if s.name == "category" else s
    )
    long = long.set_index("group")
    names = _names(frame, level=level, vintage=vintage, settings=settings, groups=groups)
    long = long.join(names)
    long["level"] = level
    long = long.reset_index()
    if level in _ADMIN_LEVELS:
        long["nis_code"] = long["group"]
    columns = [c for c in CATEGORY_COLUMNS if c in long.columns]
    return long[columns].reset_index(drop=True)


# --- helpers ---------------------------------------------------------------------------------


def _spec(indicator: str, indicators_df: pd.DataFrame) -> IndicatorSpec:
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}; known: {list(INDICATORS)}")
    for column in (KEY_COLUMN, STATUS_COLUMN, indicator):
        if column not in indicators_df.columns:
            raise ValueError(
                f"indicators_df has no {column!r} column (use compute_indicators() first)"
            )
    return INDICATORS[indicator]


def _group_keys(gdf: pd.DataFrame, level: str, vintage: str) -> pd.Series:
    if level not in AGGREGATE_LEVELS:
        raise ValueError(f"level {level!r} is not one of {AGGREGATE_LEVELS}")
    if vintage not in ("2018", "2019", "2025"):
        raise ValueError(f"vintage {vintage!r} is not one of ('2018', '2019', '2025')")
    code = gdf[KEY_COLUMN].astype(str) if vintage == "2018" else _column(gdf, f"nis_{vintage}")
    if level == "belgium":
        keys = pd.Series(BELGIUM_CODE, index=gdf.index)
    elif level == "region":
        region = _column(gdf, "region")
        unknown = sorted(set(region) - set(REGION_NIS))
        if unknown:
            raise ValueError(f"unknown regions {unknown}; expected {list(REGION_NIS)}")
        keys = region.map(REGION_NIS)
    elif level == "urban_rural":
        keys = _column(gdf, "urban_rural")
    elif level == "commune":
        keys = code
    else:
        keys = _admin_keys(gdf, code, level=level, vintage=vintage)
    return keys


def _admin_keys(gdf: pd.DataFrame, code: pd.Series, *, level: str, vintage: str) -> pd.Series:
    """Arrondissement or province of every commune, at the 2018 or a later vintage."""
    if vintage == "2018":
        name = "arrondissement_nis" if level == "arrondissement" else "province_nis"
        return _column(gdf, name)
    arrondissement = code.str[:2] + "000"
    if level == "arrondissement":
        return arrondissement
    return arrondissement.map(province_of_arrondissement)


def _column(gdf: pd.DataFrame, name: str) -> pd.Series:
    if name not in gdf.columns:
        raise ValueError(f"gdf_communes has no {name!r} column, needed for this level/vintage")
    values = gdf[name]
    if values.isna().any():
        missing = gdf.loc[values.isna(), KEY_COLUMN].tolist()[:10]
        raise ValueError(f"gdf_communes has no {name} for communes {missing}")
    return values.astype(str)


def _joined(
    indicators_df: pd.DataFrame,
    gdf_communes: pd.DataFrame,
    *,
    level: str,
    vintage: str,
    column: str,
) -> pd.DataFrame:
    """One row per reference commune: group, status flags and the indicator value."""
    ref_codes = gdf_communes[KEY_COLUMN].astype(str)
    ind_codes = indicators_df[KEY_COLUMN].astype(str)
    if ind_codes.duplicated().any():
        repeated = sorted(set(ind_codes[ind_codes.duplicated()]))
        raise ValueError(f"indicators_df repeats communes: {repeated[:10]}")
    unknown = sorted(set(ind_codes) - set(ref_codes))
    if unknown:
        raise ValueError(f"indicators_df has communes not in gdf_communes: {unknown[:10]}")
    status = indicators_df[STATUS_COLUMN]
    bad = sorted(set(status.dropna().astype(str)) - set(RESPONSE_STATUSES))
    if bad:
        raise ValueError(f"response_status values {bad} not allowed; allowed: {RESPONSE_STATUSES}")
    lookup = pd.DataFrame(
        {"status": status.to_numpy(), "value": indicators_df[column].to_numpy()},
        index=ind_codes.to_numpy(),
    ).reindex(ref_codes.to_numpy())
    frame = pd.DataFrame(
        {
            "nis_code": ref_codes.to_numpy(),
            "group": _group_keys(gdf_communes, level, vintage).to_numpy(),
            "status": lookup["status"].fillna("not_reached").astype(str).to_numpy(),
            "value": lookup["value"].to_numpy(),
        }
    )
    frame["answered"] = frame["status"].eq("answered")
    for name in _NAME_COLUMNS:
        if name in gdf_communes.columns:
            frame[name] = gdf_communes[name].astype(str).to_numpy()
    return frame


def _status_counts(frame: pd.DataFrame) -> pd.DataFrame:
    flags = pd.DataFrame(
        {
            "group": frame["group"],
            "n_communes": 1,
            "respondents": frame["status"].eq("answered").astype(int),
            "refused": frame["status"].eq("refused").astype(int),
            "not_reached": frame["status"].eq("not_reached").astype(int),
        }
    )
    out = flags.groupby("group", sort=True).sum().astype("int64")
    out["non_respondents"] = out["refused"] + out["not_reached"]
    out["response_rate"] = out["respondents"] / out["n_communes"]
    return out


def _unit_status(frame: pd.DataFrame) -> pd.Series:
    rank = {"answered": 0, "refused": 1, "not_reached": 2}
    best = frame.assign(rank=frame["status"].map(rank)).groupby("group", sort=True)["rank"].min()
    return best.map({v: k for k, v in rank.items()}).astype("str")


def _unit_category(frame: pd.DataFrame, valid: pd.Series, spec: IndicatorSpec) -> pd.Series:
    """Each unit's answer; for merged units the most frequent (ties: category order)."""
    order = {c: i for i, c in enumerate(spec.categories)}
    answers = frame.loc[valid, ["group", "value"]].astype(str)
    groups = sorted(frame["group"].unique())
    if answers.empty:
        return pd.Series(np.nan, index=groups, dtype="str")
    counts = answers.value_counts().rename("n").reset_index()
    counts["order"] = counts["value"].map(order).fillna(len(order))
    best = counts.sort_values(["group", "n", "order"], ascending=[True, False, True])
    chosen = best.drop_duplicates("group").set_index("group")["value"]
    return chosen.reindex(groups).astype("str")


def _names(
    frame: pd.DataFrame,
    *,
    level: str,
    vintage: str,
    settings: Settings | None,
    groups: list[str],
) -> pd.DataFrame:
    rows: dict[str, tuple[str, ...]] = {}
    if level in ("belgium", "urban_rural"):
        rows = {g: _FIXED_NAMES.get(g, (g,) * 4) for g in groups}
    elif level in ("region", "province", "arrondissement"):
        rows = {g: _fixed_names(level, g, vintage) for g in groups}
    else:
        rows = _commune_names(frame, vintage=vintage, settings=settings, groups=groups)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(_NAME_COLUMNS))


def _fixed_names(level: str, code: str, vintage: str) -> tuple[str, ...]:
    try:
        return unit_names(level, code, vintage=vintage)
    except KeyError:  # a code the reference does not name keeps its code as its name
        return (code,) * 4


def _commune_names(
    frame: pd.DataFrame, *, vintage: str, settings: Settings | None, groups: list[str]
) -> dict[str, tuple[str, ...]]:
    has_names = all(c in frame.columns for c in _NAME_COLUMNS)
    merged: dict[str, str] = {}
    if vintage != "2018":
        from geobaro.data._naming import merged_unit_names
        from geobaro.data.boundaries import load_mergers

        merged = merged_unit_names(load_mergers(settings), vintage=vintage)
    # the first member's names, or the merged unit's name (one pass, no loop over groups)
    first = frame.drop_duplicates("group")
    sizes = frame["group"].value_counts()
    named: dict[str, tuple[str, ...]] = {}
    if has_names:
        values = first[list(_NAME_COLUMNS)].astype(str).itertuples(index=False, name=None)
        named = dict(zip(first["group"].astype(str), values, strict=True))
    rows: dict[str, tuple[str, ...]] = {}
    for key in groups:
        if sizes.get(key, 0) > 1 and key in merged:
            rows[key] = (merged[key],) * 4
        else:
            rows[key] = named.get(key, (key,) * 4)
    return rows


def _finish(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    level: str,
    vintage: str,
    settings: Settings | None,
) -> pd.DataFrame:
    groups = list(out.index)
    out = out.join(_names(frame, level=level, vintage=vintage, settings=settings, groups=groups))
    out.index.name = "group"
    out = out.reset_index()
    out["level"] = level
    if level in _ADMIN_LEVELS:
        out["nis_code"] = out["group"]
    columns = [c for c in AGGREGATE_COLUMNS if c in out.columns]
    extra = [c for c in ("response_status", "category") if c in out.columns]
    return out[columns + extra].reset_index(drop=True)
