"""The worst uploads we can build, each read by `load_survey` in a fresh process.

Run from the repository root::

    .venv/bin/python benchmarks/uploads.py            # about 2 minutes; prints a markdown table
    .venv/bin/python benchmarks/uploads.py --only bomb --json figures.json

For each file (at most 10 MB, built by ``tests/fixtures/hostile.py``, the same builders the
bound tests use): the time `load_survey` took, the peak memory of the whole process
(``VmHWM``: Python, geopandas and the 589 communes loaded, as in the app), and what the
user gets: data with a report, or one message (its length). The last row reads four of the
heaviest files at once in one process, in threads, as a server does for several sessions.
The promise: every upload answered within 10 s with at most 900 MB for the process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(REPO / "tests" / "fixtures"), str(REPO / "src")]

import hostile  # noqa: E402

SECONDS = 10.0
PEAK_MB = 900.0

_CONCURRENT = (
    r"""
import json, resource, sys, threading, time
from pathlib import Path
from geobaro.data.boundaries import load_communes
from geobaro.errors import GeobaroError
from geobaro.survey import load_survey
gdf = load_communes()
files = json.loads(sys.argv[1])
out = {}
def read(path, name):
    try:
        r = load_survey(Path(path).read_bytes(), filename=name, gdf_communes=gdf)
        out[path] = "data"
    except GeobaroError:
        out[path] = "refused"
start = time.perf_counter()
threads = [threading.Thread(target=read, args=(p, n)) for p, n in files]
for t in threads: t.start()
for t in threads: t.join()
seconds = time.perf_counter() - start
"""
    + hostile.PEAK_MB_CODE
    + r"""
print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": ",".join(sorted(out.values())),
                  "message": ""}))
"""
)

#: Files read together in the last row (the slowest and largest that give data).
_TOGETHER = (
    "10 MB CSV of valid rows",
    "ignored '-' columns, long headers (9.9 MB)",
    "10,000 rows x 30 cells XLSX (cell bound)",
    "zip bomb, lying sizes (6 x 1 GiB)",
)


def main() -> None:
    """Build every worst file, measure it, print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only files whose label contains this")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="geobaro-uploads-"))
    rows: list[dict[str, object]] = []
    built: dict[str, tuple[str, Path]] = {}
    for label, builder in hostile.BUILDERS.items():
        if args.only and args.only not in label:
            continue
        name, raw = builder()
        path = tmp / f"{len(built)}-{name}"
        path.write_bytes(raw)
        built[label] = (name, path)
        figures = hostile.measure(name, raw, tmp)
        rows.append({"file": label, "bytes": len(raw), **figures})
        print(f"measured: {label}", file=sys.stderr, flush=True)
    together = [built[label] for label in _TOGETHER if label in built]
    if len(together) > 1:
        files = json.dumps([(str(p), n) for n, p in together])
        proc = subprocess.run(
            [sys.executable, "-c", _CONCURRENT, files],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        )
        figures = (
            json.loads(proc.stdout.strip().splitlines()[-1])
            if proc.returncode == 0
            else {
                "outcome": "crashed",
                "seconds": float("nan"),
                "peak_mb": float("nan"),
                "message": proc.stderr[-500:],
            }
        )
        total = sum(p.stat().st_size for _, p in together)
        rows.append(
            {"file": f"{len(together)} of the above at once (threads)", "bytes": total, **figures}
        )
    print(_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))


def _table(rows: list[dict[str, object]]) -> str:
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    lines = [
        f"Run of {stamp} on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; load average "
        f"{load:.1f} at the end (other work on the same cores slows every figure).",
        "",
        "| file | size | answer | time | peak memory (process) | message | within 10 s, 900 MB |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        seconds = float(row["seconds"])  # type: ignore[arg-type]
        peak = float(row["peak_mb"])  # type: ignore[arg-type]
        ok = seconds <= SECONDS and peak <= PEAK_MB and row["outcome"] != "crashed"
        outcome = str(row["outcome"])
        if outcome == "data":
            outcome = f"data ({row.get('rows_used', '?')} of {row.get('rows_in', '?')} rows used)"
        size = int(row["bytes"])  # type: ignore[call-overload]
        lines.append(
            f"| {row['file']} | {size / 1e6:.2f} MB | {outcome} | {seconds:.2f} s | "
            f"{peak:.0f} MB | {len(str(row.get('message', '')))} chars | "
            f"{'yes' if ok else 'NO'} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
