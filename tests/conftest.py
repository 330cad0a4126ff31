"""Shared fixtures: tiny synthetic communes and the real prepared boundaries."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geobaro.config import Settings, get_settings
from geobaro.data.boundaries import load_communes, prepare_boundaries


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings read from the environment, with the boundary cache prepared."""
    s = get_settings()
    prepare_boundaries(settings=s)
    return s


@pytest.fixture(scope="session")
def gdf_communes(settings: Settings) -> gpd.GeoDataFrame:
    """The 589 real communes of 2018 (reference table, full geometry, EPSG:31370)."""
    return load_communes(settings=settings)


@pytest.fixture
def gdf_tiny() -> gpd.GeoDataFrame:
    """Four 1 km² square communes in a 2 x 2 grid (EPSG:31370), two per region."""
    return gpd.GeoDataFrame(
        {
            "nis_code": ["11001", "11002", "62063", "62093"],
            "region": ["Flanders", "Flanders", "Wallonia", "Wallonia"],
        },
        geometry=[
            shapely.box(0, 0, 1000, 1000),
            shapely.box(1000, 0, 2000, 1000),
            shapely.box(0, 1000, 1000, 2000),
            shapely.box(1000, 1000, 2000, 2000),
        ],
        crs="EPSG:31370",
    )
