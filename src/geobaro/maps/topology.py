"""TopoJSON of the units: each border between two neighbours sent once, quantised, cached.

The map's geometry goes to the browser as a quantised TopoJSON topology: shared borders become
shared arcs, so neighbours stay gap- and overlap-free and the 589-commune map stays small.
Topologies are cached by geometry (the boundaries do not change per indicator); the cache
hands out copies whose per-unit entries can take properties, and the arcs are never changed.
"""

from __future__ import annotations

import hashlib
import json
import threading
import warnings
from collections import OrderedDict
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["QUANTUM", "arcs_json", "build_topology"]

#: The web geometry has 5 decimals: integer steps of 1e-5 degrees are exact.
QUANTUM = 1e-5

_TOPO_CACHE: OrderedDict[str, dict[str, Any]] = OrderedDict()
_TOPO_CACHE_SIZE = 24
# guards the two caches only; what they hold is never changed after it is stored
_TOPO_LOCK = threading.Lock()
_ARCS_JSON: OrderedDict[int, tuple[list[Any], str]] = OrderedDict()


def build_topology(gdf_units: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the quantised TopoJSON topology of units in EPSG:4326 (cached by geometry).

    Shared borders become shared arcs; coordinates are integers of 1e-5 degree,
    delta-encoded, so 5-decimal web geometry round-trips exactly.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoSeries([shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)],
    ...                   crs=4326)
    >>> topo = build_topology(gpd.GeoDataFrame(geometry=g))
    >>> topo["type"], len(topo["objects"]["units"]["geometries"])
    ('Topology', 2)
    """
    gdf = gdf_units if gdf_units.crs is None else gdf_units.to_crs("EPSG:4326")
    geoms = np.asarray(gdf.geometry.values)
    key = hashlib.blake2b(b"".join(shapely.to_wkb(geoms)), digest_size=16).hexdigest()
    with _TOPO_LOCK:
        cached = _TOPO_CACHE.get(key)
        if cached is not None:
            _TOPO_CACHE.move_to_end(key)
            return _copy_topology(cached)
    from geobaro.data.topologies import prebuilt_topology

    # built at prepare time and shipped with the boundaries; found only for this exact geometry
    topo = prebuilt_topology(geoms) or _compute_topology(geoms)
    with _TOPO_LOCK:
        _TOPO_CACHE[key] = topo
        while len(_TOPO_CACHE) > _TOPO_CACHE_SIZE:
            _TOPO_CACHE.popitem(last=False)
    return _copy_topology(topo)


def _compute_topology(geoms: np.ndarray) -> dict[str, Any]:
    import topojson

    if len(geoms) == 0:
        return {
            "type": "Topology",
            "transform": {"scale": [QUANTUM, QUANTUM], "translate": [0.0, 0.0]},
            "objects": {"units": {"type": "GeometryCollection", "geometries": []}},
            "arcs": [],
        }
    frame = gpd.GeoDataFrame(geometry=list(geoms), crs="EPSG:4326")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        topology = topojson.Topology(frame, prequantize=False, topology=True)  # type: ignore[attr-defined]
        raw = topology.to_dict()
    minx, miny = (float(v) for v in shapely.total_bounds(geoms)[:2])
    tx, ty = round(minx, 5), round(miny, 5)
    arcs = []
    for arc in raw["arcs"]:
        pts = np.asarray(arc, dtype=float)
        q = np.column_stack(
            [np.round((pts[:, 0] - tx) / QUANTUM), np.round((pts[:, 1] - ty) / QUANTUM)]
        ).astype(np.int64)
        keep = np.ones(len(q), dtype=bool)
        keep[1:] = np.any(np.diff(q, axis=0) != 0, axis=1)
        q = q[keep]
        if len(q) < 2:
            q = np.vstack([q, q[-1:]])
        delta = np.vstack([q[:1], np.diff(q, axis=0)])
        arcs.append(delta.tolist())
    members = next(iter(raw["objects"].values()))["geometries"]
    members = sorted(members, key=lambda g: int(g.get("id", 0)))
    geometries = [{"type": g["type"], "arcs": g.get("arcs", [])} for g in members]
    return {
        "type": "Topology",
        "transform": {"scale": [QUANTUM, QUANTUM], "translate": [tx, ty]},
        "objects": {"units": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def arcs_json(arcs: list[Any]) -> str:
    """Return the JSON of a topology's arcs, serialised once per cached topology.

    Examples
    --------
    >>> arcs_json([[[0, 0], [1, 1]]])
    '[[[0,0],[1,1]]]'
    """
    with _TOPO_LOCK:
        hit = _ARCS_JSON.get(id(arcs))
        if hit is not None and hit[0] is arcs:
            return hit[1]
    text = json.dumps(arcs, separators=(",", ":"))
    with _TOPO_LOCK:
        _ARCS_JSON[id(arcs)] = (arcs, text)
        while len(_ARCS_JSON) > _TOPO_CACHE_SIZE:
            _ARCS_JSON.popitem(last=False)
    return text


def _copy_topology(topo: dict[str, Any]) -> dict[str, Any]:
    """Return a copy whose per-unit geometries can take properties; arcs are shared, read-only."""
    geometries = [dict(g) for g in topo["objects"]["units"]["geometries"]]
    return {
        "type": "Topology",
        "transform": topo["transform"],
        "objects": {"units": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": topo["arcs"],
    }
