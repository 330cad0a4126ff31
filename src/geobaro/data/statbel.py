"""Statbel statistical sectors: address, download, read and dissolve them into communes."""

from __future__ import annotations

import gc
import io
import logging
import os
import re
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geobaro._units import BRUSSELS_PROVINCE_NIS, REGION_NAMES, province_of_arrondissement
from geobaro.errors import BoundaryDataError, DataUnavailableError

__all__ = [
    "DEFAULT_BASE_URL",
    "STATBEL_URL_ENV",
    "PopulationFile",
    "SectorsFile",
    "dissolve_sectors",
    "download_population",
    "download_sectors",
    "normalize_sector_columns",
    "population_file",
    "read_population",
    "read_sectors",
    "sectors_file",
    "sectors_file_name",
]

log = logging.getLogger(__name__)

#: Environment variable that replaces the folder address of the Statbel files (tests, proxies).
STATBEL_URL_ENV = "GEOBARO_STATBEL_URL"
#: Folder of Statbel's open-data statistical sectors.
DEFAULT_BASE_URL = (
    "https://statbel.fgov.be/sites/default/files/files/opendata/Statistische%20sectoren/"
)
#: CRS in which sectors are dissolved and checked (Belgian Lambert 72).
WORK_CRS = "EPSG:31370"

Progress = Callable[[float, str], None]
_T = TypeVar("_T")

# Statbel has published two attribute layouts (matched case-insensitively, first hit wins):
# the GeoJSON/GPKG files and the sector tables use REFNIS names (cd_munty_refnis,
# tx_munty_descr_fr, cd_dstr_refnis, cd_prov_refnis, cd_rgn_refnis ...); the shapefiles
# of 2018-2022 use names cut to the 10 characters of dBASE (CNIS5_2019, T_MUN_FR, CNIS_ARRD_,
# CNIS_PROVI, CNIS_REGIO ...).
_COLUMN_PATTERNS: dict[str, tuple[str, ...]] = {
    "nis_code": (r"cd_munty_refnis", r"cnis5_\d{4}", r"cd_munty_r", r"cd_refnis"),
    "name_fr": (r"tx_munty_descr_fr", r"t_mun_fr"),
    "name_nl": (r"tx_munty_descr_nl", r"t_mun_nl"),
    "name_de": (r"tx_munty_descr_de", r"t_mun_de"),
    "arrondissement_nis": (r"cd_dstr_refnis", r"cd_arrd_refnis", r"cnis_arrd\w*"),
    "province_nis": (r"cd_prov_refnis", r"cnis_provi\w*"),
    "region_nis": (r"cd_rgn_refnis", r"cnis_regio\w*"),
    "region_nl": (r"tx_rgn_descr_nl", r"t_regio_nl"),
}
_REQUIRED = ("nis_code", "name_fr", "name_nl")
_REGION_BY_NIS = {"02000": "Flanders", "03000": "Wallonia", "04000": "Brussels"}
_REGION_BY_NL_NAME = {names[1].casefold(): key for key, names in REGION_NAMES.items()}
# REFNIS names of homonyms carry the arrondissement in brackets: "Aalst (Aalst)"
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
#: Largest relative area change per commune accepted when slivers between sectors are cleaned.
MAX_CLEAN_AREA_CHANGE = 1e-3


@dataclass(frozen=True)
class SectorsFile:
    """One Statbel statistical-sectors archive and what it must hold.

    Attributes
    ----------
    year
        Reference year (situation on 1 January).
    name
        File name of the zip archive.
    url
        Full download address.
    expected_count
        Number of communes the sectors must dissolve into (589, 581 or 565).
    sha256
        Expected SHA-256 of the archive, when known; otherwise the archive is checked by
        its zip CRCs and by the dissolve.
    """

    year: int
    name: str
    url: str
    expected_count: int
    sha256: str | None = None


@dataclass(frozen=True)
class PopulationFile:
    """Statbel's population table of a year (``TF_SOC_POP_STRUCT_<year>``, CC BY 4.0).

    Attributes
    ----------
    year
        Reference year (population on 1 January).
    name
        File name of the zip archive.
    url
        Full download address.
    expected_total
        Population of Belgium the table must sum to, when known.
    sha256
        Expected SHA-256 of the archive, when known.
    """

    year: int
    name: str
    url: str
    expected_total: int | None = None
    sha256: str | None = None


def sectors_file_name(year: int, *, epsg: int | None = None, fmt: str = "geojson") -> str:
    """Return Statbel's file name of the sectors of a year.

    Newer years are published per CRS and format; older years as one Lambert 72 shapefile
    (``epsg=None``).

    Examples
    --------
    >>> sectors_file_name(2018)
    'sh_statbel_statistical_sectors_20180101.shp.zip'
    >>> sectors_file_name(2025, epsg=31370)
    'sh_statbel_statistical_sectors_31370_20250101.geojson.zip'
    """
    if epsg is None:
        return f"sh_statbel_statistical_sectors_{year}0101.shp.zip"
    return f"sh_statbel_statistical_sectors_{epsg}_{year}0101.{fmt}.zip"


def sectors_file(
    source: Mapping[str, Any], vintage: str, *, base_url: str | None = None
) -> SectorsFile:
    """Return the sectors file of a boundary vintage described by a manifest ``statbel`` source.

    Parameters
    ----------
    source
        The manifest entry: ``base_url`` and ``files`` (vintage -> ``name``,
        ``expected_count``, optional ``sha256``).
    vintage
        ``2018``, ``2019`` or ``2025``.
    base_url
        Folder address replacing the manifest's; defaults to ``GEOBARO_STATBEL_URL`` if set.

    Examples
    --------
    >>> src = {"base_url": "https://example.org/x/",
    ...        "files": {"2018": {"name": "a.shp.zip", "expected_count": 589}}}
    >>> sectors_file(src, "2018").url
    'https://example.org/x/a.shp.zip'
    """
    try:
        entry = source["files"][vintage]
        base = base_url or os.environ.get(STATBEL_URL_ENV) or source.get("base_url")
        base = base or DEFAULT_BASE_URL
        return SectorsFile(
            year=int(entry.get("year", vintage)),
            name=str(entry["name"]),
            url=base.rstrip("/") + "/" + str(entry["name"]),
            expected_count=int(entry["expected_count"]),
            sha256=entry.get("sha256") or None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BoundaryDataError(
            f"the manifest's statbel source has no usable entry for vintage {vintage!r}: {exc!r}"
        ) from exc


def download_sectors(
    sectors: SectorsFile,
    dest_dir: Path,
    *,
    progress: Progress | None = None,
    span: tuple[float, float] = (0.1, 0.4),
    timeout: float = 120.0,
) -> tuple[Path, gpd.GeoDataFrame]:
    """Download a sectors archive, check it, and only then move it into ``dest_dir``.

    The file is fetched with pooch into a temporary folder; it is kept only if it is a
    complete zip archive (and matches ``sha256`` when given) whose sectors dissolve into
    ``expected_count`` valid, non-overlapping communes.

    Parameters
    ----------
    sectors
        What to fetch and what it must hold.
    dest_dir
        Cache folder the verified archive is moved into.
    progress
        Callback ``(fraction, message)``; the download reports fractions within ``span``.
    span
        Range of fractions the download occupies in the caller's progress.
    timeout
        Seconds without data after which the connection is given up.

    Returns
    -------
    tuple of Path and GeoDataFrame
        The cached archive and its communes (see `read_sectors`).

    Raises
    ------
    DataUnavailableError
        If the address cannot be reached or the transfer is cut off.
    BoundaryDataError
        If the file is not a complete archive or its sectors fail the checks.
    """
    return _fetch(
        sectors.url,
        sectors.name,
        sectors.sha256,
        dest_dir,
        lambda path: read_sectors(path, expected_count=sectors.expected_count),
        progress=progress,
        span=span,
        timeout=timeout,
    )


def download_population(
    population: PopulationFile,
    dest_dir: Path,
    *,
    progress: Progress | None = None,
    span: tuple[float, float] = (0.42, 0.6),
    timeout: float = 120.0,
) -> tuple[Path, pd.Series]:
    """Download Statbel's population table, check it, and only then move it into ``dest_dir``.

    Returns
    -------
    tuple of Path and Series
        The cached archive and the population per commune (see `read_population`).

    Raises
    ------
    DataUnavailableError
        If the address cannot be reached or the transfer is cut off.
    BoundaryDataError
        If the file is incomplete or its totals are not the expected ones.
    """
    return _fetch(
        population.url,
        population.name,
        population.sha256,
        dest_dir,
        lambda path: read_population(path, expected_total=population.expected_total),
        progress=progress,
        span=span,
        timeout=timeout,
    )


def read_population(path: Path, *, expected_total: int | None = None) -> pd.Series:
    r"""Read a Statbel population table (``TF_SOC_POP_STRUCT_<year>``) and sum it per commune.

    Accepts the zip Statbel publishes (a ``|``-separated text file inside) or such a text
    file; the commune column is ``CD_REFNIS`` or ``CD_MUNTY_REFNIS``, the count
    ``MS_POPULATION``.

    Returns
    -------
    Series
        Population (``int64``) indexed by 5-character NIS code, sorted.

    Raises
    ------
    BoundaryDataError
        If the file is incomplete or unreadable, lacks the columns, or its total differs from
        ``expected_total``.

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> text = "CD_REFNIS|CD_SEX|MS_POPULATION\n11001|F|7\n11001|M|5\n21004|F|3\n"
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pop.txt"
    >>> _ = path.write_text(text, encoding="utf-8")
    >>> read_population(path, expected_total=15).to_dict()
    {'11001': 12, '21004': 3}
    """
    path = Path(path)
    try:
        table, names = _read_table(path, {"cd_munty_refnis", "cd_refnis", "ms_population"})
    except BoundaryDataError:
        raise
    except Exception as exc:  # pandas and zipfile raise many types for broken files
        raise BoundaryDataError(f"population file {path.name} could not be read: {exc}") from exc
    lowered = {str(c).strip().lower(): c for c in table.columns}
    code_col = lowered.get("cd_munty_refnis") or lowered.get("cd_refnis")
    count_col = lowered.get("ms_population")
    if code_col is None or count_col is None:
        raise BoundaryDataError(
            f"population file {path.name} lacks CD_REFNIS (or CD_MUNTY_REFNIS) and "
            f"MS_POPULATION; it has {names[:20]}"
        )
    codes = _code5(table[code_col])
    counts = pd.to_numeric(table[count_col].astype("string").str.strip(), errors="coerce")
    problems: list[str] = []
    bad = codes.isna() | ~codes.fillna("").str.fullmatch(r"\d{5}")
    if bad.any():
        problems.append(f"{int(bad.sum())} rows without a 5-digit commune code")
    if counts.isna().any() or (counts < 0).any():
        problems.append(f"{int(counts.isna().sum() + (counts < 0).sum())} rows without a count")
    per_commune = counts[~bad].groupby(codes[~bad]).sum().astype("int64").sort_index()
    per_commune.index = per_commune.index.astype(str)
    per_commune.index.name = "nis_code"
    total = int(per_commune.sum())
    if expected_total is not None and total != expected_total:
        problems.append(f"total population {total:,}, expected {expected_total:,}")
    if problems:
        raise BoundaryDataError(f"population file {path.name} failed: " + "; ".join(problems))
    return per_commune


def _fetch(
    url: str,
    name: str,
    sha256: str | None,
    dest_dir: Path,
    verify: Callable[[Path], _T],
    *,
    progress: Progress | None,
    span: tuple[float, float],
    timeout: float,
) -> tuple[Path, _T]:
    """Download with pooch into a temporary folder, verify, then move into ``dest_dir``."""
    import pooch
    import requests

    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".download-", dir=dest_dir))
    bar = _ProgressBar(progress, span, name)
    # give up quickly on an unreachable host, wait longer for a slow transfer
    downloader = pooch.HTTPDownloader(
        progressbar=bar, chunk_size=1 << 16, timeout=(min(15.0, timeout), timeout)
    )
    known = f"sha256:{sha256}" if sha256 else None
    try:
        log.info("downloading %s", url)
        fetched: Path | None = None
        error: BoundaryDataError | None = None
        with warnings.catch_warnings():
            # pooch leaves the response of a failed transfer to the garbage collector
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                with _quiet_pooch():
                    fetched = Path(
                        pooch.retrieve(
                            url, known_hash=known, fname=name, path=tmp, downloader=downloader
                        )
                    )
            except (requests.exceptions.RequestException, ValueError) as exc:
                # not chained: the traceback would keep the open response alive
                error = _download_error(exc, url)
            gc.collect()
        if error is not None or fetched is None:
            raise error or DataUnavailableError(f"could not download {url}")
        result = verify(fetched)
        final = dest_dir / name
        fetched.replace(final)
        log.info("cached the verified download as %s", final)
        return final, result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def population_file(
    source: Mapping[str, Any], *, base_url: str | None = None
) -> PopulationFile | None:
    """Return the population table described by a manifest ``statbel`` source, if any.

    ``base_url`` (default: ``GEOBARO_STATBEL_URL`` if set) replaces the folder of the address,
    so that one local folder or proxy can serve both Statbel files.

    Examples
    --------
    >>> population_file({"population": {"year": 2018, "name": "p.zip",
    ...                  "url": "https://example.org/p.zip", "expected_total": 10}}).year
    2018
    """
    entry = source.get("population")
    if not entry:
        return None
    base = base_url or os.environ.get(STATBEL_URL_ENV)
    try:
        url = base.rstrip("/") + "/" + str(entry["name"]) if base else str(entry["url"])
        return PopulationFile(
            year=int(entry["year"]),
            name=str(entry["name"]),
            url=url,
            expected_total=int(entry["expected_total"]) if entry.get("expected_total") else None,
            sha256=entry.get("sha256") or None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BoundaryDataError(
            f"the manifest's statbel population entry is malformed: {exc!r}"
        ) from exc


def _download_error(exc: Exception, url: str) -> BoundaryDataError:
    import requests

    if isinstance(
        exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.Timeout)
    ) or "IncompleteRead" in str(exc):
        return DataUnavailableError(
            f"the download of {url} was cut off ({exc}); nothing was cached, "
            "run `python -m geobaro data prepare` again"
        )
    if isinstance(exc, requests.exceptions.RequestException) or "hash" not in str(exc).lower():
        return DataUnavailableError(f"could not download {url}: {exc}")
    # pooch raises ValueError naming the hashes when the SHA-256 differs
    return BoundaryDataError(
        f"the download of {url} does not match the manifest's SHA-256 "
        f"(truncated, altered or another release); nothing was cached: {exc}"
    )


def read_sectors(path: Path, *, expected_count: int) -> gpd.GeoDataFrame:
    """Read a Statbel sectors archive (or file) and return its communes in EPSG:31370.

    Accepts a zip holding a shapefile or a GeoJSON (or such a file itself), in Lambert 72
    (EPSG:31370), Lambert 2008 (EPSG:3812) or any CRS the file declares.

    Returns
    -------
    GeoDataFrame
        One row per commune: ``nis_code``, ``name_fr``, ``name_nl``, ``name_de``,
        ``arrondissement_nis``, ``province_nis``, ``region``, ``n_sectors``, ``geometry``.

    Raises
    ------
    BoundaryDataError
        If the archive is incomplete or unreadable, lacks the commune columns, or its
        sectors do not dissolve into ``expected_count`` valid, non-overlapping communes.
    """
    path = Path(path)
    source = _vsi_path(path)
    try:
        gdf = gpd.read_file(source, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for corrupt files
        raise BoundaryDataError(f"sectors file {path.name} could not be read: {exc}") from exc
    if gdf.crs is None:
        raise BoundaryDataError(f"sectors file {path.name} declares no CRS")
    sectors = normalize_sector_columns(gdf, source_name=path.name)
    if sectors.has_z.any():
        # some Statbel shapefiles are PolygonZ with zero heights; borders are 2D
        sectors = sectors.set_geometry(shapely.force_2d(sectors.geometry.values))
    if sectors.crs is not None and not sectors.crs.equals(WORK_CRS):
        sectors = sectors.to_crs(WORK_CRS)
    communes = dissolve_sectors(sectors)
    return _check_communes(communes, expected_count=expected_count, source_name=path.name)


def normalize_sector_columns(
    gdf: gpd.GeoDataFrame, *, source_name: str = "sectors"
) -> gpd.GeoDataFrame:
    """Map Statbel's attribute columns (either layout) to geobaro's names.

    Codes become 5-character strings, names lose REFNIS homonym qualifiers, regions become
    ``Flanders`` / ``Wallonia`` / ``Brussels``. Missing arrondissement, province or region
    columns are derived from the commune code (REFNIS convention).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"CNIS5_2019": [21004], "T_MUN_FR": ["Bruxelles"],
    ...                       "T_MUN_NL": ["Brussel"]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> normalize_sector_columns(g).iloc[0][["nis_code", "province_nis", "region"]].tolist()
    ['21004', '04000', 'Brussels']
    """
    found = _match_columns(gdf.columns)
    missing = [k for k in _REQUIRED if k not in found]
    if missing:
        accepted = "; ".join(f"{k}: {' or '.join(_COLUMN_PATTERNS[k])}" for k in missing)
        raise BoundaryDataError(
            f"sectors file {source_name} lacks commune columns ({accepted}); "
            f"it has {sorted(c for c in gdf.columns if c != gdf.geometry.name)}"
        )
    out = pd.DataFrame(index=gdf.index)
    out["nis_code"] = _code5(gdf[found["nis_code"]])
    valid = out["nis_code"].str.fullmatch(r"\d{5}").fillna(False).astype(bool)
    no_code = out.index[~valid]
    if len(no_code):
        raw = gdf.loc[no_code[:10], found["nis_code"]].tolist()
        raise BoundaryDataError(
            f"sectors file {source_name}: {len(no_code)} sectors have no valid commune code "
            f"(5 digits) in column {found['nis_code']} (rows {no_code[:10].tolist()}, "
            f"values {raw!r})"
        )
    for lang in ("fr", "nl", "de"):
        column = found.get(f"name_{lang}")
        if column is None:
            continue
        out[f"name_{lang}"] = (
            gdf[column].astype("string").str.strip().str.replace(_QUALIFIER, "", regex=True)
        )
    derived_arr = out["nis_code"].str[:2] + "000"
    if "arrondissement_nis" in found:
        out["arrondissement_nis"] = _code5(gdf[found["arrondissement_nis"]]).fillna(derived_arr)
    else:
        out["arrondissement_nis"] = derived_arr
    by_arr = out["arrondissement_nis"].map(
        lambda a: province_of_arrondissement(a) if isinstance(a, str) else pd.NA
    )
    if "province_nis" in found:
        prov = _code5(gdf[found["province_nis"]])
        # Brussels has no province since 1995: empty in Statbel's files
        out["province_nis"] = prov.where(prov.notna() & (prov != "00000"), by_arr)
    else:
        out["province_nis"] = by_arr
    out["region"] = _region_of(gdf, found, out["nis_code"])
    if "name_de" not in out:
        # Statbel's German label repeats the local name where no German name exists
        local = np.where(out["region"] == "Flanders", out["name_nl"], out["name_fr"])
        out["name_de"] = pd.array(local, dtype="string")
    out.loc[out["region"] == "Brussels", "province_nis"] = BRUSSELS_PROVINCE_NIS
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=gdf.crs)


def dissolve_sectors(sectors: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve statistical sectors into communes by their NIS code.

    Sectors must already have geobaro's column names (see `normalize_sector_columns`).
    Each commune's attributes must agree across its sectors. Invalid sector polygons are
    repaired first; the commune is the union of its sectors. The input is not changed.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> s = gpd.GeoDataFrame(
    ...     {"nis_code": ["11001", "11001"], "name_fr": ["A", "A"], "name_nl": ["A", "A"],
    ...      "name_de": ["A", "A"], "arrondissement_nis": ["11000"] * 2,
    ...      "province_nis": ["10000"] * 2, "region": ["Flanders"] * 2},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=31370)
    >>> c = dissolve_sectors(s)
    >>> len(c), c.area.item(), c["n_sectors"].item()
    (1, 2.0, 2)
    """
    geoms = sectors.geometry.values
    empty = shapely.is_empty(geoms) | pd.isna(geoms)
    if empty.any():
        codes = sorted(set(sectors.loc[empty, "nis_code"].astype(str)))
        log.warning("%d sectors have no geometry (communes %s)", int(empty.sum()), codes)
    invalid = ~empty & ~shapely.is_valid(geoms)
    if invalid.any():
        log.info("repairing %d invalid sector polygons", int(invalid.sum()))
        geoms = geoms.copy()
        try:
            geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure")
        except shapely.errors.GEOSException as exc:
            codes = sorted(set(sectors.loc[invalid, "nis_code"].astype(str)))
            raise BoundaryDataError(
                f"sectors of communes {codes} have polygons that cannot be repaired: {exc}"
            ) from exc
    work = sectors.drop(columns=sectors.geometry.name).assign(_geom=geoms)
    attrs = ["name_fr", "name_nl", "name_de", "arrondissement_nis", "province_nis", "region"]
    problems: list[str] = []
    missing_code = work["nis_code"].isna()
    if missing_code.any():
        problems.append(f"{int(missing_code.sum())} sectors have no commune code")
    rows: list[dict[str, Any]] = []
    polygons: list[shapely.Geometry] = []
    for code, grp in work[~missing_code].groupby("nis_code", sort=True):
        row: dict[str, Any] = {"nis_code": code, "n_sectors": len(grp)}
        for col in attrs:
            values = grp[col].dropna().unique()
            if len(values) > 1:
                problems.append(f"commune {code}: sectors disagree on {col}: {sorted(values)}")
            row[col] = values[0] if len(values) else pd.NA
        rows.append(row)
        parts = grp["_geom"].to_numpy()
        keep = ~(pd.isna(parts) | shapely.is_empty(parts))
        polygons.append(_polygonal(shapely.union_all(parts[keep])))
    if problems:
        raise BoundaryDataError("sectors are inconsistent: " + "; ".join(problems))
    columns = ["nis_code", *attrs, "n_sectors"]
    table = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(table, geometry=polygons, crs=sectors.crs)


# --- private helpers -------------------------------------------------------------------------


class _ProgressBar:
    """The tqdm-like object pooch's HTTPDownloader feeds, forwarded to a progress callback."""

    def __init__(self, report: Progress | None, span: tuple[float, float], label: str) -> None:
        self.total = 0
        self.n = 0
        self._report = report
        self._lo, self._hi = span
        self._label = label
        self._last = -1

    def update(self, size: int) -> None:
        self.n += int(size)
        self._emit()

    def reset(self) -> None:
        # pooch resets then fills the bar at the end; stay monotonic for the caller
        self.n = 0

    def close(self) -> None:
        self._emit(final=True)

    def _emit(self, *, final: bool = False) -> None:
        if self._report is None:
            return
        done_mb = self.n / 1e6
        if self.total:
            fraction = min(self.n / self.total, 1.0)
            step = int(fraction * 100)
            text = f"Downloading {self._label}: {min(done_mb, self.total / 1e6):.1f} of "
            text += f"{self.total / 1e6:.1f} MB"
        else:
            fraction = 0.0
            step = int(done_mb)  # one message per MB when the size is unknown
            text = f"Downloading {self._label}: {done_mb:.1f} MB"
        if step == self._last and not final:
            return
        self._last = max(step, self._last)
        self._report(self._lo + (self._hi - self._lo) * fraction, text)


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    # pooch prints to stderr itself; geobaro reports through its own logger and callback
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _vsi_path(path: Path) -> str:
    """Return a GDAL path to the vector data inside a zip (or the file itself)."""
    if not zipfile.is_zipfile(path):
        if path.suffix.lower() == ".zip":
            raise BoundaryDataError(
                f"{path.name} is not a complete zip archive (download cut off or corrupt)"
            )
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BoundaryDataError(f"{path.name} is a damaged zip archive: {exc}") from exc
    if bad is not None:
        raise BoundaryDataError(f"{path.name} is a damaged zip archive: {bad} fails its CRC")
    data = [n for n in names if n.lower().endswith((".geojson", ".json", ".shp", ".gpkg"))]
    data = [n for n in data if not n.startswith("__MACOSX")]
    if not data:
        raise BoundaryDataError(
            f"{path.name} holds no .shp, .geojson or .gpkg file (it holds {names[:10]})"
        )
    # prefer GeoJSON, then shapefile, then GeoPackage; the first in archive order
    data.sort(key=lambda n: (not n.lower().endswith((".geojson", ".json")), n.endswith(".gpkg")))
    if len(data) > 1:
        log.info("%s holds several layers %s; reading %s", path.name, data, data[0])
    return f"/vsizip/{path}/{data[0]}"


def _read_table(path: Path, wanted: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Read the ``wanted`` columns (lower-case names) of a delimited text table.

    The table is a zip's first ``.txt``/``.csv`` member or a plain file; it is streamed, so
    the large Statbel tables are never held whole in memory. Returns the table and the
    names of all its columns.
    """
    with ExitStack() as stack:
        if zipfile.is_zipfile(path):
            archive = stack.enter_context(zipfile.ZipFile(path))
            bad = archive.testzip()
            if bad is not None:
                raise BoundaryDataError(f"{path.name} is a damaged zip archive: {bad}")
            members = [n for n in archive.namelist() if n.lower().endswith((".txt", ".csv"))]
            if not members:
                raise BoundaryDataError(f"{path.name} holds no .txt or .csv table")
            handle: IO[bytes] = stack.enter_context(archive.open(members[0]))
        elif path.suffix.lower() == ".zip":
            raise BoundaryDataError(
                f"{path.name} is not a complete zip archive (download cut off or corrupt)"
            )
        else:
            handle = stack.enter_context(path.open("rb"))
        stream = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
        header = stream.readline().rstrip("\r\n")
        sep = max(("|", ";", ",", "\t"), key=header.count)
        names = [name.strip() for name in header.split(sep)]
        keep = [name for name in names if name.lower() in wanted]
        if not keep:
            return pd.DataFrame(), names
        table = pd.read_csv(
            stream,
            sep=sep,
            header=None,
            names=names,
            usecols=keep,
            dtype=str,
            keep_default_na=False,
        )
    return table, names


def _match_columns(columns: pd.Index) -> dict[str, str]:
    found: dict[str, str] = {}
    lowered = {str(c).lower(): str(c) for c in columns}
    for key, patterns in _COLUMN_PATTERNS.items():
        for pattern in patterns:
            hit = next((orig for low, orig in lowered.items() if re.fullmatch(pattern, low)), None)
            if hit is not None:
                found[key] = hit
                break
    return found


def _code5(values: pd.Series) -> pd.Series:
    """Codes as 5-character strings; numbers read as int or float are zero-padded."""
    text = values.astype("string").str.strip()
    text = text.str.replace(r"\.0+$", "", regex=True)
    text = text.mask(text.isin(["", "nan", "None", "-"]))
    return text.str.zfill(5)


def _region_of(gdf: gpd.GeoDataFrame, found: dict[str, str], codes: pd.Series) -> pd.Series:
    if "region_nis" in found:
        region = _code5(gdf[found["region_nis"]]).map(_REGION_BY_NIS)
    elif "region_nl" in found:
        region = gdf[found["region_nl"]].astype("string").str.strip().str.casefold()
        region = region.map(_REGION_BY_NL_NAME)
    else:
        region = pd.Series(pd.NA, index=gdf.index, dtype="object")
    derived = codes.map(_region_of_code)
    return region.fillna(derived).astype("string")


def _region_of_code(code: object) -> object:
    """Region of a commune code by the REFNIS convention (province digit)."""
    if not isinstance(code, str) or len(code) != 5:
        return pd.NA
    if code.startswith("21"):
        return "Brussels"
    if code[0] in "1347" or code.startswith(("23", "24")):
        return "Flanders"
    return "Wallonia"


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygons of a union (repairs may leave lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _check_communes(
    communes: gpd.GeoDataFrame, *, expected_count: int, source_name: str
) -> gpd.GeoDataFrame:
    """Check count, codes, validity and coverage; return a copy with slivers cleaned."""
    communes = communes.copy()
    problems: list[str] = []
    if len(communes) != expected_count:
        problems.append(
            f"the sectors dissolve into {len(communes)} communes, expected {expected_count} "
            "(wrong vintage or incomplete file)"
        )
    bad = communes.loc[~communes["nis_code"].str.fullmatch(r"\d{5}"), "nis_code"]
    problems += [f"commune code {v!r} is not 5 digits" for v in bad]
    if communes["region"].isna().any():
        problems.append(f"{int(communes['region'].isna().sum())} communes have no region")
    geoms = communes.geometry.values
    empty = shapely.is_empty(geoms)
    problems += [f"commune {c} has no area" for c in communes.loc[empty, "nis_code"]]
    if problems:
        raise BoundaryDataError(f"sectors file {source_name} failed: " + "; ".join(problems))
    if not shapely.coverage_is_valid(geoms):
        # shared borders that do not match vertex for vertex, slivers or overlaps between
        # communes: clean them, but refuse if that moves more than a sliver of any commune
        cleaned = shapely.coverage_clean(geoms)
        before = shapely.area(geoms)
        change = np.abs(shapely.area(cleaned) / before - 1)
        worst = int(np.argmax(change))
        if change[worst] > MAX_CLEAN_AREA_CHANGE:
            overlap = _overlap_area(geoms)
            raise BoundaryDataError(
                f"sectors file {source_name} failed: communes overlap ({overlap / 1e6:.3f} km² "
                f"in total); removing the overlaps changes commune "
                f"{communes['nis_code'].iloc[worst]} by {change[worst]:.2%}"
            )
        log.info("cleaned the commune coverage (largest area change %.4f%%)", change[worst] * 100)
        communes.geometry = gpd.GeoSeries(cleaned, index=communes.index, crs=communes.crs)
    invalid = ~shapely.is_valid(communes.geometry.values)
    if invalid.any():
        codes = communes.loc[invalid, "nis_code"].tolist()
        raise BoundaryDataError(f"sectors file {source_name}: invalid communes {codes}")
    overlap = _overlap_area(communes.geometry.values)
    if overlap > 1.0:
        raise BoundaryDataError(
            f"sectors file {source_name}: communes overlap by {overlap:.1f} m² in total"
        )
    return communes


def _overlap_area(geoms: np.ndarray[Any, np.dtype[np.object_]]) -> float:
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    return float(shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum())
