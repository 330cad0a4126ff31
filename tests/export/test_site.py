"""Static site export: pages, links, data files, escaping, no network references.

The pages are opened in Chromium by ``tests/browser/test_site_pages.py``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from geobaro.config import Settings
from geobaro.export import _site_html, site
from geobaro.export._site_data import GEOMETRY_DOWNLOAD, write_table_files
from geobaro.export.site import SiteResult, export_site
from geobaro.i18n import t
from geobaro.maps.legend import render_legend

INDICATORS = ["feels_concerned", "has_project_officer"]
#: Pages of the published figures: the barometer's own numbers, each linked to its source.
PUBLISHED_KINDS = {"published", "trend", "wave"}
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> SiteResult:
    """A site of two share indicators at commune, province and region level, with compare
    pages and the published-figures page, written from the illustrative sample."""
    out = tmp_path_factory.mktemp("site")
    return export_site(out, indicators=INDICATORS, settings=settings)


class _Links(HTMLParser):
    """Collect ``href``/``src`` attributes and the text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.text: list[str] = []
        self.srcdocs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.refs.append(value)
            if name == "srcdoc" and value:
                self.srcdocs.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    return parser


def _source_urls() -> set[str]:
    from geobaro.published import load_published

    return set(load_published()["source_url"].dropna().astype(str))


def test_pages_written_per_level_and_indicator(exported: SiteResult) -> None:
    kinds = [p.kind for p in exported.pages]
    assert kinds.count("map") == len(INDICATORS) * 3
    assert kinds.count("compare") == len(INDICATORS)
    assert kinds.count("home") == 1
    assert kinds[-1] == "index"
    for page in exported.pages:
        assert (exported.out_dir / page.path).is_file(), page.path
    units = {(p.level, p.kind): p.units for p in exported.pages if p.indicator == INDICATORS[0]}
    assert units[("commune", "map")] == 589
    assert units[("province", "map")] == 11
    assert units[("region", "map")] == 3
    assert units[("commune", "compare")] == 589
    compare = next(p for p in exported.pages if p.kind == "compare")
    assert compare.maps == 3


def test_every_link_resolves_inside_the_site(exported: SiteResult) -> None:
    seen = 0
    for page in exported.pages:
        path = exported.out_dir / page.path
        for ref in _parse(path.read_text(encoding="utf-8")).refs:
            if page.kind == "home" and ref.startswith("https://"):
                continue  # links to the published figures' sources (navigation, not loads)
            if page.kind in PUBLISHED_KINDS and ref in _source_urls():
                continue  # the same: each published figure's own source
            assert not ref.startswith(("http:", "https:", "//")), (page.path, ref)
            target = (path.parent / ref.split("#")[0]).resolve()
            assert target.is_file(), (page.path, ref)
            assert exported.out_dir.resolve() in target.parents
            seen += 1
    index = _parse(exported.index.read_text(encoding="utf-8")).refs
    for page in exported.pages:
        if page.kind != "index":
            assert page.path in index
    assert seen > len(exported.pages)


def test_maps_are_self_contained(exported: SiteResult) -> None:
    page = next(p for p in exported.pages if p.kind == "map" and p.level == "commune")
    docs = _parse((exported.out_dir / page.path).read_text(encoding="utf-8")).srcdocs
    assert len(docs) == 1
    doc = docs[0]
    assert "L.map(" in doc or "L.map (" in doc  # the map is made inside the page's frame
    # Leaflet and the geometry are the site's shared files, linked relatively
    assert '<script src="../assets/leaflet.js"></script>' in doc
    assert (exported.out_dir / "assets" / "leaflet.js").is_file()
    assert '"arcs":' not in doc  # the geometry is not in the page
    assert re.search(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", doc) is None
    compare = next(p for p in exported.pages if p.kind == "compare")
    assert len(_parse((exported.out_dir / compare.path).read_text("utf-8")).srcdocs) == 3


def test_sample_pages_say_illustrative(exported: SiteResult) -> None:
    notice = t("app.illustrative.notice", "en")
    assert exported.illustrative
    for page in exported.pages:
        text = " ".join(_parse((exported.out_dir / page.path).read_text("utf-8")).text)
        if page.kind == "home" or page.kind in PUBLISHED_KINDS:
            assert "not the illustrative sample" in text, page.path
            assert notice not in text  # published figures are real
        else:
            assert notice in text, page.path


def test_data_files_hold_what_the_page_shows(exported: SiteResult) -> None:
    expected = {"commune": 589, "province": 11, "region": 3}
    topology = json.loads((exported.out_dir / GEOMETRY_DOWNLOAD).read_text(encoding="utf-8"))
    for page in exported.pages:
        if page.kind not in {"map", "compare"}:
            continue
        csv_file, values_file, geo_file = (exported.out_dir / f for f in page.data_files)
        assert geo_file == exported.out_dir / GEOMETRY_DOWNLOAD  # one geometry for the site
        rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
        records = json.loads(values_file.read_text(encoding="utf-8"))
        geometries = topology["objects"][page.level]["geometries"]
        assert {r["data_status"] for r in rows} == {"illustrative"}
        assert {r["data_status"] for r in records} == {"illustrative"}
        n = expected[page.level]
        assert len(rows) == n, page.path
        assert len(records) == n, page.path
        assert len(geometries) == n, page.path
        codes = {g["properties"]["nis_code"] for g in geometries}
        assert codes == {r["nis_code"] for r in rows}
        assert codes == {r["nis_code"] for r in records}
        assert {r["status"] for r in records} <= {
            "ok",
            "not_reached",
            "refused",
            "too_small",
            "no_data",
        }


def test_region_csv_matches_the_aggregate(exported: SiteResult) -> None:
    from geobaro.aggregate import aggregate_by
    from geobaro.data.boundaries import load_communes
    from geobaro.indicators import compute_indicators

    page = next(
        p
        for p in exported.pages
        if p.kind == "map" and p.level == "region" and p.indicator == "feels_concerned"
    )
    records = json.loads((exported.out_dir / page.data_files[1]).read_text(encoding="utf-8"))
    got = {r["nis_code"]: r["value"] for r in records}
    gdf = load_communes()
    ind = compute_indicators(site._load_source(None, Settings()), gdf)
    agg = aggregate_by(ind, gdf, level="region", indicator="feels_concerned")
    want = dict(zip(agg["nis_code"], agg["value"], strict=True))
    assert got.keys() == want.keys()
    for code, value in want.items():
        assert got[code] == pytest.approx(value), code


def test_unknown_indicator_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown indicator"):
        export_site(tmp_path, indicators=["no_such_thing"])
    assert not any(tmp_path.iterdir())


def test_cells_and_legend_labels_are_escaped_once() -> None:
    table = pd.DataFrame({"name": [HOSTILE, "Saint-Josse &amp; co"], "value": [0.5, None]})
    out = _site_html.table_html(table)
    assert "<script>" not in out
    assert "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "Saint-Josse &amp; co" in out  # an already escaped cell is not escaped twice

    class Entry:
        kind = "class"
        label = HOSTILE
        color = "red;background:url(javascript:alert(1))"
        count = 3

    class Klass:
        legend = (Entry(),)

    legend = render_legend(Klass(), lang="en")
    assert "<script>" not in legend
    assert "javascript:" not in legend
    assert "(3)" in legend


def test_csv_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    from geobaro.data.boundaries import load_units

    gdf = load_units(level="region", web=True)
    table = pd.DataFrame({"nis_code": gdf["nis_code"], "name": ["=HYPERLINK(1)", "@x", "ok"]})
    values = pd.DataFrame({"nis_code": gdf["nis_code"], "value": [1.0, 0.0, 0.5]})
    csv_path, _ = write_table_files(tmp_path, "t", table, values, status="real")
    rows = list(csv.DictReader(io.StringIO((tmp_path / csv_path).read_text("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["'=HYPERLINK(1)", "'@x", "ok"]
    assert {r["data_status"] for r in rows} == {"real"}


def test_cli_export_writes_the_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geobaro.cli import main

    calls: list[dict[str, object]] = []
    real = site.export_site

    def small(out_dir: Path, **kwargs: object) -> SiteResult:
        calls.append(kwargs)
        return real(out_dir, indicators=["feels_concerned"], levels=["region"], home=False)

    monkeypatch.setattr(site, "export_site", small)
    assert main(["export", "--out", str(tmp_path / "out")]) == 0
    assert calls == [{}]
    assert (tmp_path / "out" / "index.html").is_file()
    assert (tmp_path / "out" / "maps" / "region-feels_concerned.html").is_file()


def test_own_survey_file_is_not_labelled_illustrative(tmp_path: Path) -> None:
    survey = tmp_path / "answers.csv"
    survey.write_text(
        "nis_code;response_status;feels_concerned\n"
        "62063;answered;yes\n44021;answered;no\n21004;refused;\n99999;answered;<b>x</b>\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    result = export_site(
        out, survey=survey, indicators=["feels_concerned"], levels=["commune"], home=False
    )
    assert not result.illustrative
    assert result.source_name == "answers.csv"
    notice = t("app.illustrative.notice", "en")
    for page in result.pages:
        assert notice not in (out / page.path).read_text(encoding="utf-8")
    rows = list(
        csv.DictReader(
            io.StringIO((out / "data/commune-feels_concerned.csv").read_text("utf-8-sig"))
        )
    )
    status = {r["nis_code"]: r["status"] for r in rows}
    assert {r["data_status"] for r in rows} == {"real"}
    assert len(rows) == 589
    assert status["62063"] != status["21004"]
    # the rejected row is in the site, linked from the index, never dropped silently
    assert "data/rejected_rows.csv" in result.files
    rejected = list(
        csv.DictReader(io.StringIO((out / "data/rejected_rows.csv").read_text("utf-8-sig")))
    )
    assert {r["row"] for r in rejected} == {"5"}  # one row, one line per problem
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="data/rejected_rows.csv"' in index


def test_pages_follow_the_language(tmp_path: Path) -> None:
    result = export_site(
        tmp_path,
        indicators=["feels_concerned"],
        levels=["region"],
        lang="fr",
        compare=False,
        home=False,
    )
    text = (tmp_path / result.pages[0].path).read_text(encoding="utf-8")
    assert '<html lang="fr">' in text
    assert _site_html.esc(t("app.illustrative.notice", "fr")) in text
    assert t("app.illustrative.notice", "fr") != t("app.illustrative.notice", "en")


def test_published_pages_for_every_wave(exported: SiteResult) -> None:
    from geobaro.published import WAVES, load_published
    from geobaro.views.published import list_published_choices

    choices = list_published_choices(load_published())
    assert set(choices) == set(WAVES)  # every wave has at least one map
    paths = {p.path: p for p in exported.pages}
    index = _parse(exported.index.read_text(encoding="utf-8")).refs
    for wave, indicators in choices.items():
        wave_page = paths[f"published/{wave}.html"]
        assert wave_page.kind == "wave"
        assert wave_page.path in index
        for indicator, levels in indicators.items():
            for level in levels:
                page = paths[f"published/published-{wave}-{indicator}-{level}.html"]
                assert (page.kind, page.level, page.maps) == ("published", level, 1)
                assert page.units == {"region": 3, "province": 11}[level]
                assert page.path in index
    trends = [p for p in exported.pages if p.kind == "trend"]
    assert len(trends) >= 10
    assert all(p.path in index for p in trends)


def test_published_province_page_writes_five_values(exported: SiteResult) -> None:
    """2018-BE progress by province: 5 values with their sources, 6 "not published"."""
    from geobaro.published import load_published

    stem = "published-2018-BE-progress_score_mean-province"
    text = (exported.out_dir / "published" / f"{stem}.html").read_text(encoding="utf-8")
    rows = load_published().query(
        "wave == '2018-BE' and indicator == 'progress_score_mean' and breakdown == 'province'"
    )
    assert len(rows) == 5
    not_published = t("published.status.no_data", "en")
    table = text.split("id='gb-table'")[1].split("</section>")[0]
    assert table.count("<tr data-nis=") == 11
    assert table.count(f"<td>{not_published}</td>") == 6
    for value in rows["value"]:
        assert f"<td>{value:.2f}/10</td>" in table
    for url in set(rows["source_url"]):
        assert f'<a href="{_site_html.esc(url)}"' in table  # each value's source, linked
    frame = _parse(text).srcdocs[0]
    assert frame.count('class=\\"gb-value-label') == 5  # the values are written on the map
    assert "4.80/10" in frame
    downloads = list(
        csv.DictReader(io.StringIO((exported.out_dir / f"data/{stem}.csv").read_text("utf-8-sig")))
    )
    assert len(downloads) == 11
    assert sorted(float(r["value"]) for r in downloads if r["value"]) == sorted(rows["value"])
    assert {r["data_status"] for r in downloads} == {"real"}


def test_published_sources_are_linked(exported: SiteResult) -> None:
    """Every figure of a wave page (maps and figures without a place) links its source."""
    from geobaro.published import load_published

    figures = load_published()
    for wave in ("2017-BE", "2021-WAL"):
        text = (exported.out_dir / "published" / f"{wave}.html").read_text(encoding="utf-8")
        without_place = text.split(t("site.published.without_place", "en"))[1]
        links = set(_parse(without_place).refs)
        wave_rows = figures[figures["wave"] == wave]
        assert links & set(wave_rows["source_url"])
        assert links <= set(wave_rows["source_url"]) | {
            r for r in links if not r.startswith("https://")
        }
    trend = (exported.out_dir / "published/trend-progress_score.html").read_text(encoding="utf-8")
    refs = _parse(trend).refs
    charts = [r for r in refs if r.endswith(".png")]
    assert len(charts) >= 4
    for chart in charts:
        assert (exported.out_dir / "published" / chart).resolve().read_bytes()[:4] == b"\x89PNG"
    points = trend.split("id='gb-points'")[1].split("</section>")[0]
    sources = [r for r in _parse(points).refs if r.startswith("https://")]
    assert len(sources) == points.count("<tr>") - 1  # one per point (the header row aside)


def test_published_pages_follow_the_language(tmp_path: Path) -> None:
    result = export_site(
        tmp_path, indicators=["feels_concerned"], levels=["region"], lang="de",
        compare=False, home=False,
    )  # fmt: skip
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert _site_html.esc(t("site.published.link", "de")) in index
    assert t("site.published.link", "de") != t("site.published.link", "en")
    trend = next(p for p in result.pages if p.kind == "trend")
    text = (tmp_path / trend.path).read_text(encoding="utf-8")
    assert '<html lang="de">' in text
    assert _site_html.esc(t("site.published.points", "de")) in text
    assert f'index.html">{t("site.nav.index", "de")}</a></nav>' in text
    for lang in ("fr", "nl", "de", "en"):
        assert t("site.published.link", lang) != "site.published.link"
