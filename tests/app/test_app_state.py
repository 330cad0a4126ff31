"""The view state and its round trip through the URL (no Streamlit needed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geobaro.app.state import (
    DEFAULT_STATE,
    LANGS,
    LEVELS,
    SCHEMES,
    VIEWS,
    VINTAGES,
    ViewState,
    parse_breaks,
    read_state,
)


def test_empty_query_gives_the_default_state():
    assert read_state({}) == DEFAULT_STATE


@given(
    view=st.sampled_from(VIEWS),
    level=st.sampled_from(LEVELS),
    scheme=st.sampled_from(SCHEMES),
    lang=st.sampled_from(LANGS),
    vintage=st.sampled_from(VINTAGES),
    k=st.integers(3, 7),
    commune=st.from_regex(r"[0-9]{5}", fullmatch=True),
)
def test_state_round_trips_through_query_params(view, level, scheme, lang, vintage, k, commune):
    state = ViewState(
        view=view,
        indicator="feels_concerned",
        level=level,
        scheme=scheme,
        k=k,
        lang=lang,
        vintage=vintage,
        commune=commune,
    )
    assert read_state(state.to_params()) == state


@pytest.mark.parametrize(
    ("params", "field", "expected"),
    [
        ({"view": "admin"}, "view", "home"),
        ({"k": "99"}, "k", 5),
        ({"k": "-1"}, "k", 5),
        ({"lang": "xx"}, "lang", "en"),
        ({"vintage": "1999"}, "vintage", "2018"),
        ({"commune": "../etc"}, "commune", ""),
        ({"indicator": "<script>"}, "indicator", ""),
        ({"breaks": "b, a"}, "breaks", ""),
        ({"view": ["home", "compare"]}, "view", "compare"),
    ],
)
def test_invalid_or_hostile_values_fall_back_to_defaults(params, field, expected):
    assert getattr(read_state(params), field) == expected


@given(st.text(max_size=300))
def test_read_state_never_raises_and_keeps_only_known_values(text):
    state = read_state({"view": text, "indicator": text, "breaks": text, "commune": text})
    assert state.view in VIEWS
    assert state.indicator == "" or state.indicator.replace("_", "").isalnum()
    assert state.commune == "" or (state.commune.isdigit() and len(state.commune) == 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.2, 0.4, 0.6", (0.2, 0.4, 0.6)),
        ("0,2; 0,4", (0.2, 0.4)),
        ("20 40 60 %", (0.2, 0.4, 0.6)),
        ("1 2 3", (1.0, 2.0, 3.0)),
        ("0.4, 0.2", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("a, b", None),
        (", ".join(str(i) for i in range(11)), None),
    ],
)
def test_parse_breaks(text, expected):
    assert parse_breaks(text) == expected
