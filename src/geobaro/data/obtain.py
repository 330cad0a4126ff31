"""Obtain the raw boundary files: mirror folders, a download address or Statbel's sectors."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd

from geobaro.config import Settings, get_settings
from geobaro.data.manifest import (
    BoundarySource,
    Manifest,
    Progress,
    read_manifest,
    verify_checksum,
)
from geobaro.data.statbel import SectorsFile, download_sectors, read_sectors, sectors_file
from geobaro.errors import BoundaryDataError, DataUnavailableError
from geobaro.vocabulary import Vintage

__all__ = [
    "load_statbel_communes",
    "statbel_sectors_file",
]

log = logging.getLogger(__name__)


def statbel_sectors_file(
    vintage: Vintage = "2018", *, settings: Settings | None = None, base_url: str | None = None
) -> SectorsFile:
    """Return the Statbel statistical-sectors archive of a vintage, as listed in the manifest.

    The folder address can be replaced by ``base_url`` or the ``GEOBARO_STATBEL_URL``
    environment variable (a proxy, a local copy, tests).

    Examples
    --------
    >>> f = statbel_sectors_file("2018")
    >>> f.name, f.expected_count
    ('sh_statbel_statistical_sectors_20180101.shp.zip', 589)
    """
    manifest = read_manifest(settings)
    if manifest.statbel is None:
        raise BoundaryDataError(f"the manifest {manifest.path} lists no statbel source")
    return sectors_file(manifest.statbel, vintage, base_url=base_url)


def load_statbel_communes(
    vintage: Vintage = "2019",
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
    sectors: SectorsFile | None = None,
) -> gpd.GeoDataFrame:
    """Return the communes of Statbel's own sectors of a vintage, in EPSG:31370.

    Unlike `load_units`, whose 2019 and 2025 units are dissolved from the 2018 communes,
    this reads that year's archive (581 communes in 2019, 565 in 2025) with its own, newer
    geometry: from the cache's ``statbel/`` folder or a mirror folder, else downloaded
    (unless downloads are disabled) and checked as in `prepare_boundaries`.

    Returns
    -------
    GeoDataFrame
        ``nis_code``, ``name_fr``, ``name_nl``, ``name_de``, ``arrondissement_nis``,
        ``province_nis``, ``region``, ``n_sectors``, ``geometry``.

    Raises
    ------
    DataUnavailableError
        If the archive is nowhere and cannot be downloaded.
    BoundaryDataError
        If it fails the checks (nothing is cached then).
    """
    settings = settings or get_settings()
    sectors = sectors or statbel_sectors_file(vintage, settings=settings)
    statbel_dir = settings.cache_dir / "statbel"
    for folder in (statbel_dir, *settings.mirrors):
        candidate = folder / sectors.name
        if candidate.is_file():
            if sectors.sha256:
                verify_checksum(candidate, sectors.sha256)
            return read_sectors(candidate, expected_count=sectors.expected_count)
    if not settings.allow_download:
        raise DataUnavailableError(
            f"{sectors.name} is not in {statbel_dir} nor a mirror folder and downloads are "
            f"disabled (GEOBARO_OFFLINE); download {sectors.url} by hand into one of them"
        )
    _path, communes = download_sectors(sectors, statbel_dir, progress=progress, span=(0.0, 1.0))
    return communes


# --- private helpers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Obtained:
    """What `_obtain` found: the mirror's verified files, or communes dissolved from sectors."""

    kind: Literal["mirror", "statbel"]
    path: Path
    expected_count: int
    location: str
    communes: gpd.GeoDataFrame | None = None
    sectors: SectorsFile | None = None


def _obtain(
    manifest: Manifest, settings: Settings, report: Progress, sectors: SectorsFile | None
) -> _Obtained:
    raw_dir = settings.cache_dir / "raw"
    problems: list[str] = []
    count = manifest.expected_count
    if _folder_matches(raw_dir, manifest, problems):
        return _Obtained("mirror", raw_dir, count, str(raw_dir))
    for mirror in settings.mirrors:
        if not mirror.is_dir():
            problems.append(f"mirror folder {mirror} does not exist")
            continue
        if _folder_matches(mirror, manifest, problems):
            report(0.2, f"Copying boundary files from {mirror}")
            _copy_files(mirror, raw_dir, (f.name for f in manifest.files))
            return _Obtained("mirror", raw_dir, count, str(mirror))
    if settings.allow_download and manifest.download_urls:
        _download(manifest, raw_dir, report, problems)
        return _Obtained("mirror", raw_dir, count, manifest.download_urls[0])
    if sectors is None and manifest.statbel is not None:
        sectors = sectors_file(manifest.statbel, "2018")
    if sectors is None:
        raise _unavailable(manifest, settings, problems, None)
    statbel_dir = settings.cache_dir / "statbel"
    # an archive downloaded earlier (verified before it was kept) or put in a mirror by hand
    for folder in (statbel_dir, *settings.mirrors):
        candidate = folder / sectors.name
        if candidate.is_file():
            report(0.2, f"Reading Statbel sectors from {candidate}")
            if sectors.sha256:
                verify_checksum(candidate, sectors.sha256)
            communes = read_sectors(candidate, expected_count=sectors.expected_count)
            return _Obtained(
                "statbel", candidate, sectors.expected_count, str(candidate), communes, sectors
            )
        problems.append(f"{folder}: no {sectors.name}")
    if not settings.allow_download:
        problems.append("downloads are disabled (GEOBARO_OFFLINE is set)")
        raise _unavailable(manifest, settings, problems, sectors)
    report(0.1, f"Downloading Statbel statistical sectors {sectors.year}")
    try:
        path, communes = download_sectors(sectors, statbel_dir, progress=report, span=(0.1, 0.35))
    except DataUnavailableError as exc:
        problems.append(str(exc))
        raise _unavailable(manifest, settings, problems, sectors, reason=str(exc)) from exc
    return _Obtained("statbel", path, sectors.expected_count, sectors.url, communes, sectors)


def _unavailable(
    manifest: Manifest,
    settings: Settings,
    problems: list[str],
    sectors: SectorsFile | None,
    *,
    reason: str | None = None,
) -> DataUnavailableError:
    """One short message: what is missing, where it was looked for, how to provide it."""
    log.info("boundary sources tried: %s", "; ".join(problems))
    folders = [settings.cache_dir / "raw", *settings.mirrors]
    if sectors is not None:
        folders.append(settings.cache_dir / "statbel")
    looked = "Looked in " + ", ".join(str(f) for f in dict.fromkeys(folders))
    if not settings.allow_download:
        looked += "; downloads are disabled (GEOBARO_OFFLINE)"
    names = ", ".join(f.name for f in manifest.files)
    fix = f"Set GEOBARO_DATA_MIRROR to a folder holding the verified {names}"
    if sectors is not None:
        fix += (
            f", or put Statbel's {sectors.name} (CC BY 4.0, from {sectors.url}), unopened, "
            f"into {settings.cache_dir / 'statbel'}"
        )
    lines = [
        "The commune boundary files are not available"
        + (f": {reason.rstrip('.')}." if reason else "."),
        f"{looked}.",
        f"{fix}; then run `python -m geobaro data prepare`.",
    ]
    return DataUnavailableError("\n".join(lines))


def _folder_matches(folder: Path, manifest: Manifest, problems: list[str]) -> bool:
    missing = [f.name for f in manifest.files if not (folder / f.name).is_file()]
    if missing:
        problems.append(f"{folder}: missing {', '.join(missing)}")
        return False
    for f in manifest.files:
        verify_checksum(folder / f.name, f.sha256)
    return True


def _copy_files(src: Path, dest: Path, names: Iterable[str]) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        tmp = dest / f".{name}.tmp{os.getpid()}"
        shutil.copyfile(src / name, tmp)
        tmp.replace(dest / name)


def _download(manifest: Manifest, raw_dir: Path, report: Progress, problems: list[str]) -> Path:
    import pooch

    base = manifest.download_urls[0].rstrip("/")
    raw_dir.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(manifest.files):
        report(0.1 + 0.3 * i / len(manifest.files), f"Downloading {f.name}")
        try:
            pooch.retrieve(
                f"{base}/{f.name}", known_hash=f"sha256:{f.sha256}", fname=f.name, path=raw_dir
            )
        except Exception as exc:  # network errors come in many types
            problems.append(f"{base}/{f.name}: {exc}")
            raise DataUnavailableError(
                "Downloading the boundary files failed:\n  - " + "\n  - ".join(problems)
            ) from exc
    return raw_dir


def _find_verified(name: str, manifest: Manifest, settings: Settings) -> Path | None:
    """Return a manifest file with a matching SHA-256 in the cache or a mirror, if any."""
    entry = next((f for f in manifest.files if f.name == name), None)
    if entry is None:
        return None
    for folder in (settings.cache_dir / "raw", *settings.mirrors):
        path = folder / name
        if not path.is_file():
            continue
        try:
            verify_checksum(path, entry.sha256)
        except BoundaryDataError as exc:
            log.warning("not using %s: %s", path, exc)
            continue
        return path
    return None


def _describe_source(
    obtained: _Obtained, manifest: Manifest, gdf: gpd.GeoDataFrame, population_line: str | None
) -> BoundarySource:
    if obtained.kind == "mirror":
        return BoundarySource("mirror", obtained.location, manifest.attribution)
    statbel = manifest.statbel or {}
    year = obtained.sectors.year if obtained.sectors else 2018
    lines = [
        str(line).format(year=year, name=obtained.path.name)
        for line in statbel.get("attribution", [])
    ] or [
        f"Commune boundaries: © Statbel (Directorate-General Statistics – Statistics Belgium), "
        f"statistical sectors 01/01/{year} ({obtained.path.name}), CC BY 4.0; dissolved into "
        "communes and simplified for the web."
    ]
    unavailable: tuple[str, ...] = ()
    if gdf["population"].isna().any():
        unavailable = ("population", "density", "urban_rural")
    elif population_line:
        lines.append(population_line)
    return BoundarySource("statbel", obtained.location, tuple(lines), unavailable)
