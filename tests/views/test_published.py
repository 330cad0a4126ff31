"""Tests of the published-figures view: every shown number is a published row with its source."""

from __future__ import annotations

import json
import re
import string
from importlib import resources

import pandas as pd
import pytest

from geobaro.data.boundaries import load_units
from geobaro.published import load_published
from geobaro.views.published import (
    PublishedRequest,
    format_figure,
    group_label,
    list_published_choices,
    published_label,
    render_published,
    resolve_published_request,
    wave_label,
)
from geobaro.vocabulary import LANGS


@pytest.fixture(scope="module")
def figures(settings) -> pd.DataFrame:
    """Every row of the shipped ``barometer_figures.csv``."""
    return load_published(settings)


@pytest.fixture(scope="module")
def units(settings) -> dict[str, object]:
    """Web geometry of the regions and provinces (2018)."""
    return {lv: load_units(level=lv, web=True, settings=settings) for lv in ("region", "province")}


def _catalogue(lang: str) -> dict[str, str]:
    path = resources.files("geobaro").joinpath("locales", f"published.{lang}.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_string_exists_in_every_language_with_the_same_placeholders() -> None:
    english = _catalogue("en")
    fields = {k: {f[1] for f in string.Formatter().parse(v) if f[1]} for k, v in english.items()}
    for lang in LANGS:
        catalogue = _catalogue(lang)
        assert set(catalogue) == set(english), lang
        for key, text in catalogue.items():
            assert text.strip(), (lang, key)
            assert {f[1] for f in string.Formatter().parse(text) if f[1]} == fields[key]


def test_every_published_figure_and_wave_has_a_label(figures) -> None:
    for lang in LANGS:
        for indicator in figures["indicator"].unique():
            assert published_label(indicator, lang) != indicator.replace("_", " "), indicator
        for wave in figures["wave"].unique():
            assert wave_label(wave, lang) != wave
        for group in figures["group"].unique():
            assert group_label(group, lang)
    assert group_label("Hainaut", "nl") == "Henegouwen"
    assert group_label("large (OECD)", "fr") == "grandes villes (OCDE)"


def test_2018_province_map_has_five_values_and_the_others_not_published(figures, units) -> None:
    view = render_published(
        PublishedRequest("2018-BE", "progress_score_mean", "province", "en"),
        figures,
        gdf_units=units["province"],
    )
    ok = view.table.dropna(subset=["value"]).set_index("nis_code")
    assert ok["value"].to_dict() == {
        "10000": 4.42,
        "20001": 3.0,
        "20002": 4.29,
        "50000": 4.8,
        "60000": 2.68,
    }
    rest = view.values[view.values["status"] != "ok"]
    assert len(rest) == 6
    assert (rest["status"] == "no_data").all()
    assert rest["value"].isna().all()  # never zero
    assert (rest["label"] == "not published").all()
    assert (ok["source_url"] == "https://regional-it.be/?p=29325").all()
    assert "regional-it.be/?p=29325 (paragraph on provinces)" in view.source_line
    page = view.html
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("gb-value-label") == 5  # one label per published value
    assert re.search(r'data-nis=\\"50000\\"[^<]*4\.80/10', page)
    assert "not published" in view.legend_html
    assert "no data" not in view.legend_html
    assert view.others["text"].tolist() == ["3.64/10"]  # Belgium, beside the map
    # the classification the PNG export and tables read names the statuses the same way
    statuses = [(e.label, e.count) for e in view.classification.legend if e.kind == "status"]
    assert statuses == [("not published", 6)]
    assert view.sources_text == "https://regional-it.be/?p=29325 (paragraph on provinces)"


def test_walloon_wave_marks_the_other_regions_not_surveyed(figures, units) -> None:
    view = render_published(
        PublishedRequest("2021-WAL", "progress_score_mean", "region", "fr"),
        figures,
        gdf_units=units["region"],
    )
    by_code = view.values.set_index("nis_code")
    assert by_code.loc["03000", "status"] == "ok"
    assert by_code.loc["03000", "value"] == pytest.approx(4.31)
    assert set(by_code.loc[["02000", "04000"], "status"]) == {"not_reached"}
    assert "non interrogé dans cette vague" in view.legend_html
    assert "4,31/10" in view.legend_html  # a lone value is its own legend row


def test_every_wave_figure_and_level_renders_with_its_sources(figures, units) -> None:
    choices = list_published_choices(figures)
    assert set(choices) == set(figures["wave"])
    for wave, indicators in choices.items():
        for indicator, levels in indicators.items():
            for level in levels:
                view = render_published(
                    PublishedRequest(wave, indicator, level, "nl", standalone=False),
                    figures,
                    gdf_units=units[level],
                )
                shown = view.table.dropna(subset=["value"])
                rows = figures[(figures["wave"] == wave) & (figures["indicator"] == indicator)]
                assert set(shown["value"]) <= set(rows["value"])
                assert shown["locator"].str.len().gt(0).all()
                assert len(view.sources) >= 1


def test_figures_without_a_place_are_listed_with_their_sources(figures, units) -> None:
    view = render_published(
        PublishedRequest("2018-BE", lang="de"), figures, gdf_units=units["region"]
    )
    unmapped = view.unmapped
    assert "benefit_cost_reduction" in set(unmapped["indicator"])  # rural/urban and Belgium only
    assert "progress_score_mean" not in set(unmapped["indicator"])
    assert unmapped["locator"].str.len().gt(0).all()
    keys = set(zip(figures["indicator"], figures["value"], strict=True))
    assert set(zip(unmapped["indicator"], unmapped["value"], strict=True)) <= keys


def test_conflicting_counts_are_shown_as_such(figures, units) -> None:
    view = render_published(
        PublishedRequest("2017-BE", "feels_concerned", "region"), figures, gdf_units=units["region"]
    )
    counts = view.conflicts[view.conflicts["indicator"] == "communes_responded"]
    assert counts["value"].tolist() == [113.0, 119.0]
    assert counts["source_url"].nunique() == 2
    assert view.values.set_index("nis_code").loc["03000", "value"] == pytest.approx(0.45)


def test_requests_from_a_url_are_brought_to_the_nearest_map(figures, units) -> None:
    fixed, notes = resolve_published_request(PublishedRequest("2019-BE", "x", "province"), figures)
    assert (fixed.wave, fixed.indicator, fixed.level) == (
        "2018-BE",
        "progress_score_mean",
        "province",
    )
    assert notes == ("wave", "indicator")
    same, none = resolve_published_request(PublishedRequest("2018-BE", level="province"), figures)
    assert none == ()
    assert same.to_params() == {
        "view": "published",
        "wave": "2018-BE",
        "indicator": "progress_score_mean",
        "level": "province",
        "lang": "en",
    }
    with pytest.raises(ValueError, match="no communes_surveyed figure by region"):
        render_published(
            PublishedRequest("2018-WAL", "communes_surveyed"), figures, gdf_units=units["region"]
        )


def test_figures_are_written_in_their_unit() -> None:
    assert format_figure(62.5, "percent", "en") == "62.5%"
    assert format_figure(23, "minutes", "de") == "23 Min."
    assert format_figure(1, "rank", "fr") == "n°1"
    assert format_figure(589, "count", "nl") == "589"
