"""The prepared boundary cache: built once from the best source, read per level and vintage."""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geobaro._io import atomic_write, file_sha256
from geobaro.config import Settings, get_settings
from geobaro.data.attribution import translate_attribution
from geobaro.data.manifest import (
    _MERGERS_FILE,
    FULL_TABLE,
    STAMP,
    WEB_TABLE,
    BoundarySource,
    Manifest,
    Progress,
    _no_progress,
    read_manifest,
    read_stamp,
)
from geobaro.data.obtain import _describe_source, _obtain
from geobaro.data.reference import _build_reference, _reference_from_sectors
from geobaro.data.refnis import mergers_frame
from geobaro.data.shipped import verified_shipped
from geobaro.data.statbel import PopulationFile, SectorsFile
from geobaro.data.units import _dissolve_level, _simplify_within_area, _to_web, dissolve_to_vintage
from geobaro.errors import BoundaryDataError, DataUnavailableError
from geobaro.vocabulary import Lang

__all__ = [
    "attribution_text",
    "load_mergers",
    "load_prepared",
    "prepare_boundaries",
    "read_boundary_source",
    "web_units_path",
    "write_web_units",
]

log = logging.getLogger(__name__)

_CACHE_VERSION = 1
#: The prepared web units (`web_units_path`): their folder, and their format (bump it when
#: the dissolving or the projection of web units changes).
WEB_UNITS_DIR = "web-units"
_WEB_UNITS_FORMAT = 1


def prepare_boundaries(
    *,
    settings: Settings | None = None,
    force: bool = False,
    full: bool = False,
    progress: Progress | None = None,
    sectors: SectorsFile | None = None,
    population: PopulationFile | None = None,
) -> Path:
    """Make the prepared boundaries available; return the folder that holds them.

    Sources are tried in this order: the prepared cache; the web boundaries shipped in the
    package (simplified geometry and reference table, checked by SHA-256; not with ``full``);
    the mirror folders (``GEOBARO_DATA_MIRROR``, then ``../shared/data/boundaries``) holding
    the manifest's verified files; a Statbel sectors archive already in the cache or in a
    mirror folder; then, unless ``GEOBARO_OFFLINE`` is set, the download of Statbel's
    statistical sectors of 2018, dissolved into the 589 communes. The last three build the
    cache, with full-resolution geometry. Nothing is downloaded when the cache, the shipped
    files or a mirror are present.

    Parameters
    ----------
    settings
        Folders and options; `get_settings` by default.
    force
        Rebuild the cache from the mirror or Statbel even if its stamp matches.
    full
        Full-resolution geometry is needed: the shipped (simplified) files do not do.
    progress
        Callback ``(fraction, message)`` (the CLI's bar, the app's ``st.progress``).
    sectors
        The Statbel archive to use instead of the manifest's 2018 file (another address or
        a small test file with its own expected count); implies building the cache.
    population
        The Statbel population table to use instead of the manifest's, when the sectors
        are used and no mirror holds the verified ``population_2018.csv``.

    Returns
    -------
    Path
        The cache folder or the shipped folder, holding ``communes_2018_simplified.parquet``
        (and, in the cache, ``communes_2018.parquet``) and ``prepared.json``, which records
        the source used.

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
    wanted = _stamp(manifest, settings)
    if not force and read_stamp(cache, wanted) is not None:
        return cache
    if not (force or full or sectors or population):
        shipped = verified_shipped(settings, wanted)
        if shipped is not None:
            return shipped
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
    _write_parquet(gdf, cache / FULL_TABLE)
    _write_parquet(simple, cache / WEB_TABLE)
    source = _describe_source(obtained, manifest, gdf, population_line)
    atomic_write(cache / STAMP, json.dumps({**wanted, "source": source.__dict__}, indent=1))
    _load_cached.cache_clear()
    report(1.0, "Boundaries ready")
    return cache


def read_boundary_source(settings: Settings | None = None) -> BoundarySource:
    """Return the source of the prepared boundaries, preparing them first if needed.

    Examples
    --------
    >>> source = read_boundary_source()
    >>> source.kind in {"mirror", "statbel", "shipped"}, "Statbel" in source.attribution[0]
    (True, True)
    """
    settings = settings or get_settings()
    folder = prepare_boundaries(settings=settings)
    source = _source_in(folder, settings)
    if source is None:  # pragma: no cover - a prepared folder always has its stamp
        raise BoundaryDataError(f"no stamp {STAMP} in {folder}")
    return source


def attribution_text(settings: Settings | None = None, *, lang: Lang = "en") -> str:
    """Return the attribution the boundary data requires, one line per source, in ``lang``.

    It follows the source of the prepared boundaries (the mirror's files, from which the
    shipped files are built, or the Statbel download); before anything is prepared, the
    mirror's attribution from the manifest.

    Examples
    --------
    >>> "Statbel" in attribution_text()
    True
    >>> attribution_text(lang="nl").startswith("Gemeentegrenzen")
    True
    """
    settings = settings or get_settings()
    source = _current_source(settings)
    lines = source.attribution if source else read_manifest(settings).attribution
    return translate_attribution("\n".join(lines), lang)


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
    return _read_mergers(prepare_boundaries(settings=settings), settings)


def load_prepared(
    level: str, vintage: str, *, web: bool, settings: Settings | None = None
) -> gpd.GeoDataFrame:
    """Return the units of a level and vintage from the prepared folder (shared, do not change).

    Web tables come from the cache or the shipped files; full-resolution tables from the
    cache, built from the mirror or Statbel when needed. When neither can provide full
    resolution, the shipped simplified geometry is used with a warning (the reference
    table's values are the same; only the borders are simplified).
    """
    settings = settings or get_settings()
    if web:
        return _load_cached(level, vintage, True, prepare_boundaries(settings=settings), settings)
    try:
        folder = prepare_boundaries(settings=settings, full=True)
    except DataUnavailableError:
        shipped = verified_shipped(settings, _stamp(read_manifest(settings), settings))
        if shipped is None:
            raise
        folder = shipped
        warnings.warn(
            "Full-resolution commune boundaries are not available (no mirror files, no "
            "Statbel download): using the simplified boundaries shipped with geobaro, with "
            "the same reference table; `python -m geobaro data prepare --full` prepares them.",
            UserWarning,
            stacklevel=3,
        )
    return _load_cached(level, vintage, False, folder, settings)


# --- private helpers -------------------------------------------------------------------------


def _stamp(manifest: Manifest, settings: Settings) -> dict[str, Any]:
    return {
        "version": _CACHE_VERSION,
        "manifest": manifest.digest,
        "tolerance": settings.simplify_tolerance_m,
        "rural_density": settings.rural_density,
    }


def _source_in(folder: Path, settings: Settings) -> BoundarySource | None:
    found = read_stamp(folder)
    if found is None:
        return None
    source = found.get("source")
    if not isinstance(source, dict):  # a stamp written before sources were recorded
        manifest = read_manifest(settings)
        return BoundarySource("mirror", str(folder / "raw"), manifest.attribution)
    return BoundarySource(
        kind=str(source["kind"]),
        location=str(source["location"]),
        attribution=tuple(source["attribution"]),
        unavailable=tuple(source.get("unavailable", ())),
    )


def _current_source(settings: Settings) -> BoundarySource | None:
    """Return the source `prepare_boundaries` would use now, without preparing anything."""
    wanted = _stamp(read_manifest(settings), settings)
    if read_stamp(settings.cache_dir, wanted) is None:
        shipped = verified_shipped(settings, wanted)
        if shipped is not None:
            return _source_in(shipped, settings)
    return _source_in(settings.cache_dir, settings)


def _read_mergers(folder: Path, settings: Settings) -> pd.DataFrame:
    source = _source_in(folder, settings)
    path = folder / "raw" / _MERGERS_FILE
    if (source is None or source.kind == "mirror") and path.is_file():
        return pd.read_csv(path, dtype=str)
    return mergers_frame()


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: gdf.to_parquet(tmp, index=False))


@lru_cache(maxsize=64)
def _load_cached(
    level: str, vintage: str, web: bool, folder: Path, settings: Settings
) -> gpd.GeoDataFrame:
    if web:
        prepared = web_units_path(folder, level, vintage, settings)
        if prepared is not None and prepared.is_file():
            try:
                gdf = gpd.read_parquet(prepared)
            except Exception:  # a damaged file is not used: the units are built as without it
                log.warning("ignoring unreadable web units %s", prepared, exc_info=True)
            else:
                gdf.attrs["rural_density"] = settings.rural_density
                return gdf
    return _build_units(level, vintage, web, folder, settings)


def web_units_path(folder: Path, level: str, vintage: str, settings: Settings) -> Path | None:
    """Return where the prepared web units of a level and vintage are kept in ``folder``.

    ``python -m geobaro data prepare`` writes the EPSG:4326 units the maps draw, for every
    level and vintage, into ``folder/web-units/`` (`write_web_units`), so that a first map
    reads them instead of dissolving and projecting (0.08 s for the communes). The name holds
    a digest of what they are made of: the folder's stamp, the simplified table's bytes, the
    web rounding and the format, so a file of other boundaries or settings is never read.
    ``None`` when ``folder`` holds no prepared table.
    """
    stamp = read_stamp(folder)
    table = folder / WEB_TABLE
    if stamp is None or not table.is_file():
        return None
    key = json.dumps(
        [_WEB_UNITS_FORMAT, stamp, file_sha256(table), settings.web_decimals, level, vintage],
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return folder / WEB_UNITS_DIR / f"{vintage}-{level}-{digest}.parquet"


def write_web_units(
    folder: Path, settings: Settings, levels: Iterable[str], vintages: Iterable[str]
) -> list[Path]:
    """Write the web units of each level and vintage into ``folder`` (see `web_units_path`).

    A current file is kept (its name says what it holds); the files of the same level and
    vintage with another digest are removed. Returns the current files, or none when
    ``folder`` holds no prepared table.
    """
    written: list[Path] = []
    levels = list(levels)
    for vintage in vintages:
        for level in levels:
            path = web_units_path(folder, level, vintage, settings)
            if path is None:
                return []
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                _write_parquet(_build_units(level, vintage, True, folder, settings), path)
            for other in path.parent.glob(f"{vintage}-{level}-*.parquet"):
                if other != path:
                    other.unlink()
            written.append(path)
    return written


def _build_units(
    level: str, vintage: str, web: bool, folder: Path, settings: Settings
) -> gpd.GeoDataFrame:
    # the shipped folder holds only the simplified table
    name = FULL_TABLE if not web and (folder / FULL_TABLE).is_file() else WEB_TABLE
    gdf = gpd.read_parquet(folder / name)
    gdf.attrs["rural_density"] = settings.rural_density
    if vintage != "2018":
        mergers = _read_mergers(folder, settings)
        gdf = dissolve_to_vintage(gdf, mergers, vintage=vintage)  # type: ignore[arg-type]
    if level != "commune":
        gdf = _dissolve_level(gdf, level, vintage)
    if web:
        gdf = _to_web(gdf, decimals=settings.web_decimals)
    # every level and vintage says the density its urban/rural split used (dissolving drops it)
    gdf.attrs["rural_density"] = settings.rural_density
    return gdf
