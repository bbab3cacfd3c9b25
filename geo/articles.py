"""Stage 1: article files → ``Article``s, with one clear reason for every file we cannot use.

Offsets everywhere index the decoded text, so decoding must not move characters: the
bytes are decoded as UTF-8 with only a leading BOM removed; CRLF line endings stay as
they are (``open(path, encoding="utf-8-sig", newline="").read()`` gives the same text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from geo.model import Article, InputError

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_BYTES = 64 * 1024 * 1024  # 64 MiB: far above any news article, below memory trouble
_MARKUP_ONLY = re.compile(r"(?:\s|<[^<>]*>|&[#\w]+;)*")


class ArticleError(Exception):
    """A file that cannot be read as an article; ``str()`` names the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def find_article_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, plus the article files directly inside named folders.

    Folders are not searched recursively (a story is one flat folder), hidden files are
    skipped, and the order is by name, so builds are reproducible.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    child
                    for child in path.iterdir()
                    if child.suffix.lower() in SUFFIXES
                    and not child.name.startswith(".")
                    and not child.is_dir()
                )
            )
        else:
            found.append(path)
    return found


def read_article(path: Path) -> Article:
    """Read and decode one article file; raise ``ArticleError`` with a reason a user can fix."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ArticleError(path, "is a folder, not an article file")
        if size > MAX_BYTES:
            raise ArticleError(path, f"too large ({size / 2**20:.0f} MiB; the limit is 64 MiB)")
        data = path.read_bytes()
    except OSError as error:
        raise ArticleError(path, f"cannot be read ({error.strerror or error})") from error
    if not data.strip():
        raise ArticleError(path, "is empty")
    if b"\x00" in data[:65536]:
        raise ArticleError(path, "looks binary (it contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ArticleError(
            path, f"is not valid UTF-8 (bad byte 0x{data[error.start]:02x} at byte {error.start})"
        ) from error
    if _MARKUP_ONLY.fullmatch(text):
        raise ArticleError(path, "has no text (only markup and whitespace)")
    return Article(id=path.stem, text=text, path=path)


def read_articles(
    paths: Iterable[Path], *, progress: bool = True
) -> tuple[list[Article], list[InputError]]:
    """Read every article; each bad file becomes one ``InputError`` and the rest go on.

    Two files with the same stem would give two articles the same id (ids name articles
    in the layers), so the second one is reported instead of silently overwriting.
    """
    from tqdm import tqdm

    files = find_article_files(paths)
    articles: list[Article] = []
    errors: list[InputError] = []
    first_path: dict[str, Path] = {}
    for path in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 20):
        try:
            article = read_article(path)
        except ArticleError as error:
            errors.append(InputError(path, error.reason))
            continue
        if article.id in first_path:
            errors.append(
                InputError(path, f"has the same article id as {first_path[article.id]}; rename it")
            )
            continue
        first_path[article.id] = path
        articles.append(article)
    return articles, errors
