"""The static site opens from file:// in Chromium, offline, and its pages draw their maps."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from harness import PATHS, snap

from geobaro.export.site import SiteResult, export_site
from geobaro.i18n import t
from geobaro.views import indicator_label

NOTICE = t("app.illustrative.notice", "en")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    """A site of one share indicator (all levels, compare and home pages) on disk."""
    return export_site(tmp_path_factory.mktemp("site"), indicators=["feels_concerned"])


@pytest.fixture
def offline_page(browser: Any) -> Any:
    """A page whose every request other than file:// is refused and recorded."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.outside = []  # type: ignore[attr-defined]

    def route(r: Any) -> None:
        page.outside.append(r.request.url)  # type: ignore[attr-defined]
        r.abort()

    ctx.route("http*://**", route)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    yield page
    ctx.close()


def _frame_paths(page: Any) -> list[int]:
    counts = []
    for handle in page.query_selector_all("iframe.map"):
        frame = handle.content_frame()
        frame.wait_for_load_state()
        counts.append(frame.evaluate(f"document.querySelectorAll('{PATHS}').length"))
    return counts


@pytest.mark.parametrize(
    ("page_path", "expected"),
    [
        ("maps/commune-feels_concerned.html", [589]),
        ("maps/province-feels_concerned.html", [11]),
        ("maps/region-feels_concerned.html", [3]),
        ("maps/compare-feels_concerned.html", [262, 308, 19]),
        ("home.html", [3]),
    ],
)
def test_page_draws_its_maps_offline(
    static_site: SiteResult, offline_page: Any, page_path: str, expected: list[int]
) -> None:
    page = offline_page
    page.goto((static_site.out_dir / page_path).as_uri())
    page.wait_for_function(
        f"""() => {{
            const fs = [...document.querySelectorAll('iframe.map')];
            return fs.length === {len(expected)} && fs.every(f => f.contentDocument &&
                f.contentDocument.querySelectorAll('{PATHS}').length > 0);
        }}""",
        timeout=30_000,
    )
    assert _frame_paths(page) == expected
    assert page.outside == []  # nothing fetched from a network
    assert page.errors == []
    if page_path != "home.html":
        assert page.locator(".notice").inner_text() == NOTICE
        assert page.locator(".notice").is_visible()
    assert page.locator(".gb-legend .gb-row").count() >= 2
    snap(page, "site-" + Path(page_path).stem)


def test_index_links_open_pages(static_site: SiteResult, offline_page: Any) -> None:
    page = offline_page
    page.goto(static_site.index.as_uri())
    assert page.locator(".notice").is_visible()
    links = page.locator("a", has_text="map")
    assert links.count() == 3
    links.first.click()
    page.wait_for_load_state()
    assert page.url.endswith("maps/commune-feels_concerned.html")
    page.wait_for_function(
        f"() => document.querySelector('iframe.map').contentDocument"
        f".querySelectorAll('{PATHS}').length === 589",
        timeout=30_000,
    )
    snap(page, "site-index-to-commune")
    assert page.outside == []


def test_site_served_by_a_plain_static_server(static_site: SiteResult, browser: Any) -> None:
    """Any static host works: Python's http.server on 127.0.0.1 serves the pages as files."""
    import functools
    import http.server
    import threading

    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(static_site.out_dir)
    )
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_local)
    try:
        page = ctx.new_page()
        page.goto(base + "maps/compare-feels_concerned.html")
        page.wait_for_function(
            f"""() => {{
                const fs = [...document.querySelectorAll('iframe.map')];
                return fs.length === 3 && fs.every(f => f.contentDocument &&
                    f.contentDocument.querySelectorAll('{PATHS}').length > 0);
            }}""",
            timeout=30_000,
        )
        assert _frame_paths(page) == [262, 308, 19]
        csv = page.request.get(base + "data/commune-feels_concerned.csv")
        assert csv.ok
        assert b"illustrative" in csv.body()
        assert outside == []
        snap(page, "site-served-compare")
    finally:
        ctx.close()
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def switch_site(tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    """Commune and compare pages of two share indicators (no home page)."""
    return export_site(
        tmp_path_factory.mktemp("switch-site"),
        indicators=["feels_concerned", "has_project_officer"],
        levels=["commune"],
        home=False,
    )


def _fills(page: Any) -> list[str]:
    frame = page.query_selector("iframe.map").content_frame()
    fills = frame.evaluate(
        f"[...document.querySelectorAll('{PATHS}')].map(p => p.getAttribute('fill'))"
    )
    # hatch patterns get a fresh element id in every drawn map: compare the style, not the id
    return [re.sub(r"url\(#[^)]*\)", "url(#pattern)", str(f)) for f in fills]


def _drawn(page: Any, key: str) -> None:
    page.wait_for_function(
        f"""key => {{
            const f = document.querySelector('iframe.map');
            return f.dataset.key === key && f.contentDocument &&
                f.contentDocument.querySelectorAll('{PATHS}').length === 589;
        }}""",
        arg=key,
        timeout=30_000,
    )


@pytest.mark.parametrize("served", [False, True], ids=["file", "http"])
def test_indicator_switch_keeps_the_geometry(
    switch_site: SiteResult, browser: Any, served: bool
) -> None:
    """Switching indicator loads one small values file; the geometry is not requested again."""
    import functools
    import http.server
    import threading

    server = None
    base = switch_site.out_dir.as_uri() + "/"
    if served:
        handler = functools.partial(
            http.server.SimpleHTTPRequestHandler, directory=str(switch_site.out_dir)
        )
        handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(base + "maps/commune-feels_concerned.html")
        _drawn(page, "commune-feels_concerned/0")
        before = _fills(page)
        legend_before = page.locator("#gb-legend").inner_text()
        assert sum(u.endswith("/assets/geometry.js") for u in requests) == 1
        requests.clear()
        page.select_option("#gb-indicator", "commune-has_project_officer")
        _drawn(page, "commune-has_project_officer/0")
        after = _fills(page)
        assert after != before
        assert [u for u in requests if "geometry" in u] == []
        assert any(u.endswith("data/values/commune-has_project_officer.js") for u in requests)
        heading = page.locator("h1").inner_text()
        assert heading.startswith(indicator_label("has_project_officer", "en"))
        assert page.locator("#gb-legend").inner_text() != legend_before
        assert page.locator("#gb-downloads a").first.get_attribute("href") == (
            "../data/commune-has_project_officer.csv"
        )
        assert page.url.endswith("#commune-has_project_officer")
        assert page.locator(".notice").inner_text() == NOTICE
        snap(page, f"site-switch-{'http' if served else 'file'}")
        # the same map as the indicator's own page, loaded fresh
        own = ctx.new_page()
        own.goto(base + "maps/commune-has_project_officer.html")
        _drawn(own, "commune-has_project_officer/0")
        assert _fills(own) == after
        assert own.locator("#gb-legend").inner_text() == page.locator("#gb-legend").inner_text()
        # and back: the page's own table again
        page.select_option("#gb-indicator", "commune-feels_concerned")
        _drawn(page, "commune-feels_concerned/0")
        assert _fills(page) == before
        assert page.locator("#gb-table table tbody tr").count() == 589
        assert errors == []
    finally:
        ctx.close()
        if server is not None:
            server.shutdown()
            server.server_close()


def _panels_drawn(page: Any, stem: str) -> None:
    page.wait_for_function(
        f"""stem => {{
            const fs = [...document.querySelectorAll('iframe.map')];
            return fs.length === 3 && fs.every((f, i) => f.dataset.key === stem + '/' + i &&
                f.contentDocument &&
                f.contentDocument.querySelectorAll('{PATHS}').length > 0);
        }}""",
        arg=stem,
        timeout=30_000,
    )


def _panel_fills(page: Any) -> list[list[str]]:
    out = []
    for handle in page.query_selector_all("iframe.map"):
        fills = handle.content_frame().evaluate(
            f"[...document.querySelectorAll('{PATHS}')].map(p => p.getAttribute('fill'))"
        )
        out.append([re.sub(r"url\(#[^)]*\)", "url(#pattern)", str(f)) for f in fills])
    return out


def test_compare_page_switches_its_three_maps(switch_site: SiteResult, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = switch_site.out_dir.as_uri() + "/maps/"
    try:
        page.goto(base + "compare-feels_concerned.html")
        _panels_drawn(page, "compare-feels_concerned")
        before = _panel_fills(page)
        summaries = page.locator(".panel .summary").all_inner_texts()
        requests.clear()
        page.select_option("#gb-indicator", "compare-has_project_officer")
        _panels_drawn(page, "compare-has_project_officer")
        after = _panel_fills(page)
        assert [len(f) for f in after] == [262, 308, 19]
        assert after != before
        assert [u for u in requests if "geometry" in u] == []
        assert page.locator(".panel .summary").all_inner_texts() != summaries
        assert (
            page.locator("h1").inner_text().startswith(indicator_label("has_project_officer", "en"))
        )
        assert page.locator(".panel .gb-legend").count() == 3
        snap(page, "site-compare-switch")
        own = ctx.new_page()
        own.goto(base + "compare-has_project_officer.html")
        _panels_drawn(own, "compare-has_project_officer")
        assert _panel_fills(own) == after
        assert own.locator(".panel .summary").all_inner_texts() == (
            page.locator(".panel .summary").all_inner_texts()
        )
        assert own.locator("#gb-rural").inner_text() == page.locator("#gb-rural").inner_text()
        assert errors == []
    finally:
        ctx.close()


def test_published_province_map_writes_five_values(
    static_site: SiteResult, offline_page: Any
) -> None:
    """2018-BE by province: the 5 published provinces carry their values, 6 are not published."""
    from geobaro.published import load_published

    page = offline_page
    slug = "published-2018-BE-progress_score_mean-province"
    page.goto((static_site.out_dir / "published" / f"{slug}.html").as_uri())
    page.wait_for_function(
        f"() => document.querySelector('iframe.map').contentDocument"
        f".querySelectorAll('{PATHS}').length === 11",
        timeout=30_000,
    )
    frame = page.query_selector("iframe.map").content_frame()
    labels = frame.evaluate(
        "[...document.querySelectorAll('.gb-value-label')].map(e => [e.dataset.nis, e.innerText])"
    )
    figures = load_published().query(
        "wave == '2018-BE' and indicator == 'progress_score_mean' and breakdown == 'province'"
    )
    assert len(labels) == 5
    assert sorted(text for _, text in labels) == sorted(f"{v:.2f}/10" for v in figures["value"])
    assert "4.80/10" in [text for _, text in labels]  # Hainaut
    rows = page.locator("#gb-table tbody tr")
    assert rows.count() == 11
    not_published = t("published.status.no_data", "en")
    statuses = rows.locator("td:nth-child(3)").all_inner_texts()
    assert statuses.count(not_published) == 6
    assert page.locator(".gb-legend").inner_text().count(not_published) >= 1
    sources = page.locator("#gb-sources a[href^='https://']")
    assert sources.count() >= 1
    assert page.locator("#gb-table a[href^='https://']").count() == 5
    assert page.outside == []
    assert page.errors == []
    assert page.locator(".notice").count() == 0  # published figures, not the sample
    snap(page, "site-published-2018-BE-province")


def test_published_trend_page_shows_charts_and_sources(
    static_site: SiteResult, offline_page: Any
) -> None:
    page = offline_page
    page.goto(static_site.index.as_uri())
    page.locator("#gb-published a", has_text=t("published.series.progress_score", "en")).click()
    page.wait_for_load_state()
    assert page.url.endswith("published/trend-progress_score.html")
    images = page.locator(".charts img")
    assert images.count() >= 4  # Belgium, Wallonia, Flanders, Brussels (and provinces)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.charts img')].every(i => i.complete && "
        "i.naturalWidth > 0)",
        timeout=30_000,
    )
    assert page.locator("#gb-points tbody tr").count() >= images.count()
    assert page.locator("#gb-points a[href^='https://']").count() >= images.count()
    assert page.outside == []
    assert page.errors == []
    snap(page, "site-published-trend-progress_score")
