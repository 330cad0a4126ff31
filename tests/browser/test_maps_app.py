"""The app's maps in Chromium at 1400 and 800 px: fitted in their frames, notice clear of units.

streamlit-folium sizes each map's frame after the map is built (Compare draws three side by
side); every map must still end up showing all it maps, large, with the illustrative-data
notice visible and over no unit.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    ARTEFACTS,
    MAP_IFRAME,
    RunningApp,
    Watched,
    map_frames,
    snap,
    wait_for_paths,
    wait_idle,
)

pytestmark = pytest.mark.browser

_MEASURE_SOURCE = Path(__file__).resolve().parents[1] / "maps" / "test_map_fit.py"

VIEWS = [
    ("explore", {"view": "explore", "level": "commune", "indicator": "feels_concerned"}, 1),
    ("compare", {"view": "compare", "indicator": "feels_concerned"}, 3),
    ("commune", {"view": "commune", "commune": "62063"}, 1),
]


def _measure_script() -> str:
    """The measuring script of the map tests (one definition for both suites)."""
    text = _MEASURE_SOURCE.read_text(encoding="utf-8")
    start = text.index('MEASURE = """') + len('MEASURE = """')
    return text[start : text.index('}"""', start) + 1]


@pytest.mark.parametrize("width", [1400, 800])
def test_app_maps_are_fitted_with_the_notice_clear_of_units(
    app: RunningApp, watched: Watched, width: int
) -> None:
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    measure = _measure_script()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, query, maps in VIEWS:
        page.goto(app.url(**query))
        wait_idle(page)
        wait_for_paths(page, at_least=1, maps=maps, timeout=60, stable=1.0)
        page.wait_for_timeout(300)
        frames = map_frames(page)
        assert len(frames) == maps, name
        for i, frame in enumerate(frames):
            got = frame.evaluate(measure)
            where = (name, width, i, got)
            assert got["inView"], where
            assert got["share"] >= 0.6, where
            assert got["noticeShown"], where
            assert got["hits"] == 0, where
            assert got["controlsOverData"] == 0, where
            # the notice is inside the map's frame, not cut off below it
            bottom = frame.evaluate(
                "document.querySelector('.gb-notice').getBoundingClientRect().bottom"
            )
            assert bottom <= frame.evaluate("window.innerHeight") + 0.5, where
        for i, handle in enumerate(page.query_selector_all(MAP_IFRAME)):
            handle.scroll_into_view_if_needed()
            handle.screenshot(path=str(ARTEFACTS / f"map-{name}-{width}-{i}.png"))
        snap(page, f"maps-{name}-{width}")
    assert watched.page_errors == []
