"""Who answered: response propensities, the R-indicator and respondents against all communes.

What is known of every commune (region, urban/rural, population, density) lets one ask how
different the respondents are from all communes. `response_propensities` fits a logistic
model of answering on those (statsmodels); `r_indicator` summarises how much the fitted
propensities vary (Schouten, Cobben and Bethlehem 2009: R = 1 - 2 S(rho), 1 when every
commune was as likely to answer); `compare_composition` sets, category by category, the share
among respondents beside the share among all communes, and says whether the category answered
more or less often than a random draw of as many respondents would plausibly give
(hypergeometric test).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "POPULATION_CLASSES",
    "Propensities",
    "compare_composition",
    "population_class",
    "r_indicator",
    "response_propensities",
]

#: Upper bounds of the population classes (inhabitants); the last class is open.
POPULATION_CLASSES: tuple[int, ...] = (5_000, 10_000, 20_000, 50_000)
_RIDGE = 1e-2


@dataclass(frozen=True)
class Propensities:
    """Fitted probabilities of answering, and how they were obtained.

    Attributes
    ----------
    values
        One propensity per commune (the input's index).
    terms
        The model's terms (``region``, ``urban_rural``, ``log population``, ``log density``).
    penalised
        True when the plain maximum-likelihood fit failed (some category answered all or
        none) and a small ridge penalty was used instead.
    """

    values: pd.Series
    terms: tuple[str, ...]
    penalised: bool


def population_class(population: ArrayLike) -> NDArray[np.int64]:
    """Return the class index of each population (0: under 5,000 ... 4: 50,000 and more).

    Examples
    --------
    >>> population_class([800, 5_000, 12_000, 523_248]).tolist()
    [0, 1, 2, 4]
    """
    values = np.asarray(population, dtype=float)
    return np.searchsorted(np.asarray(POPULATION_CLASSES, dtype=float), values, side="right")


def response_propensities(gdf_communes: pd.DataFrame, responded: ArrayLike) -> Propensities:
    """Fit a logistic model of answering on what is known of every commune.

    The terms are the province (Brussels its own; the region when no province is given) and
    the urban/rural class (indicators), the logarithms of the population and of the density
    (standardised). Columns that are absent, or that do not
    vary, are left out. When the maximum-likelihood fit does not exist (a category where
    every commune, or none, answered) a ridge-penalised fit is used and a warning says so.

    Parameters
    ----------
    gdf_communes
        The commune reference (`geobaro.data.load_communes`), all communes.
    responded
        True for the communes that answered, aligned with ``gdf_communes``.

    Returns
    -------
    Propensities

    Examples
    --------
    >>> import pandas as pd
    >>> ref = pd.DataFrame({"region": ["Flanders"] * 4 + ["Wallonia"] * 4,
    ...                     "population": [1e3, 2e3, 3e3, 4e3, 1e3, 2e3, 3e3, 5e3]})
    >>> fit = response_propensities(ref, [1, 0, 1, 1, 0, 0, 1, 0])
    >>> fit.terms, round(float(fit.values.mean()), 3)
    (('region', 'log population'), 0.5)
    """
    import statsmodels.api as sm

    y = np.asarray(responded, dtype=float)
    if y.shape != (len(gdf_communes),):
        raise ValueError(f"responded has {y.size} values for {len(gdf_communes)} communes")
    design, terms = _design(gdf_communes)
    if np.unique(y).size < 2:  # everyone or no one answered: one propensity for all
        return Propensities(pd.Series(y.mean(), index=gdf_communes.index), terms, False)
    penalised = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = sm.Logit(y, design).fit(disp=0, maxiter=200)
            fitted = np.asarray(result.predict(design), dtype=float)
            failed = not result.mle_retvals.get("converged", True)
        except (np.linalg.LinAlgError, ValueError):
            fitted, failed = np.full(len(y), np.nan), True
    failed = failed or any(_is_fit_warning(w.category) for w in caught)
    if failed or not np.isfinite(fitted).all():
        penalised = True
        glm = sm.GLM(y, design, family=sm.families.Binomial())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ridge = glm.fit_regularized(alpha=_RIDGE, L1_wt=0.0)
        fitted = np.asarray(glm.predict(ridge.params, design), dtype=float)
        warnings.warn(
            "response propensities: the logistic model has no maximum-likelihood fit (a group "
            "where every commune or none answered); a small ridge penalty was used",
            stacklevel=2,
        )
    return Propensities(pd.Series(fitted, index=gdf_communes.index), terms, penalised)


def r_indicator(propensities: ArrayLike) -> float:
    """Return the R-indicator of response propensities, 1 - 2 S(rho) (Schouten et al. 2009).

    S is the standard deviation of the propensities over all units (divisor N - 1). R is 1
    when every unit was equally likely to respond and 0 at the largest possible spread.

    Examples
    --------
    >>> round(r_indicator([0.2, 0.2, 0.2]), 12)
    1.0
    >>> round(r_indicator([0.1, 0.3, 0.5]), 3)
    0.6
    """
    rho = np.asarray(propensities, dtype=float)
    if rho.size < 2:
        return float("nan")
    return float(1.0 - 2.0 * np.std(rho, ddof=1))


def compare_composition(
    categories: ArrayLike, responded: ArrayLike, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Compare respondents with all units, category by category.

    Parameters
    ----------
    categories
        The category of every unit (all units).
    responded
        True for the units that answered.
    alpha
        Level of the two-sided hypergeometric test: a category is ``over`` (``under``)
        represented when so many (so few) of its units answering has a probability below
        alpha / 2 under a random draw of as many respondents from all units.

    Returns
    -------
    pandas.DataFrame
        One row per category (sorted): ``category``, ``n_all``, ``n_respondents``,
        ``share_all``, ``share_respondents``, ``response_rate``, ``p_value`` (two-sided) and
        ``verdict`` (``over``, ``under`` or ``in_line``).

    Examples
    --------
    >>> out = compare_composition(["a"] * 10 + ["b"] * 40, [True] * 9 + [False] + [True] * 6
    ...                           + [False] * 34)
    >>> out[["category", "n_respondents", "response_rate", "verdict"]]
      category  n_respondents  response_rate verdict
    0        a              9           0.90    over
    1        b              6           0.15   under
    """
    labels = pd.Series(np.asarray(categories, dtype=str))
    answered = pd.Series(np.asarray(responded, dtype=bool))
    big, sample = len(labels), int(answered.sum())
    n_all = labels.value_counts().sort_index()
    n_resp = answered.groupby(labels).sum().reindex(n_all.index).astype("int64")
    from scipy.stats import hypergeom  # scipy.stats costs 0.4 s at start; only this test needs it

    dist = hypergeom(big, n_all.to_numpy(), sample)
    upper = dist.sf(n_resp.to_numpy() - 1)  # P(X >= observed)
    lower = dist.cdf(n_resp.to_numpy())  # P(X <= observed)
    p_value = np.minimum(1.0, 2 * np.minimum(upper, lower))
    verdict = np.where(upper < alpha / 2, "over", np.where(lower < alpha / 2, "under", "in_line"))
    return pd.DataFrame(
        {
            "category": n_all.index.to_numpy(),
            "n_all": n_all.to_numpy(dtype="int64"),
            "n_respondents": n_resp.to_numpy(),
            "share_all": n_all.to_numpy() / big,
            "share_respondents": n_resp.to_numpy() / sample if sample else np.nan,
            "response_rate": n_resp.to_numpy() / n_all.to_numpy(),
            "p_value": p_value,
            "verdict": verdict,
        }
    )


def _design(gdf: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Intercept, category indicators and standardised log sizes of the communes."""
    parts: list[pd.DataFrame] = [pd.DataFrame({"const": 1.0}, index=gdf.index)]
    terms: list[str] = []
    # provinces lie within regions (Brussels is its own): the finer of the two is used
    nested = "province_nis" in gdf.columns and gdf["province_nis"].nunique() > 1
    for name in ("province_nis" if nested else "region", "urban_rural"):
        if name in gdf.columns and gdf[name].nunique() > 1:
            dummies = pd.get_dummies(gdf[name].astype(str), prefix=name, drop_first=True)
            parts.append(dummies.astype(float))
            terms.append(name.removesuffix("_nis"))
    for name in ("population", "density"):
        if name not in gdf.columns:
            continue
        logged = np.log(pd.to_numeric(gdf[name], errors="coerce").clip(lower=1.0))
        if logged.isna().any():
            missing = gdf.index[logged.isna()].tolist()[:5]
            raise ValueError(f"column {name!r} has no value for rows {missing}")
        if logged.std() > 0:
            parts.append(((logged - logged.mean()) / logged.std()).rename(f"log_{name}").to_frame())
            terms.append(f"log {name}")
    return pd.concat(parts, axis=1), tuple(terms)


def _is_fit_warning(category: type[Warning]) -> bool:
    name = category.__name__
    return "Separation" in name or "Convergence" in name or issubclass(category, RuntimeWarning)
