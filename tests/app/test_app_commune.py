"""The commune profile: a search opens its best match, clicks open communes, none by default."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "could not be built" in e.value]


def search(at: AppTest, text: str) -> AppTest:
    """Type ``text`` in the search box and press Enter."""
    at.text_input(key="commune_search").set_value(text).run()
    no_exception(at)
    return at


def test_luik_and_enter_opens_liege_from_aalst():
    at = open_app(view="commune", commune="41002", lang="nl")
    no_exception(at)
    assert at.subheader[0].value == "Aalst"
    search(at, "Luik")
    assert at.selectbox(key="commune").value == "62063"
    assert at.subheader[0].value == "Luik"
    assert at.query_params["commune"] == "62063"


def test_no_match_says_so_and_suggests_close_names():
    at = open_app(view="commune", commune="62063")
    search(at, "Liegge")
    note = " ".join(i.value for i in at.get_by_key("search_note").info)
    assert "No commune is called" in note
    assert "Liège" in note
    assert at.selectbox(key="commune").value == "62063"  # the profile shown stays


def test_homonyms_are_told_apart():
    at = open_app(view="commune", lang="fr")
    search(at, "Saint-Nicolas")
    shown = set(at.selectbox(key="commune").options)  # the labels the user reads
    assert "Saint-Nicolas (Sint-Niklaas, Flandre orientale)" in shown
    assert "Saint-Nicolas (Liège)" in shown


def test_no_commune_is_chosen_until_one_is_asked_for():
    at = open_app(view="commune")
    no_exception(at)
    assert not at.subheader
    assert any("open its profile" in i.value for i in at.info)
    assert "commune" not in at.query_params or at.query_params["commune"] == ""


def test_the_last_viewed_commune_is_kept_across_views():
    at = open_app(view="commune", commune="44021")
    at.query_params["view"] = "explore"
    at.run()
    at.query_params["view"] = "commune"
    at.run()
    no_exception(at)
    assert at.selectbox(key="commune").value == "44021"


def clicks(*codes: str):
    """A stand-in for the map component: clicks on ``codes`` in turn, at different points."""
    seen = iter(codes)
    state = {"code": codes[0], "n": 0}

    def map_frame(html, *, key, **kwargs):
        if key == "commune_map":
            state["code"] = next(seen, state["code"])
            state["n"] += 1
        return {
            "last_active_drawing": {"properties": {"nis_code": state["code"]}},
            "last_object_clicked": {"lat": 50.0 + state["n"] / 100, "lng": 5.0},
        }

    return map_frame


def test_a_new_click_on_the_same_commune_opens_it_again_after_a_search(monkeypatch):
    from geobaro.app import draw

    monkeypatch.setattr(draw, "map_frame", clicks("62063", "62063", "62063", "62063"))
    at = open_app(view="commune", commune="62063")
    no_exception(at)
    search(at, "Gent")
    assert at.selectbox(key="commune").value == "62063"  # the click came after the search
