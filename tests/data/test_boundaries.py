"""Tests of obtaining, validating, simplifying and dissolving the commune boundaries."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geobaro.config import Settings
from geobaro.data.boundaries import (
    EXPECTED_COUNTS,
    REGION_COUNTS,
    load_units,
    prepare_boundaries,
    read_communes_file,
    read_manifest,
    simplify_coverage,
    validate_communes,
    verify_checksum,
)
from geobaro.errors import BoundaryDataError, DataUnavailableError

BELGIUM_KM2 = 30_663


def _overlap_and_gap(gdf: gpd.GeoDataFrame) -> tuple[float, float]:
    """Return (total pairwise overlap area, area of the union)."""
    geoms = gdf.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    overlap = shapely.area(shapely.intersection(geoms[left[keep]], geoms[right[keep]])).sum()
    union = shapely.coverage_union_all(geoms)
    return float(overlap), float(shapely.area(union))


# --- the real boundaries ---------------------------------------------------------------------


def test_589_communes_with_unique_codes_per_region(gdf_communes: gpd.GeoDataFrame) -> None:
    assert len(gdf_communes) == 589
    assert gdf_communes["nis_code"].str.fullmatch(r"\d{5}").all()
    assert gdf_communes["nis_code"].is_unique
    assert gdf_communes["region"].value_counts().to_dict() == REGION_COUNTS
    assert gdf_communes.geometry.is_valid.all()
    assert gdf_communes.crs.to_epsg() == 31370


def test_area_of_belgium(gdf_communes: gpd.GeoDataFrame) -> None:
    total = gdf_communes.area.sum() / 1e6
    assert abs(total / BELGIUM_KM2 - 1) < 0.005
    assert np.allclose(gdf_communes["area_km2"], gdf_communes.area / 1e6)


def test_reference_table_columns(gdf_communes: gpd.GeoDataFrame) -> None:
    assert gdf_communes["population"].sum() == 11_376_070
    assert gdf_communes[["name_fr", "name_nl", "name_de", "name_en"]].notna().all().all()
    # REFNIS convention: the first two digits of a commune code give its arrondissement
    assert (gdf_communes["nis_code"].str[:2] + "000").equals(gdf_communes["arrondissement_nis"])
    brussels = gdf_communes["region"] == "Brussels"
    assert (gdf_communes.loc[brussels, "province_nis"] == "04000").all()
    assert set(gdf_communes["urban_rural"]) == {"urban", "rural"}
    rural = gdf_communes["density"] < 150
    assert (gdf_communes.loc[rural, "urban_rural"] == "rural").all()
    assert gdf_communes.set_index("nis_code").loc["21004", "name_en"] == "Brussels"


def test_web_geometry_keeps_topology_and_area(gdf_communes: gpd.GeoDataFrame) -> None:
    web = load_units(level="commune", web=True)
    assert web.crs.to_epsg() == 4326
    assert web["nis_code"].tolist() == gdf_communes["nis_code"].tolist()
    assert shapely.is_valid(web.geometry.values).all()
    projected = web.to_crs(31370)
    ratio = projected.area.to_numpy() / gdf_communes.area.to_numpy()
    assert np.abs(ratio - 1).max() < 0.01
    overlap, _ = _overlap_and_gap(projected)
    assert overlap < 1.0  # m², i.e. zero up to floating point
    # no new gaps: the union of the simplified communes has no holes the full union lacks
    full_holes = shapely.get_num_interior_rings(
        shapely.get_parts(shapely.coverage_union_all(gdf_communes.geometry.values))
    ).sum()
    web_holes = shapely.get_num_interior_rings(
        shapely.get_parts(shapely.coverage_union_all(projected.geometry.values))
    ).sum()
    assert web_holes <= full_holes
    full_area = shapely.area(shapely.coverage_union_all(gdf_communes.geometry.values))
    web_area = shapely.area(shapely.coverage_union_all(projected.geometry.values))
    assert abs(web_area / full_area - 1) < 0.001


def test_web_geometry_is_much_smaller(gdf_communes: gpd.GeoDataFrame) -> None:
    web = load_units(level="commune", web=True)
    full_vertices = shapely.get_num_coordinates(gdf_communes.geometry.values).sum()
    web_vertices = shapely.get_num_coordinates(web.geometry.values).sum()
    assert web_vertices < full_vertices / 4


@pytest.mark.parametrize(
    ("level", "count"), [("arrondissement", 43), ("province", 11), ("region", 3)]
)
def test_levels_by_dissolve(gdf_communes: gpd.GeoDataFrame, level: str, count: int) -> None:
    units = load_units(level=level)  # type: ignore[arg-type]
    assert len(units) == count
    assert units["n_communes"].sum() == 589
    assert units["population"].sum() == gdf_communes["population"].sum()
    assert abs(units.area.sum() / gdf_communes.area.sum() - 1) < 1e-9
    assert units.geometry.is_valid.all()


def test_province_level_treats_brussels_as_its_own_unit() -> None:
    provinces = load_units(level="province").set_index("nis_code")
    assert provinces.loc["04000", "n_communes"] == 19
    assert provinces.loc["04000", "name_en"] == "Brussels-Capital Region"
    assert provinces.loc["60000", "name_nl"] == "Luik"


@pytest.mark.parametrize("vintage", ["2019", "2025"])
def test_vintages_match_official_code_lists(
    gdf_communes: gpd.GeoDataFrame, vintage: str, settings: Settings
) -> None:
    mergers = pd.read_csv(settings.cache_dir / "raw" / "mergers.csv", dtype=str)
    codes = set(gdf_communes["nis_code"])
    for year in ("2019", "2025"):
        changes = mergers[mergers["effective_date"].str.startswith(year)]
        codes = (codes - set(changes["old_nis"])) | set(changes["new_nis"])
        if year == vintage:
            break
    units = load_units(vintage=vintage)  # type: ignore[arg-type]
    assert len(units) == EXPECTED_COUNTS[vintage]
    assert set(units["nis_code"]) == codes
    assert units["population"].sum() == gdf_communes["population"].sum()
    assert units.geometry.is_valid.all()
    assert (units.geom_type == "Polygon").sum() >= len(units) - 10


def test_2019_recodes_keep_territory_and_2025_mergers_are_named() -> None:
    v2018 = load_units(vintage="2018").set_index("nis_code")
    v2019 = load_units(vintage="2019").set_index("nis_code")
    # La Louvière: recoded 55022 -> 58001, same territory, same name
    assert v2019.loc["58001", "name_fr"] == "La Louvière"
    assert v2019.loc["58001"].geometry.equals(v2018.loc["55022"].geometry)
    assert v2019.loc["58001", "arrondissement_nis"] == "58000"
    v2025 = load_units(vintage="2025").set_index("nis_code")
    assert v2025.loc["46030", "name_nl"] == "Beveren-Kruibeke-Zwijndrecht"
    # Zwijndrecht (11056) moved from Antwerp to East Flanders with the merger
    assert v2025.loc["46030", "province_nis"] == "40000"
    arr2019 = load_units(level="arrondissement", vintage="2019")
    assert "54000" not in set(arr2019["nis_code"])
    assert arr2019.set_index("nis_code").loc["57000", "name_fr"] == "Tournai-Mouscron"


# --- corrupt or missing input ----------------------------------------------------------------


@pytest.fixture
def raw_copy(tmp_path: Path, settings: Settings) -> Path:
    """A writable copy of the verified raw boundary files."""
    dest = tmp_path / "mirror"
    shutil.copytree(settings.cache_dir / "raw", dest)
    return dest


def _isolated(settings: Settings, tmp_path: Path, mirror: Path | None) -> Settings:
    return settings.with_(
        cache_dir=tmp_path / "cache",
        mirrors=(mirror,) if mirror else (tmp_path / "nowhere",),
        allow_download=False,
        shipped_dir=None,  # these tests are about the mirror and Statbel paths
    )


def test_prepare_from_a_mirror_into_a_fresh_cache(
    raw_copy: Path, tmp_path: Path, settings: Settings
) -> None:
    isolated = _isolated(settings, tmp_path, raw_copy)
    steps: list[float] = []
    cache = prepare_boundaries(settings=isolated, progress=lambda f, _m: steps.append(f))
    assert (cache / "communes_2018.parquet").is_file()
    assert steps[-1] == 1.0
    assert steps == sorted(steps)
    assert len(load_units(settings=isolated)) == 589
    # the second call finds the prepared cache and reports no work
    steps.clear()
    prepare_boundaries(settings=isolated, progress=lambda f, _m: steps.append(f))
    assert steps == []


def test_truncated_file_is_rejected(raw_copy: Path, tmp_path: Path, settings: Settings) -> None:
    path = raw_copy / "communes_2018.geojson"
    path.write_bytes(path.read_bytes()[:1_000_000])
    with pytest.raises(BoundaryDataError, match="checksum mismatch"):
        prepare_boundaries(settings=_isolated(settings, tmp_path, raw_copy))
    with pytest.raises(BoundaryDataError, match="could not be read"):
        read_communes_file(path)


def test_wrong_checksum_is_rejected(raw_copy: Path) -> None:
    manifest = read_manifest()
    with pytest.raises(BoundaryDataError, match=r"checksum mismatch.*mergers\.csv"):
        verify_checksum(raw_copy / "mergers.csv", manifest.files[0].sha256)


def _rewrite(raw_copy: Path, change) -> Path:  # type: ignore[no-untyped-def]
    path = raw_copy / "communes_2018.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data["features"])
    out = raw_copy / "changed.geojson"
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


def test_588_features_are_rejected(raw_copy: Path) -> None:
    path = _rewrite(raw_copy, lambda feats: feats.pop())
    with pytest.raises(BoundaryDataError, match="588 features, expected 589"):
        read_communes_file(path)


def test_duplicated_codes_are_rejected(raw_copy: Path) -> None:
    def dup(feats: list) -> None:  # type: ignore[type-arg]
        feats[1]["properties"]["nis"] = feats[0]["properties"]["nis"]

    with pytest.raises(BoundaryDataError, match=r"duplicated nis_code: \['11001'\]"):
        read_communes_file(_rewrite(raw_copy, dup))


def test_invalid_polygon_is_rejected(raw_copy: Path) -> None:
    def bowtie(feats: list) -> None:  # type: ignore[type-arg]
        feats[5]["geometry"] = {
            "type": "Polygon",
            "coordinates": [[[4.0, 51.0], [4.1, 51.1], [4.1, 51.0], [4.0, 51.1], [4.0, 51.0]]],
        }

    with pytest.raises(BoundaryDataError, match=r"row 5 \(\d{5}\): invalid geometry: Self-inter"):
        read_communes_file(_rewrite(raw_copy, bowtie))


def test_validation_lists_every_problem(gdf_tiny: gpd.GeoDataFrame) -> None:
    bad = gdf_tiny.copy()
    bad.loc[1, "nis_code"] = "1100"
    bad.loc[2, "nis_code"] = "11001"
    with pytest.raises(BoundaryDataError) as info:
        validate_communes(bad, expected_count=5)
    message = str(info.value)
    assert "4 features, expected 5" in message
    assert "row 1: nis_code '1100' is not 5 digits" in message
    assert "duplicated nis_code: ['11001']" in message


def test_nothing_available_gives_a_clear_message(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(DataUnavailableError) as info:
        prepare_boundaries(settings=_isolated(settings, tmp_path, None))
    message = str(info.value)
    assert "communes_2018.geojson" in message
    assert "GEOBARO_DATA_MIRROR" in message
    assert "nowhere" in message


def test_cli_without_data_prints_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {
        "GEOBARO_CACHE_DIR": str(tmp_path / "cache"),
        "GEOBARO_DATA_MIRROR": str(tmp_path / "empty"),
        "GEOBARO_NO_DEFAULT_MIRROR": "1",
        "GEOBARO_OFFLINE": "1",
        "GEOBARO_NO_SHIPPED": "1",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),  # this checkout
    }
    proc = subprocess.run(
        [sys.executable, "-m", "geobaro", "data", "prepare"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    # what is missing, the address to download by hand, and where to put it
    assert "sh_statbel_statistical_sectors_20180101.shp.zip" in proc.stderr
    assert "GEOBARO_DATA_MIRROR" in proc.stderr
    assert "GEOBARO_OFFLINE" in proc.stderr


# --- simplification on synthetic communes ----------------------------------------------------


def test_simplify_coverage_keeps_shared_borders(gdf_tiny: gpd.GeoDataFrame) -> None:
    wobbly = gdf_tiny.copy()
    wobbly.geometry = wobbly.geometry.segmentize(50)
    out = simplify_coverage(wobbly, tolerance=10)
    assert (
        shapely.get_num_coordinates(out.geometry.values).sum()
        < shapely.get_num_coordinates(wobbly.geometry.values).sum()
    )
    overlap, union = _overlap_and_gap(out)
    assert overlap == 0
    assert union == pytest.approx(4e6)
    assert out.index.equals(gdf_tiny.index)
    assert wobbly.geometry.equals(gdf_tiny.geometry.segmentize(50))  # input not mutated


def test_simplify_coverage_refuses_geographic_crs(gdf_tiny: gpd.GeoDataFrame) -> None:
    with pytest.raises(BoundaryDataError, match="projected CRS"):
        simplify_coverage(gdf_tiny.to_crs(4326), tolerance=10)


def test_simplify_coverage_refuses_large_area_change(gdf_tiny: gpd.GeoDataFrame) -> None:
    bumpy = gdf_tiny.copy()
    bumpy.geometry = [
        shapely.Polygon([(0, 0), (500, 400), (1000, 0), (1000, 1000), (0, 1000)]),
        *gdf_tiny.geometry.iloc[1:],
    ]
    with pytest.raises(BoundaryDataError, match=r"changes the area of feature \d by \d+\.\d+%"):
        simplify_coverage(bumpy, tolerance=1000, max_area_error=0.01)
