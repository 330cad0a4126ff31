"""Cold start: ``streamlit run streamlit_app.py`` to the first commune map drawn, before and after.

Usage::

    python benchmarks/cold_start.py [--before REV] [--repeats 3] [--json PATH]

"Before" is a checkout of ``REV`` in a temporary git worktree (default: the parent of the
first commit whose subject starts with ``cold start:``); "after" is this checkout as it is on
disk. Both run with this virtual environment's Python, their own sources first, and the same
prepared boundary cache (``GEOBARO_CACHE_DIR``), so only the code differs. Each side is started
once untimed (byte-compiling its sources, warming the OS file cache), then the timed starts
alternate before/after so that both see the same machine load. A start is timed from
``Popen`` to the 589th commune path drawn in a new headless Chromium page opened as soon as
``/_stcore/health`` answers. The table goes to stdout (Markdown) and the raw timings to
``--json`` (default ``test-artefacts/benchmark/cold_start.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "browser"))

from harness import (  # noqa: E402
    MAP_IFRAME,
    RunningApp,
    free_port,
    launch_chromium,
    wait_for_paths,
)

log = logging.getLogger("cold_start")
QUERY = "?view=explore&level=commune&indicator=feels_concerned"
TARGET_S = 2.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=None, help="git revision of the 'before' side")
    parser.add_argument("--repeats", type=int, default=3, help="timed cold starts per side")
    parser.add_argument(
        "--json", default=str(REPO / "test-artefacts" / "benchmark" / "cold_start.json")
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    before_rev = args.before or _default_before()
    cache = _prepared_cache()
    art = Path(args.json).parent
    art.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    load: list[float] = []
    with _worktree(before_rev) as before_dir, launch_chromium() as browser:
        sides = {"before": before_dir, "after": REPO}
        for name, folder in sides.items():
            log.info("warm-up start (%s, untimed)", name)
            _cold_start(browser, folder, cache, art)
        for attempt in range(args.repeats):
            for name, folder in sides.items():
                load.append(os.getloadavg()[0])
                timing = _cold_start(browser, folder, cache, art)
                results[name].append(timing)
                log.info(
                    "%s %d: healthy %.2f s, map iframe %.2f s, 589 paths %.2f s, CPU %.2f s",
                    name,
                    attempt + 1,
                    timing["healthy_s"],
                    timing["iframe_s"],
                    timing["drawn_s"],
                    timing["server_cpu_s"],
                )
    report = {
        "before_rev": before_rev,
        "after_rev": _git("rev-parse", "HEAD") + (" + working tree" if _dirty() else ""),
        "machine": _machine(),
        "load_average_1min": load,
        "runs": results,
    }
    Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    sys.stdout.write(_table(report) + "\n")
    return 0


def _cold_start(browser: Any, folder: Path, cache: Path, art: Path) -> dict[str, float]:
    """Start the app in ``folder``, open the commune map, stop; return the phase times."""
    app = _start(folder, cache, art)
    try:
        healthy = time.perf_counter() - app.started_at
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(app.base_url + QUERY)
            page.wait_for_selector(MAP_IFRAME, state="attached", timeout=120_000)
            iframe = time.perf_counter() - app.started_at
            wait_for_paths(page, at_least=589, timeout=120)
            drawn = time.perf_counter() - app.started_at
            cpu = _cpu_seconds(app.process.pid)
        finally:
            page.close()
    finally:
        app.stop()
    return {"healthy_s": healthy, "iframe_s": iframe, "drawn_s": drawn, "server_cpu_s": cpu}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server and its children have used so far."""
    import psutil

    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def _start(folder: Path, cache: Path, art: Path) -> RunningApp:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBARO_")}
    env.update(
        GEOBARO_CACHE_DIR=str(cache),
        PYTHONPATH=str(folder / "src"),
        PYTHONUNBUFFERED="1",
    )
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
    log_path = art / f"cold-start-{folder.name}-{port}.log"
    started = time.perf_counter()
    with log_path.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=folder, stdout=out, stderr=subprocess.STDOUT, env=env)
    app = RunningApp(process=proc, port=port, log_path=log_path, started_at=started)
    while time.perf_counter() - started < 120:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{app.log_text()[-3000:]}")
        try:
            with urllib.request.urlopen(app.base_url + "_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return app
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    app.stop()
    raise RuntimeError(f"streamlit not healthy:\n{app.log_text()[-3000:]}")


@contextlib.contextmanager
def _worktree(rev: str) -> Iterator[Path]:
    """A detached git worktree of ``rev`` in a temporary folder, removed afterwards."""
    parent = Path(tempfile.mkdtemp(prefix="geobaro-before-"))
    folder = parent / "geobaro"
    _git("worktree", "add", "--detach", "--quiet", str(folder), rev)
    try:
        yield folder
    finally:
        _git("worktree", "remove", "--force", str(folder))
        with contextlib.suppress(OSError):
            parent.rmdir()


def _default_before() -> str:
    first = _git("log", "--reverse", "--format=%H", "--grep=^cold start:", "HEAD").split()
    if not first:
        raise SystemExit("no commit 'cold start: ...' in the history; pass --before REV")
    return _git("rev-parse", f"{first[0]}^")


def _prepared_cache() -> Path:
    """The cache both sides read: this checkout's, prepared from the mirror if need be."""
    sys.path.insert(0, str(REPO / "src"))
    from geobaro.config import get_settings
    from geobaro.data.boundaries import prepare_boundaries

    settings = get_settings()
    prepare_boundaries(settings=settings, full=True)
    return settings.cache_dir


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _dirty() -> bool:
    return bool(_git("status", "--porcelain", "--untracked-files=no"))


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }


def _table(report: dict[str, Any]) -> str:
    def med(side: str, key: str) -> float:
        return statistics.median(run[key] for run in report["runs"][side])

    def runs(side: str) -> str:
        return " / ".join(f"{run['drawn_s']:.2f}" for run in report["runs"][side])

    after = med("after", "drawn_s")
    lines = [
        "| | before | after |",
        "| --- | --- | --- |",
        f"| revision | `{report['before_rev'][:10]}` | `{report['after_rev'][:10]}` |",
        f"| `streamlit run` -> 589 paths drawn, median | {med('before', 'drawn_s'):.2f} s | "
        f"{after:.2f} s |",
        f"| each timed start | {runs('before')} s | {runs('after')} s |",
        f"| server healthy (median) | {med('before', 'healthy_s'):.2f} s | "
        f"{med('after', 'healthy_s'):.2f} s |",
        f"| map iframe attached (median) | {med('before', 'iframe_s'):.2f} s | "
        f"{med('after', 'iframe_s'):.2f} s |",
        f"| server CPU time until drawn (median; user + system) | "
        f"{med('before', 'server_cpu_s'):.2f} s | {med('after', 'server_cpu_s'):.2f} s |",
        f"| target <= {TARGET_S} s | | {'met' if after <= TARGET_S else 'not met'} |",
    ]
    loads = report["load_average_1min"]
    lines.append("")
    lines.append(
        f"Load average (1 min) during the timed starts: {min(loads):.1f}-{max(loads):.1f}."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
