"""The whole static site of the sample (every share indicator) stays light.

Issue 15: at most 15 MB in all, no page over 150 KB of its own, one geometry file for the
downloads (not a copy per indicator), the geometry and Leaflet shared by every page.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from geobaro.export._site_data import GEOMETRY_DOWNLOAD, GEOMETRY_SCRIPT
from geobaro.export.site import SiteResult, export_site

pytestmark = pytest.mark.slow

MAX_SITE_BYTES = 15_000_000
MAX_PAGE_BYTES = 150_000


@pytest.fixture(scope="module")
def full_site(tmp_path_factory: pytest.TempPathFactory) -> SiteResult:
    """The site ``python -m geobaro export`` writes: every share indicator, every level,
    compare pages, the published-figures page and the published views of every wave (maps,
    trends, figures without a place), from the illustrative sample."""
    return export_site(tmp_path_factory.mktemp("full-site"))


def _files(site: SiteResult) -> dict[str, int]:
    return {
        p.relative_to(site.out_dir).as_posix(): p.stat().st_size
        for p in site.out_dir.rglob("*")
        if p.is_file()
    }


def test_whole_site_is_at_most_15_mb(full_site: SiteResult) -> None:
    sizes = _files(full_site)
    assert len(full_site.pages) > 100
    assert set(full_site.files) == set(sizes)  # the result lists every file written
    total = sum(sizes.values())
    assert total <= MAX_SITE_BYTES, f"{total / 1e6:.1f} MB"


def test_no_page_over_150_kb(full_site: SiteResult) -> None:
    sizes = {p.path: (full_site.out_dir / p.path).stat().st_size for p in full_site.pages}
    biggest = max(sizes, key=sizes.__getitem__)
    assert sizes[biggest] <= MAX_PAGE_BYTES, (biggest, sizes[biggest])


def test_one_geometry_file_shared_by_every_page(full_site: SiteResult) -> None:
    sizes = _files(full_site)
    geometry = [f for f in sizes if f.endswith((".geojson", ".topojson"))]
    assert geometry == [GEOMETRY_DOWNLOAD]
    holders = [
        f
        for f in sizes
        if f.endswith((".js", ".json", ".topojson", ".html"))
        and re.search(r'"(arcs|coordinates)":', Path(full_site.out_dir, f).read_text("utf-8"))
    ]
    assert sorted(holders) == sorted([GEOMETRY_DOWNLOAD, GEOMETRY_SCRIPT])
    topology = json.loads((full_site.out_dir / GEOMETRY_DOWNLOAD).read_text(encoding="utf-8"))
    assert topology["type"] == "Topology"
    counts = {lv: len(o["geometries"]) for lv, o in topology["objects"].items()}
    assert counts == {"region": 3, "commune": 589, "province": 11}
    for page in full_site.pages:
        if page.kind in {"map", "compare", "published"}:
            assert GEOMETRY_DOWNLOAD in page.data_files
        if page.kind in {"map", "compare", "published", "trend"} and page.maps:
            text = html.unescape((full_site.out_dir / page.path).read_text(encoding="utf-8"))
            assert text.count('src="../assets/geometry.js"') == 1, page.path
            assert text.count('src="../assets/leaflet.js"') == page.maps  # one per map frame


def test_published_views_stay_light(full_site: SiteResult) -> None:
    """The published maps, trends and wave pages: every wave, light pages, small charts."""
    from geobaro.published import WAVES

    published = [p for p in full_site.pages if p.kind in {"published", "trend", "wave"}]
    assert {p.path for p in published if p.kind == "wave"} == {f"published/{w}.html" for w in WAVES}
    assert sum(p.kind == "published" for p in published) >= 40
    sizes = _files(full_site)
    for page in published:
        assert sizes[page.path] <= MAX_PAGE_BYTES, (page.path, sizes[page.path])
        if page.kind == "published":
            values = f"data/values/{Path(page.path).stem}.js"
            assert sizes[values] <= 20_000, (values, sizes[values])
    charts = {f: b for f, b in sizes.items() if f.startswith("data/published/")}
    assert charts
    assert all(f.endswith(".png") for f in charts)
    assert sum(charts.values()) <= 2_000_000
    assert sum(sizes[p.path] for p in published) <= 2_500_000
