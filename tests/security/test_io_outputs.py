"""Where outputs go: one line and exit 2 (never a traceback, never a replaced device).

Reproductions from issue 9: ``export --out /dev/null`` replaced the system's null device
with a regular file; ``--format gpkg --out x.geojson`` wrote GeoPackage bytes into a
``.geojson``; ``--site``/``--layers`` pointing at a file, a read-only folder, a full disk,
``export --out DIR`` and a truncated layer file ended in tracebacks; ``storymap gazetteer
lookup Paris | head`` printed a BrokenPipeError traceback.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import geo.atomic
from geo.cli import main

from ..helpers import build, read_outputs, story_definitions

ARTICLE = "Leaders met in Baku on Monday and flew on to Moscow.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("built")
    (root / "seeds").mkdir()
    (root / "seeds" / "talks.txt").write_text(ARTICLE, encoding="utf-8")
    story_definitions(root / "layers")
    assert build(root) == 0
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of a built project (so each test may break it)."""
    shutil.copytree(built, tmp_path / "p", symlinks=True)
    return tmp_path / "p"


def _export(root: Path, *args: str) -> int:
    return main(["export", "--layers", str(root / "layers"), *args])


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("storymap: error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _leftovers(root: Path) -> list[str]:
    found = [*(root / "layers").glob(".*.*"), *(root / "site").glob(".*.*")]
    return sorted(p.name for p in found if p.name != ".storymap.lock")


# -- export never replaces what is not a regular file -----------------------------------
def test_export_to_dev_null_is_refused_and_dev_null_stays_a_device(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = os.stat(os.devnull)
    assert _export(project, "--format", "geojson", "--out", os.devnull) == 2
    assert "/dev/null: is a character device" in _one_error_line(capsys)
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink"])
def test_export_refuses_fifos_folders_and_symlinks(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = tmp_path / "out.geojson"
    elsewhere = tmp_path / "elsewhere.geojson"
    elsewhere.write_text("precious", encoding="utf-8")
    {"fifo": os.mkfifo, "folder": os.mkdir, "symlink": lambda p: p.symlink_to(elsewhere)}[kind](out)
    assert _export(project, "--out", str(out)) == 2
    line = _one_error_line(capsys)
    assert str(out) in line and "not a regular file" in line
    assert elsewhere.read_text(encoding="utf-8") == "precious"
    assert os.path.lexists(out) and not out.is_file() or out.is_symlink()


def test_export_out_an_existing_folder_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(project, "--format", "csv", "--out", str(project / "site")) == 2
    assert "site: is a folder" in _one_error_line(capsys)


def test_format_follows_the_extension_and_a_contradiction_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mixed = tmp_path / "x.geojson"
    assert _export(project, "--format", "gpkg", "--out", str(mixed)) == 2
    assert "--format gpkg does not match the extension '.geojson'" in _one_error_line(capsys)
    assert not mixed.exists()
    assert _export(project, "--out", str(tmp_path / "x.txt")) == 2
    assert "unknown extension '.txt'" in _one_error_line(capsys)
    assert _export(project, "--out", str(tmp_path / "x.gpkg")) == 0
    assert (tmp_path / "x.gpkg").read_bytes().startswith(b"SQLite format 3\x00")
    assert _export(project, "--out", str(mixed)) == 0
    assert json.loads(mixed.read_text(encoding="utf-8"))["type"] == "FeatureCollection"


@pytest.mark.parametrize("damage", ["truncated", "not utf-8", "not geojson"])
def test_a_damaged_layer_file_is_one_line_naming_it(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    places = project / "layers" / "places.geojson"
    data = places.read_bytes()
    places.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "not utf-8": b"\xff\xfe" + data,
            "not geojson": b'{"type": "FeatureCollection"}',
        }[damage]  # fmt: skip
    )
    assert _export(project, "--out", str(tmp_path / "x.csv")) == 2
    line = _one_error_line(capsys)
    assert "places.geojson: is not a complete GeoJSON layer" in line
    assert not (tmp_path / "x.csv").exists()


# -- build: where it writes ---------------------------------------------------------------
@pytest.mark.parametrize("option", ["site", "layers"])
def test_site_or_layers_pointing_at_a_file_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    target = project / f"{option}-file"
    target.write_text("not a folder", encoding="utf-8")
    before = read_outputs(project)
    args = ["build", "--seeds", str(project / "seeds"), "--tiles", "none"]
    assert main([*args, f"--{option}", str(target)]) == 2
    assert f"{target}: is not a folder" in _one_error_line(capsys)
    assert read_outputs(project) == before


@pytest.mark.parametrize(
    ("code", "reason"),
    [(errno.ENOSPC, "No space left on device"), (errno.EACCES, "Permission denied")],
)
def test_full_disk_or_read_only_folder_mid_build_changes_nothing(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    reason: str,
) -> None:
    """The third output fails to write: the first two were staged, and must not appear."""
    (project / "seeds" / "more.txt").write_text("A summit in Tbilisi.\n", encoding="utf-8")
    before = read_outputs(project)
    real, calls = geo.atomic.write_bytes, []

    def failing(path: Path | str, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(code, reason, str(path))
        real(path, data)

    monkeypatch.setattr(geo.atomic, "write_bytes", failing)
    assert build(project) == 2
    line = _one_error_line(capsys)
    assert "conflicts.geojson: cannot be written" in line and reason in line
    assert read_outputs(project) == before
    assert _leftovers(project) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_site_folder_is_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = read_outputs(project)
    (project / "site").chmod(0o555)
    try:
        assert build(project) == 2
    finally:
        (project / "site").chmod(0o755)
    assert "Permission denied" in _one_error_line(capsys)
    assert read_outputs(project) == before


def test_an_output_that_is_a_symlink_or_fifo_is_refused_before_anything_is_written(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside.html"
    outside.write_text("precious", encoding="utf-8")
    (project / "site" / "index.html").unlink()
    (project / "site" / "index.html").symlink_to(outside)
    places = (project / "layers" / "places.geojson").read_bytes()
    assert build(project) == 2
    assert "index.html: is a symbolic link" in _one_error_line(capsys)
    assert outside.read_text(encoding="utf-8") == "precious"
    assert (project / "layers" / "places.geojson").read_bytes() == places
    (project / "site" / "index.html").unlink()
    (project / "layers" / "corridors.geojson").unlink()
    os.mkfifo(project / "layers" / "corridors.geojson")
    assert build(project) == 2
    assert "corridors.geojson: is a FIFO" in _one_error_line(capsys)


def test_build_outside_a_project_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["build"]) == 2
    assert "seeds: no such file or folder" in _one_error_line(capsys)
    assert not (tmp_path / "site").exists()


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``storymap gazetteer lookup Paris | head``: the reader has gone before we write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "gazetteer", "lookup", "Paris"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    proc.stderr.close()
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    assert proc.returncode == 1
