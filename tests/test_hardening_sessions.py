"""Session isolation in the app: one session's upload never reaches another session."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest  # noqa: TID251

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
NOTICE = "Illustrative data"
pytestmark = pytest.mark.slow

FILE_A = b"nis_code,feels_concerned,response_status\n62063,yes,answered\n"
FILE_B = b"nis_code,feels_concerned,response_status\n21004,no,answered\n11001,yes,answered\n"


def _open(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.radio(key="source").value == "upload"


def _answered(at: AppTest) -> set[str]:
    """NIS codes with at least one respondent in the explore table."""
    at.query_params["view"] = "explore"  # as the menu or a link opens the view
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.get_by_key("explore_table_box").dataframe[0].value
    return set(table.loc[table["n"] > 0, "nis_code"])


def _warnings(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def test_two_uploading_sessions_and_a_third_stay_apart() -> None:
    first = _open(view="data", lang="en")
    second = _open(view="data", lang="en")
    _upload(first, "a.csv", FILE_A)
    _upload(second, "b.csv", FILE_B)
    assert _answered(first) == {"62063"}
    assert _answered(second) == {"21004", "11001"}
    assert NOTICE not in _warnings(first)
    assert NOTICE not in _warnings(second)
    # a new session asking for "upload" in its link has none: it sees the sample, marked
    third = _open(view="explore", source="upload", lang="en")
    assert not third.exception
    assert NOTICE in _warnings(third)
    assert len(_answered(third)) > 100  # the illustrative sample's 113 respondents
    # the first session still has its own file after the others ran
    first.run()
    assert _answered(first) == {"62063"}
    sidebar = " ".join(c.value for c in first.sidebar.caption).replace("\\", "")
    assert "a.csv" in sidebar
    assert "b.csv" not in sidebar
