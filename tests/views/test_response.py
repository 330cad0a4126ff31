"""Tests of the response view (who answered, against all communes)."""

from __future__ import annotations

import html

import pandas as pd
import pytest

from geobaro.views.common import ViewData
from geobaro.views.response import RESPONSE_DIMENSIONS, ResponseRequest, render_response
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
def test_response_view_in_every_language(web_units, sample_indicators, lang) -> None:
    units, ref = web_units
    view = render_response(ResponseRequest(lang=lang), ViewData(sample_indicators, ref, units))
    assert view.counts == {"total": 589, "answered": 113, "refused": 27, "not_reached": 449}
    assert tuple(dict.fromkeys(view.table["dimension"])) == RESPONSE_DIMENSIONS
    for _, part in view.table.groupby("dimension"):
        assert part["n_all"].sum() == 589
        assert part["n_respondents"].sum() == 113
        assert part["share_all"].sum() == pytest.approx(1.0)
        assert part["share_respondents"].sum() == pytest.approx(1.0)
    brussels = view.table.set_index(["dimension", "group"]).loc[("region", "Brussels")]
    assert brussels["verdict"] == "over"
    assert "89" in view.verdicts[0]
    assert len(view.bars) == 2 * len(view.table)
    assert 0 < view.r_indicator < 1
    assert view.propensities.index.is_unique
    assert len(view.propensities) == 589
    assert set(view.explanations) >= {"map", "bars", "test", "r", "illustrative"}
    assert all("stats." not in text for text in [*view.verdicts, *view.explanations.values()])
    assert html.escape(view.title) in view.html
    legend = {e.label: e.count for e in view.classification.legend}
    assert sum(legend.values()) == 589


def test_response_view_of_an_upload_is_not_labelled_illustrative(web_units, sample_indicators):
    units, ref = web_units
    view = render_response(
        ResponseRequest(source="upload"), ViewData(sample_indicators, ref, units)
    )
    assert "illustrative" not in view.explanations
    assert "illustrative" not in view.title


def test_missing_communes_count_as_not_reached(web_units, sample_indicators) -> None:
    units, ref = web_units
    part = sample_indicators[sample_indicators["response_status"] == "answered"].iloc[:40]
    view = render_response(ResponseRequest(), ViewData(part, ref, units))
    assert view.counts["answered"] == 40
    assert view.counts["not_reached"] == 589 - 40
    assert "penalised" in view.explanations  # provinces without a respondent
    with pytest.raises(ValueError, match="response_status"):
        render_response(
            ResponseRequest(), ViewData(part.drop(columns="response_status"), ref, units)
        )
    with pytest.raises(ValueError, match="gdf_units"):
        render_response(ResponseRequest(), ViewData(part, ref))
