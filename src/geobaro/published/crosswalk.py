"""Figures that recur across waves (``crosswalk.csv``), their trends and what changed.

The crosswalk links, for each series, the figure of each wave that asks the same question
(``match = same``) or a close wording (``close``); its ``wording`` column says how it reads.
A change between two waves is *within noise* when it is smaller than what the respondent
counts can carry: for a share of all respondents of a wave, the Wilson interval with the
finite population correction (``n`` respondents among the ``N`` communes asked).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geobaro.config import Settings, get_settings
from geobaro.errors import GeobaroError
from geobaro.published.waves import WAVES, locate_figures, wave_population, wave_respondents
from geobaro.stats.fpc import wilson_fpc_interval
from geobaro.stats.fpc import wilson_interval as stats_wilson
from geobaro.vocabulary import FIGURE_BASES, WORDING_MATCHES

if TYPE_CHECKING:
    from geobaro.vocabulary import ChangeVerdict

__all__ = [
    "CROSSWALK_COLUMNS",
    "Z_95",
    "change_verdict",
    "crosswalk_path",
    "list_changes",
    "list_series",
    "load_crosswalk",
    "trend_points",
    "wilson_interval",
]

#: Columns of ``crosswalk.csv``.
CROSSWALK_COLUMNS = ("series", "wave", "indicator", "match", "base", "wording")
#: Normal quantile of a two-sided 95% interval.
Z_95 = 1.959963984540054


def crosswalk_path(settings: Settings | None = None) -> Path:
    """Return the path of ``crosswalk.csv`` (beside ``barometer_figures.csv``)."""
    settings = settings or get_settings()
    return settings.survey_dir / "published" / "crosswalk.csv"


def load_crosswalk(settings: Settings | None = None) -> pd.DataFrame:
    """Return the crosswalk of recurring figures, checked.

    Raises
    ------
    GeobaroError
        If the file is missing, lacks a column, repeats a (series, wave) pair or holds a
        ``match`` or ``base`` outside its allowed set (the message names the rows).

    Examples
    --------
    >>> cw = load_crosswalk()
    >>> cw.loc[cw["series"] == "progress_score", "wave"].tolist()
    ['2018-BE', '2018-WAL', '2020-WAL', '2021-WAL']
    """
    path = crosswalk_path(settings)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise GeobaroError(f"crosswalk {path} cannot be read: {exc}") from exc
    missing = [c for c in CROSSWALK_COLUMNS if c not in raw.columns]
    if missing:
        raise GeobaroError(f"crosswalk {path} lacks columns {missing}")
    out = raw[list(CROSSWALK_COLUMNS)].apply(lambda c: c.str.strip())
    problems = []
    for column, allowed in (("match", WORDING_MATCHES), ("base", FIGURE_BASES), ("wave", WAVES)):
        bad = out.index[~out[column].isin(list(allowed))]
        problems += [
            f"row {i + 2}: {column} {out.at[i, column]!r} not in {', '.join(allowed)}" for i in bad
        ]
    dupes = out.index[out.duplicated(["series", "wave"], keep=False)]
    problems += [f"row {i + 2}: series {out.at[i, 'series']!r} repeats its wave" for i in dupes]
    if problems:
        raise GeobaroError(f"crosswalk {path}: " + "; ".join(problems[:10]))
    return out


def list_series(crosswalk: pd.DataFrame) -> tuple[str, ...]:
    """Return the series of the crosswalk in file order.

    Examples
    --------
    >>> list_series(load_crosswalk())[:3]
    ('progress_score', 'strategy_in_global', 'formalised_strategy')
    """
    return tuple(dict.fromkeys(crosswalk["series"].tolist()))


def trend_points(figures: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Return every published figure of every series, one row per wave and group.

    Parameters
    ----------
    figures
        `load_published` rows.
    crosswalk
        `load_crosswalk` rows.

    Returns
    -------
    pandas.DataFrame
        ``series``, ``wave``, ``published`` (``YYYY-MM``), ``indicator``, ``match``, ``base``,
        ``wording``, ``breakdown``, ``group``, ``level``, ``nis_code``, ``value``, ``unit``,
        ``n`` (respondents behind the figure when known, else NA), ``population`` (communes
        asked), ``low`` and ``high`` (95% interval in the figure's unit, NaN when it cannot
        be given), ``conflict`` (another source gives another value for the same figure),
        ``source_url``, ``locator``, ``note``; ordered by series, then publication.

    Raises
    ------
    GeobaroError
        If a crosswalk row names a figure that is not in ``figures``.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> pts = trend_points(load_published(), load_crosswalk())
    >>> wal = pts.query("series == 'progress_score' and group == 'Wallonia'")
    >>> wal[["wave", "value"]].values.tolist()
    [['2018-WAL', 3.67], ['2018-BE', 3.72], ['2020-WAL', 3.0], ['2021-WAL', 4.31]]
    """
    joined = crosswalk.merge(figures, on=["wave", "indicator"], how="left", indicator="_found")
    absent = joined.loc[joined["_found"] == "left_only", ["series", "wave", "indicator"]]
    if len(absent):
        listed = [" ".join(r) for r in absent.astype(str).to_numpy().tolist()]
        raise GeobaroError(f"crosswalk names figures that are not published: {listed}")
    points = locate_figures(joined.drop(columns="_found"))
    points["published"] = points["wave"].map(lambda w: WAVES[w].published)
    respondents = {w: _respondents(figures, w) for w in WAVES}
    population = {w: wave_population(figures, w) for w in WAVES}
    whole = points["group"] == points["wave"].map(lambda w: WAVES[w].scope)
    n = points["base_n"].astype("Float64")
    from_wave = points["wave"].map(respondents).astype("Float64")
    n = n.fillna(from_wave.where(whole & (points["base"] == "respondents")))
    points["n"] = n.astype("Int64")
    points["population"] = points["wave"].map(population).where(whole).astype("Int64")
    bounds = [_interval(row) for row in points.itertuples(index=False)]
    points["low"] = [b[0] for b in bounds]
    points["high"] = [b[1] for b in bounds]
    keys = ["series", "wave", "group"]
    points["conflict"] = points.groupby(keys)["value"].transform("nunique") > 1
    order = {s: i for i, s in enumerate(list_series(crosswalk))}
    points = points.assign(_s=points["series"].map(order)).sort_values(
        ["_s", "published", "group", "value"], kind="stable"
    )
    columns = [
        "series", "wave", "published", "indicator", "match", "base", "wording", "breakdown",
        "group", "level", "nis_code", "value", "unit", "n", "population", "low", "high",
        "conflict", "source_url", "locator", "note",
    ]  # fmt: skip
    return points[columns].reset_index(drop=True)


def list_changes(points: pd.DataFrame) -> pd.DataFrame:
    """Return the change between consecutive waves of each series, per group.

    A group with conflicting values in a wave (113 and 119 respondents in 2017) gives one
    change per value, each flagged ``conflict``.

    Returns
    -------
    pandas.DataFrame
        ``series``, ``group``, ``level``, ``nis_code``, ``unit``, ``wave_from``,
        ``wave_to``, ``value_from``, ``value_to``, ``change`` (in the unit; percentage
        points for percents), ``verdict`` (`change_verdict`), ``conflict``, ``match``,
        ``source_from``, ``locator_from``, ``source_to``, ``locator_to``.

    Examples
    --------
    >>> from geobaro.published import load_published
    >>> ch = list_changes(trend_points(load_published(), load_crosswalk()))
    >>> row = ch.query("series == 'strategy_in_global'").iloc[0]
    >>> float(row["value_from"]), float(row["value_to"]), row["verdict"]
    (14.0, 35.0, 'beyond_noise')
    >>> ch.query("series == 'obstacle_expertise'")["verdict"].tolist()
    ['within_noise']
    """
    rows = []
    for (series, group), part in points.groupby(["series", "group"], sort=False):
        waves = list(dict.fromkeys(part.sort_values("published")["wave"]))
        for before, after in itertools.pairwise(waves):
            for a in part[part["wave"] == before].itertuples(index=False):
                for b in part[part["wave"] == after].itertuples(index=False):
                    rows.append(_change_row(series, group, a, b))
    columns = [
        "series", "group", "level", "nis_code", "unit", "wave_from", "wave_to", "value_from",
        "value_to", "change", "verdict", "conflict", "match", "source_from", "locator_from",
        "source_to", "locator_to",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def wilson_interval(
    share: float, n: int, *, population: int | None = None, z: float = Z_95
) -> tuple[float, float]:
    """Return the Wilson interval of a share of ``n`` respondents among ``population`` units.

    With a finite population the effective sample size is ``n (N - 1) / (N - n)``; when every
    unit answered the share is exact.

    Examples
    --------
    >>> low, high = wilson_interval(0.5, 113, population=262)
    >>> round(low, 3), round(high, 3)
    (0.431, 0.569)
    >>> wilson_interval(0.3, 10, population=10)
    (0.3, 0.3)
    """
    if n <= 0:
        raise ValueError(f"n must be positive, got {n}")
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be in [0, 1], got {share}")
    # one formula for the whole package: geobaro.stats (the views' intervals use it too)
    if population is None:
        low, high = stats_wilson(share * n, n, z=z)
    else:
        if population < n:
            raise ValueError(f"population {population} is smaller than n {n}")
        low, high = wilson_fpc_interval(share * n, n, population, z=z)
    return float(low[0] if low.ndim else low), float(high[0] if high.ndim else high)


def change_verdict(
    before: tuple[float, float, float], after: tuple[float, float, float], *, base: str
) -> ChangeVerdict:
    """Say whether a change exceeds the noise of two figures ``(value, low, high)``.

    ``exact`` for counts and rates over all communes asked (no sampling); ``not_assessable``
    when an interval is unknown (a mean score without its spread, a share of a subset of
    unknown size, a regional share without its regional respondents). Otherwise the change
    is within noise when it is smaller than the two half-widths combined in quadrature.

    Examples
    --------
    >>> change_verdict((14, 8.5, 21), (35, 27.5, 43), base="respondents")
    'beyond_noise'
    >>> change_verdict((50, 40, 60), (55, 48, 62), base="respondents")
    'within_noise'
    >>> change_verdict((3.67, math.nan, math.nan), (3.0, math.nan, math.nan), base="score")
    'not_assessable'
    """
    if base == "population":
        return "exact"
    values = (*before, *after)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
        return "not_assessable"
    half = math.hypot((before[2] - before[1]) / 2, (after[2] - after[1]) / 2)
    return "within_noise" if abs(after[0] - before[0]) < half else "beyond_noise"


# --- private helpers -------------------------------------------------------------------------


def _respondents(figures: pd.DataFrame, wave: str) -> float:
    """Return the smallest published respondent count of a wave (widest interval), or NaN."""
    rows = wave_respondents(figures, wave)
    return float(rows["value"].min()) if len(rows) else math.nan


def _interval(row: Any) -> tuple[float, float]:
    n, population = row.n, row.population
    value, unit = float(row.value), row.unit
    if unit != "percent" or pd.isna(n) or not 0 <= value <= 100:
        return math.nan, math.nan
    low, high = wilson_interval(
        value / 100, int(n), population=None if pd.isna(population) else int(population)
    )
    return low * 100, high * 100


def _change_row(series: str, group: str, a: Any, b: Any) -> dict[str, object]:
    value_a, value_b = float(a.value), float(b.value)
    verdict = change_verdict(
        (value_a, a.low, a.high),
        (value_b, b.low, b.high),
        base="population" if "population" in (a.base, b.base) else "",
    )
    return {
        "series": series,
        "group": group,
        "level": b.level,
        "nis_code": b.nis_code,
        "unit": b.unit,
        "wave_from": a.wave,
        "wave_to": b.wave,
        "value_from": value_a,
        "value_to": value_b,
        "change": float(np.round(value_b - value_a, 6)),
        "verdict": verdict,
        "conflict": bool(a.conflict or b.conflict),
        "match": "close" if "close" in (a.match, b.match) else "same",
        "source_from": a.source_url,
        "locator_from": a.locator,
        "source_to": b.source_url,
        "locator_to": b.locator,
    }
