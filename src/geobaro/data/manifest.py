"""The boundary manifest: the raw files, their checksums, sources and attribution."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geobaro._io import file_sha256
from geobaro.config import Settings, get_settings
from geobaro.errors import BoundaryDataError

__all__ = [
    "EXPECTED_COUNTS",
    "FULL_TABLE",
    "REGION_COUNTS",
    "STAMP",
    "WEB_TABLE",
    "BoundarySource",
    "Manifest",
    "ManifestFile",
    "Progress",
    "read_manifest",
    "read_stamp",
    "verify_checksum",
]

log = logging.getLogger(__name__)

#: Progress callback: fraction done in [0, 1] and a short message.
Progress = Callable[[float, str], None]

#: Number of communes per boundary vintage.
EXPECTED_COUNTS: dict[str, int] = {"2018": 589, "2019": 581, "2025": 565}
#: Communes per region in 2018.
REGION_COUNTS: dict[str, int] = {"Flanders": 308, "Wallonia": 262, "Brussels": 19}
#: Files of a prepared folder (the cache or the shipped files): tables and stamp.
FULL_TABLE = "communes_2018.parquet"
WEB_TABLE = "communes_2018_simplified.parquet"
STAMP = "prepared.json"
_COMMUNES_FILE = "communes_2018.geojson"
_MERGERS_FILE = "mergers.csv"
_POPULATION_FILE = "population_2018.csv"


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


def verify_checksum(path: Path, expected_sha256: str) -> None:
    """Raise `BoundaryDataError` unless ``path`` has the expected SHA-256."""
    actual = file_sha256(path)
    if actual != expected_sha256:
        raise BoundaryDataError(
            f"checksum mismatch for {path}: expected SHA-256 {expected_sha256}, got {actual} "
            "(the file is truncated, altered or from another release)"
        )


@dataclass(frozen=True)
class BoundarySource:
    """Where the prepared boundaries came from, and what that source could not provide.

    Attributes
    ----------
    kind
        ``mirror`` (the verified files of the manifest), ``shipped`` (the web boundaries
        shipped in the package, built from those files) or ``statbel`` (statistical sectors
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


def read_stamp(folder: Path, wanted: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Return the stamp of a prepared folder if it is readable (and matches ``wanted``).

    Examples
    --------
    >>> import tempfile
    >>> read_stamp(Path(tempfile.mkdtemp())) is None
    True
    """
    path = folder / STAMP
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        log.warning("ignoring unreadable stamp %s", path)
        return None
    if not isinstance(found, dict):
        return None
    if wanted is not None and {key: found.get(key) for key in wanted} != wanted:
        return None
    return found


# --- private helpers -------------------------------------------------------------------------


def _no_progress(_fraction: float, _message: str) -> None:
    return None
