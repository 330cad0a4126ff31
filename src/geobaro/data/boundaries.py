"""Obtain, validate, simplify and cache commune boundaries; dissolve to levels and vintages."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geobaro._io import atomic_write, file_sha256
from geobaro._units import (
    ARRONDISSEMENT_NAMES,
    BRUSSELS_PROVINCE_NIS,
    PROVINCE_NAMES,
    REGION_NAMES,
    REGION_NIS,
    TOURNAI_MOUSCRON,
    province_of_arrondissement,
)
from geobaro.config import Settings, get_settings
from geobaro.data.refnis import mergers_frame
from geobaro.data.statbel import (
    PopulationFile,
    SectorsFile,
    download_population,
    download_sectors,
    population_file,
    read_population,
    read_sectors,
    sectors_file,
)
from geobaro.errors import BoundaryDataError, DataUnavailableError
from geobaro.vocabulary import LEVELS, VINTAGES, Level, Vintage

__all__ = [
    "EXPECTED_COUNTS",
    "LEVELS",
    "REGION_COUNTS",
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

log = logging.getLogger(__name__)

#: Progress callback: fraction done in [0, 1] and a short message.
Progress = Callable[[float, str], None]

#: Number of communes per boundary vintage.
EXPECTED_COUNTS: dict[str, int] = {"2018": 589, "2019": 581, "2025": 565}
#: Communes per region in 2018.
REGION_COUNTS: dict[str, int] = {"Flanders": 308, "Wallonia": 262, "Brussels": 19}

_COMMUNES_FILE = "communes_2018.geojson"
_MERGERS_FILE = "mergers.csv"
_POPULATION_FILE = "population_2018.csv"
_CACHE_VERSION = 1
_NAME_COLUMNS = ("name_fr", "name_nl", "name_de", "name_en")
#: Columns of every unit table, whatever the level.
UNIT_COLUMNS = (
    "nis_code",
    *_NAME_COLUMNS,
    "region",
    "population",
    "area_km2",
    "density",
)
#: Extra columns of the commune reference table.
COMMUNE_COLUMNS = (
    *UNIT_COLUMNS,
    "arrondissement_nis",
    "province_nis",
    "urban_rural",
    "nis_2019",
    "nis_2025",
)


@dataclass(frozen=True)
class ManifestFile:
    """One raw file the project needs, with its checksum."""

    name: str
    sha256: str
    size: int
    features: int | None = None


@dataclass(frozen=True)
class Manifest:
    """What the boundary data is, where it comes from and how to check it."""

    path: Path
    dataset: str
    files: tuple[ManifestFile, ...]
    expected_count: int
    licence: str
    attribution: tuple[str, ...]
    upstream: str
    download_urls: tuple[str, ...]
    raw: dict[str, Any]

    @property
    def statbel(self) -> dict[str, Any] | None:
        """The manifest's ``statbel`` source (sector files per vintage), if listed."""
        return next((s for s in self.raw.get("sources", []) if s.get("kind") == "statbel"), None)

    @property
    def digest(self) -> str:
        """Checksum of the manifest's file list, used to invalidate the prepared cache."""
        text = json.dumps([f.__dict__ for f in self.files], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_manifest(settings: Settings | None = None) -> Manifest:
    """Read ``data/shapes/manifest.json``.

    Examples
    --------
    >>> m = read_manifest()
    >>> m.expected_count
    589
    """
    settings = settings or get_settings()
    path = settings.shapes_dir / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        files = tuple(
            ManifestFile(
                name=f["name"], sha256=f["sha256"], size=int(f["bytes"]), features=f.get("features")
            )
            for f in raw["files"]
        )
        return Manifest(
            path=path,
            dataset=raw["dataset"],
            files=files,
            expected_count=int(raw["expected_count"]),
            licence=raw["licence"],
            attribution=tuple(raw["attribution"]),
            upstream=raw["upstream"],
            download_urls=tuple(
                s["url"] for s in raw.get("sources", []) if s.get("kind") == "url" and s.get("url")
            ),
            raw=raw,
        )
    except FileNotFoundError as exc:
        raise BoundaryDataError(f"boundary manifest not found: {path}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise BoundaryDataError(f"boundary manifest {path} is malformed: {exc!r}") from exc


@dataclass(frozen=True)
class BoundarySource:
    """Where the prepared boundaries came from, and what that source could not provide.

    Attributes
    ----------
    kind
        ``mirror`` (the verified files of the manifest) or ``statbel`` (statistical sectors
        downloaded from Statbel and dissolved into communes).
    location
        The folder or address the geometry was taken from.
    attribution
        The attribution lines to show with every map made from these boundaries.
    unavailable
        Columns of the reference table this source could not fill (their values are
        missing: ``<NA>`` population, ``NaN`` density, ``"unknown"`` urban/rural class).
    """

    kind: str
    location: str
    attribution: tuple[str, ...]
    unavailable: tuple[str, ...] = ()


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


def verify_checksum(path: Path, expected_sha256: str) -> None:
    """Raise `BoundaryDataError` unless ``path`` has the expected SHA-256."""
    actual = file_sha256(path)
    if actual != expected_sha256:
        raise BoundaryDataError(
            f"checksum mismatch for {path}: expected SHA-256 {expected_sha256}, got {actual} "
            "(the file is truncated, altered or from another release)"
        )


def read_communes_file(path: Path, *, expected_count: int = 589) -> gpd.GeoDataFrame:
    """Read and validate the raw commune file; return it in the projected CRS (EPSG:31370).

    Raises
    ------
    BoundaryDataError
        If the file cannot be read, lacks columns, or fails `validate_communes`.
    """
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for corrupt files
        raise BoundaryDataError(f"commune file {path} could not be read: {exc}") from exc
    missing = {"nis", "name_fr", "name_nl", "name_de", "region", "arrondissement_nis"} - set(
        gdf.columns
    )
    if missing:
        raise BoundaryDataError(f"commune file {path} lacks columns: {sorted(missing)}")
    if gdf.crs is None:
        raise BoundaryDataError(f"commune file {path} has no CRS")
    gdf = gdf.rename(columns={"nis": "nis_code"}).to_crs(get_settings().crs)
    validate_communes(gdf, expected_count=expected_count)
    return gdf


def validate_communes(gdf: gpd.GeoDataFrame, *, expected_count: int = 589) -> None:
    """Check count, codes and geometry of communes; raise one error listing every problem.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"nis_code": ["11001"]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> validate_communes(g, expected_count=1)
    >>> validate_communes(g, expected_count=2)
    Traceback (most recent call last):
    ...
    geobaro.errors.BoundaryDataError: boundary data failed validation: 1 features, expected 2
    """
    problems: list[str] = []
    if len(gdf) != expected_count:
        problems.append(f"{len(gdf)} features, expected {expected_count}")
    codes = gdf["nis_code"].astype("string")
    bad = codes[~codes.fillna("").str.fullmatch(r"\d{5}")]
    problems += [f"row {i}: nis_code {v!r} is not 5 digits" for i, v in bad.items()]
    dup = codes[codes.duplicated(keep=False) & codes.notna()]
    if len(dup):
        problems.append(f"duplicated nis_code: {sorted(set(dup))}")
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    problems += [f"row {i} ({codes[i]}): empty geometry" for i in gdf.index[empty]]
    invalid = ~empty & ~geom.is_valid
    for i in gdf.index[invalid]:
        reason = shapely.is_valid_reason(geom[i])
        problems.append(f"row {i} ({codes[i]}): invalid geometry: {reason}")
    wrong = ~empty & ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
    problems += [f"row {i} ({codes[i]}): geometry is {geom[i].geom_type}" for i in gdf.index[wrong]]
    if problems:
        raise BoundaryDataError("boundary data failed validation: " + "; ".join(problems))


def simplify_coverage(
    gdf: gpd.GeoDataFrame, *, tolerance: float, max_area_error: float = 0.01
) -> gpd.GeoDataFrame:
    """Simplify a polygon coverage so that neighbours keep shared borders (no gaps, no overlaps).

    Parameters
    ----------
    gdf
        A valid coverage in a projected CRS (metres).
    tolerance
        Simplification tolerance in CRS units.
    max_area_error
        Relative area change allowed per feature; larger changes raise `BoundaryDataError`.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    >>> simplify_coverage(g, tolerance=0.1).area.tolist()
    [1.0, 1.0]
    """
    if gdf.crs is not None and not gdf.crs.is_projected:
        raise BoundaryDataError(f"simplify_coverage needs a projected CRS, got {gdf.crs}")
    out = gdf.copy()
    simplified = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    ratio = np.abs(shapely.area(simplified) / gdf.area.to_numpy() - 1)
    if (ratio > max_area_error).any():
        worst = int(np.argmax(ratio))
        raise BoundaryDataError(
            f"simplification at {tolerance} m changes the area of feature {gdf.index[worst]} by "
            f"{ratio[worst]:.2%} (> {max_area_error:.0%}); lower the tolerance"
        )
    out.geometry = gpd.GeoSeries(simplified, index=gdf.index, crs=gdf.crs)
    return out


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


def dissolve_to_vintage(
    gdf_communes: gpd.GeoDataFrame, mergers: pd.DataFrame, *, vintage: Vintage
) -> gpd.GeoDataFrame:
    """Dissolve the 589 communes of 2018 into the units of a later vintage.

    Codes follow ``nis_2019`` / ``nis_2025``; recodes without territory change keep their shape.
    Population and area are summed, density and urban/rural class recomputed.
    """
    if vintage == "2018":
        return gdf_communes.copy()
    key = f"nis_{vintage}"
    names = mergers.loc[mergers["effective_date"].str.startswith(vintage)].drop_duplicates(
        "new_nis"
    )
    merged_names = dict(zip(names["new_nis"], names["new_name"], strict=True))
    merged_codes = set(
        mergers.loc[
            mergers["effective_date"].str.startswith(vintage) & (mergers["change"] == "merger"),
            "new_nis",
        ]
    )
    rows = []
    geoms = []
    for code, grp in gdf_communes.groupby(key, sort=True):
        first = grp.iloc[0]
        row: dict[str, Any] = {"nis_code": code}
        if code in merged_codes and len(grp) > 1:
            for col in _NAME_COLUMNS:
                row[col] = merged_names[code]
        else:
            for col in _NAME_COLUMNS:
                row[col] = first[col]
        row["region"] = first["region"]
        row["population"] = _sum_or_na(grp["population"])
        row["area_km2"] = float(grp["area_km2"].sum())
        arr = f"{code[:2]}000"
        row["arrondissement_nis"] = arr
        row["province_nis"] = province_of_arrondissement(arr)
        row["nis_2019"] = grp["nis_2019"].iloc[0] if vintage == "2019" else None
        row["nis_2025"] = grp["nis_2025"].iloc[0]
        rows.append(row)
        geoms.append(shapely.coverage_union_all(grp.geometry.values))
    out = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=gdf_communes.crs)
    out["population"] = _population_array(out["population"])
    out["density"] = _density(out["population"], out["area_km2"])
    if vintage == "2019":
        out["nis_2019"] = out["nis_code"]
    rural = float(gdf_communes.attrs.get("rural_density", 150.0))
    out["urban_rural"] = _classify_urban_rural(out["density"], rural)
    return out[[*COMMUNE_COLUMNS, "geometry"]]


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
        If true, the simplified geometry in EPSG:4326 with rounded coordinates, for web maps;
        otherwise the full geometry in EPSG:31370.

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
    settings = settings or get_settings()
    prepare_boundaries(settings=settings)
    return _load_cached(level, vintage, web, settings).copy()


# --- private helpers -------------------------------------------------------------------------


def _no_progress(_fraction: float, _message: str) -> None:
    return None


def _stamp(manifest: Manifest, settings: Settings) -> dict[str, Any]:
    return {
        "version": _CACHE_VERSION,
        "manifest": manifest.digest,
        "tolerance": settings.simplify_tolerance_m,
        "rural_density": settings.rural_density,
    }


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
        raise _unavailable(manifest, settings, problems, sectors) from exc
    return _Obtained("statbel", path, sectors.expected_count, sectors.url, communes, sectors)


def _unavailable(
    manifest: Manifest, settings: Settings, problems: list[str], sectors: SectorsFile | None
) -> DataUnavailableError:
    names = ", ".join(f.name for f in manifest.files)
    raw_dir = settings.cache_dir / "raw"
    lines = [
        "The commune boundary files are not available.",
        f"Needed: either the verified files {names} (see {manifest.path}),",
    ]
    if sectors is not None:
        lines.append(
            f"or Statbel's statistical sectors {sectors.year} ({sectors.name}, CC BY 4.0)."
        )
    lines += ["Looked in:", *(f"  - {p}" for p in problems), "To provide them:"]
    lines.append(
        "  - set GEOBARO_DATA_MIRROR to a folder holding the verified files, "
        f"or copy them into {raw_dir};"
    )
    if sectors is not None:
        lines.append(
            f"  - or download {sectors.url} by hand and put the zip, unopened, into "
            f"{settings.cache_dir / 'statbel'} or a GEOBARO_DATA_MIRROR folder;"
        )
        if not settings.allow_download:
            lines.append("  - or allow the download: unset GEOBARO_OFFLINE and connect;")
    lines.append("then run `python -m geobaro data prepare`.")
    if manifest.upstream:
        lines.append(f"Upstream of the verified files: {manifest.upstream}")
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


def _build_reference(raw_dir: Path, manifest: Manifest, settings: Settings) -> gpd.GeoDataFrame:
    gdf = read_communes_file(raw_dir / _COMMUNES_FILE, expected_count=manifest.expected_count)
    if manifest.expected_count == 589:
        _check_region_counts(gdf)
    pop = pd.read_csv(raw_dir / _POPULATION_FILE, dtype={"nis": str})
    missing = sorted(set(gdf["nis_code"]) - set(pop["nis"]))
    if missing:
        raise BoundaryDataError(f"population_2018.csv lacks communes: {missing}")
    gdf = gdf.merge(
        pop[["nis", "population"]].rename(columns={"nis": "nis_code"}), on="nis_code", how="left"
    )
    gdf["province_nis"] = gdf["province_nis"].replace("", None).fillna(BRUSSELS_PROVINCE_NIS)
    return _complete_reference(gdf, settings)


def _reference_from_sectors(
    obtained: _Obtained,
    manifest: Manifest,
    settings: Settings,
    report: Progress,
    population: PopulationFile | None,
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Build the reference table from communes dissolved from Statbel sectors.

    Statbel's sector files carry no population. It comes, in this order, from the
    manifest's verified ``population_2018.csv`` in a mirror or the cache, or from Statbel's
    population table (in the cache or a mirror, else downloaded), checked against the
    known total; otherwise it stays missing. The 2019 and 2025 codes come from the bundled
    REFNIS code changes. Returns the table and the attribution line of the population.
    """
    assert obtained.communes is not None
    gdf = obtained.communes.drop(columns=["n_sectors"], errors="ignore").copy()
    if obtained.expected_count == 589:
        _check_region_counts(gdf)
    mergers = mergers_frame()
    gdf["nis_2019"] = _map_codes(gdf["nis_code"], mergers, "2019")
    gdf["nis_2025"] = _map_codes(gdf["nis_2019"], mergers, "2025")
    values, line = _obtain_population(gdf["nis_code"], manifest, settings, report, population)
    if values is None:
        log.warning(
            "population 2018 unavailable: density and urban/rural class are left unknown; "
            "put the verified %s in a GEOBARO_DATA_MIRROR folder and run "
            "`python -m geobaro data prepare --force`",
            _POPULATION_FILE,
        )
        gdf["population"] = pd.array([pd.NA] * len(gdf), dtype="Int64")
    else:
        gdf["population"] = _population_array(gdf["nis_code"].map(values))
    return _complete_reference(gdf, settings), line


def _obtain_population(
    codes: pd.Series,
    manifest: Manifest,
    settings: Settings,
    report: Progress,
    population: PopulationFile | None,
) -> tuple[pd.Series | None, str | None]:
    mirror_file = _find_verified(_POPULATION_FILE, manifest, settings)
    if mirror_file is not None:
        pop = pd.read_csv(mirror_file, dtype={"nis": str})
        series = pd.Series(pop["population"].to_numpy(), index=pop["nis"])
        if set(codes) <= set(series.index):
            return series, manifest.attribution[-1]
        log.warning("%s lacks some communes of the sectors; not used", mirror_file)
    if population is None and manifest.statbel is not None:
        population = population_file(manifest.statbel)
    if population is None:
        return None, None
    line = (
        f"Population 1 January {population.year}: Statbel, population by place of residence "
        f"({population.name}), CC BY 4.0."
    )
    statbel_dir = settings.cache_dir / "statbel"
    try:
        for folder in (statbel_dir, *settings.mirrors):
            candidate = folder / population.name
            if candidate.is_file():
                series = read_population(candidate, expected_total=population.expected_total)
                return _covering(series, codes, candidate.name), line
        if not settings.allow_download:
            return None, None
        report(0.42, f"Downloading Statbel population {population.year}")
        _path, series = download_population(
            population, statbel_dir, progress=report, span=(0.42, 0.6)
        )
        return _covering(series, codes, population.name), line
    except BoundaryDataError as exc:  # the boundaries stay usable without population
        log.warning("population not used: %s", exc)
        return None, None


def _covering(series: pd.Series, codes: pd.Series, name: str) -> pd.Series:
    missing = sorted(set(codes) - set(series.index))
    if missing:
        raise BoundaryDataError(f"{name} lacks communes {missing[:10]}")
    return series


def _complete_reference(gdf: gpd.GeoDataFrame, settings: Settings) -> gpd.GeoDataFrame:
    """English names, area, density and urban/rural class; sorted; reference columns only."""
    gdf = gdf.copy()
    gdf["name_en"] = np.where(gdf["region"] == "Wallonia", gdf["name_fr"], gdf["name_nl"])
    brussels = gdf["region"] == "Brussels"
    # Brussels communes are bilingual; English usage follows the French form (e.g. "Ixelles")
    gdf.loc[brussels, "name_en"] = gdf.loc[brussels, "name_fr"]
    gdf.loc[gdf["nis_code"] == "21004", "name_en"] = "Brussels"
    gdf["area_km2"] = gdf.area / 1e6
    gdf["density"] = _density(gdf["population"], gdf["area_km2"])
    gdf["urban_rural"] = _classify_urban_rural(gdf["density"], settings.rural_density)
    for col in ("nis_code", *_NAME_COLUMNS, "region", "arrondissement_nis", "province_nis"):
        gdf[col] = gdf[col].astype(str)
    gdf = gdf.sort_values("nis_code").reset_index(drop=True)
    return gdf[[*COMMUNE_COLUMNS, "geometry"]]


def _check_region_counts(gdf: gpd.GeoDataFrame) -> None:
    counts = gdf["region"].value_counts().to_dict()
    if counts != REGION_COUNTS:
        raise BoundaryDataError(f"communes per region are {counts}, expected {REGION_COUNTS}")


def _map_codes(codes: pd.Series, mergers: pd.DataFrame, year: str) -> pd.Series:
    changes = mergers.loc[mergers["effective_date"].str.startswith(year)]
    mapping = dict(zip(changes["old_nis"], changes["new_nis"], strict=True))
    return codes.map(lambda c: mapping.get(c, c))


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


def _population_array(values: pd.Series) -> pd.Series:
    """Return population as integers, nullable when a source has none (``Int64``)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def _sum_or_na(values: pd.Series) -> Any:
    """Sum of populations, or missing if any part is missing (never a partial sum)."""
    if values.isna().any():
        return pd.NA
    return int(values.sum())


def _density(population: pd.Series, area_km2: pd.Series) -> pd.Series:
    return pd.to_numeric(population, errors="coerce").astype("float64") / area_km2.astype("float64")


def _classify_urban_rural(density: pd.Series, threshold: float) -> np.ndarray[Any, Any]:
    """``rural`` below the density threshold, ``urban`` above, ``unknown`` without population."""
    values = density.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(values), "unknown", np.where(values < threshold, "rural", "urban"))


def _simplify_within_area(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify at the configured tolerance; halve it (twice at most) if areas move > 1%."""
    for attempt in range(3):
        try:
            return simplify_coverage(gdf, tolerance=tolerance)
        except BoundaryDataError as exc:
            if attempt == 2:
                raise
            # more detailed borders (e.g. Statbel's 1:10,000 sectors) may need a finer step
            log.warning("%s; retrying at %g m", exc, tolerance / 2)
            tolerance /= 2
    raise AssertionError("unreachable")  # pragma: no cover


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


def _dissolve_level(gdf: gpd.GeoDataFrame, level: str, vintage: str) -> gpd.GeoDataFrame:
    key = {"arrondissement": "arrondissement_nis", "province": "province_nis", "region": "region"}[
        level
    ]
    rows = []
    geoms = []
    for code, grp in gdf.groupby(key, sort=True):
        if level == "region":
            nis = REGION_NIS[str(code)]
            names = REGION_NAMES[str(code)]
        elif level == "province":
            nis, names = str(code), PROVINCE_NAMES[str(code)]
        else:
            nis = str(code)
            names = ARRONDISSEMENT_NAMES[nis]
            if nis == "57000" and vintage != "2018":
                names = TOURNAI_MOUSCRON
        pop = _sum_or_na(grp["population"])
        area = float(grp["area_km2"].sum())
        rows.append(
            dict(
                zip(_NAME_COLUMNS, names, strict=True),
                nis_code=nis,
                region=grp["region"].iloc[0],
                population=pop,
                area_km2=area,
                n_communes=len(grp),
            )
        )
        geoms.append(shapely.coverage_union_all(grp.geometry.values))
    out = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=gdf.crs)
    out["population"] = _population_array(out["population"])
    out["density"] = _density(out["population"], out["area_km2"])
    out = out.sort_values("nis_code").reset_index(drop=True)
    return out[[*UNIT_COLUMNS, "n_communes", "geometry"]]


def _to_web(gdf: gpd.GeoDataFrame, *, decimals: int) -> gpd.GeoDataFrame:
    out = gdf.to_crs("EPSG:4326")
    # every vertex rounded on its own, so borders shared by neighbours stay identical
    rounded = shapely.transform(out.geometry.values, lambda xy: np.round(xy, decimals))
    invalid = ~shapely.is_valid(rounded)
    if invalid.any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            rounded[invalid] = shapely.make_valid(rounded[invalid], method="structure")
    out.geometry = gpd.GeoSeries(rounded, index=out.index, crs="EPSG:4326")
    return out
