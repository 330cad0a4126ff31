"""Tests of aggregation by level, Wilson intervals and small-group suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geobaro.aggregate import (
    AGGREGATE_COLUMNS,
    AGGREGATE_LEVELS,
    aggregate_by,
    aggregate_categories,
    wilson_interval,
)
from geobaro.indicators import compute_indicators

COUNT_COLUMNS = ["n_communes", "respondents", "refused", "not_reached", "n_valid"]


def _wilson_reference(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (2 * n * p + z**2) / (2 * (n + z**2))
    half = z * np.sqrt(z**2 + 4 * n * p * (1 - p)) / (2 * (n + z**2))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (75, 113), (1, 1), (3, 17)])
def test_wilson_matches_textbook_formula(k, n) -> None:
    low, high = wilson_interval(k, n)
    ref_low, ref_high = _wilson_reference(k, n)
    assert low[0] == pytest.approx(max(ref_low, 0.0), abs=1e-12)
    assert high[0] == pytest.approx(min(ref_high, 1.0), abs=1e-12)


def test_wilson_known_value_and_empty() -> None:
    low, high = wilson_interval(np.array([0, 5]), np.array([10, 0]))
    assert high[0] == pytest.approx(0.2775, abs=1e-4)
    assert np.isnan(low[1])
    assert np.isnan(high[1])


def _random_indicators(gdf, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    status = rng.choice(["answered", "refused", "not_reached"], size=len(gdf), p=[0.4, 0.1, 0.5])
    value = np.where(rng.random(len(gdf)) < 0.5, 1.0, 0.0)
    value[rng.random(len(gdf)) < 0.1] = np.nan
    score = rng.integers(1, 6, len(gdf)).astype(float)
    concern = rng.choice(["yes", "partly", "no", "dont_know"], size=len(gdf)).astype(object)
    silent = status != "answered"
    value[silent] = np.nan
    score[silent] = np.nan
    concern[silent] = None
    return pd.DataFrame(
        {
            "nis_code": gdf["nis_code"].to_numpy(),
            "response_status": status,
            "feels_concerned": value,
            "perception_future": score,
            "concern": concern,
        },
        index=gdf.index,
    )


@pytest.fixture(scope="module")
def indicators(gdf_communes) -> pd.DataFrame:
    """Random answers for the 589 communes (40% answered), seed 1."""
    return _random_indicators(gdf_communes, 1)


@pytest.mark.parametrize("level", AGGREGATE_LEVELS)
def test_columns_and_groups(indicators, gdf_communes, level) -> None:
    agg = aggregate_by(indicators, gdf_communes, level=level, indicator="feels_concerned")
    expected = {"belgium": 1, "region": 3, "province": 11, "arrondissement": 43}
    expected |= {"urban_rural": 2, "commune": 589}
    assert len(agg) == expected[level]
    core = [c for c in AGGREGATE_COLUMNS if c != "nis_code"]
    assert [c for c in agg.columns if c in core] == core
    assert ("nis_code" in agg.columns) == (level not in ("belgium", "urban_rural"))
    assert agg["n_communes"].sum() == 589
    assert agg["group"].is_monotonic_increasing


def test_belgium_and_region_codes(indicators, gdf_communes) -> None:
    be = aggregate_by(indicators, gdf_communes, level="belgium", indicator="feels_concerned")
    assert be["group"].tolist() == ["BE"]
    assert be["name_en"].tolist() == ["Belgium"]
    region = aggregate_by(indicators, gdf_communes, level="region", indicator="feels_concerned")
    assert region["nis_code"].tolist() == ["02000", "03000", "04000"]
    assert region["n_communes"].tolist() == [308, 262, 19]
    rurality = aggregate_by(
        indicators, gdf_communes, level="urban_rural", indicator="feels_concerned"
    )
    assert rurality["group"].tolist() == ["rural", "urban"]
    assert rurality["n_communes"].tolist() == [135, 454]


def test_counts_against_a_direct_computation(indicators, gdf_communes) -> None:
    agg = aggregate_by(indicators, gdf_communes, level="belgium", indicator="feels_concerned")
    row = agg.iloc[0]
    answered = indicators["response_status"] == "answered"
    valid = answered & indicators["feels_concerned"].notna()
    assert row["respondents"] == answered.sum()
    assert row["refused"] == (indicators["response_status"] == "refused").sum()
    assert row["non_respondents"] == 589 - answered.sum()
    assert row["response_rate"] == pytest.approx(answered.mean())
    assert row["n_valid"] == valid.sum()
    assert row["successes"] == indicators.loc[valid, "feels_concerned"].sum()
    assert row["share"] == pytest.approx(indicators.loc[valid, "feels_concerned"].mean())
    assert row["value"] == row["share"]
    assert row["ci_low"] < row["share"] < row["ci_high"]


def test_small_groups_are_hidden(gdf_tiny) -> None:
    ind = pd.DataFrame(
        {
            "nis_code": gdf_tiny["nis_code"],
            "response_status": ["answered", "answered", "answered", "refused"],
            "feels_concerned": [1.0, 0.0, 1.0, np.nan],
        }
    )
    agg = aggregate_by(ind, gdf_tiny, level="region", indicator="feels_concerned")
    assert agg["too_small"].all()
    assert agg[["share", "ci_low", "ci_high", "mean", "value"]].isna().all().all()
    assert agg["successes"].tolist() == [1, 1]  # counts stay visible
    agg = aggregate_by(
        ind, gdf_tiny, level="region", indicator="feels_concerned", min_respondents=2
    )
    assert agg["too_small"].tolist() == [False, True]
    assert agg["share"].iloc[0] == 0.5
    commune = aggregate_by(ind, gdf_tiny, level="commune", indicator="feels_concerned")
    assert not commune["too_small"].any()
    assert commune["value"].tolist()[:3] == [1.0, 0.0, 1.0]
    assert commune["response_status"].tolist()[3] == "refused"


def test_scores_are_means(indicators, gdf_communes) -> None:
    agg = aggregate_by(indicators, gdf_communes, level="region", indicator="perception_future")
    flanders = indicators[gdf_communes["region"] == "Flanders"]
    expected = flanders.loc[flanders["response_status"] == "answered", "perception_future"].mean()
    assert agg["mean"].iloc[0] == pytest.approx(expected)
    assert agg["share"].isna().all()
    assert agg["successes"].isna().all()


def test_categories(indicators, gdf_communes) -> None:
    with pytest.raises(ValueError, match="aggregate_categories"):
        aggregate_by(indicators, gdf_communes, level="region", indicator="concern")
    with pytest.raises(ValueError, match="not a category"):
        aggregate_categories(indicators, gdf_communes, level="region", indicator="feels_concerned")
    cat = aggregate_categories(indicators, gdf_communes, level="province", indicator="concern")
    assert len(cat) == 11 * 4
    sums = cat.groupby("group")["share"].sum(min_count=1).dropna()
    assert np.allclose(sums, 1.0)
    assert (cat.groupby("group")["count"].sum() == cat.groupby("group")["n_valid"].first()).all()
    commune = aggregate_by(indicators, gdf_communes, level="commune", indicator="concern")
    answered = indicators["response_status"] == "answered"
    assert commune.loc[answered.to_numpy(), "category"].tolist() == (
        indicators.loc[answered, "concern"].tolist()
    )


def test_later_vintages(indicators, gdf_communes) -> None:
    kw = {"indicator": "feels_concerned"}
    c19 = aggregate_by(indicators, gdf_communes, level="commune", vintage="2019", **kw)
    c25 = aggregate_by(indicators, gdf_communes, level="commune", vintage="2025", **kw)
    assert (len(c19), len(c25)) == (581, 565)
    assert c25.set_index("group").loc["12041", "name_nl"] == "Puurs-Sint-Amands"
    assert c25.set_index("group").loc["12041", "n_communes"] == 2
    arr = aggregate_by(indicators, gdf_communes, level="arrondissement", vintage="2019", **kw)
    assert "58000" in arr["group"].tolist()
    assert "54000" not in arr["group"].tolist()
    for level in ("region", "province"):
        a = aggregate_by(indicators, gdf_communes, level=level, vintage="2025", **kw)
        b = aggregate_by(indicators, gdf_communes, level=level, **kw)
        assert a["respondents"].sum() == b["respondents"].sum()


def test_errors(indicators, gdf_communes) -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        aggregate_by(indicators, gdf_communes, level="region", indicator="nope")
    with pytest.raises(ValueError, match="level"):
        aggregate_by(indicators, gdf_communes, level="country", indicator="feels_concerned")
    with pytest.raises(ValueError, match="no 'dedicated_plan' column"):
        aggregate_by(indicators, gdf_communes, level="region", indicator="dedicated_plan")
    extra = pd.concat([indicators, indicators.iloc[:1].assign(nis_code="99999")])
    with pytest.raises(ValueError, match="not in gdf_communes"):
        aggregate_by(extra, gdf_communes, level="region", indicator="feels_concerned")


def test_inputs_not_mutated_and_missing_communes_not_reached(indicators, gdf_communes) -> None:
    before = indicators.copy()
    part = indicators.iloc[:100]
    agg = aggregate_by(part, gdf_communes, level="belgium", indicator="feels_concerned")
    pd.testing.assert_frame_equal(indicators, before)
    assert agg["n_communes"].iloc[0] == 589
    assert agg["not_reached"].iloc[0] == 589 - (part["response_status"] != "not_reached").sum()


def test_with_real_compute_indicators(gdf_communes) -> None:
    from geobaro.survey.sample import load_sample

    ind = compute_indicators(load_sample(gdf_communes=gdf_communes), gdf_communes)
    agg = aggregate_by(ind, gdf_communes, level="belgium", indicator="n_domains")
    assert agg["n_valid"].iloc[0] == 113
    assert 0 < agg["mean"].iloc[0] < 6


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 20))
def test_shares_bounded_and_counts_add_up(gdf_communes, seed, minimum) -> None:
    ind = _random_indicators(gdf_communes, seed)
    national = aggregate_by(
        ind, gdf_communes, level="belgium", indicator="feels_concerned", min_respondents=minimum
    )
    for level in ("region", "province", "arrondissement", "urban_rural"):
        agg = aggregate_by(
            ind, gdf_communes, level=level, indicator="feels_concerned", min_respondents=minimum
        )
        for column in [*COUNT_COLUMNS, "successes"]:
            assert agg[column].sum() == national[column].iloc[0], (level, column)
        shown = agg.dropna(subset=["share"])
        assert shown["share"].between(0, 1).all()
        assert (shown["ci_low"] <= shown["share"] + 1e-12).all()
        assert (shown["share"] <= shown["ci_high"] + 1e-12).all()
        assert shown[["ci_low", "ci_high"]].stack().between(0, 1).all()
        assert (agg["too_small"] == (agg["n_valid"] < minimum)).all()
        assert agg["response_rate"].between(0, 1).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(AGGREGATE_LEVELS))
def test_aggregates_invariant_to_row_order(gdf_communes, seed, level) -> None:
    ind = _random_indicators(gdf_communes, 7)
    order = np.random.default_rng(seed).permutation(len(ind))
    kw = {"level": level, "indicator": "perception_future"}
    base = aggregate_by(ind, gdf_communes, **kw)
    shuffled = aggregate_by(ind.iloc[order], gdf_communes.iloc[order[::-1]], **kw)
    pd.testing.assert_frame_equal(base, shuffled)
    cats = aggregate_categories(ind, gdf_communes, level=level, indicator="concern")
    cats_shuffled = aggregate_categories(
        ind.iloc[order], gdf_communes, level=level, indicator="concern"
    )
    pd.testing.assert_frame_equal(cats, cats_shuffled)


def test_intervals_carry_the_finite_population_correction(indicators, gdf_communes) -> None:
    # issue 13: ci_low/ci_high are Wilson intervals with the effective size n(N-1)/(N-n)
    from geobaro.stats.fpc import wilson_fpc_interval

    agg = aggregate_by(indicators, gdf_communes, level="province", indicator="feels_concerned")
    low, high = wilson_fpc_interval(
        agg["successes"].to_numpy(dtype=float), agg["n_valid"], agg["n_communes"]
    )
    shown = ~agg["too_small"].to_numpy()
    np.testing.assert_allclose(agg["ci_low"].to_numpy()[shown], low[shown])
    np.testing.assert_allclose(agg["ci_high"].to_numpy()[shown], high[shown])
    plain_low, _ = wilson_interval(agg["successes"].to_numpy(dtype=float), agg["n_valid"])
    assert (agg["ci_low"].to_numpy()[shown] >= plain_low[shown]).all()
    commune = aggregate_by(indicators, gdf_communes, level="commune", indicator="feels_concerned")
    answered = commune.dropna(subset=["share"])
    assert (answered["ci_low"] == answered["share"]).all()
    assert (answered["ci_high"] == answered["share"]).all()


def test_weighted_columns_bounds_and_differs(indicators, gdf_communes) -> None:
    from geobaro.stats.weights import poststratification_cells, poststratification_weights

    agg = aggregate_by(indicators, gdf_communes, level="region", indicator="feels_concerned")
    valid = (indicators["response_status"] == "answered") & indicators["feels_concerned"].notna()
    cells = poststratification_cells(gdf_communes["region"], gdf_communes["urban_rural"], valid)
    weights = pd.Series(poststratification_weights(cells, valid), index=indicators.index)
    for row in agg.itertuples():
        members = (
            gdf_communes["region"].map({"Flanders": "02000", "Wallonia": "03000"}).fillna("04000")
            == row.group
        ) & valid
        w, y = weights[members], indicators.loc[members, "feels_concerned"]
        assert row.share_weighted == pytest.approx((w * y).sum() / w.sum())
        assert row.design_effect == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
        assert row.ci_low_weighted <= row.share_weighted <= row.ci_high_weighted
        assert row.share_low_bound == row.successes / row.n_communes
        assert row.share_high_bound == pytest.approx(
            (row.successes + row.n_communes - row.n_valid) / row.n_communes
        )
    national = indicators.loc[valid, "feels_concerned"].mean()
    expected = (agg["ci_low"] > national) | (agg["ci_high"] < national)
    assert agg["differs_from_belgium"].tolist() == expected.tolist()
    assert agg["differs_from_belgium"].dtype == bool
    be = aggregate_by(indicators, gdf_communes, level="belgium", indicator="feels_concerned")
    assert not be["differs_from_belgium"].any()
    score = aggregate_by(indicators, gdf_communes, level="region", indicator="perception_future")
    assert score["share_weighted"].isna().all()
    assert score["mean_weighted"].notna().all()
    assert (score["value_weighted"] == score["mean_weighted"]).all()
    assert not score["differs_from_belgium"].any()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["province", "arrondissement", "urban_rural"]))
def test_bounds_enclose_shares_and_intervals_in_unit_interval(gdf_communes, seed, level) -> None:
    ind = _random_indicators(gdf_communes, seed)
    agg = aggregate_by(ind, gdf_communes, level=level, indicator="feels_concerned")
    shown = agg.dropna(subset=["share"])
    assert (shown["share_low_bound"] <= shown["share"] + 1e-12).all()
    assert (shown["share"] <= shown["share_high_bound"] + 1e-12).all()
    columns = ["ci_low", "ci_high", "ci_low_weighted", "ci_high_weighted"]
    assert shown[columns].stack().between(0, 1).all()
    assert (shown["ci_low_weighted"] <= shown["share_weighted"] + 1e-12).all()
    assert (shown["share_weighted"] <= shown["ci_high_weighted"] + 1e-12).all()
    assert agg[["share_low_bound", "share_high_bound"]].stack().between(0, 1).all()
    assert (shown["design_effect"] >= 1 - 1e-12).all()


def test_choose_estimates_swaps_in_the_weighted_columns(indicators, gdf_communes) -> None:
    from geobaro.aggregate import choose_estimates
    from geobaro.stats.weights import weighted_group_means

    agg = aggregate_by(indicators, gdf_communes, level="province", indicator="feels_concerned")
    before = agg.copy()
    weighted = choose_estimates(agg, weighted=True)
    pd.testing.assert_frame_equal(agg, before)
    for plain in ("share", "ci_low", "ci_high", "mean", "value", "differs_from_belgium"):
        weighted_column = (
            plain + "_weighted"
            if plain != "differs_from_belgium"
            else ("differs_from_belgium_weighted")
        )
        pd.testing.assert_series_equal(weighted[plain], agg[weighted_column], check_names=False)
    assert set(weighted["estimate"]) == {"weighted"}
    plain = choose_estimates(agg, weighted=False)
    pd.testing.assert_series_equal(plain["share"], agg["share"])
    assert set(plain["estimate"]) == {"unweighted"}
    valid = (indicators["response_status"] == "answered") & indicators["feels_concerned"].notna()
    national = weighted_group_means(
        indicators["feels_concerned"].where(valid),
        valid,
        ["BE"] * len(indicators),
        region=gdf_communes["region"],
        urban_rural=gdf_communes["urban_rural"],
    )["mean"].iloc[0]
    expected = (agg["ci_low_weighted"] > national) | (agg["ci_high_weighted"] < national)
    assert agg["differs_from_belgium_weighted"].tolist() == (expected & ~agg["too_small"]).tolist()
    with pytest.raises(ValueError, match="aggregate_by"):
        choose_estimates(agg.drop(columns="share_weighted"), weighted=True)
