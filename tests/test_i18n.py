"""Tests of geobaro.i18n: catalogues, fallbacks, merged locale files, names and numbers."""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as hst

from geobaro import i18n
from geobaro.i18n import (
    LANGS,
    format_integer,
    format_number,
    format_share,
    load_catalog,
    t,
    unit_name,
)

LOCALES = Path(i18n.__file__).parent / "locales"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.fixture
def fake_locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty ``locales/`` folder that i18n reads instead of the packaged one."""
    folder = tmp_path / "locales"
    folder.mkdir()
    monkeypatch.setattr(i18n.resources, "files", lambda _package: tmp_path)
    load_catalog.cache_clear()
    yield folder
    load_catalog.cache_clear()


def test_every_map_string_exists_in_every_language_with_the_same_placeholders() -> None:
    english = json.loads((LOCALES / "maps.en.json").read_text(encoding="utf-8"))
    assert english, "no English map strings"
    for lang in LANGS:
        strings = json.loads((LOCALES / f"maps.{lang}.json").read_text(encoding="utf-8"))
        assert set(strings) == set(english), lang
        for key, text in strings.items():
            assert text.strip(), (lang, key)
            assert placeholders(text) == placeholders(english[key]), (lang, key)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Données illustratives — pas les vraies réponses de l'enquête"),
        ("nl", "Illustratieve gegevens — niet de echte antwoorden van de enquête"),
        ("en", "Illustrative data — not the real survey responses"),
        ("de", "Illustrative Daten — nicht die echten Antworten der Umfrage"),
    ],
)
def test_illustrative_notice(lang: str, expected: str) -> None:
    assert t("maps.illustrative", lang) == expected  # type: ignore[arg-type]


def test_fallback_german_to_english_then_the_key(fake_locales: Path) -> None:
    (fake_locales / "maps.en.json").write_text('{"maps.a": "A", "maps.b": "B"}', "utf-8")
    (fake_locales / "maps.de.json").write_text('{"maps.a": "Ä"}', "utf-8")
    (fake_locales / "maps.fr.json").write_text('{"maps.b": "Bé"}', "utf-8")
    assert t("maps.a", "de") == "Ä"
    assert t("maps.b", "de") == "B"  # English, not French
    assert t("maps.c", "de") == "maps.c"
    assert t("maps.b", "nl") == "B"


def test_all_files_of_a_language_are_merged_flat_or_nested(fake_locales: Path) -> None:
    (fake_locales / "maps.fr.json").write_text('{"maps.status.refused": "a refusé"}', "utf-8")
    (fake_locales / "app.fr.json").write_text(
        json.dumps({"app": {"title": "Baromètre"}, "status": {"ok": "bon"}}), "utf-8"
    )
    (fake_locales / "broken.fr.json").write_text("{not json", "utf-8")
    (fake_locales / "README.md").write_text("not a locale", "utf-8")
    assert t("maps.status.refused", "fr") == "a refusé"
    assert t("app.title", "fr") == "Baromètre"
    assert t("app.status.ok", "fr") == "bon"  # keys without prefix get the file's prefix
    assert t("status.ok", "fr") == "bon"


def test_formatting_and_its_failures() -> None:
    assert t("maps.legend.count", "fr", count=4) == "4 unités"
    assert t("maps.legend.count", "en") == "{count} units"
    assert t("maps.legend.count", "en", other=1) == "{count} units"


@pytest.mark.parametrize(
    ("lang", "expected"), [("fr", "66\u00a0%"), ("de", "66\u00a0%"), ("en", "66%"), ("nl", "66%")]
)
def test_shares_are_written_per_language(lang: str, expected: str) -> None:
    assert format_share(0.66, lang) == expected  # type: ignore[arg-type]


def test_numbers_per_language() -> None:
    assert format_number(1234567.891, "en", decimals=2) == "1,234,567.89"
    assert format_number(1234567.891, "nl", decimals=2) == "1.234.567,89"
    assert format_number(1234567.891, "fr", decimals=2) == "1\u202f234\u202f567,89"
    assert format_share(float("nan"), "en") == "–"
    assert format_number(None, "fr") == "–"


@pytest.mark.parametrize(
    ("lang", "thousands", "decimal"),
    [("fr", "\u202f", ","), ("nl", ".", ","), ("de", ".", ","), ("en", ",", ".")],
)
def test_separators_follow_each_languages_locale(lang: str, thousands: str, decimal: str) -> None:
    assert format_number(9876543.21, lang, decimals=1) == f"9{thousands}876{thousands}543{decimal}2"  # type: ignore[arg-type]
    assert format_integer(11492641, lang) == f"11{thousands}492{thousands}641"  # type: ignore[arg-type]
    assert format_share(0.1234, lang, decimals=1).startswith(f"12{decimal}3")  # type: ignore[arg-type]


@given(value=hst.floats(min_value=-1e9, max_value=1e9), decimals=hst.integers(0, 3))
def test_numbers_round_trip_in_every_language(value: float, decimals: int) -> None:
    """Whatever the language, removing its separators gives back the rounded number."""
    expected = round(value, decimals)
    for lang, (thousands, decimal) in {
        "fr": ("\u202f", ","),
        "nl": (".", ","),
        "de": (".", ","),
        "en": (",", "."),
    }.items():
        text = format_number(value, lang, decimals=decimals)  # type: ignore[arg-type]
        assert not text.startswith("-0") or expected != 0
        back = float(text.replace(thousands, "").replace(decimal, "."))
        assert back == pytest.approx(expected, abs=10**-decimals)


def test_unit_names_by_language_with_fallbacks() -> None:
    row = pd.Series(
        {"name_fr": "Bruxelles", "name_nl": "Brussel", "name_de": "Brüssel", "name_en": "Brussels"}
    )
    assert [unit_name(row, lang) for lang in LANGS] == [
        "Bruxelles",
        "Brussel",
        "Brussels",
        "Brüssel",
    ]
    no_english = {"name_fr": "Mons", "name_nl": "Bergen", "name_de": None, "name_en": float("nan")}
    assert unit_name(no_english, "de") == "Mons"
    assert unit_name(no_english, "en") == "Mons"
    assert unit_name({"nis_code": "53053"}, "nl") == "53053"
    assert unit_name({"name_nl": "Luik"}, "fr") == "Luik"


def test_one_language_index_for_every_name_tuple() -> None:
    from geobaro._units import NAME_COLUMNS, PROVINCE_NAMES, REGION_NAMES, unit_names
    from geobaro.vocabulary import LANG_INDEX

    assert LANG_INDEX["en"] == 3
    assert {lang: NAME_COLUMNS[i] for lang, i in LANG_INDEX.items()} == {
        "fr": "name_fr",
        "nl": "name_nl",
        "de": "name_de",
        "en": "name_en",
    }
    assert REGION_NAMES["Flanders"][LANG_INDEX["en"]] == "Flanders"
    assert PROVINCE_NAMES["60000"][LANG_INDEX["de"]] == "Lüttich"
    assert unit_names("arrondissement", "57000", vintage="2018")[0] == "Tournai"
    assert unit_names("region", "02000")[LANG_INDEX["nl"]] == "Vlaams Gewest"
