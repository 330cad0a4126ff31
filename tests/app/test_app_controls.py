"""Controls that cannot change the map are disabled, with a one-line reason in the language."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.i18n import t

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def note(at: AppTest) -> str:
    try:
        return " ".join(c.value for c in at.get_by_key("classes_note").caption)
    except KeyError:
        return ""


@pytest.mark.parametrize("view", ["explore", "compare"])
@pytest.mark.parametrize("lang", ["fr", "de"])
def test_yes_no_communes_disable_scheme_and_classes_with_a_reason(view, lang):
    at = open_app(view=view, indicator="feels_concerned", level="commune", lang=lang)
    assert at.selectbox(key="scheme").disabled
    assert at.number_input(key="k").disabled
    assert note(at) == t("maps.choice.categorical", lang)


def test_shares_of_provinces_keep_every_control():
    at = open_app(view="explore", indicator="feels_concerned", level="province")
    assert not at.selectbox(key="scheme").disabled
    assert not at.number_input(key="k").disabled
    assert note(at) == ""
