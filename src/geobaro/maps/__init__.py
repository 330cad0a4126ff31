"""Choropleth maps: classification, legend, topology and the folium/Leaflet layer."""

from __future__ import annotations

from geobaro.maps.choices import ClassificationChoices, classification_choices
from geobaro.maps.choropleth import MapOptions, build_choropleth, render_html
from geobaro.maps.classify import (
    CATEGORY_COLORS,
    SCHEMES,
    Classification,
    LegendEntry,
    MapKind,
    Scheme,
    classify,
    normalize_values,
)
from geobaro.maps.legend import (
    LEGEND_CSS,
    STATUS_STYLES,
    StatusStyle,
    render_legend,
    status_label,
    status_style_of,
)
from geobaro.maps.topology import build_topology

__all__ = [
    "CATEGORY_COLORS",
    "LEGEND_CSS",
    "SCHEMES",
    "STATUS_STYLES",
    "Classification",
    "ClassificationChoices",
    "LegendEntry",
    "MapKind",
    "MapOptions",
    "Scheme",
    "StatusStyle",
    "build_choropleth",
    "build_topology",
    "classification_choices",
    "classify",
    "normalize_values",
    "render_html",
    "render_legend",
    "status_label",
    "status_style_of",
]
