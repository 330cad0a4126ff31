"""Which classification controls can change a map: for the app to disable the others.

A yes/no share at commune level has two values, a five-point score five: there every scheme
(and every number of classes from some point on) gives the same map, and a control that does
nothing should be greyed out with a one-line reason rather than look broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geobaro.i18n import t
from geobaro.maps.classify import normalize_values, scheme_bounds

if TYPE_CHECKING:
    from geobaro.maps.classify import MapKind
    from geobaro.vocabulary import Lang, Scheme

__all__ = ["ClassificationChoices", "classification_choices"]

#: The schemes computed from the data (``user_defined`` takes the user's own breaks).
_DATA_SCHEMES: tuple[Scheme, ...] = ("quantiles", "natural_breaks", "equal_interval")


@dataclass(frozen=True)
class ClassificationChoices:
    """What the scheme and number-of-classes controls can do for one map.

    Attributes
    ----------
    scheme_disabled
        No scheme computed from the data gives another map (at the current ``k``).
    k_disabled
        No number of classes in the offered range gives another map (for the scheme).
    k_max
        The largest number of classes that still changes the map (more give the same map).
    scheme_reason, k_reason
        One translated line saying why the control is disabled (``k_reason`` also when
        ``k_max`` is below the offered range); empty otherwise.
    distinct
        Number of distinct values of the units with a value.
    """

    scheme_disabled: bool
    k_disabled: bool
    k_max: int
    scheme_reason: str
    k_reason: str
    distinct: int


def classification_choices(
    values: pd.DataFrame,
    *,
    kind: MapKind,
    scheme: Scheme = "quantiles",
    k: int = 5,
    k_range: tuple[int, int] = (3, 7),
    lang: Lang = "en",
) -> ClassificationChoices:
    """Tell whether changing the scheme or the number of classes can change a map.

    Parameters
    ----------
    values
        The map's values table (``nis_code``, ``value``, optional ``status``; see
        `geobaro.maps.classify`).
    kind
        ``sequential`` or ``categorical`` (categories have no classes to choose).
    scheme, k
        The current scheme and number of classes.
    k_range
        The numbers of classes the control offers (inclusive).
    lang
        Language of the reasons.

    Returns
    -------
    ClassificationChoices

    Examples
    --------
    >>> import pandas as pd
    >>> yes_no = pd.DataFrame({"nis_code": list("abcd"), "value": [0.0, 1.0, 1.0, 0.0]})
    >>> c = classification_choices(yes_no, kind="sequential")
    >>> c.scheme_disabled, c.k_disabled, c.k_reason
    (True, True, 'Only 2 distinct values: each has its own class, whatever the choice.')
    >>> scores = pd.DataFrame({"nis_code": list("abcdefg"), "value": [1, 2, 3, 4, 5, 5, 2]})
    >>> c = classification_choices(scores, kind="sequential", k=5)
    >>> c.scheme_disabled, c.k_disabled, c.k_max
    (True, False, 5)
    >>> classification_choices(scores, kind="sequential", k=3).scheme_disabled
    False
    """
    low, high = k_range
    if kind == "categorical":
        reason = t("maps.choice.categorical", lang)
        return ClassificationChoices(True, True, low, reason, reason, 0)
    frame = normalize_values(values, "sequential")
    x = frame.loc[frame["status"].eq("ok"), "value"].to_numpy(dtype=float)
    distinct = len(np.unique(x))
    if distinct <= 1:
        reason = t("maps.choice.no_values" if distinct == 0 else "maps.choice.one_value", lang)
        return ClassificationChoices(True, True, low, reason, reason, distinct)
    if distinct > high:
        # more distinct values than classes: schemes and class counts draw other maps
        return ClassificationChoices(False, False, high, "", "", distinct)
    by_k = {n: _partition(x, scheme, n) for n in range(low, high + 1)}
    k_max = max((n for n in range(low + 1, high + 1) if by_k[n] != by_k[n - 1]), default=low)
    k_disabled = len(set(by_k.values())) == 1
    at_k = {_partition(x, s, k) for s in _DATA_SCHEMES}
    scheme_disabled = len(at_k) == 1
    few = t("maps.choice.few_values", lang, count=distinct)
    if k_disabled:
        k_reason = few
    elif k_max < high:
        k_reason = t("maps.choice.k_max", lang, count=distinct, k_max=k_max)
    else:
        k_reason = ""
    scheme_reason = ""
    if scheme_disabled:
        scheme_reason = (
            few if k_disabled else t("maps.choice.scheme_same", lang, count=distinct, k=k)
        )
    return ClassificationChoices(
        scheme_disabled, k_disabled, k_max, scheme_reason, k_reason, distinct
    )


def _partition(x: np.ndarray, scheme: Scheme, k: int) -> tuple[int, ...]:
    """Return the class of each value and the number of classes: what the map shows."""
    if scheme not in _DATA_SCHEMES:
        scheme = "quantiles"
    upper = scheme_bounds(x, scheme, k)
    index = np.minimum(np.searchsorted(np.asarray(upper), x, side="left"), len(upper) - 1)
    return (len(upper), *(int(i) for i in index))
