"""Fixtures of the map tests: the real commune geometry for the web, headless Chromium."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest

from geobaro.data.boundaries import load_units

#: Screenshots of the map tests (git-ignored).
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "maps"


@pytest.fixture(scope="module")
def gdf_web(settings: Any) -> gpd.GeoDataFrame:
    """The 589 communes of 2018, web geometry (EPSG:4326, 5 decimals)."""
    return load_units(web=True, settings=settings)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (skipped where it is not installed)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not installed")
    pytest.importorskip("playwright.sync_api")
    # the browser suite's harness holds the process's one Playwright driver
    sys.path.insert(0, str(Path(__file__).parents[1] / "browser"))
    from harness import launch_chromium

    with launch_chromium() as browser:
        yield browser
