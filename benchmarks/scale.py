"""Scale-out benchmarks: all cores of one machine, a Dask cluster, and flat memory.

    python benchmarks/scale.py ../shared/corpora/GWN.xml ../shared/corpora/lgl.xml \
        [--local 1000] [--dask 10000] [--memory 1000 50000] [--build 2000 [--rounds 3]] \
        [--json results.json]

(a) ``--local N``: ``storymap geoparse DIR --jsonl --jobs J`` on N article files, J = 1 and
    2, the whole process timed from launch (start-up included); peak memory of the process
    tree (sampled every 50 ms: PSS summed over the main process, the fork server and the
    workers, so pages they share count once) and peak RSS of the largest single process.
(b) ``--dask N``: the same N files on a ``distributed.LocalCluster`` of 1 and then 2
    single-threaded worker processes, written as a GeoParquet store by the workers;
    cluster start-up and the run timed apart, plus a one-file run (the fixed overhead of
    connecting, registering the gazetteer plugin and committing the store).
(c) ``--memory A B``: peak RSS of ``storymap geoparse --jsonl --jobs 1`` on A and on B
    small documents (each corpus text cut to its first ``--small-chars`` characters).
(d) ``--build N``: ``storymap build`` on N article files with the repository's story
    definitions (``layers/*/*.yaml``: corridors and conflicts), all cores (the default
    ``--jobs``), the whole process timed from launch, ``--rounds`` times; the size of the
    page and of ``places.geojson``, and whether every round wrote the same bytes.

Article texts come from the gold corpora (``geo.evaluate.read_corpus``), repeated to reach
N, written as files into a temporary folder. Run by hand, never from the tests; results
go to docs/scale.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

STORYMAP = [sys.executable, "-m", "geo"]
SAMPLE_SECONDS = 0.05
STORY_DEFINITIONS = Path(__file__).resolve().parent.parent / "layers"


def write_articles(corpora: list[Path], count: int, folder: Path, max_chars: int | None) -> int:
    """``count`` article files from the corpora (repeated as needed); returns their bytes."""
    from geo.evaluate import read_corpus

    texts = [doc.text for path in corpora for doc in read_corpus(path)[0] if doc.text.strip()]
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for n in range(count):
        text = texts[n % len(texts)]
        if max_chars and len(text) > max_chars:
            cut = text.rfind("\n", 0, max_chars)
            text = text[: cut if cut > max_chars // 2 else max_chars]
        data = text.encode("utf-8")
        (folder / f"doc-{n:07d}.txt").write_bytes(data)
        total += len(data)
    return total


def run_measured(command: list[str]) -> dict[str, float]:
    """Run ``command`` to the end (stdout discarded): wall time and peak RSS, in MB."""
    started = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = peak_single = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_single
        while not done.is_set():
            try:
                procs = [process, *process.children(recursive=True)]
                shares, sizes = [], []
                for proc in procs:
                    try:
                        memory = proc.memory_full_info()
                    except psutil.Error:
                        continue
                    shares.append(memory.pss)
                    sizes.append(memory.rss)
                peak_tree = max(peak_tree, sum(shares) / 2**20)
                peak_single = max(peak_single, max(sizes, default=0) / 2**20)
            except psutil.Error:
                pass
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed: {err.decode()[-500:]}")
    return {
        "wall_s": round(wall, 3),
        "peak_pss_tree_mb": round(peak_tree, 1),
        "peak_rss_single_mb": round(peak_single, 1),
    }


def bench_local(corpora: list[Path], count: int, work: Path) -> dict[str, object]:
    folder = work / f"local-{count}"
    size = write_articles(corpora, count, folder, None)
    runs: dict[str, dict[str, float]] = {}
    for jobs in (1, 2):
        result = run_measured([*STORYMAP, "geoparse", str(folder), "--jsonl", "--jobs", str(jobs)])
        result["docs_per_s"] = round(count / result["wall_s"], 1)
        runs[f"jobs_{jobs}"] = result
    speedup = round(runs["jobs_1"]["wall_s"] / runs["jobs_2"]["wall_s"], 2)
    return {"documents": count, "megabytes": round(size / 1e6, 2), **runs, "speedup": speedup}


def bench_dask(corpora: list[Path], count: int, work: Path) -> dict[str, object]:
    from distributed import LocalCluster

    from geo.mention_store import geoparse_to_store
    from geo.parallel import plan_inputs

    folder = work / f"dask-{count}"
    write_articles(corpora, count, folder, None)
    files, _ = plan_inputs([folder], absolute=True)
    runs: dict[str, object] = {"documents": count}
    for workers in (1, 2):
        started = time.perf_counter()
        with LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None,
        ) as cluster:  # fmt: skip
            startup = time.perf_counter() - started
            began = time.perf_counter()
            geoparse_to_store(files[:1], work / "one.parquet", scheduler=cluster.scheduler_address)
            overhead = time.perf_counter() - began  # includes loading the gazetteer once
            began = time.perf_counter()
            summary = geoparse_to_store(
                files, work / f"mentions-{workers}.parquet", scheduler=cluster.scheduler_address
            )
            elapsed = time.perf_counter() - began
        runs[f"workers_{workers}"] = {
            "cluster_startup_s": round(startup, 2),
            "one_file_run_s": round(overhead, 2),
            "run_s": round(elapsed, 2),
            "docs_per_s": round(count / elapsed, 1),
            "docs_per_s_per_worker": round(count / elapsed / workers, 1),
            "mentions": summary.mentions,
        }
    one, two = runs["workers_1"], runs["workers_2"]
    runs["speedup"] = round(one["run_s"] / two["run_s"], 2)  # type: ignore[index]
    return runs


def bench_memory(corpora: list[Path], counts: list[int], work: Path, chars: int) -> dict:
    runs = {}
    for count in counts:
        folder = work / f"small-{count}"
        size = write_articles(corpora, count, folder, chars)
        result = run_measured([*STORYMAP, "geoparse", str(folder), "--jsonl", "--jobs", "1"])
        result["megabytes"] = round(size / 1e6, 2)
        result["docs_per_s"] = round(count / result["wall_s"], 1)
        runs[str(count)] = result
    return runs


def bench_build(corpora: list[Path], count: int, work: Path, rounds: int) -> dict[str, object]:
    folder = work / f"build-{count}"
    size = write_articles(corpora, count, folder, None)
    layers, site = work / "build-layers", work / "build-site"
    for definition in STORY_DEFINITIONS.glob("*/*.yaml"):
        target = layers / definition.parent.name / definition.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(definition, target)
    command = [*STORYMAP, "build", "--seeds", str(folder), "--layers", str(layers)]
    runs, digests = [], set()
    for _ in range(rounds):
        runs.append(run_measured([*command, "--site", str(site)]))
        outputs = [site / "index.html", *sorted(layers.glob("*.geojson"))]
        digests.add(hashlib.sha256(b"".join(p.read_bytes() for p in outputs)).hexdigest())
    return {
        "documents": count,
        "megabytes": round(size / 1e6, 2),
        "wall_s": [run["wall_s"] for run in runs],
        "peak_pss_tree_mb": max(run["peak_pss_tree_mb"] for run in runs),
        "page_bytes": (site / "index.html").stat().st_size,
        "places_geojson_bytes": (layers / "places.geojson").stat().st_size,
        "identical_outputs": len(digests) == 1,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--local", type=int, default=None, metavar="N")
    parser.add_argument("--dask", type=int, default=None, metavar="N")
    parser.add_argument("--memory", type=int, nargs=2, default=None, metavar=("A", "B"))
    parser.add_argument("--small-chars", type=int, default=600)
    parser.add_argument("--build", type=int, default=None, metavar="N")
    parser.add_argument("--rounds", type=int, default=3, help="runs of --build")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = parser.parse_args()

    from geo.gazetteer import build_default_index

    build_default_index()  # a one-off build is not part of any measurement
    results: dict[str, object] = {"cpus": os.cpu_count(), "load_avg_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="storymap-scale-") as tmp:
        work = Path(tmp)
        if args.local:
            results["local"] = bench_local(args.corpora, args.local, work)
            print(json.dumps({"local": results["local"]}), flush=True)
        if args.dask:
            results["dask"] = bench_dask(args.corpora, args.dask, work)
            print(json.dumps({"dask": results["dask"]}), flush=True)
        if args.memory:
            results["memory"] = bench_memory(args.corpora, args.memory, work, args.small_chars)
            print(json.dumps({"memory": results["memory"]}), flush=True)
        if args.build:
            results["build"] = bench_build(args.corpora, args.build, work, args.rounds)
            print(json.dumps({"build": results["build"]}), flush=True)
    results["load_avg_at_end"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
