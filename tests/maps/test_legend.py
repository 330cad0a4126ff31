"""Tests of geobaro.maps.legend: one renderer for the map's, the app's and the site's legend."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geobaro.i18n import load_catalog
from geobaro.maps import (
    STATUS_STYLES,
    build_choropleth,
    classify,
    render_legend,
    status_label,
)
from geobaro.maps.choropleth import _json_for_script
from geobaro.vocabulary import LANGS, MAP_STATUSES

NON_OK = [s for s in MAP_STATUSES if s != "ok"]


@pytest.fixture
def units() -> gpd.GeoDataFrame:
    """Eight 0.1° squares in EPSG:4326 (two rows of four), English names, two regions."""
    boxes = [shapely.box(4 + 0.1 * (i % 4), 50 + 0.1 * (i // 4), 4.1 + 0.1 * (i % 4),
                         50.1 + 0.1 * (i // 4)) for i in range(8)]  # fmt: skip
    return gpd.GeoDataFrame(
        {
            "nis_code": [f"1100{i}" for i in range(8)],
            "name_en": [f"Commune {i}" for i in range(8)],
            "region": ["Flanders"] * 4 + ["Wallonia"] * 4,
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


def _values(units: gpd.GeoDataFrame, kind: str, status: str) -> pd.DataFrame:
    """Four units with a value, then four of ``status`` (``ok`` rows keep their value)."""
    codes = list(units["nis_code"])
    numbers: list[Any] = [0.1, 0.4, 0.6, 0.9] if kind == "sequential" else ["yes", "no"] * 2
    return pd.DataFrame(
        {"nis_code": codes, "value": numbers + [None] * 4, "status": ["ok"] * 4 + [status] * 4}
    )


class _Rows(HTMLParser):
    """Collects each legend row's data-status and its swatch's inline style."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and a.get("class") == "gb-row":
            self.rows.append({"status": a.get("data-status"), "kind": a.get("data-kind")})
        elif self.rows and a.get("class") == "gb-sw":
            self.rows[-1]["style"] = a.get("style") or ""


def _swatch_of(legend: str, status: str) -> str:
    parser = _Rows()
    parser.feed(legend)
    (row,) = [r for r in parser.rows if r["status"] == status]
    return str(row["style"])


@pytest.mark.parametrize("kind", ["sequential", "categorical"])
@pytest.mark.parametrize("status", NON_OK)
@pytest.mark.parametrize("lang", LANGS)
def test_the_map_draws_exactly_the_legend_renderer_output(
    units: gpd.GeoDataFrame, kind: str, status: str, lang: Any
) -> None:
    values = _values(units, kind, status)
    classification = classify(values, kind=kind, lang=lang, k=2)  # type: ignore[arg-type]
    expected = render_legend(classification, lang=lang)
    page = (
        build_choropleth(units, values, classification=classification, lang=lang, attribution="")
        .get_root()
        .render()
    )
    assert f'"legend":{_json_for_script(expected)},' in page
    assert status_label(status, lang) in expected  # type: ignore[arg-type]
    assert expected.count('class="gb-row"') == len(classification.legend)


def test_every_status_has_its_own_swatch_as_the_map_draws_it(units: gpd.GeoDataFrame) -> None:
    codes = list(units["nis_code"])[:5]
    values = pd.DataFrame(
        {"nis_code": codes, "value": [0.5, None, None, None, None], "status": MAP_STATUSES}
    )
    legend = render_legend(classify(values, kind="sequential"), lang="en")
    swatches = {s: _swatch_of(legend, s) for s in NON_OK}
    gradients = {s: re.findall(r"repeating-linear-gradient\((\d+)deg,([^)]*)\)", v)
                 for s, v in swatches.items()}  # fmt: skip
    # refused: the map's "/" lines on its light grey; too few answers: "/" and "\\" on white
    refused, too_small = STATUS_STYLES["refused"], STATUS_STYLES["too_small"]
    assert [angle for angle, _ in gradients["refused"]] == ["135"]
    assert gradients["refused"][0][1].startswith(f"{refused.outline} 0 1px,{refused.fill} 1px")
    assert sorted(angle for angle, _ in gradients["too_small"]) == ["135", "45"]
    assert gradients["too_small"][-1][1].startswith(f"{too_small.outline} 0 1px,#ffffff 1px")
    assert swatches["refused"] != swatches["too_small"]
    # no data: a dashed border, no hatching; not reached: plain grey, solid border
    assert not gradients["no_data"]
    assert "border:1px dashed #969696" in swatches["no_data"]
    assert not gradients["not_reached"]
    assert swatches["not_reached"].startswith(f"background:{STATUS_STYLES['not_reached'].fill};")
    assert "border:1px solid" in swatches["not_reached"]
    assert len(set(swatches.values())) == 4
    # everything a swatch needs is in its own style (sanitisers drop <style> and <svg>)
    for style in swatches.values():
        assert "width:18px;height:12px" in style
        assert "print-color-adjust:exact" in style


def test_labels_come_from_the_one_status_catalogue() -> None:
    values = pd.DataFrame(
        {"nis_code": list("abcde"), "value": [0.5, None, None, None, None], "status": MAP_STATUSES}
    )
    for lang in LANGS:
        legend = render_legend(classify(values, kind="sequential", lang="en"), lang=lang)
        for status in NON_OK:
            assert f">{load_catalog(lang)[f'maps.status.{status}']}<" in legend
    assert status_label("not_reached", "fr") == "non atteinte"
    assert status_label("answered", "nl") == status_label("ok", "nl")
    renamed = render_legend(classify(values, kind="sequential"), lang="en",
                            status_labels={"no_data": "not <published>"})  # fmt: skip
    assert ">not &lt;published&gt;<" in renamed
    assert ">refused<" in renamed
    with pytest.raises(ValueError, match="unknown status 'lost'; allowed: ok, not_reached"):
        status_label("lost", "en")  # type: ignore[arg-type]


def test_legend_is_escaped_scoped_and_counts_units() -> None:
    values = pd.DataFrame({"nis_code": ["a", "b", "c"], "value": ["<b>x</b>", "<b>x</b>", None],
                           "status": ["ok", "ok", "refused"]})  # fmt: skip
    legend = render_legend(classify(values, kind="categorical"), lang="en", title="<i>T</i>")
    assert "<b>" not in legend
    assert "<i>" not in legend
    assert "&lt;b&gt;x&lt;/b&gt;" in legend
    assert ">&lt;i&gt;T&lt;/i&gt;<" in legend
    assert re.findall(r'class="gb-n">\((\d+)\)', legend) == ["2", "1"]
    style = re.search(r"<style>(.*?)</style>", legend)
    assert style is not None
    for rule in style.group(1).split("}")[:-1]:
        assert rule.startswith(".gb-legend"), rule
    bare = render_legend(classify(values, kind="categorical"), lang="fr", counts=False)
    assert 'class="gb-n"' not in bare
    assert 'aria-label="Légende"' in bare
    assert 'class="gb-legend-title"' not in bare


def test_legend_of_a_bad_colour_falls_back_to_grey() -> None:
    class Entry:
        label, color, count, kind = "x", "red;background:url(javascript:1)", 1, "class"

    class Klass:
        legend = (Entry(),)

    legend = render_legend(Klass(), lang="en")
    assert "javascript" not in legend
    assert 'style="background:#cccccc;' in legend


@pytest.mark.browser
def test_swatches_draw_in_a_browser_even_without_the_style_sheet(chromium: Any) -> None:
    from pathlib import Path

    values = pd.DataFrame(
        {"nis_code": list("abcde"), "value": [0.5, None, None, None, None], "status": MAP_STATUSES}
    )
    legend = render_legend(classify(values, kind="sequential"), lang="fr", title="Communes")
    # as a sanitiser that drops style sheets would leave it
    bare = re.sub(r"<style>.*?</style>", "", legend)
    out = Path(__file__).resolve().parents[2] / "test-artefacts" / "maps"
    out.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 320, "height": 360}, device_scale_factor=2)
    looks = []
    for name, fragment in (("with-style-sheet", legend), ("without", bare)):
        page.set_content(f"<body style='font:14px sans-serif'>{fragment}</body>")
        looks += page.evaluate(
            """() => [...document.querySelectorAll('.gb-row')].map(row => {
          const sw = row.querySelector('.gb-sw'), cs = getComputedStyle(sw);
          return {status: row.dataset.status || null, w: sw.offsetWidth, h: sw.offsetHeight,
                  image: cs.backgroundImage, border: cs.borderTopStyle};
        })"""
        )
        page.screenshot(path=str(out / f"legend-statuses-{name}.png"))
    page.close()
    assert len(looks) == 2 * 5
    for look in looks:
        assert (look["w"], look["h"]) == (18, 12), look
        hatched = look["status"] in {"refused", "too_small"}
        assert ("repeating-linear-gradient" in look["image"]) == hatched, look
        assert look["border"] == ("dashed" if look["status"] == "no_data" else "solid"), look
    assert looks[:5] == looks[5:]


def test_marked_units_get_a_thick_outline_and_a_legend_row(units: gpd.GeoDataFrame) -> None:
    values = pd.DataFrame(
        {"nis_code": units["nis_code"], "value": [0.1 * i for i in range(8)], "n": 5}
    )
    page = (
        build_choropleth(
            units,
            values,
            k=3,
            attribution="",
            marked=["11002", "99999"],
            marked_label="interval <excludes> Belgium",
            legend_note="weighted & so on",
        )
        .get_root()
        .render()
    )
    config = page.split("geobaroChoropleth(", 2)[2]
    assert '"marked":["11002","99999"]' in config
    assert '"markedStyle":{"color":"#111111","weight":2.5' in config
    legend = render_legend(
        classify(values, kind="sequential", k=3),
        lang="en",
        marked="interval <excludes> Belgium",
        note="weighted & so on",
    )
    assert 'data-kind="marked"' in legend
    assert "border:2.5px solid #111111" in legend
    assert "interval &lt;excludes&gt; Belgium" in legend
    assert "weighted &amp; so on" in legend
    # the map's own legend is the same fragment (as JSON in the script)
    assert _json_for_script(legend)[1:-1] in config
    plain = render_legend(classify(values, kind="sequential", k=3), lang="en")
    assert 'data-kind="marked"' not in plain
    assert 'class="gb-note"' not in plain
    unmarked = build_choropleth(units, values, k=3, attribution="", marked_label="x")
    assert 'data-kind=\\"marked\\"' not in unmarked.get_root().render()
