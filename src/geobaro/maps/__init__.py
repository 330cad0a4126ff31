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

__all__ = [
    "SCHEMES",
    "STATUS_STYLES",
    "Classification",
    "LegendEntry",
    "Scheme",
    "build_choropleth",
    "build_topology",
    "classify",
]
