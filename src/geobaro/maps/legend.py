"""The one legend renderer of geobaro: classes, categories and statuses as an HTML fragment.

The map's in-map legend, the app's legend beside the map and the static site's legend are all
`render_legend` output, so a status looks the same everywhere: the hatching, the dashed border
and the label (from the one status catalogue, ``maps.status.*`` of the locales) are the map's.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from geobaro.i18n import format_number, t
from geobaro.vocabulary import MAP_STATUSES, RESPONSE_STATUSES, MapStatus, ResponseStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

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
        ``None``, ``"diagonal"`` or ``"cross"``: an SVG pattern on the web map, CSS gradients
        in the legend, a matplotlib hatch in PNG exports. The lines have the ``outline`` colour.
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
    ".gb-legend .gb-row{display:flex;align-items:center;margin:1px 0}"
    ".gb-legend .gb-sw{flex:none}"
    ".gb-legend .gb-n{color:#636363;margin-left:auto;padding-left:6px;white-space:nowrap}"
    ".gb-legend .gb-note{color:#525252;font-size:.9em;margin-top:3px}"
)
#: Colour and width of the outline of marked units, on the map and in the legend.
MARKED_OUTLINE = "#111111"
MARKED_WEIGHT = 2.5


def render_legend(
    classification: Any,
    *,
    lang: Lang,
    title: str | None = None,
    counts: bool = True,
    status_labels: Mapping[str, str] | None = None,
    marked: str | None = None,
    note: str | None = None,
) -> str:
    """Return the legend of a classification as one self-contained HTML fragment.

    Every class or category gets a swatch of its colour; every status present gets the swatch
    the map draws it with: *refused* diagonal hatching, *too few answers* cross-hatching (the
    map's 6 px patterns as CSS gradients in each swatch's own ``style``, so they survive HTML
    sanitisers, print and screenshot), *no data* a dashed border, *not reached* a plain grey
    fill. The layout's style sheet is scoped to the ``gb-legend`` class; labels are escaped.

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
    status_labels
        Status -> label for maps where a status means something else (a published figure
        that is *not published*); the catalogue's label for the others. Escaped.
    marked
        Label of the row that explains the map's marked units (drawn with a thick dark
        outline, `geobaro.maps.MapOptions.marked`); no such row by default. Escaped.
    note
        One line of small text under the rows (e.g. which estimate the map shows). Escaped.

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
    >>> "a refusé" in legend and "border:1px dashed #969696" in legend
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
        label = str(entry.label)
        if status is not None:
            label = (status_labels or {}).get(status) or status_label(status, lang)
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
            f'<span class="gb-sw" style="{_swatch_style(color, status)}"></span>'
            f'<span class="gb-label">{html.escape(label)}</span>{count}</div>'
        )
    if marked:
        parts.append(
            '<div class="gb-row" data-kind="marked">'
            f'<span class="gb-sw" style="{_MARKED_SWATCH}"></span>'
            f'<span class="gb-label">{html.escape(marked)}</span></div>'
        )
    if note:
        parts.append(f'<div class="gb-note">{html.escape(note)}</div>')
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


_MARKED_SWATCH = (
    f"background:#ffffff;border:{MARKED_WEIGHT}px solid {MARKED_OUTLINE};display:inline-block;"
    f"width:{_SW_W}px;height:{_SW_H}px;box-sizing:border-box;vertical-align:middle;"
    "margin-right:6px;-webkit-print-color-adjust:exact;print-color-adjust:exact"
)


def _swatch_style(color: str, status: str | None) -> str:
    """Inline style of one swatch: the fill, the map's hatching, the border (dashed for no data).

    All in the ``style`` attribute, so that the swatch survives HTML sanitisers that drop SVG
    and style sheets (Streamlit's ``st.html``), and prints (``print-color-adjust``).
    """
    style = STATUS_STYLES.get(status) if status is not None else None
    outline = style.outline if style is not None else SWATCH_OUTLINE
    border = "dashed" if style is not None and style.dashed else "solid"
    background = f"background:{color}"
    if style is not None and style.hatch is not None:
        background = f"background:{_hatch_css(style.hatch, style.outline, color)}"
    return (
        f"{background};border:1px {border} {outline};display:inline-block;"
        f"width:{_SW_W}px;height:{_SW_H}px;box-sizing:border-box;vertical-align:middle;"
        "margin-right:6px;"
        "-webkit-print-color-adjust:exact;print-color-adjust:exact"
    )


def _hatch_css(hatch: str, line: str, fill: str) -> str:
    r"""Return the map's 6 px pattern as CSS: ``/`` lines, and ``\`` ones too for ``cross``."""
    period = f"{HATCH_STEP / math.sqrt(2):.2f}px"  # 6 px apart along x is 4.24 px across
    stripes = "repeating-linear-gradient({angle}deg,{line} 0 1px,{gap} 1px {period})"
    if hatch == "cross":
        back = stripes.format(angle=45, line=line, gap="transparent", period=period)
        return back + "," + stripes.format(angle=135, line=line, gap=fill, period=period)
    return stripes.format(angle=135, line=line, gap=fill, period=period)
