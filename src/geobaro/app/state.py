"""View state of the app and its round trip through the URL query string."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
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
    View,
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
]

REGIONS = REGION_FILTERS
K_RANGE = (3, 7)


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link must restore; every field is a plain string or int.

    ``indicator`` and ``commune`` are checked against the data by the app, not here.
    """

    view: str = "home"
    indicator: str = ""
    level: str = "commune"
    scheme: str = "quantiles"
    k: int = 5
    breaks: str = ""
    region: str = "all"
    scale: str = "shared"
    commune: str = ""
    lang: str = "en"
    vintage: str = "2018"
    source: str = "sample"

    def to_params(self) -> dict[str, str]:
        """Return the query parameters of this state, leaving out empty values.

        Examples
        --------
        >>> ViewState(view="explore", k=4).to_params()["k"]
        '4'
        >>> "commune" in ViewState().to_params()
        False
        """
        return {k: str(v) for k, v in asdict(self).items() if v != ""}


#: The state of a link with no parameters.
DEFAULT_STATE = ViewState()

_CHOICES: dict[str, tuple[str, ...]] = {
    "view": VIEWS,
    "level": LEVELS,
    "scheme": SCHEMES,
    "region": REGIONS,
    "scale": SCALES,
    "lang": LANGS,
    "vintage": VINTAGES,
    "source": SOURCES,
}
_MAX_TEXT = 200


def read_state(params: Mapping[str, Any], *, default: ViewState = DEFAULT_STATE) -> ViewState:
    """Return the state a query string asks for; unknown or invalid values fall back to defaults.

    Parameters
    ----------
    params
        Query parameters (values are strings, or lists of strings whose last item counts).
    default
        State used for every parameter that is missing or invalid.

    Examples
    --------
    >>> read_state({"view": "compare", "k": "9", "lang": "xx"})
    ViewState(view='compare', indicator='', level='commune', scheme='quantiles', k=5, breaks='', region='all', scale='shared', commune='', lang='en', vintage='2018', source='sample')
    """  # noqa: E501
    changes: dict[str, Any] = {}
    for f in fields(ViewState):
        raw = params.get(f.name)
        if isinstance(raw, list | tuple):
            raw = raw[-1] if raw else None
        if raw is None:
            continue
        text = str(raw).strip()[:_MAX_TEXT]
        if f.name == "k":
            if text.isdigit() and K_RANGE[0] <= int(text) <= K_RANGE[1]:
                changes["k"] = int(text)
        elif f.name in _CHOICES:
            if text in _CHOICES[f.name]:
                changes[f.name] = text
        elif f.name == "breaks":
            if parse_breaks(text) is not None:
                changes["breaks"] = text
        elif f.name == "commune":
            if text.isdigit() and len(text) == 5:
                changes["commune"] = text
        elif text.replace("_", "").isalnum():
            changes[f.name] = text
    return replace(default, **changes)


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
