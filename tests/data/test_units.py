"""Tests of the units of every level and vintage: coverage dissolve, hierarchy and naming rules."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geobaro.data._naming import (
    arrondissement_of_codes,
    merged_unit_names,
    province_of_codes,
    unit_names,
)
from geobaro.data.boundaries import load_mergers, load_units
from geobaro.data.refnis import mergers_frame
from geobaro.data.units import _dissolve_geometry


@pytest.mark.parametrize("key", ["arrondissement_nis", "province_nis", "region"])
def test_coverage_dissolve_is_the_union_of_each_group(
    gdf_communes: gpd.GeoDataFrame, key: str
) -> None:
    """``dissolve(method="coverage")`` gives the geometry of a plain union of each group."""
    fast = _dissolve_geometry(gdf_communes, key)
    plain = gdf_communes[[key, "geometry"]].dissolve(by=key, method="unary").geometry.values
    assert len(fast) == len(plain)
    assert shapely.equals(fast, plain).all()
    # same shapes, not only the same area: the symmetric difference is numerical noise
    noise = shapely.area(shapely.symmetric_difference(fast, plain))
    assert (noise < 1.0).all()  # m²
    assert shapely.is_valid(fast).all()


def test_coverage_dissolve_matches_the_per_group_coverage_union(
    gdf_communes: gpd.GeoDataFrame,
) -> None:
    """Vertex for vertex the same as ``shapely.coverage_union_all`` per group (the old path)."""
    fast = _dissolve_geometry(gdf_communes, "nis_2025")
    by_group = [
        shapely.coverage_union_all(grp.geometry.values)
        for _code, grp in gdf_communes.groupby("nis_2025", sort=True)
    ]
    assert shapely.equals_exact(fast, by_group, tolerance=0).all()


def test_units_of_later_vintages_keep_the_merged_names() -> None:
    units25 = load_units(vintage="2025").set_index("nis_code")
    units19 = load_units(vintage="2019").set_index("nis_code")
    # merged in 2019 and still a unit in 2025: the merged name, not its first member's
    for code, name in {"12041": "Puurs-Sint-Amands", "72043": "Pelt", "44085": "Lievegem"}.items():
        assert units19.loc[code, "name_nl"] == name
        assert units25.loc[code, "name_nl"] == name
    assert units25.loc["46030", "name_fr"] == "Beveren-Kruibeke-Zwijndrecht"
    # a recode keeps the commune's own names in every language
    assert units19.loc["58001", "name_nl"] == "La Louvière"
    assert units19.loc["57096", "name_nl"] == "Moeskroen"


def test_one_naming_rule_for_the_map_and_the_aggregates() -> None:
    """The map's unit names and the aggregate tables' names come from the same rule."""
    mergers = load_mergers()
    units = load_units(vintage="2025").set_index("nis_code")
    for code, name in merged_unit_names(mergers, vintage="2025").items():
        assert units.loc[code, "name_fr"] == name


def test_hierarchy_rules() -> None:
    codes = pd.Series(["58001", "21004", "25072", "23106", None])
    arr = arrondissement_of_codes(codes)
    assert arr.tolist()[:4] == ["58000", "21000", "25000", "23000"]
    assert pd.isna(arr.iloc[4])
    assert province_of_codes(arr).tolist()[:4] == ["50000", "04000", "20002", "20001"]
    assert unit_names("arrondissement", "57000", vintage="2018")[0] == "Tournai"
    assert unit_names("arrondissement", "57000", vintage="2019")[1] == "Doornik-Moeskroen"
    assert unit_names("region", "03000", vintage="2018") == unit_names(
        "region", "Wallonia", vintage="2018"
    )
    with pytest.raises(ValueError, match="no fixed names"):
        unit_names("commune", "11001", vintage="2018")


def test_merged_names_of_2018_are_empty_and_later_mergers_win() -> None:
    frame = mergers_frame()
    assert merged_unit_names(frame, vintage="2018") == {}
    names19 = merged_unit_names(frame, vintage="2019")
    assert "11002" not in names19  # the 2025 merger of Antwerpen does not exist yet
    assert merged_unit_names(frame, vintage="2025")["11002"] == "Antwerpen"
