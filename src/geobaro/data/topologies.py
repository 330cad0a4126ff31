"""Prebuilt TopoJSON topologies of the web units, keyed by a digest of their exact geometry.

The topologies are built at prepare time (``python -m geobaro data prepare``) and shipped with
the boundaries, so that the first map does not wait for the TopoJSON build. The builder itself
belongs to `geobaro.maps` (a higher layer); it is passed in, never imported here. A lookup
matches only the very geometry a topology was built from, so a stale file is never wrong,
only unused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geobaro._io import atomic_write
from geobaro.config import Settings, get_settings
from geobaro.data.shipped import TOPOLOGY_FILE

__all__ = [
    "TopologyBuilder",
    "geometry_digest",
    "prebuilt_topology",
    "write_topologies",
]

log = logging.getLogger(__name__)

#: Builds the topology of web units (``geobaro.maps.build_topology``).
TopologyBuilder = Callable[[gpd.GeoDataFrame], dict[str, Any]]
_FORMAT = 1
_INDEX = "units.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_DISABLED = threading.local()


def geometry_digest(geoms: np.ndarray[Any, Any] | gpd.GeoSeries) -> str:
    """Return the digest of geometries (their WKB, in order) that keys prebuilt topologies.

    Examples
    --------
    >>> import shapely
    >>> a = geometry_digest(np.array([shapely.box(0, 0, 1, 1)]))
    >>> a == geometry_digest(np.array([shapely.box(0, 0, 1, 1)])), len(a)
    (True, 32)
    """
    values = np.asarray(geoms)
    return hashlib.blake2b(b"".join(shapely.to_wkb(values)), digest_size=16).hexdigest()


def prebuilt_topology(
    geoms: np.ndarray[Any, Any] | gpd.GeoSeries, *, settings: Settings | None = None
) -> dict[str, Any] | None:
    """Return the prebuilt topology of exactly these EPSG:4326 geometries, if one was built.

    Looks in the cache's and then the shipped ``topologies.zip``. The result is shared:
    copy what you change (``geobaro.maps`` copies the per-unit part and never changes arcs).

    Examples
    --------
    >>> from geobaro.data.boundaries import load_units
    >>> topo = prebuilt_topology(load_units(level="province", web=True).geometry.values)
    >>> topo is None or topo["type"] == "Topology"
    True
    """
    if getattr(_DISABLED, "on", False):
        return None
    settings = settings or get_settings()
    digest = geometry_digest(geoms)
    for path in _topology_files(settings):
        try:
            stat = path.stat()
        except OSError:
            continue
        found = _read_topology(path, stat.st_mtime_ns, stat.st_size, digest)
        if found is not None:
            return found
    return None


def write_topologies(
    folder: Path, frames: Mapping[str, gpd.GeoDataFrame], *, build: TopologyBuilder
) -> Path:
    """Build the topology of each web frame and write them to ``folder/topologies.zip``.

    ``frames`` maps a name (``"2018/commune"``) to web units in EPSG:4326. Frames with the same
    geometry share one topology. The file is byte for byte reproducible (sorted keys,
    zip members without a date). Existing prebuilt topologies are not reused while building.

    Examples
    --------
    >>> import tempfile, shapely
    >>> g = gpd.GeoDataFrame(geometry=[shapely.box(4, 50, 4.1, 50.1)], crs=4326)
    >>> fake = lambda gdf: {"type": "Topology", "n": len(gdf)}
    >>> path = write_topologies(Path(tempfile.mkdtemp()), {"a": g, "b": g}, build=fake)
    >>> with zipfile.ZipFile(path) as zf:
    ...     sorted(zf.namelist())[-1], sorted(json.loads(zf.read("units.json"))["units"])
    ('units.json', ['a', 'b'])
    """
    table: dict[str, dict[str, Any]] = {}
    units: dict[str, str] = {}
    with _lookup_disabled():
        for name, gdf in frames.items():
            web = gdf if gdf.crs is None else gdf.to_crs("EPSG:4326")
            digest = geometry_digest(web.geometry.values)
            if digest not in table:
                table[digest] = build(gdf)
            units[name] = digest
    index = {"format": _FORMAT, "units": units}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        # one member per topology: a lookup parses only the one it needs
        for name, data in [(_INDEX, index), *((f"{d}.json", table[d]) for d in sorted(table))]:
            text = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"), compresslevel=9)
    path = folder / TOPOLOGY_FILE
    atomic_write(path, buffer.getvalue())
    _read_topology.cache_clear()
    return path


# --- private helpers -------------------------------------------------------------------------


def _topology_files(settings: Settings) -> list[Path]:
    files = [settings.cache_dir / TOPOLOGY_FILE]
    if settings.shipped_dir is not None:
        files.append(settings.shipped_dir / TOPOLOGY_FILE)
    return files


@lru_cache(maxsize=32)
def _read_topology(path: Path, _mtime_ns: int, _size: int, digest: str) -> dict[str, Any] | None:
    """Return the topology of a digest from a file (re-read when it changes), if it has one."""
    try:
        with zipfile.ZipFile(path) as zf:
            index = json.loads(zf.read(_INDEX))
            if not isinstance(index, dict) or index.get("format") != _FORMAT:
                log.warning("prebuilt topologies %s have an unknown format; not used", path)
                return None
            if f"{digest}.json" not in zf.namelist():
                return None
            found = json.loads(zf.read(f"{digest}.json"))
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        log.warning("prebuilt topologies %s not used: %s", path, exc)
        return None
    return found if isinstance(found, dict) else None


@contextlib.contextmanager
def _lookup_disabled() -> Iterator[None]:
    # while (re)building, the builder must compute, not find the file being replaced
    before = getattr(_DISABLED, "on", False)
    _DISABLED.on = True
    try:
        yield
    finally:
        _DISABLED.on = before
