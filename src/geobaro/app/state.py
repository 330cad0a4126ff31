"""View state of the app and its round trip through the URL query string."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from geobaro.vocabulary import (
    LANGS,
    LEVELS,
    REGION_FILTERS,
    SCALES,
    SCHEMES,
    SOURCES,
    VIEWS,
    VINTAGES,
    Lang,
    Level,
    RegionFilter,
    Scale,
    Scheme,
    Source,
    View,
    Vintage,
)

__all__ = [
    "DEFAULT_STATE",
    "LANGS",
    "LEVELS",
    "REGIONS",
    "SCALES",
    "SCHEMES",
    "SOURCES",
    "VIEWS",
    "VINTAGES",
    "View",
    "ViewState",
    "parse_breaks",
    "read_state",
    "rejected_params",
]

REGIONS = REGION_FILTERS
K_RANGE = (3, 7)
#: Neighbours of the patterns view's spatial weights (``patterns_k``).
PATTERNS_K_RANGE = (2, 12)


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link must restore: codes of the closed sets, texts, a number.

    ``indicator`` and ``commune`` are checked against the data by the app, not here.
    ``weighted``: grouped figures weighted for non-response (explore, compare, commune);
    ``patterns_k``: the neighbours of the patterns view.
    """

    view: str = "home"
    indicator: str = ""
    level: Level = "commune"
    scheme: Scheme = "quantiles"
    k: int = 5
    breaks: str = ""
    region: RegionFilter = "all"
    scale: Scale = "shared"
    commune: str = ""
    lang: Lang = "en"
    vintage: Vintage = "2018"
    source: Source = "sample"
    tiles: bool = False
    wave: str = ""
    weighted: bool = False
    patterns_k: int = 5

    def to_params(self) -> dict[str, str]:
        """Return the query parameters of this state, leaving out empty values.

        Examples
        --------
        >>> ViewState(view="explore", k=4).to_params()["k"]
        '4'
        >>> "commune" in ViewState().to_params()
        False
        """
        return {
            k: ("1" if v else "0") if isinstance(v, bool) else str(v)
            for k, v in asdict(self).items()
            if v != ""
        }


#: The state of a link with no parameters.
DEFAULT_STATE = ViewState()

_CHOICES: dict[str, tuple[str, ...]] = {
    "level": LEVELS,
    "scheme": SCHEMES,
    "region": REGIONS,
    "scale": SCALES,
    "lang": LANGS,
    "vintage": VINTAGES,
    "source": SOURCES,
}
_MAX_TEXT = 200
# differs from DEFAULT_STATE in every field: a value that falls back shows as a difference
_OTHER = ViewState(
    **{  # type: ignore[arg-type]
        f.name: "\0"
        for f in fields(ViewState)
        if f.name not in {"k", "tiles", "weighted", "patterns_k"}
    },
    k=-1,
    tiles=True,
    weighted=True,
    patterns_k=-1,
)
_FLAGS = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


def read_state(
    params: Mapping[str, Any],
    *,
    default: ViewState = DEFAULT_STATE,
    views: Sequence[str] = VIEWS,
) -> ViewState:
    """Return the state a query string asks for; unknown or invalid values fall back to defaults.

    Parameters
    ----------
    params
        Query parameters (values are strings, or lists of strings whose last item counts).
    default
        State used for every parameter that is missing or invalid.
    views
        The views a link may open (the app passes its router's registry).

    Examples
    --------
    >>> read_state({"view": "compare", "k": "9", "lang": "xx"})
    ViewState(view='compare', indicator='', level='commune', scheme='quantiles', k=5, breaks='', region='all', scale='shared', commune='', lang='en', vintage='2018', source='sample', tiles=False, wave='', weighted=False, patterns_k=5)
    """  # noqa: E501
    changes: dict[str, Any] = {}
    for f in fields(ViewState):
        raw = params.get(f.name)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        value = _parse_field(f.name, str(raw).strip()[:_MAX_TEXT], views)
        if value is not None:
            changes[f.name] = value
    return replace(default, **changes)


def _parse_field(name: str, text: str, views: Sequence[str]) -> str | int | bool | None:
    """Return the value of one parameter, or ``None`` when it is not valid."""
    if name == "view":
        return text if text in views else None
    if name in _CHOICES:
        return text if text in _CHOICES[name] else None
    parse = _PARSERS.get(name, _parse_name)
    return parse(text)


def _parse_k(text: str) -> int | None:
    # ASCII digits only: "³".isdigit() is true but int("³") fails
    if text.isascii() and text.isdigit() and K_RANGE[0] <= int(text) <= K_RANGE[1]:
        return int(text)
    return None


def _parse_patterns_k(text: str) -> int | None:
    low, high = PATTERNS_K_RANGE
    if text.isascii() and text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


def _parse_commune(text: str) -> str | None:
    return text if text.isascii() and text.isdigit() and len(text) == 5 else None


def _parse_wave(text: str) -> str | None:
    # a barometer wave: 2018-BE, 2021-WAL
    return text if re.fullmatch(r"[0-9]{4}-[A-Z]{2,3}", text) else None


def _parse_name(text: str) -> str | None:
    return text if text.isascii() and text.replace("_", "").isalnum() else None


_PARSERS: dict[str, Callable[[str], str | int | bool | None]] = {
    "k": _parse_k,
    "tiles": lambda text: _FLAGS.get(text.lower()),
    "weighted": lambda text: _FLAGS.get(text.lower()),
    "patterns_k": _parse_patterns_k,
    "breaks": lambda text: text if parse_breaks(text) is not None else None,
    "commune": _parse_commune,
    "wave": _parse_wave,
}


def rejected_params(params: Mapping[str, Any], *, views: Sequence[str] = VIEWS) -> dict[str, str]:
    """Return the parameters of a link that `read_state` does not accept, with their text.

    A value is rejected when reading it with two different defaults gives two different
    results (it fell back). Empty values are not reported.

    Examples
    --------
    >>> rejected_params({"k": "³", "level": "province", "lang": "xx"})
    {'k': '³', 'lang': 'xx'}
    """
    rejected: dict[str, str] = {}
    for f in fields(ViewState):
        raw = params.get(f.name)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None or not str(raw).strip():
            continue
        one = {f.name: raw}
        first = getattr(read_state(one, views=views), f.name)
        second = getattr(read_state(one, default=_OTHER, views=views), f.name)
        if first != second:
            rejected[f.name] = str(raw).strip()[:_MAX_TEXT]
    return rejected


def parse_breaks(text: str) -> tuple[float, ...] | None:
    """Parse user class breaks such as ``"0.2, 0.4, 0.6"``, ``"0,2; 0,5"`` or ``"20 40 60 %"``.

    With a semicolon, commas are decimal commas. A ``%`` sign divides every number by 100.
    Returns ``None`` unless the text holds 1 to 10 finite numbers that increase strictly.

    Examples
    --------
    >>> parse_breaks("0.2, 0.5")
    (0.2, 0.5)
    >>> parse_breaks("0,25; 0,5")
    (0.25, 0.5)
    >>> parse_breaks("25 50 75 %")
    (0.25, 0.5, 0.75)
    >>> parse_breaks("0.5, 0.2") is None
    True
    """
    percent = "%" in text
    body = text.replace("%", " ")
    body = body.replace(",", ".").replace(";", " ") if ";" in body else body.replace(",", " ")
    cleaned = body.split()
    if not cleaned or len(cleaned) > 10:
        return None
    try:
        numbers = [float(x) for x in cleaned]
    except ValueError:
        return None
    if not all(math.isfinite(n) for n in numbers):
        return None
    if percent:
        numbers = [n / 100 for n in numbers]
    if any(b <= a for a, b in itertools.pairwise(numbers)):
        return None
    return tuple(round(n, 6) for n in numbers)
