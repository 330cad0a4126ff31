"""Wilson intervals of shares, plain and with the finite population correction."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["Z95", "effective_size", "wilson_fpc_interval", "wilson_interval"]

#: 95% two-sided normal quantile.
Z95 = 1.959963984540054


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, *, z: float = Z95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the Wilson score interval of binomial proportions (vectorised).

    Parameters
    ----------
    successes, n
        Counts of successes and of trials (arrays or scalars of the same shape).
    z
        Normal quantile; the default gives a 95% interval.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds in [0, 1]; NaN where ``n`` is 0.

    Examples
    --------
    >>> low, high = wilson_interval([75, 0, 3], [113, 10, 0])
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.573, 0.0, nan], [0.744, 0.278, nan])
    """
    k = np.asarray(successes, dtype=float)
    m = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _wilson(k / m, m, valid=m > 0, z=z)


def effective_size(n: ArrayLike, population: ArrayLike) -> NDArray[np.float64]:
    """Return the sample size that carries the finite population correction, n(N-1)/(N-n).

    A share measured on ``n`` of ``N`` units has the variance p(1-p)/n x (N-n)/(N-1);
    a binomial share on n(N-1)/(N-n) trials has the same variance. Infinite when n = N
    (the share is then known exactly), NaN when n is 0.

    Parameters
    ----------
    n
        Units measured (communes that answered the question).
    population
        Units in the group (communes), N >= n.

    Returns
    -------
    numpy.ndarray
        The effective sizes (at least 1-D).

    Raises
    ------
    ValueError
        If some ``n`` exceeds its ``population`` or is negative.

    Examples
    --------
    >>> effective_size([113, 19, 0], [589, 19, 5]).round(2).tolist()
    [139.59, inf, nan]
    """
    m, big = np.broadcast_arrays(
        np.atleast_1d(np.asarray(n, dtype=float)),
        np.atleast_1d(np.asarray(population, dtype=float)),
    )
    bad = (m > big) | (m < 0)
    if bad.any():
        pairs = list(zip(m[bad].tolist(), big[bad].tolist(), strict=True))
        raise ValueError(f"sample size exceeds the population (n, N): {pairs[:5]}")
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(m >= big, np.inf, m * (big - 1) / (big - m))
    return np.where(m > 0, size, np.nan)


def wilson_fpc_interval(
    successes: ArrayLike, n: ArrayLike, population: ArrayLike, *, z: float = Z95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return Wilson intervals of shares measured on n of N units (finite population).

    The Wilson score interval of the share p = successes / n computed with the effective
    size n(N-1)/(N-n) (`effective_size`) in place of n; it narrows as n approaches N and
    collapses to the share itself when n = N (every unit measured).

    Parameters
    ----------
    successes
        Units counted as a success (a weighted count may be fractional).
    n
        Units measured, 0 <= n <= N.
    population
        Units in each group (N).
    z
        Normal quantile; the default gives a 95% interval.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds in [0, 1]; NaN where ``n`` is 0.

    Examples
    --------
    75 "yes" among the 113 respondents of the 589 communes:

    >>> low, high = wilson_fpc_interval([75, 5], [113, 10], [589, 10])
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.582, 0.5], [0.737, 0.5])
    """
    k = np.atleast_1d(np.asarray(successes, dtype=float))
    m = np.atleast_1d(np.asarray(n, dtype=float))
    size = effective_size(m, population)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / m
        low, high = _wilson(p, size, valid=m > 0, z=z)
    exact = np.isinf(size)
    low = np.where(exact, p, low)
    high = np.where(exact, p, high)
    return np.atleast_1d(low), np.atleast_1d(high)


def _wilson(
    p: NDArray[np.float64], m: NDArray[np.float64], *, valid: NDArray[np.bool_], z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z2 / m
        centre = (p + z2 / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z2 / (4 * m * m)) / denom
        low = np.where(valid, np.clip(centre - half, 0.0, 1.0), np.nan)
        high = np.where(valid, np.clip(centre + half, 0.0, 1.0), np.nan)
    return np.atleast_1d(low), np.atleast_1d(high)
