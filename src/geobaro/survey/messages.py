"""Messages of the survey reader: in the user's language, bounded, values shown for people."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geobaro.errors import SurveyValidationError
from geobaro.i18n import load_catalog, t
from geobaro.survey.limits import Deadline, Limits
from geobaro.vocabulary import LANGS, Lang

__all__ = [
    "MAX_MESSAGE",
    "MAX_VALUE",
    "Context",
    "examples",
    "fail",
    "rows_text",
    "say",
    "shorten",
    "show",
]

#: Longest value shown inside a message (a huge cell must not flood the browser).
MAX_VALUE = 60
#: Longest message, whatever the file holds.
MAX_MESSAGE = 2000
#: Row numbers or examples listed before "and N more".
MAX_LISTED = 20

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Context:
    """What every step of reading one file needs: its name, language, limits and deadline."""

    name: str
    lang: Lang
    limits: Limits
    deadline: Deadline

    def say(self, key: str, **fmt: Any) -> str:
        """Return message ``key`` in this file's language."""
        return say(key, self.lang, **fmt)

    def fail(self, key: str, **fmt: Any) -> SurveyValidationError:
        """Return the error for message ``key`` (the file name is passed as ``name``)."""
        return fail(key, self.lang, name=self.name, **fmt)

    def show(self, text: object, limit: int = MAX_VALUE) -> str:
        """Return a value quoted and shortened for a message in this language."""
        return show(text, self.lang, limit=limit)


def say(key: str, lang: Lang, **fmt: Any) -> str:
    """Return the survey message ``key`` in ``lang``, cut to `MAX_MESSAGE` characters.

    Examples
    --------
    >>> say("quote", "en", text="Gent")
    "'Gent'"
    """
    lang = lang if lang in LANGS else "en"
    if fmt.get("count") == 1 and f"survey.{key}_one" in load_catalog(lang):
        key = f"{key}_one"  # "1 row holds", not "1 rows hold"
    return shorten(t(f"survey.{key}", lang, **fmt), MAX_MESSAGE)


def fail(key: str, lang: Lang, **fmt: Any) -> SurveyValidationError:
    """Return a `SurveyValidationError` carrying message ``key`` in ``lang``."""
    return SurveyValidationError(say(key, lang, **fmt))


def show(text: object, lang: Lang, *, limit: int = MAX_VALUE) -> str:
    r"""Return a value as a person reads it: one line, no control characters, quoted, short.

    Examples
    --------
    >>> show("Ixelles\xa0-\xa0Elsene", "en")
    "'Ixelles - Elsene'"
    >>> len(show("x" * 10_000, "en")) < 100
    True
    """
    return say("quote", lang, text=plain(text, limit=limit))


def plain(text: object, *, limit: int = MAX_VALUE) -> str:
    r"""Return text on one line without control characters, cut to ``limit`` characters.

    Examples
    --------
    >>> plain("a\nb\x00c")
    'a bc'
    """
    raw = str(text)
    if len(raw) > 4 * limit:
        raw = raw[: 4 * limit]
    raw = "".join(ch for ch in raw if unicodedata.category(ch) not in ("Cc", "Cf") or ch in "\n\t")
    return shorten(_SPACES.sub(" ", raw).strip(), limit, total=len(str(text)))


def shorten(text: str, limit: int, *, total: int | None = None) -> str:
    """Cut text to ``limit`` characters, saying how long it was.

    Examples
    --------
    >>> shorten("abcdefghij" * 10, 40)
    'abcdefghijabcdefghijab… (100 characters)'
    """
    total = len(text) if total is None else total
    if len(text) <= limit and total <= limit:
        return text
    suffix = f"… ({total} characters)"
    return text[: max(limit - len(suffix), 1)] + suffix


def rows_text(numbers: Sequence[int], lang: Lang) -> str:
    """Return row numbers as a short list (``3, 4 and 18 more``).

    Examples
    --------
    >>> rows_text(list(range(1, 25)), "en")
    '1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 and 4 more'
    """
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED])
    if len(numbers) > MAX_LISTED:
        shown += say("more", lang, count=len(numbers) - MAX_LISTED)
    return shown


def examples(items: Sequence[str], count: int, lang: Lang, *, limit: int = 10) -> str:
    """Return up to ``limit`` examples, and how many more there are out of ``count``.

    Examples
    --------
    >>> examples(["a", "b"], 5, "en")
    'a, b and 3 more'
    """
    shown = ", ".join(items[:limit])
    if count > min(len(items), limit):
        shown += say("more", lang, count=count - min(len(items), limit))
    return shown
