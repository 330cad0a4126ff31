"""The weighted/unweighted switch and the patterns view's k: in the URL, restored from a link."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_a_weighted_explore_link_restores_the_switch_and_says_so():
    at = open_app(view="explore", level="province", weighted="1", lang="fr")
    no_exception(at)
    assert at.toggle(key="weighted").value is True
    assert at.query_params["weighted"] == "1"
    assert t("stats.estimate.weighted", "fr") in texts(at)
    # the legend beside the map has the row of the outlined groups
    assert html.escape(t("stats.differs.legend", "fr")) in texts(at)
    at.toggle(key="weighted").set_value(False).run()
    no_exception(at)
    assert at.query_params["weighted"] == "0"
    assert t("stats.estimate.unweighted", "fr") in texts(at)
    assert t("stats.estimate.weighted", "fr") not in texts(at)


def test_compare_marks_groups_that_differ_and_keeps_the_switch_across_views():
    at = open_app(view="compare", level="province", weighted="1")
    no_exception(at)
    assert at.toggle(key="weighted").value is True
    marks = [c.value for c in at.caption if c.value.startswith("◆")]
    # the three regions and urban and rural all differ from Belgium in the sample
    assert len(marks) == 5
    assert "finite population correction" in texts(at)
    at.query_params["view"] = "commune"
    at.query_params["commune"] = "62063"
    at.run()
    no_exception(at)
    assert at.toggle(key="weighted").value is True
    assert t("stats.estimate.weighted", "en") in texts(at)


def test_the_patterns_k_is_in_the_url():
    at = open_app(view="patterns", patterns_k="7")
    no_exception(at)
    assert at.number_input(key="patterns_k").value == 7
    at.number_input(key="patterns_k").set_value(4).run()
    no_exception(at)
    assert at.query_params["patterns_k"] == "4"
