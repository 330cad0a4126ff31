"""The commune reference table: names, hierarchy, population, area, density, urban/rural."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geobaro._units import BRUSSELS_PROVINCE_NIS, NAME_COLUMNS
from geobaro.config import Settings, get_settings
from geobaro.data.manifest import (
    _COMMUNES_FILE,
    _POPULATION_FILE,
    REGION_COUNTS,
    Manifest,
    Progress,
)
from geobaro.data.obtain import _find_verified, _Obtained
from geobaro.data.refnis import mergers_frame
from geobaro.data.statbel import (
    PopulationFile,
    download_population,
    population_file,
    read_population,
)
from geobaro.errors import BoundaryDataError

__all__ = [
    "COMMUNE_COLUMNS",
    "UNIT_COLUMNS",
    "read_communes_file",
    "validate_communes",
]

log = logging.getLogger(__name__)

_NAME_COLUMNS = NAME_COLUMNS
#: Columns of every unit table, whatever the level.
UNIT_COLUMNS = (
    "nis_code",
    *_NAME_COLUMNS,
    "region",
    "population",
    "area_km2",
    "density",
)


#: Extra columns of the commune reference table.
COMMUNE_COLUMNS = (
    *UNIT_COLUMNS,
    "arrondissement_nis",
    "province_nis",
    "urban_rural",
    "nis_2019",
    "nis_2025",
)


def read_communes_file(path: Path, *, expected_count: int = 589) -> gpd.GeoDataFrame:
    """Read and validate the raw commune file; return it in the projected CRS (EPSG:31370).

    Raises
    ------
    BoundaryDataError
        If the file cannot be read, lacks columns, or fails `validate_communes`.
    """
    try:
        gdf = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for corrupt files
        raise BoundaryDataError(f"commune file {path} could not be read: {exc}") from exc
    missing = {"nis", "name_fr", "name_nl", "name_de", "region", "arrondissement_nis"} - set(
        gdf.columns
    )
    if missing:
        raise BoundaryDataError(f"commune file {path} lacks columns: {sorted(missing)}")
    if gdf.crs is None:
        raise BoundaryDataError(f"commune file {path} has no CRS")
    gdf = gdf.rename(columns={"nis": "nis_code"}).to_crs(get_settings().crs)
    validate_communes(gdf, expected_count=expected_count)
    return gdf


def validate_communes(gdf: gpd.GeoDataFrame, *, expected_count: int = 589) -> None:
    """Check count, codes and geometry of communes; raise one error listing every problem.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"nis_code": ["11001"]}, geometry=[shapely.box(0, 0, 1, 1)])
    >>> validate_communes(g, expected_count=1)
    >>> validate_communes(g, expected_count=2)
    Traceback (most recent call last):
    ...
    geobaro.errors.BoundaryDataError: boundary data failed validation: 1 features, expected 2
    """
    problems: list[str] = []
    if len(gdf) != expected_count:
        problems.append(f"{len(gdf)} features, expected {expected_count}")
    codes = gdf["nis_code"].astype("string")
    bad = codes[~codes.fillna("").str.fullmatch(r"\d{5}")]
    problems += [f"row {i}: nis_code {v!r} is not 5 digits" for i, v in bad.items()]
    dup = codes[codes.duplicated(keep=False) & codes.notna()]
    if len(dup):
        problems.append(f"duplicated nis_code: {sorted(set(dup))}")
    geom = gdf.geometry
    empty = geom.isna() | geom.is_empty
    problems += [f"row {i} ({codes[i]}): empty geometry" for i in gdf.index[empty]]
    invalid = ~empty & ~geom.is_valid
    for i in gdf.index[invalid]:
        reason = shapely.is_valid_reason(geom[i])
        problems.append(f"row {i} ({codes[i]}): invalid geometry: {reason}")
    wrong = ~empty & ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
    problems += [f"row {i} ({codes[i]}): geometry is {geom[i].geom_type}" for i in gdf.index[wrong]]
    if problems:
        raise BoundaryDataError("boundary data failed validation: " + "; ".join(problems))


# --- private helpers -------------------------------------------------------------------------


def _build_reference(raw_dir: Path, manifest: Manifest, settings: Settings) -> gpd.GeoDataFrame:
    gdf = read_communes_file(raw_dir / _COMMUNES_FILE, expected_count=manifest.expected_count)
    if manifest.expected_count == 589:
        _check_region_counts(gdf)
    pop = pd.read_csv(raw_dir / _POPULATION_FILE, dtype={"nis": str})
    missing = sorted(set(gdf["nis_code"]) - set(pop["nis"]))
    if missing:
        raise BoundaryDataError(f"population_2018.csv lacks communes: {missing}")
    gdf = gdf.merge(
        pop[["nis", "population"]].rename(columns={"nis": "nis_code"}), on="nis_code", how="left"
    )
    gdf["province_nis"] = gdf["province_nis"].replace("", None).fillna(BRUSSELS_PROVINCE_NIS)
    return _complete_reference(gdf, settings)


def _reference_from_sectors(
    obtained: _Obtained,
    manifest: Manifest,
    settings: Settings,
    report: Progress,
    population: PopulationFile | None,
) -> tuple[gpd.GeoDataFrame, str | None]:
    """Build the reference table from communes dissolved from Statbel sectors.

    Statbel's sector files carry no population. It comes, in this order, from the
    manifest's verified ``population_2018.csv`` in a mirror or the cache, or from Statbel's
    population table (in the cache or a mirror, else downloaded), checked against the
    known total; otherwise it stays missing. The 2019 and 2025 codes come from the bundled
    REFNIS code changes. Returns the table and the attribution line of the population.
    """
    assert obtained.communes is not None
    gdf = obtained.communes.drop(columns=["n_sectors"], errors="ignore").copy()
    if obtained.expected_count == 589:
        _check_region_counts(gdf)
    mergers = mergers_frame()
    gdf["nis_2019"] = _map_codes(gdf["nis_code"], mergers, "2019")
    gdf["nis_2025"] = _map_codes(gdf["nis_2019"], mergers, "2025")
    values, line = _obtain_population(gdf["nis_code"], manifest, settings, report, population)
    if values is None:
        log.warning(
            "population 2018 unavailable: density and urban/rural class are left unknown; "
            "put the verified %s in a GEOBARO_DATA_MIRROR folder and run "
            "`python -m geobaro data prepare --force`",
            _POPULATION_FILE,
        )
        gdf["population"] = pd.array([pd.NA] * len(gdf), dtype="Int64")
    else:
        gdf["population"] = _population_array(gdf["nis_code"].map(values))
    return _complete_reference(gdf, settings), line


def _obtain_population(
    codes: pd.Series,
    manifest: Manifest,
    settings: Settings,
    report: Progress,
    population: PopulationFile | None,
) -> tuple[pd.Series | None, str | None]:
    mirror_file = _find_verified(_POPULATION_FILE, manifest, settings)
    if mirror_file is not None:
        pop = pd.read_csv(mirror_file, dtype={"nis": str})
        series = pd.Series(pop["population"].to_numpy(), index=pop["nis"])
        if set(codes) <= set(series.index):
            return series, manifest.attribution[-1]
        log.warning("%s lacks some communes of the sectors; not used", mirror_file)
    if population is None and manifest.statbel is not None:
        population = population_file(manifest.statbel)
    if population is None:
        return None, None
    line = (
        f"Population 1 January {population.year}: Statbel, population by place of residence "
        f"({population.name}), CC BY 4.0."
    )
    statbel_dir = settings.cache_dir / "statbel"
    try:
        for folder in (statbel_dir, *settings.mirrors):
            candidate = folder / population.name
            if candidate.is_file():
                series = read_population(candidate, expected_total=population.expected_total)
                return _covering(series, codes, candidate.name), line
        if not settings.allow_download:
            return None, None
        report(0.42, f"Downloading Statbel population {population.year}")
        _path, series = download_population(
            population, statbel_dir, progress=report, span=(0.42, 0.6)
        )
        return _covering(series, codes, population.name), line
    except BoundaryDataError as exc:  # the boundaries stay usable without population
        log.warning("population not used: %s", exc)
        return None, None


def _covering(series: pd.Series, codes: pd.Series, name: str) -> pd.Series:
    missing = sorted(set(codes) - set(series.index))
    if missing:
        raise BoundaryDataError(f"{name} lacks communes {missing[:10]}")
    return series


def _complete_reference(gdf: gpd.GeoDataFrame, settings: Settings) -> gpd.GeoDataFrame:
    """English names, area, density and urban/rural class; sorted; reference columns only."""
    gdf = gdf.copy()
    gdf["name_en"] = np.where(gdf["region"] == "Wallonia", gdf["name_fr"], gdf["name_nl"])
    brussels = gdf["region"] == "Brussels"
    # Brussels communes are bilingual; English usage follows the French form (e.g. "Ixelles")
    gdf.loc[brussels, "name_en"] = gdf.loc[brussels, "name_fr"]
    gdf.loc[gdf["nis_code"] == "21004", "name_en"] = "Brussels"
    gdf["area_km2"] = gdf.area / 1e6
    gdf["density"] = _density(gdf["population"], gdf["area_km2"])
    gdf["urban_rural"] = _classify_urban_rural(gdf["density"], settings.rural_density)
    for col in ("nis_code", *_NAME_COLUMNS, "region", "arrondissement_nis", "province_nis"):
        gdf[col] = gdf[col].astype(str)
    gdf = gdf.sort_values("nis_code").reset_index(drop=True)
    return gdf[[*COMMUNE_COLUMNS, "geometry"]]


def _check_region_counts(gdf: gpd.GeoDataFrame) -> None:
    counts = gdf["region"].value_counts().to_dict()
    if counts != REGION_COUNTS:
        raise BoundaryDataError(f"communes per region are {counts}, expected {REGION_COUNTS}")


def _map_codes(codes: pd.Series, mergers: pd.DataFrame, year: str) -> pd.Series:
    changes = mergers.loc[mergers["effective_date"].str.startswith(year)]
    mapping = dict(zip(changes["old_nis"], changes["new_nis"], strict=True))
    return codes.map(lambda c: mapping.get(c, c))


def _population_array(values: pd.Series) -> pd.Series:
    """Return population as integers, nullable when a source has none (``Int64``)."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.isna().any():
        return numbers.astype("Int64")
    return numbers.astype("int64")


def _sum_or_na(values: pd.Series) -> Any:
    """Sum of populations, or missing if any part is missing (never a partial sum)."""
    if values.isna().any():
        return pd.NA
    return int(values.sum())


def _density(population: pd.Series, area_km2: pd.Series) -> pd.Series:
    return pd.to_numeric(population, errors="coerce").astype("float64") / area_km2.astype("float64")


def _classify_urban_rural(density: pd.Series, threshold: float) -> np.ndarray[Any, Any]:
    """``rural`` below the density threshold, ``urban`` above, ``unknown`` without population."""
    values = density.to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isnan(values), "unknown", np.where(values < threshold, "rural", "urban"))
