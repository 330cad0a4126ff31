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
    """Collects each legend row's data-status and the swatch SVG elements inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "div" and a.get("class") == "gb-row":
            self.rows.append({"status": a.get("data-status"), "kind": a.get("data-kind"),
                              "shapes": []})  # fmt: skip
        elif self.rows and tag in {"rect", "path"}:
            self.rows[-1]["shapes"].append((tag, a))


def _swatch_of(legend: str, status: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Rows()
    parser.feed(legend)
    (row,) = [r for r in parser.rows if r["status"] == status]
    return row["shapes"]  # type: ignore[no-any-return]


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
    # refused and too-few-answers: different hatching (diagonal vs cross) of the map's colour
    refused = [a["d"] for tag, a in swatches["refused"] if tag == "path"]
    too_small = [a["d"] for tag, a in swatches["too_small"] if tag == "path"]
    assert len(refused) == 1
    assert len(too_small) == 1
    assert refused[0] != too_small[0]
    assert too_small[0].startswith(refused[0])  # cross = the diagonal lines plus the others
    for status in ("refused", "too_small"):
        style = STATUS_STYLES[status]
        fills = [a["fill"] for tag, a in swatches[status] if tag == "rect"]
        assert fills[0] == style.fill
        assert [a["stroke"] for tag, a in swatches[status] if tag == "path"] == [style.outline]
    # no data: a dashed border and no hatching; not reached: plain grey, solid border
    assert not [t for t, _ in swatches["no_data"] if t == "path"]
    borders = [a for tag, a in swatches["no_data"] if tag == "rect" and a["fill"] == "none"]
    assert borders
    assert borders[0].get("stroke-dasharray")
    assert not [t for t, _ in swatches["not_reached"] if t == "path"]
    reached = [a for tag, a in swatches["not_reached"] if tag == "rect"]
    assert reached[0]["fill"] == STATUS_STYLES["not_reached"].fill
    assert not any(a.get("stroke-dasharray") for a in reached)
    # all four look different
    looks = {repr(sorted((t, sorted(a.items())) for t, a in s)) for s in swatches.values()}
    assert len(looks) == 4


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
    assert 'fill="#cccccc"' in legend
