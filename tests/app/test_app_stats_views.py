"""The response and patterns views driven by AppTest, in the four languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.i18n import t
from geobaro.vocabulary import LANGS

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error]


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", LANGS)
def test_response_view_opens_in_every_language(lang):
    at = open_app(view="response", lang=lang)
    no_exception(at)
    assert at.title[0].value == t("app.view.response", lang)
    assert at.query_params["view"] == "response"
    body = texts(at)
    assert "89" in body  # Brussels: 17 of its 19 communes answered (illustrative sample)
    assert t("app.illustrative.short", lang) in body
    labels = [m.label for m in at.metric]
    assert t("stats.response.r_label", lang) in labels
    assert len(at.tabs) == 4
    assert len(at.get("download_button")) == 1  # the table as CSV
    assert "stats." not in body


@pytest.mark.parametrize("lang", LANGS)
def test_patterns_view_opens_in_every_language(lang):
    at = open_app(view="patterns", indicator="perception_future", lang=lang)
    no_exception(at)
    assert at.title[0].value == t("app.view.patterns", lang)
    assert at.selectbox(key="indicator").value == "perception_future"
    labels = [m.label for m in at.metric]
    assert t("stats.patterns.moran_label", lang) in labels
    assert t("stats.patterns.joins_label", lang) in labels
    body = texts(at)
    assert t("stats.patterns.k", lang, k=5) in body
    assert len(at.get("download_button")) == 1
    assert "stats." not in body


def test_patterns_view_offers_only_shares_and_scores_and_k_changes_the_figure():
    at = open_app(view="patterns", indicator="concern")
    no_exception(at)
    options = at.selectbox(key="indicator").options
    assert "concern" not in options
    before = [m.value for m in at.metric]
    at.number_input(key="patterns_k").set_value(9).run()
    no_exception(at)
    assert t("stats.patterns.k", "en", k=9) in texts(at)
    assert [m.value for m in at.metric] != before
