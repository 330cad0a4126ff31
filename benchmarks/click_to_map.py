"""Click to profile map: a click on a commune of the explore map to the profile's map drawn.

Usage::

    python benchmarks/click_to_map.py [--before REV] [--clicks 5] [--json PATH]

"Before" is a checkout of ``REV`` (default ``076194d``, the app drawing its maps with
``st_folium``) in a temporary git worktree; "after" is this checkout as it is on disk. Both
servers run at the same time with this virtual environment's Python, their own sources first
and each its own copy of the prepared boundary cache. Each server is warmed untimed (one
explore map drawn, one profile opened) before the timed clicks, which alternate between the
sides so that both see the same machine load.

One timed click is what a user does in both revisions: open the explore view (commune level,
``feels_concerned``), wait for its 589 paths, then click the centre of one commune's path in
the map's frame with the mouse. The app then offers "open profile" (a button under the map
in both revisions); it is clicked as soon as it shows. The time runs from the click on the
map to the profile's map drawn: its paths present and their number unchanged for 0.5 s (the
time is taken when that number was first reached, not after the 0.5 s). Five different
communes are clicked, the same five on both sides (``COMMUNES``), each at the centre of its
path where that point is on the commune itself. The table goes to stdout
(Markdown), the raw timings to ``--json`` (default
``test-artefacts/benchmark/click_to_map.json``) and a screenshot of each profile, taken after
its time, beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests" / "browser"))

import cold_start  # noqa: E402
from harness import PATHS, RunningApp, launch_chromium, snap  # noqa: E402

log = logging.getLogger("click_to_map")
BEFORE = "076194d"
EXPLORE = "?view=explore&level=commune&indicator=feels_concerned"
STABLE_S = 0.5
#: The communes clicked (NIS code), the same on both sides; the first one warms the server.
WARM_UP = "44049"  # Nevele
COMMUNES = ("25124", "56088", "84077", "13029", "25037", "44072", "21004")
#: The centre of a commune's path in the map's frame (its Leaflet layer, found in the maps of
#: the frame: ``window.geobaroMaps`` of this checkout, folium's global ``map_*`` before).
_LOCATE = """(code) => {
  const maps = (window.geobaroMaps || []).map((m) => m.map);
  for (const key of Object.keys(window)) {
    try { if (window[key] instanceof L.Map) maps.push(window[key]); } catch (e) {}
  }
  for (const map of maps) {
    let found = null;
    map.eachLayer((l) => {
      const props = (l.feature || {}).properties || {};
      if (l._path && String(props.nis_code) === code) found = l._path;
    });
    if (found === null) continue;
    const r = found.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return {x, y, hit: document.elementFromPoint(x, y) === found};
  }
  return null;
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="git revision of the 'before' side")
    parser.add_argument("--clicks", type=int, default=5, help="timed clicks per side")
    parser.add_argument(
        "--json", default=str(REPO / "test-artefacts" / "benchmark" / "click_to_map.json")
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cache = cold_start._prepared_cache()
    art = Path(args.json).parent
    art.mkdir(parents=True, exist_ok=True)
    results: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    load: list[float] = []
    with (
        cold_start._worktree(args.before) as before_dir,
        _cache_copy(cache) as before_cache,
        _servers({"before": (before_dir, before_cache), "after": (REPO, cache)}, art) as apps,
        launch_chromium() as browser,
    ):
        for name, app in apps.items():
            log.info("warm-up click (%s, untimed)", name)
            _click_to_map(browser, app, WARM_UP, art)
        for number in range(args.clicks):
            for name, app in apps.items():
                load.append(os.getloadavg()[0])
                run = _click_to_map(browser, app, COMMUNES[number % len(COMMUNES)], art)
                results[name].append(run)
                log.info(
                    "%s %d: clicked %s, '%s', opened %s, button %.2f s, map %.2f s (%d paths)",
                    name,
                    number + 1,
                    run["clicked"],
                    run["button"],
                    run["opened"],
                    run["button_s"],
                    run["drawn_s"],
                    run["paths"],
                )
    report = {
        "before_rev": cold_start._git("rev-parse", args.before),
        "after_rev": cold_start._git("rev-parse", "HEAD")
        + (" + working tree" if cold_start._dirty() else ""),
        "machine": cold_start._machine(),
        "load_average_1min": load,
        "runs": results,
    }
    Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    sys.stdout.write(_table(report) + "\n")
    return 0


@contextlib.contextmanager
def _cache_copy(cache: Path) -> Iterator[Path]:
    """A copy of the prepared cache (an earlier revision may rewrite what it reads)."""
    with tempfile.TemporaryDirectory(prefix="geobaro-cache-") as tmp:
        copy = Path(tmp) / "cache"
        shutil.copytree(cache, copy)
        yield copy


@contextlib.contextmanager
def _servers(sides: dict[str, tuple[Path, Path]], art: Path) -> Iterator[dict[str, RunningApp]]:
    """Start one server per side; stop them all afterwards."""
    apps: dict[str, RunningApp] = {}
    try:
        for name, (folder, cache) in sides.items():
            apps[name] = cold_start._start(folder, cache, art, {})
        yield apps
    finally:
        for app in apps.values():
            app.stop()


def _click_to_map(browser: Any, app: RunningApp, code: str, art: Path) -> dict[str, Any]:
    """Open explore, click the centre of commune ``code``, open its profile; time the map."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(app.base_url + EXPLORE)
        box = ".st-key-explore_map_box"
        _wait_paths(page, box, at_least=589, timeout=120)
        page.locator(box).scroll_into_view_if_needed()
        handle = page.query_selector(f"{box} :is({cold_start.MAP_FRAMES})")
        spot = handle.content_frame().evaluate(_LOCATE, code)
        if spot is None or not spot["hit"]:
            raise RuntimeError(f"commune {code}: no path of its own at its centre ({spot})")
        frame_box = handle.bounding_box()
        started = time.perf_counter()
        page.mouse.click(frame_box["x"] + spot["x"], frame_box["y"] + spot["y"])
        button = page.locator(".st-key-open_profile button")
        button.wait_for(state="visible", timeout=60_000)
        shown = time.perf_counter()
        label = button.inner_text().strip().splitlines()[-1]  # after the icon's name
        button.click()
        paths, drawn = _wait_paths(page, ".st-key-commune_map_box", at_least=1, timeout=120)
        commune = page.evaluate("new URLSearchParams(location.search).get('commune')")
        snap(page, f"click-to-map-{app.port}-{code}", folder=art)
        return {
            "clicked": code,
            "button": label,
            "opened": commune,
            "button_s": shown - started,
            "drawn_s": drawn - started,
            "paths": paths,
        }
    finally:
        page.close()


def _wait_paths(page: Any, box: str, *, at_least: int, timeout: float) -> tuple[int, float]:
    """Wait for the map in ``box`` to draw ``at_least`` paths, unchanged for ``STABLE_S``.

    Returns the number of paths and the ``perf_counter`` time it was first reached.
    """
    deadline = time.perf_counter() + timeout
    last, since = -1, time.perf_counter()
    while time.perf_counter() < deadline:
        count = 0
        handle = page.query_selector(f"{box} :is({cold_start.MAP_FRAMES})")
        frame = handle.content_frame() if handle else None
        if frame is not None:
            with contextlib.suppress(Exception):  # the frame may be replaced by a rerun
                count = int(frame.evaluate(f"document.querySelectorAll('{PATHS}').length"))
        now = time.perf_counter()
        if count != last:
            last, since = count, now
        if last >= at_least and now - since >= STABLE_S:
            return last, since
        page.wait_for_timeout(20)
    raise TimeoutError(f"the map in {box} did not draw {at_least} paths in {timeout} s")


def _table(report: dict[str, Any]) -> str:
    sides = ("before", "after")
    runs = report["runs"]

    def med(side: str, key: str) -> str:
        return f"{statistics.median(run[key] for run in runs[side]):.2f} s"

    def each(side: str) -> str:
        return " / ".join(f"{run['drawn_s']:.2f}" for run in runs[side])

    def row(label: str, cells: list[str]) -> str:
        return f"| {label} | " + " | ".join(cells) + " |"

    loads = report["load_average_1min"]
    lines = [
        row("", ["before (`st_folium`)", "after (the app's own map frame)"]),
        row("---", ["---"] * 2),
        row("revision", [f"`{report['before_rev'][:10]}`", f"`{report['after_rev'][:10]}`"]),
        row("click on the map -> profile map drawn, median", [med(s, "drawn_s") for s in sides]),
        row("each timed click (s)", [each(s) for s in sides]),
        row("click -> 'open profile' button shown (median)", [med(s, "button_s") for s in sides]),
        row(
            "commune clicked -> profile opened (NIS)",
            [", ".join(f"{r['clicked']}->{r['opened']}" for r in runs[s]) for s in sides],
        ),
        row("profile map paths", [" / ".join(str(r["paths"]) for r in runs[s]) for s in sides]),
        row(
            "load average (1 min) at the clicks",
            [" / ".join(f"{x:.1f}" for x in loads[i :: len(sides)]) for i in range(len(sides))],
        ),
    ]
    lines.append("")
    lines.append("Buttons clicked: " + "; ".join(f"'{r['button']}'" for r in runs["after"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
