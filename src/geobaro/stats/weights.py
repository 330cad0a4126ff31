"""Non-response weights: post-stratification cells, design-based shares, Kish design effect.

The barometer asked all 589 communes; the ones that answered a question are treated as a
sample of them. Post-stratification weights make the respondents of each cell (region x
urban/rural) stand for all the communes of that cell: every respondent of cell h weighs
N_h / n_h. Cells where fewer than ``min_cell`` communes answered are collapsed into their
region (both urban and rural communes of that region then form one cell), and a region still
too small is collapsed into Belgium as a whole, so no cell rests on one or two answers.

Variances are those of a stratified design with the post-strata as strata, conditional on the
numbers who answered in each (Lohr, *Sampling: Design and Analysis*, section 4.4), with the
finite population correction 1 - n_h / N_h; they are computed by samplics' Taylor
linearisation (groups are domains, i.e. ratio estimators).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geobaro.stats.fpc import Z95, effective_size

__all__ = [
    "MIN_CELL",
    "DesignEstimate",
    "design_means",
    "kish_design_effect",
    "poststratification_cells",
    "poststratification_weights",
    "weighted_group_means",
    "weighted_wilson_interval",
]

#: Fewest respondents a post-stratification cell may rest on before it is collapsed.
MIN_CELL = 5
_BELGIUM_CELL = "Belgium"


@dataclass(frozen=True)
class DesignEstimate:
    """Design-based means of one variable per domain.

    Attributes
    ----------
    mean
        Weighted mean (a share for a 0/1 variable) per domain.
    stderr
        Its standard error (Taylor linearisation, finite population correction).
    n
        Respondents in the domain.
    design_effect
        Kish's design effect of the weights in the domain, n sum(w^2) / (sum w)^2.
    """

    mean: pd.Series
    stderr: pd.Series
    n: pd.Series
    design_effect: pd.Series


def poststratification_cells(
    region: ArrayLike,
    urban_rural: ArrayLike,
    responded: ArrayLike,
    *,
    min_cell: int = MIN_CELL,
) -> NDArray[np.str_]:
    """Return the post-stratification cell of every commune.

    Cells are region x urban/rural (``"Flanders/rural"``). A cell where fewer than
    ``min_cell`` communes responded is collapsed into its region (``"Flanders"``: all the
    region's communes then form one cell); a region where still fewer responded is collapsed
    into ``"Belgium"``.

    Parameters
    ----------
    region, urban_rural
        Region and urban/rural class of every commune (all communes, respondents or not).
    responded
        True for the communes that answered (the question at hand).
    min_cell
        Fewest respondents a cell keeps its own weight with.

    Returns
    -------
    numpy.ndarray
        One cell label per commune.

    Examples
    --------
    >>> poststratification_cells(
    ...     ["Flanders"] * 4 + ["Brussels"] * 2, ["urban", "urban", "rural", "rural", "urban",
    ...     "urban"], [True, True, True, False, True, True], min_cell=2).tolist()
    ['Flanders', 'Flanders', 'Flanders', 'Flanders', 'Brussels/urban', 'Brussels/urban']
    """
    regions = np.asarray(region, dtype=str)
    classes = np.asarray(urban_rural, dtype=str)
    answered = np.asarray(responded, dtype=bool)
    cells = np.char.add(np.char.add(regions, "/"), classes)
    counts = pd.Series(answered).groupby(cells).sum()
    small = set(counts.index[counts < min_cell])
    in_small_cell = np.isin(cells, list(small))
    small_regions = set(regions[in_small_cell])
    cells = np.where(np.isin(regions, list(small_regions)), regions, cells)
    region_counts = pd.Series(answered).groupby(regions).sum()
    too_few = set(region_counts.index[region_counts < min_cell])
    cells = np.where(np.isin(regions, list(too_few)), _BELGIUM_CELL, cells)
    pooled = cells == _BELGIUM_CELL
    if pooled.any() and answered[pooled].sum() < min_cell:
        cells = np.full(cells.shape, _BELGIUM_CELL)
    return cells.astype(str)


def poststratification_weights(cells: ArrayLike, responded: ArrayLike) -> NDArray[np.float64]:
    """Return post-stratification weights N_h / n_h (0 for communes that did not respond).

    Parameters
    ----------
    cells
        Cell of every commune (`poststratification_cells`).
    responded
        True for the communes that answered.

    Returns
    -------
    numpy.ndarray
        Weights summing to the number of communes in every cell that has a respondent.

    Examples
    --------
    >>> poststratification_weights(["a", "a", "a", "b"], [True, False, False, True]).tolist()
    [3.0, 0.0, 0.0, 1.0]
    """
    labels = pd.Series(np.asarray(cells, dtype=str))
    answered = pd.Series(np.asarray(responded, dtype=bool))
    population = labels.map(labels.value_counts())
    sample = labels.map(answered.groupby(labels).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(answered, population / sample, 0.0)
    return weights.astype(float)


def kish_design_effect(weights: ArrayLike) -> float:
    """Return Kish's design effect of unequal weights, n sum(w^2) / (sum w)^2 (>= 1).

    Parameters
    ----------
    weights
        Weights of the respondents (positive).

    Returns
    -------
    float
        1 for equal weights; NaN without respondents.

    Examples
    --------
    >>> kish_design_effect([1, 1, 1, 1]), round(kish_design_effect([1, 3]), 3)
    (1.0, 1.25)
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or w.sum() <= 0:
        return float("nan")
    return float(w.size * np.sum(w * w) / w.sum() ** 2)


def design_means(
    values: ArrayLike,
    weights: ArrayLike,
    strata: ArrayLike,
    domains: ArrayLike,
    *,
    population: dict[str, int],
) -> DesignEstimate:
    """Return design-based weighted means per domain with finite-population standard errors.

    Parameters
    ----------
    values, weights, strata, domains
        One entry per respondent: the answer (0/1 for a share), its weight, its stratum
        (post-stratification cell) and its domain (the group to estimate).
    population
        Number of units N_h in each stratum (the finite population correction is
        1 - n_h / N_h).

    Returns
    -------
    DesignEstimate
        Means, standard errors, respondents and Kish design effects indexed by domain.

    Examples
    --------
    A stratified sample of 2 of 4 units and 3 of 3 units:

    >>> est = design_means([1, 0, 1, 1, 0], [2, 2, 1, 1, 1], ["a", "a", "b", "b", "b"],
    ...                    ["x"] * 5, population={"a": 4, "b": 3})
    >>> round(float(est.mean["x"]), 4), round(float(est.stderr["x"]), 4)
    (0.5714, 0.202)
    """
    y = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    stratum = np.asarray(strata, dtype=str)
    domain = np.asarray(domains, dtype=str)
    frame = pd.DataFrame({"y": y, "w": w, "stratum": stratum, "domain": domain})
    n = frame.groupby("domain", sort=True).size()
    deff = frame.groupby("domain", sort=True)["w"].apply(kish_design_effect)
    sampled = frame["stratum"].value_counts()
    if sampled.empty or sampled.min() < 2:
        # one respondent in a stratum: the mean stands, its variance cannot be estimated
        weighted = frame.assign(wy=frame["w"] * frame["y"]).groupby("domain", sort=True)
        mean = weighted["wy"].sum() / weighted["w"].sum()
        nan = pd.Series(np.nan, index=n.index)
        return DesignEstimate(mean=mean, stderr=nan, n=n, design_effect=deff)
    fpc = {h: 1.0 - sampled[h] / population[h] for h in sorted(sampled.index)}
    # samplics divides by each domain mean (its coefficient of variation): estimate the mean
    # of y + shift > 0; the linearised residuals y - mean, hence the variance, are unchanged
    shift = 1.0 - float(np.min(y))
    estimator = _taylor_mean()
    estimator.estimate(y=y + shift, samp_weight=w, stratum=stratum, domain=domain, fpc=fpc)
    mean = pd.Series(_by_domain(estimator.point_est), dtype=float).reindex(n.index) - shift
    stderr = pd.Series(_by_domain(estimator.stderror), dtype=float).reindex(n.index)
    return DesignEstimate(mean=mean, stderr=stderr, n=n, design_effect=deff)


def weighted_group_means(
    values: ArrayLike,
    responded: ArrayLike,
    groups: ArrayLike,
    *,
    region: ArrayLike,
    urban_rural: ArrayLike,
    min_cell: int = MIN_CELL,
) -> pd.DataFrame:
    """Return post-stratified means per group, with standard errors and design effects.

    Parameters
    ----------
    values
        The answer of every commune (ignored where ``responded`` is False).
    responded
        True for the communes whose answer counts.
    groups
        The group of every commune (the domains).
    region, urban_rural
        Region and urban/rural class of every commune: the post-stratification cells
        (`poststratification_cells`, collapsed below ``min_cell`` respondents).
    min_cell
        Fewest respondents a cell keeps its own weight with.

    Returns
    -------
    pandas.DataFrame
        Indexed by every group (sorted), columns ``mean``, ``stderr``, ``n`` (respondents)
        and ``design_effect`` (Kish); NaN for groups without respondents.

    Examples
    --------
    >>> out = weighted_group_means([1, 0, 1, 0, 0, 0], [True, True, True, True, True, False],
    ...                            ["g"] * 6, region=["Flanders"] * 6,
    ...                            urban_rural=["urban"] * 3 + ["rural"] * 3, min_cell=2)
    >>> round(float(out.loc["g", "mean"]), 3), round(float(out.loc["g", "design_effect"]), 3)
    (0.333, 1.042)
    """
    answered = np.asarray(responded, dtype=bool)
    labels = np.asarray(groups, dtype=str)
    cells = poststratification_cells(region, urban_rural, answered, min_cell=min_cell)
    weights = poststratification_weights(cells, answered)
    population = {str(k): int(v) for k, v in pd.Series(cells).value_counts().items()}
    estimate = design_means(
        np.asarray(values, dtype=float)[answered],
        weights[answered],
        cells[answered],
        labels[answered],
        population=population,
    )
    index = pd.Index(sorted(set(labels)), name="group")
    return pd.DataFrame(
        {
            "mean": estimate.mean.reindex(index),
            "stderr": estimate.stderr.reindex(index),
            "n": estimate.n.reindex(index).fillna(0).astype("int64"),
            "design_effect": estimate.design_effect.reindex(index),
        },
        index=index,
    )


def weighted_wilson_interval(
    share: ArrayLike,
    stderr: ArrayLike,
    n: ArrayLike,
    population: ArrayLike,
    design_effect: ArrayLike,
    *,
    z: float = Z95,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return Wilson intervals of weighted shares at the design's effective sample size.

    The effective size is p(1-p) / SE^2 (so the interval has the design-based standard
    error, finite population correction included, at its centre); for a share of 0 or 1,
    whose standard error is 0, it is the finite-population effective size n(N-1)/(N-n)
    divided by Kish's design effect.

    Parameters
    ----------
    share, stderr
        Weighted shares and their standard errors (`design_means`).
    n, population
        Respondents and communes of each group.
    design_effect
        Kish's design effect of each group.
    z
        Normal quantile; the default gives a 95% interval.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds in [0, 1]; NaN where the share is NaN.

    Examples
    --------
    >>> low, high = weighted_wilson_interval([0.5, 0.0], [0.05, 0.0], [100, 20], [500, 100],
    ...                                      [1.2, 1.0])
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.404, 0.0], [0.596, 0.134])
    """
    p = np.atleast_1d(np.asarray(share, dtype=float))
    se = np.atleast_1d(np.asarray(stderr, dtype=float))
    fallback = effective_size(n, population) / np.asarray(design_effect, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        from_se = p * (1 - p) / (se * se)
    inner = (p > 0) & (p < 1) & (se > 0)
    size = np.where(inner, from_se, fallback)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # the Wilson bounds multiplied through by the size: no overflow for tiny sizes
        centre = (p * size + z2 / 2) / (size + z2)
        half = z * np.sqrt(p * (1 - p) * size + z2 / 4) / (size + z2)
    exact = np.isinf(size)
    low = np.where(exact, p, np.clip(centre - half, 0.0, 1.0))
    high = np.where(exact, p, np.clip(centre + half, 0.0, 1.0))
    missing = np.isnan(p) | np.isnan(size)
    return np.where(missing, np.nan, low), np.where(missing, np.nan, high)


# --- helpers ---------------------------------------------------------------------------------


def _taylor_mean() -> Any:
    """Return a samplics Taylor estimator of means (its archival notice silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from samplics import PopParam, TaylorEstimator
    return TaylorEstimator(PopParam.mean)


def _by_domain(result: Any) -> dict[str, float]:
    if isinstance(result, dict):
        return {str(k): float(v) for k, v in result.items()}
    return {}
