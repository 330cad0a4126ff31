"""Tests of the Statbel statistical-sectors source: read, dissolve, download, offline message."""

from __future__ import annotations

import http.server
import json
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geobaro.config import Settings
from geobaro.data.boundaries import (
    attribution_text,
    load_mergers,
    load_units,
    prepare_boundaries,
    read_boundary_source,
    read_manifest,
    statbel_sectors_file,
)
from geobaro.data.refnis import mergers_frame
from geobaro.data.statbel import (
    PopulationFile,
    SectorsFile,
    _ProgressBar,
    normalize_sector_columns,
    read_population,
    read_sectors,
    sectors_file,
    sectors_file_name,
)
from geobaro.errors import BoundaryDataError, DataUnavailableError

# four communes of 4 km x 4 km in a 2 x 2 grid near Brussels (Lambert 72 metres), with the
# attributes Statbel gives them; each is cut into three sectors
COMMUNES = [
    # nis, fr, nl, de, arrondissement, province, region code
    ("11001", "Aartselaar", "Aartselaar", "Aartselaar", "11000", "10000", "02000"),
    ("21004", "Bruxelles", "Brussel", "Brüssel", "21000", None, "04000"),
    ("41002", "Alost", "Aalst (Aalst)", "Aalst", "41000", "40000", "02000"),
    ("62063", "Liège", "Luik", "Lüttich", "62000", "60000", "03000"),
]
ORIGIN = (140_000.0, 160_000.0)
SIZE = 4_000.0
REGION = {"02000": "Flanders", "03000": "Wallonia", "04000": "Brussels"}


def _commune_box(i: int) -> shapely.Polygon:
    x0 = ORIGIN[0] + (i % 2) * SIZE
    y0 = ORIGIN[1] + (i // 2) * SIZE
    return shapely.box(x0, y0, x0 + SIZE, y0 + SIZE)


def _sectors(*, layout: str, drop: int = 0) -> gpd.GeoDataFrame:
    """Three sectors per synthetic commune (two strips and an L-shaped rest), one layout."""
    rows = []
    geoms = []
    for i, (nis, fr, nl, de, arr, prov, rgn) in enumerate(COMMUNES[: len(COMMUNES) - drop]):
        box = _commune_box(i)
        x0, y0, _x1, y1 = box.bounds
        strip1 = shapely.box(x0, y0, x0 + 1000, y1)
        strip2 = shapely.box(x0 + 1000, y0, x0 + 2500, y0 + 2000)
        rest = box.difference(shapely.union(strip1, strip2))
        for k, geom in enumerate((strip1, strip2, rest)):
            sector = f"{nis}A0{k}"
            if layout == "refnis":
                rows.append(
                    {
                        "cd_sector": sector,
                        "tx_sector_descr_fr": f"{fr} {k}",
                        "cd_munty_refnis": nis,
                        "tx_munty_descr_fr": fr,
                        "tx_munty_descr_nl": nl,
                        "tx_munty_descr_de": de,
                        "cd_dstr_refnis": arr,
                        "cd_prov_refnis": prov,
                        "cd_rgn_refnis": rgn,
                        "ms_area_ha": geom.area / 1e4,
                    }
                )
            else:  # the dBASE-cut names of the 2018-2022 shapefiles, codes as numbers
                rows.append(
                    {
                        "CS01012018": sector,
                        "T_SEC_FR": f"{fr} {k}",
                        "CNIS5_2018": int(nis),
                        "T_MUN_FR": fr,
                        "T_MUN_NL": nl,
                        "T_MUN_DE": de,
                        "CNIS_ARRD_": int(arr),
                        "CNIS_PROVI": int(prov) if prov else None,
                        "CNIS_REGIO": int(rgn),
                        "M_AREA_HA": geom.area / 1e4,
                    }
                )
            geoms.append(geom)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:31370")


def _write_zip(gdf: gpd.GeoDataFrame, folder: Path, name: str, *, fmt: str) -> Path:
    """Write sectors as a Statbel-like zip: a shapefile's parts or one GeoJSON file."""
    work = folder / f"{name}.parts"
    work.mkdir(parents=True)
    stem = name.split(".", maxsplit=1)[0]
    if fmt == "shp":
        gdf.to_file(work / f"{stem}.shp", engine="pyogrio")
    else:
        gdf.to_file(work / f"{stem}.geojson", driver="GeoJSON", engine="pyogrio")
    out = folder / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(work.iterdir()):
            archive.write(part, f"{stem}/{part.name}")
    shutil.rmtree(work)
    return out


@pytest.fixture
def shp_zip(tmp_path: Path) -> Path:
    """Synthetic 2018-style shapefile zip (Lambert 72, dBASE column names)."""
    return _write_zip(_sectors(layout="shp"), tmp_path, "sectors_2018.shp.zip", fmt="shp")


@pytest.fixture
def geojson_zip(tmp_path: Path) -> Path:
    """Synthetic newer-style GeoJSON zip (Lambert 2008, REFNIS column names)."""
    gdf = _sectors(layout="refnis").to_crs("EPSG:3812")
    return _write_zip(gdf, tmp_path, "sectors_3812.geojson.zip", fmt="geojson")


# --- reading and dissolving ------------------------------------------------------------------


@pytest.mark.parametrize("archive", ["shp_zip", "geojson_zip"])
def test_sectors_dissolve_into_communes(archive: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(archive)
    communes = read_sectors(path, expected_count=4)
    assert communes.crs.to_epsg() == 31370
    assert communes["nis_code"].tolist() == ["11001", "21004", "41002", "62063"]
    assert (communes["n_sectors"] == 3).all()
    assert communes["region"].tolist() == ["Flanders", "Brussels", "Flanders", "Wallonia"]
    assert communes["province_nis"].tolist() == ["10000", "04000", "40000", "60000"]
    assert communes["arrondissement_nis"].tolist() == ["11000", "21000", "41000", "62000"]
    assert communes["name_nl"].tolist()[2] == "Aalst"  # REFNIS homonym qualifier removed
    assert communes.loc[1, "name_de"] == "Brüssel"
    expected = [_commune_box(i) for i in range(4)]
    for geom, box in zip(communes.geometry, expected, strict=True):
        assert geom.geom_type == "Polygon"
        # Lambert 2008 -> 72 and back moves vertices by under a millimetre
        assert shapely.hausdorff_distance(geom, box) < 0.01
    assert shapely.coverage_is_valid(communes.geometry.values)


def test_both_layouts_and_crs_give_the_same_communes(shp_zip: Path, geojson_zip: Path) -> None:
    a = read_sectors(shp_zip, expected_count=4)
    b = read_sectors(geojson_zip, expected_count=4)
    pd.testing.assert_frame_equal(
        a.drop(columns="geometry").astype(str), b.drop(columns="geometry").astype(str)
    )
    assert np.allclose(a.area, b.area, rtol=1e-7)


def test_wrong_count_is_rejected(shp_zip: Path) -> None:
    with pytest.raises(BoundaryDataError, match=r"dissolve into 4 communes, expected 589"):
        read_sectors(shp_zip, expected_count=589)


def test_truncated_archive_is_rejected(shp_zip: Path) -> None:
    shp_zip.write_bytes(shp_zip.read_bytes()[: shp_zip.stat().st_size // 2])
    with pytest.raises(BoundaryDataError, match="not a complete zip archive"):
        read_sectors(shp_zip, expected_count=4)


def test_archive_without_commune_columns_is_rejected(tmp_path: Path) -> None:
    gdf = _sectors(layout="refnis").drop(columns=["cd_munty_refnis", "tx_munty_descr_nl"])
    path = _write_zip(gdf, tmp_path, "bad.geojson.zip", fmt="geojson")
    with pytest.raises(BoundaryDataError, match=r"lacks commune columns \(nis_code: .*name_nl"):
        read_sectors(path, expected_count=4)


def test_sectors_disagreeing_on_their_commune_are_rejected(tmp_path: Path) -> None:
    gdf = _sectors(layout="refnis")
    gdf.loc[1, "cd_rgn_refnis"] = "03000"
    path = _write_zip(gdf, tmp_path, "bad.geojson.zip", fmt="geojson")
    with pytest.raises(BoundaryDataError, match=r"commune 11001: sectors disagree on region"):
        read_sectors(path, expected_count=4)


def test_overlapping_communes_are_rejected(tmp_path: Path) -> None:
    gdf = _sectors(layout="refnis")
    # a sector of 21004 spills 500 m into its neighbour 11001
    gdf.loc[3, "geometry"] = shapely.union(
        gdf.geometry[3], shapely.box(143_500, 160_000, 144_000, 164_000)
    )
    path = _write_zip(gdf, tmp_path, "overlap.geojson.zip", fmt="geojson")
    with pytest.raises(BoundaryDataError, match=r"communes overlap \(2\.000 km² in total\)"):
        read_sectors(path, expected_count=4)


def test_slivers_between_sectors_are_cleaned(tmp_path: Path) -> None:
    gdf = _sectors(layout="refnis")
    # a 5 cm sliver overlap along a shared commune border (digitising noise)
    gdf.loc[0, "geometry"] = shapely.box(140_000, 160_000, 141_000.05, 164_000)
    path = _write_zip(gdf, tmp_path, "sliver.geojson.zip", fmt="geojson")
    communes = read_sectors(path, expected_count=4)
    assert shapely.coverage_is_valid(communes.geometry.values)
    assert communes.area.sum() == pytest.approx(4 * SIZE**2, rel=1e-6)


def test_invalid_sector_is_repaired_before_the_dissolve(tmp_path: Path) -> None:
    gdf = _sectors(layout="refnis")
    x0, y0, x1, y1 = gdf.geometry[0].bounds
    # a ring that touches itself at one point (invalid) covering the same strip
    gdf.loc[0, "geometry"] = shapely.Polygon(
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, (y0 + y1) / 2), (x0, y0)]
    ).union(shapely.box(x0, y0, x1, y1))
    path = _write_zip(gdf, tmp_path, "ok.geojson.zip", fmt="geojson")
    assert len(read_sectors(path, expected_count=4)) == 4


def test_normalize_derives_missing_hierarchy_from_codes() -> None:
    gdf = _sectors(layout="refnis").drop(
        columns=["cd_dstr_refnis", "cd_prov_refnis", "cd_rgn_refnis", "tx_munty_descr_de"]
    )
    out = normalize_sector_columns(gdf)
    assert out.groupby("nis_code")["region"].first().tolist() == [
        "Flanders",
        "Brussels",
        "Flanders",
        "Wallonia",
    ]
    assert out.groupby("nis_code")["province_nis"].first().tolist() == [
        "10000",
        "04000",
        "40000",
        "60000",
    ]
    # no German column: the local name is used, as Statbel does for non-German communes
    assert out.groupby("nis_code")["name_de"].first()["62063"] == "Liège"
    assert "cd_munty_refnis" in gdf.columns  # input not changed


def test_sectors_file_names_and_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sectors_file_name(2023, epsg=3812) == (
        "sh_statbel_statistical_sectors_3812_20230101.geojson.zip"
    )
    f = statbel_sectors_file("2018")
    assert f.url.startswith("https://statbel.fgov.be/sites/default/files/files/opendata/")
    assert f.url.endswith("/sh_statbel_statistical_sectors_20180101.shp.zip")
    assert [statbel_sectors_file(v).expected_count for v in ("2018", "2019", "2025")] == [
        589,
        581,
        565,
    ]
    monkeypatch.setenv("GEOBARO_STATBEL_URL", "http://127.0.0.1:9/files")
    assert statbel_sectors_file("2025").url == (
        "http://127.0.0.1:9/files/sh_statbel_statistical_sectors_31370_20250101.geojson.zip"
    )
    with pytest.raises(BoundaryDataError, match="no usable entry for vintage '2030'"):
        sectors_file(read_manifest().statbel or {}, "2030")


def test_progress_bar_adapter_is_monotonic_and_throttled() -> None:
    seen: list[tuple[float, str]] = []
    bar = _ProgressBar(lambda f, m: seen.append((f, m)), (0.1, 0.4), "x.zip")
    bar.total = 10_000_000
    for _ in range(2000):
        bar.update(65_536)  # pooch reports whole chunks, more than the total in the end
    bar.reset()
    bar.update(bar.total)
    bar.close()
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0.1
    assert fractions[-1] == pytest.approx(0.4)
    assert len(seen) <= 110  # about one call per percent, not one per chunk
    assert seen[-1][1] == "Downloading x.zip: 10.0 of 10.0 MB"


# --- the REFNIS code changes bundled for the download path -----------------------------------


def test_bundled_code_changes_equal_the_mirror_file(settings: Settings) -> None:
    mirror = pd.read_csv(settings.cache_dir / "raw" / "mergers.csv", dtype=str)
    pd.testing.assert_frame_equal(mergers_frame(), mirror)
    pd.testing.assert_frame_equal(load_mergers(settings), mirror)


# --- the download path against a local HTTP server -------------------------------------------


@dataclass
class _Server:
    """A local HTTP server: path -> (body, mode); counts the requests it answers."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    port: int = 0

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/opendata/{name}"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    """An HTTP server on 127.0.0.1 (free port) serving zips whole, cut off or not at all.

    ``GEOBARO_STATBEL_URL`` points at it, so the manifest's Statbel files are asked from it.
    """
    state = _Server()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            name = self.path.rsplit("/", 1)[-1]
            if name not in state.files:
                self.send_error(404)
                return
            body, mode = state.files[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if mode == "cut":  # announce the whole file, send half, hang up
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            return None

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    monkeypatch.setenv("GEOBARO_STATBEL_URL", f"http://127.0.0.1:{state.port}/opendata")
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def _offline_settings(settings: Settings, tmp_path: Path, *, download: bool) -> Settings:
    return settings.with_(
        cache_dir=tmp_path / "cache",
        mirrors=(tmp_path / "nowhere",),
        allow_download=download,
        shipped_dir=None,  # these tests are about the Statbel path
    )


def _serve(server: _Server, archive: Path, *, mode: str = "whole", count: int = 4) -> SectorsFile:
    server.files[archive.name] = (archive.read_bytes(), mode)
    return SectorsFile(
        year=2018, name=archive.name, url=server.url(archive.name), expected_count=count
    )


def _assert_nothing_cached(cache: Path) -> None:
    assert not (cache / "prepared.json").exists()
    assert not list(cache.glob("*.parquet"))
    statbel = cache / "statbel"
    assert not statbel.exists() or not list(statbel.iterdir())  # no archive, no temp folder


def test_download_is_verified_cached_and_not_repeated(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=True)
    sectors = _serve(server, shp_zip)
    steps: list[tuple[float, str]] = []
    cache = prepare_boundaries(
        settings=isolated, sectors=sectors, progress=lambda f, m: steps.append((f, m))
    )
    # the sectors, then the manifest's population table (not served here: 404)
    assert server.hits == ["/opendata/sectors_2018.shp.zip", "/opendata/TF_SOC_POP_STRUCT_2018.zip"]
    assert (cache / "statbel" / shp_zip.name).read_bytes() == shp_zip.read_bytes()
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert any(m.startswith("Downloading sectors_2018.shp.zip:") for _, m in steps)
    assert steps[-1] == (1.0, "Boundaries ready")

    communes = load_units(settings=isolated)
    assert communes["nis_code"].tolist() == ["11001", "21004", "41002", "62063"]
    assert communes.loc[1, "name_en"] == "Brussels"
    assert communes.loc[3, "name_en"] == "Liège"
    # no population in Statbel's sectors and no mirror here: marked unavailable, not zero
    assert communes["population"].isna().all()
    assert communes["density"].isna().all()
    assert (communes["urban_rural"] == "unknown").all()
    assert communes["area_km2"].to_numpy() == pytest.approx([16.0] * 4)
    provinces = load_units(level="province", settings=isolated)
    assert provinces["nis_code"].tolist() == ["04000", "10000", "40000", "60000"]
    assert provinces["population"].isna().all()
    web = load_units(level="region", web=True, settings=isolated)
    assert web.crs.to_epsg() == 4326
    assert len(web) == 3

    source = read_boundary_source(isolated)
    assert source.kind == "statbel"
    assert source.location == sectors.url
    assert source.unavailable == ("population", "density", "urban_rural")
    text = attribution_text(isolated)
    assert "statistical sectors on 01/01/2018 (sectors_2018.shp.zip), CC BY 4.0" in text
    assert "BelgiumMaps" not in text  # the mirror's geometry was not used
    stamp = json.loads((cache / "prepared.json").read_text(encoding="utf-8"))
    assert stamp["source"]["kind"] == "statbel"

    # a second run, even a forced rebuild, uses the cached archive: no sectors downloaded
    prepare_boundaries(settings=isolated, sectors=sectors, force=True)
    assert server.hits.count("/opendata/sectors_2018.shp.zip") == 1


def test_download_with_population_from_a_mirror(
    server: _Server, geojson_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    partial = tmp_path / "partial-mirror"
    partial.mkdir()
    shutil.copy(settings.cache_dir / "raw" / "population_2018.csv", partial)
    isolated = _offline_settings(settings, tmp_path, download=True).with_(mirrors=(partial,))
    prepare_boundaries(settings=isolated, sectors=_serve(server, geojson_zip))
    communes = load_units(settings=isolated).set_index("nis_code")
    real = load_units(settings=settings).set_index("nis_code")
    codes = ["11001", "21004", "41002", "62063"]
    assert communes.loc[codes, "population"].tolist() == real.loc[codes, "population"].tolist()
    assert set(communes["urban_rural"]) <= {"urban", "rural"}
    assert read_boundary_source(isolated).unavailable == ()
    assert "Population 1 January 2018" in attribution_text(isolated)


def test_cut_off_download_is_rejected_and_not_cached(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=True)
    sectors = _serve(server, shp_zip, mode="cut")
    with pytest.raises(DataUnavailableError, match=r"was cut off") as info:
        prepare_boundaries(settings=isolated, sectors=sectors)
    assert sectors.url in str(info.value)
    _assert_nothing_cached(isolated.cache_dir)


def test_truncated_file_is_rejected_and_not_cached(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    truncated = tmp_path / "served" / shp_zip.name
    truncated.parent.mkdir()
    truncated.write_bytes(shp_zip.read_bytes()[:-200])  # a short file sent with its own length
    isolated = _offline_settings(settings, tmp_path, download=True)
    with pytest.raises(BoundaryDataError, match="not a complete zip archive"):
        prepare_boundaries(settings=isolated, sectors=_serve(server, truncated))
    _assert_nothing_cached(isolated.cache_dir)


def test_wrong_count_download_is_rejected_and_not_cached(
    server: _Server, tmp_path: Path, settings: Settings
) -> None:
    three = _write_zip(_sectors(layout="shp", drop=1), tmp_path, "three.shp.zip", fmt="shp")
    isolated = _offline_settings(settings, tmp_path, download=True)
    with pytest.raises(BoundaryDataError, match="dissolve into 3 communes, expected 4"):
        prepare_boundaries(settings=isolated, sectors=_serve(server, three))
    _assert_nothing_cached(isolated.cache_dir)


def test_checksum_mismatch_download_is_rejected(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=True)
    sectors = _serve(server, shp_zip)
    pinned = SectorsFile(sectors.year, sectors.name, sectors.url, 4, sha256="0" * 64)
    with pytest.raises(BoundaryDataError, match="does not match the manifest's SHA-256"):
        prepare_boundaries(settings=isolated, sectors=pinned)
    _assert_nothing_cached(isolated.cache_dir)


def test_missing_address_gives_the_offline_message(
    server: _Server, tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=True)
    sectors = SectorsFile(2018, "gone.shp.zip", server.url("gone.shp.zip"), 4)
    with pytest.raises(DataUnavailableError, match=r"404") as info:
        prepare_boundaries(settings=isolated, sectors=sectors)
    assert "download http://127.0.0.1" in str(info.value)
    _assert_nothing_cached(isolated.cache_dir)


# --- offline ---------------------------------------------------------------------------------


def test_offline_without_mirror_says_what_to_download_and_where(
    tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=False)
    with pytest.raises(DataUnavailableError) as info:
        prepare_boundaries(settings=isolated)
    message = str(info.value)
    assert "communes_2018.geojson" in message
    assert (
        "https://statbel.fgov.be/sites/default/files/files/opendata/Statistische%20sectoren/"
        "sh_statbel_statistical_sectors_20180101.shp.zip" in message
    )
    assert str(tmp_path / "cache" / "statbel") in message
    assert "GEOBARO_DATA_MIRROR" in message
    assert "GEOBARO_OFFLINE" in message
    assert not (tmp_path / "cache" / "prepared.json").exists()


def test_archive_put_in_a_mirror_by_hand_is_used_offline(
    shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=False).with_(
        mirrors=(shp_zip.parent,)
    )
    sectors = SectorsFile(2018, shp_zip.name, "http://127.0.0.1:9/unused", 4)
    prepare_boundaries(settings=isolated, sectors=sectors)
    assert read_boundary_source(isolated).location == str(shp_zip)
    assert len(load_units(settings=isolated)) == 4


# --- the whole download path at full size ----------------------------------------------------


@pytest.fixture(scope="module")
def real_sectors_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 589 real communes, each cut in two sectors at its centroid, as a 2018 shapefile zip.

    Codes are numbers and Brussels has no province code, as in Statbel's shapefiles.
    """
    gdf = load_units()
    cut = shapely.box(
        gdf.bounds["minx"] - 1, gdf.bounds["miny"] - 1, gdf.centroid.x, gdf.bounds["maxy"] + 1
    )
    halves = (
        shapely.intersection(gdf.geometry.values, cut),
        shapely.difference(gdf.geometry.values, cut),
    )
    region_code = {"Flanders": 2000, "Wallonia": 3000, "Brussels": 4000}
    rows = []
    geoms = []
    for i, row in enumerate(gdf.itertuples()):
        for k, half in enumerate(halves):
            if half[i].is_empty:
                continue
            rows.append(
                {
                    "CS01012018": f"{row.nis_code}A0{k}",
                    "CNIS5_2018": int(row.nis_code),
                    "T_MUN_FR": row.name_fr,
                    "T_MUN_NL": row.name_nl,
                    "T_MUN_DE": row.name_de,
                    "CNIS_ARRD_": int(row.arrondissement_nis),
                    "CNIS_PROVI": None if row.region == "Brussels" else int(row.province_nis),
                    "CNIS_REGIO": region_code[row.region],
                }
            )
            geoms.append(half[i])
    sectors = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:31370")
    assert len(sectors) > 1000
    folder = tmp_path_factory.mktemp("real")
    return _write_zip(sectors, folder, "sh_statbel_statistical_sectors_20180101.shp.zip", fmt="shp")


def test_full_download_path_gives_the_589_communes_and_later_vintages(
    server: _Server,
    real_sectors_zip: Path,
    tmp_path: Path,
    settings: Settings,
    gdf_communes: gpd.GeoDataFrame,
) -> None:
    isolated = _offline_settings(settings, tmp_path, download=True)
    prepare_boundaries(settings=isolated, sectors=_serve(server, real_sectors_zip, count=589))
    communes = load_units(settings=isolated)
    columns = ["nis_code", "name_fr", "name_nl", "name_de", "name_en", "region"]
    columns += ["arrondissement_nis", "province_nis", "nis_2019", "nis_2025"]
    pd.testing.assert_frame_equal(communes[columns].astype(str), gdf_communes[columns].astype(str))
    assert np.allclose(communes["area_km2"], gdf_communes["area_km2"], rtol=1e-9)
    assert communes["population"].isna().all()
    for vintage in ("2019", "2025"):
        units = load_units(vintage=vintage, settings=isolated)  # type: ignore[arg-type]
        official = load_units(vintage=vintage, settings=settings)  # type: ignore[arg-type]
        assert units["nis_code"].tolist() == official["nis_code"].tolist()
        assert units["name_nl"].tolist() == official["name_nl"].tolist()
        assert units["population"].isna().all()
        assert (units["urban_rural"] == "unknown").all()
    assert len(load_units(level="arrondissement", vintage="2025", settings=isolated)) == 43
    web = load_units(web=True, settings=isolated).to_crs(31370)
    assert np.abs(web.area.to_numpy() / communes.area.to_numpy() - 1).max() < 0.01


# --- population from Statbel's population table ----------------------------------------------

POPULATION = {"11001": 14_304, "21004": 176_545, "41002": 85_715, "62063": 197_885}


def _population_zip(folder: Path, *, scale: int = 1, name: str = "pop_2018.zip") -> Path:
    """A Statbel-like TF_SOC_POP_STRUCT zip: several rows (sex) per commune, ``|``-separated."""
    lines = ["CD_REFNIS|TX_DESCR_NL|CD_SEX|MS_POPULATION"]
    for code, total in POPULATION.items():
        women = total // 2
        lines += [f"{code}|x|F|{women * scale}", f"{code}|x|M|{(total - women) * scale}"]
    out = folder / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("TF_SOC_POP_STRUCT_2018.txt", "\ufeff" + "\n".join(lines) + "\n")
    return out


def test_read_population_sums_rows_per_commune(tmp_path: Path) -> None:
    series = read_population(_population_zip(tmp_path), expected_total=sum(POPULATION.values()))
    assert series.to_dict() == POPULATION
    with pytest.raises(BoundaryDataError, match=r"total population 474,449, expected 1"):
        read_population(_population_zip(tmp_path, name="b.zip"), expected_total=1)
    text = tmp_path / "other.txt"
    text.write_text("CD_MUNTY_REFNIS;MS_POPULATION\n11001;4\n", encoding="utf-8")
    assert read_population(text).to_dict() == {"11001": 4}
    text.write_text("NIS;POP\n11001;4\n", encoding="utf-8")
    with pytest.raises(BoundaryDataError, match="lacks CD_REFNIS"):
        read_population(text)


def test_population_downloaded_from_statbel(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    pop_zip = _population_zip(tmp_path)
    server.files[pop_zip.name] = (pop_zip.read_bytes(), "whole")
    population = PopulationFile(
        2018, pop_zip.name, server.url(pop_zip.name), sum(POPULATION.values())
    )
    isolated = _offline_settings(settings, tmp_path, download=True)
    cache = prepare_boundaries(
        settings=isolated, sectors=_serve(server, shp_zip), population=population
    )
    communes = load_units(settings=isolated).set_index("nis_code")
    assert communes["population"].to_dict() == POPULATION
    assert communes["density"].to_numpy() == pytest.approx(
        np.array(list(POPULATION.values())) / 16.0
    )
    assert set(communes["urban_rural"]) == {"urban"}
    assert (cache / "statbel" / pop_zip.name).is_file()
    assert read_boundary_source(isolated).unavailable == ()
    assert "Population 1 January 2018: Statbel, population by place of residence" in (
        attribution_text(isolated)
    )


def test_population_with_a_wrong_total_is_not_used_nor_cached(
    server: _Server,
    shp_zip: Path,
    tmp_path: Path,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pop_zip = _population_zip(tmp_path, scale=2)
    server.files[pop_zip.name] = (pop_zip.read_bytes(), "whole")
    population = PopulationFile(
        2018, pop_zip.name, server.url(pop_zip.name), sum(POPULATION.values())
    )
    isolated = _offline_settings(settings, tmp_path, download=True)
    cache = prepare_boundaries(
        settings=isolated, sectors=_serve(server, shp_zip), population=population
    )
    assert "total population 948,898, expected 474,449" in caplog.text
    assert not (cache / "statbel" / pop_zip.name).exists()
    assert load_units(settings=isolated)["population"].isna().all()
    assert read_boundary_source(isolated).unavailable == ("population", "density", "urban_rural")


def test_detailed_borders_get_a_finer_simplification_instead_of_failing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from geobaro.data.units import _simplify_within_area

    xs = np.linspace(0, 1000, 41)
    zigzag = [(x, 500 + (15 if i % 2 else -15)) for i, x in enumerate(xs)]
    south = shapely.Polygon([(0, 0), (1000, 0), *zigzag[::-1]])
    north = shapely.Polygon([*zigzag, (1000, 1000), (0, 1000)])
    gdf = gpd.GeoDataFrame(geometry=[south, north], crs="EPSG:31370")
    out = _simplify_within_area(gdf, 200.0)  # 200 m moves 3% of an area; 100 m does not
    assert "retrying at 100 m" in caplog.text
    assert np.abs(out.area.to_numpy() / gdf.area.to_numpy() - 1).max() <= 0.01
    with pytest.raises(BoundaryDataError, match="lower the tolerance"):
        _simplify_within_area(gdf, 2000.0)


def test_a_later_vintage_read_with_its_own_geometry(
    server: _Server, geojson_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    from geobaro.data.boundaries import load_statbel_communes

    isolated = _offline_settings(settings, tmp_path, download=True)
    sectors = _serve(server, geojson_zip)
    communes = load_statbel_communes("2025", settings=isolated, sectors=sectors)
    assert communes["nis_code"].tolist() == ["11001", "21004", "41002", "62063"]
    assert (isolated.cache_dir / "statbel" / geojson_zip.name).is_file()
    offline = isolated.with_(allow_download=False)
    assert len(load_statbel_communes("2025", settings=offline, sectors=sectors)) == 4
    assert len(server.hits) == 1
    with pytest.raises(DataUnavailableError, match=r"sh_statbel_statistical_sectors_31370_2025"):
        load_statbel_communes("2025", settings=offline)


def test_a_mirror_is_preferred_and_nothing_is_downloaded(
    server: _Server, shp_zip: Path, tmp_path: Path, settings: Settings
) -> None:
    mirror = tmp_path / "mirror"
    shutil.copytree(settings.cache_dir / "raw", mirror)
    isolated = _offline_settings(settings, tmp_path, download=True).with_(mirrors=(mirror,))
    prepare_boundaries(settings=isolated, sectors=_serve(server, shp_zip))
    assert server.hits == []
    source = read_boundary_source(isolated)
    assert source.kind == "mirror"
    assert source.location == str(mirror)
    assert attribution_text(isolated) == "\n".join(read_manifest().attribution)


def test_polygons_with_heights_are_read_as_2d(tmp_path: Path) -> None:
    gdf = _sectors(layout="shp")
    gdf.geometry = shapely.force_3d(gdf.geometry.values, 0.0)
    path = _write_zip(gdf, tmp_path, "z.shp.zip", fmt="shp")
    communes = read_sectors(path, expected_count=4)
    assert not communes.has_z.any()
    assert communes.area.sum() == pytest.approx(4 * SIZE**2)
