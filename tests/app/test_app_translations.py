"""A French, Dutch or German page shows no text of the English catalogue."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.app.router import view_names
from geobaro.i18n import load_catalog

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow
_ATTRS = ("value", "label", "options", "placeholder", "help", "body")


def english_only(lang: str, *, shortest: int = 12) -> dict[str, str]:
    """EN texts (their longest literal part) that the ``lang`` catalogue words otherwise."""
    english, other = load_catalog("en"), load_catalog(lang)
    fragments = {}
    for key, text in english.items():
        theirs = other.get(key, text)
        if theirs == text:
            continue
        parts = [p.strip(" .,:;()«»“”„\"'*\n") for p in re.split(r"\{[^}]*\}", text)]
        longest = max(parts, key=len, default="")
        # two words at least: a single word may be the same in both languages (illustrative)
        if len(longest) >= shortest and " " in longest and longest not in theirs:
            fragments[key] = longest
    return fragments


def page_texts(node: Any) -> list[str]:
    """Every text of an AppTest element tree: values, labels, options, help, placeholders."""
    texts: list[str] = []
    for attr in _ATTRS:
        try:
            value = getattr(node, attr, None)
        except Exception:  # some elements compute values lazily and may not have one
            value = None
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list | tuple):
            texts.extend(str(v) for v in value)
    children = getattr(node, "children", None) or {}
    for child in children.values():
        texts.extend(page_texts(child))
    return texts


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
@pytest.mark.parametrize("view", view_names())
def test_a_page_shows_no_english_only_text(view, lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(view=view, lang=lang, commune="62063")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    # shown as given, labelled so: the boundary licences' attribution (their publishers'
    # wording) and the file format's reference document (SCHEMA.md, "in English")
    verbatim = set(page_texts(at.get_by_key("attribution")))
    if view == "data":
        verbatim.update(page_texts(at.get_by_key("schema_doc").children[0].children[0]))
    texts = [x for x in page_texts(at.main) + page_texts(at.sidebar) if x not in verbatim]
    shown = "\n".join(texts).replace("\\", "")
    found = {key: text for key, text in english_only(lang).items() if text in shown}
    assert found == {}, (view, lang, found)


def test_the_check_sees_english_text():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(view="explore", lang="en")
    at.run()
    shown = "\n".join(page_texts(at.main) + page_texts(at.sidebar))
    assert any(text in shown for text in english_only("de").values())
