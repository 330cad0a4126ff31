"""Fixtures of the deploy test: Chromium from the browser suite, two replicas behind nginx.

``tests/browser/conftest.py`` owns how the browser is started; this file makes its ``browser``
and ``artefacts`` fixtures visible under ``tests/deploy/`` and adds the ``deployment``.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_TESTS = Path(__file__).resolve().parents[1]
_BROWSER = _TESTS / "browser"
_DEPLOY = _TESTS.parent / "deploy"
if str(_BROWSER) not in sys.path:
    sys.path.insert(0, str(_BROWSER))


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_fixtures = _load("_geobaro_browser_fixtures_deploy", _BROWSER / "conftest.py")
_launcher = _load("_geobaro_deploy_run", _DEPLOY / "run.py")

browser = _fixtures.browser
artefacts = _fixtures.artefacts


@pytest.fixture(scope="session")
def launcher() -> Any:
    """``deploy/run.py`` (an operator's script, not a package), loaded as a module."""
    return _launcher


@pytest.fixture(scope="module")
def deployment(artefacts: Path, launcher: Any) -> Iterator[Any]:
    """Two app replicas behind nginx on loopback (skipped only if nginx is not installed)."""
    if launcher.find_nginx() is None:
        pytest.skip("nginx is not installed (apt-get install nginx; CI installs it)")
    workdir = artefacts.parent / "deploy"
    if workdir.exists():
        for old in workdir.glob("*.log"):
            old.unlink()
    with launcher.Deployment(replicas=2, workdir=workdir) as running:
        yield running
