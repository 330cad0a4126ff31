"""Boundary data: manifest, obtain (shipped, mirror, Statbel), reference table, units, cache."""

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
from geobaro.data.rebuild import build_shipped
from geobaro.data.topologies import prebuilt_topology

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
    "build_shipped",
    "dissolve_to_vintage",
    "load_communes",
    "load_mergers",
    "load_statbel_communes",
    "load_units",
    "merged_unit_names",
    "prebuilt_topology",
    "prepare_boundaries",
    "read_boundary_source",
    "read_manifest",
    "simplify_coverage",
    "statbel_sectors_file",
    "unit_names",
]
