"""Settings: data folders, mirror, CRS, simplification and minimum group size."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]

#: The checkout this package lives in (``src/geobaro`` -> repository root).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_data_dir() -> Path:
    return Path(os.environ.get("GEOBARO_DATA_DIR", PROJECT_ROOT / "data"))


def _default_cache_dir() -> Path:
    env = os.environ.get("GEOBARO_CACHE_DIR")
    return Path(env) if env else _default_data_dir() / "shapes" / "cache"


def _default_mirrors() -> tuple[Path, ...]:
    env = os.environ.get("GEOBARO_DATA_MIRROR", "")
    mirrors = [Path(p) for p in env.split(os.pathsep) if p]
    if not os.environ.get("GEOBARO_NO_DEFAULT_MIRROR"):
        mirrors.append(PROJECT_ROOT.parent / "shared" / "data" / "boundaries")
    return tuple(mirrors)


def _default_shipped_dir() -> Path | None:
    if os.environ.get("GEOBARO_NO_SHIPPED"):
        return None
    return Path(__file__).resolve().parent / "data" / "files"


def _default_allow_download() -> bool:
    return not os.environ.get("GEOBARO_OFFLINE")


@dataclass(frozen=True)
class Settings:
    """Where data lives and how it is processed.

    Attributes
    ----------
    data_dir
        Folder with ``shapes/`` (manifest) and ``survey/`` (schema, published figures, sample).
    cache_dir
        Folder where prepared GeoParquet files are written; never inside a mirror.
    mirrors
        Local folders searched, in order, for the raw boundary files: those in
        ``GEOBARO_DATA_MIRROR`` (separated by ``os.pathsep``), then ``../shared/data/boundaries``
        beside the checkout unless ``GEOBARO_NO_DEFAULT_MIRROR`` is set.
    shipped_dir
        Folder of the prepared web boundaries shipped in the package (simplified GeoParquet
        with the reference table, prebuilt TopoJSON, attribution), used when the cache is not
        prepared; ``None`` (``GEOBARO_NO_SHIPPED`` set) to use only the mirror and Statbel.
    allow_download
        Whether download URLs of the manifest may be used when no mirror has the files
        (false when ``GEOBARO_OFFLINE`` is set).
    crs
        Projected CRS for every computation (Belgian Lambert 72).
    simplify_tolerance_m
        Tolerance of the topology-preserving simplification of the web geometry, in metres.
    web_decimals
        Decimals kept in EPSG:4326 web coordinates (5 decimals is about 1 m).
    min_respondents
        Groups with fewer respondents are marked too small and their shares hidden.
    rural_density
        Communes with fewer inhabitants per km² than this are classed rural (OECD rule).
    """

    data_dir: Path = field(default_factory=_default_data_dir)
    cache_dir: Path = field(default_factory=_default_cache_dir)
    mirrors: tuple[Path, ...] = field(default_factory=_default_mirrors)
    shipped_dir: Path | None = field(default_factory=_default_shipped_dir)
    allow_download: bool = field(default_factory=_default_allow_download)
    crs: str = "EPSG:31370"
    simplify_tolerance_m: float = 60.0
    web_decimals: int = 5
    min_respondents: int = 5
    rural_density: float = 150.0

    @property
    def shapes_dir(self) -> Path:
        """Folder of the boundary manifest."""
        return self.data_dir / "shapes"

    @property
    def survey_dir(self) -> Path:
        """Folder of the survey schema, published figures and sample."""
        return self.data_dir / "survey"

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def get_settings() -> Settings:
    """Return settings read from the environment (``GEOBARO_*`` variables)."""
    return Settings()
