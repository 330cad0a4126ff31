"""Tests of the patterns view (Moran's I, LISA clusters, join counts of response status)."""

from __future__ import annotations

import pandas as pd
import pytest

from geobaro.views.common import ViewData
from geobaro.views.patterns import CLUSTER_COLORS, PatternsRequest, render_patterns
from geobaro.vocabulary import LANGS


@pytest.fixture(scope="module")
def web_units():
    """The 589 communes' web geometry (EPSG:4326) and the reference table without it."""
    from geobaro.data.boundaries import load_units

    units = load_units(level="commune", web=True)
    return units, pd.DataFrame(units.drop(columns="geometry"))


@pytest.fixture(scope="module")
def sample_indicators(web_units):
    """Indicators of the shipped illustrative sample (113 respondents)."""
    from geobaro.indicators import compute_indicators
    from geobaro.survey.sample import load_sample

    _, ref = web_units
    return compute_indicators(load_sample(gdf_communes=ref), ref)


@pytest.mark.parametrize("lang", LANGS)
def test_patterns_view_in_every_language(web_units, sample_indicators, lang) -> None:
    units, ref = web_units
    request = PatternsRequest("perception_future", lang=lang)
    view = render_patterns(request, ViewData(sample_indicators, ref, units))
    answered = sample_indicators["response_status"].eq("answered")
    assert len(view.table) == (answered & sample_indicators["perception_future"].notna()).sum()
    assert view.moran is not None
    assert view.moran.n == len(view.table)
    assert -1 < view.moran.i < 1
    assert 0 < view.moran.p_value <= 1
    assert view.joins.joins == 1662
    assert view.islands == ()
    assert view.html.startswith("<!DOCTYPE html>")
    assert set(view.table["cluster"]) <= set(CLUSTER_COLORS)
    legend = {e.label: e.count for e in view.classification.legend}
    assert sum(legend.values()) == 589
    assert {"moran", "lisa", "joins", "neighbours", "k", "illustrative"} <= set(view.explanations)
    assert "5" in view.explanations["k"]
    assert all("stats." not in text for text in view.explanations.values())
    significant = view.table["cluster"] != "ns"
    assert (view.table.loc[significant, "p_value"] < request.alpha).all()


def test_patterns_are_reproducible_and_k_changes_them(web_units, sample_indicators) -> None:
    units, ref = web_units
    data = ViewData(sample_indicators, ref, units)
    a = render_patterns(PatternsRequest("feels_concerned"), data)
    b = render_patterns(PatternsRequest("feels_concerned"), data)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.moran == b.moran
    c = render_patterns(PatternsRequest("feels_concerned", k=8), data)
    assert c.moran is not None
    assert c.moran.i != a.moran.i
    assert "8" in c.explanations["k"]


def test_too_few_and_unsupported(web_units, sample_indicators) -> None:
    units, ref = web_units
    few = sample_indicators.copy()
    keep = few.index[few["response_status"].eq("answered")][:6]
    few.loc[~few.index.isin(keep), "response_status"] = "not_reached"
    view = render_patterns(PatternsRequest("perception_future"), ViewData(few, ref, units))
    assert view.moran is None
    assert "too_few" in view.explanations
    with pytest.raises(ValueError, match="share or score"):
        render_patterns(PatternsRequest("concern"), ViewData(sample_indicators, ref, units))
