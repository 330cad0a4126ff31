"""Two replicas behind nginx: compressed bundle, sessions kept on their replica, failover.

Issue 15: the bundle arrives gzip-compressed; 10 browser sessions draw their maps; an upload
stays in its session across reruns; with one replica stopped, new sessions are served by the
other. The first-visit bytes (direct and through nginx) go to
``test-artefacts/deploy/first_visit.json`` for the benchmark README.
"""

from __future__ import annotations

import gzip
import json
import re
import time
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from harness import snap, wait_for_paths, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 10
INDICATORS = ("feels_concerned", "has_project_officer", "strategy", "n_domains")
_LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ '
    r"upstream=(?P<upstream>\S+) sticky=(?P<sticky>\S+)"
)


def _explore(base: str, indicator: str) -> str:
    query = {"view": "explore", "level": "commune", "indicator": indicator, "lang": "en"}
    return base + "?" + urlencode(query)


def _get(url: str, **headers: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def _log(deployment: Any) -> list[dict[str, str]]:
    lines = deployment.access_log.read_text(encoding="utf-8").splitlines()
    return [m.groupdict() for line in lines if (m := _LOG_LINE.search(line))]


def _open_map(context: Any, url: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    wait_idle(page, timeout=90_000)
    wait_for_paths(page, at_least=589, timeout=90)
    return page


def _first_visit_bytes(browser: Any, url: str) -> dict[str, int]:
    """Bytes on the wire of a first, cache-less visit to the explore map (HTTP only)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    responses: list[Any] = []
    page = context.new_page()

    def keep(response: Any) -> None:
        responses.append(response)

    page.on("response", keep)
    page.goto(url)
    wait_idle(page, timeout=90_000)
    wait_for_paths(page, at_least=589, timeout=90)
    total = decoded = 0
    for response in responses:
        try:
            sizes = response.request.sizes()
        except Exception:  # a response whose request was torn down
            continue
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        try:
            decoded += len(response.body())
        except Exception:  # redirects and the websocket upgrade have no body
            continue
    context.close()
    return {"wire_bytes": total, "decoded_bytes": decoded, "responses": len(responses)}


def test_bundle_arrives_gzip_compressed(deployment: Any) -> None:
    _, page = _get(deployment.url)
    bundles = re.findall(r'src="\.?/?(static/js/[^"]+\.js)"', page.decode("utf-8"))
    assert bundles, page[:500]
    headers, body = _get(deployment.url + bundles[0], **{"Accept-Encoding": "gzip"})
    assert headers.get("content-encoding") == "gzip"
    direct_headers, direct = _get(deployment.started[0].url + bundles[0])
    assert "content-encoding" not in direct_headers  # Streamlit itself sends it uncompressed
    assert gzip.decompress(body) == direct
    assert len(body) < len(direct) / 2
    assert "geobaro_replica=" in headers.get("set-cookie", "")


def test_ten_sessions_draw_their_maps_each_on_one_replica(
    deployment: Any, browser: Any, artefacts: Path
) -> None:
    first = _first_visit_bytes(browser, _explore(deployment.started[0].url, INDICATORS[0]))
    proxied = _first_visit_bytes(browser, _explore(deployment.url, INDICATORS[0]))
    out = artefacts.parent / "deploy"
    out.mkdir(parents=True, exist_ok=True)
    figures = {"direct": first, "nginx": proxied}
    (out / "first_visit.json").write_text(json.dumps(figures, indent=2) + "\n")
    assert proxied["wire_bytes"] < first["wire_bytes"] / 2, figures

    start = len(_log(deployment))
    contexts = [
        browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(SESSIONS)
    ]
    try:
        pages = [
            _open_map(ctx, _explore(deployment.url, INDICATORS[i % len(INDICATORS)]))
            for i, ctx in enumerate(contexts)
        ]
        snap(pages[-1], "deploy-session-10")
        cookies = [
            next(c["value"] for c in ctx.cookies() if c["name"] == "geobaro_replica")
            for ctx in contexts
        ]
    finally:
        for ctx in contexts:
            ctx.close()
    assert len(set(cookies)) == SESSIONS  # one key per browser
    replicas: dict[str, set[str]] = defaultdict(set)
    for entry in _log(deployment)[start:]:
        if entry["sticky"] in cookies and entry["upstream"] != "-":
            replicas[entry["sticky"]].add(entry["upstream"])
    assert set(replicas) == set(cookies)
    assert all(len(used) == 1 for used in replicas.values()), replicas  # sessions stay put
    used = set().union(*replicas.values())
    assert used == {f"127.0.0.1:{r.port}" for r in deployment.started}  # both replicas work


def test_upload_stays_in_its_session_across_reruns(deployment: Any, browser: Any) -> None:
    csv = (
        "nis_code,response_status,feels_concerned\n"
        "62063,answered,yes\n44021,answered,no\n21004,answered,yes\n11002,refused,\n"
    )
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-GB")
    other = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(deployment.url + "?view=data&lang=en")
        wait_idle(page)
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
            {"name": "answers.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}
        )
        page.wait_for_selector(".st-key-upload_report [data-testid='stMetricValue']")
        wait_idle(page)
        caption = "Data: your file answers.csv"
        sidebar = page.locator("[data-testid='stSidebar']")
        assert caption in sidebar.inner_text()
        # rerun 1: another view of the same session (Streamlit's own navigation)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Explore the map").click()
        wait_idle(page)
        wait_for_paths(page, at_least=589, timeout=60)
        assert caption in sidebar.inner_text()
        # rerun 2: another indicator with the widget
        page.get_by_label("Indicator", exact=False).first.click()
        page.keyboard.type("Has a Smart City project officer")
        page.get_by_role("option", name="Has a Smart City project officer", exact=True).click()
        page.wait_for_function(
            "() => new URLSearchParams(location.search).get('indicator') === 'has_project_officer'"
        )
        wait_idle(page)
        wait_for_paths(page, at_least=589, timeout=60)
        assert caption in sidebar.inner_text()
        snap(page, "deploy-upload-rerun")
        # another browser through the same nginx sees the sample, not this file
        stranger = _open_map(other, _explore(deployment.url, "feels_concerned"))
        stranger_sidebar = stranger.locator("[data-testid='stSidebar']").inner_text()
        assert "answers.csv" not in stranger_sidebar
        assert "illustrative sample" in stranger_sidebar
    finally:
        context.close()
        other.close()


def test_new_sessions_go_to_the_other_replica_when_one_stops(deployment: Any, browser: Any) -> None:
    stopped, alive = deployment.started
    stopped.stop()
    assert not stopped.healthy()
    assert alive.healthy()
    start = len(_log(deployment))
    t0 = time.perf_counter()
    contexts = [browser.new_context(viewport={"width": 1300, "height": 900}) for _ in range(4)]
    try:
        for i, ctx in enumerate(contexts):
            _open_map(ctx, _explore(deployment.url, INDICATORS[i]))
    finally:
        for ctx in contexts:
            ctx.close()
    elapsed = time.perf_counter() - t0
    served = {
        e["upstream"].split(", ")[-1] for e in _log(deployment)[start:] if e["status"] != "502"
    }
    assert served == {f"127.0.0.1:{alive.port}"}, served
    assert not [e for e in _log(deployment)[start:] if e["status"] in {"502", "504"}]
    assert elapsed < 120
