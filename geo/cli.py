"""The ``storymap`` command: parses arguments and wires the pipeline stages together.

Exit codes (also in the README):
  0  everything worked
  1  the command finished, but some input files were skipped (each named on stderr)
  2  nothing useful could be done: bad arguments, no readable article, bad layer definition,
     an output that cannot be written (the message names the path); nothing was changed

The stages are imported inside the handlers, so ``storymap --help`` starts without
geopandas. For the same reason the choices (``--tiles``, ``--format``, ``--geocoder``) and
``LAYERS`` are written out here; tests/test_docs.py checks them against the constants of
the modules that implement them.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import threading
from collections import Counter
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo import __version__
from geo.model import counted

if TYPE_CHECKING:  # pragma: no cover
    from geo.evaluate import GoldDocument
    from geo.gazetteer import Gazetteer
    from geo.parallel import Geoparsed
    from geo.weights import Weights

EXIT_OK, EXIT_SKIPPED, EXIT_FAILED = 0, 1, 2
LAYERS = ("places", "corridors", "conflicts")  # the build's outputs, with site/index.html


class CommandError(Exception):
    """A failure the user can act on; printed as ``storymap: error: <message>``."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storymap",
        description="Turn news articles into an interactive, sourced map story.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_build_parser, _geoparse_parser, _gazetteer_parser, _export_parser,
                _evaluate_parser):  # fmt: skip
        add(sub)
    return parser


def _build_parser(sub: Any) -> None:
    build = sub.add_parser("build", help="geoparse the articles, write layers and the map page")
    build.add_argument(
        "--seeds", type=Path, default=Path("seeds"), help="article folder (default: seeds)"
    )
    build.add_argument(
        "--layers", type=Path, default=Path("layers"),
        help="story definitions and corrections.yaml in, GeoJSON layers out (default: layers)",
    )  # fmt: skip
    build.add_argument(
        "--site", type=Path, default=Path("site"), help="folder of the page (default: site)"
    )
    build.add_argument(
        "--tiles",
        default="osm",
        choices=["osm", "carto", "none"],
        help="online base map the reader may switch to (default: osm; the offline map is "
        "always there)",
    )
    build.add_argument("--title", default=None, help="page title (default: from the articles)")
    _symlink_option(build)
    build.add_argument(
        "--mentions", type=Path, default=None, metavar="PATH",
        help="use the mentions of `storymap geoparse --out PATH` instead of geoparsing --seeds",
    )  # fmt: skip
    _geocoder_options(build)
    _demonym_option(build)
    _jobs_option(build)
    build.set_defaults(handler=_build)


def _geoparse_parser(sub: Any) -> None:
    geoparse = sub.add_parser("geoparse", help="print the place mentions of files or folders")
    geoparse.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    geoparse.add_argument("--jsonl", action="store_true", help="one JSON line per input file")
    _symlink_option(geoparse)
    geoparse.add_argument(
        "--explain",
        action="store_true",
        help="per mention: the recognition rules that fired, the candidates and their scores",
    )
    _weights_option(geoparse)
    geoparse.add_argument(
        "--out", type=Path, default=None, metavar="PATH",
        help="write a mention store for build --mentions: NAME.parquet (a folder) or NAME.jsonl",
    )  # fmt: skip
    geoparse.add_argument(
        "--scheduler", default=None, metavar="tcp://HOST:PORT",
        help="run on the workers of this Dask scheduler (see README, Scaling out)",
    )  # fmt: skip
    _geocoder_options(geoparse)
    _demonym_option(geoparse)
    _jobs_option(geoparse)
    geoparse.set_defaults(handler=_geoparse)


def _gazetteer_parser(sub: Any) -> None:
    gazetteer = sub.add_parser("gazetteer", help="build, inspect or extend the gazetteer")
    gaz_sub = gazetteer.add_subparsers(dest="gazetteer_command", required=True)
    gaz_import = gaz_sub.add_parser("import", help="import a GeoNames dump (allCountries.txt)")
    gaz_import.add_argument("dump", type=Path)
    gaz_import.add_argument("--alternate-names", type=Path, default=None)
    gaz_import.set_defaults(handler=_gazetteer_import)
    gaz_lookup = gaz_sub.add_parser("lookup", help="list the gazetteer entries for a name")
    gaz_lookup.add_argument("name")
    gaz_lookup.set_defaults(handler=_gazetteer_lookup)
    gaz_rebuild = gaz_sub.add_parser(
        "rebuild", help="rebuild the embedded gazetteer index and drop an imported dump"
    )
    gaz_rebuild.set_defaults(handler=_gazetteer_rebuild)


def _export_parser(sub: Any) -> None:
    export = sub.add_parser("export", help="export the built layers for GIS tools")
    export.add_argument(
        "--format",
        default=None,
        choices=["geojson", "gpkg", "parquet", "csv"],
        help="default: from the --out extension (.geojson, .gpkg, .parquet, .csv)",
    )
    export.add_argument("--out", required=True, type=Path, help="the file to write")
    export.add_argument("--layer", default=None, help="places, corridors or conflicts (all)")
    export.add_argument(
        "--layers", type=Path, default=Path("layers"),
        help="folder of the built layers (default: layers)",
    )  # fmt: skip
    export.set_defaults(handler=_export)


def _evaluate_parser(sub: Any) -> None:
    evaluate = sub.add_parser("evaluate", help="score the geoparser on a gold corpus")
    evaluate.add_argument(
        "corpus", type=Path, help="LGL/GeoWebNews XML, or a folder of annotated .txt articles"
    )
    evaluate.add_argument("--format", choices=["lgl", "gwn"], default=None)  # CORPUS_FORMATS
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--limit", type=int, default=None, help="first N documents only")
    evaluate.add_argument(
        "--fit-calibration",
        action="store_true",
        help="fit the score calibration on this corpus and print the Weights constants",
    )
    _weights_option(evaluate)
    _demonym_option(evaluate)
    evaluate.set_defaults(handler=_evaluate)


def _weights_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--weights",
        default=None,
        metavar="K=V,…|FILE.yaml",
        help="override geoparser weights (names in geo/weights.py), e.g. nearby=0.8",
    )


def _weights(args: argparse.Namespace):
    from geo.weights import DEFAULT, WeightsError, parse_weights

    if not getattr(args, "weights", None):
        return DEFAULT
    try:
        return parse_weights(args.weights)
    except WeightsError as error:
        raise CommandError(str(error)) from error


def _demonym_option(parser: argparse.ArgumentParser) -> None:
    from geo.weights import COUNT_DEMONYMS

    parser.add_argument(
        "--demonyms",
        action=argparse.BooleanOptionalAction,
        default=COUNT_DEMONYMS,
        help='count demonyms ("Russian", "Sri Lankans") as mentions of their place; the map '
        "pins only named places, a demonym adds its passage to one (default: on)",
    )


def _symlink_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="read symbolic links in article folders even when they lead outside the folder",
    )


def _jobs_option(parser: argparse.ArgumentParser) -> None:
    from geo.parallel import POOL_MIN_FILES, default_jobs

    parser.add_argument(
        "--jobs", type=_positive_int, default=None, metavar="N",
        help=f"processes to geoparse with (default: {default_jobs()}, this machine's cores, "
        f"from {POOL_MIN_FILES} articles on)",
    )  # fmt: skip


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


def _geocoder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--geocoder",
        default="offline",
        choices=["offline", "nominatim"],  # geo.geocoders.ONLINE_GEOCODERS
        help="offline (default) uses the embedded gazetteer; nominatim is opt-in and online",
    )
    parser.add_argument("--user-agent", default=None, help="required by Nominatim's policy")
    parser.add_argument("--nominatim-url", default=None, help=argparse.SUPPRESS)


# What ``build`` needs after geoparsing (geopandas, folium, jsonschema…): ~1.5 s of imports.
_PAGE_MODULES = ("geo.frames", "geo.layers", "geo.page")


def _build(args: argparse.Namespace) -> int:
    """articles → passages → mentions → places → layers → page; writes only once all are built."""
    _check_outputs(args.layers, args.site)  # before the work, not after it
    importing = _import_in_background(_PAGE_MODULES)
    with _no_cycle_collection():
        return _build_story(args, importing)


def _build_story(args: argparse.Namespace, importing: threading.Thread) -> int:
    parsed = _geoparsed(args)
    importing.join()

    from geo.frames import places_frame
    from geo.gazetteer import Gazetteer
    from geo.layers import LayerError, build_story_layers
    from geo.page import Story, render_page

    articles, passages, errors = parsed.articles, parsed.passages, parsed.errors
    gazetteer = Gazetteer.default()
    mentions = _maybe_relocate(parsed.mentions, args)
    mentions = _corrected(mentions, articles, args.layers, gazetteer)

    places = places_frame(mentions, passages)
    try:
        story = build_story_layers(args.layers, gazetteer, passages)
    except LayerError as error:
        raise CommandError(str(error)) from error
    corridors, conflicts = story["corridors"], story["conflicts"]
    layers = {"places": places, "corridors": corridors, "conflicts": conflicts}
    geojson = _layer_collections(layers, args.layers)
    shown = Story(
        places, corridors, conflicts, articles, passages, parsed.metadata,
        dates=parsed.dates, geojson=geojson,
    )  # fmt: skip
    html = render_page(shown, tiles=args.tiles, title=args.title)
    page = _publish_build(geojson, html, args.layers, args.site)
    print(
        f"{counted(len(articles), 'article')}, {counted(len(mentions), 'mention')}, "
        f"{counted(len(places), 'place')}, {counted(len(corridors), 'corridor')}, "
        f"{counted(len(conflicts), 'conflict')}",
        file=sys.stderr,
    )
    print(f"wrote {args.layers}/{{places,corridors,conflicts}}.geojson and {page}", file=sys.stderr)
    return EXIT_SKIPPED if errors else EXIT_OK


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while ``build`` gathers the whole story in memory.

    The build holds hundreds of thousands of passages, mentions and dicts at once, none of
    them in reference cycles; every full collection walked them all again (10–30 % of the
    work after geoparsing, on 2,000 articles). Memory is still freed by reference counting;
    the collector runs again as soon as the build is done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_in_background(modules: Sequence[str]) -> threading.Thread:
    """Import ``modules`` in a thread while the main one waits for the geoparse workers.

    A module that fails to import here fails again, with its error, where it is used.
    """

    def load() -> None:
        for name in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="import-page-modules")
    thread.start()
    return thread


def _output_paths(layers_dir: Path, site_dir: Path) -> list[Path]:
    return [*(layers_dir / f"{name}.geojson" for name in LAYERS), site_dir / "index.html"]


def _check_outputs(layers_dir: Path, site_dir: Path) -> None:
    from geo.publish import PublishError, check_targets

    for folder in (layers_dir, site_dir):
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder}: is not a folder")
    try:
        check_targets(_output_paths(layers_dir, site_dir))
    except PublishError as error:
        raise CommandError(str(error)) from error


def _layer_collections(frames: dict, layers_dir: Path) -> dict[str, dict]:
    """Check all three layers, then make their GeoJSON once: the page and the files share it."""
    from geo.frames import to_feature_collection, validate_layer
    from geo.layers import LayerError

    try:
        for name in LAYERS:
            validate_layer(frames[name], str(layers_dir / f"{name}.geojson"))
    except LayerError as error:
        raise CommandError(f"{error}; nothing was written") from error
    return {name: to_feature_collection(frames[name]) for name in LAYERS}


def _publish_build(collections: dict, html: str, layers_dir: Path, site_dir: Path) -> Path:
    """Publish the three checked layers and the page together (all or nothing)."""
    from functools import partial

    from geo.atomic import write_text
    from geo.frames import collection_text
    from geo.publish import Output, PublishError, publish

    paths = _output_paths(layers_dir, site_dir)
    texts = [*(collection_text(collections[name]) for name in LAYERS), html]
    outputs = [Output(p, partial(write_text, text=t)) for p, t in zip(paths, texts, strict=True)]
    try:
        publish(layers_dir, outputs)
    except PublishError as error:
        raise CommandError(str(error)) from error
    return paths[-1]


def _corrected(mentions: list, articles: list, layers: Path, gazetteer) -> list:
    """Apply ``layers/corrections.yaml`` and say which corrections were used."""
    from geo.corrections import FILE_NAME, CorrectionError, apply_corrections, load_corrections

    try:
        corrections = load_corrections(layers / FILE_NAME)
        if not corrections:
            return mentions
        mentions, report = apply_corrections(mentions, articles, corrections, gazetteer)
    except CorrectionError as error:
        message = str(error)
        if not message.startswith(str(layers)):
            message = f"{layers / FILE_NAME}: {message}"
        raise CommandError(message) from error
    for line in report.lines():
        print(f"storymap: {line}", file=sys.stderr)
    return mentions


def _geoparse(args: argparse.Namespace) -> int:
    """One JSON line (``--jsonl``) or one readable block per input file, in path order."""
    from geo.mention_store import geoparse_line
    from geo.model import InputError
    from geo.parallel import ArticleResult, geoparse_files, geoparse_rendered

    if args.out:
        return _geoparse_to_store(args)
    files, errors = _plan_inputs(
        args.paths, absolute=bool(args.scheduler), follow_symlinks=args.follow_symlinks
    )
    if args.explain:
        return _explain(args, files, errors)
    # Offline JSON lines are made where each article is geoparsed (every core), not here.
    lines = args.jsonl and args.geocoder == "offline"
    options = {"jobs": args.jobs, "demonyms": args.demonyms, "scheduler": args.scheduler,
               "weights": _weights(args)}  # fmt: skip
    outcomes: Iterator[Any] = (
        geoparse_rendered(files, geoparse_line, **options)
        if lines
        else geoparse_files(files, **options)
    )
    readable = 0
    for outcome in _frozen_after_the_first(_cluster_errors(outcomes)):
        if isinstance(outcome, InputError):
            errors.append(outcome)
            print(f"storymap: skipped {outcome}", file=sys.stderr)
            continue
        readable += 1
        if isinstance(outcome, str):
            _write_line(outcome)
            continue
        article, mentions = outcome.article, _maybe_relocate(outcome.mentions, args)
        if args.jsonl:
            _write_line(geoparse_line(ArticleResult(article, outcome.passages, mentions)))
            continue
        print(f"{article.id}: {counted(len(mentions), 'mention')}")
        for m in mentions:
            print(
                f"  {m.start:>6}-{m.end:<6} {m.text!r:32} → {m.name} "
                f"({m.kind}, {m.country_code or '--'}) {m.lat:.4f}, {m.lon:.4f} "
                f"[{m.gazetteer_id}, score {m.score:.2f}]"
            )
    _require_readable(readable, args.paths)
    return EXIT_SKIPPED if errors else EXIT_OK


def _write_line(line: str) -> None:
    """``print(line, flush=True)`` in one write: print writes the newline on its own, a
    second system call per line when stdout is unbuffered (``PYTHONUNBUFFERED``)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _frozen_after_the_first(outcomes: Iterator[Any]) -> Generator[Any, None, None]:
    """Outcomes as they come; from the second on, what the process holds once one article
    is geoparsed (modules, word tables, the gazetteer's caches: none of it garbage) is kept
    out of the cycle collector's full walks, which went over all of it again each time
    (two of them per 1,000 articles, 15-25 ms each). Given back to the collector at the end."""
    try:
        for count, outcome in enumerate(outcomes):
            yield outcome
            if count == 0:
                gc.freeze()
    finally:
        gc.unfreeze()


def _explain(args: argparse.Namespace, files: list[Path], errors: list) -> int:
    """``geoparse --explain``: rules, candidates and evidence per mention, in-process."""
    import json

    from geo.articles import read_article
    from geo.explain import format_explanation
    from geo.gazetteer import Gazetteer
    from geo.model import InputError
    from geo.pipeline import geoparse_article

    gazetteer, weights, readable = Gazetteer.default(), _weights(args), 0
    for path in files:
        try:
            article = read_article(path)
        except InputError as error:
            errors.append(error)
            print(f"storymap: skipped {errors[-1]}", file=sys.stderr)
            continue
        readable += 1
        explain: dict[str, list] = {}
        geoparse_article(
            article, gazetteer=gazetteer, demonyms=args.demonyms, weights=weights, explain=explain
        )
        if args.jsonl:
            print(json.dumps({"id": article.id, **explain}, ensure_ascii=False), flush=True)
        else:
            print(format_explanation(article.id, explain))
    _require_readable(readable, args.paths)
    return EXIT_SKIPPED if errors else EXIT_OK


def _geoparse_to_store(args: argparse.Namespace) -> int:
    """``geoparse --out``: a mention store, written here or by the workers of a Dask cluster."""
    from geo.mention_store import StoreError, geoparse_to_store, store_format
    from geo.parallel import ClusterError

    if args.geocoder != "offline":
        raise CommandError("--out stores offline mentions only; drop --geocoder")
    try:
        store_format(args.out)
        files, refused = _plan_inputs(
            args.paths, absolute=True, follow_symlinks=args.follow_symlinks
        )
        summary = geoparse_to_store(
            files, args.out, jobs=args.jobs, scheduler=args.scheduler, demonyms=args.demonyms
        )
    except (StoreError, ClusterError) as error:
        raise CommandError(str(error)) from error
    for skipped in summary.errors:
        print(f"storymap: skipped {skipped}", file=sys.stderr)
    _require_readable(summary.articles, args.paths)
    print(
        f"{counted(summary.articles, 'article')}, {counted(summary.mentions, 'mention')}: "
        f"wrote {args.out}",
        file=sys.stderr,
    )
    return EXIT_SKIPPED if refused or summary.errors else EXIT_OK


def _geoparsed(args: argparse.Namespace) -> Geoparsed:
    """The build's articles, passages and mentions: from ``--mentions``, or geoparsed now."""
    from geo.mention_store import StoreError, read_mentions
    from geo.parallel import geoparse_all

    if args.mentions:
        try:
            parsed = read_mentions(args.mentions)
        except StoreError as error:
            raise CommandError(str(error)) from error
        _require_readable(len(parsed.articles), [args.mentions])
        if not args.demonyms:  # a store keeps the demonyms it was made with
            parsed.mentions[:] = [m for m in parsed.mentions if not m.demonym]
        return parsed
    files, refused = _plan_inputs([args.seeds], follow_symlinks=args.follow_symlinks)
    parsed = geoparse_all(files, jobs=args.jobs, demonyms=args.demonyms, story_facts=True)
    for skipped in parsed.errors:
        print(f"storymap: skipped {skipped}", file=sys.stderr)
    parsed.errors[:0] = refused
    _require_readable(len(parsed.articles), [args.seeds])
    return parsed


def _cluster_errors(outcomes: Iterator[Any]) -> Iterator[Any]:
    """Outcomes as they come; a cluster that fails on the way becomes a one-line error."""
    from geo.parallel import ClusterError

    try:
        yield from outcomes
    except ClusterError as error:
        raise CommandError(str(error)) from error


def _plan_inputs(
    paths: Sequence[Path], *, absolute: bool = False, follow_symlinks: bool = False
) -> tuple[list, list]:
    """The article files to read; name each refused file on stderr; fail if a path is missing."""
    from geo.parallel import plan_inputs

    missing = [path for path in paths if not os.path.lexists(path)]
    if missing:
        raise CommandError(f"{missing[0]}: no such file or folder")
    files, refused = plan_inputs(paths, absolute=absolute, follow_symlinks=follow_symlinks)
    for error in refused:
        print(f"storymap: skipped {error}", file=sys.stderr)
    return files, refused


def _require_readable(count: int, paths: Sequence[Path]) -> None:
    if not count:
        shown = ", ".join(str(path) for path in paths)
        raise CommandError(f"{shown}: no readable article (.txt, .md or .html)")


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
    """Back to the embedded gazetteer: rebuild its index and drop an imported dump."""
    from geo.gazetteer import build_default_index, remove_imported_index

    path = build_default_index(force=True)
    removed = remove_imported_index()
    print(f"rebuilt {path}", file=sys.stderr)
    if removed:
        print(
            f"removed the imported gazetteer {removed}; builds use the embedded one",
            file=sys.stderr,
        )
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

    from geo.evaluate import evaluate, format_table
    from geo.gazetteer import Gazetteer
    from geo.pipeline import geoparse

    documents, offsets = _gold_documents(args)
    gazetteer = Gazetteer.default()
    weights = _weights(args)
    if args.fit_calibration:
        return _fit_calibration(args, documents, gazetteer, weights)
    result = evaluate(
        documents,
        lambda text: geoparse(text, gazetteer=gazetteer, demonyms=args.demonyms, weights=weights),
        progress=not args.json and sys.stderr.isatty(),
    )
    result.repaired_offsets = offsets["repaired"]
    result.dropped_offsets = offsets["dropped"]
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, sort_keys=True))
    else:
        print(format_table(result, str(args.corpus)))
    return EXIT_OK


def _gold_documents(args: argparse.Namespace) -> tuple[list[GoldDocument], Counter[str]]:
    """The gold documents of ``args.corpus`` (the first ``--limit``) and how many of its
    offsets were repaired or dropped on reading."""
    from geo.evaluate import CorpusError, read_annotated_folder, read_corpus

    if not args.corpus.exists():
        raise CommandError(f"{args.corpus}: no such file or folder")
    try:
        if args.corpus.is_dir():
            offsets: Counter[str] = Counter()
            documents = read_annotated_folder(args.corpus)
        else:
            documents, offsets = read_corpus(args.corpus, args.format)
    except CorpusError as error:
        raise CommandError(str(error)) from error
    if args.limit is not None:
        documents = documents[: args.limit]
    return documents, offsets


def _fit_calibration(
    args: argparse.Namespace,
    documents: list[GoldDocument],
    gazetteer: Gazetteer,
    weights: Weights,
) -> int:
    """``evaluate --fit-calibration``: print the fitted Weights constants."""
    from geo.calibration import fit, samples

    data = samples(documents, gazetteer, weights=weights, demonyms=args.demonyms)
    fitted = fit(data)
    print(f"# fitted on {len(data)} mentions of {args.corpus}")
    for name, value in fitted.items():
        print(f"{name}: {value}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = args.handler(args)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
        return code
    except CommandError as error:
        print(f"storymap: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (``storymap … | head``): stop quietly, as the Python docs
        # recommend, pointing stdout at devnull so the exit flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SKIPPED
    except OSError as error:
        print(f"storymap: error: {_os_error(error)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def _os_error(error: OSError) -> str:
    """``path: reason`` for a failed file operation (read-only folder, full disk, …)."""
    reason = error.strerror or str(error)
    paths = [p for p in (error.filename, error.filename2) if p is not None]
    if not paths:
        return reason
    return f"{' → '.join(os.fsdecode(p) for p in paths)}: {reason}"


if __name__ == "__main__":
    sys.exit(main())
