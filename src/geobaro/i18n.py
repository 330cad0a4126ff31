"""UI strings in French, Dutch, English and German, and number formatting by Babel's locale data.

Strings live in ``geobaro/locales/<name>.<lang>.json`` (for example ``maps.fr.json`` and
``app.fr.json``). Every file of a language is loaded and merged; a key missing in German or
French falls back to English, and a key missing everywhere is returned as it is, so a gap in a
translation shows up as the key rather than as an error.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.numbers import format_decimal

from geobaro._units import REGION_NAMES, region_key
from geobaro.vocabulary import LANG_INDEX, LANGS, Lang

__all__ = [
    "FALLBACK_LANG",
    "LANGS",
    "Lang",
    "format_integer",
    "format_number",
    "format_share",
    "load_catalog",
    "region_name",
    "t",
    "unit_name",
]

log = logging.getLogger(__name__)

#: Language used when a key is missing in the asked one.
FALLBACK_LANG: Lang = "en"

#: Order in which name columns are tried for each language (the data already fills
#: ``name_de`` from French or Dutch where a commune has no German name).
_NAME_ORDER: dict[str, tuple[str, ...]] = {
    "fr": ("name_fr", "name_en", "name_nl"),
    "nl": ("name_nl", "name_en", "name_fr"),
    "de": ("name_de", "name_en", "name_fr", "name_nl"),
    "en": ("name_en", "name_fr", "name_nl"),
}
#: Babel locale of each language: Belgian French, Dutch and German; English as written in
#: English (comma thousands), not the dot-grouped ``en_BE``.
_BABEL_LOCALES: dict[str, str] = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE", "en": "en"}


def t(key: str, lang: Lang, **fmt: Any) -> str:
    """Return the UI string ``key`` in ``lang`` (fallback: English, then the key itself).

    Parameters
    ----------
    key
        Dotted key, e.g. ``maps.status.refused``.
    lang
        ``fr``, ``nl``, ``en`` or ``de``; an unknown language is treated as English.
    **fmt
        Values for ``{placeholders}`` in the string. They are inserted as given: escape
        text from data before it goes into HTML.

    Returns
    -------
    str
        The translated, formatted string.

    Examples
    --------
    >>> t("maps.status.refused", "fr")
    'a refusé'
    >>> t("maps.status.refused", "de")
    'abgelehnt'
    >>> t("maps.legend.count", "en", count=3)
    '3 units'
    >>> t("no.such.key", "nl")
    'no.such.key'
    """
    text = load_catalog(lang).get(key)
    if text is None and lang != FALLBACK_LANG:
        text = load_catalog(FALLBACK_LANG).get(key)
    if text is None:
        log.debug("missing UI string %r (%s)", key, lang)
        return key
    if not fmt:
        return text
    try:
        return text.format(**fmt)
    except (KeyError, IndexError, ValueError):
        log.warning("UI string %r (%s) does not take %s", key, lang, sorted(fmt))
        return text


def unit_name(row_or_names: Mapping[str, Any] | Any, lang: Lang) -> str:
    """Return the name of a unit in ``lang`` from its ``name_fr``/``name_nl``/... fields.

    Parameters
    ----------
    row_or_names
        A row of a boundary table (``pandas.Series``) or any mapping with some of
        ``name_fr``, ``name_nl``, ``name_de``, ``name_en`` (or a single ``name``).
    lang
        Wanted language; when its name is missing, English, French, then Dutch is used,
        and ``nis_code`` as a last resort.

    Returns
    -------
    str
        The name, not escaped.

    Examples
    --------
    >>> row = {"name_fr": "Liège", "name_nl": "Luik", "name_de": "Lüttich", "name_en": "Liège"}
    >>> unit_name(row, "nl"), unit_name(row, "de")
    ('Luik', 'Lüttich')
    >>> unit_name({"name_fr": "Anvers", "name_nl": "Antwerpen"}, "en")
    'Anvers'
    """
    get = row_or_names.get
    for column in (*_NAME_ORDER.get(lang, _NAME_ORDER["en"]), "name", "nis_code"):
        value = get(column)
        if _present(value):
            return str(value)
    return ""


def region_name(region: str, lang: Lang) -> str:
    """Return a region's official name in ``lang``, from its key or code (unknown: as given).

    Examples
    --------
    >>> region_name("Wallonia", "nl"), region_name("04000", "de")
    ('Waals Gewest', 'Region Brüssel-Hauptstadt')
    >>> region_name("Atlantis", "fr")
    'Atlantis'
    """
    names = REGION_NAMES.get(region_key(region))
    if names is None:
        return region
    return names[LANG_INDEX.get(lang, LANG_INDEX[FALLBACK_LANG])]


def format_share(share: float | None, lang: Lang, *, decimals: int = 0) -> str:
    r"""Return a share in [0, 1] as a percentage written the way ``lang`` writes it.

    The digits are those of `format_number`; the sign and its spacing are the locale's own
    percent pattern (Babel/CLDR): a no-break space before ``%`` in French and German, none in
    Dutch and English. A missing value gives an en dash.

    Examples
    --------
    >>> format_share(0.66, "en"), format_share(0.66, "nl")
    ('66%', '66%')
    >>> format_share(0.66, "fr") == "66\N{NO-BREAK SPACE}%"
    True
    >>> format_share(0.125, "fr", decimals=1).replace("\N{NO-BREAK SPACE}", " ")
    '12,5 %'
    >>> format_share(None, "en")
    '–'
    """
    if share is None or not math.isfinite(float(share)):
        return "–"
    number = format_number(float(share) * 100, lang, decimals=decimals)
    prefix, suffix = _percent_affixes(lang)
    return f"{prefix}{number}{suffix}"


def format_number(value: float | None, lang: Lang, *, decimals: int = 0) -> str:
    """Return a number with the decimal and thousands separators of ``lang`` (Babel/CLDR).

    French groups thousands with a narrow no-break space and writes a decimal comma, Dutch and
    German group with a dot and write a comma, English groups with a comma and writes a dot.
    Values that round to zero never read ``-0``; a missing value gives an en dash.

    Examples
    --------
    >>> format_number(1234.5, "en", decimals=1), format_number(1234.5, "nl", decimals=1)
    ('1,234.5', '1.234,5')
    >>> format_number(1234.5, "fr", decimals=1) == "1\N{NARROW NO-BREAK SPACE}234,5"
    True
    >>> format_number(-0.0, "en"), format_number(-0.04, "de", decimals=1)
    ('0', '0,0')
    """
    if value is None or not math.isfinite(float(value)):
        return "–"
    number = round(float(value), decimals)
    if number == 0:
        number = 0.0  # no "-0"
    pattern = "#,##0" + (f".{'0' * decimals}" if decimals > 0 else "")
    return str(format_decimal(number, format=pattern, locale=_babel_locale(lang)))


def format_integer(value: float | None, lang: Lang) -> str:
    """Return a whole number (a count, a population) with the thousands separator of ``lang``.

    Examples
    --------
    >>> format_integer(11492641, "de"), format_integer(589, "en")
    ('11.492.641', '589')
    >>> format_integer(None, "nl")
    '–'
    """
    return format_number(value, lang, decimals=0)


@lru_cache(maxsize=8)
def load_catalog(lang: str) -> Mapping[str, str]:
    """Return every UI string of ``lang``, merged from all ``locales/*.<lang>.json`` files.

    Files may be flat (``{"maps.status.refused": "..."}``) or nested
    (``{"maps": {"status": {"refused": "..."}}}``). Keys of a file that do not start with the
    file's own prefix (``app`` for ``app.fr.json``) are also reachable under that prefix.

    Examples
    --------
    >>> "maps.status.not_reached" in load_catalog("nl")
    True
    """
    catalog: dict[str, str] = {}
    folder = resources.files("geobaro").joinpath("locales")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        parts = entry.name.split(".")
        if len(parts) != 3 or parts[1] != lang or parts[2] != "json":
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.error("cannot read UI strings %s: %s", entry.name, exc)
            continue
        prefix = parts[0]
        for key, text in _flatten(data).items():
            if key in catalog and catalog[key] != text:
                log.warning("UI string %r defined twice (%s wins)", key, entry.name)
            catalog[key] = text
            if not key.startswith(f"{prefix}."):
                catalog.setdefault(f"{prefix}.{key}", text)
    return catalog


@lru_cache(maxsize=8)
def _babel_locale(lang: str) -> Locale:
    return Locale.parse(_BABEL_LOCALES.get(lang, _BABEL_LOCALES[FALLBACK_LANG]))


@lru_cache(maxsize=8)
def _percent_affixes(lang: str) -> tuple[str, str]:
    """Return what the locale writes before and after the digits of a positive percentage."""
    pattern = _babel_locale(lang).percent_formats[None]
    return str(pattern.prefix[0]), str(pattern.suffix[0])


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return out
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{full}."))
        elif isinstance(value, str):
            out[full] = value
    return out


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    text = str(value).strip()
    return bool(text) and text.lower() not in {"nan", "none", "<na>"}
