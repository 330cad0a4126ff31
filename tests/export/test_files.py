"""Tests of geobaro.export.files: PNG, CSV, GeoJSON and standalone HTML exports."""

from __future__ import annotations

import io
import json
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geobaro.data.boundaries import load_units
from geobaro.export.files import export_csv, export_geojson, export_html, export_png
from geobaro.maps.assets import find_external_urls
from geobaro.maps.choropleth import STATUS_STYLES, build_choropleth, classify
from geobaro.survey.normalize import FORMULA_PREFIXES

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(scope="module")
def gdf_web(settings: Any) -> gpd.GeoDataFrame:
    """The 589 communes of 2018, web geometry (EPSG:4326)."""
    return load_units(web=True, settings=settings)


@pytest.fixture(scope="module")
def commune_values(gdf_web: gpd.GeoDataFrame) -> pd.DataFrame:
    """Made-up shares for the 589 communes (fixed seed): 20% ok, the rest neutral statuses."""
    rng = np.random.default_rng(1)
    status = rng.choice(["ok", "not_reached", "refused", "too_small"], size=589,
                        p=[0.2, 0.6, 0.15, 0.05])  # fmt: skip
    return pd.DataFrame(
        {
            "nis_code": gdf_web["nis_code"].to_numpy(),
            "value": np.where(status == "ok", rng.random(589), np.nan),
            "n": (status == "ok").astype(int),
            "status": status,
        }
    )


@pytest.fixture
def units() -> gpd.GeoDataFrame:
    """Two 0.1° squares in EPSG:4326, one with a hostile name."""
    return gpd.GeoDataFrame(
        {"nis_code": ["a", "b"], "name_en": [XSS, "B"], "region": ["Flanders", "Wallonia"]},
        geometry=[shapely.box(4, 50, 4.1, 50.1), shapely.box(4.1, 50, 4.2, 50.1)],
        crs="EPSG:4326",
    )


# --- PNG -----------------------------------------------------------------------------------------


def test_png_of_the_commune_map_has_the_asked_size_and_the_map_colours(
    gdf_web: gpd.GeoDataFrame, commune_values: pd.DataFrame
) -> None:
    c = classify(commune_values, kind="sequential", lang="fr")
    png = export_png(
        gdf_web,
        commune_values,
        c,
        title="Se sent concernée",
        source="Smart City Institute",
        attribution="Statbel",
        lang="fr",
        illustrative=True,
        width_px=1600,
        height_px=1200,
    )
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1600, 1200)
    colours = {"#{:02x}{:02x}{:02x}".format(*p[:3]) for _, p in image.getcolors(1 << 20)}
    classes = [e.color for e in c.legend if e.kind == "class"]
    assert set(classes) <= colours
    assert STATUS_STYLES["not_reached"].fill in colours


def test_png_of_categories_with_hostile_text(units: gpd.GeoDataFrame) -> None:
    v = pd.DataFrame({"nis_code": ["a", "b"], "value": [XSS, "$x^2$"], "status": ["ok", "ok"]})
    png = export_png(units, v, title=XSS, subtitle="$\\alpha$", attribution=XSS,
                     width_px=640, height_px=480)  # fmt: skip
    assert Image.open(io.BytesIO(png)).size == (640, 480)


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_png_without_attribution_takes_the_boundaries_own_in_its_language(
    gdf_web: gpd.GeoDataFrame, commune_values: pd.DataFrame, lang: str
) -> None:
    from geobaro.data import attribution_text

    c = classify(commune_values, kind="sequential", lang=lang)
    png = export_png(gdf_web, commune_values, c, lang=lang, width_px=640, height_px=480)
    assert Image.open(io.BytesIO(png)).size == (640, 480)
    assert attribution_text(lang=lang) != attribution_text()


def test_png_of_a_published_map_writes_its_values(settings: Any) -> None:
    """2018-BE progress by province: the 5 published values are written, the 6 others not."""
    from geobaro.export.files import label_points
    from geobaro.published import load_published
    from geobaro.views.published import PublishedRequest, render_published

    gdf = load_units(level="province", web=True, settings=settings)
    view = render_published(PublishedRequest(level="province"), load_published(), gdf_units=gdf)
    points = label_points(gdf, view.values)
    assert sorted(points["label"]) == ["2.68/10", "3.00/10", "4.29/10", "4.42/10", "4.80/10"]
    for row in points.itertuples(index=False):  # each label inside its own province
        unit = gdf.to_crs(31370).set_index("nis_code").geometry[row.nis_code]
        assert unit.contains(shapely.Point(row.x, row.y))
    options: dict[str, Any] = {"title": view.title, "source": view.sources_text,
                               "attribution": "", "width_px": 800, "height_px": 600}  # fmt: skip
    plain = Image.open(io.BytesIO(export_png(gdf, view.values, view.classification, **options)))
    labelled = Image.open(
        io.BytesIO(export_png(gdf, view.values, view.classification, value_labels=True, **options))
    )
    assert labelled.size == plain.size == (800, 600)
    dark = [int((np.asarray(im.convert("L")) < 60).sum()) for im in (plain, labelled)]
    assert dark[1] > dark[0] + 200
    with pytest.raises(ValueError, match="label"):
        export_png(gdf, view.values.drop(columns="label"), value_labels=True, attribution="")


def test_png_refuses_a_tiny_image(units: gpd.GeoDataFrame) -> None:
    v = pd.DataFrame({"nis_code": ["a"], "value": [0.5]})
    with pytest.raises(ValueError, match="too small"):
        export_png(units, v, attribution="", width_px=10, height_px=10)


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_csv_neutralises_formulas(prefix: str) -> None:
    df = pd.DataFrame({"name": [f'{prefix}HYPERLINK("http://evil")', "Liège"], "n": [1, -2]})
    before = df.copy()
    data = export_csv(df)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back.loc[0, "name"] == "'" + df.loc[0, "name"]
    assert back.loc[1, "name"] == "Liège"
    assert back["n"].tolist() == [1, -2]  # numbers stay numbers
    pd.testing.assert_frame_equal(df, before)


def test_csv_neutralises_formulas_behind_leading_spaces() -> None:
    data = export_csv(pd.DataFrame({"name": [" =1+1", "  @SUM(A1)"]}))
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert back["name"].tolist() == ["' =1+1", "'  @SUM(A1)"]


def test_csv_header_and_semicolon() -> None:
    data = export_csv(pd.DataFrame({"=cmd": ["@SUM(A1)"], "share": [0.5]}), sep=";")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["'=cmd;share", "'@SUM(A1);0.5"]


# --- GeoJSON -------------------------------------------------------------------------------------


def test_geojson_has_the_589_communes_with_their_values(
    gdf_web: gpd.GeoDataFrame, commune_values: pd.DataFrame
) -> None:
    values = commune_values.assign(label=[XSS] * 589)
    data = export_geojson(gdf_web, values)
    assert b"<script" not in data
    doc = json.loads(data)
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 589
    first = doc["features"][0]["properties"]
    assert first["label"] == XSS  # escaped in the file, intact as data
    assert set(first) >= {"nis_code", "name_fr", "name_nl", "region", "value", "n", "status"}
    gdf = gpd.read_file(io.BytesIO(data))
    minx, miny, maxx, maxy = gdf.total_bounds
    assert 2.5 < minx < maxx < 6.5
    assert 49.4 < miny < maxy < 51.6
    joined = gdf.set_index("nis_code")["status"]
    expected = commune_values.set_index("nis_code")["status"]
    pd.testing.assert_series_equal(joined.sort_index(), expected.sort_index(), check_names=False)


def test_geojson_keeps_units_without_values(units: gpd.GeoDataFrame) -> None:
    doc = json.loads(
        export_geojson(
            units.to_crs(31370), pd.DataFrame({"nis_code": ["b", "z"], "value": [0.3, 0.9]})
        )
    )
    assert [f["properties"]["value"] for f in doc["features"]] == [None, 0.3]
    x, y = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 3.9 < x < 4.3
    assert 49.9 < y < 50.2


# --- HTML ----------------------------------------------------------------------------------------


def test_standalone_html_is_self_contained_and_leaves_the_map_alone(
    units: gpd.GeoDataFrame,
) -> None:
    v = pd.DataFrame({"nis_code": ["a", "b"], "value": [0.2, 0.8], "label": [XSS, "80%"]})
    fmap = build_choropleth(units, v, title=XSS, attribution="Statbel")
    page = export_html(fmap, title=XSS).decode("utf-8")
    assert "/app/static" not in page
    assert "<script src=" not in page
    assert find_external_urls(page, strict=True) == []
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<title>&lt;script&gt;" in page
    assert fmap.default_js == [("leaflet", "/app/static/leaflet.js")]
    assert "/app/static/leaflet.js" in fmap.get_root().render()
