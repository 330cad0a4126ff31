"""Cold start: ``streamlit run streamlit_app.py`` to the first commune map drawn, before and after.

Usage::

    python benchmarks/cold_start.py [--before REV] [--repeats 3] [--json PATH]

"Before" is a checkout of ``REV`` in a temporary git worktree (default: the parent of the
first commit whose subject starts with ``cold start:``); "after" is this checkout as it is on
disk; "after, without prebuilt topologies" is this checkout with a copy of the cache that has
no ``topologies.zip`` and ``GEOBARO_NO_SHIPPED=1``: the change measured alone, since "before"
also lacks whatever else landed since. All run with this virtual environment's Python and
their own sources first; the server packages Streamlit takes when present (``httptools``,
``uvloop``) are hidden from a side whose ``requirements.txt`` does not list them. Each side's
sources are byte-compiled (``compileall``: the environment may set
``PYTHONDONTWRITEBYTECODE``, and then no start would write them), and each side is started
once untimed (warming the OS file cache), then the timed starts alternate
between the sides so that all see the same machine load. A start is timed from ``Popen`` to
the 589th commune path drawn in a new headless Chromium page opened as soon as
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
import re
import shutil
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
    PATHS,
    RunningApp,
    free_port,
    launch_chromium,
)

log = logging.getLogger("cold_start")
QUERY = "?view=explore&level=commune&indicator=feels_concerned"
TARGET_S = 2.5
#: Packages Streamlit's server takes when they can be imported (uvicorn's "auto" choices).
OPTIONAL_SERVER_PACKAGES = ("httptools", "uvloop")
# the map's iframe: this checkout's, or st_folium's in revisions before the app drew its own
MAP_FRAMES = ", ".join(dict.fromkeys([MAP_IFRAME, 'iframe[title="streamlit_folium.st_folium"]']))


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
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": [], "no_prebuilt": []}
    load: list[float] = []
    with (
        _worktree(before_rev) as before_dir,
        _cache_without_topologies(cache) as bare,
        _without_packages(_not_required(before_dir, REPO)) as hidden,
        launch_chromium() as browser,
    ):
        # "no_prebuilt": this checkout without prebuilt topologies (the change alone)
        sides = {
            # without the server packages its requirements did not have (see _not_required)
            "before": (before_dir, cache, {"GEOBARO_BENCH_PATH": hidden}),
            "after": (REPO, cache, {}),
            "no_prebuilt": (REPO, bare, {"GEOBARO_NO_SHIPPED": "1"}),
        }
        for name, (folder, data, extra) in sides.items():
            # as on a deployed server, every side's sources are byte-compiled once (the
            # environment may set PYTHONDONTWRITEBYTECODE, and then no start would write them)
            subprocess.run(
                [sys.executable, "-m", "compileall", "-q", "src", "streamlit_app.py"],
                cwd=folder,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            log.info("warm-up start (%s, untimed)", name)
            _cold_start(browser, folder, data, art, extra)
        for attempt in range(args.repeats):
            for name, (folder, data, extra) in sides.items():
                load.append(os.getloadavg()[0])
                timing = _cold_start(browser, folder, data, art, extra)
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


def _cold_start(
    browser: Any, folder: Path, cache: Path, art: Path, extra: dict[str, str]
) -> dict[str, float]:
    """Start the app in ``folder``, open the commune map, stop; return the phase times."""
    app = _start(folder, cache, art, extra)
    try:
        healthy = time.perf_counter() - app.started_at
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(app.base_url + QUERY)
            page.wait_for_selector(MAP_FRAMES, state="attached", timeout=120_000)
            iframe = time.perf_counter() - app.started_at
            _wait_drawn(page, at_least=589, timeout=120)
            drawn = time.perf_counter() - app.started_at
            cpu = _cpu_seconds(app.process.pid)
        finally:
            page.close()
    finally:
        app.stop()
    return {"healthy_s": healthy, "iframe_s": iframe, "drawn_s": drawn, "server_cpu_s": cpu}


def _wait_drawn(page: Any, *, at_least: int, timeout: float) -> None:
    """Wait until the first map on the page has drawn ``at_least`` polygon paths."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        handle = page.query_selector(MAP_FRAMES)
        frame = handle.content_frame() if handle else None
        if frame is not None:
            with contextlib.suppress(Exception):  # the frame may be replaced by a rerun
                count = frame.evaluate(f"document.querySelectorAll('{PATHS}').length")
                if int(count) >= at_least:
                    return
        page.wait_for_timeout(20)
    raise TimeoutError(f"the map did not draw {at_least} paths in {timeout} s")


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the server and its children have used so far."""
    import psutil

    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def _start(folder: Path, cache: Path, art: Path, extra: dict[str, str]) -> RunningApp:
    port = free_port()
    extra = dict(extra)
    first_path = extra.pop("GEOBARO_BENCH_PATH", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEOBARO_")}
    env.update(
        GEOBARO_CACHE_DIR=str(cache),
        PYTHONPATH=os.pathsep.join(p for p in (first_path, str(folder / "src")) if p),
        PYTHONUNBUFFERED="1",
        **extra,
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


def _not_required(before: Path, after: Path) -> list[str]:
    """Return the optional server packages that ``after`` requires and ``before`` does not.

    Streamlit's server (uvicorn) takes ``httptools`` and ``uvloop`` whenever they can be
    imported, and both sides run in this environment: the "before" side must not get them
    from the "after" side's requirements.
    """

    def names(folder: Path) -> set[str]:
        lines = (folder / "requirements.txt").read_text(encoding="utf-8").splitlines()
        return {re.split(r"[\s=<>!~;\[]", line.strip(), maxsplit=1)[0].lower() for line in lines}

    required_before, required_after = names(before), names(after)
    return [p for p in OPTIONAL_SERVER_PACKAGES if p in required_after - required_before]


@contextlib.contextmanager
def _without_packages(packages: list[str]) -> Iterator[str]:
    """A folder to put first on ``PYTHONPATH``, where importing ``packages`` fails."""
    with tempfile.TemporaryDirectory(prefix="geobaro-hidden-") as tmp:
        for name in packages:
            message = f"{name}: not in this revision's requirements"
            (Path(tmp) / f"{name}.py").write_text(
                f"raise ModuleNotFoundError({message!r}, name={name!r})\n", encoding="utf-8"
            )
        yield tmp if packages else ""


@contextlib.contextmanager
def _cache_without_topologies(cache: Path) -> Iterator[Path]:
    """A copy of the prepared cache without its prebuilt topologies."""
    with tempfile.TemporaryDirectory(prefix="geobaro-cache-") as tmp:
        bare = Path(tmp) / "cache"
        shutil.copytree(cache, bare, ignore=shutil.ignore_patterns("topologies.*"))
        yield bare


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
    sides = ("before", "no_prebuilt", "after")

    def med(side: str, key: str) -> str:
        return f"{statistics.median(run[key] for run in report['runs'][side]):.2f} s"

    def runs(side: str) -> str:
        return " / ".join(f"{run['drawn_s']:.2f}" for run in report["runs"][side])

    def row(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    after = statistics.median(run["drawn_s"] for run in report["runs"]["after"])
    lines = [
        row("", ["before", "after, without prebuilt topologies", "after"]),
        row("---", ["---"] * 3),
        row(
            "revision",
            [f"`{report['before_rev'][:10]}`", *[f"`{report['after_rev'][:10]}`"] * 2],
        ),
        row("`streamlit run` -> 589 paths drawn, median", [med(s, "drawn_s") for s in sides]),
        row("each timed start (s)", [runs(s) for s in sides]),
        row("server healthy (median)", [med(s, "healthy_s") for s in sides]),
        row("map iframe attached (median)", [med(s, "iframe_s") for s in sides]),
        row(
            "server CPU time until drawn (median; user + system)",
            [med(s, "server_cpu_s") for s in sides],
        ),
        row(f"target <= {TARGET_S} s", ["", "", "met" if after <= TARGET_S else "not met"]),
    ]
    loads = report["load_average_1min"]
    lines.append("")
    lines.append(f"Load average (1 min) during the timed starts: {min(loads):.1f}-{max(loads):.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
