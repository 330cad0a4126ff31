"""Twenty concurrent sessions against one app process: each switches its indicator and must
get its own correct map; the process stays up and its memory stays bounded.

The figure (peak RSS of the server and its children) is written to
``test-artefacts/load/concurrent_sessions.json`` for the benchmark README.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from typing import Any

import psutil
import pytest
from harness import MAP_IFRAME, PATHS, RunningApp, snap, wait_for_paths, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 20
CONTEXTS = 4
#: Indicators and their English labels (the option text of the "Indicator" select box).
INDICATORS = {
    "feels_concerned": "Feels concerned by the Smart City",
    "has_project_officer": "Has a Smart City project officer",
    "strategy": "Smart City strategy",
    "n_domains": "Number of domains",
}
#: Memory the server (with its children) may use with 20 sessions open, in MB.
MAX_RSS_MB = 1000
LEGEND = ".st-key-explore_legend"
_PATTERN_ID = re.compile(r"url\(#[^)]*\)")


class RssMonitor:
    """Sample the RSS of a process and its children every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss_mb(self) -> float:
        procs = [self.process, *self.process.children(recursive=True)]
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total / 1e6

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(self._rss_mb())
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssMonitor:
        self.samples.append(self._rss_mb())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def peak(self) -> float:
        return max(self.samples)


def _explore_url(app: RunningApp, indicator: str) -> str:
    return app.url(view="explore", level="commune", indicator=indicator, lang="en")


def _map_state(page: Any) -> tuple[str, list[str]]:
    """The legend text and the fill of every commune of the page's explore map."""
    legend = page.locator(LEGEND).inner_text()
    frame = page.query_selector(f".st-key-explore_map_box {MAP_IFRAME}").content_frame()
    fills = frame.evaluate(
        f"[...document.querySelectorAll('{PATHS}')].map(p => p.getAttribute('fill'))"
    )
    # hatch patterns get a fresh element id in every rendered map: compare the style, not the id
    return legend, [_PATTERN_ID.sub("url(#pattern)", str(fill)) for fill in fills]


def _wait_for(page: Any, indicator: str) -> None:
    page.wait_for_function(
        "want => new URLSearchParams(location.search).get('indicator') === want",
        arg=indicator,
        timeout=90_000,
    )
    wait_idle(page, timeout=90_000)
    wait_for_paths(page, at_least=589, timeout=90, stable=0.5)


def _choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in a select box by typing it (the option list is virtualised)."""
    page.get_by_label(label, exact=False).first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click(timeout=30_000)


def test_twenty_concurrent_sessions_each_get_their_own_map(
    app: RunningApp, browser: Any, artefacts: Any
) -> None:
    ids = list(INDICATORS)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with RssMonitor(app.process.pid) as rss:
        idle_mb = rss.samples[0]
        # reference: each indicator's map drawn by one session alone
        ctx = browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-GB")
        ref_page = ctx.new_page()
        reference: dict[str, tuple[str, list[str]]] = {}
        for indicator in ids:
            ref_page.goto(_explore_url(app, indicator))
            _wait_for(ref_page, indicator)
            reference[indicator] = _map_state(ref_page)
        ctx.close()
        timings["reference_s"] = round(time.perf_counter() - t0, 1)
        assert len({legend for legend, _ in reference.values()}) == len(ids)

        started = time.perf_counter()
        contexts = [
            browser.new_context(viewport={"width": 1300, "height": 900}, locale="en-GB")
            for _ in range(CONTEXTS)
        ]
        pages = []
        errors: list[str] = []
        for i in range(SESSIONS):
            page = contexts[i % CONTEXTS].new_page()
            page.set_default_timeout(90_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
            pages.append(page)
        first = [ids[i % len(ids)] for i in range(SESSIONS)]
        second = [ids[(i + 1 + (i // len(ids)) % 3) % len(ids)] for i in range(SESSIONS)]
        assert all(a != b for a, b in zip(first, second, strict=True))
        for page, indicator in zip(pages, first, strict=True):
            page.goto(_explore_url(app, indicator), wait_until="commit")
        for page, indicator in zip(pages, first, strict=True):
            _wait_for(page, indicator)
        timings["all_open_s"] = round(time.perf_counter() - started, 1)
        # every session switches with the widget, all at about the same time
        for page, indicator in zip(pages, second, strict=True):
            _choose(page, "Indicator", INDICATORS[indicator])
        wrong = []
        for i, (page, indicator) in enumerate(zip(pages, second, strict=True)):
            _wait_for(page, indicator)
            legend, fills = _map_state(page)
            ref_legend, ref_fills = reference[indicator]
            if legend != ref_legend or fills != ref_fills:
                differ = sum(a != b for a, b in zip(fills, ref_fills, strict=False))
                wrong.append(
                    f"session {i} ({indicator}): legend same {legend == ref_legend}, "
                    f"{len(fills)} fills, {differ} differ: {legend[:60]!r} vs {ref_legend[:60]!r}"
                )
        elapsed = time.perf_counter() - started
        timings["concurrent_s"] = round(elapsed, 1)
        snap(pages[-1], "load-session-20")
        for ctx in contexts:
            ctx.close()
        assert app.process.poll() is None, app.log_text()[-3000:]
        with urllib.request.urlopen(app.base_url + "_stcore/health", timeout=10) as resp:
            assert resp.status == 200
    figures = {
        "sessions": SESSIONS,
        "rss_idle_mb": round(idle_mb, 1),
        "rss_peak_mb": round(rss.peak, 1),
        "rss_end_mb": round(rss.samples[-1], 1),
        **timings,
    }
    out = artefacts.parent / "load"
    out.mkdir(parents=True, exist_ok=True)
    (out / "concurrent_sessions.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(figures)
    assert not wrong, wrong
    assert not errors, errors
    assert rss.peak < MAX_RSS_MB, figures
