"""Boundary data: manifest, obtain (mirror, Statbel), reference table, units and vintages, cache."""

from __future__ import annotations

from geobaro.data._naming import merged_unit_names, unit_names
from geobaro.data.boundaries import (
    COMMUNE_COLUMNS,
    EXPECTED_COUNTS,
    LEVELS,
    REGION_COUNTS,
    UNIT_COLUMNS,
    VINTAGES,
    BoundarySource,
    Level,
    Manifest,
    Vintage,
    attribution_text,
    dissolve_to_vintage,
    load_communes,
    load_mergers,
    load_statbel_communes,
    load_units,
    prepare_boundaries,
    read_boundary_source,
    read_manifest,
    simplify_coverage,
    statbel_sectors_file,
)

__all__ = [
    "COMMUNE_COLUMNS",
    "EXPECTED_COUNTS",
    "LEVELS",
    "REGION_COUNTS",
    "UNIT_COLUMNS",
    "VINTAGES",
    "BoundarySource",
    "Level",
    "Manifest",
    "Vintage",
    "attribution_text",
    "dissolve_to_vintage",
    "load_communes",
    "load_mergers",
    "load_statbel_communes",
    "load_units",
    "merged_unit_names",
    "prepare_boundaries",
    "read_boundary_source",
    "read_manifest",
    "simplify_coverage",
    "statbel_sectors_file",
    "unit_names",
]
