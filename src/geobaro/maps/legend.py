"""The one legend renderer of geobaro: classes, categories and statuses as an HTML fragment.

The map's in-map legend, the app's legend beside the map and the static site's legend are all
`render_legend` output, so a status looks the same everywhere: the hatching, the dashed border
and the label (from the one status catalogue, ``maps.status.*`` of the locales) are the map's.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from geobaro.i18n import format_number, t
from geobaro.vocabulary import MAP_STATUSES, RESPONSE_STATUSES, MapStatus, ResponseStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from geobaro.vocabulary import Lang

__all__ = [
    "LEGEND_CSS",
    "STATUS_STYLES",
    "StatusStyle",
    "render_legend",
    "status_label",
    "status_of_entry",
    "status_style_of",
]


@dataclass(frozen=True)
class StatusStyle:
    """How a unit without a mapped value is drawn.

    Attributes
    ----------
    fill
        Fill colour (the background of the hatching when ``hatch`` is set).
    hatch
        ``None``, ``"diagonal"`` or ``"cross"``: an SVG pattern on the web map and in the
        legend, a matplotlib hatch in PNG exports. The lines have the ``outline`` colour.
    outline
        Border colour.
    dashed
        Draw the border dashed.
    """

    fill: str
    hatch: Literal["diagonal", "cross"] | None = None
    outline: str = "#969696"
    dashed: bool = False


#: Neutral styles of the statuses that are not a value; each differs from the others by
#: fill, hatching or border so that none can be mistaken for another (or for a class).
STATUS_STYLES: dict[str, StatusStyle] = {
    "not_reached": StatusStyle(fill="#d9d9d9"),
    "refused": StatusStyle(fill="#f0f0f0", hatch="diagonal", outline="#737373"),
    "too_small": StatusStyle(fill="#ffffff", hatch="cross", outline="#737373"),
    "no_data": StatusStyle(fill="#ffffff", outline="#969696", dashed=True),
}

#: Period of the hatching in pixels, on the map and in the legend swatches.
HATCH_STEP = 6
#: Border of class and category swatches.
SWATCH_OUTLINE = "#bdbdbd"
_SW_W, _SW_H = 18, 12
_STATUS_CODES = tuple(dict.fromkeys((*MAP_STATUSES, *RESPONSE_STATUSES)))
_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}")

#: Style sheet of the fragment; every rule is scoped to ``.gb-legend``.
LEGEND_CSS = (
    ".gb-legend{line-height:1.35}"
    ".gb-legend .gb-legend-title{font-weight:600;margin:0 0 2px}"
    ".gb-legend .gb-row{display:flex;align-items:center;gap:6px;margin:1px 0}"
    ".gb-legend .gb-sw{flex:none;display:inline-block;width:18px;height:12px;line-height:0;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    ".gb-legend .gb-sw svg{display:block}"
    ".gb-legend .gb-n{color:#636363;margin-left:auto;padding-left:6px;white-space:nowrap}"
)


def render_legend(
    classification: Any,
    *,
    lang: Lang,
    title: str | None = None,
    counts: bool = True,
) -> str:
    """Return the legend of a classification as one self-contained HTML fragment.

    Every class or category gets a swatch of its colour; every status present gets the swatch
    the map draws it with: *refused* diagonal hatching, *too few answers* cross-hatching (the
    map's SVG patterns, drawn as inline SVG so they also print and screenshot), *no data* a
    dashed border, *not reached* a plain grey fill. The fragment carries its own style sheet,
    scoped to the ``gb-legend`` class; labels are escaped.

    Put it in the page as it is: the map's in-map legend is exactly this string, and the app
    (``st.markdown(..., unsafe_allow_html=True)`` or ``st.html``) and the static site show the
    same.

    Parameters
    ----------
    classification
        A `geobaro.maps.Classification` (anything with a ``legend`` of `LegendEntry`).
    lang
        Language of the status labels (``maps.status.*``), the counts and the group label.
    title
        Heading above the rows (escaped); none by default. It also names the group for
        screen readers (default: the translated "Legend").
    counts
        Show the number of units of each row, as ``(12)``.

    Returns
    -------
    str
        ``<div class="gb-legend" role="group" ...>`` with one ``gb-row`` per legend entry
        (``data-status`` names the status of status rows).

    Examples
    --------
    >>> import pandas as pd
    >>> from geobaro.maps import classify
    >>> v = pd.DataFrame({"nis_code": ["1", "2", "3"], "value": ["yes", None, None],
    ...                   "status": ["ok", "refused", "no_data"]})
    >>> legend = render_legend(classify(v, kind="categorical"), lang="fr", title="Communes")
    >>> legend.startswith('<div class="gb-legend" role="group" aria-label="Communes">')
    True
    >>> "a refusé" in legend and 'stroke-dasharray="3 2"' in legend
    True
    """
    name = title if title else t("maps.legend.title", lang)
    parts = [
        f'<div class="gb-legend" role="group" aria-label="{html.escape(name)}">',
        f"<style>{LEGEND_CSS}</style>",
    ]
    if title:
        parts.append(f'<div class="gb-legend-title">{html.escape(title)}</div>')
    for entry in _entries(classification):
        status = status_of_entry(entry)
        label = status_label(status, lang) if status is not None else str(entry.label)
        color = str(entry.color)
        color = color if _COLOR.fullmatch(color) else "#cccccc"
        data = f' data-status="{status}"' if status is not None else ""
        count = (
            f' <span class="gb-n">({format_number(int(entry.count), lang)})</span>'
            if counts
            else ""
        )
        parts.append(
            f'<div class="gb-row" data-kind="{html.escape(str(entry.kind))}"{data}>'
            f'<span class="gb-sw" style="background:{color}">{_swatch_svg(color, status)}</span>'
            f'<span class="gb-label">{html.escape(label)}</span>{count}</div>'
        )
    parts.append("</div>")
    return "".join(parts)


def status_label(status: MapStatus | ResponseStatus, lang: Lang) -> str:
    """Return the label of a unit or response status in ``lang``, from the one catalogue.

    Tables, tooltips and legends use this (keys ``maps.status.<status>``), so that a status
    reads the same everywhere: ``ok`` and ``answered`` both read "answered".

    Examples
    --------
    >>> status_label("not_reached", "fr"), status_label("too_small", "en")
    ('non atteinte', 'too few answers')
    """
    if status not in _STATUS_CODES:
        allowed = ", ".join(_STATUS_CODES)
        raise ValueError(f"unknown status {status!r}; allowed: {allowed}")
    return t(f"maps.status.{status}", lang)


def status_of_entry(entry: Any) -> MapStatus | None:
    """Return the status a legend entry stands for (``None`` for classes and categories).

    Examples
    --------
    >>> from geobaro.maps import LegendEntry
    >>> status_of_entry(LegendEntry("refused", "#f0f0f0", 1, "status", True, "refused"))
    'refused'
    """
    if getattr(entry, "kind", None) != "status":
        return None
    status = getattr(entry, "status", None)
    if status in STATUS_STYLES:
        return status  # type: ignore[no-any-return]
    # entries built without a status: recognise the style
    for code, style in STATUS_STYLES.items():
        hatched = bool(getattr(entry, "hatched", False))
        if style.fill == getattr(entry, "color", None) and (style.hatch is not None) == hatched:
            return code  # type: ignore[return-value]
    return None


def status_style_of(entry: Any) -> StatusStyle | None:
    """Return the neutral style of a status legend entry (``None`` for classes/categories).

    Examples
    --------
    >>> from geobaro.maps import LegendEntry
    >>> status_style_of(LegendEntry("no data", "#ffffff", 2, "status")).dashed
    True
    """
    status = status_of_entry(entry)
    return None if status is None else STATUS_STYLES[status]


def _entries(classification: Any) -> Iterable[Any]:
    return tuple(getattr(classification, "legend", ()))


def _swatch_svg(color: str, status: str | None) -> str:
    """Inline SVG of one swatch: the fill, the map's hatching, the border (dashed for no data)."""
    style = STATUS_STYLES.get(status) if status is not None else None
    outline = style.outline if style is not None else SWATCH_OUTLINE
    body = f'<rect width="{_SW_W}" height="{_SW_H}" fill="{color}"/>'
    if style is not None and style.hatch is not None:
        body += (
            f'<path d="{_hatch_path(style.hatch)}" stroke="{style.outline}" '
            'stroke-width="1" fill="none"/>'
        )
    dash = ' stroke-dasharray="3 2"' if style is not None and style.dashed else ""
    body += (
        f'<rect x=".5" y=".5" width="{_SW_W - 1}" height="{_SW_H - 1}" fill="none" '
        f'stroke="{outline}" stroke-width="1"{dash}/>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SW_W}" height="{_SW_H}" '
        f'viewBox="0 0 {_SW_W} {_SW_H}" aria-hidden="true" focusable="false">{body}</svg>'
    )


def _hatch_path(hatch: str) -> str:
    r"""Lines of the map's 6 px pattern: ``/`` (x + y = 6m), and ``\\`` too for ``cross``."""
    step, w, h = HATCH_STEP, _SW_W, _SW_H
    segments = [f"M{m - h} {h}L{m} 0" for m in range(step, w + h, step)]
    if hatch == "cross":
        segments += [f"M{m} 0L{m + h} {h}" for m in range(-h, w, step)]
    return "".join(segments)
