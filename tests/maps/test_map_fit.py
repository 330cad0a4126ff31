"""Maps in headless Chromium: fitted to what they show, notice clear of units, highlight in view.

Each map is rendered to a page (as exported, and as the app shows it: no legend, no title),
opened at 1400 and 800 px wide, and measured with Leaflet itself. Screenshots go to
``test-artefacts/maps``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geobaro.export.files import export_html
from geobaro.maps import build_choropleth

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "maps"

WIDTHS = (1400, 800)
HEIGHT = 600

#: What a map shows, measured in the page: is the target in view, how much of the frame it
#: takes, how many units' visible parts meet the notice, is the highlighted unit in view.
MEASURE = """() => {
  const g = window.geobaroMaps[window.geobaroMaps.length - 1], map = g.map;
  const c = map.getContainer().getBoundingClientRect();
  const nw = map.latLngToContainerPoint(g.target.getNorthWest());
  const se = map.latLngToContainerPoint(g.target.getSouthEast());
  const n = g.notice ? g.notice.getBoundingClientRect() : null;
  let hits = 0;
  document.querySelectorAll("path.leaflet-interactive").forEach(p => {
    const r = p.getBoundingClientRect();
    // the part of the unit that is drawn: inside the map's frame
    const left = Math.max(r.left, c.left), right = Math.min(r.right, c.right);
    const top = Math.max(r.top, c.top), bottom = Math.min(r.bottom, c.bottom);
    if (!n || right <= left || bottom <= top) { return; }
    if (right > n.left && left < n.right && bottom > n.top && top < n.bottom) { hits++; }
  });
  const controls = [...map.getContainer().querySelectorAll(".leaflet-control")]
    .map(el => el.getBoundingClientRect()).filter(r => r.width && r.height);
  const under = controls.filter(r => r.right > nw.x + c.left && r.left < se.x + c.left
    && r.bottom > nw.y + c.top && r.top < se.y + c.top).length;
  return {
    inView: map.getBounds().contains(g.target),
    share: Math.max((se.x - nw.x) / c.width, (se.y - nw.y) / c.height),
    noticeShown: n !== null && n.height > 0 && n.width > 0 && n.top < window.innerHeight,
    hits: hits,
    controlsOverData: under,
    highlightInView: g.highlighted ? map.getBounds().contains(g.highlighted.getBounds()) : null,
    highlightWeight: g.highlighted ? g.highlighted.options.weight : null,
  };
}"""


def _values(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Shares with every status, seeded (the sample's mix: most communes not reached)."""
    rng = np.random.default_rng(7)
    status = rng.choice(["ok", "not_reached", "refused", "too_small"], len(gdf),
                        p=[0.3, 0.5, 0.15, 0.05])  # fmt: skip
    return pd.DataFrame({"nis_code": gdf["nis_code"].to_numpy(), "value": rng.random(len(gdf)),
                         "status": status})  # fmt: skip


def _maps(gdf_web: gpd.GeoDataFrame) -> dict[str, tuple[gpd.GeoDataFrame, dict[str, Any]]]:
    region = gdf_web["region"]
    wallonia = gdf_web[region.eq("Wallonia")]
    return {
        "belgium": (gdf_web, {}),
        "compare-wallonia": (wallonia, {}),
        "compare-flanders": (gdf_web[region.eq("Flanders")], {}),
        "compare-brussels": (gdf_web[region.eq("Brussels")], {}),
        "zoom-to-wallonia": (gdf_web, {"fit_to": wallonia}),
        "profile-liege": (gdf_web, {"highlight": "62063"}),
        "profile-de-panne": (gdf_web, {"highlight": "38008"}),  # on the western edge
        "profile-burg-reuland": (gdf_web, {"highlight": "63087"}),  # on the eastern edge
    }


def _open(chromium: Any, page_html: bytes, name: str, width: int) -> Any:
    path = ARTEFACTS / f"{name}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(page_html)
    page = chromium.new_page(viewport={"width": width, "height": HEIGHT})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.geobaroMaps && window.geobaroMaps.length === 1")
    page.wait_for_timeout(150)
    assert errors == []
    return page


@pytest.mark.parametrize("app_frame", [False, True], ids=["export", "app"])
def test_every_map_opens_fitted_with_the_notice_clear_of_units(
    chromium: Any, gdf_web: gpd.GeoDataFrame, app_frame: bool
) -> None:
    framing: dict[str, Any] = (
        {"legend": False, "title": "", "attribution": "Statbel"}
        if app_frame
        else {"legend": True, "title": "Se sent concerné", "attribution": "Statbel"}
    )
    for name, (units, options) in _maps(gdf_web).items():
        values = _values(units)
        fmap = build_choropleth(units, values, illustrative=True, lang="fr", **framing, **options)
        page_html = export_html(fmap)
        for width in WIDTHS:
            label = f"{name}-{'app' if app_frame else 'export'}-{width}"
            page = _open(chromium, page_html, label, width)
            got = page.evaluate(MEASURE)
            page.screenshot(path=str(ARTEFACTS / f"{label}.png"))
            page.close()
            assert got["inView"], (label, got)
            assert got["share"] >= 0.6, (label, got)
            assert got["noticeShown"], (label, got)
            assert got["hits"] == 0, (label, got)
            assert got["controlsOverData"] == 0, (label, got)
            if "highlight" in options:
                assert got["highlightInView"], (label, got)
                assert got["highlightWeight"] == 3, (label, got)


def test_a_map_refits_when_its_frame_changes_width(
    chromium: Any, gdf_web: gpd.GeoDataFrame
) -> None:
    fmap = build_choropleth(gdf_web, _values(gdf_web), illustrative=True, legend=False,
                            attribution="Statbel")  # fmt: skip
    page = _open(chromium, export_html(fmap), "resize", 1400)
    for width in (800, 500, 1400):
        page.set_viewport_size({"width": width, "height": HEIGHT})
        page.wait_for_timeout(250)
        got = page.evaluate(MEASURE)
        assert got["inView"], (width, got)
        assert got["share"] >= 0.6, (width, got)
        assert got["hits"] == 0, (width, got)
    page.screenshot(path=str(ARTEFACTS / "resize-back-to-1400.png"))
    # once the user has zoomed, a resize keeps the user's view
    page.evaluate("window.geobaroMaps[0].map.setZoom(window.geobaroMaps[0].map.getZoom() + 2)")
    zoom = page.evaluate("window.geobaroMaps[0].map.getZoom()")
    page.set_viewport_size({"width": 900, "height": HEIGHT})
    page.wait_for_timeout(250)
    assert page.evaluate("window.geobaroMaps[0].map.getZoom()") == zoom
    page.close()


def test_a_frame_that_is_hidden_at_first_is_fitted_when_shown(
    chromium: Any, gdf_web: gpd.GeoDataFrame
) -> None:
    brussels = gdf_web[gdf_web["region"].eq("Brussels")]
    fmap = build_choropleth(brussels, _values(brussels), illustrative=True, attribution="")
    page_html = export_html(fmap).decode("utf-8")
    # as in a tab or an iframe that gets its size after the map is built
    page_html = page_html.replace("<body>", '<body style="display:none">', 1)
    page = _open(chromium, page_html.encode("utf-8"), "hidden-then-shown", 800)
    page.evaluate("document.body.style.display = ''")
    page.wait_for_timeout(250)
    got = page.evaluate(MEASURE)
    page.close()
    assert got["inView"], got
    assert got["share"] >= 0.6, got


def test_a_click_on_a_map_below_the_fold_neither_scrolls_the_page_nor_is_lost(
    chromium: Any, gdf_web: gpd.GeoDataFrame
) -> None:
    import html

    fmap = build_choropleth(gdf_web, _values(gdf_web), illustrative=True, attribution="")
    doc = export_html(fmap).decode("utf-8")
    # the map's frame starts 700 px down a 900 px window: most of it is below the fold
    parent = (
        '<html><body style="margin:0"><div style="height:700px"></div>'
        '<iframe id="map" style="width:800px;height:500px;border:0" '
        f'srcdoc="{html.escape(doc, quote=True)}"></iframe>'
        '<div style="height:1500px"></div></body></html>'
    )
    path = ARTEFACTS / "below-the-fold.html"
    path.write_text(parent, encoding="utf-8")
    page = chromium.new_page(viewport={"width": 1000, "height": 900})
    page.goto(path.as_uri())
    frame = page.frame_locator("#map").locator("path.leaflet-interactive").first
    frame.wait_for(state="attached")
    inner = page.frames[1]
    inner.wait_for_function("window.geobaroMaps && window.geobaroMaps.length === 1")
    inner.evaluate(
        "window.geobaroMaps[0].layer.on('click', e => {"
        " window.clicked = e.layer.feature.properties.nis_code; })"
    )
    code = inner.evaluate(
        """() => {
      const g = window.geobaroMaps[0], box = g.map.getContainer().getBoundingClientRect();
      let best = null;
      g.layer.eachLayer(l => {
        const p = g.map.latLngToContainerPoint(l.getBounds().getCenter());
        if (p.y > 40 && p.y < 170 && p.x > 60 && (!best || p.y < best.y)
            && document.elementFromPoint(p.x, p.y) === l.getElement()) {
          best = {code: l.feature.properties.nis_code, x: p.x + box.left, y: p.y + box.top};
        }
      });
      return best;
    }"""
    )
    assert code is not None
    page.mouse.click(code["x"], 700 + code["y"])
    page.wait_for_timeout(200)
    assert page.evaluate("window.scrollY") == 0
    assert inner.evaluate("window.clicked") == code["code"]
    page.close()
