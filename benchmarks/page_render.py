"""Size of the map page and its time to render in headless Chromium, seeds and 2,000 places.

    python benchmarks/page_render.py [--seeds seeds] [--places 2000] [--runs 3]

For each page: bytes on disk; seconds from navigation until ``window.storymap`` exists
and the place markers are on the map; seconds to hide and show the Places layer (two
clicks on its checkbox); seconds for one chapter step (a click on Next, with reduced
motion so that the map jumps instead of flying: the work of dimming, decluttering and
refitting, not the 0.8 s animation). Clicks are dispatched inside the page and timed until
the second animation frame after them, the frame that shows the result; Playwright's own
round trip is not counted. Needs Debian's ``chromium`` and the ``test`` extra. Run by hand
(not part of the tests); results are recorded in docs/page-benchmark.md.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from geo.cli import main as storymap
from geo.metadata import ArticleMeta
from geo.model import Article, Passage
from geo.page import Story, render_page, write_page

ROOT = Path(__file__).resolve().parents[1]


def seeds_page(seeds: Path, out: Path) -> Path:
    """The page ``storymap build`` writes for ``seeds`` (story layers copied, not touched)."""
    layers = out / "layers"
    shutil.copytree(ROOT / "layers", layers, ignore=shutil.ignore_patterns("*.geojson"))
    code = storymap(["build", "--seeds", str(seeds), "--layers", str(layers),
                 "--site", str(out / "site")])  # fmt: skip
    if code != 0:
        raise SystemExit(f"storymap build failed on {seeds} (exit {code})")
    return out / "site" / "index.html"


def synthetic_page(count: int, out: Path, chapters: int = 10) -> Path:
    """``count`` places over Eurasia in ``chapters`` dated articles, one sentence per place."""
    rng = random.Random(7)
    texts: dict[str, list[str]] = {f"synthetic-{c:02d}": [] for c in range(chapters)}
    rows = []
    for number in range(count):
        article = f"synthetic-{number % chapters:02d}"
        name = f"Place {number}"
        sentence = f"Reporters visited {name} in March {2000 + number % 25}."
        offset = sum(len(t) + 1 for t in texts[article])
        start = offset + len("Reporters visited ")
        rows.append({
            "id": f"synthetic-{number}", "name": name, "kind": "city", "country_code": "",
            "gazetteer_id": f"synthetic:{number}", "mention_count": 1 + number % 5,
            "articles": [article],
            "mentions": [{"article": article, "start": start, "end": start + len(name),
                          "text": name, "passage": len(texts[article])}],
            "score": 1.0,
            "geometry": Point(rng.uniform(-10, 120), rng.uniform(10, 65)),
        })  # fmt: skip
        texts[article].append(sentence)
    articles, passages, metadata = [], [], {}
    for chapter, (article, sentences) in enumerate(texts.items()):
        articles.append(Article(article, "\n".join(sentences)))
        metadata[article] = ArticleMeta(article, headline=f"Dispatch {chapter + 1}",
                                        date=f"2024-{chapter % 12 + 1:02d}-15")  # fmt: skip
        offset = 0
        for index, sentence in enumerate(sentences):
            passages.append(Passage(article, index, offset, offset + len(sentence), sentence))
            offset += len(sentence) + 1
    places = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)
    story = Story(places, empty, empty, articles, passages, metadata)
    return write_page(render_page(story), out)


def measure(page: Path, runs: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    frame = "new Promise(r => requestAnimationFrame(() => r()))"
    click = """async (selector) => {
      const frame = () => new Promise(r => requestAnimationFrame(() => r()));
      const started = performance.now();
      document.querySelector(selector).click();
      await frame();
      await frame();
      return (performance.now() - started) / 1000; }"""
    places_box = ".leaflet-control-layers-overlays label:first-child input"
    loads, toggles, steps = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])  # fmt: skip
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800},
                                          reduced_motion="reduce")  # fmt: skip
            tab = context.new_page()
            tab.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith(("file:", "data:", "blob:"))
                      else route.abort())  # fmt: skip
            started = time.perf_counter()
            tab.goto(page.as_uri())
            tab.wait_for_function(
                "window.storymap && window.storymap.groups.Places.getLayers().length > 0"
            )
            tab.evaluate(frame)
            loads.append(time.perf_counter() - started)
            toggles.append(tab.evaluate(click, places_box) + tab.evaluate(click, places_box))
            steps.append(max(tab.evaluate(click, "#story-next") for _ in range(3)))
            context.close()
        browser.close()
    return {
        "load_s": statistics.median(loads),
        "toggle_s": statistics.median(toggles),
        "step_s": statistics.median(steps),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        pages = {
            "seeds": seeds_page(args.seeds, Path(folder) / "seeds"),
            f"{args.places} synthetic places": synthetic_page(args.places, Path(folder) / "syn"),
        }
        print(
            f"{'page':24} {'size KB':>9} {'render s':>9} {'toggle s':>9} {'step s':>9}"
            f"  (median of {args.runs}; step: slowest of 3)"
        )
        for label, page in pages.items():
            n = measure(page, args.runs)
            size = page.stat().st_size / 1024
            print(
                f"{label:24} {size:9.0f} {n['load_s']:9.2f} {n['toggle_s']:9.2f} {n['step_s']:9.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
