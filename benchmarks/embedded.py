"""Read back the geometry a map page actually embeds, and check it against the full boundaries.

Used by ``benchmarks/run.py``: the size and quality figures are computed on what the browser
receives, not on the GeoDataFrame the map was built from.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["GeometryCheck", "check_coverage", "extract_features"]

_START = re.compile(r'\{\s*"(?:type|bbox|arcs|objects|features)"')


def extract_features(html: str) -> gpd.GeoDataFrame:
    """Return every polygon feature embedded in ``html`` (GeoJSON or TopoJSON), in EPSG:4326.

    Each JSON object literal in the page that is a ``FeatureCollection`` or a ``Topology`` is
    decoded; features keep their ``properties`` as columns.
    """
    decoder = json.JSONDecoder()
    frames: list[gpd.GeoDataFrame] = []
    pos = 0
    while True:
        match = _START.search(html, pos)
        if match is None:
            break
        try:
            obj, end = decoder.raw_decode(html, match.start())
        except json.JSONDecodeError:
            pos = match.start() + 1
            continue
        pos = end
        if not isinstance(obj, dict):
            continue
        if obj.get("type") == "FeatureCollection":
            features = obj.get("features", [])
        elif obj.get("type") == "Topology":
            features = _topology_features(obj)
        else:
            continue
        polys = [
            f for f in features if (f.get("geometry") or {}).get("type", "").endswith("Polygon")
        ]
        if polys:
            frames.append(gpd.GeoDataFrame.from_features(polys, crs="EPSG:4326"))
    if not frames:
        return gpd.GeoDataFrame(geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs="EPSG:4326")


@dataclass(frozen=True)
class GeometryCheck:
    """Quality of an embedded coverage against the full-resolution boundaries."""

    n_features: int
    n_vertices: int
    coverage_valid: bool
    overlap_m2: float
    gap_m2: float
    max_area_error: float
    worst_nis: str

    @property
    def ok(self) -> bool:
        """True when there is no gap, no overlap and every area is within 1%."""
        return (
            self.coverage_valid
            and self.overlap_m2 < 1.0
            and self.gap_m2 < 1.0
            and self.max_area_error <= 0.01
        )


def check_coverage(
    gdf_embedded: gpd.GeoDataFrame, gdf_full: gpd.GeoDataFrame, *, key: str = "nis_code"
) -> GeometryCheck:
    """Compare embedded polygons (EPSG:4326) with the full boundaries (projected CRS).

    Overlap: summed area of pairwise intersections between embedded features. Gap: area of
    the holes of the embedded union that are not holes of the full union (Belgium has a few
    real holes: the Dutch enclaves of Baarle-Hertog). Area error: per feature, relative
    difference to the full geometry of the same ``key``.
    """
    crs = gdf_full.crs
    emb = gdf_embedded.to_crs(crs)
    geoms = emb.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    inter = shapely.intersection(geoms[left[keep]], geoms[right[keep]])
    overlap = float(shapely.area(inter).sum())
    gap = _hole_area(shapely.coverage_union_all(geoms)) - _hole_area(
        shapely.coverage_union_all(gdf_full.geometry.values)
    )
    full_area = gdf_full.set_index(key).geometry.area
    emb_area = emb.assign(_a=emb.geometry.area).groupby(key)["_a"].sum()
    err = (emb_area / full_area.reindex(emb_area.index) - 1).abs()
    worst = str(err.idxmax()) if len(err) else ""
    return GeometryCheck(
        n_features=len(emb),
        n_vertices=int(shapely.get_num_coordinates(geoms).sum()),
        coverage_valid=bool(shapely.coverage_is_valid(geoms)),
        overlap_m2=overlap,
        gap_m2=max(gap, 0.0),
        max_area_error=float(err.max()) if len(err) else float("nan"),
        worst_nis=worst,
    )


def _hole_area(geom: Any) -> float:
    parts = shapely.get_parts(geom)
    total = 0.0
    for part in parts:
        for ring in part.interiors:
            total += shapely.Polygon(ring).area
    return total


def _topology_features(topo: dict[str, Any]) -> list[dict[str, Any]]:
    """Decode a TopoJSON topology into GeoJSON features (quantised or not)."""
    transform = topo.get("transform")
    arcs: list[np.ndarray] = []
    for arc in topo["arcs"]:
        pts = np.asarray(arc, dtype=float)
        if transform:
            pts = np.cumsum(pts, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(pts)

    def ring(indexes: list[int]) -> list[list[float]]:
        coords: list[np.ndarray] = []
        for i in indexes:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            coords.append(pts if not coords else pts[1:])
        return np.concatenate(coords).tolist()

    def geometry(g: dict[str, Any]) -> dict[str, Any] | None:
        kind = g.get("type")
        if kind == "Polygon":
            return {"type": kind, "coordinates": [ring(r) for r in g["arcs"]]}
        if kind == "MultiPolygon":
            return {"type": kind, "coordinates": [[ring(r) for r in p] for p in g["arcs"]]}
        return None

    features: list[dict[str, Any]] = []
    for obj in topo.get("objects", {}).values():
        members = obj.get("geometries", [obj])
        for g in members:
            geom = geometry(g)
            if geom is not None:
                features.append(
                    {"type": "Feature", "properties": g.get("properties", {}), "geometry": geom}
                )
    return features
