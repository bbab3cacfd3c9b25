"""Peak memory and output size of ``storymap build`` on hostile input sizes.

Two shapes of input, generated into a temporary folder (no corpus needed):

* ``line``: one article that is a single line and a single sentence (commas, no full
  stop) of the given size, naming a place every few words: the worst case for passages;
* ``folder``: many small articles of two or three sentences naming a few places each.

Each build runs ``storymap build --tiles none`` in its own process, with the repository's
story layer definitions; peak RSS is that process's ``ru_maxrss``. Output is the three
layer files plus the page, compared with the input size.

    python benchmarks/hostile_sizes.py line 1 10        # 1 MB and 10 MB single lines
    python benchmarks/hostile_sizes.py folder 5000      # 5,000 small articles
    python benchmarks/hostile_sizes.py folder 50000 --json results.json
    python benchmarks/hostile_sizes.py line 3 --stages  # RSS after each stage, in-process

Run by hand (not part of the tests); results are recorded in docs/limits.md.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLACES = [
    "Baku", "Moscow", "Yerevan", "Tbilisi", "Tehran", "Astrakhan", "Makhachkala", "Kazan",
    "the Caspian Sea", "Nakhchivan", "Kursk", "Dagestan", "Georgia", "Armenia", "Azerbaijan",
    "Russia", "Iran", "Kazakhstan", "Aktau", "Turkmenbashi", "Mumbai", "Bandar Abbas",
    "the Persian Gulf", "Astara", "Rasht", "Derbent", "Volgograd", "Beslan", "Karabakh",
]  # fmt: skip
VERBS = ["met officials from", "sent goods to", "talked about", "signed a deal with",
         "waited for trains from", "reported delays near", "built a road towards"]  # fmt: skip
_MEASURE = """
import resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
summary = [line for line in done.stderr.splitlines() if " mentions, " in line] or ["? ? ?"]
mentions = [line.split()[2] for line in summary]
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak, time.perf_counter() - began, mentions[-1].replace(",", ""))
"""


def one_line_article(size: int, rng: random.Random) -> str:
    """One sentence of ``size`` bytes: clauses joined by commas, never a full stop."""
    parts, total = [], 0
    while total < size:
        clause = f"delegates {rng.choice(VERBS)} {rng.choice(PLACES)} and {rng.choice(PLACES)}"
        parts.append(clause)
        total += len(clause) + 2
    return ("Talks went on: " + ", ".join(parts))[:size]


def small_article(number: int, rng: random.Random) -> str:
    sentences = [
        f"Officials in {rng.choice(PLACES)} {rng.choice(VERBS)} {rng.choice(PLACES)} on day "
        f"{number % 365}.",
        f"Traders said the route through {rng.choice(PLACES)} was open again.",
    ]
    if number % 3 == 0:
        sentences.append(f"Reporters in {rng.choice(PLACES)} asked for more details.")
    return " ".join(sentences) + "\n"


def build(seeds: Path, work: Path) -> dict[str, object]:
    layers = work / "layers"
    shutil.rmtree(layers, ignore_errors=True)
    shutil.copytree(REPO / "layers", layers, ignore=shutil.ignore_patterns("*.geojson"))
    command = [sys.executable, "-m", "geo", "build", "--seeds", str(seeds), "--layers",
               str(layers), "--site", str(work / "site"), "--tiles", "none"]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True
    )
    code, rss_kb, seconds, mentions = done.stdout.split()
    outputs = {p.name: p.stat().st_size for p in layers.glob("*.geojson")}
    page = work / "site" / "index.html"
    outputs["index.html"] = page.stat().st_size if page.exists() else 0
    input_bytes = sum(p.stat().st_size for p in seeds.rglob("*") if p.is_file())
    result: dict[str, object] = {
        "exit_code": int(code),
        "mentions": mentions,
        "seconds": round(float(seconds), 1),
        "peak_rss_mb": round(int(rss_kb) / 1024, 1),
        "input_mb": round(input_bytes / 1e6, 2),
        **{f"{name}_mb": round(size / 1e6, 2) for name, size in sorted(outputs.items())},
        "output_mb": round(sum(outputs.values()) / 1e6, 2),
        "output_over_input": round(sum(outputs.values()) / input_bytes, 2),
    }
    return result


def stages(seeds: Path) -> dict[str, float]:
    """Resident memory (MB) after each stage of a build, in this process: where it goes."""
    import psutil

    from geo.articles import read_articles
    from geo.frames import geojson_text, places_frame
    from geo.gazetteer import Gazetteer
    from geo.layers import build_story_layers
    from geo.page import Story, render_page
    from geo.pipeline import geoparse_article

    process = psutil.Process()
    rss: dict[str, float] = {}

    def mark(stage: str) -> None:
        rss[stage] = round(process.memory_info().rss / 2**20, 1)

    gazetteer = Gazetteer.default()
    gazetteer.lookup("Baku")
    mark("start-up")
    articles, _ = read_articles([seeds])
    passages, mentions = [], []
    for article in articles:
        found = geoparse_article(article, gazetteer=gazetteer)
        passages.extend(found[0])
        mentions.extend(found[1])
    mark(f"geoparse ({len(passages)} passages, {len(mentions)} mentions)")
    places = places_frame(mentions, passages)
    mark("places frame")
    story = build_story_layers(REPO / "layers", gazetteer, passages)
    mark("story layers")
    texts = [geojson_text(frame, name) for name, frame in [("places", places), *story.items()]]
    mark(f"GeoJSON text ({sum(map(len, texts)) / 1e6:.1f} M chars)")
    html = render_page(Story(places, story["corridors"], story["conflicts"], articles, passages))
    mark(f"page ({len(html) / 1e6:.1f} M chars)")
    rss["peak"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shape", choices=["line", "folder"])
    parser.add_argument("sizes", nargs="+", type=float, help="MB (line) or article count")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    parser.add_argument("--stages", action="store_true", help="RSS per stage, in-process")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        rng = random.Random(7)
        with tempfile.TemporaryDirectory(prefix="storymap-hostile-") as tmp:
            work = Path(tmp)
            seeds = work / "seeds"
            seeds.mkdir()
            began = time.perf_counter()
            if args.shape == "line":
                text = one_line_article(int(size * 1_000_000), rng)
                (seeds / "line.txt").write_text(text, encoding="utf-8")
            else:
                for number in range(int(size)):
                    path = seeds / f"{number:06d}.txt"
                    path.write_text(small_article(number, rng), encoding="utf-8")
            generated = time.perf_counter() - began
            result = {"shape": args.shape, "size": size, "generate_seconds": round(generated, 1)}
            result |= stages(seeds) if args.stages else build(seeds, work)
        print(json.dumps(result), flush=True)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
