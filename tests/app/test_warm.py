"""The server warms up at start (issue 15, cold start): ``streamlit_app.py`` is an ``st.App``
whose lifespan imports the app and fills the shared caches; ``import geobaro`` costs nothing."""

from __future__ import annotations

import logging
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

import geobaro
from geobaro.app import resources, warm
from geobaro.app.frontend import FrontendFiles

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> str:
    """Run ``code`` in a fresh interpreter with this checkout's sources; return its stdout."""
    env_path = str(ROOT / "src")
    out = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {env_path!r})\n{code}"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return out.stdout.strip()


def test_streamlit_run_serves_the_entry_point_as_an_st_app() -> None:
    found = discover_asgi_app(ROOT / "streamlit_app.py")
    assert found.is_asgi_app
    assert found.app_name == "app"
    # with Streamlit's frontend files answered from memory (`geobaro.app.frontend`)
    entry = runpy.run_path(str(ROOT / "streamlit_app.py"), run_name="streamlit_app")
    assert [m.cls for m in entry["app"]._user_middleware] == [FrontendFiles]


def test_importing_the_package_and_the_server_entry_imports_no_data_library() -> None:
    heavy = ("pandas", "geopandas", "folium", "shapely", "pyarrow")
    loaded = _fresh(
        "import geobaro, geobaro.app, geobaro.app.warm\n"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    assert loaded == ""


def test_the_package_names_are_imported_on_first_use() -> None:
    assert geobaro.load_units is __import__("geobaro.data", fromlist=["x"]).load_units
    assert set(geobaro.__all__) <= set(dir(geobaro))
    for name in geobaro.__all__:
        assert getattr(geobaro, name) is not None
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = geobaro.no_such_name


def test_warm_up_imports_the_app_and_fills_the_shared_caches() -> None:
    loaded = _fresh(
        "import logging; logging.disable(logging.WARNING)\n"
        "from geobaro.app.warm import warm_up\n"
        "warm_up()\n"
        "print(','.join(m for m in ('folium', 'geobaro.app.shell', 'geobaro.app.pages.explore',"
        " 'babel.numbers') if m in sys.modules))"
    )
    assert loaded == "folium,geobaro.app.shell,geobaro.app.pages.explore,babel.numbers"


def test_a_failing_warm_up_is_logged_and_left_to_the_first_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(level: str, vintage: str) -> None:
        raise OSError("boundaries unreadable")

    monkeypatch.setattr(resources, "get_units", broken)
    with caplog.at_level(logging.INFO, logger="geobaro.app.warm"):
        seconds = warm.warm_up()
    assert seconds >= 0
    assert "warming up failed" in caplog.text
    assert "boundaries unreadable" in caplog.text
