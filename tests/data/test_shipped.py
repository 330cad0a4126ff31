"""Tests of the web boundaries shipped in the package and of their prebuilt topologies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geobaro._io import file_sha256
from geobaro.config import Settings
from geobaro.data.boundaries import (
    attribution_text,
    load_units,
    prepare_boundaries,
    read_boundary_source,
    read_manifest,
)
from geobaro.data.cache import _stamp
from geobaro.data.manifest import STAMP, WEB_TABLE
from geobaro.data.rebuild import build_shipped, web_frames
from geobaro.data.shipped import SHIPPED_FILES, SOURCES_FILE, TOPOLOGY_FILE, verified_shipped
from geobaro.data.topologies import _lookup_disabled, prebuilt_topology
from geobaro.errors import DataUnavailableError

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "geobaro" / "data" / "files"


def _shipped_only(settings: Settings, tmp_path: Path, shipped: Path = SHIPPED) -> Settings:
    """No cache, no mirror, no download: only the shipped files."""
    return settings.with_(
        cache_dir=tmp_path / "cache",
        mirrors=(tmp_path / "nowhere",),
        allow_download=False,
        shipped_dir=shipped,
    )


def test_shipped_files_are_intact_small_and_attributed(settings: Settings) -> None:
    stamp = json.loads((SHIPPED / STAMP).read_text(encoding="utf-8"))
    assert set(stamp["files"]) == set(SHIPPED_FILES)
    for name, entry in stamp["files"].items():
        assert file_sha256(SHIPPED / name) == entry["sha256"], name
        assert (SHIPPED / name).stat().st_size == entry["bytes"]
    total = sum((SHIPPED / name).stat().st_size for name in SHIPPED_FILES)
    assert total < 3_000_000
    manifest = read_manifest(settings)
    # the attribution shown with every map is the mirror's, word for word
    assert tuple(stamp["source"]["attribution"]) == manifest.attribution
    assert stamp["source"]["kind"] == "shipped"
    assert (SHIPPED / SOURCES_FILE).read_bytes() == (
        settings.cache_dir / "raw" / SOURCES_FILE
    ).read_bytes()
    assert verified_shipped(settings.with_(shipped_dir=SHIPPED), _stamp(manifest, settings))


def test_shipped_files_alone_give_the_same_web_units_and_attribution(
    settings: Settings, tmp_path: Path
) -> None:
    only = _shipped_only(settings, tmp_path)
    assert prepare_boundaries(settings=only) == SHIPPED
    assert not (tmp_path / "cache").exists()  # nothing written, nothing downloaded
    for vintage in ("2018", "2025"):
        for level in ("commune", "province"):
            assert_geodataframe_equal(
                load_units(level=level, vintage=vintage, web=True, settings=only),
                load_units(level=level, vintage=vintage, web=True, settings=settings),
            )
    assert attribution_text(only) == attribution_text(settings)
    source = read_boundary_source(only)
    assert (source.kind, source.unavailable) == ("shipped", ())


def test_full_resolution_falls_back_to_the_shipped_geometry_with_a_warning(
    settings: Settings, tmp_path: Path, gdf_communes: gpd.GeoDataFrame
) -> None:
    only = _shipped_only(settings, tmp_path)
    with pytest.warns(UserWarning, match=r"data prepare --full"):
        communes = load_units(settings=only)
    assert communes.crs.to_epsg() == 31370
    table = communes.drop(columns="geometry")
    assert table.equals(gdf_communes.drop(columns="geometry"))
    # simplified borders, within 1% of each commune's area
    ratio = communes.area / gdf_communes.area
    assert ((ratio - 1).abs() < 0.01).all()


def test_full_resolution_is_built_from_the_mirror_when_there_is_one(
    settings: Settings, tmp_path: Path
) -> None:
    with_mirror = settings.with_(cache_dir=tmp_path / "cache", allow_download=False)
    assert prepare_boundaries(settings=with_mirror) == with_mirror.shipped_dir
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        folder = prepare_boundaries(settings=with_mirror, full=True)
    assert folder == tmp_path / "cache"
    assert (folder / "communes_2018.parquet").is_file()
    assert read_boundary_source(with_mirror).kind == "mirror"


def test_damaged_shipped_files_are_not_used(settings: Settings, tmp_path: Path) -> None:
    copy = tmp_path / "shipped"
    shutil.copytree(SHIPPED, copy)
    table = copy / WEB_TABLE
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))
    with pytest.raises(DataUnavailableError) as info:
        prepare_boundaries(settings=_shipped_only(settings, tmp_path, copy))
    message = str(info.value)
    # one short message, not a wall of text
    assert len(message.splitlines()) <= 3
    assert "GEOBARO_DATA_MIRROR" in message
    assert "GEOBARO_OFFLINE" in message


def test_shipped_files_made_for_other_settings_are_not_used(
    settings: Settings, tmp_path: Path
) -> None:
    other = _shipped_only(settings, tmp_path).with_(simplify_tolerance_m=30.0)
    with pytest.raises(DataUnavailableError):
        prepare_boundaries(settings=other)


@pytest.mark.slow
def test_rebuild_from_the_mirror_gives_the_shipped_files(
    settings: Settings, tmp_path: Path
) -> None:
    from geobaro.maps import build_topology

    stamp = build_shipped(tmp_path / "rebuilt", build_topology=build_topology, settings=settings)
    shipped = json.loads((SHIPPED / STAMP).read_text(encoding="utf-8"))
    assert {k: v for k, v in stamp.items() if k != "files"} == {
        k: v for k, v in shipped.items() if k != "files"
    }
    for name in (TOPOLOGY_FILE, SOURCES_FILE):
        assert stamp["files"][name] == shipped["files"][name], name
    # GeoParquet bytes depend on the pyarrow version; its content must not
    assert_geodataframe_equal(
        gpd.read_parquet(tmp_path / "rebuilt" / WEB_TABLE), gpd.read_parquet(SHIPPED / WEB_TABLE)
    )


def test_prebuilt_topologies_are_what_the_maps_builder_makes_now(settings: Settings) -> None:
    """A topology found by geometry must be the one the map would build (else rebuild them)."""
    import importlib

    from geobaro.maps import build_topology

    # the maps builder keeps topologies in memory by geometry: start from an empty memory
    memory = getattr(importlib.import_module(build_topology.__module__), "_TOPO_CACHE", None)
    if memory is not None:
        memory.clear()
    for name, gdf in web_frames(settings).items():
        prebuilt = prebuilt_topology(gdf.geometry.values, settings=settings)
        assert prebuilt is not None, name
        with _lookup_disabled():
            fresh = build_topology(gdf)
        assert json.dumps(prebuilt, sort_keys=True) == json.dumps(fresh, sort_keys=True), name


def test_no_prebuilt_topology_for_other_geometry(settings: Settings) -> None:
    units = load_units(level="province", web=True, settings=settings)
    assert prebuilt_topology(units.geometry.values[:5], settings=settings) is None
    assert prebuilt_topology(units.geometry.values[::-1], settings=settings) is None


def _run_cli(tmp_path: Path, *extra_env: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        "GEOBARO_CACHE_DIR": str(tmp_path / "cache"),
        "GEOBARO_NO_DEFAULT_MIRROR": "1",
        "GEOBARO_OFFLINE": "1",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(SHIPPED.parents[2]),  # this checkout's sources
        **dict(extra_env),
    }
    return subprocess.run(
        [sys.executable, "-m", "geobaro", "data", "prepare"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


def test_cli_prepare_offline_uses_the_shipped_files(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "(shipped, web resolution)" in proc.stdout
    assert "{'2018': 589, '2019': 581, '2025': 565}" in proc.stdout
    assert proc.stderr == ""


def test_cli_prepare_offline_without_anything_is_one_short_message(tmp_path: Path) -> None:
    proc = _run_cli(tmp_path, ("GEOBARO_NO_SHIPPED", "1"))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    # after the progress line, three lines: what is missing, where it was looked for, what to do
    message = proc.stderr[proc.stderr.index("error:") :].strip().splitlines()
    assert len(message) == 3, proc.stderr
    assert message[0] == "error: The commune boundary files are not available."
