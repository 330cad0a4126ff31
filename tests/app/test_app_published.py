"""The published-figures page driven by AppTest: every wave and breakdown in four languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geobaro.i18n import t
from geobaro.published import load_published
from geobaro.views.published import list_published_choices, wave_label
from geobaro.vocabulary import LANGS

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
pytestmark = pytest.mark.slow

#: One figure per wave and breakdown: every map the page can draw, by kind.
CASES = sorted(
    {
        (wave, level): indicator
        for wave, indicators in list_published_choices(load_published()).items()
        for indicator, levels in sorted(indicators.items(), reverse=True)
        for level in levels
    }.items()
)


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error]


def legend(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get_by_key("published_legend").get("html"))


def infos(at: AppTest) -> str:
    return " ".join(i.value for i in at.info)


def test_every_wave_and_breakdown_has_a_case() -> None:
    assert {w for (w, _), _ in CASES} == {
        "2017-BE", "2018-BE", "2018-WAL", "2019-WAL", "2020-WAL", "2021-WAL"
    }  # fmt: skip
    assert (("2018-BE", "province"), "progress_score_mean") in CASES


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("case", "indicator"), CASES, ids=lambda c: "-".join(c) if isinstance(c, tuple) else c
)
def test_each_wave_and_breakdown_opens_from_its_link(case, indicator, lang) -> None:
    wave, level = case
    at = open_app(view="published", wave=wave, indicator=indicator, level=level, lang=lang)
    no_exception(at)
    assert at.title[0].value == t("published.page.title", lang)
    assert at.selectbox(key="wave").value == wave
    assert at.selectbox(key="indicator").value == indicator
    assert at.radio(key="level").value == level
    assert not infos(at)  # a valid link: nothing adjusted
    assert (at.query_params["wave"], at.query_params["indicator"]) == (wave, indicator)
    assert at.query_params["level"] == level
    table = at.get_by_key("published_table_box").dataframe[0].value
    assert len(table) == (3 if level == "region" else 11)
    shown = table[table["text"] != ""]
    assert shown["source_url"].str.len().gt(0).all() or shown["locator"].str.len().gt(0).all()
    text = legend(at)
    assert wave_label(wave, lang) in text
    if wave.endswith("WAL"):
        assert t("published.status.not_reached", lang) in text
    if level == "province":
        assert t("published.status.no_data", lang) in text
    assert t("maps.status.no_data", lang) not in text
    assert at.get_by_key("published_trends")  # the trend charts of a recurring figure


def test_the_2018_province_map_and_its_sources() -> None:
    at = open_app(
        view="published", wave="2018-BE", indicator="progress_score_mean", level="province"
    )
    no_exception(at)
    table = at.get_by_key("published_table_box").dataframe[0].value.set_index("place")
    assert table.loc["Hainaut", "text"] == "4.80/10"
    assert table.loc["Liège", "text"] == "2.68/10"
    assert (table["status"] == "not published").sum() == 6
    sources = " ".join(c.value for c in at.get_by_key("published_sources").caption)
    assert "https://regional-it.be/?p=29325" in sources
    assert "paragraph on provinces" in sources
    others = at.get_by_key("published_others").dataframe[0].value
    assert others["text"].tolist() == ["3.64/10"]  # Belgium beside the map


def test_a_link_with_values_the_waves_do_not_give_is_adjusted_with_a_note() -> None:
    at = open_app(
        view="published", wave="2021-WAL", indicator="progress_score_mean", level="province"
    )
    no_exception(at)
    assert at.radio(key="level").value == "region"
    assert t("published.page.adjusted", "en") in infos(at)
    at = open_app(view="published", wave="1999-XX", indicator="nothing", lang="de")
    no_exception(at)
    assert at.selectbox(key="wave").value == "2018-BE"
    assert at.selectbox(key="indicator").value == "progress_score_mean"


def test_conflicting_counts_and_the_change_map_are_shown() -> None:
    at = open_app(view="published", wave="2017-BE", indicator="feels_concerned", level="region")
    no_exception(at)
    warning = " ".join(w.value for w in at.get_by_key("published_conflicts").warning)
    assert "113" in warning
    assert "119" in warning
    at.selectbox(key="trend_series").set_value("obstacle_expertise").run()
    no_exception(at)
    change = " ".join(h.proto.body for h in at.get_by_key("change_legend").get("html"))
    assert "+11 pts (within noise)" in change


def test_leaving_for_explore_replaces_the_figure_without_a_note() -> None:
    at = open_app(view="published", wave="2018-BE", indicator="progress_score_mean")
    no_exception(at)
    at.query_params["view"] = "explore"
    at.run()
    no_exception(at)
    assert at.selectbox(key="indicator").value == "feels_concerned"
    with pytest.raises(KeyError):
        at.get_by_key("link_note")


def test_the_commune_profile_shows_the_answers_of_both_sample_waves() -> None:
    at = open_app(view="commune", commune="62063", lang="fr")
    no_exception(at)
    box = at.get_by_key("commune_waves")
    assert box.subheader[0].value == t("published.profile.waves", "fr")
    assert "illustratives" in box.caption[0].value
    table = box.dataframe[0].value
    assert list(table.columns) == ["label", "2017-BE", "2018-BE"]
    statuses = table.iloc[0][["2017-BE", "2018-BE"]].tolist()
    assert set(statuses) <= {"a répondu", "a refusé", "non atteinte"}
    assert len(table) > 10


def test_explore_maps_the_change_of_the_communes_that_answered_both_sample_waves() -> None:
    at = open_app(view="explore", indicator="feels_concerned", level="commune", lang="de")
    no_exception(at)
    assert not at.get_by_key("wave_change").caption  # nothing drawn until asked for
    at.toggle(key="show_wave_change").set_value(True).run()
    no_exception(at)
    box = at.get_by_key("wave_change")
    captions = " ".join(c.value for c in box.caption)
    assert "27 Gemeinden antworteten in beiden Wellen" in captions
    assert "illustrativ" in captions
    assert at.selectbox(key="wave_from").value == "2017-BE"
    assert at.selectbox(key="wave_to").value == "2018-BE"
    legend = " ".join(h.proto.body for h in box.get("html"))
    assert "jetzt ja" in legend or "jetzt nein" in legend
    at.selectbox(key="indicator").set_value("concern").run()
    no_exception(at)
    with pytest.raises(KeyError):
        at.get_by_key("wave_change")  # answer categories: map each wave instead


def test_the_overview_leads_with_what_changed_across_waves() -> None:
    at = open_app(lang="nl")
    no_exception(at)
    box = at.get_by_key("home_headlines")
    assert box.subheader[0].value == t("published.page.headlines", "nl")
    lines = [m.value for m in box.markdown]
    assert len(lines) == 6
    assert "groter dan de ruis" in lines[0]  # the change the counts can judge comes first
    assert all("(http" in line for line in lines)  # every headline links its sources
    at.get_by_key("home_headlines").button[0].click().run()
    no_exception(at)
    assert at.title[0].value == t("published.page.title", "nl")
