"""The passage splitter as it was before its speed work (``geo/passages.py`` at b94dfdf),
so that tests can check the fast one against it: same passages, same offsets, on any
text. Only what the speed work changed is kept here, verbatim; what it left as it was
(patterns, ``_trim``, ``_windows``, ``reading_view``) is imported, not copied."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from geo.model import Article, Passage
from geo.passages import (  # unchanged since the reference was taken: shared, not copied
    _ABBREVIATIONS,
    _EMBED_MAX_CHARS,
    _HASHTAG,
    _LETTER,
    _MARKUP,
    _MENU,
    _NOISE_LINES,
    _URL_ONLY,
    _WORDPRESS_META,
    FRONT_MATTER,
    _trim,
    _windows,
    _word_before,
    is_html,
)

_TWEET = re.compile(
    r"(?i)pic\.twitter\.com/|https?://t\.co/|twitter\.com/\w+/status|"
    r"^\s*[—–-]?\s*[^()\n]{1,80}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
)
# Every match of _TWEET holds "(@" or ".co" (in "t.co/", "twitter.com/"; under re.I, "c"
# and "o" match no other letters): this cheap search rules out nearly every line first.
_TWEET_HINT = re.compile(r"\(@|\.[cC][oO]")

_NOT_WORD = re.compile(r"[\W_]+")

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")


def split_view(article: Article) -> list[Passage]:
    """``split_passages`` of an article already read through ``reading_view``."""
    text = article.text
    passages: list[Passage] = []
    kept: list[tuple[int, int]] = []
    seen_paragraphs: set[bytes] = set()
    for start, end in _paragraphs(article):
        start, end = _trim(text, start, end)
        if start >= end or _is_noise(text[start:end]):
            continue
        # The first paragraph repeats nothing: its key is made only when a second one comes
        # (many scraped articles are one line).
        if len(kept) == 1 and not seen_paragraphs:
            seen_paragraphs.add(_paragraph_key(text, *kept[0]))
        if kept:
            key = _paragraph_key(text, start, end)
            if key in seen_paragraphs:
                continue
            seen_paragraphs.add(key)
        kept.append((start, end))
        for s_start, s_end in _sentences(text, start, end):
            for w_start, w_end in _windows(text, s_start, s_end):
                w_start, w_end = _trim(text, w_start, w_end)
                if w_start < w_end and _LETTER.search(text, w_start, w_end):
                    passages.append(
                        Passage(article.id, len(passages), w_start, w_end, text[w_start:w_end])
                    )
    return passages


def _paragraph_key(text: str, start: int, end: int) -> bytes:
    """The paragraph's words, case folded, as a short digest: a 10 MB line is not kept."""
    words = _NOT_WORD.sub(" ", text[start:end].casefold()).strip(" ")
    return hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _paragraphs(article: Article) -> Iterator[tuple[int, int]]:
    """Lines of text cut at markup remnants ("< p>" in a scraped text), front matter left out."""
    text = article.text
    cuts = [m.span() for m in _MARKUP.finditer(text)]
    if not is_html(article) and (front_matter := FRONT_MATTER.match(text)):
        cuts.append(front_matter.span())
    cuts += [(m.start(), m.end()) for m in re.finditer(r"\n", text)]
    cursor = 0
    for cut_start, cut_end in sorted(cuts):
        if cut_start > cursor:
            yield cursor, cut_start
        cursor = max(cursor, cut_end)
    if cursor < len(text):
        yield cursor, len(text)


def _is_noise(line: str) -> bool:
    """Boilerplate a reader does not want quoted: share bars, bylines, tweet embeds, URLs."""
    if not _LETTER.search(line) or _URL_ONLY.match(line):
        return True
    # The one change of behaviour since (not speed): only embed-sized lines are embeds.
    embed_sized = len(line) <= _EMBED_MAX_CHARS
    if embed_sized and _TWEET_HINT.search(line) and _TWEET.search(line):
        return True
    if embed_sized and "#" in line and len(_HASHTAG.findall(line)) >= 3:
        return True
    if len(line) < 120 and _NOISE_LINES.match(line):
        return True
    if len(line) < 300 and _WORDPRESS_META.search(line):
        return True
    return bool(_MENU.match(line))


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans inside one paragraph; abbreviations and initials do not end one."""
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.group().startswith(".") and _is_abbreviation(text, cursor, match.start()):
            continue
        yield cursor, match.end()
        cursor = match.end()
    yield cursor, end


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    word = _word_before(text, sentence_start, dot).lstrip("(\"'“‘").casefold()
    if word in _ABBREVIATIONS:
        return True
    # Initials ("J. Smith") and dotted abbreviations ("U.S.", "a.m.").
    return len(word) == 1 and word.isalpha() or "." in word and len(word) <= 6
