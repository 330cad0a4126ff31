"""Pieces of the app's pages that run without a Streamlit session."""

from __future__ import annotations

import pytest

from geobaro.app.draw import clicked_code, escape_markdown
from geobaro.app.pages.data import survey_template
from geobaro.survey.read import load_survey


def test_the_template_is_a_valid_survey_file():
    result = load_survey(survey_template(), filename="template.csv")
    assert result.report.ok
    assert result.report.rows_used == 2
    assert set(result.data["response_status"]) == {"answered", "refused"}


@pytest.mark.parametrize(
    ("returned", "code"),
    [
        ({"last_active_drawing": {"properties": {"nis_code": "62063"}}}, "62063"),
        ({"last_active_drawing": {"properties": {"nis_code": "../x"}}}, None),
        ({"last_active_drawing": {"properties": {}}}, None),
        ({"last_active_drawing": None}, None),
        ({}, None),
        (None, None),
    ],
)
def test_only_a_commune_code_from_a_click_is_used(returned, code):
    assert clicked_code(returned) == code


@pytest.mark.parametrize(
    "text",
    ["[a](javascript:alert(1))", "<script>alert(1)</script>", "**bold** `code` _x_", "$x$ ~y~"],
)
def test_escaped_markdown_keeps_no_unescaped_special_character(text):
    escaped = escape_markdown(text)
    specials = set("[]()<>*`_$~")
    for i, ch in enumerate(escaped):
        if ch in specials:
            assert escaped[i - 1] == "\\"
