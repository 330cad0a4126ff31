"""Rebuild the shipped web boundaries and the prebuilt topologies from the mirror, reproducibly."""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd

from geobaro._io import atomic_write, file_sha256
from geobaro.config import Settings, get_settings
from geobaro.data.cache import (
    _stamp,
    load_prepared,
    prepare_boundaries,
    read_boundary_source,
    write_web_units,
)
from geobaro.data.manifest import STAMP, WEB_TABLE, Progress, read_manifest
from geobaro.data.shipped import SHIPPED_FILES, SOURCES_FILE, TOPOLOGY_FILE
from geobaro.data.topologies import TopologyBuilder, write_topologies
from geobaro.errors import BoundaryDataError
from geobaro.vocabulary import LEVELS, VINTAGES

__all__ = ["build_shipped", "web_frames", "write_prepared_topologies"]

log = logging.getLogger(__name__)

#: Where the shipped files live, as recorded in their stamp (relative: the same on every machine).
SHIPPED_LOCATION = "geobaro/data/files"


def build_shipped(
    dest: Path,
    *,
    build_topology: TopologyBuilder,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Rebuild the shipped files in ``dest`` from the mirror's verified files.

    The cache is prepared afresh in a temporary folder (never from the shipped files, never
    from Statbel: the shipped attribution is the mirror's), its simplified table copied, the
    topology of every level and vintage built with ``build_topology``, and the stamp written
    with each file's SHA-256. The same mirror and library versions give the same bytes.

    Returns
    -------
    dict
        The stamp written to ``dest/prepared.json``.

    Raises
    ------
    DataUnavailableError
        If no mirror folder holds the manifest's verified files.
    """
    settings = settings or get_settings()
    manifest = read_manifest(settings)
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="geobaro-shipped-") as tmp:
        work = settings.with_(cache_dir=Path(tmp), shipped_dir=None, allow_download=False)
        # the sectors download is off; a Statbel archive in a mirror would still be read
        prepare_boundaries(settings=work, force=True, progress=progress)
        source = read_boundary_source(work)
        if source.kind != "mirror":
            raise BoundaryDataError(
                "the shipped boundaries are built from the mirror's verified files only; "
                f"the boundaries at hand come from {source.kind} ({source.location})"
            )
        shutil.copyfile(Path(tmp) / WEB_TABLE, dest / WEB_TABLE)
        shutil.copyfile(Path(tmp) / "raw" / SOURCES_FILE, dest / SOURCES_FILE)
        write_topologies(dest, web_frames(work), build=build_topology)
    stamp = {
        **_stamp(manifest, settings),
        "source": {
            "kind": "shipped",
            "location": SHIPPED_LOCATION,
            "attribution": list(manifest.attribution),
            "unavailable": [],
        },
        "built_from": "the mirror files listed in data/shapes/manifest.json",
        "files": {
            name: {"sha256": file_sha256(dest / name), "bytes": (dest / name).stat().st_size}
            for name in SHIPPED_FILES
        },
    }
    atomic_write(dest / STAMP, json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return stamp


def web_frames(settings: Settings) -> dict[str, gpd.GeoDataFrame]:
    """Return the web units of every vintage and level, named ``"<vintage>/<level>"``."""
    return {
        f"{vintage}/{level}": load_prepared(level, vintage, web=True, settings=settings)
        for vintage in VINTAGES
        for level in LEVELS
    }


def write_prepared_topologies(
    *, build_topology: TopologyBuilder, settings: Settings | None = None, force: bool = False
) -> Path | None:
    """Write the prebuilt topologies and web units into the cache when it holds the boundaries.

    The web units of every level and vintage are written when missing (`write_web_units`).
    Nothing is done when the boundaries in use are the shipped ones (they have their
    topologies; their web units are built when loaded), and the topologies are not rebuilt
    when newer than the cache's stamp, unless ``force``. Returns the topology file written.
    """
    settings = settings or get_settings()
    folder = prepare_boundaries(settings=settings)
    if folder != settings.cache_dir:
        return None
    write_web_units(folder, settings, LEVELS, VINTAGES)
    path = folder / TOPOLOGY_FILE
    if not force and path.is_file() and path.stat().st_mtime >= (folder / STAMP).stat().st_mtime:
        return None
    log.info("building the topologies of every level and vintage into %s", path)
    return write_topologies(folder, web_frames(settings), build=build_topology)
