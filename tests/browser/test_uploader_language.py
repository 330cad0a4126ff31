"""The file uploader's button and size limit are in the page's language, not in English."""

from __future__ import annotations

import pytest
from harness import RunningApp, Watched, snap, wait_idle

from geobaro.i18n import t

pytestmark = pytest.mark.browser

_TEXTS = """() => {
  const zone = document.querySelector("[data-testid='stFileUploaderDropzone']");
  const p = zone.querySelector("[data-testid='stBaseButton-secondary'] p");
  const s = zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span");
  const after = (e) => getComputedStyle(e, '::after').content.replace(/^"|"$/g, '');
  return [after(p), after(s), getComputedStyle(p).fontSize, getComputedStyle(s).fontSize];
}"""


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_uploader_texts_are_in_the_page_language(
    app: RunningApp, watched: Watched, lang: str
) -> None:
    page = watched.page
    page.goto(app.url(view="data", lang=lang))
    wait_idle(page)
    page.wait_for_selector("[data-testid='stFileUploaderDropzone']", timeout=60_000)
    button, limit, button_size, limit_size = page.evaluate(_TEXTS)
    assert button == t("app.data.uploader_button", lang)
    assert limit.startswith("10")
    assert "CSV" in limit
    assert limit == t("app.data.uploader_limit", lang, mb="10")
    # Streamlit's own English words are there but not drawn
    assert button_size == limit_size == "0px"
    snap(page, f"uploader-{lang}")
