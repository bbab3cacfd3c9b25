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
    build.add_argument(
        "--tiles",
        default="osm",
        choices=["osm", "carto", "none"],
        help="online base map the reader may switch to (the offline map is always there)",
    )
    build.add_argument("--title", default=None, help="page title (default: from the articles)")
    _geocoder_options(build)
    _demonym_option(build)
    build.set_defaults(handler=_build)

    geoparse = sub.add_parser("geoparse", help="print the place mentions of files or folders")
    geoparse.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    geoparse.add_argument("--jsonl", action="store_true", help="one JSON line per input file")
    _geocoder_options(geoparse)
    _demonym_option(geoparse)
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
    _demonym_option(evaluate)
    evaluate.set_defaults(handler=_evaluate)
    return parser


def _demonym_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demonyms",
        action="store_true",
        help='count demonyms ("Russian", "Sri Lankans") as mentions of their place',
    )


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
    """articles → passages → mentions → places → layers → page; writes only once all are built."""
    from tqdm import tqdm

    from geo.gazetteer import Gazetteer
    from geo.layers import LayerError, build_story_layers, write_geojson
    from geo.metadata import article_meta
    from geo.page import Story, render_page, write_page
    from geo.pipeline import geoparse_article
    from geo.places import places_frame

    articles, errors = _read_inputs([args.seeds])
    gazetteer = Gazetteer.default()
    passages, mentions = [], []
    for article in tqdm(articles, desc="geoparsing", unit="article", disable=len(articles) < 20):
        article_passages, article_mentions = geoparse_article(
            article, gazetteer=gazetteer, demonyms=args.demonyms
        )
        passages.extend(article_passages)
        mentions.extend(article_mentions)
    mentions = _maybe_relocate(mentions, args)

    places = places_frame(mentions, passages)
    by_id = {article.id: article for article in articles}
    try:
        story = build_story_layers(args.layers, gazetteer, passages, by_id)
    except LayerError as error:
        raise CommandError(str(error)) from error
    metadata = {article.id: article_meta(article) for article in articles}
    html = render_page(
        Story(places, story["corridors"], story["conflicts"], articles, passages, metadata),
        tiles=args.tiles,
        title=args.title,
    )

    outputs = {"places": places, "corridors": story["corridors"], "conflicts": story["conflicts"]}
    for name, frame in outputs.items():
        write_geojson(frame, args.layers / f"{name}.geojson")
    page = write_page(html, args.site)
    print(
        f"{len(articles)} articles, {len(mentions)} mentions, {len(places)} places, "
        f"{len(story['corridors'])} corridors, {len(story['conflicts'])} conflicts",
        file=sys.stderr,
    )
    print(f"wrote {args.layers}/{{places,corridors,conflicts}}.geojson and {page}", file=sys.stderr)
    return EXIT_SKIPPED if errors else EXIT_OK


def _geoparse(args: argparse.Namespace) -> int:
    """One JSON line (``--jsonl``) or one readable block per input file, in path order."""
    import json

    from geo.gazetteer import Gazetteer
    from geo.pipeline import geoparse_article

    articles, errors = _read_inputs(args.paths)
    gazetteer = Gazetteer.default()
    for article in articles:
        _, mentions = geoparse_article(article, gazetteer=gazetteer, demonyms=args.demonyms)
        mentions = _maybe_relocate(mentions, args)
        if args.jsonl:
            record = {"id": article.id, "mentions": [_mention_record(m) for m in mentions]}
            print(json.dumps(record, ensure_ascii=False, sort_keys=False), flush=True)
            continue
        print(f"{article.id}: {len(mentions)} mentions")
        for m in mentions:
            print(
                f"  {m.start:>6}-{m.end:<6} {m.text!r:32} → {m.name} "
                f"({m.kind}, {m.country_code or '--'}) {m.lat:.4f}, {m.lon:.4f} "
                f"[{m.gazetteer_id}, score {m.score:.2f}]"
            )
    return EXIT_SKIPPED if errors else EXIT_OK


def _mention_record(mention) -> dict:
    keys = ("start", "end", "text", "name", "lat", "lon", "kind", "country_code")
    record = {key: getattr(mention, key) for key in keys}
    record["gazetteer_id"] = mention.gazetteer_id
    record["score"] = round(mention.score, 4)
    return record


def _read_inputs(paths: Sequence[Path]) -> tuple[list, list]:
    """Read every article; name each bad file on stderr; fail only when none is readable."""
    from geo.articles import read_articles

    missing = [path for path in paths if not path.exists()]
    if missing:
        raise CommandError(f"{missing[0]}: no such file or folder")
    articles, errors = read_articles(paths)
    for error in errors:
        print(f"storymap: skipped {error}", file=sys.stderr)
    if not articles:
        shown = ", ".join(str(path) for path in paths)
        raise CommandError(f"{shown}: no readable article (.txt, .md or .html)")
    return articles, errors


def _maybe_relocate(mentions: list, args: argparse.Namespace) -> list:
    """Opt-in online geocoding: only with ``--geocoder nominatim``; falls back to offline."""
    if args.geocoder == "offline":
        return mentions
    from geo.geocoders import default_cache_path, online_geocoder, relocate

    if not args.user_agent:
        raise CommandError("--geocoder nominatim needs --user-agent NAME (Nominatim's policy)")
    geocoder = online_geocoder(args.geocoder, user_agent=args.user_agent, url=args.nominatim_url)
    return relocate(mentions, geocoder, default_cache_path())


def _gazetteer_import(args: argparse.Namespace) -> int:
    from geo.geonames_dump import DumpError, import_dump

    try:
        path, count = import_dump(args.dump, args.alternate_names)
    except DumpError as error:
        raise CommandError(str(error)) from error
    print(f"imported {count} places into {path}; builds now use it", file=sys.stderr)
    return EXIT_OK


def _gazetteer_lookup(args: argparse.Namespace) -> int:
    from geo.geocoders import EmbeddedGazetteer

    locations = EmbeddedGazetteer().geocode(args.name, exactly_one=False) or []
    if not locations:
        print(f"{args.name!r} is not in the gazetteer", file=sys.stderr)
        return EXIT_FAILED
    for location in locations:
        raw = location.raw
        print(
            f"{raw['id']:<22} {raw['name'][:30]:<30} {raw['kind']:<9} {raw['country_code'] or '--'}"
            f" {raw['lat']:>9.4f} {raw['lon']:>10.4f} pop {raw['population']:>10}"
            f" {'primary' if raw['primary'] else 'alternate'}"
        )
    return EXIT_OK


def _gazetteer_rebuild(args: argparse.Namespace) -> int:
    from geo.gazetteer import build_default_index

    path = build_default_index(force=True)
    print(f"rebuilt {path}", file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from geo.export import ExportError, export_layers

    try:
        path = export_layers(args.layers, args.format, args.out, args.layer)
    except ExportError as error:
        raise CommandError(str(error)) from error
    print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    """Score ``geo.geoparse`` on a gold corpus; a table, or the same numbers as JSON."""
    import json

    from geo.evaluate import CorpusError, evaluate, format_table, read_corpus
    from geo.gazetteer import Gazetteer
    from geo.pipeline import geoparse

    try:
        documents, offsets = read_corpus(args.corpus, args.format)
    except CorpusError as error:
        raise CommandError(str(error)) from error
    if args.limit is not None:
        documents = documents[: args.limit]
    gazetteer = Gazetteer.default()
    result = evaluate(
        documents, lambda text: geoparse(text, gazetteer=gazetteer, demonyms=args.demonyms)
    )
    result.repaired_offsets = offsets["repaired"]
    result.dropped_offsets = offsets["dropped"]
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    else:
        print(format_table(result, str(args.corpus)))
    return EXIT_OK


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
