"""A build is all-or-nothing: the three layers and the page are all new or all old.

Reproductions from issue 9: a bad polygon left a new ``places.geojson`` beside the old
corridors, conflicts and page; 1 of 10 concurrent build pairs mixed places from one build
with the page of the other; kill -9 did the same and left ``.tmp`` files that were never
cleaned. The first tests drive ``geo.publish`` with small files in subprocesses (fast, so
they can be killed many times); the last ones kill and race real ``storymap build`` runs.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import publish
from geo.cli import main

from ..helpers import OUTPUTS as NAMES
from ..helpers import read_outputs, story_definitions

# A publisher in a subprocess: publishes generations of the four files, each file
# starting with "<tag> <generation>"; argv: root, tag, generations, kill_after_renames,
# kill_while_staging_output (-1: never). Padding makes each write take a little time.
PUBLISHER = r"""
import os, signal, sys
from pathlib import Path
from geo import atomic, publish
root, tag, generations, kill_renames, kill_staging = (
    Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
NAMES = ["layers/places.geojson", "layers/corridors.geojson", "layers/conflicts.geojson",
         "site/index.html"]
renames = [0]
real_rename = publish._rename
def rename(src, dst):
    if renames[0] == kill_renames:
        os.kill(os.getpid(), signal.SIGKILL)
    renames[0] += 1
    real_rename(src, dst)
publish._rename = rename
def writer(index, text):
    def write(path):
        if index == kill_staging:
            path.write_text("half of it", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        atomic.write_text(path, text)
    return write
for generation in range(generations):
    text = f"{tag} {generation}\n" + "x" * 200_000
    outputs = [publish.Output(root / name, writer(i, text)) for i, name in enumerate(NAMES)]
    publish.publish(root / "layers", outputs, timeout=60)
"""


def _publisher(root: Path, tag: str, generations: int = 1, kill_renames: int = -1,
               kill_staging: int = -1) -> subprocess.Popen[bytes]:  # fmt: skip
    args = [str(root), tag, str(generations), str(kill_renames), str(kill_staging)]
    return subprocess.Popen([sys.executable, "-c", PUBLISHER, *args], stderr=subprocess.PIPE)


def _markers(root: Path) -> list[str]:
    return [(root / name).read_text(encoding="utf-8").split("\n")[0] for name in NAMES]


def _leftovers(root: Path) -> list[str]:
    found = [*(root / "layers").iterdir(), *(root / "site").iterdir()]
    return sorted(p.name for p in found if p.name.startswith(".") and p.name != publish.LOCK)


@pytest.fixture
def old(tmp_path: Path) -> Path:
    """Four published files, all of generation "old 0"."""
    proc = _publisher(tmp_path, "old")
    assert proc.wait(timeout=60) == 0, proc.communicate()[1]
    assert _markers(tmp_path) == ["old 0"] * 4 and _leftovers(tmp_path) == []
    return tmp_path


@pytest.mark.parametrize("kill_renames", [0, 1, 2, 3])
def test_killed_between_renames_the_next_run_rolls_forward(old: Path, kill_renames: int) -> None:
    proc = _publisher(old, "new", kill_renames=kill_renames)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    on_disk = _markers(old)
    assert on_disk == ["new 0"] * kill_renames + ["old 0"] * (4 - kill_renames)
    assert (old / "layers" / publish.JOURNAL).exists()  # the commit was decided
    publish.settle(old / "layers")  # what the next build or export does first
    assert _markers(old) == ["new 0"] * 4
    assert _leftovers(old) == []


@pytest.mark.parametrize("kill_staging", [0, 2, 3])
def test_killed_while_staging_the_old_outputs_stand_and_temps_are_cleaned(
    old: Path, kill_staging: int
) -> None:
    proc = _publisher(old, "new", kill_staging=kill_staging)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert _markers(old) == ["old 0"] * 4
    assert _leftovers(old)  # staged files of the killed run…
    again = _publisher(old, "next")
    assert again.wait(timeout=60) == 0
    assert _markers(old) == ["next 0"] * 4
    assert _leftovers(old) == []  # …are gone after the next run


@pytest.mark.slow  # 12 kills after random waits: ~5 s
def test_killed_at_random_moments_outputs_are_never_mixed(old: Path) -> None:
    rng = random.Random(9)
    for attempt in range(12):
        proc = _publisher(old, f"run{attempt}", generations=1000)
        time.sleep(rng.uniform(0.15, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        publish.settle(old / "layers")
        markers = _markers(old)
        assert len(set(markers)) == 1, markers
    assert (old / "layers" / publish.JOURNAL).exists() is False


def test_concurrent_publishers_never_mix_and_readers_under_the_lock_see_one_build(
    old: Path,
) -> None:
    writers = [_publisher(old, tag, generations=15) for tag in ("A", "B")]
    seen = set()
    while any(w.poll() is None for w in writers):
        with publish.locked(old / "layers"):
            markers = _markers(old)
        assert len(set(markers)) == 1, markers
        seen.add(markers[0].split()[0])
        time.sleep(0.01)
    assert [w.returncode for w in writers] == [0, 0]
    assert _markers(old)[0] in ("A 14", "B 14") and len(set(_markers(old))) == 1
    assert _leftovers(old) == []


def test_stale_temp_files_of_killed_runs_are_cleaned_and_nothing_else(old: Path) -> None:
    layers, site = old / "layers", old / "site"
    ours = [
        layers / ".places.geojson.123-abcd.staged",
        layers / ".corridors.geojson.x1.tmp",
        layers / "..conflicts.geojson.9-ff.staged.k2.tmp",
        site / ".index.html.77.tmp",
    ]
    theirs = [
        layers / ".notes.tmp",
        layers / "keep.staged",
        site / ".index.htm.1.tmp",
        layers / "places.geojson.bak",
    ]
    for path in (*ours, *theirs):
        path.write_text("left over", encoding="utf-8")
        os.utime(path, (time.time() - 60, time.time() - 60))
    assert _publisher(old, "new").wait(timeout=60) == 0
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)


def test_a_second_publisher_gives_up_after_the_lock_timeout(old: Path) -> None:
    with publish.locked(old / "layers"):
        outputs = [publish.Output(old / name, lambda p: None) for name in NAMES]
        with pytest.raises(publish.PublishError, match="another build holds the lock"):
            publish.publish(old / "layers", outputs, timeout=0.3)
    assert _markers(old) == ["old 0"] * 4


def test_a_journal_that_names_foreign_files_is_refused(old: Path) -> None:
    (old / "layers" / publish.JOURNAL).write_text(json.dumps([["../../x", "../site/index.html"]]))
    with pytest.raises(publish.PublishError, match="not one of our outputs"):
        publish.settle(old / "layers")
    assert _markers(old) == ["old 0"] * 4


# -- real builds -----------------------------------------------------------------------------
ARTICLES = {
    "a": "Leaders met in Baku on Monday and flew on to Moscow.\n",
    "b": "Talks in Tbilisi went on, then the delegation left for Yerevan.\n",
}
BUILD = r"""
import os, signal, sys
from geo import publish
renames = [0]
real_rename = publish._rename
def rename(src, dst):
    if renames[0] == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    renames[0] += 1
    real_rename(src, dst)
publish._rename = rename
from geo.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for story, text in ARTICLES.items():
        (tmp_path / f"seeds-{story}").mkdir()
        (tmp_path / f"seeds-{story}" / f"{story}.txt").write_text(text, encoding="utf-8")
    story_definitions(tmp_path / "layers")
    return tmp_path


def _build_args(root: Path, story: str) -> list[str]:
    return ["build", "--seeds", str(root / f"seeds-{story}"), "--layers", str(root / "layers"),
            "--site", str(root / "site"), "--tiles", "none"]  # fmt: skip


def _story_of_outputs(root: Path) -> str:
    """Which build the outputs come from; fails if the page and the layers disagree."""
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="storymap-data">(.*?)</script>', page)
    assert data is not None
    page_articles = {article["id"] for article in json.loads(data.group(1))["articles"]}
    places = (root / "layers" / "places.geojson").read_text(encoding="utf-8")
    layer_articles = set(re.findall(r'"article": "(\w+)"', places))
    assert page_articles == layer_articles and len(page_articles) == 1, (page_articles, places)
    return page_articles.pop()


def test_killed_build_is_rolled_forward_by_the_next_export(project: Path) -> None:
    assert main(_build_args(project, "a")) == 0
    assert _story_of_outputs(project) == "a"
    killed = subprocess.run([sys.executable, "-c", BUILD, "2", *_build_args(project, "b")],
                            capture_output=True, text=True, timeout=180)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    out = project / "export.geojson"
    assert main(["export", "--layers", str(project / "layers"), "--out", str(out)]) == 0
    assert _story_of_outputs(project) == "b"
    assert "Tbilisi" in out.read_text(encoding="utf-8")


def test_a_layer_that_fails_validation_writes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out-of-range coordinates in the last layer are caught before the first is written."""
    from shapely.geometry import Polygon

    import geo.layers

    assert main(_build_args(project, "a")) == 0
    before = read_outputs(project)
    real = geo.layers.build_story_layers

    def off_the_globe(*args, **kwargs):
        story = real(*args, **kwargs)
        conflicts = story["conflicts"].copy()
        conflicts.loc[conflicts.index[0], "geometry"] = Polygon([(0, 0), (0, 95), (5, 95)])
        return {**story, "conflicts": conflicts}

    monkeypatch.setattr(geo.layers, "build_story_layers", off_the_globe)
    assert main(_build_args(project, "b")) == 2
    err = capsys.readouterr().err
    assert "conflicts.geojson" in err and "outside longitude/latitude" in err
    assert read_outputs(project) == before


@pytest.mark.slow
def test_concurrent_real_builds_never_mix(project: Path) -> None:
    for _ in range(3):
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "geo", *_build_args(project, story)], stderr=subprocess.PIPE
            )  # fmt: skip
            for story in ("a", "b")
        ]
        assert [run.wait(timeout=300) for run in runs] == [0, 0]
        assert _story_of_outputs(project) in ("a", "b")
        assert not [p for p in (project / "layers").iterdir() if p.suffix in (".tmp", ".staged")]


@pytest.mark.slow
def test_real_builds_killed_at_random_moments_are_all_old_or_all_new(project: Path) -> None:
    assert main(_build_args(project, "a")) == 0
    rng = random.Random(6)
    for attempt in range(6):
        story = "ab"[attempt % 2]
        run = subprocess.Popen([sys.executable, "-m", "geo", *_build_args(project, story)],
                               stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.5, 4.0))
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        publish.settle(project / "layers")
        assert _story_of_outputs(project) in ("a", "b")
