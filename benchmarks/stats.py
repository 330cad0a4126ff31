"""Build times of the statistics views beside the explore map's, warm, in the same run.

Run from the repository root (after ``python -m geobaro data prepare``)::

    .venv/bin/python benchmarks/stats.py              # 9 timed builds of each view
    .venv/bin/python benchmarks/stats.py --repeats 15

Every view is built from the same loaded inputs (web geometry of the 589 communes, the
reference table, the shipped illustrative sample's indicators: what the app's caches hold) and
includes rendering its map to HTML, as the views return it. The first build of each view is
timed apart ("first"): it pays imports (statsmodels, esda) and the contiguity weights, which
are cached afterwards. "Warm" is the median of the timed builds after it; the patterns view
is also timed switching indicator on every build (its k-nearest-neighbour weights and
permutations are computed anew each time).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

TARGET_SECONDS = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9, help="timed builds per view")
    args = parser.parse_args(argv)

    from geobaro import views
    from geobaro.data.boundaries import load_units
    from geobaro.indicators import INDICATORS, compute_indicators
    from geobaro.survey.sample import load_sample

    units = load_units(level="commune", web=True)
    ref = units.drop(columns="geometry")
    indicators = compute_indicators(load_sample(gdf_communes=ref), ref)
    data = views.ViewData(indicators, ref, gdf_units=units)
    kinds = {"share", "score"}
    switching = [k for k, spec in INDICATORS.items() if spec.kind in kinds]

    def explore() -> Any:
        request = views.ExploreRequest("feels_concerned", level="commune")
        return views.render_explore(request, data)

    def response() -> Any:
        return views.render_response(views.ResponseRequest(), data)

    def patterns() -> Any:
        return views.render_patterns(views.PatternsRequest("perception_future"), data)

    turn = iter(range(10**6))

    def patterns_switch() -> Any:
        indicator = switching[next(turn) % len(switching)]
        return views.render_patterns(views.PatternsRequest(indicator), data)

    rows = [
        ("explore: commune map (feels_concerned)", explore),
        ("response: who answered (table, bars, map, R-indicator)", response),
        ("patterns: Moran's I, LISA map, join counts (perception_future)", patterns),
        (f"patterns, switching indicator ({len(switching)} share/score)", patterns_switch),
    ]
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.repeats} builds each")
    print()
    print("| view | first build | warm, median | warm, max | target | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, build in rows:
        first = _timed(build, 1)[0]
        times = _timed(build, args.repeats)
        median = statistics.median(times)
        target = "-" if label.startswith("explore") else f"< {TARGET_SECONDS:.0f} s"
        met = "-" if target == "-" else ("yes" if median < TARGET_SECONDS else "no")
        print(
            f"| {label} | {first:.3f} s | {median:.3f} s | {max(times):.3f} s | {target} | {met} |"
        )
    return 0


def _timed(fn: Callable[[], Any], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


if __name__ == "__main__":
    raise SystemExit(main())
