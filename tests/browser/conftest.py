"""Fixtures of the browser suite: one app server and one Chromium per session, a page per test.

The server is ``streamlit run streamlit_app.py`` on a free localhost port (headless); the
browser is Debian's ``/usr/bin/chromium`` driven by Playwright. Screenshots go to
``test-artefacts/browser/``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).resolve().parent
if str(_HERE) not in sys.path:
    sys.path.insert(0, str(_HERE))

from harness import (  # noqa: E402
    ARTEFACTS,
    CHROMIUM,
    RunningApp,
    Watched,
    launch_chromium,
    start_app,
)


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Folder (git-ignored) where the browser tests save screenshots and server logs."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS


def require_browser() -> None:
    """Skip the test unless Debian's Chromium and the playwright package are installed."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("the playwright package is not installed")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Playwright ``Browser``) shared by the whole session."""
    require_browser()
    with launch_chromium() as b:
        yield b


@pytest.fixture(scope="session")
def app(artefacts: Path) -> Iterator[RunningApp]:
    """The app served by one ``streamlit run streamlit_app.py`` for the whole session."""
    running = start_app(log_dir=artefacts, timeout=90)
    yield running
    running.stop()


@pytest.fixture
def watched(browser: Any) -> Iterator[Watched]:
    """A fresh browser context and page that records dialogs and console errors.

    Dialogs are dismissed (a script that runs ``alert`` must not block the test).
    """
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    w = Watched(page)

    def on_dialog(dialog: Any) -> None:
        w.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "console",
        lambda msg: w.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: w.page_errors.append(str(exc)))
    yield w
    ctx.close()
