"""Tests of change over time: trend charts, change maps, headlines and files of several waves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geobaro.data.boundaries import load_units
from geobaro.published import load_crosswalk, load_published, trend_points
from geobaro.views.trends import (
    ChangeRequest,
    commune_waves,
    list_change_pairs,
    list_headlines,
    list_site_pages,
    render_change,
    render_trends,
    split_waves,
    trend_chart_png,
    trend_chart_spec,
    wave_change_values,
)
from geobaro.vocabulary import LANGS


@pytest.fixture(scope="module")
def figures(settings) -> pd.DataFrame:
    """Every row of the shipped ``barometer_figures.csv``."""
    return load_published(settings)


@pytest.fixture(scope="module")
def crosswalk(settings) -> pd.DataFrame:
    """The shipped ``crosswalk.csv``."""
    return load_crosswalk(settings)


def test_a_chart_per_group_with_each_point_and_its_source(figures, crosswalk) -> None:
    trends = render_trends("progress_score", figures, crosswalk, lang="fr")
    assert list(trends.charts)[:4] == ["Belgium", "Wallonia", "Flanders", "Brussels"]
    assert {"Hainaut", "Liege", "Antwerpen", "Brabant wallon", "Vlaams-Brabant"} <= set(
        trends.charts
    )
    wallonia = trends.charts["Wallonia"]["data"]["values"]
    assert [d["value"] for d in wallonia] == [3.67, 3.72, 3.0, 4.31]
    assert [d["text"] for d in wallonia] == ["3,67/10", "3,72/10", "3,00/10", "4,31/10"]
    assert all(d["source_url"].startswith("http") and d["locator"] for d in wallonia)
    assert trends.charts["Wallonia"]["title"] == "Région wallonne"
    assert trends.charts["Wallonia"]["description"] == (
        "Score d’avancement auto-évalué (sur 10) — Région wallonne"
    )
    assert ("2020-WAL", "2021-WAL", "region") in trends.pairs


def test_conflicting_points_are_drawn_as_such(figures, crosswalk) -> None:
    trends = render_trends("respondents", figures, crosswalk)
    belgium = trends.charts["Belgium"]["data"]["values"]
    assert [(d["value"], d["shape"]) for d in belgium] == [
        (113.0, "cross"),
        (119.0, "cross"),
        (123.0, "circle"),
    ]
    assert belgium[0]["conflict"] == "sources disagree"


def test_png_chart_of_a_group(figures, crosswalk) -> None:
    trends = render_trends("strategy_in_global", figures, crosswalk, lang="nl")
    png = trend_chart_png(trends.points, lang="nl")
    assert png.startswith(b"\x89PNG")
    assert len(png) > 5000
    with pytest.raises(ValueError, match="no points"):
        trend_chart_png(trends.points.iloc[0:0])
    with pytest.raises(ValueError, match="no points"):
        trend_chart_spec(trends.points.iloc[0:0])
    with pytest.raises(ValueError, match="unknown series"):
        render_trends("nope", figures, crosswalk)


def test_change_map_where_both_waves_give_the_place(figures, crosswalk, settings) -> None:
    regions = load_units(level="region", web=True, settings=settings)
    change = render_change(
        ChangeRequest("obstacle_expertise", "2018-WAL", "2021-WAL", lang="en"),
        figures,
        crosswalk,
        gdf_units=regions,
    )
    by_code = change.values.set_index("nis_code")
    assert by_code.loc["03000", "value"] == pytest.approx(11.0)
    assert by_code.loc["03000", "label"] == "+11 pts (within noise)"
    assert set(by_code.loc[["02000", "04000"], "status"]) == {"no_data"}
    assert by_code.loc[["02000", "04000"], "value"].isna().all()  # never a change of zero
    assert "no figure in both waves" in change.legend_html
    assert "datanews.levif.be" in change.source_line
    assert "smart-city.uliege.be" in change.source_line
    assert change.table["verdict"].tolist() == ["within_noise"]
    assert change.html.startswith("<!DOCTYPE html>")
    assert change.html.count("gb-value-label") == 1
    with pytest.raises(ValueError, match="no obstacle_expertise figure"):
        render_change(
            ChangeRequest("obstacle_expertise", "2018-WAL", "2021-WAL", level="province"),
            figures,
            crosswalk,
            gdf_units=regions,
        )


def test_change_pairs_need_a_common_place(figures, crosswalk) -> None:
    points = trend_points(figures, crosswalk)
    assert list_change_pairs(points[points["series"] == "assoc_quality_of_life"]) == ()
    assert list_change_pairs(points[points["series"] == "strategy_in_global"]) == ()


def test_headlines_say_what_changed_with_sources(figures, crosswalk) -> None:
    for lang in LANGS:
        heads = list_headlines(figures, crosswalk, lang=lang)
        assert len(heads) >= 8
        assert heads["text"].str.len().gt(20).all()
        # every end has a source: an address, or a locator where the source has none
        assert heads["locator_from"].str.len().gt(0).all()
        assert heads["locator_to"].str.len().gt(0).all()
        assert heads["source_to"].str.startswith("http").all()
    heads = list_headlines(figures, crosswalk).set_index(["series", "group"])
    assert heads.loc[("strategy_in_global", "Belgium"), "verdict"] == "beyond_noise"
    assert "close wording" in heads.loc[("strategy_in_global", "Belgium"), "text"]
    respondents = heads.loc[("respondents", "Belgium")]
    assert respondents["conflict"]
    assert "sources disagree" in respondents["text"]
    assert ("progress_score", "Wallonia") in heads.index
    # only places and the country: no rural/urban headline
    assert not set(heads.index.get_level_values("group")) & {"rural", "urban"}


def test_split_waves_keeps_every_row() -> None:
    df = pd.DataFrame({"nis_code": ["11001", "11001", "11002"], "wave": ["2017", " 2018", "2018"]})
    parts = split_waves(df)
    assert list(parts) == ["2017", "2018"]
    assert sum(len(p) for p in parts.values()) == len(df)
    assert "wave" not in parts["2018"].columns
    with pytest.raises(ValueError, match=r"rows \[3\]"):
        split_waves(df.assign(wave=["2017", "2018", ""]))
    with pytest.raises(ValueError, match="no 'wave' column"):
        split_waves(df.drop(columns="wave"))


def _wave(status: list[str], concerned: list[float], score: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nis_code": ["11001", "11002", "11004"],
            "response_status": status,
            "feels_concerned": concerned,
            "strategy": ["none", np.nan, "dedicated_plan"],
        }
    ).assign(perception_opportunity=score)


def test_a_commune_answers_per_wave_and_the_change_of_those_that_answered_both() -> None:
    w17 = _wave(["answered", "answered", "not_reached"], [1.0, 0.0, np.nan], [3, 4, np.nan])
    w18 = _wave(["answered", "refused", "answered"], [0.0, np.nan, 1.0], [5, np.nan, 2])
    table = commune_waves({"2017": w17, "2018": w18}, "11002", lang="fr")
    assert table.columns.tolist() == ["indicator", "label", "2017", "2018"]
    status = table.set_index("indicator").loc["response_status"]
    assert status[["2017", "2018"]].tolist() == ["a répondu", "a refusé"]
    values = wave_change_values(
        {"2017": w17, "2018": w18},
        indicator="feels_concerned",
        wave_from="2017",
        wave_to="2018",
    ).set_index("nis_code")
    assert values.loc["11001", "value"] == -1.0
    assert values.loc["11001", "label"] == "2017: yes → 2018: no"
    assert values.loc[["11002", "11004"], "status"].tolist() == ["no_data", "no_data"]
    assert values.loc["11004", "label"] == "answered only in 2018"
    assert values.loc[["11002", "11004"], "value"].isna().all()
    scores = wave_change_values(
        {"2017": w17, "2018": w18},
        indicator="perception_opportunity",
        wave_from="2017",
        wave_to="2018",
    )
    assert scores.loc[scores["status"] == "ok", "value"].tolist() == [2.0]
    with pytest.raises(ValueError, match="category"):
        wave_change_values({"2017": w17}, indicator="concern", wave_from="2017", wave_to="2018")
    with pytest.raises(ValueError, match="no wave '2019'"):
        wave_change_values(
            {"2017": w17}, indicator="feels_concerned", wave_from="2017", wave_to="2019"
        )


@pytest.mark.slow
def test_site_pages_hold_every_published_map_and_every_trend(figures, crosswalk, settings) -> None:
    from geobaro.views.published import list_published_choices

    units = {lv: load_units(level=lv, web=True, settings=settings) for lv in ("region", "province")}
    maps, trends = list_site_pages(figures, crosswalk, units=units, lang="de")
    expected = {
        f"published-{w}-{i}-{lv}"
        for w, inds in list_published_choices(figures).items()
        for i, levels in inds.items()
        for lv in levels
    }
    assert {p.slug for p in maps} == expected
    province = next(p for p in maps if p.slug == "published-2018-BE-progress_score_mean-province")
    assert province.series == "progress_score"
    assert province.result.html.count("gb-value-label") == 5
    assert [p.slug for p in trends] == [f"trend-{s}" for s in crosswalk["series"].unique()]
    for page in trends:
        assert set(page.pngs) == set(page.trends.charts)
        assert all(png.startswith(b"\x89PNG") for png in page.pngs.values())
        assert len(page.change_maps) == len(page.trends.pairs)


def test_the_sample_waves_map_the_change_of_communes_that_answered_both(settings) -> None:
    from geobaro.survey.sample import load_sample_waves
    from geobaro.views.trends import WaveChangeRequest, indicators_by_wave, render_wave_change

    units = load_units(level="commune", web=True, settings=settings)
    ref = units.drop(columns="geometry")
    by_wave = indicators_by_wave(load_sample_waves(settings, gdf_communes=ref), ref)
    assert list(by_wave) == ["2017-BE", "2018-BE"]
    both = set(
        by_wave["2017-BE"].loc[by_wave["2017-BE"]["response_status"] == "answered", "nis_code"]
    )
    both &= set(
        by_wave["2018-BE"].loc[by_wave["2018-BE"]["response_status"] == "answered", "nis_code"]
    )
    change = render_wave_change(
        WaveChangeRequest("feels_concerned", "2017-BE", "2018-BE", lang="nl"),
        by_wave,
        gdf_units=units,
    )
    assert change.both == len(both) == 27
    ok = change.values[change.values["status"] == "ok"]
    assert set(ok["nis_code"]) == both
    assert set(ok["value"]) <= {"up", "same", "down"}
    rest = change.values[change.values["status"] != "ok"]
    assert len(rest) == 589 - 27
    assert rest["value"].isna().all()  # never a change of zero
    labels = {e.label for e in change.classification.legend}
    assert {"nu ja", "onveranderd", "nu nee"} & labels
    assert "Illustrati" in change.html  # the sample is labelled illustrative on the map
    scores = render_wave_change(
        WaveChangeRequest("perception_opportunity", "2017-BE", "2018-BE", source="upload"),
        by_wave,
        gdf_units=units,
    )
    assert scores.both == 27
    assert scores.classification.kind == "sequential"
    # one file with a wave column gives the same waves
    stacked = pd.concat(
        [r.data.assign(wave=w) for w, r in load_sample_waves(settings, gdf_communes=ref).items()]
    )
    again = indicators_by_wave(stacked, ref)
    pd.testing.assert_frame_equal(again["2018-BE"], by_wave["2018-BE"])
