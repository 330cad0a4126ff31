"""Units of every level and vintage: simplified coverage, later vintages, levels, web geometry."""

from __future__ import annotations

import logging
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geobaro._units import REGION_NIS
from geobaro.data._naming import (
    arrondissement_of_codes,
    merged_unit_names,
    province_of_codes,
    unit_names,
)
from geobaro.data.reference import (
    _NAME_COLUMNS,
    COMMUNE_COLUMNS,
    UNIT_COLUMNS,
    _classify_urban_rural,
    _density,
    _population_array,
    _sum_or_na,
)
from geobaro.errors import BoundaryDataError
from geobaro.vocabulary import Vintage

__all__ = [
    "dissolve_to_vintage",
    "simplify_coverage",
]

log = logging.getLogger(__name__)


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


def dissolve_to_vintage(
    gdf_communes: gpd.GeoDataFrame, mergers: pd.DataFrame, *, vintage: Vintage
) -> gpd.GeoDataFrame:
    """Dissolve the 589 communes of 2018 into the units of a later vintage.

    Codes follow ``nis_2019`` / ``nis_2025``; recodes without territory change keep their shape.
    A merger takes its merged name (`merged_unit_names`); population and area are summed,
    density and urban/rural class recomputed.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geobaro.data.refnis import mergers_frame
    >>> g = gpd.GeoDataFrame(
    ...     {"nis_code": ["12030", "12034"], "name_fr": ["Puurs", "Sint-Amands"],
    ...      "name_nl": ["Puurs", "Sint-Amands"], "name_de": ["Puurs", "Sint-Amands"],
    ...      "name_en": ["Puurs", "Sint-Amands"], "region": ["Flanders"] * 2,
    ...      "population": [10, 5], "area_km2": [1.0, 1.0], "nis_2019": ["12041"] * 2,
    ...      "nis_2025": ["12041"] * 2},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs=31370)
    >>> u = dissolve_to_vintage(g, mergers_frame(), vintage="2025")
    >>> u[["nis_code", "name_nl", "population", "province_nis"]].values.tolist()
    [['12041', 'Puurs-Sint-Amands', 15, '10000']]
    """
    if vintage == "2018":
        return gdf_communes.copy()
    key = f"nis_{vintage}"
    frame = pd.DataFrame(gdf_communes.drop(columns=gdf_communes.geometry.name))
    grouped = frame.groupby(key, sort=True)
    first = _first_rows(frame, key).set_index(key)
    codes = pd.Series(first.index.astype(str), index=first.index)
    out = first[[*_NAME_COLUMNS, "region"]].copy()
    merged = merged_unit_names(mergers, vintage=vintage)
    is_merged = codes.isin(list(merged)) & (grouped.size() > 1)
    for col in _NAME_COLUMNS:
        out.loc[is_merged, col] = codes[is_merged].map(merged)
    out["population"] = grouped["population"].agg(_sum_or_na)
    out["area_km2"] = grouped["area_km2"].agg(_total)
    out["arrondissement_nis"] = arrondissement_of_codes(codes)
    out["province_nis"] = province_of_codes(out["arrondissement_nis"])
    out["nis_2019"] = codes if vintage == "2019" else None
    out["nis_2025"] = codes if vintage == "2025" else first["nis_2025"]
    geoms = _dissolve_geometry(gdf_communes, key)
    out = gpd.GeoDataFrame(
        out.rename_axis("nis_code").reset_index(), geometry=geoms, crs=gdf_communes.crs
    )
    out["population"] = _population_array(out["population"])
    out["density"] = _density(out["population"], out["area_km2"])
    rural = float(gdf_communes.attrs.get("rural_density", 150.0))
    out["urban_rural"] = _classify_urban_rural(out["density"], rural)
    return out[[*COMMUNE_COLUMNS, "geometry"]]


# --- private helpers -------------------------------------------------------------------------


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


def _dissolve_level(gdf: gpd.GeoDataFrame, level: str, vintage: str) -> gpd.GeoDataFrame:
    key = {"arrondissement": "arrondissement_nis", "province": "province_nis", "region": "region"}[
        level
    ]
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    grouped = frame.groupby(key, sort=True)
    keys = [str(k) for k in grouped.size().index]
    out = pd.DataFrame(
        [unit_names(level, k, vintage=vintage) for k in keys], columns=list(_NAME_COLUMNS)
    )
    out["nis_code"] = [REGION_NIS[k] for k in keys] if level == "region" else keys
    out["region"] = _first_rows(frame, key)["region"].to_numpy()
    out["population"] = grouped["population"].agg(_sum_or_na).to_numpy()
    out["area_km2"] = grouped["area_km2"].agg(_total).to_numpy()
    out["n_communes"] = grouped.size().to_numpy()
    out = gpd.GeoDataFrame(out, geometry=_dissolve_geometry(gdf, key), crs=gdf.crs)
    out["population"] = _population_array(out["population"])
    out["density"] = _density(out["population"], out["area_km2"])
    out = out.sort_values("nis_code").reset_index(drop=True)
    return out[[*UNIT_COLUMNS, "n_communes", "geometry"]]


def _first_rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return the first row of each group, in sorted group order (as ``groupby(sort=True)``)."""
    return frame.drop_duplicates(key).sort_values(key, kind="stable")


def _total(values: pd.Series) -> float:
    # Series.sum, not the grouped sum: the same float as summing each group on its own
    return float(values.sum())


def _dissolve_geometry(gdf: gpd.GeoDataFrame, key: str) -> np.ndarray[Any, Any]:
    """Union of each group's polygons, sorted by ``key`` (a coverage: shared edges dissolve)."""
    parts = gdf[[key, gdf.geometry.name]]
    return np.asarray(parts.dissolve(by=key, method="coverage", sort=True).geometry.values)


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
