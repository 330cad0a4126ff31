"""Tests of the non-response weights: a textbook example and independent computations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geobaro.stats.weights import (
    design_means,
    kish_design_effect,
    poststratification_cells,
    poststratification_weights,
    weighted_group_means,
    weighted_wilson_interval,
)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def agstrat() -> pd.DataFrame:
    """Lohr's stratified sample of 300 US counties (region, acres92, strwt); see data/README."""
    return pd.read_csv(DATA / "agstrat.csv")


def test_lohr_stratified_example(agstrat) -> None:
    # Lohr, Sampling: Design and Analysis (2nd ed.), Example 3.2: mean acres92 per county
    # 295,561 (SE 16,380); total 909,736,035 (SE 50,417,248).
    sizes = {"NE": 220, "NC": 1054, "S": 1382, "W": 422}
    est = design_means(
        agstrat["acres92"],
        agstrat["strwt"],
        agstrat["region"],
        np.full(len(agstrat), "US"),
        population=sizes,
    )
    assert round(est.mean["US"]) == 295_561
    assert round(est.stderr["US"]) == 16_380
    total = sum(sizes.values())
    assert round(est.mean["US"] * total) == 909_736_035
    assert round(est.stderr["US"] * total) == 50_417_248
    assert est.n["US"] == 300


def test_cells_collapse_into_region_then_belgium() -> None:
    region = ["Flanders"] * 6 + ["Wallonia"] * 6 + ["Brussels"] * 3
    urban = ["urban", "urban", "urban", "rural", "rural", "rural"] * 2 + ["urban"] * 3
    answered = [True, True, True, True, True, False, True, True, True, True, False, False]
    answered += [True, True, False]
    cells = poststratification_cells(region, urban, answered, min_cell=2)
    assert cells[:6].tolist() == ["Flanders/urban"] * 3 + ["Flanders/rural"] * 3
    assert cells[6:12].tolist() == ["Wallonia"] * 6  # one rural respondent: region cell
    assert cells[12:].tolist() == ["Brussels/urban"] * 3
    # at 3, Brussels (2 respondents) alone would form the "Belgium" cell: all are pooled
    assert set(poststratification_cells(region, urban, answered, min_cell=3)) == {"Belgium"}
    answered[12] = answered[13] = False  # Brussels unrepresented: all pooled, equal weights
    cells = poststratification_cells(region, urban, answered, min_cell=2)
    assert set(cells) == {"Belgium"}


def test_real_communes_cells(gdf_communes) -> None:
    from geobaro.indicators import compute_indicators
    from geobaro.survey.sample import load_sample

    ind = compute_indicators(load_sample(gdf_communes=gdf_communes), gdf_communes)
    answered = (ind["response_status"] == "answered").to_numpy()
    cells = poststratification_cells(gdf_communes["region"], gdf_communes["urban_rural"], answered)
    # the illustrative sample has 4 rural Flemish respondents: Flanders is one cell
    assert set(cells) == {"Flanders", "Wallonia/urban", "Wallonia/rural", "Brussels/urban"}
    weights = poststratification_weights(cells, answered)
    totals = pd.Series(weights).groupby(cells).sum()
    assert totals.to_dict() == pytest.approx(pd.Series(cells).value_counts().to_dict())
    assert (weights[~answered] == 0).all()


def test_weighted_share_against_poststratified_formula() -> None:
    rng = np.random.default_rng(3)
    n_units = 400
    region = rng.choice(["Flanders", "Wallonia", "Brussels"], n_units, p=[0.5, 0.4, 0.1])
    urban = rng.choice(["urban", "rural"], n_units)
    answered = rng.random(n_units) < 0.3
    y = (rng.random(n_units) < 0.6).astype(float)
    out = weighted_group_means(
        y, answered, np.full(n_units, "BE"), region=region, urban_rural=urban, min_cell=5
    )
    cells = poststratification_cells(region, urban, answered, min_cell=5)
    # independent: sum_h W_h ybar_h and sum_h W_h^2 (1 - n_h/N_h) s_h^2 / n_h
    frame = pd.DataFrame({"cell": cells, "y": y, "r": answered})
    estimate = variance = 0.0
    for _, part in frame.groupby("cell"):
        big, resp = len(part), part.loc[part["r"], "y"]
        share = big / n_units
        estimate += share * resp.mean()
        variance += share**2 * (1 - len(resp) / big) * resp.var(ddof=1) / len(resp)
    assert out.loc["BE", "mean"] == pytest.approx(estimate)
    assert out.loc["BE", "stderr"] == pytest.approx(np.sqrt(variance))
    assert out.loc["BE", "n"] == answered.sum()
    weights = poststratification_weights(cells, answered)[answered]
    expected_deff = len(weights) * (weights**2).sum() / weights.sum() ** 2
    assert out.loc["BE", "design_effect"] == pytest.approx(expected_deff)


def test_kish_design_effect() -> None:
    assert kish_design_effect([2.0, 2.0, 2.0]) == 1.0
    assert kish_design_effect([1.0, 2.0, 3.0]) == pytest.approx(3 * 14 / 36)
    assert np.isnan(kish_design_effect([]))


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0, 1),
    st.floats(0, 0.3),
    st.integers(1, 300),
    st.data(),
)
def test_weighted_interval_contains_share(share, stderr, n, data) -> None:
    big = data.draw(st.integers(n, 600))
    deff = data.draw(st.floats(1, 3))
    low, high = weighted_wilson_interval(share, stderr, n, big, deff)
    assert 0.0 <= low[0] <= share + 1e-9
    assert share - 1e-9 <= high[0] <= 1.0
