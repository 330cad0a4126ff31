"""Commune boundaries of every level and vintage: the public entry points of `geobaro.data`.

The work is done in the modules beside this one: `manifest` (what the raw files are),
`obtain` (mirror, download, Statbel), `reference` (the reference table), `units` (vintages,
levels, web geometry) and `cache` (the prepared GeoParquet files).
"""

from __future__ import annotations

import geopandas as gpd

from geobaro.config import Settings, get_settings
from geobaro.data.cache import (
    attribution_text,
    load_mergers,
    load_prepared,
    prepare_boundaries,
    read_boundary_source,
)
from geobaro.data.manifest import (
    EXPECTED_COUNTS,
    REGION_COUNTS,
    BoundarySource,
    Manifest,
    Progress,
    read_manifest,
    verify_checksum,
)
from geobaro.data.obtain import load_statbel_communes, statbel_sectors_file
from geobaro.data.reference import (
    COMMUNE_COLUMNS,
    UNIT_COLUMNS,
    read_communes_file,
    validate_communes,
)
from geobaro.data.statbel import PopulationFile, SectorsFile
from geobaro.data.units import dissolve_to_vintage, simplify_coverage
from geobaro.vocabulary import LEVELS, VINTAGES, Level, Vintage

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
    "PopulationFile",
    "Progress",
    "SectorsFile",
    "Vintage",
    "attribution_text",
    "dissolve_to_vintage",
    "load_communes",
    "load_mergers",
    "load_statbel_communes",
    "load_units",
    "prepare_boundaries",
    "read_boundary_source",
    "read_communes_file",
    "read_manifest",
    "simplify_coverage",
    "statbel_sectors_file",
    "validate_communes",
    "verify_checksum",
]


def load_communes(
    *, vintage: Vintage = "2018", settings: Settings | None = None
) -> gpd.GeoDataFrame:
    """Return the commune reference table with full-resolution geometry in EPSG:31370.

    Columns: ``nis_code``, ``name_fr``, ``name_nl``, ``name_de``, ``name_en``, ``region``,
    ``population``, ``area_km2``, ``density``, ``arrondissement_nis``, ``province_nis``,
    ``urban_rural``, ``nis_2019``, ``nis_2025``, ``geometry``.

    Examples
    --------
    >>> communes = load_communes()
    >>> len(communes), communes.crs.to_epsg()
    (589, 31370)
    >>> len(load_communes(vintage="2025"))
    565
    """
    return load_units(level="commune", vintage=vintage, settings=settings)


def load_units(
    *,
    level: Level = "commune",
    vintage: Vintage = "2018",
    web: bool = False,
    settings: Settings | None = None,
) -> gpd.GeoDataFrame:
    """Return the units of a level and vintage, with geometry.

    Parameters
    ----------
    level
        ``commune``, ``arrondissement``, ``province`` (Brussels-Capital as its own unit) or
        ``region``.
    vintage
        Boundary vintage: ``2018`` (589 communes), ``2019`` (581) or ``2025`` (565).
    web
        If true, the simplified geometry in EPSG:4326 with rounded coordinates, for web maps
        (from the cache or the files shipped with geobaro); otherwise the full geometry in
        EPSG:31370 (from the cache, built from the mirror or Statbel when needed).

    Examples
    --------
    >>> load_units(level="province")["nis_code"].tolist()[:3]
    ['04000', '10000', '20001']
    >>> len(load_units(level="region", web=True))
    3
    """
    if level not in LEVELS:
        raise ValueError(f"level {level!r} is not one of {LEVELS}")
    if vintage not in VINTAGES:
        raise ValueError(f"vintage {vintage!r} is not one of {VINTAGES}")
    return load_prepared(level, vintage, web=web, settings=settings or get_settings()).copy()
