"""Messages web visitors read: the missing-boundaries message and the upload report."""

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
    return at.run()


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_missing_boundaries_tell_visitors_what_an_operator_must_do(tmp_path, monkeypatch, lang):
    monkeypatch.setenv("GEOBARO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GEOBARO_NO_DEFAULT_MIRROR", "1")
    monkeypatch.setenv("GEOBARO_OFFLINE", "1")
    monkeypatch.setenv("GEOBARO_NO_SHIPPED", "1")
    monkeypatch.delenv("GEOBARO_DATA_MIRROR", raising=False)
    at = open_app(view="explore", lang=lang)
    assert not at.exception
    box = at.get_by_key("no_boundaries")
    assert box.error[0].value == f"**{t('app.error.boundaries', lang)}**"
    advice = box.markdown[0].value
    assert advice == t("app.error.boundaries_operator", lang)
    assert advice.count("\n- ") == 3  # a list, one bullet per line
    shown = " ".join([e.value for e in at.error] + [m.value for m in at.markdown])
    assert str(tmp_path) not in shown  # no server path
    assert "Error" not in shown  # no raw exception
    assert "Traceback" not in shown


BAD = b"nis_code;feels_concerned;response_status\n62063;oui;answered\n99999;yes;answered\n"


def test_the_report_summary_appears_once_and_reasons_in_full():
    at = open_app(view="data")
    at.file_uploader(key="upload_file").set_value(("f.csv", BAD, "text/csv")).run()
    assert not at.exception
    report = at.get_by_key("upload_report")
    texts = [m.value for m in report.markdown] + [w.value for w in report.warning]
    assert sum("rows read" in x for x in texts) == 1, texts
    grid = at.get_by_key("rejected_table_box").dataframe[0]
    assert grid.value["reason"].str.len().gt(20).all()
    written = at.get_by_key("rejected_reasons").markdown[0].value.replace("\\", "")
    for reason in grid.value["reason"]:
        assert reason in written  # in full, not cut by a grid cell


def test_the_report_follows_a_language_switch():
    at = open_app(view="data", lang="en")
    at.file_uploader(key="upload_file").set_value(("f.csv", BAD, "text/csv")).run()
    before = set(at.get_by_key("rejected_table_box").dataframe[0].value["reason"])
    at.selectbox(key="lang").set_value("fr").run()
    assert not at.exception
    after = set(at.get_by_key("rejected_table_box").dataframe[0].value["reason"])
    assert after != before
    assert any("aucune commune" in reason for reason in after), after
    assert at.radio(key="source").value == "upload"
