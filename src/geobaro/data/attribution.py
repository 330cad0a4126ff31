"""The boundary attribution in the reader's language: each known source line has a translation."""

from __future__ import annotations

import re
from functools import lru_cache

from geobaro.i18n import t
from geobaro.vocabulary import Lang

__all__ = ["translate_attribution"]

#: Catalogue keys of the attribution lines the manifest and the Statbel source write (English
#: text in ``locales/data.en.json``; ``{year}``/``{name}`` are filled in by the source).
_KEYS = (
    "data.attribution.mirror_boundaries",
    "data.attribution.refnis",
    "data.attribution.population",
    "data.attribution.statbel_boundaries",
    "data.attribution.statbel_refnis",
)


def translate_attribution(text: str, lang: Lang) -> str:
    """Return an attribution (one line per source) with every known line in ``lang``.

    A line that is not one of the known sources stays as the source wrote it: an
    attribution is never dropped or changed in meaning.

    Examples
    --------
    >>> translate_attribution("Population 1 January 2018: Statbel (CC BY 4.0).", "fr")
    'Population au 1er janvier 2018 : Statbel (CC BY 4.0).'
    >>> translate_attribution("Something else.", "nl")
    'Something else.'
    """
    if lang == "en":
        return text
    return "\n".join(_translate_line(line, lang) for line in text.split("\n"))


def _translate_line(line: str, lang: Lang) -> str:
    for key, pattern in _patterns():
        match = pattern.fullmatch(line.strip())
        if match:
            return t(key, lang, **match.groupdict())
    return line


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for key in _KEYS:
        english = t(key, "en")
        parts = re.split(r"\{(\w+)\}", english)
        # even parts are literal text, odd parts placeholder names
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        out.append((key, re.compile(regex)))
    return tuple(out)
