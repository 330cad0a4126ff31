"""Compare in Chromium: the groups whose interval excludes Belgium's share are outlined."""

from __future__ import annotations

import re
from typing import Any

import pytest
from harness import MAP_IFRAME, PATHS, RunningApp, Watched, snap, wait_for_paths, wait_idle

from geobaro.maps.legend import MARKED_OUTLINE, MARKED_WEIGHT

pytestmark = pytest.mark.browser


def _outlined(page: Any, box: str) -> int:
    """Number of units of a panel's map drawn with the marked outline."""
    frame = page.query_selector(f"{box} {MAP_IFRAME}").content_frame()
    return int(
        frame.evaluate(
            f"[...document.querySelectorAll('{PATHS}')].filter(p => "
            f"p.getAttribute('stroke') === '{MARKED_OUTLINE}' && "
            f"p.getAttribute('stroke-width') === '{MARKED_WEIGHT}').length"
        )
    )


def test_compare_outlines_the_provinces_that_differ_from_belgium(
    app: RunningApp, watched: Watched
) -> None:
    page = watched.page
    page.goto(app.url(view="compare", level="province", weighted=1, lang="en"))
    wait_idle(page)
    wait_for_paths(page, at_least=1, maps=3, timeout=90, stable=1.0)
    # the sample: Hainaut and Luxembourg (Wallonia) and Brussels differ, no Flemish province
    outlined = {
        region: _outlined(page, f".st-key-compare_map_{region}_box")
        for region in ("wallonia", "flanders", "brussels")
    }
    assert outlined == {"wallonia": 2, "flanders": 0, "brussels": 1}
    for region, n in outlined.items():
        legend = page.locator(f".st-key-legend_{region}")
        assert legend.locator("[data-kind='marked']").count() == (1 if n else 0)
        assert "weighted for non-response" in legend.inner_text()
    # under the three regions and urban and rural (the note below explains the mark too)
    marks = page.locator("[data-testid='stCaptionContainer']").filter(has_text=re.compile("^◆"))
    assert marks.count() == 5
    snap(page, "stats-compare-marks")
    page.locator(".st-key-legend_brussels").scroll_into_view_if_needed()
    snap(page, "stats-compare-marks-legends")
    assert watched.page_errors == []


def test_explore_arrondissements_outline_those_that_differ_and_the_switch_reverts(
    app: RunningApp, watched: Watched
) -> None:
    page = watched.page
    page.goto(app.url(view="explore", level="arrondissement", weighted=1, lang="nl"))
    wait_idle(page)
    wait_for_paths(page, at_least=43, timeout=90, stable=1.0)
    # the sample: Brussels, Neufchâteau and Namur (tests/views/test_estimates.py computes them)
    assert _outlined(page, ".st-key-explore_map_box") == 3
    legend = page.locator(".st-key-explore_legend")
    assert legend.locator("[data-kind='marked']").count() == 1
    assert "gewogen voor non-respons" in legend.inner_text()
    snap(page, "stats-explore-marks")
    page.locator(".st-key-weighted label").first.click()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('weighted') === '0'", timeout=60_000
    )
    wait_idle(page)
    assert "ongewogen" in page.locator(".st-key-explore_legend").inner_text()
    assert watched.page_errors == []
