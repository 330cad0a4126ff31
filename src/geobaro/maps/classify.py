"""Classes of a choropleth: mapclassify schemes, colour-blind-safe palettes, legend labels.

`classify` turns a table of values into a colour, a legend label and a status per unit, and
the legend entries with their counts (drawn by `geobaro.maps.legend.render_legend`).

The ``values`` table taken by `classify` and `geobaro.maps.build_choropleth` has one row per
unit:

``nis_code``
    The unit's code (as in the boundary table).
``value``
    A number (a share in [0, 1], a count or a score) for sequential maps; an answer string
    (``yes``, ``partly`` ...) for categorical maps.
``n``
    Respondents behind the value (optional).
``status``
    ``ok``, ``not_reached``, ``refused``, ``too_small`` or ``no_data`` (optional: ``ok`` where
    a value is present, ``no_data`` elsewhere). Units that are not ``ok`` get a neutral style
    of their own and their own legend entry.
``label``
    Optional display text of the value (e.g. ``66% (n=113)``); shown in the tooltip.
"""

from __future__ import annotations

import itertools
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

import branca.utilities
import numpy as np
import pandas as pd

from geobaro.i18n import LANGS, load_catalog, t
from geobaro.maps._labels import class_labels
from geobaro.maps.legend import STATUS_STYLES
from geobaro.vocabulary import MAP_STATUSES, SCHEMES, MapStatus, Scheme

if TYPE_CHECKING:
    from geobaro.vocabulary import Lang

__all__ = [
    "CATEGORY_COLORS",
    "SCHEMES",
    "STATUSES",
    "Classification",
    "LegendEntry",
    "MapKind",
    "Scheme",
    "Status",
    "answer_label",
    "classify",
    "normalize_values",
    "scheme_bounds",
]

log = logging.getLogger(__name__)

#: What a map shows: classes of numbers, or answers.
MapKind = Literal["sequential", "categorical"]
Status = MapStatus
STATUSES = MAP_STATUSES

#: Colours of known ordered answers: a diverging ColorBrewer scheme (BrBG), colour-blind safe.
CATEGORY_COLORS: dict[str, str] = {
    "yes": "#018571",
    "partly": "#80cdc1",
    "no": "#a6611a",
    "dont_know": "#c2a5cf",
    "dedicated_plan": "#018571",
    "in_global_strategy": "#80cdc1",
    "intends_to_write": "#dfc27d",
    "none": "#a6611a",
}
_ORDERED_ANSWERS: tuple[tuple[str, ...], ...] = (
    ("yes", "partly", "no", "dont_know"),
    ("dedicated_plan", "in_global_strategy", "intends_to_write", "none"),
)
# ColorBrewer "Paired" (colour-blind safe up to 4 classes), then "Dark2".
_QUALITATIVE = (
    "#1f78b4", "#a6cee3", "#33a02c", "#b2df8a",
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
)  # fmt: skip
_DEFAULT_SEQUENTIAL = "YlGnBu"


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a class, a category or a status, with its unit count."""

    label: str
    color: str
    count: int
    kind: Literal["class", "category", "status"]
    hatched: bool = False
    status: MapStatus | None = None


@dataclass(frozen=True, eq=False)
class Classification:
    """Colours and legend of one map.

    Attributes
    ----------
    kind
        ``sequential`` (classes of numbers) or ``categorical`` (answers).
    bins
        Upper bounds of the sequential classes (``None`` for categorical maps); pass them as
        ``bins=`` to `classify` to give other panels the same colour scale.
    legend
        Classes or categories in order, then the statuses present, each with its count.
    colors
        Index ``nis_code`` -> hex fill colour of each unit (status colours included).
    labels
        Index ``nis_code`` -> legend label of each unit.
    statuses
        Index ``nis_code`` -> status of each unit (``ok``, ``refused`` ...).
    percent
        Values are shares written as percentages.
    """

    kind: MapKind
    bins: tuple[float, ...] | None
    legend: tuple[LegendEntry, ...]
    colors: pd.Series
    labels: pd.Series
    statuses: pd.Series | None = None
    percent: bool = False

    def counts(self) -> dict[str, int]:
        """Return legend label -> number of units.

        Examples
        --------
        >>> import pandas as pd
        >>> v = pd.DataFrame({"nis_code": ["1", "2"], "value": ["yes", None],
        ...                   "status": ["ok", "refused"]})
        >>> classify(v, kind="categorical").counts()
        {'yes': 1, 'refused': 1}
        """
        return {entry.label: entry.count for entry in self.legend}


def classify(  # noqa: PLR0913 - keyword-only options, as mapclassify's and geopandas' own
    values: pd.DataFrame,
    *,
    kind: MapKind,
    scheme: Scheme = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    bins: Sequence[float] | None = None,
    categories: Sequence[str] | Mapping[str, str] | None = None,
    palette: str | Sequence[str] | None = None,
    lang: Lang = "en",
    percent: bool | None = None,
) -> Classification:
    """Assign each unit a class (or category) colour, and build the legend with counts.

    Parameters
    ----------
    values
        ``nis_code``, ``value`` and optionally ``n``, ``status``, ``label`` (module docs).
    kind
        ``sequential`` for numbers, ``categorical`` for answers.
    scheme
        Sequential classes: ``quantiles``, ``natural_breaks`` (Fisher-Jenks, deterministic),
        ``equal_interval`` (mapclassify) or ``user_defined`` (``breaks``).
    k
        Number of classes; lowered, with a log message, when there are fewer distinct values.
    breaks
        Upper class bounds for ``user_defined``; the largest value closes the last class.
    bins
        Precomputed upper bounds (``Classification.bins`` of another map): overrides
        ``scheme``, ``k`` and ``breaks`` so that several panels share one colour scale.
    categories
        Categorical order (a sequence of values) or value -> legend label mapping. Values of
        the data missing from it are added after it. Entries may also name a category by its
        label, as found in another map's legend.
    palette
        A ColorBrewer name (sequential default ``YlGnBu``) or a list of hex colours.
    lang
        Language of legend labels.
    percent
        Write class bounds as percentages; by default when every value and bound is in [0, 1].

    Returns
    -------
    Classification

    Raises
    ------
    ValueError
        If ``values`` lacks ``nis_code``/``value``, repeats a code, holds an unknown status,
        or arguments are out of their allowed sets.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"nis_code": list("abcdef"),
    ...                   "value": [0.1, 0.2, 0.4, 0.8, None, None],
    ...                   "status": ["ok"] * 4 + ["refused", "not_reached"]})
    >>> c = classify(v, kind="sequential", scheme="equal_interval", k=2)
    >>> c.bins
    (0.45, 0.8)
    >>> [(e.label, e.count) for e in c.legend]
    [('10% – 45%', 3), ('> 45% – 80%', 1), ('not reached', 1), ('refused', 1)]
    >>> c.colors["e"] == STATUS_STYLES["refused"].fill
    True
    """
    if kind not in get_args(MapKind):
        raise ValueError(f"unknown map kind {kind!r}; allowed: sequential, categorical")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    frame = normalize_values(values, kind)
    if kind == "categorical":
        return _classify_categorical(frame, categories, palette, lang)
    return _classify_sequential(
        frame,
        scheme=scheme,
        k=k,
        breaks=breaks,
        bins=bins,
        palette=palette,
        lang=lang,
        percent=percent,
    )


def normalize_values(values: pd.DataFrame, kind: MapKind) -> pd.DataFrame:
    """Return a validated copy of a values table (module docs), indexed from 0.

    The copy has ``nis_code`` (str), ``value`` (float for sequential maps, str or ``None``
    for categorical ones), ``n``, ``status`` (an ``ok`` without a value becomes ``no_data``)
    and ``label``.

    Raises
    ------
    ValueError
        Listing every problem: missing columns, non-numeric values of a sequential map,
        unknown statuses, repeated codes.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = normalize_values(pd.DataFrame({"nis_code": [1, 2], "value": [0.5, None]}),
    ...                          "sequential")
    >>> frame["status"].tolist()
    ['ok', 'no_data']
    """
    problems: list[str] = []
    for column in ("nis_code", "value"):
        if column not in values.columns:
            problems.append(f"missing column {column!r}")
    if problems:
        raise ValueError(
            "values table: " + "; ".join(problems) + " (needs nis_code, value; optional "
            "n, status, label)"
        )
    frame = pd.DataFrame(
        {"nis_code": values["nis_code"].astype(str).to_numpy()}, index=values.index
    )
    frame["value"], present = _value_column(values, kind, problems)
    status = _status_column(values, problems)
    # an "ok" without a value cannot be coloured: it is missing data
    frame["status"] = status.where(~(status.eq("ok") & ~present), "no_data").to_numpy()
    n = pd.to_numeric(values["n"], errors="coerce") if "n" in values.columns else np.nan
    frame["n"] = n
    if "label" in values.columns:
        frame["label"] = values["label"].astype(object).where(values["label"].notna(), None)
    else:
        frame["label"] = None
    dupes = frame["nis_code"][frame["nis_code"].duplicated()]
    if len(dupes):
        problems.append(f"repeated nis_code {sorted(set(dupes))[:5]}")
    if problems:
        raise ValueError("values table: " + "; ".join(problems))
    return frame.reset_index(drop=True)


def _value_column(
    values: pd.DataFrame, kind: MapKind, problems: list[str]
) -> tuple[pd.Series, pd.Series]:
    """Values as numbers (sequential) or answer strings, and where one is present."""
    if kind == "sequential":
        raw = pd.to_numeric(values["value"], errors="coerce").astype(float)
        bad = values["value"].notna() & raw.isna()
        if bad.any():
            rows = [
                f"row {i} (nis_code {code}): {value!r}"
                for i, code, value in zip(
                    values.index[bad][:3],
                    values.loc[bad, "nis_code"][:3],
                    values.loc[bad, "value"][:3],
                    strict=True,
                )
            ]
            more = f" and {int(bad.sum()) - 3} more" if bad.sum() > 3 else ""
            problems.append(
                f"column 'value': non-numeric values for a sequential map: {'; '.join(rows)}{more}"
            )
        return raw, raw.notna() & np.isfinite(raw)
    text = values["value"].astype(object)
    present = text.notna() & text.astype(str).str.strip().ne("")
    return text.where(present, None).map(lambda v: None if v is None else str(v)), present


def _status_column(values: pd.DataFrame, problems: list[str]) -> pd.Series:
    """Statuses as strings (missing ones are ``no_data``; ``ok`` if there is no column)."""
    if "status" not in values.columns:
        return pd.Series("ok", index=values.index)
    status = values["status"].astype(object).where(values["status"].notna(), "no_data")
    status = status.astype(str)
    unknown = sorted(set(status) - set(STATUSES))
    if unknown:
        problems.append(f"unknown status {unknown}; allowed: {', '.join(STATUSES)}")
    return status


def _classify_sequential(
    frame: pd.DataFrame,
    *,
    scheme: str,
    k: int,
    breaks: Sequence[float] | None,
    bins: Sequence[float] | None,
    palette: str | Sequence[str] | None,
    lang: Lang,
    percent: bool | None,
) -> Classification:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; allowed: {', '.join(SCHEMES)}")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    ok = frame["status"].eq("ok").to_numpy()
    x = frame.loc[ok, "value"].to_numpy(dtype=float)
    external = bins is not None
    if bins is not None:
        upper = _sorted_bounds(bins, "bins")
        if len(x) and x.max() > upper[-1]:
            log.warning("values above the last shared bin %s: class extended", upper[-1])
            upper = (*upper, float(x.max()))
    elif scheme == "user_defined":
        if not breaks:
            raise ValueError("scheme 'user_defined' needs breaks=(b1, b2, ...)")
        upper = _sorted_bounds(breaks, "breaks")
        if len(x) and x.max() > upper[-1]:
            upper = (*upper, float(x.max()))
    else:
        upper = scheme_bounds(x, scheme, k)
    if percent is None:
        percent = bool(
            (len(x) == 0 or (x.min() >= 0 and x.max() <= 1))
            and all(0 <= b <= 1 for b in upper)
            and (len(x) or len(upper))
        )
    colors_of_class = _sequential_colors(palette, len(upper))
    index = np.searchsorted(np.asarray(upper), x, side="left") if len(upper) else np.array([])
    index = np.minimum(index, max(len(upper) - 1, 0)).astype(int)
    labels_of_class = class_labels(upper, x, external=external, percent=percent, lang=lang)

    codes = frame["nis_code"]
    colors = pd.Series("", index=codes.to_numpy(), dtype=object)
    labels = pd.Series("", index=codes.to_numpy(), dtype=object)
    ok_codes = codes[ok].to_numpy()
    colors.loc[ok_codes] = [colors_of_class[i] for i in index]
    labels.loc[ok_codes] = [labels_of_class[i] for i in index]
    counts = np.bincount(index, minlength=len(upper)) if len(upper) else np.array([], int)
    entries = [
        LegendEntry(labels_of_class[i], colors_of_class[i], int(counts[i]), "class")
        for i in range(len(upper))
    ]
    entries += _status_entries(frame, colors, labels, lang)
    return Classification(
        kind="sequential",
        bins=tuple(float(b) for b in upper),
        legend=tuple(entries),
        colors=colors.astype(str).rename("color"),
        labels=labels.astype(str).rename("label"),
        statuses=pd.Series(frame["status"].to_numpy(), index=codes.to_numpy(), name="status"),
        percent=percent,
    )


def _classify_categorical(
    frame: pd.DataFrame,
    categories: Sequence[str] | Mapping[str, str] | None,
    palette: str | Sequence[str] | None,
    lang: Lang,
) -> Classification:
    ok = frame["status"].eq("ok").to_numpy()
    observed = list(dict.fromkeys(frame.loc[ok, "value"].astype(str)))
    given: list[str] = []
    names: dict[str, str] = {}
    if isinstance(categories, Mapping):
        given = [str(c) for c in categories]
        names = {str(c): str(label) for c, label in categories.items()}
    elif categories is not None:
        given = [str(c) for c in categories]
    # a category may be given by its legend label (from another map's legend)
    by_label = {answer_label(c, lang): c for c in observed}
    for key, text in load_catalog(lang).items():
        if key.startswith("maps.answer."):
            by_label.setdefault(text, key.removeprefix("maps.answer."))
    given = [by_label.get(c, c) if c not in observed else c for c in given]
    extra = [c for c in observed if c not in given]
    if given and extra:
        log.info("categories not in the given order, appended: %s", extra)
    order = list(dict.fromkeys(given + _order_categories(extra)))
    colors_of = _category_colors(order, palette)
    label_of = {c: names.get(c) or answer_label(c, lang) for c in order}

    codes = frame["nis_code"]
    colors = pd.Series("", index=codes.to_numpy(), dtype=object)
    labels = pd.Series("", index=codes.to_numpy(), dtype=object)
    ok_values = frame.loc[ok, "value"].astype(str).to_numpy()
    ok_codes = codes[ok].to_numpy()
    colors.loc[ok_codes] = [colors_of[v] for v in ok_values]
    labels.loc[ok_codes] = [label_of[v] for v in ok_values]
    counts = pd.Series(ok_values).value_counts()
    entries = [
        LegendEntry(label_of[c], colors_of[c], int(counts.get(c, 0)), "category") for c in order
    ]
    entries += _status_entries(frame, colors, labels, lang)
    return Classification(
        kind="categorical",
        bins=None,
        legend=tuple(entries),
        colors=colors.astype(str).rename("color"),
        labels=labels.astype(str).rename("label"),
        statuses=pd.Series(frame["status"].to_numpy(), index=codes.to_numpy(), name="status"),
    )


def _status_entries(
    frame: pd.DataFrame, colors: pd.Series, labels: pd.Series, lang: Lang
) -> list[LegendEntry]:
    """Fill status colours and labels in place (of the new Series) and return their entries."""
    entries = []
    for status in STATUSES[1:]:
        mask = frame["status"].eq(status).to_numpy()
        if not mask.any():
            continue
        style = STATUS_STYLES[status]
        label = t(f"maps.status.{status}", lang)
        codes = frame.loc[mask, "nis_code"].to_numpy()
        colors.loc[codes] = style.fill
        labels.loc[codes] = label
        entries.append(
            LegendEntry(
                label, style.fill, int(mask.sum()), "status", style.hatch is not None, status
            )
        )
    return entries


def scheme_bounds(x: np.ndarray, scheme: str, k: int) -> tuple[float, ...]:
    """Return the upper class bounds of a data scheme (fewer classes than distinct values).

    Examples
    --------
    >>> import numpy as np
    >>> scheme_bounds(np.array([1.0, 2, 2, 5]), "quantiles", 5)
    (1.0, 2.0, 5.0)
    """
    import mapclassify

    if not len(x):
        return ()
    distinct = np.unique(x)
    k_eff = min(k, len(distinct))
    if k_eff < k:
        log.info("%d distinct values: %d classes instead of %d", len(distinct), k_eff, k)
    if k_eff <= 1:
        return (float(distinct[-1]),)
    if k_eff == len(distinct) and scheme != "equal_interval":
        return tuple(float(v) for v in distinct)
    classifier = {
        "quantiles": mapclassify.Quantiles,
        "natural_breaks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[scheme]
    with warnings.catch_warnings():
        # "Numba not installed" and "not enough unique values": both handled here
        warnings.simplefilter("ignore", UserWarning)
        found = classifier(x, k=k_eff).bins
    # 10 significant digits: no 0.45000000000000007 in legends and shared bins
    bounds = sorted({float(f"{b:.10g}") for b in np.asarray(found, dtype=float)})
    bounds[-1] = max(bounds[-1], float(x.max()))
    return tuple(bounds)


def _sorted_bounds(bounds: Sequence[float], name: str) -> tuple[float, ...]:
    try:
        out = tuple(float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {bounds!r}") from None
    if not out or any(not math.isfinite(b) for b in out):
        raise ValueError(f"{name} must be finite numbers, got {bounds!r}")
    if any(b >= c for b, c in itertools.pairwise(out)):
        raise ValueError(f"{name} must increase strictly, got {bounds!r}")
    return out


def _sequential_colors(palette: str | Sequence[str] | None, n: int) -> list[str]:
    if n == 0:
        return []
    if palette is not None and not isinstance(palette, str):
        colors = list(palette)
        if len(colors) < n:
            raise ValueError(f"palette has {len(colors)} colours, {n} classes need more")
        if len(colors) == n:
            return colors
        picks = np.linspace(0, len(colors) - 1, n).round().astype(int)
        return [colors[i] for i in picks]
    name = palette or _DEFAULT_SEQUENTIAL
    if n < 3:  # ColorBrewer starts at 3 classes: take the light and dark ends of that set
        three = branca.utilities.color_brewer(name, 3)
        return [three[1]] if n == 1 else [three[0], three[2]]
    return list(branca.utilities.color_brewer(name, n))


def _category_colors(order: Sequence[str], palette: str | Sequence[str] | None) -> dict[str, str]:
    if palette is not None:
        colors = (
            list(branca.utilities.color_brewer(palette, max(3, len(order))))
            if isinstance(palette, str)
            else list(palette)
        )
        return {c: colors[i % len(colors)] for i, c in enumerate(order)}
    known = [c for c in order if c in CATEGORY_COLORS]
    out: dict[str, str] = {}
    if known and len(known) == len(order):
        for group in _ORDERED_ANSWERS:
            if set(order) <= set(group):
                return {c: CATEGORY_COLORS[c] for c in order}
    free = iter(c for c in _QUALITATIVE)
    for c in order:
        out[c] = next(free, "#666666")
    if len(order) > 4:
        log.info("%d categories: colours beyond 4 are not all colour-blind safe", len(order))
    return out


def _order_categories(cats: Sequence[str]) -> list[str]:
    for group in _ORDERED_ANSWERS:
        if set(cats) <= set(group):
            return [c for c in group if c in cats]
    return sorted(cats)


def answer_label(value: str, lang: Lang) -> str:
    """Return the legend label of an answer code (the code itself when it has none).

    Examples
    --------
    >>> answer_label("partly", "nl"), answer_label("mobility", "fr")
    ('gedeeltelijk', 'mobility')
    """
    key = f"maps.answer.{value}"
    text = t(key, lang)
    return value if text == key else text
