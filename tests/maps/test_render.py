"""Maps are built and rendered in parallel without a lock; options and their old keywords."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geobaro.maps import MapOptions, build_choropleth, render_html

# folium names every element with a fresh id; the pages are the same up to those
_IDS = re.compile(r"\b(map|macro_element|tile_layer|geobaro_choropleth)_[0-9a-f]{32}\b")


def _same(page: str) -> str:
    return _IDS.sub(r"\1_ID", page)


def _values(gdf: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"nis_code": gdf["nis_code"].to_numpy(), "value": rng.random(len(gdf))})


def test_rendering_twice_gives_the_same_page(gdf_web: gpd.GeoDataFrame) -> None:
    fmap = build_choropleth(gdf_web, _values(gdf_web, 0), illustrative=True, attribution="")
    first = render_html(fmap)
    assert render_html(fmap) == first
    assert first.count("function geobaroChoropleth(") == 1
    assert first.count("= geobaroChoropleth(") == 1


def test_parallel_maps_equal_the_maps_built_one_at_a_time(gdf_web: gpd.GeoDataFrame) -> None:
    regions = ["Wallonia", "Flanders", "Brussels", None]
    jobs = [(seed, regions[seed % 4]) for seed in range(16)]

    def page(job: tuple[int, str | None]) -> str:
        seed, region = job
        units = gdf_web if region is None else gdf_web[gdf_web["region"].eq(region)]
        options = MapOptions(lang="nl", illustrative=seed % 2 == 0, attribution="Statbel")
        return _same(render_html(build_choropleth(units, _values(units, seed), options=options)))

    one_by_one = [page(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(page, jobs))
    assert parallel == one_by_one
    assert len(set(one_by_one)) == len(jobs)


def test_options_and_the_old_keywords_draw_the_same_map() -> None:
    units = gpd.GeoDataFrame(
        {"nis_code": ["a", "b"], "name_en": ["A", "B"]},
        geometry=[shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)],
        crs=4326,
    )
    values = pd.DataFrame({"nis_code": ["a", "b"], "value": [0.2, 0.7]})
    options = MapOptions(lang="fr", title="T", illustrative=True, attribution="x", height=400)
    new = render_html(build_choropleth(units, values, options=options))
    old = render_html(
        build_choropleth(
            units, values, lang="fr", title="T", illustrative=True, attribution="x", height=400
        )
    )
    assert _same(new) == _same(old)
    # keywords override the options' fields; a GeoDataFrame to fit to is kept as its bounds
    assert MapOptions(fit_to=units).fit_to == (4.0, 50.0, 4.2, 50.1)
    assert hash(MapOptions(fit_to=units)) == hash(MapOptions(fit_to=(4.0, 50.0, 4.2, 50.1)))
    with pytest.raises(TypeError, match=r"unexpected keywords colour; allowed: assets"):
        build_choropleth(units, values, colour="red")
    with pytest.raises(ValueError, match="unknown asset mode 'cdn'"):
        MapOptions(assets="cdn")  # type: ignore[arg-type]


def test_a_highlight_that_is_not_on_the_map_is_a_warning() -> None:
    units = gpd.GeoDataFrame(
        {"nis_code": ["a"]}, geometry=[shapely.box(4, 50, 4.1, 50.1)], crs=4326
    )
    values = pd.DataFrame({"nis_code": ["a"], "value": [0.2]})
    with pytest.warns(UserWarning, match="highlight: no unit with nis_code 99999"):
        build_choropleth(units, values, highlight="99999", attribution="")
