"""Tests of response propensities, the R-indicator and the composition comparison."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geobaro.stats.representativeness import (
    compare_composition,
    population_class,
    r_indicator,
    response_propensities,
)


def test_saturated_model_gives_the_observed_rates() -> None:
    # with region as the only term the maximum-likelihood propensities are the region rates
    ref = pd.DataFrame({"region": ["Flanders"] * 10 + ["Wallonia"] * 8 + ["Brussels"] * 4})
    answered = np.array([1] * 3 + [0] * 7 + [1] * 4 + [0] * 4 + [1] * 3 + [0])
    fit = response_propensities(ref, answered)
    assert fit.terms == ("region",)
    assert not fit.penalised
    expected = ref["region"].map({"Flanders": 0.3, "Wallonia": 0.5, "Brussels": 0.75})
    np.testing.assert_allclose(fit.values, expected, atol=1e-6)
    assert fit.values.index.equals(ref.index)


def test_r_indicator_against_definition() -> None:
    rho = np.array([0.1, 0.2, 0.35, 0.9, 0.15])
    mean = rho.mean()
    s = math.sqrt(sum((r - mean) ** 2 for r in rho) / (len(rho) - 1))
    assert r_indicator(rho) == pytest.approx(1 - 2 * s)
    assert r_indicator(np.full(10, 0.3)) == pytest.approx(1.0)
    assert math.isnan(r_indicator([0.5]))


def test_group_without_respondents_uses_a_penalty() -> None:
    ref = pd.DataFrame({"region": ["Flanders"] * 6 + ["Brussels"] * 3})
    answered = [1, 0, 1, 0, 1, 0, 0, 0, 0]
    with pytest.warns(UserWarning, match="ridge penalty"):
        fit = response_propensities(ref, answered)
    assert fit.penalised
    assert np.isfinite(fit.values).all()
    assert fit.values.iloc[-1] < fit.values.iloc[0]


def test_everyone_answered_is_one_propensity() -> None:
    ref = pd.DataFrame({"region": ["Flanders", "Wallonia", "Brussels"]})
    fit = response_propensities(ref, [1, 1, 1])
    assert fit.values.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match="3 communes"):
        response_propensities(ref, [1, 1])


def test_real_communes_model(gdf_communes) -> None:
    rng = np.random.default_rng(5)
    answered = rng.random(len(gdf_communes)) < 0.2
    fit = response_propensities(gdf_communes, answered)
    assert fit.terms == ("province", "urban_rural", "log population", "log density")
    # a logistic model with an intercept reproduces the overall response rate
    assert fit.values.mean() == pytest.approx(answered.mean(), abs=1e-6)


def test_composition_against_hypergeometric_sums() -> None:
    cats = ["a"] * 12 + ["b"] * 18
    answered = [True] * 8 + [False] * 4 + [True] * 2 + [False] * 16
    out = compare_composition(cats, answered).set_index("category")
    total, drawn, size = 30, 10, 12

    def pmf(k: int) -> float:
        if k > drawn:
            return 0.0
        return math.comb(size, k) * math.comb(total - size, drawn - k) / math.comb(total, drawn)

    upper = sum(pmf(k) for k in range(8, size + 1))
    lower = sum(pmf(k) for k in range(0, 9))
    assert out.loc["a", "p_value"] == pytest.approx(min(1.0, 2 * min(upper, lower)))
    assert out.loc["a", "verdict"] == "over"
    assert out.loc["b", "verdict"] == "under"
    assert out.loc["a", "share_respondents"] == pytest.approx(0.8)
    assert out.loc["a", "share_all"] == pytest.approx(0.4)
    assert out["share_all"].sum() == pytest.approx(1.0)
    even = compare_composition(cats, [True, False] * 15)
    assert set(even["verdict"]) == {"in_line"}


def test_population_classes() -> None:
    assert population_class([0, 4_999, 5_000, 9_999, 10_000, 49_999, 50_000]).tolist() == [
        0, 0, 1, 1, 2, 3, 4,
    ]  # fmt: skip
