"""What only a browser shows: the app's maps drawn in Chromium, their colours, shared links,
the upload report, and hostile text staying text."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from harness import (
    MAP_IFRAME,
    PATHS,
    RunningApp,
    Watched,
    map_frames,
    snap,
    wait_for_paths,
    wait_idle,
)

pytestmark = pytest.mark.browser

NOTICE = ".st-key-illustrative_notice"


def _open(w: Watched, app: RunningApp, **query: str | int) -> Any:
    page = w.page
    page.goto(app.url(**query))
    wait_idle(page)
    return page


def _fills(page: Any, box: str = ".st-key-explore_map_box") -> list[str]:
    """Fill of every commune path, with the random ids of hatch patterns left out."""
    frame = page.query_selector(f"{box} {MAP_IFRAME}").content_frame()
    fills = frame.evaluate(
        f"[...document.querySelectorAll('{PATHS}')].map(p => p.getAttribute('fill'))"
    )
    return [re.sub(r"url\(#[^)]*?(cross|diagonal)\)", r"url(#\1)", f or "") for f in fills]


def _choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_commune_map_draws_589_shapes_with_legend_and_notice(
    app: RunningApp, watched: Watched
) -> None:
    page = _open(watched, app, view="explore", level="commune", indicator="feels_concerned")
    counts = wait_for_paths(page, at_least=589, timeout=60)
    assert counts[0] == 589
    assert page.locator(NOTICE).first.is_visible()
    assert "Illustrative data" in page.locator(NOTICE).first.inner_text()
    legend = page.locator(".st-key-explore_legend")
    assert legend.is_visible()
    assert legend.locator("span[style*='background']").count() >= 2
    fills = _fills(page)
    assert len(set(fills)) >= 2  # a choropleth, not one flat colour
    snap(page, "explore-commune")
    assert watched.dialogs == []
    assert watched.page_errors == []


def test_the_server_warmed_up_at_start(app: RunningApp) -> None:
    """``streamlit run streamlit_app.py`` runs the ``st.App`` lifespan (`geobaro.app.warm`)."""
    deadline = time.monotonic() + 60
    while "geobaro.app.warm: warmed up in" not in app.log_text():
        assert time.monotonic() < deadline, app.log_text()[-3000:]
        time.sleep(0.2)
    assert "warming up failed" not in app.log_text()


def test_indicator_change_recolours_the_communes(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="explore", level="commune", indicator="feels_concerned")
    wait_for_paths(page, at_least=589, timeout=60, stable=0.5)
    before = _fills(page)
    page.goto(app.url(view="explore", level="commune", indicator="has_project_officer"))
    wait_idle(page)
    wait_for_paths(page, at_least=589, timeout=60, stable=0.5)
    after = _fills(page)
    assert len(before) == len(after) == 589
    changed = sum(a != b for a, b in zip(before, after, strict=True))
    assert changed > 20, changed
    snap(page, "explore-commune-officer")


def test_indicator_widget_switch_recolours(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="explore", level="commune", indicator="feels_concerned")
    wait_for_paths(page, at_least=589, timeout=60, stable=0.5)
    before = _fills(page)
    _choose(page, "Indicator", "Has a Smart City project officer")
    wait_idle(page)
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('indicator') === 'has_project_officer'",
        timeout=30_000,
    )
    wait_for_paths(page, at_least=589, timeout=60, stable=1.0)
    after = _fills(page)
    assert sum(a != b for a, b in zip(before, after, strict=True)) > 20
    snap(page, "explore-switched-by-widget")


def test_compare_view_shows_three_region_maps(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="compare", indicator="feels_concerned", level="commune")
    counts = wait_for_paths(page, at_least=19, maps=3, timeout=60, stable=0.5)
    boxes = {
        region: page.query_selector(f".st-key-compare_map_{region}_box {MAP_IFRAME}")
        for region in ("wallonia", "flanders", "brussels")
    }
    drawn = {
        region: box.content_frame().evaluate(f"document.querySelectorAll('{PATHS}').length")
        for region, box in boxes.items()
    }
    assert drawn == {"wallonia": 262, "flanders": 308, "brussels": 19}, counts
    assert page.locator(NOTICE).first.is_visible()
    for region in ("wallonia", "flanders", "brussels"):
        assert page.locator(f".st-key-legend_{region}").is_visible()
    snap(page, "compare")


def test_shared_link_reopens_the_same_view(app: RunningApp, browser: Any) -> None:
    query = {
        "view": "explore",
        "indicator": "dedicated_plan",
        "level": "province",
        "scheme": "equal_interval",
        "k": 4,
        "lang": "fr",
    }
    first = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = first.new_page()
    page.goto(app.url(**query))
    wait_idle(page)
    wait_for_paths(page, at_least=11, timeout=60, stable=0.5)
    shared = page.url  # what the user copies from the address bar
    fills = _fills(page)
    title = page.locator("h1").first.inner_text()
    first.close()

    second = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = second.new_page()
    other.goto(shared)
    wait_idle(other)
    wait_for_paths(other, at_least=11, timeout=60, stable=0.5)
    params = other.evaluate("Object.fromEntries(new URLSearchParams(location.search))")
    for key, value in query.items():
        assert params.get(key) == str(value), key
    assert _fills(other) == fills
    assert other.locator("h1").first.inner_text() == title
    snap(other, "shared-link")
    second.close()


def _upload(page: Any, name: str, text: str) -> None:
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    # the app reruns once after a usable upload (it switches the source): wait for both runs
    page.wait_for_selector(".st-key-upload_report [data-testid='stMetricValue']", timeout=60_000)
    wait_idle(page)
    page.wait_for_selector(".st-key-upload_report [data-testid='stDataFrame']", timeout=30_000)
    wait_idle(page)


def test_upload_with_bad_rows_shows_the_report(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="data")
    csv = (
        "nis_code,response_status,feels_concerned\n"
        "62063,answered,yes\n"  # Liège: good
        "21004,answered,maybe\n"  # answer outside the allowed set
        "99999,answered,no\n"  # unknown commune
        "62063,answered,no\n"  # duplicate
        "44021,answered,partly\n"  # Gent: good
    )
    _upload(page, "bad_rows.csv", csv)
    report = page.locator(".st-key-upload_report")
    text = report.inner_text()
    assert "bad_rows.csv" in text
    metrics = [m.inner_text() for m in report.locator("[data-testid='stMetricValue']").all()]
    # both rows of the duplicated commune are rejected: only Gent is used
    assert metrics == ["5", "1", "4"], metrics
    assert "5 rows read: 1 used, 4 rejected" in text
    grid = report.locator("[data-testid='stDataFrame']")
    assert grid.is_visible()
    grid.locator("[role='gridcell']").first.wait_for(state="attached")
    cells = grid.locator("[role='gridcell']").all_text_contents()
    for value in ("maybe", "99999", "62063"):
        assert any(value in c for c in cells), (value, cells)
    assert "44021" not in " ".join(cells)
    snap(page, "upload-report")
    assert watched.page_errors == []


HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_VALUE = "<img src=x onerror=alert(1)>"


def test_hostile_text_in_a_survey_file_runs_nothing(app: RunningApp, watched: Watched) -> None:
    page = _open(watched, app, view="data")
    fetched_x: list[str] = []  # an <img src=x> that became an element would request ./x
    page.on(
        "request", lambda r: fetched_x.append(r.url) if r.url.rstrip("/").endswith("/x") else None
    )
    csv = (
        "commune,response_status,feels_concerned\n"
        f"{HOSTILE_NAME},answered,yes\n"
        f'Liège,answered,"{HOSTILE_VALUE}"\n'
        "Gent,answered,yes\n"
    )
    _upload(page, f"{HOSTILE_VALUE}.csv", csv)
    report = page.locator(".st-key-upload_report")
    page.wait_for_timeout(1500)  # give an injected handler time to fire
    text = report.inner_text()
    # the report shows the hostile text as text, never as elements
    assert f"{HOSTILE_VALUE}.csv" in text
    grid = report.locator("[data-testid='stDataFrame']")
    assert grid.is_visible()
    # the grid paints on a canvas; its accessible twin table holds the cell texts
    grid.locator("[role='gridcell']").first.wait_for(state="attached")
    cells = grid.locator("[role='gridcell']").all_text_contents()
    assert HOSTILE_NAME in cells, cells
    assert HOSTILE_VALUE in cells, cells
    assert page.locator("img[src='x']").count() == 0
    for frame in page.frames:
        assert frame.locator("img[src='x']").count() == 0
    assert watched.dialogs == []
    assert fetched_x == []
    assert not [e for e in watched.console_errors if "alert" in e or "/x" in e], (
        watched.console_errors
    )
    assert watched.page_errors == []
    snap(page, "upload-hostile")


def test_no_frame_loads_anything_from_outside(app: RunningApp, watched: Watched) -> None:
    outside: list[str] = []
    watched.page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((app.base_url, "data:", "blob:", "about:"))
            and "127.0.0.1" not in r.url
            else None
        ),
    )
    page = _open(watched, app, view="explore", level="region", indicator="feels_concerned")
    wait_for_paths(page, at_least=3, timeout=60)
    assert outside == []
    assert len(map_frames(page)) == 1
    snap(page, "explore-region-offline")


def _click_unit(page: Any, box: str, index: int) -> None:
    """Click the ``index``-th unit drawn on the map in ``box`` (in the map's own frame)."""
    frame = page.query_selector(f"{box} {MAP_IFRAME}").content_frame()
    frame.locator(PATHS).nth(index).dispatch_event("click")


def test_a_click_on_the_map_opens_the_profile_without_moving_the_page(
    app: RunningApp, watched: Watched
) -> None:
    page = _open(watched, app, view="explore", level="commune", indicator="feels_concerned")
    wait_for_paths(page, at_least=589, timeout=60, stable=0.5)
    hint = page.locator(".st-key-open_profile_hint button")
    assert hint.is_visible()
    top = hint.bounding_box()["y"]
    scrolled = page.evaluate("window.scrollY")
    _click_unit(page, ".st-key-explore_map_box", 100)
    button = page.locator(".st-key-open_profile button")
    button.wait_for(state="visible", timeout=30_000)
    wait_idle(page)
    assert page.evaluate("window.scrollY") == scrolled
    assert abs(button.bounding_box()["y"] - top) < 2  # where the hint was: nothing moved
    assert button.bounding_box()["y"] < 900  # within the first screen
    snap(page, "explore-clicked")
    button.click()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('view') === 'commune'", timeout=30_000
    )
    wait_idle(page)
    first = dict(page.evaluate("Object.fromEntries(new URLSearchParams(location.search))"))[
        "commune"
    ]
    assert len(first) == 5
    assert page.locator("h3").first.is_visible()  # the profile's name
    wait_for_paths(page, at_least=19, timeout=60, stable=0.5)
    _click_unit(page, ".st-key-commune_map_box", 3)
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('commune') !== '{first}'",
        timeout=30_000,
    )
    wait_idle(page)
    snap(page, "commune-clicked")
    assert watched.page_errors == []
