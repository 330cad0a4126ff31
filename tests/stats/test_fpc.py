"""Tests of the finite-population Wilson intervals against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geobaro.stats.fpc import effective_size, wilson_fpc_interval, wilson_interval

Z = 1.959963984540054


def _score_interval(p: float, n: int, population: int) -> tuple[float, float]:
    """Roots in pi of (p - pi)^2 = z^2 pi (1 - pi) / n x (N - n) / (N - 1), by numpy.roots."""
    factor = Z**2 * (population - n) / (n * (population - 1))
    # (1 + f) pi^2 - (2p + f) pi + p^2 = 0
    roots = np.sort(np.roots([1 + factor, -(2 * p + factor), p * p]).real)
    return float(roots[0]), float(roots[1])


def test_issue_example_belgium() -> None:
    # issue 13: 75 yes of 113 among 589 communes gives about [58.2%, 73.7%]
    low, high = wilson_fpc_interval(75, 113, 589)
    assert (round(low[0], 3), round(high[0], 3)) == (0.582, 0.737)
    plain_low, plain_high = wilson_interval(75, 113)
    assert (round(plain_low[0], 3), round(plain_high[0], 3)) == (0.573, 0.744)


def test_issue_example_brussels() -> None:
    # issue 13: 11 of the 19 Brussels communes answering narrows [37.7%, 86.5%] to
    # [46.7%, 81.6%]. Those figures are the national share 75/113 (66.4%) on n = 11 of
    # N = 19, i.e. 7.3 "yes": no whole number of yes among 11 gives them (7 of 11 gives
    # [44.1%, 79.5%], checked below).
    successes = 11 * 75 / 113
    plain_low, plain_high = wilson_interval(successes, 11)
    assert (round(plain_low[0], 3), round(plain_high[0], 3)) == (0.377, 0.865)
    low, high = wilson_fpc_interval(successes, 11, 19)
    assert (round(low[0], 3), round(high[0], 3)) == (0.467, 0.816)
    low, high = wilson_fpc_interval(7, 11, 19)
    assert (round(low[0], 3), round(high[0], 3)) == (0.441, 0.795)


@pytest.mark.parametrize(
    ("k", "n", "big"), [(75, 113, 589), (7, 11, 19), (1, 17, 19), (0, 40, 308), (40, 40, 41)]
)
def test_matches_the_score_equation(k, n, big) -> None:
    low, high = wilson_fpc_interval(k, n, big)
    ref_low, ref_high = _score_interval(k / n, n, big)
    assert low[0] == pytest.approx(max(ref_low, 0.0), abs=1e-9)
    assert high[0] == pytest.approx(min(ref_high, 1.0), abs=1e-9)


def test_effective_size_and_edges() -> None:
    assert effective_size(113, 589)[0] == pytest.approx(113 * 588 / 476)
    low, high = wilson_fpc_interval([3, 0, 19], [19, 0, 19], [19, 4, 19])
    assert low[0] == high[0] == pytest.approx(3 / 19)  # all answered: the share itself
    assert math.isnan(low[1])
    assert math.isnan(high[1])
    assert low[2] == high[2] == 1.0
    with pytest.raises(ValueError, match="exceeds the population"):
        wilson_fpc_interval(3, 12, 10)


@given(st.integers(1, 600), st.data())
def test_narrower_than_plain_and_inside_unit_interval(big, data) -> None:
    n = data.draw(st.integers(1, big))
    k = data.draw(st.integers(0, n))
    low, high = wilson_fpc_interval(k, n, big)
    plain_low, plain_high = wilson_interval(k, n)
    assert 0.0 <= low[0] <= k / n + 1e-12
    assert k / n - 1e-12 <= high[0] <= 1.0
    assert plain_low[0] - 1e-12 <= low[0]
    assert high[0] <= plain_high[0] + 1e-12
