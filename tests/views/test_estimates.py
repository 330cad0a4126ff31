"""Weighted or unweighted estimates in the views, and the marks of groups that differ."""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geobaro import views
from geobaro.aggregate import aggregate_by
from geobaro.data.boundaries import load_units
from geobaro.i18n import t
from geobaro.indicators import compute_indicators
from geobaro.survey.sample import load_sample
from geobaro.vocabulary import LANGS

WEIGHTED = "weighted for non-response (region × urban/rural)"
UNWEIGHTED = "unweighted (the communes that answered as they are)"


@functools.cache
def _units(level: str) -> gpd.GeoDataFrame:
    """The 2018 web units of one level (read once per test session)."""
    return load_units(level=level, web=True)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    """The 589 communes of 2018 as a plain reference table (no geometry)."""
    return pd.DataFrame(_units("commune").drop(columns="geometry"))


@pytest.fixture(scope="module")
def indicators(ref: pd.DataFrame) -> pd.DataFrame:
    """Indicators of the shipped illustrative sample (113 respondents of 589)."""
    return compute_indicators(load_sample(gdf_communes=ref), ref)


def _data(indicators: pd.DataFrame, ref: pd.DataFrame, level: str) -> views.ViewData:
    return views.ViewData(indicators, ref, gdf_units=_units(level))


def _differs(indicators: pd.DataFrame, ref: pd.DataFrame, level: str, *, weighted: bool) -> set:
    """Groups whose interval excludes Belgium's share, computed here from aggregate_by."""
    suffix = "_weighted" if weighted else ""
    agg = aggregate_by(indicators, ref, level=level, indicator="feels_concerned")  # type: ignore[arg-type]
    belgium = aggregate_by(indicators, ref, level="belgium", indicator="feels_concerned")
    be = float(belgium[f"share{suffix}"].iloc[0])
    shown = ~agg["too_small"].astype(bool)
    low, high = agg[f"ci_low{suffix}"], agg[f"ci_high{suffix}"]
    return set(agg.loc[shown & ((low > be) | (high < be)), "nis_code"].astype(str))


class _Recorder:
    """Exporters that record what they are given instead of drawing files."""

    def __init__(self) -> None:
        self.png: dict[str, Any] = {}

    def export_html(self, fmap: Any, *, title: str = "") -> bytes:
        return fmap.get_root().render().encode("utf-8")

    def export_png(self, gdf_units: Any, values: Any, classification: Any = None, **kw: Any):
        self.png = kw
        return b"png"

    def export_csv(self, df: pd.DataFrame) -> bytes:
        from geobaro.export import files

        return files.export_csv(df)

    def export_geojson(self, gdf_units: Any, values: Any) -> bytes:
        return b"{}"


def test_weighted_request_shows_the_weighted_shares_and_says_so(ref, indicators):
    data = _data(indicators, ref, "province")
    plain = views.render_explore(views.ExploreRequest("feels_concerned", level="province"), data)
    request = views.ExploreRequest("feels_concerned", level="province", weighted=True)
    view = views.render_explore(request, data)
    agg = aggregate_by(indicators, ref, level="province", indicator="feels_concerned")
    expected = agg.set_index("nis_code")["share_weighted"]
    got = view.values.set_index("nis_code")["value"]
    ok = view.values.set_index("nis_code")["status"].eq("ok")
    assert got[ok].to_dict() == pytest.approx(expected.reindex(got[ok].index).to_dict())
    # the weighted shares are not the respondents' shares (Hainaut: 40.0% -> 41.2%)
    before = plain.table.set_index("nis_code")["value"]
    after = view.table.set_index("nis_code")["value"]
    assert before["50000"] == 40.0
    assert after["50000"] == 41.2
    assert view.estimate == WEIGHTED
    assert plain.estimate == UNWEIGHTED
    assert set(view.table["estimate"]) == {WEIGHTED}
    assert set(plain.table["estimate"]) == {UNWEIGHTED}
    # the standalone map's legend carries the note
    assert WEIGHTED in view.html
    assert UNWEIGHTED not in view.html
    recorder = _Recorder()
    files = {f.kind: f for f in views.list_exports(view, data, exporters=recorder)}
    csv = files["csv"].build().decode("utf-8-sig").splitlines()
    header = csv[0].split(",")
    assert "estimate" in header
    assert "differs_from_belgium" in header
    assert all(WEIGHTED in line for line in csv[1:])
    files["png"].build()
    assert recorder.png["source"].endswith(f" · {WEIGHTED}")
    assert WEIGHTED in files["html"].build().decode("utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_the_estimate_is_named_in_every_language(ref, indicators, lang):
    request = views.ExploreRequest("feels_concerned", level="region", weighted=True, lang=lang)
    view = views.render_explore(request, _data(indicators, ref, "region"))
    assert view.estimate == t("stats.estimate.weighted", lang)
    assert set(view.table["estimate"]) == {view.estimate}


def test_communes_own_answers_name_no_estimate(ref, indicators):
    request = views.ExploreRequest("feels_concerned", weighted=True)
    view = views.render_explore(request, _data(indicators, ref, "commune"))
    assert view.estimate is None
    assert "estimate" not in view.table.columns
    assert view.marked == ()


def test_answers_have_no_weighted_estimate_and_say_unweighted(ref, indicators):
    request = views.ExploreRequest("concern", level="province", weighted=True)
    view = views.render_explore(request, _data(indicators, ref, "province"))
    assert view.estimate == UNWEIGHTED


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("level", ["province", "arrondissement"])
def test_explore_marks_the_groups_whose_interval_excludes_belgium(ref, indicators, level, weighted):
    request = views.ExploreRequest("feels_concerned", level=level, weighted=weighted)
    view = views.render_explore(request, _data(indicators, ref, level))
    expected = _differs(indicators, ref, level, weighted=weighted)
    assert expected  # the sample has such groups at both levels (Hainaut, Antwerpen...)
    assert set(view.marked) == expected
    assert set(view.table.loc[view.table["differs_from_belgium"], "nis_code"]) == expected
    marked_json = ",".join(f'"{c}"' for c in view.marked)
    assert f'"marked":[{marked_json}]' in view.html
    assert "interval excludes Belgium" in view.html


def test_compare_marks_panels_and_summaries_that_differ(ref, indicators):
    request = views.CompareRequest("feels_concerned", level="province", weighted=True)
    view = views.render_compare(request, _data(indicators, ref, "province"))
    expected = _differs(indicators, ref, "province", weighted=True)
    marked = {code for panel in view.panels for code in panel.marked}
    assert marked == expected
    assert {"04000", "50000", "80000"} <= marked
    brussels = next(p for p in view.panels if p.region == "Brussels")
    assert '"marked":["04000"]' in brussels.html
    # every region and both urban and rural differ from Belgium's 67% in the sample
    regions = _differs(indicators, ref, "region", weighted=True)
    assert {p.summary.group for p in view.panels if p.summary.differs} == regions
    assert [s.differs for s in view.urban_rural] == [True, True]
    assert view.estimate == WEIGHTED
    # weighted summaries are the weighted shares
    agg = aggregate_by(indicators, ref, level="urban_rural", indicator="feels_concerned")
    shares = [s.share for s in view.urban_rural]
    assert shares == pytest.approx(agg["share_weighted"].tolist())


def test_compare_at_commune_level_marks_nothing(ref, indicators):
    request = views.CompareRequest("feels_concerned")
    view = views.render_compare(request, _data(indicators, ref, "commune"))
    assert all(panel.marked == () for panel in view.panels)


def test_weighted_profile_shows_belgium_weighted(ref, indicators):
    data = views.ViewData(indicators, ref)
    plain = views.render_commune(views.CommuneRequest("62063"), data)
    weighted = views.render_commune(views.CommuneRequest("62063", weighted=True), data)
    be_plain = plain.table.set_index("indicator").at["feels_concerned", "belgium"]
    be_weighted = weighted.table.set_index("indicator").at["feels_concerned", "belgium"]
    assert be_plain.startswith("66%")
    assert be_weighted.startswith("67%")
    assert weighted.estimate == WEIGHTED
    assert plain.estimate == UNWEIGHTED
    # answers stay as they are
    for column in ("commune", "label"):
        assert np.array_equal(plain.table[column], weighted.table[column])


def test_the_png_outlines_the_groups_that_differ(ref, indicators):
    import io

    from PIL import Image

    from geobaro.export import files

    request = views.ExploreRequest("feels_concerned", level="province", weighted=True)
    view = views.render_explore(request, _data(indicators, ref, "province"))

    def dark_pixels(values: pd.DataFrame) -> int:
        png = files.export_png(
            view.gdf_units, values, view.classification, attribution="", width_px=800,
            height_px=600,
        )  # fmt: skip
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        return int((np.abs(pixels - 17).max(axis=2) <= 12).sum())

    marked = dark_pixels(view.values)
    plain = dark_pixels(view.values.drop(columns="differs_from_belgium"))
    # three provinces (and the legend's swatch) outlined in #111111
    assert marked > plain + 300
