"""Tests of the command line's data commands (prepare, info, build-shipped)."""

from __future__ import annotations

import pytest

from geobaro.cli import build_parser, main
from geobaro.config import Settings


def test_data_prepare_takes_full_and_force() -> None:
    args = build_parser().parse_args(["data", "prepare", "--full", "--force"])
    assert (args.command, args.action, args.full, args.force) == ("data", "prepare", True, True)
    args = build_parser().parse_args(["data", "prepare"])
    assert (args.full, args.force) == (False, False)


def test_data_build_shipped_takes_an_output_folder() -> None:
    args = build_parser().parse_args(["data", "build-shipped", "--out", "x"])
    assert (args.action, args.out) == ("build-shipped", "x")


def test_data_info_names_the_manifest_files_and_the_source(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "info"]) == 0
    out = capsys.readouterr().out
    assert "communes_2018.geojson  sha256=" in out
    assert "prepared from: mirror" in out


def test_data_prepare_reports_what_is_ready(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "prepare"]) == 0
    out = capsys.readouterr().out
    assert "boundaries ready in" in out
    assert "{'2018': 589, '2019': 581, '2025': 565}" in out
    # the prepared cache holds the topologies too, so the first map need not build them
    assert (settings.cache_dir / "topologies.zip").is_file()
