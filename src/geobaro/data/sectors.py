"""Statbel statistical sectors: read either layout, dissolve into communes, check them."""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geobaro._units import BRUSSELS_PROVINCE_NIS, REGION_NAMES
from geobaro.data._naming import arrondissement_of_codes, province_of_codes
from geobaro.errors import BoundaryDataError

__all__ = [
    "MAX_CLEAN_AREA_CHANGE",
    "WORK_CRS",
    "dissolve_sectors",
    "normalize_sector_columns",
    "read_sectors",
]

log = logging.getLogger(__name__)

#: CRS in which sectors are dissolved and checked (Belgian Lambert 72).
WORK_CRS = "EPSG:31370"


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
    derived_arr = arrondissement_of_codes(out["nis_code"])
    if "arrondissement_nis" in found:
        out["arrondissement_nis"] = _code5(gdf[found["arrondissement_nis"]]).fillna(derived_arr)
    else:
        out["arrondissement_nis"] = derived_arr
    by_arr = province_of_codes(out["arrondissement_nis"])
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
