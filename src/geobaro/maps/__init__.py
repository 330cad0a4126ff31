"""Choropleth maps: classification, legend, topology and the folium/Leaflet layer."""

from __future__ import annotations

from geobaro.maps.choropleth import (
    SCHEMES,
    STATUS_STYLES,
    Classification,
    LegendEntry,
    Scheme,
    build_choropleth,
    build_topology,
    classify,
)
from geobaro.maps.legend import (
    LEGEND_CSS,
    StatusStyle,
    render_legend,
    status_label,
    status_style_of,
)

__all__ = [
    "LEGEND_CSS",
    "SCHEMES",
    "STATUS_STYLES",
    "Classification",
    "LegendEntry",
    "Scheme",
    "StatusStyle",
    "build_choropleth",
    "build_topology",
    "classify",
    "render_legend",
    "status_label",
    "status_style_of",
]
