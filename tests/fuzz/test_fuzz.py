"""Run each atheris harness of this folder for a bounded number of inputs (seconds in CI)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
HARNESSES = sorted(HERE.glob("fuzz_*.py"))
RUNS = 1000


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris not installed")
@pytest.mark.parametrize("harness", HARNESSES, ids=lambda p: p.stem)
def test_harness_finds_no_crash(harness: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "seeds", corpus)  # libFuzzer adds to its corpus: keep seeds clean
    cmd = [
        sys.executable,
        str(harness),
        f"-atheris_runs={RUNS}",
        "-timeout=60",
        "-rss_limit_mb=3000",
        f"-artifact_prefix={tmp_path}/",
        str(corpus),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    crashes = sorted(p.name for p in tmp_path.glob("*-*") if p.is_file())
    assert proc.returncode == 0, f"{crashes}\n{proc.stderr[-4000:]}"
    assert f"Done {RUNS} " in proc.stderr, proc.stderr[-2000:]
