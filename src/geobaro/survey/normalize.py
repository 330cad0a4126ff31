"""Text normalisation shared by the survey reader: names, headers, answer tokens, formulas."""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = [
    "FORMULA_PREFIXES",
    "is_blank",
    "is_formula",
    "neutralise_formula",
    "normalize_code",
    "normalize_header",
    "normalize_name",
    "normalize_token",
    "split_multi",
]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_NON_WORD = re.compile(r"[\W_]+")
_CODE = re.compile(r"\d{1,5}(?:[.,]0+)?")
_MULTI_SEP = re.compile(r"[;,|/\n]+")


def normalize_name(text: str) -> str:
    """Return a commune name folded for matching: no case, accents, hyphens, quotes or spaces.

    Examples
    --------
    >>> normalize_name("Sint-Joost-ten-Node")
    'sintjoosttennode'
    >>> normalize_name("LIÈGE") == normalize_name("liege")
    True
    >>> normalize_name("Braine-l'Alleud") == normalize_name("Braine l’Alleud")
    True
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub("", folded)


def normalize_token(text: str) -> str:
    """Return an answer token folded like a name (so ``Don't know`` equals ``dont_know``).

    Examples
    --------
    >>> normalize_token("Don't know") == normalize_token("dont_know")
    True
    """
    return normalize_name(text)


def normalize_header(text: str) -> str:
    r"""Return a column header folded to ``snake_case`` ASCII.

    Examples
    --------
    >>> normalize_header("\ufeffCode NIS ")
    'code_nis'
    >>> normalize_header("Réponse-Statut")
    'reponse_statut'
    """
    folded = unicodedata.normalize("NFKD", text.replace("\ufeff", "").casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub("_", folded).strip("_")


def normalize_code(text: str) -> str | None:
    """Return a NIS code as 5 digits, or None if the text is not a whole number of 1-5 digits.

    Spreadsheets turn ``11001`` into ``11001.0``; that form is accepted too.

    Examples
    --------
    >>> normalize_code("11001"), normalize_code(" 11001.0 "), normalize_code("1001")
    ('11001', '11001', '01001')
    >>> normalize_code("Liège") is None
    True
    """
    text = text.strip()
    if not _CODE.fullmatch(text):
        return None
    return re.split(r"[.,]", text)[0].zfill(5)


def is_blank(value: object) -> bool:
    """Return True for None, NaN and strings holding only whitespace.

    Examples
    --------
    >>> is_blank(" "), is_blank(None), is_blank(float("nan")), is_blank("0")
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and not value.strip()


def is_formula(text: str) -> bool:
    r"""Return True if a spreadsheet would evaluate the cell as a formula.

    Examples
    --------
    >>> is_formula('=HYPERLINK("http://x")'), is_formula(" @SUM(A1)"), is_formula("Liège")
    (True, True, False)
    """
    stripped = text.lstrip(" ")
    return bool(stripped) and stripped.startswith(FORMULA_PREFIXES)


def neutralise_formula(text: str) -> str:
    """Return text safe to show or write to CSV: formulas get a leading apostrophe.

    Examples
    --------
    >>> neutralise_formula("=1+1"), neutralise_formula("Namur")
    ("'=1+1", 'Namur')
    """
    return f"'{text}" if is_formula(text) else text


def split_multi(text: str) -> list[str]:
    """Split a multi-select cell on ``;``, ``,``, ``|``, ``/`` or new lines.

    Examples
    --------
    >>> split_multi("environment; mobility |governance")
    ['environment', 'mobility', 'governance']
    """
    return [part.strip() for part in _MULTI_SEP.split(text) if part.strip()]
