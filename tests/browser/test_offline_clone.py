"""A fresh clone with no network, no mirror and no cache draws the explore map in Chromium.

The clone is ``git clone`` of this repository's committed HEAD into a temporary folder, run
with this virtual environment's Python and the clone's own sources first. With
``GEOBARO_NO_DEFAULT_MIRROR=1`` and ``GEOBARO_OFFLINE=1`` the only boundary data it has are
the files shipped in the package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import (
    MAP_IFRAME,
    REPO,
    RunningApp,
    Watched,
    free_port,
    snap,
    wait_for_paths,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# variables that would let the clone find data other than its shipped files
_DATA_VARIABLES = (
    "GEOBARO_CACHE_DIR",
    "GEOBARO_DATA_DIR",
    "GEOBARO_DATA_MIRROR",
    "GEOBARO_NO_SHIPPED",
    "GEOBARO_STATBEL_URL",
)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``git clone`` of the committed HEAD, without the (git-ignored) boundary cache."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    dest = tmp_path_factory.mktemp("clone") / "geobaro"
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(REPO), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "--quiet", head], check=True)
    assert not (dest / "data" / "shapes" / "cache").exists()
    assert (dest / "src" / "geobaro" / "data" / "files" / "prepared.json").is_file()
    return dest


@pytest.fixture(scope="module")
def offline_app(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """``streamlit run streamlit_app.py`` in the clone, offline, without mirror or cache."""
    env = {k: v for k, v in os.environ.items() if k not in _DATA_VARIABLES}
    env.update(
        GEOBARO_NO_DEFAULT_MIRROR="1",
        GEOBARO_OFFLINE="1",
        PYTHONPATH=str(clone / "src"),
        PYTHONUNBUFFERED="1",
    )
    port = free_port()
    log_path = tmp_path_factory.mktemp("logs") / f"streamlit-clone-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
    ]
    started = time.perf_counter()
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=clone, stdout=out, stderr=subprocess.STDOUT, env=env)
    app = RunningApp(process=proc, port=port, log_path=log_path, started_at=started)
    try:
        _wait_healthy(app, timeout=90)
        yield app
    finally:
        app.stop()


def test_fresh_offline_clone_draws_the_explore_map(
    clone: Path, offline_app: RunningApp, watched: Watched
) -> None:
    outside: list[str] = []
    page = watched.page
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith((offline_app.base_url, "data:", "blob:", "about:"))
            and "127.0.0.1" not in r.url
            else None
        ),
    )
    page.goto(offline_app.url(view="explore", level="commune", indicator="feels_concerned"))
    wait_idle(page)
    counts = wait_for_paths(page, at_least=589, timeout=90)
    assert counts[0] == 589
    snap(page, "offline-clone-explore")
    # the attribution with the map is the mirror's, word for word
    frame = page.query_selector(MAP_IFRAME).content_frame()
    assert "Statbel" in frame.inner_text(".leaflet-control-attribution")
    manifest = json.loads((clone / "data" / "shapes" / "manifest.json").read_text("utf-8"))
    body = page.inner_text("body")
    for line in manifest["attribution"]:
        assert line in body
    assert outside == []
    assert watched.page_errors == []
    log = offline_app.log_text()
    assert "Traceback" not in log
    assert page.locator("[data-testid='stException']").count() == 0
    assert "boundaries are not available" not in page.inner_text("body")
    # nothing was downloaded and no cache was needed: the shipped files were enough
    assert not (clone / "data" / "shapes" / "cache" / "prepared.json").exists()


def _wait_healthy(app: RunningApp, *, timeout: float) -> None:
    deadline = app.started_at + timeout
    while time.perf_counter() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{app.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(app.base_url + "_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"streamlit not healthy after {timeout} s:\n{app.log_text()[-3000:]}")
