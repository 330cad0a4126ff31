"""Prepared web units (issue 15, cold start): ``data prepare`` writes the EPSG:4326 units of
every level and vintage, and loading reads them: the very frames it would build, never
those of other boundaries or settings."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geobaro.config import Settings
from geobaro.data import cache
from geobaro.data.cache import WEB_UNITS_DIR, web_units_path, write_web_units
from geobaro.data.manifest import _MERGERS_FILE, STAMP, WEB_TABLE
from geobaro.data.topologies import prebuilt_topology
from geobaro.vocabulary import LEVELS, VINTAGES


@pytest.fixture
def folder(settings: Settings, tmp_path: Path) -> Path:
    """A prepared folder of its own: the cache's stamp, simplified table and mergers."""
    out = tmp_path / "prepared"
    (out / "raw").mkdir(parents=True)
    for name in (STAMP, WEB_TABLE):
        shutil.copyfile(settings.cache_dir / name, out / name)
    mergers = settings.cache_dir / "raw" / _MERGERS_FILE
    if mergers.is_file():
        shutil.copyfile(mergers, out / "raw" / _MERGERS_FILE)
    return out


def _load(folder: Path, level: str, vintage: str, settings: Settings) -> gpd.GeoDataFrame:
    cache._load_cached.cache_clear()
    try:
        return cache._load_cached(level, vintage, True, folder, settings)
    finally:
        cache._load_cached.cache_clear()


def test_prepared_units_are_the_units_built(folder: Path, settings: Settings) -> None:
    built = {(lv, v): _load(folder, lv, v, settings) for v in VINTAGES for lv in LEVELS}
    written = write_web_units(folder, settings, LEVELS, VINTAGES)
    assert len(written) == len(LEVELS) * len(VINTAGES)
    assert all(p.is_file() for p in written)
    for (level, vintage), expected in built.items():
        read = _load(folder, level, vintage, settings)
        assert_geodataframe_equal(read, expected, check_less_precise=False)
        assert read.attrs == expected.attrs
        assert read.crs == "EPSG:4326"
        # the same geometry, byte for byte: the prebuilt topologies find it
        assert read.geometry.to_wkb().equals(expected.geometry.to_wkb())
    communes = _load(folder, "commune", "2018", settings)
    assert prebuilt_topology(communes.geometry.values, settings=settings) is not None


def test_loading_reads_the_prepared_units(
    folder: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_web_units(folder, settings, ["commune"], ["2018"])

    def no_build(*args: object) -> gpd.GeoDataFrame:
        raise AssertionError("built instead of read")

    monkeypatch.setattr(cache, "_build_units", no_build)
    assert len(_load(folder, "commune", "2018", settings)) == 589
    with pytest.raises(AssertionError, match="built instead of read"):
        _load(folder, "region", "2018", settings)  # not prepared: built


def test_units_of_other_boundaries_or_settings_are_not_read(
    folder: Path, settings: Settings
) -> None:
    path = web_units_path(folder, "commune", "2018", settings)
    assert path is not None
    other_rounding = settings.with_(web_decimals=settings.web_decimals - 1)
    assert web_units_path(folder, "commune", "2018", other_rounding) != path
    assert web_units_path(folder, "region", "2018", settings) != path
    assert web_units_path(folder, "commune", "2025", settings) != path
    table = (folder / WEB_TABLE).read_bytes()
    (folder / WEB_TABLE).write_bytes(table + b"\0")  # other bytes: another name
    assert web_units_path(folder, "commune", "2018", settings) != path
    (folder / WEB_TABLE).write_bytes(table)
    stamp = (folder / STAMP).read_text(encoding="utf-8")
    (folder / STAMP).write_text(stamp.replace('"version": 1', '"version": 2'), encoding="utf-8")
    assert web_units_path(folder, "commune", "2018", settings) != path
    (folder / STAMP).unlink()
    assert web_units_path(folder, "commune", "2018", settings) is None


def test_stale_files_are_removed_and_current_ones_kept(folder: Path, settings: Settings) -> None:
    [region] = write_web_units(folder, settings, ["region"], ["2018"])
    stale = folder / WEB_UNITS_DIR / "2018-commune-00000000000000000000.parquet"
    stale.write_bytes(b"not parquet")
    [current] = write_web_units(folder, settings, ["commune"], ["2018"])
    assert not stale.exists()
    assert region.is_file()  # another level's current file stays
    before = current.stat().st_mtime_ns
    assert write_web_units(folder, settings, ["commune"], ["2018"]) == [current]
    assert current.stat().st_mtime_ns == before  # kept, not written again


def test_a_damaged_file_is_not_used(
    folder: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    built = _load(folder, "commune", "2018", settings)
    [path] = write_web_units(folder, settings, ["commune"], ["2018"])
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    with caplog.at_level(logging.WARNING, logger="geobaro.data.cache"):
        assert_geodataframe_equal(_load(folder, "commune", "2018", settings), built)
    assert "ignoring unreadable web units" in caplog.text
