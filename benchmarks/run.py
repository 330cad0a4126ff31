"""geobaro against a naive baseline: bytes, build time, time to map, memory.

Run from the repository root::

    .venv/bin/python benchmarks/run.py              # everything (about 2 minutes)
    .venv/bin/python benchmarks/run.py --no-browser # library figures only
    .venv/bin/python benchmarks/site_deploy.py      # static site and nginx figures only

Prints one table; ``--json FILE`` also writes the figures. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import logging
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO / "tests" / "browser")]

from embedded import check_coverage, extract_features  # noqa: E402

log = logging.getLogger("benchmark")

KB = 1024
MB = 1024 * 1024


@dataclass
class Row:
    """One line of the result table."""

    metric: str
    baseline: str
    geobaro: str
    target: str
    met: bool | None = None
    note: str = ""


@dataclass
class Results:
    """Every figure of one run."""

    rows: list[Row] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9, help="repeats of timed builds")
    parser.add_argument("--no-baseline", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-browser", action="store_true", help="skip app and browser figures")
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions for memory")
    parser.add_argument("--cold", type=int, default=3, help="cold app starts to time")
    parser.add_argument("--no-site", action="store_true", help="skip the static site figures")
    parser.add_argument("--no-deploy", action="store_true", help="skip the nginx figures")
    parser.add_argument("--json", type=Path, default=None, help="also write figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")

    res = Results()
    res.figures["machine"] = describe_machine()
    from geobaro.data.boundaries import load_units, prepare_boundaries

    prepare_boundaries()
    gdf_full = load_units(web=False)

    base: dict[str, Any] = {}
    if not args.no_baseline:
        log.info("baseline: geopandas explore() on the full-resolution boundaries")
        base = measure_baseline(gdf_full)
        res.figures["baseline"] = base
    log.info("geobaro: library-level figures")
    geo = measure_library(gdf_full, repeats=args.repeats)
    res.figures["geobaro"] = geo
    browser: dict[str, Any] = {}
    if not args.no_browser:
        log.info("geobaro: app in headless Chromium")
        browser = measure_browser(sessions=args.sessions, cold_repeats=args.cold)
        res.figures["browser"] = browser

    fill_rows(res, base, geo, browser, args.sessions)
    print_table(res)
    if not args.no_site:
        import site_deploy

        log.info("static site: python -m geobaro export, opened in Chromium")
        res.figures["site"] = site_deploy.measure_site()
        if not (args.no_deploy or args.no_browser):
            log.info("two replicas behind nginx: first visit, direct and proxied")
            res.figures["deploy"] = site_deploy.measure_deploy()
        print("\n### Static site and nginx\n")
        site_deploy.print_rows(
            site_deploy.site_rows(res.figures["site"], res.figures.get("deploy", {}))
        )
    if args.json:
        args.json.write_text(json.dumps(res.figures, indent=2, default=str), encoding="utf-8")
    return 0


# --- measurements -----------------------------------------------------------------------------


def describe_machine() -> dict[str, Any]:
    """CPU, memory, Python and library versions of this run."""
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("geopandas", "shapely", "folium", "streamlit", "streamlit_folium", "playwright"):
        try:
            from importlib.metadata import version

            versions[name] = version(name.replace("_", "-"))
        except Exception:
            versions[name] = "?"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "versions": versions,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def measure_baseline(gdf_full: Any) -> dict[str, Any]:
    """Naive map: reference table + indicator joined, full geometry, ``explore()``."""
    values = demo_values("feels_concerned")
    t0 = time.perf_counter()
    gdf = gdf_full.to_crs("EPSG:4326").merge(
        values[["nis_code", "value"]], on="nis_code", how="left"
    )
    fmap = gdf.explore(column="value")
    html = fmap.get_root().render()
    build = time.perf_counter() - t0
    data = html.encode()
    embedded = extract_features(html)
    check = check_coverage(embedded, gdf_full)
    return {
        "build_s": build,
        "html_bytes": len(data),
        "gzip_bytes": len(gzip.compress(data, 6)),
        "check": check.__dict__,
    }


def measure_library(gdf_full: Any, *, repeats: int) -> dict[str, Any]:
    """Bytes and geometry of geobaro's commune map; warm build and indicator-switch times."""
    from geobaro.export.files import files as export

    build = map_builder()
    build("feels_concerned")  # warm every cache
    fmap = build("feels_concerned")
    html = fmap.get_root().render()
    data = html.encode()
    check = check_coverage(extract_features(html), gdf_full)
    standalone = export.export_html(fmap)

    indicators = switchable_indicators()
    warm = timed(lambda: build(indicators[0]).get_root().render(), repeats)
    switch_times: list[float] = []
    for i in range(repeats):
        ind = indicators[(i % (len(indicators) - 1)) + 1] if len(indicators) > 1 else indicators[0]
        switch_times.extend(timed(lambda ind=ind: build(ind).get_root().render(), 1))
    return {
        "map_html_bytes": len(data),
        "map_gzip_bytes": len(gzip.compress(data, 6)),
        "standalone_bytes": len(standalone),
        "standalone_gzip_bytes": len(gzip.compress(standalone, 6)),
        "check": check.__dict__,
        "check_ok": check.ok,
        "warm_build_s": warm,
        "switch_s": switch_times,
        "indicators": indicators,
    }


def measure_browser(*, sessions: int, cold_repeats: int) -> dict[str, Any]:
    """Time from ``streamlit run`` to 589 paths drawn; bytes received; RSS with N sessions."""
    import psutil
    from harness import MAP_IFRAME, launch_chromium, start_app, wait_for_paths

    out: dict[str, Any] = {"cold": []}
    art = REPO / "test-artefacts" / "benchmark"
    art.mkdir(parents=True, exist_ok=True)
    query = {"view": "explore", "level": "commune", "indicator": "feels_concerned"}
    started: list[Any] = []
    with launch_chromium() as browser, contextlib.ExitStack() as stack:
        stack.callback(lambda: [a.stop() for a in started])
        for attempt in range(cold_repeats):
            # each attempt: a new server process, a new page opened as soon as it is healthy
            app = start_app(log_dir=art)
            started.append(app)
            healthy = time.perf_counter() - app.started_at
            url = app.url(**query)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            received: dict[str, dict[str, int]] = {"websocket": {"wire": 0, "body": 0}}
            responses: list[Any] = []

            def on_frame(payload: Any, ws: dict[str, int] = received["websocket"]) -> None:
                # Playwright hands over the decompressed payload: on the wire is not known
                ws["body"] += len(payload if isinstance(payload, bytes) else payload.encode())

            page.on("response", lambda r, keep=responses: keep.append(r))
            page.on("websocket", lambda ws, cb=on_frame: ws.on("framereceived", cb))
            page.goto(url)
            page.wait_for_selector(MAP_IFRAME, state="attached", timeout=60_000)
            iframe = time.perf_counter() - app.started_at
            wait_for_paths(page, at_least=589, timeout=60)
            drawn = time.perf_counter() - app.started_at
            out["cold"].append({"healthy_s": healthy, "iframe_s": iframe, "drawn_s": drawn})
            log.info(
                "cold start %d: healthy %.2f s, map iframe %.2f s, 589 paths %.2f s",
                attempt + 1,
                healthy,
                iframe,
                drawn,
            )
            wait_for_paths(page, at_least=589, timeout=30, stable=2.0)
            for r in responses:
                body, wire = _body_sizes(r)
                kind = _http_kind(r.url)
                got = received.setdefault(kind, {"wire": 0, "body": 0})
                got["wire"] += wire
                got["body"] += body
            out.setdefault("first_load_bytes", dict(received))  # the first, cache-less load
            page.screenshot(path=str(art / "commune-map.png"))
            page.close()
            if attempt < cold_repeats - 1:
                app.stop()
        out["cold_start_to_map_s"] = statistics.median(c["drawn_s"] for c in out["cold"])
        try:
            # a second page on the warm server: what a later visitor waits for
            warm = []
            for _ in range(3):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                t0 = time.perf_counter()
                page.goto(url)
                wait_for_paths(page, at_least=589, timeout=60)
                warm.append(time.perf_counter() - t0)
                page.close()
            out["warm_page_to_map_s"] = statistics.median(warm)

            proc = psutil.Process(app.process.pid)
            peak = {"rss": 0}
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    peak["rss"] = max(peak["rss"], tree_rss(proc))
                    time.sleep(0.05)

            out["rss_idle_mb"] = tree_rss(proc) / MB
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            pages = []
            indicators = switchable_indicators()
            for i in range(sessions):
                ctx = browser.new_context(viewport={"width": 1200, "height": 900})
                p = ctx.new_page()
                p.goto(app.url(**{**query, "indicator": indicators[i % len(indicators)]}))
                pages.append((ctx, p))
            for _, p in pages:
                wait_for_paths(p, at_least=589, timeout=120)
            time.sleep(2)
            out["rss_sessions_mb"] = tree_rss(proc) / MB
            stop.set()
            sampler.join()
            out["rss_peak_mb"] = peak["rss"] / MB
            out["sessions"] = sessions
            for ctx, _ in pages:
                ctx.close()
        finally:
            app.stop()
    return out


# --- what geobaro builds ------------------------------------------------------------------------


def demo_values(indicator: str) -> pd.DataFrame:
    """Per-commune values of an indicator in the illustrative sample (numbers, for explore())."""
    _, _, ind = _cached_inputs()
    return pd.DataFrame({"nis_code": ind["nis_code"], "value": ind[indicator].astype(float)})


def map_builder() -> Callable[[str], Any]:
    """Return ``build(indicator) -> folium.Map``: the explore view's commune map, as the app
    builds it (``views.render_explore``; boundaries, sample and indicators already loaded)."""
    from geobaro.views import ExploreRequest, ViewData, render_explore

    gdf, gdf_web, ind = _cached_inputs()

    def build(indicator: str) -> Any:
        request = ExploreRequest(indicator=indicator, level="commune")
        return render_explore(request, ViewData(ind, gdf, gdf_units=gdf_web)).map

    return build


_INPUTS: list[Any] = []


def _cached_inputs() -> tuple[Any, Any, Any]:
    """Commune reference table, web geometry and the sample's indicators (the app's caches)."""
    if not _INPUTS:
        from geobaro.data.boundaries import load_communes, load_units
        from geobaro.indicators import compute_indicators
        from geobaro.survey.sample import load_sample

        gdf = load_communes()
        ind = compute_indicators(load_sample(gdf_communes=gdf), gdf)
        _INPUTS.extend([gdf, load_units(web=True), ind])
    return _INPUTS[0], _INPUTS[1], _INPUTS[2]


def switchable_indicators() -> list[str]:
    """Share indicators of the registry, ``concerned`` first."""
    from geobaro.indicators import INDICATORS

    ids = [k for k, spec in INDICATORS.items() if spec.kind == "share"]
    ids.sort(key=lambda k: k != "feels_concerned")
    return ids


# --- helpers ------------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    """Wall times of ``repeats`` calls."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def tree_rss(proc: Any) -> int:
    """RSS of a process and all its children, in bytes."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(Exception):
            total += p.memory_info().rss
    return total


def _http_kind(url: str) -> str:
    """Sort a response: Streamlit's own bundle, the map component, Leaflet, the rest."""
    if "/component/" in url:
        return "map component (streamlit-folium)"
    if "/app/static/" in url:
        return "Leaflet (served by the app)"
    if "/static/" in url:
        return "Streamlit bundle"
    return "page and other"


def _body_sizes(response: Any) -> tuple[int, int]:
    """Uncompressed body length and body bytes on the wire (gzip-encoded when it was)."""
    try:
        body = len(response.body())
    except Exception:  # redirects and aborted responses have no body
        return 0, 0
    try:
        wire = int(response.request.sizes().get("responseBodySize", body))
    except Exception:
        wire = body
    return body, wire if wire > 0 else body


def fill_rows(
    res: Results, base: dict[str, Any], geo: dict[str, Any], br: dict[str, Any], sessions: int
) -> None:
    """Turn the figures into table rows with targets."""

    def kb(n: float | None) -> str:
        return "-" if n is None else f"{n / KB:,.0f} KB"

    def sec(s: float | None) -> str:
        return "-" if s is None else f"{s:.3f} s"

    chk: dict[str, Any] = geo["check"]
    res.add(
        Row(
            "commune map HTML (uncompressed)",
            kb(base.get("html_bytes")),
            kb(geo["map_html_bytes"]),
            "<= 800 KB",
            geo["map_html_bytes"] <= 800 * KB,
            "map document as st_folium renders it; Leaflet served separately",
        )
    )
    res.add(
        Row("commune map HTML (gzip -6)", kb(base.get("gzip_bytes")), kb(geo["map_gzip_bytes"]), "")
    )
    res.add(
        Row(
            "standalone export (Leaflet inlined)",
            "-",
            f"{kb(geo['standalone_bytes'])} / gzip {kb(geo['standalone_gzip_bytes'])}",
            "",
        )
    )
    if br:
        for kind, size in sorted(br["first_load_bytes"].items()):
            wire = f"{kb(size['wire'])} on the wire, " if size["wire"] else ""
            res.add(
                Row(f"browser, first load: {kind}", "-", f"{wire}{kb(size['body'])} decoded", "")
            )
    bchk = base.get("check", {})
    res.add(
        Row(
            "embedded polygons / vertices",
            f"{bchk.get('n_features', '-')} / {bchk.get('n_vertices', '-'):,}" if bchk else "-",
            f"{chk['n_features']} / {chk['n_vertices']:,}",
            "589",
            chk["n_features"] == 589,
        )
    )
    res.add(
        Row(
            "gaps / overlaps between neighbours",
            f"{bchk.get('gap_m2', 0):.0f} / {bchk.get('overlap_m2', 0):.0f} m²" if bchk else "-",
            f"{chk['gap_m2']:.0f} / {chk['overlap_m2']:.0f} m² "
            f"(coverage valid: {chk['coverage_valid']})",
            "0 / 0",
            chk["gap_m2"] < 1 and chk["overlap_m2"] < 1 and chk["coverage_valid"],
        )
    )
    res.add(
        Row(
            "max per-commune area error",
            f"{bchk.get('max_area_error', 0):.3%}" if bchk else "-",
            f"{chk['max_area_error']:.3%} ({chk['worst_nis']})",
            "<= 1%",
            chk["max_area_error"] <= 0.01,
        )
    )
    warm = statistics.median(geo["warm_build_s"])
    res.add(
        Row(
            "build commune map, caches warm (median)",
            sec(base.get("build_s")),
            f"{sec(warm)} (n={len(geo['warm_build_s'])}, max {max(geo['warm_build_s']):.3f})",
            "<= 0.3 s",
            warm <= 0.3,
            "baseline: one cold build (reproject + join + explore + render)",
        )
    )
    sw = statistics.median(geo["switch_s"])
    res.add(
        Row(
            "indicator switch (median)",
            sec(base.get("build_s")),
            f"{sec(sw)} (n={len(geo['switch_s'])}, max {max(geo['switch_s']):.3f})",
            "<= 0.5 s",
            sw <= 0.5,
        )
    )
    if br:
        res.add(
            Row(
                "app start -> 589 paths drawn",
                "-",
                f"{sec(br['cold_start_to_map_s'])} (median of {len(br['cold'])})",
                "<= 6 s",
                br["cold_start_to_map_s"] <= 6,
                "phases (median): server healthy "
                f"{statistics.median(c['healthy_s'] for c in br['cold']):.2f} s, map iframe "
                f"{statistics.median(c['iframe_s'] for c in br['cold']):.2f} s, drawn "
                f"{br['cold_start_to_map_s']:.2f} s; warm server, new page -> map "
                f"{br['warm_page_to_map_s']:.2f} s",
            )
        )
        res.add(
            Row(
                f"app RSS with {sessions} sessions (peak)",
                "-",
                f"{br['rss_peak_mb']:.0f} MB (idle {br['rss_idle_mb']:.0f} MB)",
                "<= 400 MB",
                br["rss_peak_mb"] <= 400,
            )
        )


def print_table(res: Results) -> None:
    """Print the rows as a Markdown table."""
    m = res.figures["machine"]
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}")
    print(f"Date: {m['date']}; load average before the run: {m['load_average_1m']}\n")
    print("| metric | naive baseline | geobaro | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for r in res.rows:
        met = "" if r.met is None else ("yes" if r.met else "**NO**")
        print(f"| {r.metric} | {r.baseline} | {r.geobaro} | {r.target} | {met} |")
    notes = [f"- {r.metric}: {r.note}" for r in res.rows if r.note]
    if notes:
        print("\n" + "\n".join(notes))


if __name__ == "__main__":
    sys.exit(main())
