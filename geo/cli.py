"""The ``storymap`` command: parses arguments and wires the pipeline stages together.

Exit codes (also in the README):
  0  everything worked
  1  the command finished, but some input files were skipped (each named on stderr)
  2  nothing useful could be done: bad arguments, no readable article, bad layer definition
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_SKIPPED, EXIT_FAILED = 0, 1, 2


class CommandError(Exception):
    """A failure the user can act on; printed as ``storymap: error: <message>``."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storymap",
        description="Turn news articles into an interactive, sourced map story.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="geoparse the articles, write layers and the map page")
    build.add_argument("--seeds", type=Path, default=Path("seeds"), help="article folder")
    build.add_argument("--layers", type=Path, default=Path("layers"), help="story layers folder")
    build.add_argument("--site", type=Path, default=Path("site"), help="output folder for the page")
    build.add_argument("--tiles", default="osm", choices=["osm", "carto", "none"])
    _geocoder_options(build)
    build.set_defaults(handler=_build)

    geoparse = sub.add_parser("geoparse", help="print the place mentions of files or folders")
    geoparse.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    geoparse.add_argument("--jsonl", action="store_true", help="one JSON line per input file")
    _geocoder_options(geoparse)
    geoparse.set_defaults(handler=_geoparse)

    gazetteer = sub.add_parser("gazetteer", help="build, inspect or extend the gazetteer")
    gaz_sub = gazetteer.add_subparsers(dest="gazetteer_command", required=True)
    gaz_import = gaz_sub.add_parser("import", help="import a GeoNames dump (allCountries.txt)")
    gaz_import.add_argument("dump", type=Path)
    gaz_import.add_argument("--alternate-names", type=Path, default=None)
    gaz_import.set_defaults(handler=_gazetteer_import)
    gaz_lookup = gaz_sub.add_parser("lookup", help="list the gazetteer entries for a name")
    gaz_lookup.add_argument("name")
    gaz_lookup.set_defaults(handler=_gazetteer_lookup)
    gaz_rebuild = gaz_sub.add_parser("rebuild", help="rebuild the cached gazetteer index")
    gaz_rebuild.set_defaults(handler=_gazetteer_rebuild)

    export = sub.add_parser("export", help="export the built layers for GIS tools")
    export.add_argument("--format", required=True, choices=["geojson", "gpkg", "parquet", "csv"])
    export.add_argument("--out", required=True, type=Path)
    export.add_argument("--layer", default=None, help="places, corridors or conflicts (all)")
    export.add_argument("--layers", type=Path, default=Path("layers"))
    export.set_defaults(handler=_export)

    evaluate = sub.add_parser("evaluate", help="score the geoparser on a gold corpus")
    evaluate.add_argument("corpus", type=Path)
    evaluate.add_argument("--format", choices=["lgl", "gwn"], default=None)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--limit", type=int, default=None, help="first N documents only")
    evaluate.set_defaults(handler=_evaluate)
    return parser


def _geocoder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--geocoder",
        default="offline",
        choices=["offline", "nominatim"],
        help="offline (default) uses the embedded gazetteer; nominatim is opt-in and online",
    )
    parser.add_argument("--user-agent", default=None, help="required by Nominatim's policy")
    parser.add_argument("--nominatim-url", default=None, help=argparse.SUPPRESS)


def _build(args: argparse.Namespace) -> int:
    raise CommandError("build is not wired yet")


def _geoparse(args: argparse.Namespace) -> int:
    raise CommandError("geoparse is not wired yet")


def _gazetteer_import(args: argparse.Namespace) -> int:
    raise CommandError("gazetteer import is not wired yet")


def _gazetteer_lookup(args: argparse.Namespace) -> int:
    raise CommandError("gazetteer lookup is not wired yet")


def _gazetteer_rebuild(args: argparse.Namespace) -> int:
    raise CommandError("gazetteer rebuild is not wired yet")


def _export(args: argparse.Namespace) -> int:
    raise CommandError("export is not wired yet")


def _evaluate(args: argparse.Namespace) -> int:
    raise CommandError("evaluate is not wired yet")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except CommandError as error:
        print(f"storymap: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
