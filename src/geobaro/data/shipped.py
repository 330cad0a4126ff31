"""The prepared web boundaries shipped in the package: what they are and their verification."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from geobaro._io import file_sha256
from geobaro.config import Settings
from geobaro.data.manifest import STAMP, WEB_TABLE, read_stamp

__all__ = [
    "SHIPPED_FILES",
    "SOURCES_FILE",
    "TOPOLOGY_FILE",
    "verified_shipped",
]

log = logging.getLogger(__name__)

#: Prebuilt TopoJSON topologies of every level and vintage (a zip of JSON, one per geometry).
TOPOLOGY_FILE = "topologies.zip"
#: The upstream's description of sources, licences and changes (the attribution's basis).
SOURCES_FILE = "SOURCES.md"
#: Files of the shipped folder whose SHA-256 the shipped stamp records.
SHIPPED_FILES = (WEB_TABLE, TOPOLOGY_FILE, SOURCES_FILE)


def verified_shipped(settings: Settings, wanted: dict[str, Any]) -> Path | None:
    """Return the shipped folder if its files are intact and were made for these settings.

    The stamp must match ``wanted`` (cache version, manifest digest, tolerance, rural
    density) and every file its SHA-256; checksums are computed once per process.

    Examples
    --------
    >>> from geobaro.config import get_settings
    >>> verified_shipped(get_settings().with_(shipped_dir=None), {}) is None
    True
    """
    folder = settings.shipped_dir
    if folder is None:
        return None
    stamp = read_stamp(folder, wanted)
    if stamp is None:
        if (folder / STAMP).is_file():
            log.warning("the shipped boundaries in %s were made for other settings", folder)
        return None
    files = stamp.get("files")
    if not isinstance(files, dict) or set(files) != set(SHIPPED_FILES):
        log.warning("the shipped stamp %s does not list %s", folder / STAMP, SHIPPED_FILES)
        return None
    if not _intact(folder, json.dumps(files, sort_keys=True)):
        return None
    return folder


# --- private helpers -------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _intact(folder: Path, files_json: str) -> bool:
    files: dict[str, dict[str, Any]] = json.loads(files_json)
    for name, entry in files.items():
        path = folder / name
        if not path.is_file():
            log.warning("shipped boundary file %s is missing", path)
            return False
        actual = file_sha256(path)
        if actual != entry.get("sha256"):
            log.warning(
                "shipped boundary file %s is damaged: SHA-256 %s, expected %s",
                path,
                actual,
                entry.get("sha256"),
            )
            return False
    return True
