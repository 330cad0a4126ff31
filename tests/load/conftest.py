"""Fixtures of the load test: the browser suite's app server and Chromium, reused as they are.

``tests/browser/conftest.py`` owns how the app and the browser are started; this file only
makes its ``app``, ``browser`` and ``artefacts`` fixtures visible under ``tests/load/``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
