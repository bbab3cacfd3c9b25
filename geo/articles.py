"""Stage 1: article files → ``Article``s, with one clear reason for every file we cannot use.

Offsets everywhere index the decoded text, so decoding must not move characters: the
bytes are decoded as UTF-8 with only a leading BOM removed; CRLF line endings stay as
they are (``open(path, encoding="utf-8-sig", newline="").read()`` gives the same text).
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from geo.atomic import kind_of_file
from geo.model import Article, InputError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_BYTES = 64 * 1024 * 1024  # 64 MiB: far above any news article, below memory trouble
_MARKUP_ONLY = re.compile(r"(?:\s|<[^<>]*>|&[#\w]+;)*")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def find_article_files(
    paths: Iterable[Path], *, follow_symlinks: bool = False
) -> tuple[list[Path], list[InputError]]:
    """Files named directly, plus the article files directly inside named folders.

    Folders are not searched recursively (a story is one flat folder), hidden files are
    skipped, and the order is by name, so builds are reproducible. Only regular files are
    articles: a FIFO would block the build forever and a device has no end, so anything
    else is skipped with its reason. A symbolic link inside a folder is followed only when
    it leads to a file inside that folder (or always, with ``follow_symlinks``), so a
    link to ``/etc/passwd`` dropped among the articles is never published.
    """
    found: list[Path] = []
    skipped: list[InputError] = []

    def consider(path: Path, reason: str | None) -> None:
        if reason:
            skipped.append(InputError(path, reason))
        else:
            found.append(path)

    for path in paths:
        if not path.is_dir():
            consider(path, _not_an_article(path, follow=True))  # named by the user: followed
            continue
        for child in sorted(path.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir() and not child.is_symlink():
                if _holds_articles(child):  # said, so that no article is dropped silently
                    consider(child, "is a sub-folder with articles; folders are not searched "
                             "(name it as an input of its own)")  # fmt: skip
                continue
            if child.suffix.lower() in SUFFIXES:
                consider(child, _not_an_article(child, follow=follow_symlinks, folder=path))
    return found, skipped


def _holds_articles(folder: Path) -> bool:
    try:
        return any(
            c.suffix.lower() in SUFFIXES and not c.name.startswith(".") for c in folder.iterdir()
        )
    except OSError:
        return False


def _not_an_article(path: Path, *, follow: bool, folder: Path | None = None) -> str | None:
    """Why ``path`` cannot be read as an article without opening it, or None if it can."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            target = path.resolve(strict=True)
            if not follow and folder is not None and not target.is_relative_to(folder.resolve()):
                return (
                    f"is a symbolic link to {target}, outside {folder}; not followed "
                    "(--follow-symlinks follows it)"
                )
            mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "is a symbolic link to nothing" if os.path.islink(path) else "does not exist"
    except (OSError, RuntimeError) as error:  # RuntimeError: a symlink loop
        return f"cannot be read ({getattr(error, 'strerror', None) or error})"
    if stat.S_ISDIR(mode):
        return "is a folder, not an article file"
    if not stat.S_ISREG(mode):
        return f"is {kind_of_file(mode)}, not a regular file; skipped without opening it"
    return None


def read_article(path: Path) -> Article:
    """Read and decode one article file; raise ``InputError`` with a reason a user can fix.

    Opened without blocking and checked to be a regular file *after* opening, so a file
    swapped for a FIFO between listing and reading cannot hang the build either.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError as error:
        raise InputError(path, "is a folder, not an article file") from error
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror or error})") from error
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise InputError(path, "is a folder, not an article file")
            if not stat.S_ISREG(info.st_mode):
                raise InputError(path, f"is {kind_of_file(info.st_mode)}, not a regular file")
            if info.st_size > MAX_BYTES:
                raise InputError(
                    path, f"too large ({info.st_size / 2**20:.0f} MiB; the limit is 64 MiB)"
                )
            data = _read_up_to_limit(handle, info.st_size)
        except OSError as error:
            raise InputError(path, f"cannot be read ({error.strerror or error})") from error
    if len(data) > MAX_BYTES:
        raise InputError(path, "too large (it grew past 64 MiB while being read)")
    text = _decoded(path, data)
    if not text.strip():
        raise InputError(path, "is empty")
    if _MARKUP_ONLY.fullmatch(text):
        raise InputError(path, "has no text (only markup and whitespace)")
    return Article(id=path.stem, text=text, path=path)


def _decoded(path: Path, data: bytes) -> str:
    """The article's text: UTF-8 (a byte-order mark dropped), or UTF-16 when the file
    begins with a UTF-16 byte-order mark (what Windows editors save as "Unicode" text).

    Offsets are character offsets into this text in either case. Anything else that holds
    NUL characters is binary, and any other encoding is refused with a hint, not guessed.
    """
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as error:
            reason = f"{error.reason} at byte {error.start}"
            raise InputError(path, f"is not valid UTF-16 ({reason}); save it as UTF-8") from error
        if "\x00" not in text[:65536]:
            return text
    if b"\x00" in data[:65536]:
        raise InputError(path, "looks binary (it contains NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = f"bad byte 0x{data[error.start]:02x} at byte {error.start}"
        raise InputError(path, f"is not valid UTF-8 ({bad}); save it as UTF-8") from error


def _read_up_to_limit(handle: BinaryIO, expected: int) -> bytes:
    """The file's bytes, at most one past ``MAX_BYTES``, read in a buffer of its size.

    Asking for ``MAX_BYTES + 1`` at once would allocate 64 MiB per file (a third of a
    millisecond each, 8 % of geoparsing a folder of news); a file that grew since ``fstat``
    is read on to the limit.
    """
    data = handle.read(min(expected, MAX_BYTES) + 1)
    if len(data) > expected:
        data += handle.read(MAX_BYTES + 1 - len(data))
    return data


def read_articles(
    paths: Iterable[Path], *, progress: bool = True, follow_symlinks: bool = False
) -> tuple[list[Article], list[InputError]]:
    """Read every article; each bad file becomes one ``InputError`` and the rest go on.

    Two files with the same stem would give two articles the same id (ids name articles
    in the layers), so the second one is reported instead of silently overwriting.
    """
    from tqdm import tqdm

    files, errors = find_article_files(paths, follow_symlinks=follow_symlinks)
    articles: list[Article] = []
    first_path: dict[str, Path] = {}
    for path in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 20):
        try:
            article = read_article(path)
        except InputError as error:
            errors.append(error)
            continue
        if article.id in first_path:
            errors.append(
                InputError(path, f"has the same article id as {first_path[article.id]}; rename it")
            )
            continue
        first_path[article.id] = path
        articles.append(article)
    return articles, errors
