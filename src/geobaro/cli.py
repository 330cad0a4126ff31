"""Command line: ``python -m geobaro data prepare | sample | export``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from geobaro.errors import GeobaroError

__all__ = ["build_parser", "main"]

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``geobaro`` command."""
    parser = argparse.ArgumentParser(prog="python -m geobaro", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    data = sub.add_parser("data", help="obtain and prepare the commune boundaries")
    data_sub = data.add_subparsers(dest="action", required=True)
    prep = data_sub.add_parser("prepare", help="fetch, verify and cache the boundaries")
    prep.add_argument("--force", action="store_true", help="rebuild the cache")
    data_sub.add_parser("info", help="show the manifest and cache state")

    sample = sub.add_parser("sample", help="write the illustrative sample survey")
    sample.add_argument("--seed", type=int, default=2017, help="random seed (default 2017)")
    sample.add_argument("--out", default=None, help="output folder (default data/survey/sample)")

    export = sub.add_parser("export", help="write a static site of every view")
    export.add_argument("--out", required=True, help="output folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        if args.command == "data":
            return _data(args)
        if args.command == "sample":
            from geobaro.survey.sample import main as sample_main

            return sample_main(seed=args.seed, out=args.out)
        if args.command == "export":
            from geobaro.export.site import main as export_main

            return export_main(out=args.out)
    except GeobaroError as exc:
        # a progress bar may have left the line open
        sys.stderr.write(f"\nerror: {exc}\n")
        return 2
    return 1


def _data(args: argparse.Namespace) -> int:
    from geobaro.data.boundaries import (
        load_units,
        prepare_boundaries,
        read_boundary_source,
        read_manifest,
    )

    if args.action == "prepare":
        width = 30
        tty = sys.stderr.isatty()

        def show(fraction: float, message: str) -> None:
            done = int(fraction * width)
            bar = f"[{'#' * done}{'.' * (width - done)}] {message:<60}"
            # redraw in place on a terminal, one line per step in logs
            sys.stderr.write(f"\r{bar}" if tty else f"{bar.rstrip()}\n")
            if tty and fraction >= 1:
                sys.stderr.write("\n")

        cache = prepare_boundaries(force=args.force, progress=show)
        counts = {v: len(load_units(vintage=v)) for v in ("2018", "2019", "2025")}
        sys.stdout.write(f"boundaries ready in {cache}: communes per vintage {counts}\n")
        return 0
    manifest = read_manifest()
    sys.stdout.write(f"manifest: {manifest.path}\n")
    for f in manifest.files:
        sys.stdout.write(f"  {f.name}  sha256={f.sha256}  bytes={f.size}\n")
    sys.stdout.write(f"licence: {manifest.licence}\n")
    source = read_boundary_source()
    sys.stdout.write(f"prepared from: {source.kind} ({source.location})\n")
    return 0
