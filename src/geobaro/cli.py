"""Command line: ``python -m geobaro data prepare|info|build-shipped``, ``sample``, ``export``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

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
    prep = data_sub.add_parser(
        "prepare",
        help="check the shipped web boundaries, or fetch, verify and cache them",
    )
    prep.add_argument(
        "--force", action="store_true", help="rebuild the cache from the mirror or Statbel"
    )
    prep.add_argument(
        "--full",
        action="store_true",
        help="also prepare the full-resolution geometry (from the mirror or Statbel)",
    )
    data_sub.add_parser("info", help="show the manifest and cache state")
    shipped = data_sub.add_parser(
        "build-shipped", help="rebuild the web boundaries shipped in the package from the mirror"
    )
    shipped.add_argument(
        "--out", default=None, help="output folder (default: the package's data/files)"
    )

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
    if args.action == "prepare":
        return _prepare(force=args.force, full=args.full)
    if args.action == "build-shipped":
        return _build_shipped(args.out)
    from geobaro.data.boundaries import read_boundary_source, read_manifest

    manifest = read_manifest()
    sys.stdout.write(f"manifest: {manifest.path}\n")
    for f in manifest.files:
        sys.stdout.write(f"  {f.name}  sha256={f.sha256}  bytes={f.size}\n")
    sys.stdout.write(f"licence: {manifest.licence}\n")
    source = read_boundary_source()
    sys.stdout.write(f"prepared from: {source.kind} ({source.location})\n")
    return 0


def _prepare(*, force: bool, full: bool) -> int:
    from geobaro.data.boundaries import load_units, prepare_boundaries, read_boundary_source
    from geobaro.data.rebuild import write_prepared_topologies
    from geobaro.maps import build_topology

    folder = prepare_boundaries(force=force, full=full, progress=_progress_bar())
    # the first map should not wait for its topology: build them now, once
    write_prepared_topologies(build_topology=build_topology, force=force)
    counts = {v: len(load_units(vintage=v, web=not full)) for v in ("2018", "2019", "2025")}
    source = read_boundary_source()
    resolution = "full and web" if (folder / "communes_2018.parquet").is_file() else "web"
    sys.stdout.write(
        f"boundaries ready in {folder} ({source.kind}, {resolution} resolution): "
        f"communes per vintage {counts}\n"
    )
    return 0


def _build_shipped(out: str | None) -> int:
    from pathlib import Path

    from geobaro.config import get_settings
    from geobaro.data.rebuild import build_shipped
    from geobaro.maps import build_topology

    settings = get_settings()
    default = Path(__file__).resolve().parent / "data" / "files"
    dest = Path(out) if out else (settings.shipped_dir or default)
    stamp = build_shipped(dest, build_topology=build_topology, progress=_progress_bar())
    for name, entry in sorted(stamp["files"].items()):
        sys.stdout.write(f"{dest / name}  sha256={entry['sha256']}  bytes={entry['bytes']}\n")
    return 0


def _progress_bar() -> Callable[[float, str], None]:
    width = 30
    tty = sys.stderr.isatty()

    def show(fraction: float, message: str) -> None:
        done = int(fraction * width)
        bar = f"[{'#' * done}{'.' * (width - done)}] {message:<60}"
        # redraw in place on a terminal, one line per step in logs
        sys.stderr.write(f"\r{bar}" if tty else f"{bar.rstrip()}\n")
        if tty and fraction >= 1:
            sys.stderr.write("\n")

    return show
