"""The published-figures page in Chromium: the 2018 province map with its values, and trends."""

from __future__ import annotations

from typing import Any

import pytest
from harness import MAP_IFRAME, PATHS, RunningApp, Watched, snap, wait_for_paths, wait_idle

pytestmark = pytest.mark.browser

PROVINCE_VALUES = {
    "10000": "4.42/10",
    "20001": "3.00/10",
    "20002": "4.29/10",
    "50000": "4.80/10",
    "60000": "2.68/10",
}


def _frame(page: Any, box: str) -> Any:
    return page.query_selector(f"{box} {MAP_IFRAME}").content_frame()


def test_2018_province_map_labels_five_provinces_and_marks_the_others_not_published(
    app: RunningApp, watched: Watched
) -> None:
    page = watched.page
    page.goto(
        app.url(view="published", wave="2018-BE", indicator="progress_score_mean", level="province")
    )
    wait_idle(page)
    counts = wait_for_paths(page, at_least=3, maps=2, timeout=90, stable=1.0)
    assert counts[0] == 11  # ten provinces and Brussels
    frame = _frame(page, ".st-key-published_map_box")
    frame.wait_for_selector(".gb-value-label")
    labels = frame.evaluate(
        "[...document.querySelectorAll('.gb-value-label')]"
        ".map(e => [e.dataset.nis, e.textContent, e.getBoundingClientRect().width > 0])"
    )
    assert {code: text for code, text, _ in labels} == PROVINCE_VALUES
    assert all(visible for *_, visible in labels)
    styles = frame.evaluate(
        f"[...document.querySelectorAll('{PATHS}')]"
        ".map(p => [p.getAttribute('fill'), p.getAttribute('stroke-dasharray')])"
    )
    dashed = [fill for fill, dash in styles if dash]
    assert len(dashed) == 6  # not published: the neutral no-data style, never a colour
    assert set(dashed) == {"#ffffff"}
    coloured = {fill for fill, dash in styles if not dash}
    assert len(coloured) >= 2
    assert "#ffffff" not in coloured
    legend = page.locator(".st-key-published_legend")
    assert "not published (6)" in " ".join(legend.inner_text().split())
    sources = page.locator(".st-key-published_sources")
    assert "https://regional-it.be/?p=29325" in sources.inner_text()
    # the table of figures spans the page under map and legend: its source column is not cut
    table = page.locator(".st-key-published_table_box").bounding_box()
    main = page.locator("[data-testid='stMainBlockContainer']").bounding_box()
    assert table is not None
    assert main is not None
    assert table["width"] >= 0.9 * (main["width"] - 2 * 48), (table, main)
    page.locator(".st-key-published_map_box").scroll_into_view_if_needed()
    snap(page, "published-2018-province")
    assert watched.page_errors == []
    assert watched.dialogs == []


def test_trend_charts_draw_each_group_with_its_points(app: RunningApp, watched: Watched) -> None:
    page = watched.page
    page.goto(app.url(view="published", wave="2021-WAL", indicator="progress_score_mean"))
    wait_idle(page)
    charts = page.locator(".st-key-published_trends [data-testid='stVegaLiteChart']")
    charts.first.wait_for(timeout=60_000)
    assert charts.count() >= 9  # Belgium, three regions, five provinces
    box = charts.nth(1)  # Wallonia
    box.locator("canvas, svg").first.wait_for(timeout=30_000)
    size = box.bounding_box()
    assert size is not None
    assert size["width"] > 150
    assert size["height"] > 120
    text = box.inner_text()
    assert "Wallonia" in text  # the chart of one group, titled by it
    for value in ("3.67/10", "3.72/10", "3.00/10", "4.31/10"):
        assert value in text  # every point written on the chart
    assert box.locator("svg path, canvas").count() >= 1
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box.screenshot(path=str(snap_path(page, "published-trend-wallonia")))
    headlines = page.locator(".st-key-published_headlines").inner_text()
    assert "3.67/10 in Walloon barometer 2018 → 4.31/10 in Walloon barometer 2021" in headlines
    counts = wait_for_paths(page, at_least=3, maps=2, timeout=60)
    assert counts[1] == 3  # the change map: three regions
    change = page.locator(".st-key-change_legend").inner_text()
    assert "noise cannot be assessed" in change
    page.locator(".st-key-published_trends").scroll_into_view_if_needed()
    snap(page, "published-trends")
    assert watched.page_errors == []


def snap_path(page: Any, name: str) -> Any:
    """Return where the screenshot of one element goes (beside the page screenshots)."""
    return snap(page, f"{name}-page").with_name(f"{name}.png")
