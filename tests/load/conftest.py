"""Fixtures of the load tests: the browser suite's app server and Chromium, reused as they are.

``tests/browser/conftest.py`` owns how the app and the browser are started; this file makes
its ``app``, ``browser`` and ``artefacts`` fixtures visible under ``tests/load/``. The health
test has a browser of its own (``browser_apart``): the same Chromium kept off the first CPU.
Twenty pages parsing Streamlit's bundle and drawing maps took 1.65 of the machine's 2 cores
and left the server 0.23 (measured from ``/proc`` during the health test), so the test
measured the browser, not the server. Visitors' browsers do not run on the server: here they
share the other cores and leave the server one of its own (with one CPU only, nothing can be
kept apart and the browser runs everywhere).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_BROWSER = Path(__file__).resolve().parents[1] / "browser"
if str(_BROWSER) not in sys.path:
    sys.path.insert(0, str(_BROWSER))

_spec = importlib.util.spec_from_file_location(
    "_geobaro_browser_fixtures", _BROWSER / "conftest.py"
)
assert _spec is not None
assert _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

app = _fixtures.app
browser = _fixtures.browser
artefacts = _fixtures.artefacts


def browser_cpus() -> set[int] | None:
    """Every CPU this process may use but the lowest, or ``None`` with only one."""
    cpus = os.sched_getaffinity(0)
    return cpus - {min(cpus)} if len(cpus) > 1 else None


@pytest.fixture(scope="module")
def browser_apart() -> Iterator[Any]:
    """A headless Chromium kept off the server's own CPU (see the module's docstring)."""
    from harness import launch_chromium

    _fixtures.require_browser()
    with launch_chromium(cpus=browser_cpus()) as b:
        yield b
