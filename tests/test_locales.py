"""Every text a user reads exists in FR, NL, DE and EN: each catalogue has the others' keys."""

from __future__ import annotations

import json
import re
import string
from collections import defaultdict
from importlib import resources

import pytest

from geobaro.vocabulary import LANGS

_FOLDER = resources.files("geobaro").joinpath("locales")


def _flatten(data: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, name))
        else:
            out[name] = value
    return out


def _catalogues() -> dict[str, dict[str, dict[str, str]]]:
    """prefix -> language -> key -> text, from every ``locales/<prefix>.<lang>.json``."""
    found: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for entry in _FOLDER.iterdir():
        parts = entry.name.split(".")
        if len(parts) == 3 and parts[2] == "json":
            found[parts[0]][parts[1]] = _flatten(json.loads(entry.read_text(encoding="utf-8")))
    return dict(found)


CATALOGUES = _catalogues()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_there_are_catalogues():
    assert {"app", "maps"} <= set(CATALOGUES)


@pytest.mark.parametrize("prefix", sorted(CATALOGUES))
def test_a_catalogue_exists_in_every_language(prefix):
    assert set(CATALOGUES[prefix]) == set(LANGS), prefix


@pytest.mark.parametrize("prefix", sorted(CATALOGUES))
@pytest.mark.parametrize("lang", LANGS)
def test_no_language_lacks_a_key_another_has(prefix, lang):
    by_lang = CATALOGUES[prefix]
    every = set().union(*(set(keys) for keys in by_lang.values()))
    missing = sorted(every - set(by_lang.get(lang, {})))
    assert missing == [], f"{prefix}.{lang}.json lacks {missing}"


@pytest.mark.parametrize("prefix", sorted(CATALOGUES))
@pytest.mark.parametrize("lang", LANGS)
def test_texts_are_filled_in_and_take_the_same_fields(prefix, lang):
    english = CATALOGUES[prefix].get("en", {})
    for key, text in CATALOGUES[prefix].get(lang, {}).items():
        assert isinstance(text, str), (prefix, lang, key)
        assert text.strip(), f"{prefix}.{lang}.json: {key} is empty"
        if key in english:
            assert _fields(text) == _fields(english[key]), (prefix, lang, key)


def english_only_fragments(lang: str, *, shortest: int = 12) -> dict[str, str]:
    """EN texts (or their longest literal part) that the ``lang`` catalogue words otherwise."""
    english: dict[str, str] = {}
    other: dict[str, str] = {}
    for by_lang in CATALOGUES.values():
        english.update(by_lang.get("en", {}))
        other.update(by_lang.get(lang, {}))
    fragments = {}
    for key, text in english.items():
        if other.get(key, text) == text:
            continue
        parts = [p.strip(" .,:;()«»“”„\"'") for p in re.split(r"\{[^}]*\}", text)]
        longest = max(parts, key=len, default="")
        if len(longest) >= shortest and longest not in other.get(key, ""):
            fragments[key] = longest
    return fragments


def test_english_fragments_are_found_for_every_other_language():
    for lang in ("fr", "nl", "de"):
        assert len(english_only_fragments(lang)) > 50, lang
