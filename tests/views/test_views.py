"""geobaro.views: requests -> maps, legends, tables, summaries and profiles (no Streamlit)."""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

from geobaro import views
from geobaro.data.boundaries import load_units
from geobaro.export import files as export_files
from geobaro.indicators import compute_indicators
from geobaro.survey.sample import load_sample


@functools.cache
def _units(level: str, vintage: str) -> gpd.GeoDataFrame:
    """The web units of one level and vintage (read once per test session)."""
    return load_units(level=level, vintage=vintage, web=True)  # type: ignore[arg-type]


def _data(request: Any, indicators: pd.DataFrame, ref: pd.DataFrame) -> views.ViewData:
    """What a caller passes to a map view: the indicators, the communes, the request's units."""
    return views.ViewData(indicators, ref, gdf_units=_units(request.level, request.vintage))


def _landing_data() -> views.LandingData:
    """The published figures and the region units, as the app and the site load them."""
    from geobaro.published import key_figures, load_published

    return views.LandingData(key_figures(), load_published(), _units("region", "2018"))


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    """The 589 communes of 2018 as a plain reference table (no geometry)."""
    gdf = load_units(level="commune", web=True)
    return pd.DataFrame(gdf.drop(columns="geometry"))


@pytest.fixture(scope="module")
def indicators(ref: pd.DataFrame) -> pd.DataFrame:
    """Indicators of the shipped illustrative sample (113 respondents of 589)."""
    return compute_indicators(load_sample(gdf_communes=ref), ref)


@pytest.fixture(scope="module")
def tiny_indicators(ref: pd.DataFrame) -> pd.DataFrame:
    """Made-up indicators: 6 Brussels communes answered, two refused, the rest not reached."""
    codes = ref.loc[ref["region"] == "Brussels", "nis_code"].tolist()
    survey = pd.DataFrame(
        {
            "nis_code": codes[:8],
            "response_status": ["answered"] * 6 + ["refused"] * 2,
            "feels_concerned": ["yes", "yes", "no", "partly", "yes", "no", None, None],
        }
    )
    return compute_indicators(survey, ref)


@pytest.fixture(scope="module")
def groups(ref: pd.DataFrame, indicators: pd.DataFrame) -> dict:
    """Every indicator of the sample aggregated by province, region and Belgium."""
    return views.compute_profile_groups(indicators, ref)


# --- map_values ------------------------------------------------------------------------------


def test_commune_values_keep_every_commune_and_its_status(ref, tiny_indicators):
    values = views.map_values(tiny_indicators, ref, indicator="feels_concerned")
    assert len(values) == 589
    assert set(values.columns) >= {"nis_code", "value", "n", "status", "label"}
    counts = values["status"].value_counts().to_dict()
    assert counts == {"not_reached": 581, "ok": 6, "refused": 2}
    ok = values.loc[values["status"] == "ok"]
    # "partly" keeps its own category (issue 12: it was drawn as "no")
    assert sorted(ok["value"]) == ["no", "no", "partly", "yes", "yes", "yes"]
    # non-respondents are never shown as "no"
    assert values.loc[values["status"] != "ok", "value"].isna().all()


@pytest.mark.parametrize(
    ("level", "vintage", "units"),
    [
        ("commune", "2019", 581),
        ("commune", "2025", 565),
        ("arrondissement", "2018", 43),
        ("province", "2018", 11),
        ("region", "2018", 3),
        ("province", "2025", 11),
    ],
)
def test_grouped_values_cover_every_unit_of_the_level(ref, indicators, level, vintage, units):
    values = views.map_values(
        indicators, ref, indicator="feels_concerned", level=level, vintage=vintage
    )
    assert len(values) == units
    assert values["nis_code"].is_unique
    expected = set(load_units(level=level, vintage=vintage, web=True)["nis_code"])
    assert set(values["nis_code"]) == expected
    ok = values.loc[values["status"] == "ok", "value"]
    if level == "commune":  # communes keep their own answer at every vintage (issue 12)
        assert set(ok) <= {"yes", "partly", "no", "dont_know"}
    else:
        assert ok.astype(float).between(0, 1).all()


def test_small_groups_are_marked_too_small_and_carry_no_value(ref, tiny_indicators):
    values = views.map_values(
        tiny_indicators, ref, indicator="feels_concerned", level="region", min_respondents=7
    )
    brussels = values.set_index("nis_code").loc["04000"]
    assert brussels["status"] == "too_small"
    assert pd.isna(brussels["value"])
    shown = views.map_values(
        tiny_indicators, ref, indicator="feels_concerned", level="region", min_respondents=5
    ).set_index("nis_code")
    assert shown.at["04000", "status"] == "ok"
    assert shown.at["04000", "value"] == pytest.approx(3 / 6)
    assert shown.at["04000", "n"] == 6


def test_merged_commune_keeps_its_members_non_response_status(ref, indicators):
    values = views.map_values(indicators, ref, indicator="feels_concerned", vintage="2025")
    assert "no_data" not in set(values["status"]) or values["status"].eq("no_data").sum() < 5
    assert {"refused", "not_reached", "ok"} <= set(values["status"])


def test_category_values_at_region_level_are_the_most_frequent_answer(ref, tiny_indicators):
    values = views.map_values(
        tiny_indicators, ref, indicator="concern", level="region", min_respondents=5
    ).set_index("nis_code")
    assert values.at["04000", "value"] == "yes"
    assert "50%" in values.at["04000", "label"]


def test_unknown_indicator_names_the_known_ones(ref, indicators):
    with pytest.raises(ValueError, match="feels_concerned"):
        views.map_values(indicators, ref, indicator="nope")


# --- explore ---------------------------------------------------------------------------------


def test_explore_gives_a_map_a_legend_with_counts_and_a_table(ref, indicators):
    request = views.ExploreRequest("feels_concerned", level="province")
    result = views.render_explore(request, _data(request, indicators, ref))
    assert isinstance(result.map, folium.Map)
    assert len(result.table) == 11
    assert sum(e.count for e in result.classification.legend) == 11
    assert "illustrative" in result.title.lower()
    assert {"name", "value", "n", "status", "class"} <= set(result.table.columns)
    ok = result.table.loc[result.table["n"] >= 5, "value"]
    assert ok.between(0, 100).all()  # shares in percent, as in the legend


def test_changing_the_number_of_classes_changes_the_legend(ref, indicators):
    def legend(k: int) -> list[str]:
        request = views.ExploreRequest("n_domains", scheme="equal_interval", k=k)
        result = views.render_explore(request, _data(request, indicators, ref))
        return [e.label for e in result.classification.legend if e.kind == "class"]

    assert len(legend(3)) == 3
    assert len(legend(5)) == 5


def test_user_breaks_are_used(ref, indicators):
    request = views.ExploreRequest(
        "feels_concerned", level="province", scheme="user_defined", breaks=(0.5, 0.8)
    )
    result = views.render_explore(request, _data(request, indicators, ref))
    assert result.classification.bins is not None
    assert 0.5 in result.classification.bins


def test_commune_share_is_a_yes_no_map_and_the_table_has_589_rows(ref, indicators):
    request = views.ExploreRequest("feels_concerned")
    result = views.render_explore(request, _data(request, indicators, ref))
    assert len(result.table) == 589
    kinds = {e.kind for e in result.classification.legend}
    assert "status" in kinds  # not reached / refused have their own entries
    assert sum(e.count for e in result.classification.legend) == 589


# --- compare ---------------------------------------------------------------------------------


def test_compare_has_three_panels_with_their_region_summary(ref, indicators):
    request = views.CompareRequest("feels_concerned", level="commune")
    result = views.render_compare(request, _data(request, indicators, ref))
    assert [p.region for p in result.panels] == ["Wallonia", "Flanders", "Brussels"]
    sizes = {p.region: len(p.values) for p in result.panels}
    assert sizes == {"Wallonia": 262, "Flanders": 308, "Brussels": 19}
    for panel in result.panels:
        s = panel.summary
        assert s.n_communes == sizes[panel.region]
        assert 0 <= s.respondents <= s.n_communes
        if s.share is not None:
            assert s.ci_low <= s.share <= s.ci_high
    assert {s.group for s in result.urban_rural} == {"urban", "rural"}
    total = sum(p.summary.respondents for p in result.panels)
    assert total == sum(s.respondents for s in result.urban_rural)


def test_shared_scale_uses_the_same_bins_in_every_panel(ref, indicators):
    request = views.CompareRequest("n_domains", level="commune", scale="shared", k=4)
    shared = views.render_compare(request, _data(request, indicators, ref))
    bins = {p.classification.bins for p in shared.panels}
    assert len(bins) == 1
    assert shared.shared is not None
    request = views.CompareRequest("n_domains", level="commune", scale="panel", k=4)
    per_panel = views.render_compare(request, _data(request, indicators, ref))
    assert per_panel.shared is None
    assert len({p.classification.bins for p in per_panel.panels}) > 1


def test_group_summary_describes_too_small_groups_without_a_share():
    s = views.GroupSummary("04000", "Brussels", 19, 3, 3 / 19, None, None, None, True)
    assert "too few answers" in s.describe("en")
    assert "%" not in s.describe("en").split("·")[1]


# --- commune profile and search --------------------------------------------------------------


def test_commune_profile_sets_its_answer_beside_province_region_belgium(ref, indicators, groups):
    answered = indicators.loc[indicators["response_status"] == "answered", "nis_code"].iloc[0]
    profile = views.render_commune(
        views.CommuneRequest(answered), views.ViewData(indicators, ref, groups=groups)
    )
    assert profile.response_status == "answered"
    assert list(profile.table.columns) == [
        "indicator",
        "label",
        "commune",
        "province",
        "region",
        "belgium",
    ]
    row = profile.table.set_index("indicator").loc["feels_concerned"]
    assert row["commune"] in {"yes", "no"}
    assert row["belgium"].startswith("66%")  # the sample reproduces the published 66%


def test_profile_of_a_non_respondent_says_so(ref, indicators, groups):
    code = indicators.loc[indicators["response_status"] == "not_reached", "nis_code"].iloc[0]
    profile = views.render_commune(
        views.CommuneRequest(code, lang="fr"), views.ViewData(indicators, ref, groups=groups)
    )
    assert set(profile.table["commune"]) == {"non atteinte"}
    assert profile.table["belgium"].str.contains("n = 113").any()


@pytest.mark.slow
def test_profile_without_precomputed_groups_gives_the_same_table(ref, indicators, groups):
    request = views.CommuneRequest("21004")
    fresh = views.render_commune(request, views.ViewData(indicators, ref))
    cached = views.render_commune(request, views.ViewData(indicators, ref, groups=groups))
    pd.testing.assert_frame_equal(fresh.table, cached.table)


def test_profile_rejects_unknown_codes(ref, indicators):
    with pytest.raises(ValueError, match="99999"):
        views.render_commune(views.CommuneRequest("99999"), views.ViewData(indicators, ref))


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Luik", "62063"),
        ("LIEGE", "62063"),
        ("Lüttich", "62063"),
        ("saint josse", "21014"),
        ("Sint-Joost-ten-Node", "21014"),
    ],
)
def test_search_finds_a_commune_by_any_of_its_names(ref, query, code):
    found = views.search_communes(query, ref)
    assert code in found["nis_code"].tolist()[:3]


def test_saint_nicolas_gives_both_communes(ref):
    found = views.search_communes("Saint-Nicolas", ref, lang="fr")
    assert {"46021", "62093"} <= set(found["nis_code"])


# --- landing ---------------------------------------------------------------------------------


def test_landing_maps_the_published_regional_concern_figures():
    landing = views.render_landing(views.LandingRequest("en"), _landing_data())
    by_code = landing.values.set_index("nis_code")["value"].to_dict()
    assert by_code == pytest.approx({"02000": 0.84, "03000": 0.45, "04000": 0.88})
    assert {"66", "113"} <= {f"{v:.0f}" for v in landing.figures["value"]}
    assert landing.figures["source_url"].notna().any()


# --- exports ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_exports_of_the_commune_map(ref, indicators):
    import io
    import json

    from PIL import Image

    request = views.ExploreRequest("feels_concerned", standalone=False)
    data = _data(request, indicators, ref)
    view = views.render_explore(request, data)
    files = {f.kind: f for f in views.list_exports(view, data, exporters=export_files)}
    assert set(files) == {"html", "png", "csv", "geojson"}
    page = files["html"].build().decode("utf-8")
    assert "/app/static/" not in page  # standalone: Leaflet inlined
    assert "L.map" in page or "L.Map" in page
    image = Image.open(io.BytesIO(files["png"].build()))
    assert image.format == "PNG"
    assert image.size == (1600, 1200)
    geojson = json.loads(files["geojson"].build())
    assert len(geojson["features"]) == 589
    rows = files["csv"].build().decode("utf-8-sig").splitlines()
    assert len(rows) == 590


@pytest.mark.parametrize("indicator", ["feels_concerned", "concern", "n_domains"])
@pytest.mark.parametrize("level", ["commune", "province"])
def test_views_hold_with_no_answer_at_all(ref, indicator, level):
    survey = pd.DataFrame(
        {"nis_code": ["11001", "11002"], "response_status": ["refused", "not_reached"]}
    )
    nobody = compute_indicators(survey, ref)
    request = views.ExploreRequest(indicator, level=level)
    explore = views.render_explore(request, _data(request, nobody, ref))
    assert (explore.table["n"] == 0).all()
    compare_request = views.CompareRequest(indicator, level=level)
    compare = views.render_compare(compare_request, _data(compare_request, nobody, ref))
    assert all(p.summary.respondents == 0 for p in compare.panels)
    assert all(p.summary.share is None for p in compare.panels)


STATUSES = ["answered", "refused", "not_reached"]
ANSWERS = ["yes", "partly", "no", "dont_know", None]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=hst.data())
def test_map_values_invariants_on_random_surveys(ref, data):
    codes = data.draw(
        hst.lists(hst.sampled_from(ref["nis_code"].tolist()), min_size=1, max_size=60, unique=True)
    )
    statuses = data.draw(
        hst.lists(hst.sampled_from(STATUSES), min_size=len(codes), max_size=len(codes))
    )
    answers = data.draw(
        hst.lists(hst.sampled_from(ANSWERS), min_size=len(codes), max_size=len(codes))
    )
    pairs = list(zip(statuses, answers, strict=True))
    survey = pd.DataFrame(
        {
            "nis_code": codes,
            "response_status": statuses,
            "feels_concerned": [a if s == "answered" else None for s, a in pairs],
        }
    )
    ind = compute_indicators(survey, ref)
    answered = sum(s == "answered" and a is not None for s, a in pairs)
    for level in ("commune", "region"):
        values = views.map_values(ind, ref, indicator="feels_concerned", level=level)
        assert set(values["status"]) <= {"ok", "not_reached", "refused", "too_small", "no_data"}
        assert int(values["n"].sum()) == answered  # every answer counted once, at every level
        shown = values.loc[values["status"] == "ok"]
        if level == "region":
            assert shown["value"].astype(float).between(0, 1).all()
            assert (shown["n"] >= 5).all()  # small groups never show a share


# --- pure views ------------------------------------------------------------------------------


def test_value_rows_without_a_unit_are_dropped_with_a_warning(ref, indicators):
    request = views.ExploreRequest("feels_concerned", level="province")
    units = _units("province", "2018")
    data = views.ViewData(indicators, ref, gdf_units=units.loc[units["nis_code"] != "50000"])
    with pytest.warns(UserWarning, match=r"1 value rows have no unit .*: 50000"):
        result = views.render_explore(request, data)
    assert "50000" not in set(result.table["nis_code"])
    assert len(result.table) == 10


def test_map_views_say_which_units_they_need(ref, indicators):
    with pytest.raises(ValueError, match=r"gdf_units.*level='province', vintage='2019'"):
        views.render_explore(
            views.ExploreRequest("feels_concerned", level="province", vintage="2019"),
            views.ViewData(indicators, ref),
        )


def test_views_read_no_file_and_return_rendered_html(ref, indicators, groups, monkeypatch):
    import builtins
    import socket

    landing_data = _landing_data()
    explore_data = _data(views.ExploreRequest("concern"), indicators, ref)
    province_data = _data(views.CompareRequest("concern", level="province"), indicators, ref)
    # libraries may read their own package data (catalogues, Babel's locales, colour schemes)
    import sysconfig
    from pathlib import Path

    import geobaro

    allowed = (sysconfig.get_paths()["purelib"], str(Path(geobaro.__file__).parent))
    real_open = builtins.open

    def guarded_open(file: object, *args: Any, **kwargs: Any) -> Any:
        if not str(file).startswith(allowed):
            raise AssertionError(f"a view tried to read {file}")
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a view tried to connect")

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(socket, "socket", refuse)
    # the loaders themselves (boundaries and parquet files are read by C code, not open())
    import geobaro.data.boundaries
    import geobaro.published

    for module, name in (
        (geobaro.data.boundaries, "load_units"),
        (geobaro.data.boundaries, "load_communes"),
        (geobaro.published, "load_published"),
        (geobaro.published, "key_figures"),
    ):
        monkeypatch.setattr(module, name, refuse)
    explore = views.render_explore(views.ExploreRequest("concern", lang="nl"), explore_data)
    compare = views.render_compare(
        views.CompareRequest("concern", level="province", lang="de"), province_data
    )
    landing = views.render_landing(views.LandingRequest("fr"), landing_data)
    profile = views.render_commune(
        views.CommuneRequest("62063", lang="fr"), views.ViewData(indicators, ref, groups=groups)
    )
    for html in (explore.html, landing.html, *(p.html for p in compare.panels)):
        assert html.startswith("<!DOCTYPE html>")
        assert "L.map(" in html
    assert profile.name == "Liège"


# --- own answers at every vintage (issue 12) -------------------------------------------------


@pytest.fixture(scope="module")
def mons_partly(ref: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """An upload: Mons answered "partly"; the members of one unit merged in 2019 answered."""
    merged = ref.loc[ref["nis_2019"] != ref["nis_code"], "nis_2019"].iloc[0]
    members = ref.loc[ref["nis_2019"] == merged, "nis_code"].tolist()
    answers = (["yes", "partly", "yes", "no"] * 3)[: len(members)]
    survey = pd.DataFrame(
        {
            "nis_code": ["53053", *members],
            "response_status": ["answered"] * (1 + len(members)),
            "feels_concerned": ["partly", *answers],
        }
    )
    return compute_indicators(survey, ref), [merged, *members]


@pytest.mark.parametrize("vintage", ["2018", "2019", "2025"])
def test_partly_keeps_its_own_category_at_every_vintage(ref, mons_partly, vintage):
    ind, _ = mons_partly
    mons = ref.set_index("nis_code").at["53053", f"nis_{vintage}"] if vintage != "2018" else "53053"
    for lang, word in (("en", "partly"), ("fr", "en partie")):
        values = views.map_values(ind, ref, indicator="feels_concerned", vintage=vintage, lang=lang)
        row = values.set_index("nis_code").loc[mons]
        assert row["value"] == "partly"
        assert row["label"] == word  # a commune that is its own unit: its answer, no "0%"
    request = views.ExploreRequest("feels_concerned", vintage=vintage)
    result = views.render_explore(request, _data(request, ind, ref))
    assert result.classification.kind == "categorical"
    assert result.table.set_index("nis_code").at[mons, "value"] == "partly"
    assert "partly" in result.classification.counts()


def test_a_merged_unit_shows_its_most_frequent_answer_and_its_share(ref, mons_partly):
    ind, (merged, *members) = mons_partly
    values = views.map_values(ind, ref, indicator="feels_concerned", vintage="2019")
    row = values.set_index("nis_code").loc[merged]
    answers = pd.Series((["yes", "partly", "yes", "no"] * 3)[: len(members)])
    top = answers.value_counts().index[0]
    assert row["value"] == top
    assert row["n"] == len(members) == row["n_communes"]
    share = answers.value_counts().iloc[0] / len(members)
    assert row["label"] == f"{top} ({share:.0%}, n = {len(members)})"


def test_a_yes_no_share_reads_yes_or_no_in_2019_not_a_percentage(ref, mons_partly):
    ind, _ = mons_partly
    values = views.map_values(ind, ref, indicator="any_strategy", vintage="2019")
    assert set(values.loc[values["status"] == "ok", "value"]) <= {"yes", "no"}
    assert not values["label"].str.contains("%").any() or (values["n"] > 1).any()


def test_profile_of_a_partly_commune_says_partly(ref, mons_partly):
    ind, _ = mons_partly
    profile = views.render_commune(views.CommuneRequest("53053"), views.ViewData(ind, ref))
    assert profile.table.set_index("indicator").at["feels_concerned", "commune"] == "partly"


# --- headlines, landing labels, tables (issue 12) --------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "pattern"),
    [
        ("feels_concerned", r"^\d+\u00a0%$"),
        ("perception_future", r"^\d,\d$"),
        ("n_domains", r"^\d,\d$"),
        ("concern", r"^(oui|en partie|non|ne sait pas) \d+\u00a0%$"),
    ],
)
def test_urban_rural_headline_for_every_kind(ref, indicators, indicator, pattern):
    summaries = views.summarize_groups(
        indicators, ref, indicator=indicator, by="urban_rural", lang="fr"
    )
    assert [s.group for s in summaries] == ["rural", "urban"]
    for s in summaries:
        assert re.match(pattern, s.headline), s.headline


def test_too_small_groups_have_a_headline_that_says_so(ref, tiny_indicators):
    (brussels,) = (
        s
        for s in views.summarize_groups(
            tiny_indicators, ref, indicator="concern", by="region", min_respondents=7
        )
        if s.group == "04000"
    )
    assert brussels.headline == "too few answers"


@pytest.mark.parametrize("lang", ["fr", "nl", "de", "en"])
def test_landing_labels_each_region_with_its_value_and_source(lang):
    landing = views.render_landing(views.LandingRequest(lang), _landing_data())
    entries = [e for e in landing.classification.legend if e.kind == "category"]
    assert len(entries) == 3
    assert len({e.color for e in entries}) == 3  # 84% and 88% never share a colour
    for entry, value in zip(entries, ("88", "84", "45"), strict=True):
        assert value in entry.label
        assert "digitalwallonia.be" in entry.label
    assert landing.html.count("gb-value-label") == 3  # each value written on its region


def test_landing_tells_the_project_officer_figures_apart():
    landing = views.render_landing(views.LandingRequest("de"), _landing_data())
    officers = landing.figures.loc[landing.figures["indicator"] == "has_project_officer_count"]
    pairs = set(zip(officers["group_label"], officers["value_text"], strict=True))
    assert pairs == {("Belgien", "17"), ("Wallonien", "9"), ("Flandern", "6"), ("Brüssel", "2")}
    assert set(officers["label"]) == {"Gemeinden mit einem Smart-City-Projektbeauftragten"}
    assert officers["source"].str.len().gt(0).all()


@pytest.mark.parametrize("column", ["nis_code", "name", "value", "n", "status", "class"])
@pytest.mark.parametrize("ascending", [True, False])
def test_blanks_sort_last_whatever_the_column(ref, indicators, column, ascending):
    request = views.ExploreRequest("perception_future", level="commune")
    table = views.render_explore(request, _data(request, indicators, ref)).table
    assert table["value"].isna().iloc[0] == False  # noqa: E712 - default order: values first
    ordered = views.sort_table(table, column, ascending=ascending)
    blank = ordered["value"].isna().to_numpy()
    first_blank = int(blank.argmax())
    assert blank[first_blank:].all()  # once blank, blank to the end
    assert not blank[:first_blank].any()
    assert len(ordered) == len(table) == 589


def test_tables_hold_whole_names(ref, indicators):
    request = views.ExploreRequest("feels_concerned", level="province")
    table = views.render_explore(request, _data(request, indicators, ref)).table
    assert {"Flemish Brabant", "Brussels-Capital Region"} <= set(table["name"])
    assert "Brussels-Capital Region" in set(table["region"])
    request = views.ExploreRequest("feels_concerned", level="province", lang="fr")
    table = views.render_explore(request, _data(request, indicators, ref)).table
    assert "Région de Bruxelles-Capitale" in set(table["name"])


def test_search_puts_the_exact_name_first_and_tells_homonyms_apart(ref):
    assert views.search_communes("Luik", ref, lang="nl")["nis_code"].iloc[0] == "62063"
    found = views.search_communes("Saint-Nicolas", ref, lang="fr").set_index("nis_code")
    assert found.at["46021", "label"] == "Saint-Nicolas (Sint-Niklaas, Flandre orientale, 46021)"
    assert found.at["62093", "label"] == "Saint-Nicolas (Liège, 62093)"
    assert views.search_communes("zzzzqqq", ref).empty
    assert len(views.search_communes("", ref)) == 589


@pytest.mark.parametrize(
    ("region", "units"), [("Wallonia", 262), ("Flanders", 308), ("Brussels", 19)]
)
def test_zoom_to_a_region_restricts_map_legend_and_table(ref, indicators, region, units):
    request = views.ExploreRequest("n_domains", region=region, scheme="equal_interval", k=3)
    result = views.render_explore(request, _data(request, indicators, ref))
    in_region = set(ref.loc[ref["region"] == region, "nis_code"])
    assert set(result.table["nis_code"]) == in_region
    assert len(result.table) == units
    assert sum(e.count for e in result.classification.legend) == units
    assert set(result.gdf_units["nis_code"]) == in_region
    ok = result.values.loc[result.values["status"] == "ok", "value"].astype(float)
    assert result.classification.bins is not None
    assert max(result.classification.bins) == pytest.approx(ok.max())  # its own classes


def test_indicators_of_communes_outside_the_reference_are_an_error(ref, tiny_indicators):
    stray = pd.concat(
        [tiny_indicators, tiny_indicators.iloc[[0]].assign(nis_code="99999")], ignore_index=True
    )
    for level in ("commune", "province"):
        with pytest.raises(ValueError, match="99999"):
            views.map_values(stray, ref, indicator="feels_concerned", level=level)


def test_explore_highlight_outlines_the_profile_commune_and_opens_on_it(ref, indicators):
    plain = views.ExploreRequest("feels_concerned", region="Wallonia", standalone=False)
    chosen = replace(plain, highlight="62063")
    without = views.render_explore(plain, _data(plain, indicators, ref))
    result = views.render_explore(chosen, _data(chosen, indicators, ref))
    assert '"highlight":"62063"' in result.html
    assert '"highlight":"62063"' not in without.html
    assert len(result.table) == len(without.table)  # same units, only the view and outline differ
