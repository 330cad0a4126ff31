"""Switching the language on every view keeps every choice and translates every label."""

from __future__ import annotations

from typing import Any

import pytest
from harness import RunningApp, Watched, wait_idle

from geobaro import views
from geobaro.i18n import t

pytestmark = pytest.mark.browser

LINK = {
    "indicator": "n_domains",
    "level": "province",
    "scheme": "equal_interval",
    "k": "4",
    "scale": "panel",
    "region": "Wallonia",
    "commune": "62063",
    "vintage": "2019",
    "weighted": "1",
    "patterns_k": "7",
}
LANG_NAMES = {"fr": "Français", "nl": "Nederlands", "de": "Deutsch", "en": "English"}
LIEGE = {"fr": "Liège", "nl": "Luik", "de": "Lüttich", "en": "Liège"}
VIEWS = ("home", "explore", "compare", "commune", "data", "response", "patterns", "published")
#: Choices a view replaces by design when the link's do not apply to it: the patterns view
#: maps shares and scores only, the published view its own figures and levels. Once such a
#: view has been shown, the rest of the walk no longer expects the link's value for them.
REPLACES = {"patterns": {"indicator"}, "published": {"indicator", "level"}}


def _params(page: Any) -> dict[str, str]:
    return page.evaluate("Object.fromEntries(new URLSearchParams(location.search))")


def _wait_for_param(page: Any, name: str, value: str) -> None:
    page.wait_for_function(
        f"() => new URLSearchParams(location.search).get('{name}') === '{value}'",
        timeout=60_000,
    )
    wait_idle(page)


def _switch_language(page: Any, lang: str) -> None:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    box.locator("input").click()
    page.get_by_role("option", name=LANG_NAMES[lang], exact=True).click()
    _wait_for_param(page, "lang", lang)


def _selected(main: Any) -> list[str]:
    """The option shown by every selectbox of the view (its input holds the label)."""
    return list(
        main.locator("[data-testid='stSelectbox'] input").evaluate_all(
            "els => els.map(e => e.value)"
        )
    )


def _check_view(page: Any, view: str, lang: str, *, replaced: frozenset = frozenset()) -> None:
    title = t("app.home.title", lang) if view == "home" else t(f"app.view.{view}", lang)
    assert page.locator("h1").first.inner_text() == title
    params = _params(page)
    for name, value in LINK.items():
        if name not in replaced | REPLACES.get(view, set()):
            assert params.get(name) == value, (view, lang, name, params)
    assert params["view"] == view
    main = page.locator("[data-testid='stMain']")
    assert main.locator("[data-testid='stAlertContentError']").count() == 0
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert t(f"app.view.{view}", lang) in nav
    for radio in main.locator("[data-testid='stRadio']").all():
        assert radio.locator("input:checked").count() == 1, (view, lang, radio.inner_text())
    text = main.inner_text()
    selected = _selected(main)
    if view in {"explore", "compare", "commune"}:
        toggle = main.locator(".st-key-weighted input[type='checkbox']")
        assert toggle.is_checked(), (view, lang)
    if view == "patterns":
        assert main.locator(".st-key-patterns_k input").input_value() == "7"
    if view in {"explore", "compare"} and not replaced:
        assert selected[:3] == [
            views.indicator_label("n_domains", lang),
            t("app.level.province", lang),
            t("app.scheme.equal_interval", lang),
        ], (view, lang)
    if view == "compare":
        checked = main.locator("[data-testid='stRadio'] label:has(input:checked)").inner_text()
        assert checked.strip() == t("app.scale.panel", lang)
    if view == "explore":
        assert t("app.region.Wallonia", lang) in selected
    if view == "commune":
        assert page.locator("h3").first.inner_text() == LIEGE[lang]
    if view == "data":
        assert t("app.vintage.2019", lang) in selected
        assert t("app.source.sample", lang) in text


@pytest.mark.parametrize("view", VIEWS)
def test_language_switch_keeps_every_choice(app: RunningApp, watched: Watched, view: str) -> None:
    page = watched.page
    page.goto(app.url(view=view, lang="en", **LINK))
    _wait_for_param(page, "view", view)
    _check_view(page, view, "en")
    for lang in ("fr", "nl", "de", "en"):
        _switch_language(page, lang)
        _check_view(page, view, lang)
    _switch_language(page, "de")
    replaced = frozenset(REPLACES.get(view, set()))
    for other in VIEWS:
        page.locator("[data-testid='stSidebarNav'] a").filter(
            has_text=t(f"app.view.{other}", "de")
        ).first.click()
        _wait_for_param(page, "view", other)
        _check_view(page, other, "de", replaced=replaced)
        replaced |= REPLACES.get(other, set())
    assert watched.page_errors == []
