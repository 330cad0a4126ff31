"""The statistics views in Chromium: the response map and the cluster map drawn, their colours."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from harness import MAP_IFRAME, PATHS, RunningApp, Watched, snap, wait_for_paths, wait_idle

from geobaro.views.patterns import CLUSTER_COLORS
from geobaro.views.response import ANSWERED_COLOR

pytestmark = pytest.mark.browser


def _open(w: Watched, app: RunningApp, **query: str | int) -> Any:
    page = w.page
    page.goto(app.url(**query))
    wait_idle(page)
    return page


def _fills(page: Any, box: str) -> Counter[str]:
    frame = page.query_selector(f"{box} {MAP_IFRAME}").content_frame()
    fills = frame.evaluate(
        f"[...document.querySelectorAll('{PATHS}')].map(p => p.getAttribute('fill'))"
    )
    return Counter(str(f).lower() for f in fills)


def test_response_map_shows_the_113_communes_that_answered(
    app: RunningApp, watched: Watched
) -> None:
    page = _open(watched, app, view="response", lang="en")
    assert wait_for_paths(page, at_least=589, timeout=90)[0] == 589
    fills = _fills(page, ".st-key-response_map_box")
    assert fills[ANSWERED_COLOR.lower()] == 113
    assert "89%" in page.locator(".st-key-response_verdicts").inner_text()
    snap(page, "stats-response")
    assert watched.page_errors == []


def test_patterns_map_colours_the_clusters(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="patterns", indicator="perception_future", lang="fr")
    assert wait_for_paths(page, at_least=589, timeout=90)[0] == 589
    fills = _fills(page, ".st-key-patterns_map_box")
    clustered = sum(fills[c.lower()] for c in CLUSTER_COLORS.values())
    assert clustered == 113  # every commune that answered: a cluster or "not significant"
    assert fills[CLUSTER_COLORS["HH"].lower()] > 0
    assert "I de Moran" in page.locator(".st-key-patterns_moran").inner_text()
    snap(page, "stats-patterns")
    assert watched.page_errors == []
