"""Tests of the survey schema: questions, allowed answers, labels and canonical columns."""

from __future__ import annotations

from typing import get_args

import pytest

from geobaro.survey.normalize import normalize_token
from geobaro.survey.schema import (
    ANSWER_COLUMNS,
    DATA_COLUMNS,
    QUESTION_KINDS,
    QUESTIONS,
    RESPONSE_STATUSES,
    Concern,
    Difficulty,
    Domain,
    Strategy,
    StrategyDriver,
    question_of_column,
)


def test_response_statuses() -> None:
    assert RESPONSE_STATUSES == ("answered", "refused", "not_reached")


def test_literals_match_questions() -> None:
    assert QUESTIONS["feels_concerned"].values == get_args(Concern)
    assert QUESTIONS["strategy"].values == get_args(Strategy)
    assert QUESTIONS["strategy_driver"].values == get_args(StrategyDriver)
    assert QUESTIONS["domains"].values == get_args(Domain)
    assert QUESTIONS["difficulties"].values == get_args(Difficulty)


@pytest.mark.parametrize("question", list(QUESTIONS.values()), ids=list(QUESTIONS))
def test_question_is_well_formed(question) -> None:
    assert question.kind in QUESTION_KINDS
    assert len(set(question.values)) == len(question.values) > 1
    assert all(label.strip() for label in question.labels)
    assert len(question.value_labels) == len(question.values)
    # (fr, nl, de, en), in vocabulary.LANG_INDEX order like every name tuple of the package
    assert len(question.labels) == 4
    assert all(len(labels) == 4 for labels in question.value_labels)
    if question.kind == "multi":
        assert question.option_prefix
    if question.kind == "scale":
        assert question.values == (1, 2, 3, 4, 5)


@pytest.mark.parametrize("question", list(QUESTIONS.values()), ids=list(QUESTIONS))
def test_labels_never_name_two_answers(question) -> None:
    seen: dict[str, object] = {}
    for value, labels in zip(question.values, question.value_labels, strict=True):
        for text in (str(value), *labels):
            key = normalize_token(text)
            assert seen.setdefault(key, value) == value, (question.id, text)


def test_columns_are_unique_and_ordered() -> None:
    assert len(set(ANSWER_COLUMNS)) == len(ANSWER_COLUMNS)
    assert DATA_COLUMNS[:2] == ("nis_code", "response_status")
    assert "domain_environment" in ANSWER_COLUMNS
    assert "domains" not in ANSWER_COLUMNS
    for column in ANSWER_COLUMNS:
        assert column in question_of_column(column).columns


def test_unknown_column_and_answer_raise() -> None:
    with pytest.raises(KeyError, match="not a survey column"):
        question_of_column("nope")
    with pytest.raises(ValueError, match="allowed"):
        QUESTIONS["feels_concerned"].value_label("maybe")


def test_labels_by_language() -> None:
    q = QUESTIONS["strategy"]
    assert q.value_label("dedicated_plan", "en") == "dedicated Smart City plan"
    assert q.value_label("none", "nl") == "geen"
    # German has its own text (issue 12: no English on a German page)
    assert q.label("de") == "Stand der Smart-City-Strategie"
    assert q.label("xx") == q.label("en")
    assert QUESTIONS["private_involvement"].value_label(5, "fr") == "très forte"
