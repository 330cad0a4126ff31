"""Exports of what a user sees: HTML, PNG, CSV and GeoJSON files, and the static site."""

from __future__ import annotations

from geobaro.export.files import export_csv, export_geojson, export_html, export_png
from geobaro.export.site import SiteResult, export_site

__all__ = [
    "SiteResult",
    "export_csv",
    "export_geojson",
    "export_html",
    "export_png",
    "export_site",
]
