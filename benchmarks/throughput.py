"""Throughput, memory and accuracy of the geoparser beside a naive peer, in one run.

The peer is what a quick script would do: ``geotext`` (PyPI) finds city and country
names, every occurrence of each is a mention, and each name goes to its most populous
GeoNames match. Each system runs in its own process so peak RSS is its own.

    python benchmarks/throughput.py ../shared/corpora/GWN.xml ../shared/corpora/lgl.xml \
        --documents 1000 [--demonyms] [--json results.json]

Documents are taken in corpus order and repeated when the corpora hold fewer than
``--documents``; accuracy is scored on the gold documents of the first pass only.
Run by hand (not part of the tests); results are recorded in docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path


def _documents(paths: list[Path], count: int):
    from geo.evaluate import read_corpus

    gold = [doc for path in paths for doc in read_corpus(path)[0]]
    texts = [gold[i % len(gold)].text for i in range(count)]
    return gold, texts


def _ours(demonyms: bool):
    from geo.gazetteer import Gazetteer
    from geo.pipeline import geoparse

    gazetteer = Gazetteer.default()
    gazetteer.lookup("Baku")  # open the index: part of start-up, not of the first document
    return lambda text: geoparse(text, gazetteer=gazetteer, demonyms=demonyms)


def _peer():
    from geotext import GeoText

    from geo.gazetteer import Gazetteer
    from geo.model import Entry, Mention

    gazetteer = Gazetteer.default()
    GeoText("warm-up in Paris")  # geotext reads its data files on first use
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


def worker(system: str, paths: list[Path], count: int, demonyms: bool) -> dict[str, object]:
    """Run one system in this process and report its numbers as a dict."""
    started = time.perf_counter()
    geoparse = _ours(demonyms) if system == "ours" else _peer()
    startup = time.perf_counter() - started
    gold, texts = _documents(paths, count)

    began = time.perf_counter()
    for text in texts:
        geoparse(text)
    parsing = time.perf_counter() - began

    from geo.evaluate import evaluate

    scores = evaluate(gold, geoparse, progress=False)
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    return {
        "system": system,
        "documents": len(texts),
        "megabytes": round(megabytes, 3),
        "startup_s": round(startup, 3),
        "parse_s": round(parsing, 3),
        "docs_per_s": round(len(texts) / parsing, 1),
        "docs_per_s_with_startup": round(len(texts) / (parsing + startup), 1),
        "mb_per_s": round(megabytes / parsing, 3),
        "mb_per_s_with_startup": round(megabytes / (parsing + startup), 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "f1": scores.f1,
        "precision": scores.precision,
        "recall": scores.recall,
        "accuracy_161": scores.accuracy_161,
        "end_to_end_161": scores.end_to_end_161,
        "gold_documents": scores.documents,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--demonyms", action="store_true")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    parser.add_argument("--worker", choices=["ours", "peer"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.corpora, args.documents, args.demonyms)))
        return 0

    from geo.gazetteer import build_default_index

    build_default_index()  # a one-off build is not start-up; both systems use the index
    results = {}
    for system in ("ours", "peer"):
        command = [sys.executable, __file__, *map(str, args.corpora), "--worker", system,
                   "--documents", str(args.documents)]  # fmt: skip
        command += ["--demonyms"] if args.demonyms else []
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        results[system] = json.loads(output.strip().splitlines()[-1])

    ours, peer = results["ours"], results["peer"]
    rows = [
        ("documents (MB)", "documents", "megabytes"),
        ("start-up s", "startup_s", None),
        ("docs/s (start-up excluded)", "docs_per_s", None),
        ("docs/s (start-up included)", "docs_per_s_with_startup", None),
        ("MB/s (start-up excluded)", "mb_per_s", None),
        ("MB/s (start-up included)", "mb_per_s_with_startup", None),
        ("peak RSS MB", "peak_rss_mb", None),
        ("recognition F1 (exact)", "f1", None),
        ("accuracy@161 km", "accuracy_161", None),
        ("end-to-end accuracy@161 km", "end_to_end_161", None),
    ]
    print(f"{'':30} {'ours':>10} {'peer':>10} {'ours/peer':>10}")
    for label, key, extra in rows:
        a, b = ours[key], peer[key]
        ratio = f"{a / b:.2f}" if isinstance(a, int | float) and b else "-"
        if extra:
            a, b, ratio = f"{a} ({ours[extra]})", f"{b} ({peer[extra]})", "-"
        print(f"{label:30} {a!s:>10} {b!s:>10} {ratio:>10}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
