"""Every view in four languages at 1400 and 800 px: drawn without error, nothing wider than
the window, no control's label cut short, each map filled; screenshots in
``test-artefacts/browser/walk/``."""

from __future__ import annotations

from typing import Any

import pytest
from harness import ARTEFACTS, MAP_IFRAME, RunningApp, count_map_paths, snap, wait_idle

from geobaro.app.router import view_names
from geobaro.i18n import t

pytestmark = pytest.mark.browser

WALK = ARTEFACTS / "walk"
# the labels of the main area's controls that do not fit their box (shown ending in "…")
CUT_LABELS = """() => [...document.querySelectorAll(
    "[data-testid='stMain'] [data-testid='stWidgetLabel'] [data-testid='stMarkdownContainer']")]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent)"""


def _settle(page: Any, view: str) -> None:
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('view') === '{view}'", timeout=60_000
    )
    wait_idle(page)
    deadline = 60
    for _ in range(deadline * 4):  # every map has drawn its units
        frames = page.query_selector_all(MAP_IFRAME)
        counts = count_map_paths(page)
        if len(counts) == len(frames) and all(c > 0 for c in counts):
            break
        page.wait_for_timeout(250)
    page.wait_for_timeout(500)


@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_every_view_is_drawn_and_fits(app: RunningApp, browser: Any, lang: str, width: int) -> None:
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for view in view_names():
            page.goto(app.url(view=view, lang=lang, commune="62063", indicator="feels_concerned"))
            _settle(page, view)
            main = page.locator("[data-testid='stMain']")
            title = t("app.home.title", lang) if view == "home" else t(f"app.view.{view}", lang)
            assert page.locator("h1").first.inner_text() == title, (view, lang)
            assert main.locator("[data-testid='stAlertContentError']").count() == 0, view
            assert main.locator("[data-testid='stException']").count() == 0, view
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 1, (view, lang, width, wide)
            assert page.evaluate(CUT_LABELS) == [], (view, lang, width)
            counts = count_map_paths(page)
            assert all(c > 0 for c in counts), (view, counts)
            snap(page, f"{view}-{lang}-{width}", folder=WALK)
    finally:
        ctx.close()
    assert errors == []
