"""Twenty fresh sessions open at once on a fresh server: ``/_stcore/health`` keeps answering.

Issue 11 ("Availability"): with 20 sessions opening together the health check stopped
answering for about 16 s, long enough for a container orchestrator to restart the server. The
cause was Streamlit's forced full garbage collection after every script run
(``runner.postScriptGC``): ``gc.collect(2)`` over the app's few hundred thousand objects holds
the GIL for 0.15-1 s per run, and with 20 sessions the runs end together, so the collections
ran back to back and the server's event loop (which answers the health check) could not run.
``.streamlit/config.toml`` turns it off; Python's own collector still runs, incrementally.

The browser runs apart from the server (``tests/load/conftest.py``): twenty pages in one
Chromium took 1.65 of the machine's 2 cores, and the test then measured the browser's demand
(one answer of 2.08 s in CI), not the server's. Kept off one core, the same rush gives a worst
answer of 0.03-0.08 s, and the time to a drawn map is mostly the browser's single core.

Health is polled every 0.25 s from before the first page until every map is drawn; each answer
must come within 2 s. The time from opening a page to its drawn map is reported (p95), with
the health figures, in ``test-artefacts/load/health.json``.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from harness import REPO, RunningApp, snap, start_app, wait_for_paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 20
CONTEXTS = 4
HEALTH_BOUND_S = 2.0
POLL_EVERY_S = 0.25
INDICATORS = ("feels_concerned", "has_project_officer", "strategy", "n_domains")


class HealthPoller:
    """Ask ``/_stcore/health`` every ``interval`` seconds; keep each answer's latency."""

    def __init__(self, url: str, interval: float = POLL_EVERY_S, timeout: float = 5.0) -> None:
        self.url = url
        self.interval = interval
        self.timeout = timeout
        self.samples: list[tuple[float, float, bool]] = []  # (at, latency, answered 200)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = time.perf_counter()

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.perf_counter()
            ok = False
            try:
                with urllib.request.urlopen(self.url, timeout=self.timeout) as resp:
                    ok = resp.status == 200
                    resp.read()
            except OSError:
                ok = False
            latency = time.perf_counter() - start
            self.samples.append((round(start - self._t0, 2), latency, ok))
            self._stop.wait(max(0.0, self.interval - latency))

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    @property
    def worst(self) -> float:
        return max(latency for _, latency, _ in self.samples)


@pytest.fixture(scope="module")
def fresh_app(artefacts: Path) -> Iterator[RunningApp]:
    """A server of its own, started for this test (nothing cached, nothing imported yet)."""
    running = start_app(log_dir=artefacts, timeout=120)
    yield running
    running.stop()


def test_config_turns_off_the_forced_collection() -> None:
    with (REPO / ".streamlit" / "config.toml").open("rb") as fh:
        config = tomllib.load(fh)
    assert config["runner"]["postScriptGC"] is False


def test_health_answers_while_twenty_sessions_open(
    fresh_app: RunningApp, browser_apart: Any, artefacts: Path
) -> None:
    contexts = [
        browser_apart.new_context(viewport={"width": 1300, "height": 900}, locale="en-GB")
        for _ in range(CONTEXTS)
    ]
    errors: list[str] = []
    drawn: list[float] = []
    try:
        pages = []
        for i in range(SESSIONS):
            page = contexts[i % CONTEXTS].new_page()
            page.set_default_timeout(180_000)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            pages.append(page)
        with HealthPoller(fresh_app.base_url + "_stcore/health") as health:
            time.sleep(1.0)  # a baseline before the rush
            opened = []
            for i, page in enumerate(pages):
                query = {"view": "explore", "level": "commune", "lang": "en"}
                query["indicator"] = INDICATORS[i % len(INDICATORS)]
                opened.append(time.perf_counter())
                page.goto(fresh_app.base_url + "?" + urlencode(query), wait_until="commit")
            for start, page in zip(opened, pages, strict=True):
                wait_for_paths(page, at_least=589, timeout=180)
                drawn.append(time.perf_counter() - start)
            time.sleep(1.0)
        snap(pages[-1], "load-health-session-20")
    finally:
        for ctx in contexts:
            ctx.close()
    latencies = sorted(latency for _, latency, _ in health.samples)
    figures = {
        "sessions": SESSIONS,
        "map_drawn_p50_s": round(statistics.median(drawn), 1),
        "map_drawn_p95_s": round(_p95(drawn), 1),
        "map_drawn_max_s": round(max(drawn), 1),
        "health_checks": len(latencies),
        "health_p95_s": round(_p95(latencies), 3),
        "health_max_s": round(health.worst, 3),
        "health_over_bound": sum(latency >= HEALTH_BOUND_S for latency in latencies),
    }
    out = artefacts.parent / "load"
    out.mkdir(parents=True, exist_ok=True)
    (out / "health.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(figures)
    slow = [(at, round(latency, 2)) for at, latency, _ in health.samples if latency > 0.5]
    assert all(ok for _, _, ok in health.samples), health.samples
    assert health.worst < HEALTH_BOUND_S, (figures, slow)
    assert len(latencies) >= 20, figures
    assert errors == []


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]
