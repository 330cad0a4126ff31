"""The map, the app and the static site draw one legend: the renderer's output, every status."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geobaro.maps import build_choropleth, classify
from geobaro.maps.choropleth import _json_for_script
from geobaro.maps.legend import render_legend
from geobaro.vocabulary import LANGS, MAP_STATUSES


@pytest.fixture(scope="module")
def every_status() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Five 0.1° squares, one per map status (ok, not reached, refused, too few, no data)."""
    boxes = [shapely.box(4 + 0.1 * i, 50, 4.1 + 0.1 * i, 50.1) for i in range(5)]
    codes = [f"1100{i}" for i in range(5)]
    units = gpd.GeoDataFrame(
        {"nis_code": codes, "name_en": codes, "region": "Flanders"}, geometry=boxes, crs=4326
    )
    values = pd.DataFrame(
        {"nis_code": codes, "value": [0.5, None, None, None, None], "status": MAP_STATUSES}
    )
    return units, values


def _app_legend(classification, lang):  # AppTest runs its source alone: no annotations
    from geobaro.app.draw import draw_legend

    draw_legend(classification, lang, key="legend", level="commune")


@pytest.mark.parametrize("lang", LANGS)
def test_map_and_app_legends_are_the_renderer_output(every_status, lang) -> None:
    units, values = every_status
    classification = classify(values, kind="sequential", lang=lang)
    expected = render_legend(classification, lang=lang)
    for status in MAP_STATUSES[1:]:
        assert f'data-status="{status}"' in expected
    page = (
        build_choropleth(units, values, classification=classification, lang=lang, attribution="")
        .get_root()
        .render()
    )
    assert f'"legend":{_json_for_script(expected)},' in page
    at = AppTest.from_function(_app_legend, args=(classification, lang))
    at.run()
    assert not at.exception
    bodies = [m.value for m in at.markdown]
    assert expected in bodies


def test_site_pages_carry_the_renderer_output(tmp_path) -> None:
    from geobaro.export.site import export_site

    site = export_site(tmp_path, indicators=["feels_concerned"], levels=("province",))
    page = next(p for p in site.pages if p.kind == "map" and p.level == "province")
    text = "".join(
        f.read_text(encoding="utf-8")
        for f in site.out_dir.rglob("*")
        if f.suffix in {".html", ".js"}
    )
    from geobaro.data import load_units
    from geobaro.indicators import compute_indicators
    from geobaro.survey import load_sample
    from geobaro.views import ExploreRequest, ViewData, render_explore

    communes = load_units(level="commune")
    request = ExploreRequest("feels_concerned", level="province", lang="en")
    view = render_explore(
        request,
        ViewData(
            compute_indicators(load_sample(), communes),
            communes,
            gdf_units=load_units(level="province", web=True),
        ),
    )
    expected = render_legend(view.classification, lang="en")
    assert page.indicator == "feels_concerned"
    assert expected in text or json.dumps(expected)[1:-1] in text
