"""The prepared boundary cache: built once from the best source, read per level and vintage."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geobaro._io import atomic_write
from geobaro.config import Settings, get_settings
from geobaro.data.manifest import (
    _MERGERS_FILE,
    BoundarySource,
    Manifest,
    Progress,
    _no_progress,
    read_manifest,
)
from geobaro.data.obtain import _describe_source, _obtain
from geobaro.data.reference import _build_reference, _reference_from_sectors
from geobaro.data.refnis import mergers_frame
from geobaro.data.statbel import PopulationFile, SectorsFile
from geobaro.data.units import _dissolve_level, _simplify_within_area, _to_web, dissolve_to_vintage
from geobaro.errors import BoundaryDataError

__all__ = [
    "attribution_text",
    "load_mergers",
    "prepare_boundaries",
    "read_boundary_source",
]

log = logging.getLogger(__name__)

_CACHE_VERSION = 1


def prepare_boundaries(
    *,
    settings: Settings | None = None,
    force: bool = False,
    progress: Progress | None = None,
    sectors: SectorsFile | None = None,
    population: PopulationFile | None = None,
) -> Path:
    """Obtain the raw boundary files, verify them and build the GeoParquet cache.

    Sources are tried in the manifest's order of preference: the prepared cache; the mirror
    folders (``GEOBARO_DATA_MIRROR``, then ``../shared/data/boundaries``) holding the
    manifest's verified files; a Statbel sectors archive already in the cache or in a mirror
    folder; then, unless ``GEOBARO_OFFLINE`` is set, the download of Statbel's statistical
    sectors of 2018, dissolved into the 589 communes. Nothing is downloaded when the cache or
    a mirror is present.

    Parameters
    ----------
    settings
        Folders and options; `get_settings` by default.
    force
        Rebuild the cache even if its stamp matches.
    progress
        Callback ``(fraction, message)`` (the CLI's bar, the app's ``st.progress``).
    sectors
        The Statbel archive to use instead of the manifest's 2018 file (another address or
        a small test file with its own expected count).
    population
        The Statbel population table to use instead of the manifest's, when the sectors
        are used and no mirror holds the verified ``population_2018.csv``.

    Returns
    -------
    Path
        The cache folder, holding the prepared ``*.parquet`` files and ``prepared.json``,
        which records the source used.

    Raises
    ------
    DataUnavailableError
        If no source has the files; the message says what is missing and how to provide it.
    BoundaryDataError
        If the files found are corrupt or inconsistent (nothing is cached then).
    """
    settings = settings or get_settings()
    report = progress or _no_progress
    manifest = read_manifest(settings)
    cache = settings.cache_dir
    stamp = cache / "prepared.json"
    wanted = _stamp(manifest, settings)
    if not force and stamp.exists():
        try:
            found = json.loads(stamp.read_text(encoding="utf-8"))
            if {key: found.get(key) for key in wanted} == wanted:
                return cache
        except (ValueError, AttributeError):
            log.warning("ignoring unreadable cache stamp %s", stamp)
    report(0.05, "Looking for the commune boundary files")
    obtained = _obtain(manifest, settings, report, sectors)
    report(0.4, f"Reading and validating {obtained.expected_count} communes")
    population_line: str | None = None
    if obtained.communes is None:
        gdf = _build_reference(obtained.path, manifest, settings)
    else:
        gdf, population_line = _reference_from_sectors(
            obtained, manifest, settings, report, population
        )
    report(0.7, "Simplifying borders for the web (topology kept)")
    simple = _simplify_within_area(gdf, settings.simplify_tolerance_m)
    report(0.9, "Writing the GeoParquet cache")
    _write_parquet(gdf, cache / "communes_2018.parquet")
    _write_parquet(simple, cache / "communes_2018_simplified.parquet")
    source = _describe_source(obtained, manifest, gdf, population_line)
    atomic_write(stamp, json.dumps({**wanted, "source": source.__dict__}, indent=1))
    _load_cached.cache_clear()
    report(1.0, "Boundaries ready")
    return cache


def read_boundary_source(settings: Settings | None = None) -> BoundarySource:
    """Return the source of the prepared boundaries, preparing them first if needed.

    Examples
    --------
    >>> source = read_boundary_source()
    >>> source.kind in {"mirror", "statbel"}, "Statbel" in source.attribution[0]
    (True, True)
    """
    settings = settings or get_settings()
    prepare_boundaries(settings=settings)
    source = _source_from_stamp(settings)
    if source is None:  # pragma: no cover - prepare_boundaries always writes the stamp
        raise BoundaryDataError(f"no cache stamp in {settings.cache_dir}")
    return source


def attribution_text(settings: Settings | None = None) -> str:
    """Return the attribution the boundary data requires, one line per source.

    It follows the source the prepared cache was built from (mirror files or the Statbel
    download); before anything is prepared, the mirror's attribution from the manifest.

    Examples
    --------
    >>> "Statbel" in attribution_text()
    True
    """
    settings = settings or get_settings()
    source = _source_from_stamp(settings)
    lines = source.attribution if source else read_manifest(settings).attribution
    return "\n".join(lines)


def load_mergers(settings: Settings | None = None) -> pd.DataFrame:
    """Return the 2019 and 2025 NIS code changes.

    Columns: ``effective_date, old_nis, new_nis, new_name, change`` (merger or recode).
    From the mirror's verified ``mergers.csv`` when the cache was built from the mirror,
    otherwise from the same REFNIS facts bundled with geobaro.

    Examples
    --------
    >>> load_mergers().query("old_nis == '55022'")["new_nis"].item()
    '58001'
    """
    settings = settings or get_settings()
    prepare_boundaries(settings=settings)
    return _read_mergers(settings)


# --- private helpers -------------------------------------------------------------------------


def _stamp(manifest: Manifest, settings: Settings) -> dict[str, Any]:
    return {
        "version": _CACHE_VERSION,
        "manifest": manifest.digest,
        "tolerance": settings.simplify_tolerance_m,
        "rural_density": settings.rural_density,
    }


def _source_from_stamp(settings: Settings) -> BoundarySource | None:
    stamp = settings.cache_dir / "prepared.json"
    try:
        found = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    source = found.get("source") if isinstance(found, dict) else None
    if not isinstance(source, dict):  # a stamp written before sources were recorded
        manifest = read_manifest(settings)
        return BoundarySource("mirror", str(settings.cache_dir / "raw"), manifest.attribution)
    return BoundarySource(
        kind=str(source["kind"]),
        location=str(source["location"]),
        attribution=tuple(source["attribution"]),
        unavailable=tuple(source.get("unavailable", ())),
    )


def _read_mergers(settings: Settings) -> pd.DataFrame:
    source = _source_from_stamp(settings)
    path = settings.cache_dir / "raw" / _MERGERS_FILE
    if (source is None or source.kind == "mirror") and path.is_file():
        return pd.read_csv(path, dtype=str)
    return mergers_frame()


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: gdf.to_parquet(tmp, index=False))


@lru_cache(maxsize=64)
def _load_cached(level: str, vintage: str, web: bool, settings: Settings) -> gpd.GeoDataFrame:
    name = "communes_2018_simplified.parquet" if web else "communes_2018.parquet"
    gdf = gpd.read_parquet(settings.cache_dir / name)
    gdf.attrs["rural_density"] = settings.rural_density
    if vintage != "2018":
        mergers = _read_mergers(settings)
        gdf = dissolve_to_vintage(gdf, mergers, vintage=vintage)  # type: ignore[arg-type]
    if level != "commune":
        gdf = _dissolve_level(gdf, level, vintage)
    if web:
        gdf = _to_web(gdf, decimals=settings.web_decimals)
    return gdf
