"""Start the Streamlit app and headless Chromium; count what the map draws.

Shared by the browser tests (``tests/browser/conftest.py``) and the benchmark
(``benchmarks/run.py``). Needs only the repository, its virtual environment and
``/usr/bin/chromium``; never downloads a browser.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "ARTEFACTS",
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "MAP_IFRAME",
    "PATHS",
    "REPO",
    "RunningApp",
    "Watched",
    "count_map_paths",
    "free_port",
    "launch_chromium",
    "map_frames",
    "snap",
    "start_app",
    "wait_for_paths",
    "wait_idle",
]

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
#: Screenshots and server logs of the browser tests (git-ignored).
ARTEFACTS = REPO / "test-artefacts" / "browser"
CHROMIUM = os.environ.get("GEOBARO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
#: The iframe the app draws a map page in (its component, `geobaro.app.draw`).
MAP_IFRAME = 'iframe[title="geobaro.app.draw.geobaro_map"]'
#: The SVG paths Leaflet draws for interactive polygons.
PATHS = "path.leaflet-interactive"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RunningApp:
    """A ``streamlit run streamlit_app.py`` process on localhost."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    started_at: float

    @property
    def base_url(self) -> str:
        """Address of the app's page."""
        return f"http://127.0.0.1:{self.port}/"

    def url(self, **query: str | int) -> str:
        """Address of the app's page with these query parameters (the shared-link form)."""
        return self.base_url + ("?" + urlencode(query) if query else "")

    def log_text(self) -> str:
        """What the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the server (this process only) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@dataclass
class Watched:
    """A page with every dialog, console error and page error it raised."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def start_app(
    *,
    log_dir: Path,
    port: int | None = None,
    timeout: float = 60.0,
    env: dict[str, str] | None = None,
) -> RunningApp:
    """Start the app headless on a free localhost port; return once ``/_stcore/health`` is ok.

    Raises
    ------
    RuntimeError
        If the server exits or is not healthy within ``timeout`` seconds; the message holds
        the end of its log.
    """
    port = port or free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"streamlit-{port}.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "streamlit_app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
    ]
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    started = time.perf_counter()
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=full_env)
    app = RunningApp(process=proc, port=port, log_path=log_path, started_at=started)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"streamlit exited with {proc.returncode}:\n{app.log_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(app.base_url + "_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return app
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    app.stop()
    raise RuntimeError(f"streamlit not healthy after {timeout} s:\n{app.log_text()[-3000:]}")


_PLAYWRIGHT: list[Any] = []


def _playwright() -> Any:
    """Return the one Playwright driver of this process (sync API allows only one at a time)."""
    if not _PLAYWRIGHT:
        from playwright.sync_api import sync_playwright

        driver = sync_playwright().start()
        atexit.register(driver.stop)
        _PLAYWRIGHT.append(driver)
    return _PLAYWRIGHT[0]


@contextlib.contextmanager
def launch_chromium(*, cpus: set[int] | None = None) -> Iterator[Any]:
    """Yield a Playwright ``Browser`` running Debian's headless Chromium.

    ``cpus``: run the browser and its renderers on these CPUs only (``taskset``). A load test
    opens many pages on the server's own cores; visitors' browsers do not run on the server,
    so the test keeps them off a core the server has to itself.
    """
    with tempfile.TemporaryDirectory(prefix="geobaro-chromium-") as tmp:
        executable = CHROMIUM
        if cpus:
            wrapper = Path(tmp) / "chromium"
            cpu_list = ",".join(str(int(cpu)) for cpu in sorted(cpus))
            wrapper.write_text(f'#!/bin/sh\nexec taskset -c {cpu_list} "{CHROMIUM}" "$@"\n')
            wrapper.chmod(0o755)
            executable = str(wrapper)
        browser = _playwright().chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def map_frames(page: Any) -> list[Any]:
    """Return the frames of every map on the page, in document order."""
    frames = []
    for handle in page.query_selector_all(MAP_IFRAME):
        frame = handle.content_frame()
        if frame is not None:
            frames.append(frame)
    return frames


def count_map_paths(page: Any) -> list[int]:
    """Number of Leaflet polygon paths drawn in each map of the page."""
    counts = []
    for frame in map_frames(page):
        try:
            counts.append(int(frame.evaluate(f"document.querySelectorAll('{PATHS}').length")))
        except Exception:
            counts.append(0)
    return counts


def wait_for_paths(
    page: Any, *, at_least: int, maps: int = 1, timeout: float = 60.0, stable: float = 0.0
) -> list[int]:
    """Wait until ``maps`` maps each draw at least ``at_least`` paths; return the counts.

    With ``stable`` > 0, also wait until the counts have not changed for that many seconds
    (a Streamlit rerun may replace a map that was already drawn).

    Raises
    ------
    TimeoutError
        With the last counts seen.
    """
    deadline = time.perf_counter() + timeout
    counts: list[int] = []
    since = time.perf_counter()
    last: list[int] = []
    while time.perf_counter() < deadline:
        counts = count_map_paths(page)
        if counts != last:
            last, since = counts, time.perf_counter()
        done = len(counts) >= maps and all(c >= at_least for c in counts[:maps])
        if done and time.perf_counter() - since >= stable:
            return counts
        page.wait_for_timeout(50)
    raise TimeoutError(f"expected {maps} map(s) with >= {at_least} paths, saw {counts}")


def wait_idle(page: Any, *, timeout: float = 60_000) -> None:
    """Wait until the Streamlit script run has finished (twice, to let a rerun start)."""
    selector = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    page.wait_for_selector(selector, timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector(selector, timeout=timeout)


def snap(page: Any, name: str, *, folder: Path = ARTEFACTS) -> Path:
    """Save a full-page screenshot ``<folder>/<name>.png``; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
