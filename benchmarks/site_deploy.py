"""Static site and nginx figures of the benchmark: site size, page sizes, first-visit bytes.

Used by ``benchmarks/run.py`` (sections "Static site" and "Behind nginx"); also runnable
alone::

    .venv/bin/python benchmarks/site_deploy.py            # both sections, prints a table
    .venv/bin/python benchmarks/site_deploy.py --no-deploy
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import importlib.util
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO / "tests" / "browser") not in sys.path:
    sys.path.insert(0, str(REPO / "tests" / "browser"))

log = logging.getLogger("benchmark")

KB = 1000
MB = 1000 * 1000
#: The site before the shared geometry (issue 15, measured on the earlier main).
BEFORE = {"total_mb": 127, "pages": 102, "commune_page_kb": 941, "compare_page_kb": 1260}
_QUERY = "?view=explore&level=commune&indicator=feels_concerned&lang=en"


def measure_site() -> dict[str, Any]:
    """Export the whole site of the sample; sizes of the site, its pages and shared files.

    Also the bytes Chromium loads for a first page and for a second page of another level
    (the shared files then come from its cache), served by Python's ``http.server``.
    """
    from geobaro.export.site import export_site

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site"
        t0 = time.perf_counter()
        site = export_site(folder)
        out["export_s"] = time.perf_counter() - t0
        files = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*")}
        files = {k: v for k, v in files.items() if (folder / k).is_file()}
        pages = {p.path: files[p.path] for p in site.pages}
        kinds: dict[str, list[int]] = {}
        for page in site.pages:
            key = f"{page.kind} ({page.level})" if page.level else page.kind
            kinds.setdefault(key, []).append(files[page.path])
        out.update(
            pages=len(site.pages),
            files=len(files),
            total_bytes=sum(files.values()),
            pages_bytes=sum(pages.values()),
            max_page=max(pages.items(), key=lambda kv: kv[1]),
            median_page_bytes=statistics.median(pages.values()),
            by_kind={
                k: {"n": len(v), "max": max(v), "median": statistics.median(v)}
                for k, v in kinds.items()
            },
            shared={
                k: v for k, v in files.items() if k.startswith("assets/") and k.endswith(".js")
            },
            geometry_gzip=len(gzip.compress((folder / "assets/geometry.js").read_bytes(), 6)),
            values_bytes=sum(v for k, v in files.items() if k.startswith("data/values/")),
            downloads_bytes=sum(
                v for k, v in files.items() if k.startswith("data/") and "/values/" not in k
            ),
            geometry_files=sorted(k for k in files if k.endswith((".geojson", ".topojson"))),
        )
        out["browser"] = _site_in_browser(folder)
    return out


def measure_deploy() -> dict[str, Any]:
    """Two replicas behind nginx: first-visit bytes and time to the map, direct and proxied."""
    from harness import launch_chromium

    launcher = _load_launcher()
    if launcher.find_nginx() is None:
        return {"skipped": "nginx is not installed"}
    out: dict[str, Any] = {}
    with launcher.Deployment(replicas=2) as deployment, launch_chromium() as browser:
        direct = deployment.started[0].url
        # one warm-up visit per replica, so both sides measure a warm server
        for replica in deployment.started:
            _visit(browser, replica.url + _QUERY)
        for name, base in (("direct", direct), ("nginx", deployment.url)):
            runs = [_visit(browser, base + _QUERY) for _ in range(3)]
            out[name] = {
                "wire_bytes": statistics.median(r["wire_bytes"] for r in runs),
                "decoded_bytes": statistics.median(r["decoded_bytes"] for r in runs),
                "bundle_wire_bytes": statistics.median(r["bundle_wire_bytes"] for r in runs),
                "bundle_decoded_bytes": statistics.median(r["bundle_decoded_bytes"] for r in runs),
                "to_map_s": statistics.median(r["to_map_s"] for r in runs),
            }
    return out


def site_rows(site: dict[str, Any], deploy: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Table rows: figure, before, now, target."""
    rows = [
        (
            "whole site",
            f"{BEFORE['total_mb']} MB",
            f"{site['total_bytes'] / MB:.1f} MB",
            "<= 15 MB",
        ),
        ("pages", str(BEFORE["pages"]), str(site["pages"]), ""),
        (
            "largest page (own bytes)",
            f"{BEFORE['compare_page_kb']:,} KB",
            f"{site['max_page'][1] / KB:.0f} KB ({site['max_page'][0]})",
            "<= 150 KB",
        ),
    ]
    for kind, fig in sorted(site["by_kind"].items()):
        before = {
            "map (commune)": f"{BEFORE['commune_page_kb']} KB",
            "compare (commune)": f"{BEFORE['compare_page_kb']:,} KB",
        }.get(kind, "")
        rows.append(
            (
                f"{kind} page, median of {fig['n']}",
                before,
                f"{fig['median'] / KB:.0f} KB (max {fig['max'] / KB:.0f} KB)",
                "",
            )
        )
    shared = ", ".join(
        f"{Path(k).name} {v / KB:,.0f} KB" for k, v in sorted(site["shared"].items())
    )
    rows += [
        ("shared scripts (loaded once, cached)", "inlined in every page", shared, ""),
        ("geometry of every level, gzip", "-", f"{site['geometry_gzip'] / KB:,.0f} KB", ""),
        ("values of every map (data/values/*.js)", "-", f"{site['values_bytes'] / MB:.2f} MB", ""),
        (
            "downloads (tables + geometry)",
            "58 MB of GeoJSON copies",
            f"{site['downloads_bytes'] / MB:.1f} MB; geometry files: "
            + ", ".join(site["geometry_files"]),
            "one geometry",
        ),
    ]
    br = site.get("browser", {})
    if br:
        rows += [
            ("browser: first page (commune map)", "-", f"{br['first_bytes'] / KB:,.0f} KB", ""),
            (
                "browser: then another level's page",
                "-",
                f"{br['second_bytes'] / KB:,.0f} KB (geometry and Leaflet from the cache)",
                "",
            ),
            (
                "browser: indicator switch in the page",
                "-",
                f"{br['switch_bytes'] / KB:,.0f} KB, geometry requests: {br['switch_geometry']}",
                "no geometry",
            ),
        ]
    if deploy and "skipped" not in deploy:
        d, n = deploy["direct"], deploy["nginx"]
        rows += [
            (
                "first visit, HTTP bytes on the wire",
                f"{d['wire_bytes'] / KB:,.0f} KB direct",
                f"{n['wire_bytes'] / KB:,.0f} KB through nginx",
                "",
            ),
            (
                "of which Streamlit's JS/CSS bundle",
                f"{d['bundle_wire_bytes'] / KB:,.0f} KB",
                f"{n['bundle_wire_bytes'] / KB:,.0f} KB (gzip; "
                f"{n['bundle_decoded_bytes'] / KB:,.0f} KB decoded)",
                "",
            ),
            (
                "first visit to drawn map (warm replica)",
                f"{d['to_map_s']:.2f} s direct",
                f"{n['to_map_s']:.2f} s through nginx",
                "",
            ),
        ]
    return rows


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    """Print the rows as a Markdown table."""
    print("| figure | before / direct | now | target |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


# --- helpers -----------------------------------------------------------------------------------


def _load_launcher() -> Any:
    spec = importlib.util.spec_from_file_location("_geobaro_deploy_run", REPO / "deploy/run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _wire(response: Any) -> tuple[int, int]:
    """Bytes on the wire (headers and encoded body) and decoded body length of a response."""
    try:
        sizes = response.request.sizes()
        wire = int(sizes["responseBodySize"]) + int(sizes["responseHeadersSize"])
    except Exception:
        wire = 0
    try:
        body = len(response.body())
    except Exception:  # redirects and the websocket upgrade have no body
        body = 0
    return wire, body


def _visit(browser: Any, url: str) -> dict[str, Any]:
    """A first visit in a fresh context (empty cache) until the explore map is drawn."""
    from harness import wait_for_paths, wait_idle

    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    responses: list[Any] = []

    def keep(response: Any) -> None:
        responses.append(response)

    page.on("response", keep)
    t0 = time.perf_counter()
    page.goto(url)
    wait_for_paths(page, at_least=589, timeout=120)
    to_map = time.perf_counter() - t0
    wait_idle(page, timeout=120_000)
    out = {"wire_bytes": 0, "decoded_bytes": 0, "bundle_wire_bytes": 0, "bundle_decoded_bytes": 0}
    for response in responses:
        wire, body = _wire(response)
        out["wire_bytes"] += wire
        out["decoded_bytes"] += body
        path = response.url.split("?")[0]
        if "/static/" in path and "/app/static/" not in path:
            out["bundle_wire_bytes"] += wire
            out["bundle_decoded_bytes"] += body
    context.close()
    return {**out, "to_map_s": to_map}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_args: Any) -> None:
        """Keep the benchmark's output to its table."""


def _site_in_browser(folder: Path) -> dict[str, Any]:
    """Bytes of a first page, a second page (cached shared files) and an indicator switch."""
    from harness import PATHS, launch_chromium

    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/maps/"
    drawn = f"() => [...document.querySelectorAll('iframe.map')].every(f => f.contentDocument && f.contentDocument.querySelectorAll('{PATHS}').length > 0)"  # noqa: E501
    try:
        with launch_chromium() as browser:
            context = browser.new_context(viewport={"width": 1300, "height": 900})
            page = context.new_page()
            got: list[Any] = []

            def keep(response: Any) -> None:
                got.append(response)

            page.on("response", keep)

            def load(go: Any) -> tuple[int, list[str]]:
                got.clear()
                go()
                page.wait_for_function(drawn, timeout=60_000)
                page.wait_for_timeout(300)
                return sum(_wire(r)[0] for r in got), [r.url for r in got]

            first, _ = load(lambda: page.goto(base + "commune-feels_concerned.html"))
            second, _ = load(lambda: page.goto(base + "province-feels_concerned.html"))
            switch, urls = load(
                lambda: page.select_option("#gb-indicator", "province-has_project_officer")
            )
            context.close()
    finally:
        server.shutdown()
        server.server_close()
    return {
        "first_bytes": first,
        "second_bytes": second,
        "switch_bytes": switch,
        "switch_geometry": sum("geometry" in u for u in urls),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-deploy", action="store_true", help="skip the nginx figures")
    parser.add_argument("--json", type=Path, default=None, help="also write figures here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    log.info("static site: python -m geobaro export")
    site = measure_site()
    deploy = {} if args.no_deploy else measure_deploy()
    print_rows(site_rows(site, deploy))
    if args.json:
        args.json.write_text(json.dumps({"site": site, "deploy": deploy}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
