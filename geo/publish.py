"""Publish a build's outputs together: all new or all old, whatever is killed when.

One rename is atomic, four are not, so a build commits through a journal:

1. under a lock on the layers folder, finish the commit of a run that was killed (from its
   journal) and delete the temp files that killed runs left behind;
2. write every output to a *staged* file beside its final path, fsynced;
3. write the journal (staged → final, for every output), fsynced;
4. rename each staged file over its final path, then delete the journal.

Killed before step 3, a run leaves only staged files: the next run deletes them and the
old outputs stand. Killed after it, the next run (``build`` or ``export``) completes the
renames from the journal before doing anything else, so the new outputs stand. A second
build on the same layers folder waits for the lock, so two builds never interleave.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from geo.atomic import (
    LockTimeout,
    NotReplaceable,
    check_replaceable,
    exclusive_lock,
    fsync_dir,
    write_text,
)

JOURNAL = ".storymap-publish.json"
LOCK = ".storymap.lock"
LOCK_TIMEOUT_SECONDS = 60.0  # a build takes seconds; a minute means another one is stuck
_STAGED = ".staged"

_rename = os.replace  # the commit's renames; tests swap it to kill the process between them


class PublishError(Exception):
    """The outputs cannot be published; the message names the path and the reason."""


@dataclass(frozen=True)
class Output:
    """One file of a build: where it goes, and how to write its content to a given path."""

    path: Path
    write: Callable[[Path], None]


def publish(lock_dir: Path, outputs: Sequence[Output], *, timeout: float | None = None) -> None:
    """Write every output, then make them visible together (see the module docstring)."""
    check_targets([output.path for output in outputs])
    with locked(lock_dir, timeout=timeout) as started:
        recover(lock_dir)
        clean_stale(lock_dir, [output.path for output in outputs], before=started)
        check_targets([output.path for output in outputs])  # again, after the wait
        staged = _stage(outputs)
        _commit(lock_dir, staged)


@contextmanager
def locked(lock_dir: Path, *, timeout: float | None = None) -> Iterator[float]:
    """The build lock of ``lock_dir``; yields the time it was acquired."""
    if lock_dir.exists() and not lock_dir.is_dir():
        raise PublishError(f"{lock_dir}: is not a folder")
    wait = LOCK_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        with exclusive_lock(lock_dir / LOCK, timeout=wait):
            yield time.time()
    except LockTimeout as error:
        raise PublishError(
            f"{lock_dir / LOCK}: another build holds the lock on these outputs "
            f"(waited {wait:.0f} s); try again when it has finished"
        ) from error


def settle(lock_dir: Path) -> None:
    """Complete a killed run's commit, if there is one (for readers such as ``export``)."""
    if (lock_dir / JOURNAL).exists():
        with locked(lock_dir):
            recover(lock_dir)


def recover(lock_dir: Path) -> None:
    """Roll a journalled commit forward; call with the lock held."""
    journal = lock_dir / JOURNAL
    try:
        text = journal.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    try:
        pairs = [(lock_dir / staged, lock_dir / final) for staged, final in json.loads(text)]
    except (ValueError, TypeError) as error:
        raise PublishError(f"{journal}: is not a publish journal ({error}); delete it") from error
    for staged, final in pairs:
        if staged.parent != final.parent or not _is_staged_name(staged.name, final.name):
            raise PublishError(f"{journal}: names {staged} → {final}, not one of our outputs")
    for staged, final in pairs:
        if os.path.lexists(staged):
            _check_target(final)
            _rename(staged, final)
    for folder in {final.parent for _, final in pairs}:
        fsync_dir(folder)
    journal.unlink()
    fsync_dir(lock_dir)


def clean_stale(lock_dir: Path, finals: Sequence[Path], *, before: float) -> list[Path]:
    """Delete staged and temp files of our outputs left by killed runs; returns them.

    Only our own names (``.<output name>.*.staged`` / ``.tmp``) are touched, and only files
    older than our lock: a run holding the lock is the only one that stages.
    """
    removed = []
    for final in finals:
        patterns = (f".{final.name}.*{_STAGED}", f".{final.name}.*.tmp", f"..{final.name}.*.tmp")
        for pattern in patterns:
            for path in final.parent.glob(pattern):
                try:
                    if path.lstat().st_mtime <= before:
                        path.unlink()
                        removed.append(path)
                except FileNotFoundError:
                    continue
    return removed


def check_targets(paths: Sequence[Path]) -> None:
    """Refuse outputs whose folder is a file, or whose path holds a link, FIFO, device…"""
    for path in paths:
        _check_target(path)


def _check_target(path: Path) -> None:
    if path.parent.exists() and not path.parent.is_dir():
        raise PublishError(f"{path.parent}: is not a folder")
    try:
        check_replaceable(path)
    except NotReplaceable as error:
        raise PublishError(str(error)) from error


def _is_staged_name(staged: str, final: str) -> bool:
    return staged.startswith(f".{final}.") and staged.endswith(_STAGED)


def _stage(outputs: Sequence[Output]) -> list[tuple[Path, Path]]:
    """Write every output beside its final path; on any failure remove what was staged."""
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    staged: list[tuple[Path, Path]] = []
    try:
        for output in outputs:
            output.path.parent.mkdir(parents=True, exist_ok=True)
            path = output.path.with_name(f".{output.path.name}.{token}{_STAGED}")
            staged.append((path, output.path))
            try:
                output.write(path)
            except OSError as error:  # a full disk, a read-only folder: name the output
                reason = error.strerror or str(error)
                raise PublishError(f"{output.path}: cannot be written ({reason})") from error
        for folder in {final.parent for _, final in staged}:
            fsync_dir(folder)
    except BaseException:
        for path, _ in staged:
            path.unlink(missing_ok=True)
        raise
    return staged


def _commit(lock_dir: Path, staged: list[tuple[Path, Path]]) -> None:
    """Journal the renames, do them, drop the journal (``recover`` finishes a killed one)."""
    entries = [
        [os.path.relpath(path, lock_dir), os.path.relpath(final, lock_dir)]
        for path, final in staged
    ]
    try:
        write_text(lock_dir / JOURNAL, json.dumps(entries, ensure_ascii=False) + "\n")
    except BaseException:
        for path, _ in staged:
            path.unlink(missing_ok=True)
        raise
    fsync_dir(lock_dir)
    recover(lock_dir)
