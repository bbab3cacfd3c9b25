"""Throughput, start-up, memory and accuracy of the geoparser beside a naive peer, in one run.

The peer is what a quick script would do: ``geotext`` (PyPI) finds city and country
names, every occurrence of each is a mention, and each name goes to its most populous
GeoNames match. Each system runs in its own fresh process, so start-up and peak RSS are
its own; the systems alternate (ours, peer, ours, peer…) so that load from anything else
on the machine falls on both alike.

    python benchmarks/throughput.py ../shared/corpora/GWN.xml ../shared/corpora/lgl.xml \
        --documents 1000 [--rounds 2] [--demonyms] [--cli] [--jobs N] [--json results.json]

Start-up is "time to first document": from the moment the process is spawned (interpreter,
imports, opening the gazetteer) until the first document is geoparsed; reading the
benchmark's own input file is not counted. Peak RSS is taken before accuracy is scored.
``--cli`` measures ours as ``storymap geoparse --jsonl`` on the documents written as files
(time to the first JSON line; RSS of the process tree sampled every 20 ms); ``--jobs N`` is
passed to that command and implies ``--cli`` (only if the CLI has the option).

Both systems run from compiled bytecode: pip compiled the peer's ``geotext`` when it
installed it, and an editable install of ours has none, so ``geo/`` is compiled first
(``compileall``, as Python does on a first import unless ``PYTHONDONTWRITEBYTECODE`` is set);
``--no-compile`` leaves it out and measures ours compiling its modules in every process.

Documents are taken in corpus order and repeated when the corpora hold fewer than
``--documents``; accuracy is scored on the gold documents of the first pass only.
Run by hand (not part of the tests); results are recorded in docs/speed.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _ours(demonyms: bool):
    from geo.gazetteer import Gazetteer
    from geo.pipeline import geoparse

    gazetteer = Gazetteer.default()
    return lambda text: geoparse(text, gazetteer=gazetteer, demonyms=demonyms)


def _peer():
    import re

    from geotext import GeoText

    from geo.gazetteer import Gazetteer
    from geo.model import Entry, Mention

    gazetteer = Gazetteer.default()
    cache: dict[str, Entry | None] = {}

    def most_populous(name: str) -> Entry | None:
        if name not in cache:
            found = [candidate.entry for candidate in gazetteer.lookup(name)]
            cache[name] = max(found, key=lambda entry: entry.population, default=None)
        return cache[name]

    def geoparse(text: str) -> list[Mention]:
        found = GeoText(text)
        mentions = []
        for name in sorted(set(found.cities) | set(found.countries)):
            entry = most_populous(name)
            if entry is None:
                continue
            for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                mentions.append(
                    Mention("", match.start(), match.end(), name, entry.name, entry.lat,
                            entry.lon, entry.kind, entry.country_code, entry.id, 1.0)
                )  # fmt: skip
        return sorted(mentions, key=lambda m: m.start)

    return geoparse


def _cpu_s() -> float:
    """CPU seconds of this process so far (user + system): steadier than wall time when
    other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """This process's own peak RSS (``VmHWM``). ``ru_maxrss`` is not: Linux keeps it across
    ``execve``, so a worker would report the benchmark parent's peak when that is larger."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    return round(int(kilobytes) / 1024, 1)


def worker(system: str, texts_file: Path, spawned: float, demonyms: bool) -> dict[str, object]:
    """Run one system in this fresh process and report its numbers as a dict."""
    began_reading = time.time()
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    reading = time.time() - began_reading  # the benchmark's own input: not start-up

    geoparse = _ours(demonyms) if system == "ours" else _peer()
    geoparse(texts[0])
    startup = time.time() - spawned - reading
    startup_cpu = _cpu_s()
    began = time.perf_counter()
    for text in texts[1:]:
        geoparse(text)
    rest = time.perf_counter() - began
    return {
        "system": system,
        "documents": len(texts),
        "megabytes": round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 3),
        "startup_s": round(startup, 3),
        "total_s": round(startup + rest, 3),
        "docs_per_s": round((len(texts) - 1) / max(rest, 1e-9), 1),
        "docs_per_s_with_startup": round(len(texts) / (startup + rest), 1),
        "peak_rss_mb": _peak_rss_mb(),
        "startup_cpu_s": round(startup_cpu, 3),
        "cpu_s": round(_cpu_s(), 3),
        "geoparse": geoparse,
    }


def cli_worker(folder: Path, count: int, spawned: float, demonyms: bool, jobs: int | None):
    """``storymap geoparse --jsonl`` as a whole process: first line, last line, RSS."""
    import psutil

    command = [str(Path(sys.executable).with_name("storymap")), "geoparse", "--jsonl"]
    command += ["--demonyms" if demonyms else "--no-demonyms"]
    command += ["--jobs", str(jobs)] if jobs else []
    process = subprocess.Popen([*command, str(folder)], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    tree = psutil.Process(process.pid)
    peak = 0
    first = None
    lines = 0
    import selectors

    selector = selectors.DefaultSelector()
    stdout = process.stdout
    assert stdout is not None  # stdout=PIPE
    selector.register(stdout, selectors.EVENT_READ)
    while True:
        if selector.select(timeout=0.02):
            line = stdout.readline()
            if not line:
                break
            lines += 1
            first = first if first is not None else time.time() - spawned
        try:
            members = [tree, *tree.children(recursive=True)]
            peak = max(peak, sum(member.memory_info().rss for member in members))
        except psutil.NoSuchProcess:
            pass
    process.wait()
    total = time.time() - spawned
    if process.returncode not in (0, 1) or lines != count:
        raise SystemExit(f"storymap geoparse: exit {process.returncode}, {lines}/{count} lines")
    return {
        "system": "ours-cli" + (f"-jobs{jobs}" if jobs else ""),
        "documents": count,
        "startup_s": round(first or total, 3),
        "total_s": round(total, 3),
        "docs_per_s": round((count - 1) / (total - (first or total)), 1),
        "docs_per_s_with_startup": round(count / total, 1),
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def _score(paths: list[Path], geoparse) -> dict[str, object]:
    from geo.evaluate import evaluate, read_corpus

    gold = [doc for path in paths for doc in read_corpus(path)[0]]
    scores = evaluate(gold, geoparse, progress=False)
    return {
        "f1": scores.f1,
        "accuracy_161": scores.accuracy_161,
        "end_to_end_161": scores.end_to_end_161,
    }


def _cli_has_jobs() -> bool:
    storymap = str(Path(sys.executable).with_name("storymap"))
    usage = subprocess.run([storymap, "geoparse", "--help"], capture_output=True, text=True)
    return "--jobs" in usage.stdout


def _prepare(paths: list[Path], count: int, folder: Path) -> Path:
    """The documents, once: a JSON list for the in-process workers, files for the CLI."""
    from geo.evaluate import read_corpus

    gold = [doc for path in paths for doc in read_corpus(path)[0]]
    texts = [gold[i % len(gold)].text for i in range(count)]
    (folder / "docs").mkdir()
    for index, text in enumerate(texts):
        (folder / "docs" / f"{index:06d}.txt").write_text(text, encoding="utf-8")
    texts_file = folder / "texts.json"
    texts_file.write_text(json.dumps(texts), encoding="utf-8")
    return texts_file


def _run(system: str, args: argparse.Namespace, texts_file: Path) -> dict[str, object]:
    command = [sys.executable, __file__, *map(str, args.corpora), "--worker", system,
               "--texts", str(texts_file), "--documents", str(args.documents)]  # fmt: skip
    command += ["--demonyms" if args.demonyms else "--no-demonyms"]
    command += ["--cli"] if args.cli else []
    command += ["--jobs", str(args.jobs)] if args.jobs else []
    command += ["--spawned", repr(time.time())]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="runs of each system, alternating")
    from geo.weights import COUNT_DEMONYMS

    parser.add_argument("--demonyms", action=argparse.BooleanOptionalAction, default=COUNT_DEMONYMS)
    parser.add_argument("--cli", action="store_true", help="ours as `storymap geoparse --jsonl`")
    parser.add_argument("--jobs", type=int, default=None, help="passed to the CLI (implies --cli)")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument(
        "--compile", action=argparse.BooleanOptionalAction, default=True,
        help="compile geo/ to bytecode first, as the peer's package is (default: on)",
    )  # fmt: skip
    parser.add_argument("--worker", choices=["ours", "peer"], help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spawned", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.cli = args.cli or args.jobs is not None

    if args.worker:
        if args.worker == "ours" and args.cli:
            folder = args.texts.parent / "docs"
            result = cli_worker(folder, args.documents, args.spawned, args.demonyms, args.jobs)
        else:
            result = worker(args.worker, args.texts, args.spawned, args.demonyms)
            result.update(_score(args.corpora, result.pop("geoparse")))
        print(json.dumps(result))
        return 0

    if args.jobs is not None and not _cli_has_jobs():
        print("throughput.py: `storymap geoparse` has no --jobs option here", file=sys.stderr)
        return 2
    from geo.gazetteer import build_default_index

    build_default_index()  # a one-off build is not start-up; both systems use the index
    if args.compile:
        import compileall

        import geo

        compileall.compile_dir(Path(geo.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="throughput-") as tmp:
        texts_file = _prepare(args.corpora, args.documents, Path(tmp))
        runs = [_run(system, args, texts_file)
                for _ in range(args.rounds) for system in ("ours", "peer")]  # fmt: skip
    _report(runs)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, sort_keys=True) + "\n", "utf-8")
    return 0


def _number(value: object) -> float:
    """A measured value read back from a worker's JSON line."""
    assert isinstance(value, (int, float)), value
    return float(value)


def _report(runs: list[dict[str, object]]) -> None:
    keys = ["startup_s", "docs_per_s", "docs_per_s_with_startup", "total_s", "startup_cpu_s",
            "cpu_s", "peak_rss_mb", "f1", "accuracy_161", "end_to_end_161"]  # fmt: skip
    print(f"{'run':>4} {'system':<18} " + " ".join(f"{key:>14}" for key in keys))
    for number, run in enumerate(runs, 1):
        cells = " ".join(f"{run.get(key, '-')!s:>14}" for key in keys)
        print(f"{number:>4} {run['system']!s:<18} {cells}")
    systems = dict.fromkeys(run["system"] for run in runs)
    print("median:")
    for system in systems:
        mine = [run for run in runs if run["system"] == system]
        medians = {
            key: round(statistics.median(_number(r[key]) for r in mine), 4)
            for key in keys
            if key in mine[0]
        }
        cells = " ".join(f"{medians.get(key, '-')!s:>14}" for key in keys)
        print(f"{'':>4} {system!s:<18} {cells}")


if __name__ == "__main__":
    sys.exit(main())
