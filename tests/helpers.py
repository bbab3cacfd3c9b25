"""What the tests that run ``storymap build`` on folders of their own share: the
repository's story definitions, the build command line, its four outputs, and a folder of
small generated articles."""

from __future__ import annotations

import shutil
from pathlib import Path

from geo.cli import main

REPO = Path(__file__).resolve().parents[1]
OUTPUTS = ("layers/places.geojson", "layers/corridors.geojson", "layers/conflicts.geojson",
           "site/index.html")  # fmt: skip
PLACES = [
    "Baku", "Yerevan", "Tbilisi", "Moscow", "Ankara", "Tehran", "Paris", "Berlin", "Kyiv",
    "Warsaw", "Rome", "Madrid", "Cairo", "Nairobi", "Lagos", "Tokyo", "Seoul", "Lima",
    "Armenia", "Georgia", "Azerbaijan", "Turkey", "Iran", "France",
]  # fmt: skip


def story_definitions(layers: Path) -> Path:
    """The repository's corridor and conflict definitions copied into ``layers``, without
    its built layers, so that a test's build has the seeds' story layers to match."""
    shutil.copytree(REPO / "layers", layers, ignore=shutil.ignore_patterns("*.geojson"))
    return layers


def build(root: Path, *options: str) -> int:
    """``storymap build`` into ``root/layers`` and ``root/site`` with online tiles off.

    The articles are ``root/seeds`` unless ``options`` name ``--seeds`` or ``--mentions``.
    """
    if "--seeds" not in options and "--mentions" not in options:
        options = ("--seeds", str(root / "seeds"), *options)
    return main(["build", *options, "--layers", str(root / "layers"),
                 "--site", str(root / "site"), "--tiles", "none"])  # fmt: skip


def read_outputs(root: Path) -> dict[str, bytes]:
    """The bytes of a build's four outputs (the three layers and the page)."""
    return {name: (root / name).read_bytes() for name in OUTPUTS}


def write_articles(folder: Path, count: int = 20) -> list[Path]:
    """``count`` tiny news articles, each naming a different mix of places."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        a, b, c, d = (PLACES[(n * 7 + k * 5) % len(PLACES)] for k in range(4))
        text = (
            f"Officials from {a} met delegates from {b} on Monday.\n"
            f"The talks in {c} touched on trade with {d}.\n"
            f"Share this article\n"
            f"A second round is planned in {a} next month.\n"
        )
        path = folder / f"article-{n:02d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
