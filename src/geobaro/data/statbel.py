"""Statbel's open-data files: addresses, checked downloads and the population table."""

from __future__ import annotations

import gc
import io
import logging
import os
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
import pandas as pd

from geobaro.data.manifest import Progress
from geobaro.data.sectors import _code5, dissolve_sectors, normalize_sector_columns, read_sectors
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


_T = TypeVar("_T")


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


# --- private helpers -------------------------------------------------------------------------


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
