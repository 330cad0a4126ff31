"""Legend labels of sequential classes that say which side of each class is closed.

A class holds the values above the previous upper bound up to and including its own (as
mapclassify's ``bins``): the first class is written ``1 – 2`` (both ends in), the next ones
``> 2 – 3``. Integer data get integer classes (``1``, ``2``, ``3 – 5``); when every class holds
one value only (a yes/no share, a five-point score) the label is that value. Numbers are
written the way the language writes them (`geobaro.i18n.format_number`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from geobaro.i18n import format_number, format_share, t

if TYPE_CHECKING:
    from geobaro.vocabulary import Lang

__all__ = ["class_labels"]

Formatter = Callable[[float], str]


def class_labels(
    upper: Sequence[float],
    x: np.ndarray,
    *,
    external: bool,
    percent: bool,
    lang: Lang,
) -> list[str]:
    r"""Return one label per class of upper bounds ``upper``, all distinct.

    Parameters
    ----------
    upper
        Upper bounds of the classes, increasing (the last one closes the last class).
    x
        The values classified (of the units with a value).
    external
        The bounds come from another map (shared bins): labels describe the bounds only, and
        the first class reads ``≤ high``.
    percent
        Write values as percentages.
    lang
        Language of the numbers.

    Examples
    --------
    >>> import numpy as np
    >>> class_labels((0.45, 0.8), np.array([0.1, 0.2, 0.8]), external=False, percent=True,
    ...              lang="en")
    ['10% – 45%', '> 45% – 80%']
    >>> class_labels((1, 2, 5), np.array([1.0, 2, 3, 5]), external=False, percent=False,
    ...              lang="en")
    ['1', '2', '3 – 5']
    >>> class_labels((0.0, 1.0), np.array([0.0, 1.0, 1.0]), external=False, percent=True,
    ...              lang="fr") == ["0\N{NO-BREAK SPACE}%", "100\N{NO-BREAK SPACE}%"]
    True
    """
    if not upper:
        return []
    lowest = None if external or not len(x) else float(np.min(x))
    if not external and _one_value_per_class(upper, x):
        for fmt in _formatters(list(upper), percent, lang):
            labels = [fmt(b) for b in upper]
            if len(set(labels)) == len(labels):
                return labels
    if not percent and len(x) and bool(np.all(np.mod(x, 1) == 0)):
        whole = _integer_labels(upper, lowest, lang)
        if whole is not None:
            return whole
    return _range_labels(upper, lowest, percent, lang)


def _one_value_per_class(upper: Sequence[float], x: np.ndarray) -> bool:
    """Whether the bounds are exactly the distinct values (each class holds one value)."""
    distinct = np.unique(x)
    return len(distinct) == len(upper) and bool(np.all(distinct == np.asarray(upper)))


def _integer_labels(upper: Sequence[float], lowest: float | None, lang: Lang) -> list[str] | None:
    """``1``, ``2``, ``3 – 5``: the whole numbers of each class (None if a class holds none)."""
    labels = []
    for i, high in enumerate(upper):
        top = math.floor(high)
        if i == 0 and lowest is None:
            labels.append(t("maps.legend.at_most", lang, high=format_number(top, lang)))
            continue
        bottom = math.floor(upper[i - 1]) + 1 if i else math.ceil(lowest or 0)
        if bottom > top:
            return None
        if bottom == top:
            labels.append(format_number(top, lang))
        else:
            low, high_text = format_number(bottom, lang), format_number(top, lang)
            labels.append(t("maps.legend.range", lang, low=low, high=high_text))
    return labels if len(set(labels)) == len(labels) else None


def _range_labels(
    upper: Sequence[float], lowest: float | None, percent: bool, lang: Lang
) -> list[str]:
    """``low – high``, then ``> low – high``; ``≤ high`` first when the minimum is unknown.

    Bounds get as many decimals as it takes to tell them apart (values a hair apart, like
    0 and 1e-308, fall back to significant digits), so no two classes share a label.
    """
    points = list(upper) if lowest is None else [lowest, *upper]
    labels: list[str] = []
    for fmt in _formatters(points, percent, lang):
        labels = []
        for i, high in enumerate(upper):
            low = upper[i - 1] if i else lowest
            if low is None:
                labels.append(t("maps.legend.at_most", lang, high=fmt(high)))
            elif i == 0:
                text = t("maps.legend.range", lang, low=fmt(low), high=fmt(high))
                labels.append(fmt(high) if fmt(low) == fmt(high) else text)
            else:
                labels.append(t("maps.legend.above", lang, low=fmt(low), high=fmt(high)))
        if len(set(labels)) == len(labels):
            break
    return labels


def _formatters(points: Sequence[float], percent: bool, lang: Lang) -> list[Formatter]:
    """Return number writers from the fewest decimals that tell ``points`` apart to 17 digits."""
    decimals = _decimals(points, percent)

    def rounded(v: float) -> str:
        if percent:
            return format_share(v, lang, decimals=decimals)
        return format_number(v, lang, decimals=decimals)

    def significant(digits: int) -> Formatter:
        def fmt(v: float) -> str:
            text = f"{v * 100 if percent else v:.{digits}g}"
            text = text.replace(".", "," if lang != "en" else ".")
            if not percent:
                return text
            return f"{text}\u00a0%" if lang in {"fr", "de"} else f"{text}%"

        return fmt

    return [rounded, significant(6), significant(17)]


def _decimals(points: Sequence[float], percent: bool) -> int:
    scale = 100 if percent else 1
    for decimals in range(3):
        rounded = [round(p * scale, decimals) for p in points]
        if len(set(rounded)) == len(set(points)):
            return decimals
    return 3
