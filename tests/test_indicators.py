"""Tests of per-commune indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geobaro.indicators import INDICATOR_KINDS, INDICATORS, compute_indicators
from geobaro.survey.read import load_survey
from geobaro.survey.schema import QUESTIONS

REQUIRED = {
    "feels_concerned": "share",
    "concern": "category",
    "dedicated_plan": "share",
    "strategy_in_global_plan": "share",
    "any_strategy": "share",
    "has_project_officer": "share",
    "perception_technological": "score",
    "perception_opportunity": "score",
    "perception_future": "score",
    "n_domains": "count",
    "n_difficulties": "count",
    "private_involvement": "score",
    "private_involvement_high": "share",
}

SURVEY = (
    "nis_code,response_status,feels_concerned,strategy,has_project_officer,domains,"
    "difficulty_expertise,difficulty_financial_means,perception_opportunity\n"
    "11001,answered,yes,dedicated_plan,yes,environment;mobility,x,x,5\n"
    "11002,answered,no,none,no,none,,,2\n"
    "11004,answered,partly,,,,,,\n"
    "21004,refused,,,,,,,\n"
    "62063,not_reached,,,,,,,\n"
)


@pytest.fixture
def survey(gdf_communes):
    """A five-row survey: three answered, one refused, one not reached."""
    return load_survey(SURVEY.encode(), gdf_communes=gdf_communes)


def test_registry() -> None:
    for key, kind in REQUIRED.items():
        assert INDICATORS[key].kind == kind
    for name in ("domains", "difficulties"):
        prefix = QUESTIONS[name].option_prefix
        for value in QUESTIONS[name].values:
            assert INDICATORS[f"{prefix}_{value}"].kind == "share"
    for spec in INDICATORS.values():
        assert spec.kind in INDICATOR_KINDS
        assert spec.question in QUESTIONS
        assert all(label.strip() for label in spec.labels)
        assert (spec.kind == "category") == bool(spec.categories)


def test_one_row_per_reference_commune(survey, gdf_communes) -> None:
    ind = compute_indicators(survey, gdf_communes)
    assert len(ind) == 589
    pd.testing.assert_index_equal(ind.index, gdf_communes.index)
    assert ind["nis_code"].tolist() == gdf_communes["nis_code"].tolist()
    assert list(ind.columns) == ["nis_code", "response_status", *INDICATORS]


def test_non_respondents_are_never_no(survey, gdf_communes) -> None:
    ind = compute_indicators(survey, gdf_communes).set_index("nis_code")
    assert ind.loc["21004", "response_status"] == "refused"
    assert ind.loc["62063", "response_status"] == "not_reached"
    assert ind.loc["93090", "response_status"] == "not_reached"  # absent from the file
    silent = ind[ind["response_status"] != "answered"]
    shares = [k for k, s in INDICATORS.items() if s.kind != "category"]
    assert silent[shares].isna().all().all()
    assert (ind["response_status"] == "answered").sum() == 3


def test_values(survey, gdf_communes) -> None:
    ind = compute_indicators(survey, gdf_communes).set_index("nis_code")
    a, b, c = ind.loc["11001"], ind.loc["11002"], ind.loc["11004"]
    assert (a["feels_concerned"], b["feels_concerned"], c["feels_concerned"]) == (1.0, 0.0, 0.0)
    assert (a["concern"], b["concern"], c["concern"]) == ("yes", "no", "partly")
    assert (a["dedicated_plan"], a["any_strategy"], b["any_strategy"]) == (1.0, 1.0, 0.0)
    assert np.isnan(c["any_strategy"])  # answered the survey, not this question
    assert (a["has_project_officer"], b["has_project_officer"]) == (1.0, 0.0)
    assert (a["n_domains"], b["n_domains"]) == (2, 0)
    assert pd.isna(c["n_domains"])
    assert (a["domain_mobility"], a["domain_people"], b["domain_mobility"]) == (1.0, 0.0, 0.0)
    assert a["n_difficulties"] == 2
    assert pd.isna(b["n_difficulties"])
    assert (a["perception_opportunity"], a["perception_opportunity_agree"]) == (5.0, 1.0)
    assert (b["perception_opportunity"], b["perception_opportunity_agree"]) == (2.0, 0.0)
    assert str(ind["n_domains"].dtype) == "Int64"


def test_share_columns_hold_only_0_1_nan(gdf_communes) -> None:
    from geobaro.survey.sample import load_sample

    ind = compute_indicators(load_sample(gdf_communes=gdf_communes), gdf_communes)
    for key, spec in INDICATORS.items():
        if spec.kind == "share":
            assert set(ind[key].dropna().unique()) <= {0.0, 1.0}, key
    domains = ind.filter(regex="^domain_").sum(axis=1, min_count=1)
    answered = ind["n_domains"].notna()
    assert (domains[answered] == ind.loc[answered, "n_domains"].astype(float)).all()


def test_inputs_not_mutated(survey, gdf_communes) -> None:
    data = survey.data.copy()
    ref = gdf_communes.copy()
    compute_indicators(survey.data, gdf_communes)
    pd.testing.assert_frame_equal(survey.data, data)
    pd.testing.assert_frame_equal(gdf_communes, ref)


def test_partial_columns_and_tiny_reference(gdf_tiny) -> None:
    data = pd.DataFrame({"nis_code": ["62093"], "response_status": ["answered"]})
    ind = compute_indicators(data, gdf_tiny)
    assert ind["response_status"].tolist() == ["not_reached"] * 3 + ["answered"]
    assert ind["feels_concerned"].isna().all()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (pd.DataFrame({"nis_code": ["99999"], "response_status": ["answered"]}), "not in the"),
        (
            pd.DataFrame({"nis_code": ["11001", "11001"], "response_status": ["answered"] * 2}),
            "more than once",
        ),
        (pd.DataFrame({"nis_code": ["11001"]}), "response_status"),
        (pd.DataFrame({"nis_code": ["11001"], "response_status": ["maybe"]}), "not allowed"),
    ],
)
def test_bad_survey_data(gdf_tiny, data, message) -> None:
    with pytest.raises(ValueError, match=message):
        compute_indicators(data, gdf_tiny)


def test_every_indicator_is_labelled_in_four_languages() -> None:
    from geobaro.vocabulary import LANG_INDEX

    for spec in INDICATORS.values():
        assert len(spec.labels) == 4, spec.id
        assert spec.label("en") == spec.labels[LANG_INDEX["en"]] == spec.labels[3]
        assert spec.label("de") != spec.label("en"), spec.id  # German is German
        assert len({spec.label(lang) for lang in ("fr", "nl", "de", "en")}) >= 3, spec.id


def test_views_catalogues_have_the_same_keys_in_every_language() -> None:
    import json
    from importlib import resources

    def keys(data: dict, prefix: str = "") -> set[str]:
        out: set[str] = set()
        for key, value in data.items():
            out |= keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
        return out

    folder = resources.files("geobaro").joinpath("locales")
    found = {
        lang: keys(json.loads(folder.joinpath(f"views.{lang}.json").read_text("utf-8")))
        for lang in ("fr", "nl", "de", "en")
    }
    assert found["fr"] == found["nl"] == found["de"] == found["en"]
