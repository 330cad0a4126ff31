"""Tests of the illustrative sample: calibration to the published 2017 figures, shipped file."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from geobaro.aggregate import aggregate_by
from geobaro.indicators import compute_indicators
from geobaro.published import key_figures, load_published
from geobaro.survey.read import load_survey
from geobaro.survey.sample import (
    CONCERN_STRATA_2018,
    N_RESPONDENTS_2018,
    PROJECT_OFFICERS_2018,
    SAMPLE_2018_COLUMNS,
    SAMPLE_2018_FILENAME,
    SAMPLE_COLUMNS,
    STRATEGY_COUNTS_2018,
    generate_sample,
    generate_sample_2018,
    load_sample,
    load_sample_waves,
    main,
    sample_csv_text,
    sample_path,
    write_sample,
)

LEVEL_OF_GROUP = {"BE": "belgium", "02000": "region", "03000": "region", "04000": "region"}
LEVEL_OF_GROUP |= {"rural": "urban_rural", "urban": "urban_rural"}


def _percent(share: float) -> int:
    """Round to whole percent, halves up, as reports do."""
    return math.floor(share * 100 + 0.5)


def _indicators(sample: pd.DataFrame, gdf) -> pd.DataFrame:
    text = sample_csv_text(sample, seed=0).encode()
    result = load_survey(text, gdf_communes=gdf)
    assert result.report.ok
    return compute_indicators(result, gdf)


def _check_margins(ind: pd.DataFrame, gdf, settings_) -> None:
    for fig in key_figures(settings_).itertuples():
        group = fig.group_code
        if not fig.indicator_id:
            agg = aggregate_by(ind, gdf, level="belgium", indicator="feels_concerned")
            column = "respondents" if fig.key == "communes_responded" else "n_communes"
            assert agg[column].iloc[0] == fig.value, fig.key
            continue
        agg = aggregate_by(ind, gdf, level=LEVEL_OF_GROUP[group], indicator=fig.indicator_id)
        row = agg.set_index("group").loc[group]
        if fig.unit == "percent":
            assert _percent(row["share"]) == fig.value, fig.key
        else:
            assert row["successes"] == fig.value, fig.key
    published = load_published(settings_)
    wave = published[published["wave"] == "2017-BE"].set_index("indicator")
    be = {
        i: aggregate_by(ind, gdf, level="belgium", indicator=i).iloc[0]
        for i in (
            "intends_dedicated_plan",
            "perception_technological",
            "perception_opportunity",
            "perception_future",
            "domain_environment",
            "domain_governance",
            "domain_living",
            "domain_mobility",
        )
    }
    assert (
        _percent(be["intends_dedicated_plan"]["share"])
        == (wave.loc["intends_dedicated_strategy_plan", "value"])
    )
    perceptions = {
        "perception_technological": "perception_technological_challenge",
        "perception_opportunity": "perception_opportunity",
        "perception_future": "perception_future_of_cities",
    }
    by_mean = sorted(perceptions, key=lambda k: -be[k]["mean"])
    by_rank = sorted(perceptions, key=lambda k: wave.loc[perceptions[k], "value"])
    assert by_mean == by_rank
    domains = ["environment", "governance", "living", "mobility"]
    by_share = sorted(domains, key=lambda d: -be[f"domain_{d}"]["share"])
    by_rank = sorted(domains, key=lambda d: wave.loc[f"priority_domain_smart_{d}", "value"])
    assert by_share == by_rank


def test_shipped_sample_loads_without_rejections(settings, gdf_communes) -> None:
    result = load_sample(settings, gdf_communes=gdf_communes)
    assert result.report.rows_in == 589
    assert result.report.rows_used == 589
    assert result.report.rejected.empty
    assert result.is_illustrative
    assert any("ILLUSTRATIVE" in w for w in result.report.warnings)
    assert (result.data["response_status"] == "answered").sum() == 113


def test_shipped_sample_says_it_is_illustrative(settings) -> None:
    text = sample_path(settings).read_text(encoding="utf-8")
    assert text.startswith("# ILLUSTRATIVE SAMPLE - NOT the real answers")
    raw = pd.read_csv(sample_path(settings), comment=None, skiprows=1, dtype=str)
    assert tuple(raw.columns) == SAMPLE_COLUMNS
    assert (raw["data_status"] == "illustrative").all()
    readme = (sample_path(settings).parent / "README.md").read_text(encoding="utf-8")
    assert "illustrative" in readme.lower()


def test_shipped_sample_is_reproducible(settings, gdf_communes) -> None:
    expected = sample_csv_text(generate_sample(2017, gdf_communes=gdf_communes), seed=2017)
    assert sample_path(settings).read_text(encoding="utf-8") == expected


def test_shipped_sample_reproduces_published_margins(settings, gdf_communes) -> None:
    ind = compute_indicators(load_sample(settings, gdf_communes=gdf_communes), gdf_communes)
    _check_margins(ind, gdf_communes, settings)


@hsettings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_any_seed_reproduces_published_margins(settings, gdf_communes, seed) -> None:
    sample = generate_sample(seed, gdf_communes=gdf_communes)
    _check_margins(_indicators(sample, gdf_communes), gdf_communes, settings)


def test_seeds(gdf_communes) -> None:
    a = generate_sample(5, gdf_communes=gdf_communes)
    pd.testing.assert_frame_equal(a, generate_sample(5, gdf_communes=gdf_communes))
    assert not a.equals(generate_sample(6, gdf_communes=gdf_communes))
    silent = a[a["response_status"] != "answered"]
    assert set(silent["response_status"]) == {"refused", "not_reached"}
    assert (
        silent.drop(columns=["nis_code", "commune", "data_status", "response_status"])
        .isna()
        .all()
        .all()
    )


def test_main_writes_the_file(tmp_path, capsys, gdf_communes) -> None:
    assert main(seed=3, out=str(tmp_path / "out")) == 0
    written = tmp_path / "out" / sample_path().name
    assert "ILLUSTRATIVE" in capsys.readouterr().out
    result = load_survey(written, gdf_communes=gdf_communes)
    assert result.is_illustrative
    assert result.report.ok
    assert "--seed 3" in written.read_text(encoding="utf-8").splitlines()[0]


def test_cli_sample(tmp_path, capsys) -> None:
    from geobaro.cli import main as cli_main

    assert cli_main(["sample", "--seed", "11", "--out", str(tmp_path)]) == 0
    assert (tmp_path / sample_path().name).is_file()
    assert "ILLUSTRATIVE" in capsys.readouterr().out


def test_calibration_constants_are_consistent() -> None:
    from geobaro.survey.sample import (
        CONCERN_STRATA,
        N_RESPONDENTS,
        PROJECT_OFFICERS,
        STRATEGY_COUNTS,
    )

    assert sum(n for n, _ in CONCERN_STRATA.values()) == N_RESPONDENTS
    assert sum(STRATEGY_COUNTS.values()) == N_RESPONDENTS
    assert sum(PROJECT_OFFICERS.values()) == 17
    with pytest.raises(KeyError):
        CONCERN_STRATA["Brussels", "rural"]


# --- the 2018 wave ---------------------------------------------------------------------------

#: Published 2018 figures the wave reproduces -> the indicator computed from the sample.
MARGINS_2018 = {
    "sc_objectives_in_global_strategy": "strategy_in_global_plan",
    "strategic_area_energy_optimisation": "domain_environment",
    "strategic_area_governance_citizen_participation": "domain_governance",
    "strategic_area_transport_mobility": "domain_mobility",
    "strategic_area_attractivity_economic_dev": "domain_economy",
}


def _check_margins_2018(ind: pd.DataFrame, gdf, settings_) -> None:
    published = load_published(settings_)
    wave = published[(published["wave"] == "2018-BE") & (published["breakdown"] == "all")]
    wave = wave.set_index("indicator")["value"]
    agg = aggregate_by(ind, gdf, level="belgium", indicator="feels_concerned").iloc[0]
    assert agg["respondents"] == wave["communes_responded"] == 123
    for figure, indicator in MARGINS_2018.items():
        row = aggregate_by(ind, gdf, level="belgium", indicator=indicator).iloc[0]
        assert _percent(row["share"]) == wave[figure], figure


def _indicators_2018(sample: pd.DataFrame, gdf) -> pd.DataFrame:
    text = sample_csv_text(sample, seed=1).encode()
    result = load_survey(text, gdf_communes=gdf)
    assert result.report.ok
    assert result.waves == ("2018-BE",)
    return compute_indicators(result.data.drop(columns="wave"), gdf)


def test_shipped_2018_wave_is_illustrative_and_reproducible(settings, gdf_communes) -> None:
    path = sample_path(settings, wave="2018")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ILLUSTRATIVE SAMPLE - NOT the real answers of the 2018")
    assert "--seed 2017` (2018 wave: seed 2018)" in text.splitlines()[0]
    assert text == sample_csv_text(generate_sample_2018(2018, gdf_communes=gdf_communes), seed=2018)
    raw = pd.read_csv(path, skiprows=1, dtype=str)
    assert tuple(raw.columns) == SAMPLE_2018_COLUMNS
    assert (raw["data_status"] == "illustrative").all()
    assert (raw["wave"] == "2018-BE").all()
    result = load_sample(settings, gdf_communes=gdf_communes, wave="2018")
    assert result.is_illustrative
    assert result.report.ok
    _check_margins_2018(
        compute_indicators(result.data.drop(columns="wave"), gdf_communes), gdf_communes, settings
    )
    readme = (path.parent / "README.md").read_text(encoding="utf-8")
    assert SAMPLE_2018_FILENAME in readme


@hsettings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_any_seed_of_the_2018_wave_reproduces_the_2018_margins(
    settings, gdf_communes, seed
) -> None:
    wave = generate_sample_2018(seed, gdf_communes=gdf_communes)
    _check_margins_2018(_indicators_2018(wave, gdf_communes), gdf_communes, settings)
    answered = wave[wave["response_status"] == "answered"]
    regions = gdf_communes.set_index("nis_code").loc[answered["nis_code"], "region"]
    assert regions.value_counts().to_dict() == {"Flanders": 64, "Wallonia": 55, "Brussels": 4}


def test_both_waves_load_and_some_communes_answer_both(settings, gdf_communes) -> None:
    waves = load_sample_waves(settings, gdf_communes=gdf_communes)
    assert list(waves) == ["2017-BE", "2018-BE"]
    answered = [
        set(r.data.loc[r.data["response_status"] == "answered", "nis_code"]) for r in waves.values()
    ]
    assert 0 < len(answered[0] & answered[1]) < 113
    with pytest.raises(ValueError, match="unknown sample wave"):
        write_sample(1, wave="2019")


def test_main_writes_both_waves(tmp_path, capsys, gdf_communes) -> None:
    assert main(seed=3, out=str(tmp_path)) == 0
    assert "seed 4" in capsys.readouterr().out
    first = (tmp_path / SAMPLE_2018_FILENAME).read_text(encoding="utf-8").splitlines()[0]
    assert "--seed 3` (2018 wave: seed 4)" in first


def test_2018_calibration_constants_are_consistent() -> None:
    assert sum(n for n, _ in CONCERN_STRATA_2018.values()) == N_RESPONDENTS_2018 == 123
    assert sum(STRATEGY_COUNTS_2018.values()) == N_RESPONDENTS_2018
    assert all(c <= n for n, c in CONCERN_STRATA_2018.values())
    # written strategies are drawn among the concerned communes
    concerned = sum(c for _, c in CONCERN_STRATA_2018.values())
    assert STRATEGY_COUNTS_2018["dedicated_plan"] + STRATEGY_COUNTS_2018["in_global_strategy"] <= (
        concerned
    )
    assert _percent(STRATEGY_COUNTS_2018["in_global_strategy"] / 123) == 35
    for region, count in PROJECT_OFFICERS_2018.items():
        assert count <= sum(n for (r, _), (n, _) in CONCERN_STRATA_2018.items() if r == region)
