"""Tests of the published barometer figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geobaro.errors import GeobaroError
from geobaro.published import (
    KEY_FIGURES,
    PUBLISHED_COLUMNS,
    key_figures,
    load_published,
    published_path,
    weighted_concern,
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
