"""Shared pieces of the views: indicator metadata, value text, unit and group labels."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from geobaro._units import unit_names
from geobaro.i18n import format_number, format_share, region_name, t
from geobaro.indicators import INDICATORS
from geobaro.maps.choropleth import render_html
from geobaro.vocabulary import LANG_INDEX, IndicatorKind, Lang

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

__all__ = [
    "ViewData",
    "format_value",
    "indicator_kind",
    "indicator_label",
    "list_indicators",
]


_VALUE_COLUMNS = ["nis_code", "value", "n", "status", "label"]


@dataclass(frozen=True, eq=False)
class ViewData:
    """The data a view is drawn from, loaded by its caller (the app, the static site, a script).

    Views never read files or the network: whoever calls them loads the boundaries and the
    survey once, fills this, and may cache the results (they hold rendered HTML strings).

    Attributes
    ----------
    indicators
        Per-commune indicators of one source (`geobaro.indicators.compute_indicators`).
    gdf_communes
        The 2018 commune reference table (geometry optional): names, region, province,
        arrondissement, urban/rural and the 2019/2025 unit codes.
    gdf_units
        Web geometry (EPSG:4326) of the request's level and vintage; needed by the views that
        draw a map (explore, compare), not by the commune profile.
    groups
        `geobaro.views.compute_profile_groups` of the same indicators, to make commune
        profiles instant; computed on the fly when omitted.
    """

    indicators: pd.DataFrame
    gdf_communes: pd.DataFrame
    gdf_units: gpd.GeoDataFrame | None = None
    groups: Mapping[tuple[str, str], pd.DataFrame] | None = None

    def require_units(self, level: str, vintage: str) -> gpd.GeoDataFrame:
        """Return ``gdf_units``, or raise naming what the caller must load.

        Raises
        ------
        ValueError
            If no units were given.
        """
        if self.gdf_units is None:
            raise ValueError(
                f"this view draws a map: pass ViewData(gdf_units=...) with the {level} units "
                f"of {vintage} (geobaro.data.boundaries.load_units(level={level!r}, "
                f"vintage={vintage!r}, web=True))"
            )
        return self.gdf_units


def list_indicators() -> tuple[str, ...]:
    """Return the ids of every indicator, in registry order.

    Examples
    --------
    >>> len(list_indicators()) > 3
    True
    """
    return tuple(INDICATORS)


def indicator_kind(indicator: str) -> IndicatorKind:
    """Return ``share``, ``category``, ``count`` or ``score`` for an indicator id.

    Examples
    --------
    >>> indicator_kind("feels_concerned")
    'share'
    >>> indicator_kind("concern")
    'category'
    """
    try:
        spec = INDICATORS[indicator]
    except KeyError:
        raise ValueError(
            f"unknown indicator {indicator!r}; known: {', '.join(INDICATORS)}"
        ) from None
    kind: IndicatorKind = spec.kind
    return kind


def indicator_label(indicator: str, lang: Lang = "en") -> str:
    """Return the label of an indicator in ``fr``, ``nl``, ``de`` or ``en``.

    Examples
    --------
    >>> isinstance(indicator_label(list_indicators()[0], "fr"), str)
    True
    """
    spec = INDICATORS[indicator]
    label = getattr(spec, "label", None)
    if callable(label):
        return str(label(lang))
    labels: Any = getattr(spec, "labels", {})
    if isinstance(labels, dict):
        return str(labels.get(lang) or labels.get("en") or indicator)
    return indicator


def format_value(
    value: object, kind: IndicatorKind, lang: Lang = "en", *, indicator: str = ""
) -> str:
    """Return a value as shown in tables and tooltips (shares as percentages).

    Examples
    --------
    >>> format_value(0.456, "share")
    '46%'
    >>> format_value(2.5, "count")
    '2.5'
    >>> format_value(None, "share")
    '–'
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if kind == "share":
        return format_share(float(value), lang)  # type: ignore[arg-type]
    if kind in {"count", "score"}:
        number = float(value)  # type: ignore[arg-type]
        return format_number(number, lang, decimals=0 if number.is_integer() else 1)
    return _answer_label(indicator, str(value), lang)


def _map_html(fmap: folium.Map) -> str:
    """Return a map as one standalone HTML page (the string the app and site cache)."""
    return render_html(fmap)


def _framing(standalone: bool, title: str, lang: Lang) -> dict[str, Any]:
    """Return what a map shows of itself: all (standalone) or a short credit (app)."""
    if standalone:
        return {"legend": True, "title": title}
    return {"legend": False, "title": "", "attribution": t("app.map.credit", lang)}


def _value_text(value: object, kind: IndicatorKind, lang: Lang, indicator: str) -> str:
    if kind == "share" and isinstance(value, str):  # a commune's own answer
        return _answer_label(indicator, value, lang)
    return format_value(value, kind, lang, indicator=indicator)


def _answer_label(indicator: str, value: str, lang: Lang) -> str:
    """Return an answer's label: the map legend's wording first, then the questionnaire's."""
    from geobaro.survey.schema import QUESTIONS

    for key in (f"maps.answer.{value}", f"views.answer.{value}"):
        text = t(key, lang)
        if text != key:  # German answers the questionnaire does not name (views.de.json)
            return text
    spec = INDICATORS.get(indicator)
    question = QUESTIONS.get(getattr(spec, "question", indicator) or indicator)
    if question is not None and value in question.values:
        return question.value_label(value, lang)
    return value


def _region_label(region: str, lang: Lang) -> str:
    """Return the name of a region given by key (``Flanders``) or code (``02000``)."""
    return region_name(region, lang)


def _group_label(code: str, by: str, lang: Lang) -> str:
    if by in {"region", "province", "arrondissement"}:
        try:
            return unit_names(by, code)[LANG_INDEX[lang]]
        except KeyError:
            return code
    if by in {"urban_rural", "belgium"}:
        return t(f"app.group.{code}", lang)
    return code


def _title(indicator: str, level: str, lang: Lang, source: str) -> str:
    label = indicator_label(indicator, lang)
    level_text = t(f"app.level.{level}", lang)
    head = f"{label} — {level_text}"
    if source == "sample":
        head += f" ({t('app.illustrative.short', lang)})"
    return head


def _any_share() -> str:
    """Return a share indicator, used only for the units' commune and respondent counts."""
    return next(i for i, s in INDICATORS.items() if s.kind == "share")
