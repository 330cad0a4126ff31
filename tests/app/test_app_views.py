"""The Streamlit app driven by AppTest: every view, its widgets, the URL state and uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
NOTICE = "Illustrative data"
pytestmark = pytest.mark.slow


def open_app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    # the app turns a failing view into an error message: that counts as a failure too
    assert not [e.value for e in at.error if "could not be built" in e.value]


def warnings_text(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def go(at: AppTest, view: str) -> AppTest:
    """Open another view the way a link or the menu does (the session's state goes along)."""
    at.query_params["view"] = view
    return at.run()


def dataframe(at: AppTest, key: str):
    return at.get_by_key(f"{key}_box").dataframe[0].value


def test_home_shows_published_key_figures_with_sources():
    at = open_app()
    no_exception(at)
    values = {m.value for m in at.metric}
    assert {"66%", "84%", "45%", "88%", "34%", "77%", "13%", "14%", "17", "113"} <= values
    captions = " ".join(c.value for c in at.caption)
    assert "https://www.digitalwallonia.be" in captions
    assert "Statbel" in captions  # boundary attribution in the footer
    assert "Smart City Institute" in captions


def test_explore_shows_map_legend_table_notice_and_exports():
    at = open_app(view="explore", indicator="feels_concerned", level="commune")
    no_exception(at)
    assert NOTICE in warnings_text(at)
    table = dataframe(at, "explore_table")
    assert len(table) == 589
    keys = {b.key for b in at.get("download_button")}
    assert keys == {"download_html", "download_png", "download_csv", "download_geojson"}
    legend = " ".join(m.value for m in at.get_by_key("explore_legend").markdown)
    assert "not reached" in legend
    assert "449" in legend  # communes not reached in the sample: counted in the legend


def test_explore_widgets_change_what_is_computed_and_the_url():
    at = open_app(view="explore", indicator="feels_concerned")
    no_exception(at)
    at.selectbox(key="level").set_value("province").run()
    no_exception(at)
    assert len(dataframe(at, "explore_table")) == 11
    assert at.query_params["level"] == "province"
    at.selectbox(key="indicator").set_value("n_domains").run()
    no_exception(at)
    assert at.query_params["indicator"] == "n_domains"
    classes = set(dataframe(at, "explore_table")["class"])
    at.number_input(key="k").set_value(3).run()
    no_exception(at)
    assert set(dataframe(at, "explore_table")["class"]) != classes
    assert at.query_params["k"] == "3"


def test_user_breaks_set_the_classes():
    at = open_app(view="explore", level="province", scheme="user_defined")
    no_exception(at)
    at.text_input(key="breaks").set_value("40 60 80 %").run()
    no_exception(at)
    classes = " ".join(dataframe(at, "explore_table")["class"])
    assert "60%" in classes
    assert "80%" in classes
    assert at.query_params["breaks"] == "40 60 80 %"


def test_url_state_round_trips():
    params = {
        "view": "explore",
        "indicator": "has_project_officer",
        "level": "arrondissement",
        "scheme": "equal_interval",
        "k": "4",
        "region": "Wallonia",
        "lang": "nl",
        "vintage": "2019",
        "source": "sample",
    }
    at = open_app(**params)
    no_exception(at)
    assert at.selectbox(key="indicator").value == "has_project_officer"
    assert at.selectbox(key="level").value == "arrondissement"
    assert at.selectbox(key="scheme").value == "equal_interval"
    assert at.number_input(key="k").value == 4
    assert at.selectbox(key="region").value == "Wallonia"
    assert at.selectbox(key="lang").value == "nl"
    for key, value in params.items():
        assert at.query_params[key] == value, key
    assert len(dataframe(at, "explore_table")) == 20  # zoomed to Wallonia: its 2019 arrondissements


@pytest.mark.parametrize(("vintage", "units"), [("2019", 581), ("2025", 565)])
def test_later_boundary_vintages_group_the_2018_communes(vintage, units):
    at = open_app(view="explore", vintage=vintage, lang="de")
    no_exception(at)
    assert len(dataframe(at, "explore_table")) == units
    assert at.title[0].value == "Karte erkunden"


@pytest.mark.parametrize("view", ["explore", "compare", "commune"])
def test_a_link_with_unknown_values_opens_with_defaults(view):
    at = open_app(view=view, indicator="bogus", commune="99999", k="42", level="<b>")
    no_exception(at)
    assert at.query_params.get("indicator") in {None, "feels_concerned"}
    assert at.query_params["level"] == "commune"
    assert at.query_params["k"] == "5"
    assert at.query_params.get("commune") != "99999"


def test_compare_shows_three_regions_and_urban_rural():
    at = open_app(view="compare", indicator="feels_concerned")
    no_exception(at)
    captions = [c.value for c in at.caption if c.value.startswith("n = ")]
    assert len(captions) >= 5  # three regions, urban, rural
    assert any("/ 262" in c for c in captions)
    assert any("/ 308" in c for c in captions)
    assert any("/ 19 " in c for c in captions)
    assert NOTICE in warnings_text(at)
    at.radio(key="scale").set_value("panel").run()
    no_exception(at)
    assert at.query_params["scale"] == "panel"


def test_commune_view_opens_the_commune_of_the_link_in_the_chosen_language():
    at = open_app(view="commune", commune="62063", lang="nl")
    no_exception(at)
    assert "Luik" in [s.value for s in at.subheader]
    table = dataframe(at, "commune_table")
    assert len(table) > 10
    at.text_input(key="commune_search").set_value("Lüttich").run()
    no_exception(at)
    assert at.selectbox(key="commune").value == "62063"
    at.text_input(key="commune_search").set_value("Bergen").run()
    at.selectbox(key="commune").set_value(at.selectbox(key="commune").options[0]).run()
    no_exception(at)


def fake_click(code: str):
    """A stand-in for the map component whose maps report a click on commune ``code``."""

    def map_frame(html, *, key, **kwargs):
        return {"last_active_drawing": {"type": "Feature", "properties": {"nis_code": code}}}

    return map_frame


def test_clicking_a_commune_on_the_map_opens_its_profile(monkeypatch):
    from geobaro.app import draw

    monkeypatch.setattr(draw, "map_frame", fake_click("62063"))
    at = open_app(view="commune", commune="21004")
    no_exception(at)
    assert at.selectbox(key="commune").value == "62063"
    assert at.query_params["commune"] == "62063"


def test_clicking_on_the_explore_map_offers_the_profile(monkeypatch):
    from geobaro.app import draw

    monkeypatch.setattr(draw, "map_frame", fake_click("21004"))
    at = open_app(view="explore")
    no_exception(at)
    at.button(key="open_profile").click().run()
    no_exception(at)
    assert at.query_params["view"] == "commune"
    assert at.query_params["commune"] == "21004"
    assert at.selectbox(key="commune").value == "21004"


def test_language_switch_translates_the_ui():
    at = open_app(view="explore")
    at.selectbox(key="lang").set_value("fr").run()
    no_exception(at)
    assert at.title[0].value == "Explorer la carte"
    assert at.query_params["lang"] == "fr"
    assert "Données illustratives" in warnings_text(at)


BAD_FILE = (
    b"nis_code;feels_concerned;response_status\n"
    b"62063;oui;answered\n"
    b"99999;yes;answered\n"
    b"21004;maybe;answered\n"
    b"<script>alert(1)</script>;yes;answered\n"
)


def test_upload_with_bad_rows_shows_the_full_report_and_switches_source():
    at = open_app(view="data")
    no_exception(at)
    at.file_uploader(key="upload_file").set_value(("mine.csv", BAD_FILE, "text/csv")).run()
    no_exception(at)
    rejected = dataframe(at, "rejected_table")
    assert set(rejected["row"]) == {3, 4, 5}
    assert rejected["reason"].str.len().gt(0).all()
    assert "<script>alert(1)</script>" in set(rejected["value"])  # shown as text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rows used"] == "1"
    assert metrics["Rows rejected"] == "3"
    assert at.radio(key="source").value == "upload"
    assert at.query_params["source"] == "upload"
    go(at, "explore")
    no_exception(at)
    assert NOTICE not in warnings_text(at)
    table = dataframe(at, "explore_table")
    assert (table["n"] > 0).sum() == 1


def test_removing_the_upload_goes_back_to_the_sample():
    at = open_app(view="data")
    at.file_uploader(key="upload_file").set_value(("mine.csv", BAD_FILE, "text/csv")).run()
    assert at.radio(key="source").value == "upload"
    assert any(c.value.startswith("Data: your file mine") for c in at.sidebar.caption)
    at.button(key="clear_upload").click().run()
    no_exception(at)
    assert at.radio(key="source").value == "sample"
    assert not _has_key(at, "upload_report")
    assert NOTICE in warnings_text(at)


def _has_key(at: AppTest, key: str) -> bool:
    try:
        at.get_by_key(key)
    except KeyError:
        return False
    return True


def test_upload_never_reaches_another_session():
    first = open_app(view="data")
    first.file_uploader(key="upload_file").set_value(("mine.csv", BAD_FILE, "text/csv")).run()
    assert first.radio(key="source").value == "upload"
    other = open_app(view="explore", source="upload")
    no_exception(other)
    assert NOTICE in warnings_text(other)
    assert len([i for i in other.info if "No usable file" in i.value]) == 1


def test_a_hostile_file_name_is_shown_as_text():
    at = open_app(view="data")
    name = "[click](http://evil.example)<img src=x onerror=alert(1)>.csv"
    at.file_uploader(key="upload_file").set_value((name, BAD_FILE, "text/csv")).run()
    no_exception(at)
    shown = [m.value for m in at.markdown if "evil" in m.value]
    shown += [c.value for c in at.sidebar.caption if "evil" in c.value]
    assert shown
    assert all("\\[click\\]\\(http" in text and "\\<img" in text for text in shown)


def test_unusable_file_gets_one_clear_message():
    at = open_app(view="data")
    at.file_uploader(key="upload_file").set_value(("x.csv", b"\x00\x01\x02binary", "text/csv"))
    at.run()
    no_exception(at)
    assert any("cannot be used" in e.value for e in at.error)
    assert at.radio(key="source").value == "sample"


def test_first_start_prepares_the_boundaries_then_shows_the_view(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("GEOBARO_CACHE_DIR", str(cache))
    monkeypatch.setenv("GEOBARO_NO_SHIPPED", "1")  # the mirror path, not the shipped files
    at = open_app(view="home")
    no_exception(at)
    assert not at.error
    assert (cache / "prepared.json").is_file()
    assert at.title[0].value == "Smart City barometer of Belgian communes"


def test_missing_boundaries_show_a_clear_error_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOBARO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("GEOBARO_NO_DEFAULT_MIRROR", "1")
    monkeypatch.setenv("GEOBARO_OFFLINE", "1")
    monkeypatch.setenv("GEOBARO_NO_SHIPPED", "1")  # nothing at all: not even the shipped files
    monkeypatch.delenv("GEOBARO_DATA_MIRROR", raising=False)
    at = open_app(view="explore")
    no_exception(at)
    assert at.error
    assert "boundaries are not available" in at.error[0].value
