"""Tests of geobaro.maps.choropleth: classes, legends, status styles, escaping, no CDN, map size."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geobaro.maps.assets import find_external_urls
from geobaro.maps.choropleth import (
    CATEGORY_COLORS,
    STATUS_STYLES,
    STATUSES,
    build_choropleth,
    build_topology,
    classify,
)

XSS_NAME = "<script>alert('x')</script>"
XSS_LABEL = '<img src=x onerror="alert(1)">'
OSM = "https://tile.openstreetmap.org/"


# --- helpers -------------------------------------------------------------------------------------


def assert_no_external_urls(page: str, *, allow: tuple[str, ...] = ()) -> None:
    """Fail if any http(s) URL is left in the page, except ``allow`` (e.g. tile URLs)."""
    left = find_external_urls(page, allow=allow, strict=True)
    assert left == [], f"external URLs in the map page: {left[:5]}"
    lowered = page.lower()
    for needle in ("https://cdn", "//cdnjs", "jsdelivr", "bootstrapcdn", "code.jquery"):
        assert needle not in lowered, needle


def embedded_topology(page: str) -> dict[str, Any]:
    """The TopoJSON object literal the map page sends to the browser."""
    start = page.index('{"type":"Topology"')
    obj, _ = json.JSONDecoder().raw_decode(page, start)
    return obj


def decode_topology(topo: dict[str, Any]) -> gpd.GeoDataFrame:
    """Decode a quantised TopoJSON topology (as the page's script does) into polygons."""
    scale = np.asarray(topo["transform"]["scale"])
    shift = np.asarray(topo["transform"]["translate"])
    # rounded as the 5-decimal web geometry is; only float noise of the decoding goes
    arcs = [
        np.round(np.cumsum(np.asarray(a, dtype=float), axis=0) * scale + shift, 7)
        for a in topo["arcs"]
    ]

    def ring(ids: list[int]) -> np.ndarray:
        parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in ids]
        return np.concatenate([parts[0], *(p[1:] for p in parts[1:])])

    rows, geoms = [], []
    for g in topo["objects"]["units"]["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"]
        shapes = [shapely.Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in polys]
        geoms.append(shapes[0] if g["type"] == "Polygon" else shapely.MultiPolygon(shapes))
        rows.append(g.get("properties", {}))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def same_shape(a: Any, b: Any) -> bool:
    """Same vertices (up to ring start and orientation)."""
    return bool(shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-7))


def values_frame(codes: list[str], value: list[Any], status: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"nis_code": codes, "value": value, "n": [1] * len(codes), "status": status}
    )


@pytest.fixture
def units() -> gpd.GeoDataFrame:
    """Six 0.1° squares in EPSG:4326 (two rows of three), FR/NL/EN names, two regions."""
    boxes = [shapely.box(4 + 0.1 * (i % 3), 50 + 0.1 * (i // 3), 4.1 + 0.1 * (i % 3),
                         50.1 + 0.1 * (i // 3)) for i in range(6)]  # fmt: skip
    return gpd.GeoDataFrame(
        {
            "nis_code": [f"1100{i}" for i in range(6)],
            "name_fr": [f"Commune {i}" for i in range(6)],
            "name_nl": [f"Gemeente {i}" for i in range(6)],
            "name_en": [f"Commune {i}" for i in range(6)],
            "region": ["Flanders"] * 3 + ["Wallonia"] * 3,
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


# --- classify: sequential ------------------------------------------------------------------------


def test_quantiles_give_k_classes_with_counts_and_status_entries() -> None:
    codes = [str(i) for i in range(12)]
    v = values_frame(
        codes,
        [i / 10 for i in range(10)] + [None, None],
        ["ok"] * 10 + ["refused", "too_small"],
    )
    c = classify(v, kind="sequential", scheme="quantiles", k=5)
    classes = [e for e in c.legend if e.kind == "class"]
    assert len(classes) == 5
    assert sum(e.count for e in classes) == 10
    assert [e.label for e in c.legend if e.kind == "status"] == ["refused", "too few answers"]
    assert c.bins is not None
    assert list(c.bins) == sorted(c.bins)
    assert c.colors["10"] == STATUS_STYLES["refused"].fill
    assert c.labels["11"] == "too few answers"
    assert len({e.color for e in classes}) == 5


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
@pytest.mark.parametrize(("data", "expected"), [([0.5] * 6, 1), ([0.2, 0.2, 0.8, 0.8], 2)])
def test_fewer_distinct_values_than_k(scheme: str, data: list[float], expected: int) -> None:
    v = values_frame([str(i) for i in range(len(data))], data, ["ok"] * len(data))
    c = classify(v, kind="sequential", scheme=scheme, k=5)  # type: ignore[arg-type]
    classes = [e for e in c.legend if e.kind == "class"]
    assert len(classes) == expected
    assert sum(e.count for e in classes) == len(data)


def test_natural_breaks_are_deterministic() -> None:
    rng = np.random.default_rng(3)
    v = values_frame([str(i) for i in range(60)], list(rng.random(60)), ["ok"] * 60)
    a = classify(v, kind="sequential", scheme="natural_breaks", k=4)
    b = classify(v, kind="sequential", scheme="natural_breaks", k=4)
    assert a.bins == b.bins
    assert len(a.bins or ()) == 4


def test_user_defined_breaks_and_their_errors() -> None:
    v = values_frame(list("abcd"), [0.1, 0.4, 0.6, 0.95], ["ok"] * 4)
    c = classify(v, kind="sequential", scheme="user_defined", breaks=(0.5, 0.8))
    assert c.bins == (0.5, 0.8, 0.95)
    assert [e.count for e in c.legend] == [2, 1, 1]
    with pytest.raises(ValueError, match="needs breaks"):
        classify(v, kind="sequential", scheme="user_defined")
    with pytest.raises(ValueError, match="increase strictly"):
        classify(v, kind="sequential", scheme="user_defined", breaks=(0.8, 0.5))


def test_shared_bins_give_panels_one_colour_scale() -> None:
    codes = [str(i) for i in range(20)]
    everything = values_frame(codes, [i / 19 for i in range(20)], ["ok"] * 20)
    shared = classify(everything, kind="sequential", k=4)
    panel = everything.iloc[:5]
    restricted = classify(panel, kind="sequential", bins=shared.bins)
    assert restricted.bins == shared.bins
    assert [e.color for e in restricted.legend] == [e.color for e in shared.legend]
    assert sum(e.count for e in restricted.legend) == 5
    for code in panel["nis_code"]:
        assert restricted.colors[code] == shared.colors[code]


def test_no_value_at_all_gives_only_status_entries() -> None:
    v = values_frame(list("abc"), [None] * 3, ["not_reached", "refused", "not_reached"])
    c = classify(v, kind="sequential")
    assert c.bins == ()
    assert [(e.label, e.count) for e in c.legend] == [("not reached", 2), ("refused", 1)]


def test_ok_without_value_is_no_data_and_status_is_optional() -> None:
    v = pd.DataFrame({"nis_code": ["a", "b"], "value": [0.3, None]})
    c = classify(v, kind="sequential")
    assert c.statuses is not None
    assert c.statuses.to_dict() == {"a": "ok", "b": "no_data"}


def test_shares_are_written_as_percent_per_language() -> None:
    v = values_frame(list("abcd"), [0.1, 0.3, 0.6, 0.9], ["ok"] * 4)
    fr = classify(v, kind="sequential", scheme="equal_interval", k=2, lang="fr")
    en = classify(v, kind="sequential", scheme="equal_interval", k=2, lang="en")
    assert en.legend[0].label == "10% – 50%"
    assert fr.legend[0].label == "10\u00a0% – 50\u00a0%"
    counts = values_frame(list("ab"), [3.0, 12.0], ["ok"] * 2)
    assert "%" not in classify(counts, kind="sequential").legend[0].label


def test_status_styles_differ_from_each_other() -> None:
    looks = {(s.fill, s.hatch, s.dashed) for s in STATUS_STYLES.values()}
    assert len(looks) == len(STATUS_STYLES) == len(STATUSES) - 1


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (pd.DataFrame({"value": [1.0]}), "missing column 'nis_code'"),
        (pd.DataFrame({"nis_code": ["a", "a"], "value": [1.0, 2.0]}), "repeated nis_code"),
        (
            pd.DataFrame({"nis_code": ["a"], "value": [1.0], "status": ["lost"]}),
            "unknown status",
        ),
        (pd.DataFrame({"nis_code": ["a"], "value": ["many"]}), "non-numeric"),
    ],
)
def test_bad_values_tables_are_refused(values: pd.DataFrame, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        classify(values, kind="sequential")


def test_classify_does_not_change_its_input() -> None:
    v = values_frame(list("abc"), [0.1, None, 0.5], ["ok", "ok", "ok"])
    before = v.copy()
    classify(v, kind="sequential", k=2)
    pd.testing.assert_frame_equal(v, before)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.floats(0, 1, allow_nan=False)),
            st.sampled_from(STATUSES),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 7),
    st.sampled_from(["quantiles", "equal_interval", "natural_breaks"]),
)
def test_every_unit_is_in_exactly_one_legend_entry(
    rows: list[tuple[float | None, str]], k: int, scheme: str
) -> None:
    v = values_frame(
        [f"{i:05d}" for i in range(len(rows))], [r[0] for r in rows], [r[1] for r in rows]
    )
    c = classify(v, kind="sequential", scheme=scheme, k=k)  # type: ignore[arg-type]
    assert sum(e.count for e in c.legend) == len(rows)
    assert list(c.colors.index) == list(v["nis_code"])
    assert c.colors.str.match(r"^#[0-9a-f]{6}$").all()
    by_label = pd.Series(c.labels.to_numpy()).value_counts().to_dict()
    for entry in c.legend:
        assert by_label.get(entry.label, 0) == entry.count


# --- classify: categorical -----------------------------------------------------------------------


def test_ordered_answers_get_diverging_colours_in_order() -> None:
    v = values_frame(list("abcde"), ["no", "yes", "partly", "yes", None], ["ok"] * 4 + ["refused"])
    c = classify(v, kind="categorical", lang="fr")
    assert [(e.label, e.count) for e in c.legend] == [
        ("oui", 2),
        ("en partie", 1),
        ("non", 1),
        ("a refusé", 1),
    ]
    assert c.colors["b"] == CATEGORY_COLORS["yes"]
    assert c.colors["a"] == CATEGORY_COLORS["no"]
    assert c.bins is None


def test_categories_given_by_value_or_by_legend_label() -> None:
    everything = values_frame(list("abc"), ["yes", "no", "partly"], ["ok"] * 3)
    shared = classify(everything, kind="categorical", lang="nl")
    labels = tuple(e.label for e in shared.legend if e.kind == "category")
    panel = classify(everything.iloc[:1], kind="categorical", lang="nl", categories=labels)
    assert [e.color for e in panel.legend] == [e.color for e in shared.legend]
    assert [e.count for e in panel.legend] == [1, 0, 0]
    named = classify(everything, kind="categorical", categories={"no": "Nope", "yes": "Yep"})
    assert [e.label for e in named.legend] == ["Nope", "Yep", "partly"]


def test_unknown_answers_get_qualitative_colours() -> None:
    v = values_frame(list("abc"), ["mobility", "people", "mobility"], ["ok"] * 3)
    c = classify(v, kind="categorical")
    assert [(e.label, e.count) for e in c.legend] == [("mobility", 2), ("people", 1)]
    assert c.colors["a"] != c.colors["b"]


# --- build_choropleth ----------------------------------------------------------------------------


def test_tooltip_texts_are_escaped(units: gpd.GeoDataFrame) -> None:
    units = units.assign(name_en=[XSS_NAME, *units["name_en"][1:]])
    v = values_frame(list(units["nis_code"]), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], ["ok"] * 6)
    v["label"] = [XSS_LABEL] * 6
    page = (
        build_choropleth(units, v, title=XSS_NAME, attribution=XSS_LABEL, k=3).get_root().render()
    )
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'onerror="alert' not in page
    props = embedded_topology(page)["objects"]["units"]["geometries"][0]["properties"]
    assert props["name"] == html.escape(XSS_NAME)
    assert props["label"] == html.escape(XSS_LABEL)
    assert set(props) == {"nis_code", "name", "region", "label", "n", "s"}


def test_map_loads_leaflet_from_the_app_and_nothing_from_a_cdn(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    page = build_choropleth(units, v, attribution="").get_root().render()
    assert '<script src="/app/static/leaflet.js"></script>' in page
    assert 'href="/app/static/leaflet.css"' in page
    assert_no_external_urls(page)
    other = build_choropleth(units, v, attribution="", static_prefix="/geo/static/")
    assert "/geo/static/leaflet.js" in other.get_root().render()


def test_inline_map_embeds_leaflet(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    page = build_choropleth(units, v, assets="inline", attribution="").get_root().render()
    assert "/app/static" not in page
    assert "<script src=" not in page
    assert "leaflet-container" in page  # the inlined style sheet
    assert_no_external_urls(page)


def test_tiles_are_optional_and_never_blank_the_map(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    plain = build_choropleth(units, v, attribution="").get_root().render()
    assert "tile.openstreetmap.org" not in plain
    with_tiles = build_choropleth(units, v, tiles=True, attribution="").get_root().render()
    assert "tile.openstreetmap.org" in with_tiles
    assert '"errorTileUrl": "data:image/gif' in with_tiles
    assert_no_external_urls(with_tiles, allow=(OSM,))
    with pytest.raises(AssertionError, match=r"tile\.openstreetmap"):
        assert_no_external_urls(with_tiles)


def test_attribution_notice_title_and_legend(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1, 0.9, None, None, None, None],
                     ["ok", "ok", "refused", "not_reached", "too_small", "no_data"])  # fmt: skip
    fmap = build_choropleth(
        units, v, attribution="Statbel & <BNOSAC>", illustrative=True, title="T", lang="nl"
    )
    page = fmap.get_root().render()
    assert "Statbel \\u0026amp; \\u0026lt;BNOSAC\\u0026gt;" in page
    assert "Illustratieve gegevens" in page
    for label in ("niet bereikt", "geweigerd", "te weinig antwoorden", "geen gegevens"):
        assert label in page


def test_units_without_values_are_drawn_as_no_data(units: gpd.GeoDataFrame) -> None:
    v = values_frame(["11000", "99999"], [0.5, 0.7], ["ok", "ok"])
    with pytest.warns(UserWarning, match=r"1 value rows have no unit .*nis_code 99999"):
        page = build_choropleth(units, v, attribution="").get_root().render()
    props = [g["properties"] for g in embedded_topology(page)["objects"]["units"]["geometries"]]
    assert [p["nis_code"] for p in props] == list(units["nis_code"])
    assert [p["label"] for p in props[1:]] == ["no data"] * 5


def test_projected_units_are_reprojected(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    projected = units.to_crs("EPSG:31370")
    page = build_choropleth(projected, v, attribution="").get_root().render()
    decoded = decode_topology(embedded_topology(page))
    area = decoded.to_crs("EPSG:31370").geometry.area.sum()
    assert area == pytest.approx(projected.geometry.area.sum(), rel=1e-3)


def test_build_does_not_change_its_inputs(units: gpd.GeoDataFrame) -> None:
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    units_before, v_before = units.copy(), v.copy()
    build_choropleth(units, v, attribution="")
    pd.testing.assert_frame_equal(v, v_before)
    assert units.equals(units_before)


def test_topology_round_trips_squares_exactly(units: gpd.GeoDataFrame) -> None:
    decoded = decode_topology(build_topology(units))
    for got, want in zip(decoded.geometry, units.geometry, strict=True):
        assert same_shape(got, want)
    assert shapely.coverage_is_valid(decoded.geometry.values)


# --- the real 589 communes --------------------------------------------------------------------


def test_commune_map_is_small_and_keeps_shared_borders(gdf_web: gpd.GeoDataFrame) -> None:
    rng = np.random.default_rng(0)
    status = rng.choice(["ok", "not_reached", "refused"], size=len(gdf_web), p=[0.2, 0.7, 0.1])
    v = values_frame(list(gdf_web["nis_code"]), list(rng.random(len(gdf_web))), list(status))
    page = build_choropleth(gdf_web, v).get_root().render()
    size = len(page.encode("utf-8"))
    assert size <= 800 * 1024, f"{size} bytes"
    assert_no_external_urls(page)
    decoded = decode_topology(embedded_topology(page))
    assert len(decoded) == 589
    assert shapely.coverage_is_valid(decoded.geometry.values)
    web = gdf_web.set_index("nis_code").geometry
    for code, geom in zip(decoded["nis_code"], decoded.geometry, strict=True):
        assert same_shape(geom, web[code]), code
    legend_counts = re.findall(r'gb-n\\"\\u003e\((\d+)\)', page)
    assert sum(int(n) for n in legend_counts) == 589


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_standalone_map_draws_every_commune_offline_and_runs_no_data_script(
    chromium: Any, gdf_web: gpd.GeoDataFrame, tmp_path: Any
) -> None:
    from pathlib import Path

    from geobaro.export.files import export_html

    status = ["ok", "refused", "too_small", "not_reached", "no_data"] * 118
    v = values_frame(list(gdf_web["nis_code"]), [0.5] * 589, status[:589])
    v["label"] = XSS_LABEL
    units = gdf_web.assign(name_en=XSS_NAME)
    fmap = build_choropleth(units, v, tiles=True, title=XSS_NAME, illustrative=True)
    page_file = tmp_path / "map.html"
    page_file.write_bytes(export_html(fmap))

    page = chromium.new_page(viewport={"width": 1000, "height": 800})
    events: list[str] = []
    page.on("dialog", lambda d: (events.append(f"dialog {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: events.append(f"error {e}"))
    requested: list[str] = []
    # no network: every tile request fails, as on a machine without internet
    page.route("**/*", lambda route: (requested.append(route.request.url), route.abort())
               if route.request.url.startswith("http") else route.continue_())  # fmt: skip
    page.goto(page_file.as_uri())
    page.wait_for_function(
        "document.querySelectorAll('path.leaflet-interactive').length >= 589", timeout=20000
    )
    assert page.locator("path.leaflet-interactive").count() == 589
    # hatched statuses use the SVG patterns defined in the map's own <svg>
    assert page.locator("path[fill^='url(#']").count() == 118 + 118
    assert page.locator("svg pattern").count() == 2
    page.locator("path.leaflet-interactive").nth(0).hover(force=True)
    tooltip = page.locator(".leaflet-tooltip").inner_text()
    assert XSS_NAME in tooltip  # shown as text, not run
    assert page.locator(".gb-notice").inner_text().startswith("Illustrative data")
    assert page.locator(".leaflet-container").get_attribute("aria-label") == XSS_NAME
    assert all(u.startswith("https://tile.openstreetmap.org/") for u in requested)
    out = Path("test-artefacts") / "maps"
    out.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out / "standalone-offline-tiles.png"))
    page.close()
    assert events == []


# --- Leaflet for the app ----------------------------------------------------------------------


def test_install_static_assets_is_idempotent_and_repairs(tmp_path: Any) -> None:
    from geobaro.maps.assets import install_static_assets, leaflet_dir

    def files() -> list[str]:
        return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())

    install_static_assets(tmp_path)
    names = files()
    assert {"leaflet.js", "leaflet.css", "images/layers.png"} <= set(names)
    assert not [n for n in names if n.endswith(".tmp")]
    stamps = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    (tmp_path / "leaflet.js").write_text("truncated", encoding="utf-8")
    install_static_assets(tmp_path)
    assert (tmp_path / "leaflet.js").read_bytes() == (leaflet_dir() / "leaflet.js").read_bytes()
    unchanged = [p for p, t in stamps.items() if p.name != "leaflet.js"]
    assert all(p.stat().st_mtime_ns == stamps[p] for p in unchanged)
    assert files() == names


def test_missing_and_empty_shapes_are_left_out(units: gpd.GeoDataFrame) -> None:
    holes = units.copy()
    holes.loc[1, "geometry"] = shapely.Polygon()
    holes.loc[2, "geometry"] = None
    v = values_frame(list(units["nis_code"]), [0.1] * 6, ["ok"] * 6)
    with pytest.warns(UserWarning, match=r"2 value rows have no unit .*nis_code 11001, 11002"):
        page = build_choropleth(holes, v, attribution="").get_root().render()
    codes = [
        g["properties"]["nis_code"]
        for g in embedded_topology(page)["objects"]["units"]["geometries"]
    ]
    assert codes == ["11000", "11003", "11004", "11005"]
    with pytest.warns(UserWarning, match="6 value rows"):
        empty = build_choropleth(units.iloc[:0], v, attribution="").get_root().render()
    assert embedded_topology(empty)["objects"]["units"]["geometries"] == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["yes", "partly", "no", "dont_know", "<b>&"])),
            st.sampled_from(STATUSES),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["fr", "nl", "en", "de"]),
)
def test_every_answer_is_counted_once(rows: list[tuple[str | None, str]], lang: str) -> None:
    v = values_frame([f"{i:05d}" for i in range(len(rows))], [r[0] for r in rows],
                     [r[1] for r in rows])  # fmt: skip
    c = classify(v, kind="categorical", lang=lang)  # type: ignore[arg-type]
    assert sum(e.count for e in c.legend) == len(rows)
    assert len({e.label for e in c.legend}) == len(c.legend)
    ok = [r[0] for r in rows if r[1] == "ok" and r[0] is not None]
    categories = [e for e in c.legend if e.kind == "category"]
    assert sum(e.count for e in categories) == len(ok)
