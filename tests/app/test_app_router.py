"""The router: every view at its own path, old-form links, bad link values, the language switch."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.app.router import ROUTES, view_names
from geobaro.i18n import t
from geobaro.vocabulary import LANGS

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def go(at: AppTest, view: str) -> AppTest:
    at.query_params["view"] = view
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "could not be built" in e.value]


def link_note(at: AppTest) -> str:
    try:
        box = at.get_by_key("link_note")
    except KeyError:
        return ""
    return " ".join(i.value for i in box.info)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.view)
def test_every_route_has_a_page_module_and_a_title_in_every_language(route):
    module = importlib.import_module(route.module)
    assert callable(module.show)
    titles = {t(f"app.view.{route.view}", lang) for lang in LANGS}
    assert f"app.view.{route.view}" not in titles
    assert route.view in view_names()


def test_an_old_explore_link_opens_explore_in_dutch_with_its_choices():
    at = open_app(view="explore", indicator="has_project_officer", level="province", lang="nl")
    no_exception(at)
    assert at.title[0].value == t("app.view.explore", "nl")
    assert at.selectbox(key="indicator").value == "has_project_officer"
    assert at.selectbox(key="level").value == "province"
    assert at.query_params["view"] == "explore"
    assert at.query_params["lang"] == "nl"
    assert not link_note(at)


def test_an_old_commune_link_opens_the_profile():
    at = open_app(view="commune", commune="62063")
    no_exception(at)
    assert at.title[0].value == "Commune profile"
    assert "Liège" in [s.value for s in at.subheader]
    assert at.query_params["commune"] == "62063"


def test_an_old_compare_link_opens_compare_with_its_scale():
    at = open_app(view="compare", indicator="feels_concerned", scale="panel", lang="fr")
    no_exception(at)
    assert at.title[0].value == t("app.view.compare", "fr")
    assert at.radio(key="scale").value == "panel"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"view": "explore", "k": "³"}, "k = ³"),
        ({"view": "explore", "k": "²⁵"}, "k = ²⁵"),
        ({"view": "explore", "indicator": "bogus"}, "indicator = bogus"),
        ({"view": "explore", "level": "planet"}, "level = planet"),
        ({"view": "compare", "scale": "huge", "lang": "de"}, "scale = huge"),
        ({"view": "commune", "commune": "99999"}, "commune = 99999"),
    ],
)
def test_invalid_link_values_fall_back_with_a_visible_note(params, named):
    at = open_app(**params)
    no_exception(at)
    assert named in link_note(at).replace("\\", "")
    assert at.query_params["k"] == "5" or "k" not in named


def test_the_note_goes_once_the_link_is_corrected():
    at = open_app(view="explore", level="province", k="³")
    assert link_note(at)
    at.number_input(key="k").set_value(4).run()
    no_exception(at)
    assert not link_note(at)
    assert at.query_params["k"] == "4"


def test_the_base_map_is_in_the_url():
    at = open_app(view="explore", tiles="1")
    no_exception(at)
    assert at.toggle(key="tiles").value is True
    at.toggle(key="tiles").set_value(False).run()
    no_exception(at)
    assert at.query_params["tiles"] == "0"


def test_choices_survive_views_without_their_controls_and_every_language():
    at = open_app(view="explore", indicator="n_domains", level="arrondissement", k="4")
    no_exception(at)
    at.selectbox(key="scheme").set_value("equal_interval").run()
    pairs = zip(("fr", "nl", "de", "en"), ("home", "data", "commune", "compare"), strict=True)
    for lang, view in pairs:
        at.selectbox(key="lang").set_value(lang).run()
        no_exception(at)
        go(at, view)
        no_exception(at)
        assert at.title[0].value == t(f"app.view.{view}", lang) or view == "home"
    go(at, "explore")
    no_exception(at)
    assert at.selectbox(key="indicator").value == "n_domains"
    assert at.selectbox(key="level").value == "arrondissement"
    assert at.selectbox(key="scheme").value == "equal_interval"
    assert at.number_input(key="k").value == 4
    assert at.query_params["lang"] == "en"
