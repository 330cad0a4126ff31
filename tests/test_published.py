"""Tests of the published barometer figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geobaro.errors import GeobaroError
from geobaro.published import (
    CROSSWALK_COLUMNS,
    KEY_FIGURES,
    PUBLISHED_COLUMNS,
    SURVEY_FACTS,
    find_conflicts,
    key_figures,
    list_changes,
    list_waves,
    load_crosswalk,
    load_published,
    locate_figures,
    published_path,
    trend_points,
    wave_population,
    wave_respondents,
    weighted_concern,
    wilson_interval,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "published"

EXPECTED = {
    "concerned_belgium": 66,
    "concerned_flanders": 84,
    "concerned_wallonia": 45,
    "concerned_brussels": 88,
    "concerned_rural": 34,
    "concerned_urban": 77,
    "dedicated_plan": 13,
    "strategy_in_global_plan": 14,
    "project_officers_belgium": 17,
    "project_officers_wallonia": 9,
    "project_officers_flanders": 6,
    "project_officers_brussels": 2,
    "communes_responded": 113,
    "communes_surveyed": 589,
}


def test_load_published_keeps_the_source_columns(settings) -> None:
    figures = load_published(settings)
    assert tuple(figures.columns) == PUBLISHED_COLUMNS
    assert len(figures) > 100
    assert figures["value"].dtype == float
    assert str(figures["base_n"].dtype) == "Int64"
    assert figures["locator"].str.len().gt(0).all()
    urls = figures.loc[figures["source_url"] != "", "source_url"]
    assert urls.str.match(r"https?://").all()


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared published figures not present")
def test_copy_matches_the_shared_collection(settings) -> None:
    ours = pd.read_csv(published_path(settings), dtype=str, keep_default_na=False)
    theirs = pd.read_csv(SHARED / "barometer_figures.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(ours, theirs)


def test_key_figures(settings) -> None:
    kf = key_figures(settings)
    assert kf["key"].tolist() == [spec.key for spec in KEY_FIGURES]
    assert kf.set_index("key")["value"].to_dict() == {k: float(v) for k, v in EXPECTED.items()}
    assert set(kf["unit"]) == {"percent", "count"}
    assert kf["locator"].str.len().gt(0).all()
    assert kf[["label_fr", "label_nl", "label_en"]].map(len).gt(0).all().all()
    concerned = kf[kf["indicator_id"] == "feels_concerned"]
    assert concerned["group_code"].tolist() == ["BE", "02000", "03000", "04000", "rural", "urban"]
    assert kf.set_index("key").loc["concerned_belgium", "source_url"].startswith("https://")


def test_regional_shares_are_consistent_with_the_headline() -> None:
    assert weighted_concern() == pytest.approx(66.78, abs=0.01)
    assert abs(weighted_concern() - 66) < 1
    # read the other way round (share NOT concerned), the headline would not match
    inverted = weighted_concern({"Flanders": 16.0, "Wallonia": 55.0, "Brussels": 12.0})
    assert abs(inverted - 66) > 30


def test_missing_file_raises(settings, tmp_path) -> None:
    empty = settings.with_(data_dir=tmp_path)
    with pytest.raises(GeobaroError, match="cannot be read"):
        load_published(empty)
    folder = tmp_path / "survey" / "published"
    folder.mkdir(parents=True)
    (folder / "barometer_figures.csv").write_text("wave,value\n2017-BE,1\n")
    with pytest.raises(GeobaroError, match="lack columns"):
        load_published(empty)
    header = ",".join(PUBLISHED_COLUMNS)
    (folder / "barometer_figures.csv").write_text(header + "\n2017-BE,x,all,Belgium,1,count,,,l,\n")
    with pytest.raises(GeobaroError, match="missing"):
        key_figures(empty)


# --- waves, crosswalk and trends ---------------------------------------------------------------


def test_every_figure_of_a_region_or_province_has_a_unit(settings) -> None:
    located = locate_figures(load_published(settings))
    provinces = located[located["breakdown"] == "province"]
    assert dict(zip(provinces["group"], provinces["nis_code"], strict=True)) == {
        "Liege": "60000",
        "Vlaams-Brabant": "20001",
        "Hainaut": "50000",
        "Antwerpen": "10000",
        "Brabant wallon": "20002",
    }
    assert (located.loc[located["level"] != "", "nis_code"] != "").all()
    belgian = located[(located["group"] == "Belgium") | (located["breakdown"] == "rurality")]
    assert (belgian["level"] == "").all()
    walloon = located[(located["wave"].str.endswith("WAL")) & (located["group"] == "Wallonia")]
    facts = walloon["indicator"].isin(SURVEY_FACTS)
    assert set(walloon.loc[~facts, "nis_code"]) == {"03000"}
    assert set(walloon.loc[facts, "level"]) == {""}  # who answered is not a map


def test_unknown_place_and_wave_are_errors(settings) -> None:
    figures = load_published(settings)
    odd = figures.head(1).assign(breakdown="province", group="Atlantis")
    with pytest.raises(GeobaroError, match="Atlantis"):
        locate_figures(odd)
    with pytest.raises(GeobaroError, match="1999-BE"):
        list_waves(figures.head(1).assign(wave="1999-BE"))


def test_conflicting_sources_are_kept_side_by_side(settings) -> None:
    figures = load_published(settings)
    conflicts = find_conflicts(figures)
    responded = conflicts[conflicts["indicator"] == "communes_responded"]
    assert responded["value"].tolist() == [113.0, 119.0]
    assert responded["source_url"].str.contains("regional-it|belfius").all()
    assert wave_respondents(figures, "2018-BE")["value"].tolist() == [123.0]
    assert wave_population(figures, "2018-WAL") == 262


def test_crosswalk_rows_are_all_published_figures(settings) -> None:
    figures = load_published(settings)
    crosswalk = load_crosswalk(settings)
    assert tuple(crosswalk.columns) == CROSSWALK_COLUMNS
    keys = set(zip(figures["wave"], figures["indicator"], strict=True))
    assert all(k in keys for k in zip(crosswalk["wave"], crosswalk["indicator"], strict=True))
    assert crosswalk["wording"].str.len().gt(10).all()
    # every series recurs: at least two waves
    assert crosswalk.groupby("series")["wave"].nunique().min() >= 2


def test_trend_points_are_rows_of_the_published_file(settings) -> None:
    figures = load_published(settings)
    points = trend_points(figures, load_crosswalk(settings))
    merged = points.merge(figures, on=["wave", "indicator", "group", "value", "source_url"])
    assert len(merged) == len(points)
    progress = points[(points["series"] == "progress_score") & (points["group"] == "Wallonia")]
    assert progress["value"].tolist() == [3.67, 3.72, 3.0, 4.31]
    assert progress["low"].isna().all()  # a mean score without its spread: no interval
    respondents = points[(points["series"] == "respondents") & (points["wave"] == "2017-BE")]
    assert respondents["value"].tolist() == [113.0, 119.0]
    assert respondents["conflict"].all()
    shares = points.dropna(subset=["low"])
    assert ((shares["low"] <= shares["value"]) & (shares["value"] <= shares["high"])).all()
    assert set(shares["group"]) <= {"Belgium", "Wallonia"}


def test_changes_say_what_the_respondent_counts_carry(settings) -> None:
    changes = list_changes(trend_points(load_published(settings), load_crosswalk(settings)))
    verdict = changes.set_index(["series", "group", "wave_from"])["verdict"]
    assert verdict[("strategy_in_global", "Belgium", "2017-BE")] == "beyond_noise"
    assert verdict[("obstacle_budget", "Wallonia", "2018-WAL")] == "within_noise"
    assert verdict[("obstacle_expertise", "Wallonia", "2018-WAL")] == "within_noise"
    assert verdict[("progress_score", "Wallonia", "2020-WAL")] == "not_assessable"
    assert verdict[("formalised_strategy", "Wallonia", "2020-WAL")] == "not_assessable"
    respondents = changes[(changes["series"] == "respondents") & (changes["group"] == "Belgium")]
    assert respondents["change"].tolist() == [10.0, 4.0]
    assert respondents["conflict"].all()
    assert (respondents["verdict"] == "exact").all()
    assert changes["source_from"].notna().all()


def test_crosswalk_errors_name_the_rows(settings, tmp_path) -> None:
    folder = tmp_path / "survey" / "published"
    folder.mkdir(parents=True)
    bad = settings.with_(data_dir=tmp_path)
    header = ",".join(CROSSWALK_COLUMNS)
    (folder / "crosswalk.csv").write_text(
        header + "\ns,2017-BE,x,similar,respondents,w\ns,2017-BE,y,same,all,w\n"
    )
    with pytest.raises(GeobaroError, match=r"row 2: match 'similar'.*row 3: base 'all'"):
        load_crosswalk(bad)
    with pytest.raises(GeobaroError, match="cannot be read"):
        load_crosswalk(settings.with_(data_dir=tmp_path / "none"))
    figures = load_published(settings)
    ghost = load_crosswalk(settings).head(1).assign(indicator="ghost")
    with pytest.raises(GeobaroError, match="ghost"):
        trend_points(figures, ghost)


def test_wilson_interval_with_finite_population() -> None:
    low, high = wilson_interval(0.35, 123)
    fpc_low, fpc_high = wilson_interval(0.35, 123, population=589)
    assert low < fpc_low < 0.35 < fpc_high < high
    assert wilson_interval(0.4, 262, population=262) == (0.4, 0.4)
    with pytest.raises(ValueError, match="smaller than n"):
        wilson_interval(0.4, 300, population=262)
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0.4, 0)


@given(
    share=st.floats(0, 1),
    n=st.integers(1, 300),
    extra=st.integers(0, 300),
)
def test_wilson_interval_properties(share: float, n: int, extra: int) -> None:
    low, high = wilson_interval(share, n, population=n + extra)
    assert 0 <= low <= share + 1e-12
    assert share - 1e-12 <= high <= 1
    plain_low, plain_high = wilson_interval(share, n)
    assert plain_low <= low + 1e-12
    assert high <= plain_high + 1e-12
