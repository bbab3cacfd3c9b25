"""Special files among the articles: FIFOs, devices, sockets and symlinks never hang or leak.

Reproductions from issue 9: a FIFO named ``*.txt`` in the seeds folder hung ``build`` and
``geoparse`` forever; a symlink to ``/etc/passwd`` published one of its lines in the page.
Every test here runs in a subprocess with a timeout, so a regression fails instead of
hanging the suite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from geo.articles import read_article, read_articles

ARTICLE = "Leaders met in Baku on Monday and flew on to Moscow.\n"


def _storymap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "geo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "talks.txt").write_text(ARTICLE, encoding="utf-8")
    return folder


def test_fifo_named_txt_is_skipped_with_its_reason_without_opening_it(seeds: Path) -> None:
    os.mkfifo(seeds / "pipe.txt")
    articles, errors = read_articles([seeds], progress=False)
    assert [a.id for a in articles] == ["talks"]
    assert [(e.path.name, "FIFO" in e.reason) for e in errors] == [("pipe.txt", True)]


def test_read_article_refuses_a_fifo_even_when_named_directly(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(Exception, match="FIFO"):
        read_article(tmp_path / "pipe.txt")  # must return at once, not wait for a writer


def test_geoparse_and_build_do_not_hang_on_a_fifo(seeds: Path) -> None:
    os.mkfifo(seeds / "pipe.txt")
    geoparse = _storymap("geoparse", str(seeds), "--jsonl", cwd=seeds.parent)
    assert geoparse.returncode == 1, geoparse.stderr  # 1: one input skipped
    assert "pipe.txt: is a FIFO" in geoparse.stderr and "Traceback" not in geoparse.stderr
    assert [json.loads(line)["id"] for line in geoparse.stdout.splitlines()] == ["talks"]


def test_devices_and_sockets_are_skipped(seeds: Path, tmp_path: Path) -> None:
    (seeds / "null.txt").symlink_to(os.devnull)  # a link to a device, followed → a device
    server = socket.socket(socket.AF_UNIX)
    short = Path("/tmp") / f"sock-{os.getpid()}.txt"  # AF_UNIX paths are short
    try:
        server.bind(str(short))
        (seeds / "sock.txt").symlink_to(short)
        articles, errors = read_articles([seeds], progress=False, follow_symlinks=True)
    finally:
        server.close()
        short.unlink(missing_ok=True)
    reasons = {e.path.name: e.reason for e in errors}
    assert [a.id for a in articles] == ["talks"]
    assert "character device" in reasons["null.txt"]
    assert "socket" in reasons["sock.txt"]
    _, errors = read_articles([Path(os.devnull)], progress=False)
    assert "character device" in errors[0].reason


def test_symlink_out_of_the_folder_is_not_followed_by_default(seeds: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root in Paris:/root:/bin/bash\n", encoding="utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    articles, errors = read_articles([seeds], progress=False)
    assert [a.id for a in articles] == ["talks"]
    assert "outside" in errors[0].reason and "--follow-symlinks" in errors[0].reason
    followed, errors = read_articles([seeds], progress=False, follow_symlinks=True)
    assert [a.id for a in followed] == ["passwd", "talks"] and not errors


def test_symlink_inside_the_folder_is_followed_and_dangling_one_named(seeds: Path) -> None:
    (seeds / "alias.txt").symlink_to(seeds / "talks.txt")
    (seeds / "gone.txt").symlink_to(seeds / "missing-target")
    articles, errors = read_articles([seeds], progress=False)
    assert [a.id for a in articles] == ["alias", "talks"]
    assert [(e.path.name, e.reason) for e in errors] == [
        ("gone.txt", "is a symbolic link to nothing")
    ]


@pytest.mark.slow  # two builds in subprocesses: ~6 s
def test_build_does_not_publish_a_file_linked_from_outside(seeds: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The root password of Berlin is hunter2.\n", encoding="utf-8")
    (seeds / "passwd.txt").symlink_to(secret)
    args = ["build", "--seeds", "seeds", "--layers", "layers", "--site", "site"]
    build = _storymap(*args, "--tiles", "none", cwd=tmp_path)
    assert build.returncode == 1, build.stderr
    assert "passwd.txt: is a symbolic link" in build.stderr
    page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "hunter2" not in page and "Baku" in page
    followed = _storymap(*args, "--tiles", "none", "--follow-symlinks", cwd=tmp_path)
    assert followed.returncode == 0, followed.stderr
    assert "hunter2" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
