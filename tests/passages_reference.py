"""The passage splitter as it was before its speed work (``geo/passages.py`` at b94dfdf),
kept verbatim so that tests can check the fast one against it: same passages, same
offsets, on any text. Only ``split_view`` and what it calls; reading HTML and Markdown
(``reading_view``) is shared."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from geo.model import Article, Passage
from geo.passages import FRONT_MATTER, is_html

_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^<>\n]{0,200}>|&(?:[A-Za-z]{2,8}|#\d{1,6});")
_EDGE = " \t\r\n\u00a0\u200b•·▪►*#>|-–—_=~"
_NOISE_LINES = re.compile(
    r"(?ix)^(?:"
    r"leave\ a\ (?:comment|reply|review)|no\ comments?(?:\ yet)?|\d+\ comments?|comments?"
    r"|share(?:\ this(?:\ article|\ story)?)?:?|click\ to\ .{0,40}"
    r"|related(?:\ (?:posts|articles|news|stories))?:?"
    r"|read\ (?:more|also|next):?.{0,80}|see\ also:?|subscribe.{0,60}|advertisement|sponsored"
    r"|follow\ us.{0,60}|sign\ up.{0,60}|like\ this:?|loading\.*|print|email|tweet|whatsapp"
    r"|recommend(?:ed)?:?|tags?:.{0,200}|categories:.{0,200}|filed\ under:?.{0,200}"
    r"|(?:author|by|written\ by):?\ [^.!?]{0,60}|photo:?.{0,120}|source:\ .{0,60}"
    r"|[\w\ ]{0,30}\ (?:news\ line|newsletter)|news\ ?line|menu|home|skip\ to\ content"
    r")$"
)
_WORDPRESS_META = re.compile(r"(?i)\bno comments on\b|\b\d+ min(?:ute)? read\b")
_TWEET = re.compile(
    r"(?i)pic\.twitter\.com/|https?://t\.co/|twitter\.com/\w+/status|"
    r"^\s*[—–-]?\s*[^()\n]{1,80}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
)
# Every match of _TWEET holds "(@" or ".co" (in "t.co/", "twitter.com/"; under re.I, "c"
# and "o" match no other letters): this cheap search rules out nearly every line first.
_TWEET_HINT = re.compile(r"\(@|\.[cC][oO]")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_URL_ONLY = re.compile(r"(?i)^(?:https?://|www\.)\S+$")
_MENU = re.compile(r"^(?:[^|·•\n]{1,25}[|·•]){2,}[^|·•\n]{1,25}$")
_LETTER = re.compile(r"[^\W\d_]")

MAX_PASSAGE_CHARS = 600  # a quote a reader takes in at a glance; bounds every passage
_CLAUSE_BREAK = re.compile(r"[,;:)\]»”]\s+|\s[—–-]\s+")
_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+")

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr gen gov sen rep lt col capt sgt maj adm cmdr rev hon pres "
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc inc ltd co corp dept "
    "est approx fig vol e.g i.e u.s u.k u.n a.m p.m mt ft ave blvd rd".split()
)
_LOOK_BACK = 24  # characters before a full stop searched for the word it ends
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


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in _EDGE or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in _EDGE or text[end - 1].isspace()):
        end -= 1
    return start, end


def _is_noise(line: str) -> bool:
    """Boilerplate a reader does not want quoted: share bars, bylines, tweet embeds, URLs."""
    if not _LETTER.search(line) or _URL_ONLY.match(line):
        return True
    if _TWEET_HINT.search(line) and _TWEET.search(line):
        return True
    if "#" in line and len(_HASHTAG.findall(line)) >= 3:
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


def _word_before(text: str, sentence_start: int, dot: int) -> str:
    """The characters before ``dot`` back to white space or the sentence start: found in a
    short look-back (``str.split`` splits at what ``str.isspace`` calls white space), and
    walked back further only for a longer word."""
    look_back = max(sentence_start, dot - _LOOK_BACK)
    before = text[look_back:dot]
    word_start = dot - len(before.split()[-1]) if before and not before[-1].isspace() else dot
    if word_start == look_back:  # the word may begin before the look-back
        while word_start > sentence_start and not text[word_start - 1].isspace():
            word_start -= 1
    return text[word_start:dot]


def _windows(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """``[start, end)`` in consecutive pieces of at most ``MAX_PASSAGE_CHARS``."""
    while end - start > MAX_PASSAGE_CHARS:
        cut = _cut(text, start, start + MAX_PASSAGE_CHARS)
        yield start, cut
        start = cut
    yield start, end


def _cut(text: str, start: int, limit: int) -> int:
    """Where to end a window that may reach ``limit``: after the last clause break in its
    second half, else at the last space not inside a run of capitalised words (a name),
    else at the last space, else (one giant word) at ``limit``."""
    low = start + MAX_PASSAGE_CHARS // 2
    clause = None
    for match in _CLAUSE_BREAK.finditer(text, low, limit):
        clause = match.end()
    if clause is not None:
        return clause
    spaces = [match.span() for match in _WHITESPACE.finditer(text, low, limit)]
    for position in range(len(spaces) - 1, -1, -1):
        space_start, space_end = spaces[position]
        word_start = spaces[position - 1][1] if position else low
        inside_name = text[word_start : word_start + 1].isupper() and (
            space_end < len(text) and text[space_end].isupper()
        )
        if not inside_name:
            return space_end
    return spaces[-1][1] if spaces else limit
