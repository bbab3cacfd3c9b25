"""Stage 2: an article → the passages (sentences) worth quoting, with exact offsets.

Real articles arrive scraped: HTML remnants (``< p>``), a paragraph pasted twice, tweet
embeds, "Leave a comment". Those ranges are simply not emitted; nothing is rewritten,
so every passage is still ``article.text[start:end]`` and quotes in the map are verbatim.

An HTML page is read through ``reading_view``: its markup is blanked out character for
character (block tags as line breaks, inline tags such as links as spaces, entities as the
character they stand for), so a sentence with a link in it stays one passage, and every
offset is still an offset into the raw file. A passage of an HTML page is therefore the
raw text with its markup blanked; a browser shows the extra spaces as one.

A passage is at most ``MAX_PASSAGE_CHARS`` long: a longer sentence (a run-on list, a
scraped page with no full stops, a hostile one-line file) is cut into windows at clause
or word boundaries. Quotes stay readable, and the layers and the page grow with the
input rather than with mentions × sentence length.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from geo.model import Article, Passage

# A tag or tag remnant ("< p>", "</p>", "<br/>") or an HTML entity.
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^<>\n]{0,200}>|&(?:[A-Za-z]{2,8}|#\d{1,6});")
# Its second half, for a text with no "<": a fixed first character is found faster.
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,6});")
# YAML front matter at the very top (metadata, read by geo.metadata): never quoted.
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<body>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL
)
# Elements of an HTML page that are not the article: the head (its title and meta tags are
# metadata), scripts, navigation, footers, social embeds and comments. Only the opening is
# matched by a pattern; its end is found by a plain search (see ``_skipped_ranges``).
_SKIPPED_OPENING = re.compile(
    r"<!--|<(head|script|style|noscript|footer|nav|aside)\b[^<>]{0,5000}>"
    r"|<(blockquote)\b[^<>]{0,5000}class=[\"'][^\"'<>]{0,500}"
    r"(?:twitter-tweet|instagram-media|tiktok-embed)[^<>]{0,5000}>",
    re.I,
)
# In an HTML page: any tag (its attributes may span lines) or a doctype; an entity.
_HTML_TAG = re.compile(r"<![^<>]{0,1000}>|<\s*/?\s*([A-Za-z][\w:-]{0,30})[^<>]{0,5000}>")
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
# Markdown inline marks (see ``_markdown_view``), each bounded and on one line.
_MD_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\([^()\[\]\n]{0,2000}\)")
_MD_REFERENCE = re.compile(r"(?m)^ {0,3}\[[^\[\]\n]{1,200}\]:[ \t]*\S{1,2000}.*$")
_MD_LINK = re.compile(
    r"\[(?P<label>[^\[\]\n]{1,500})\](?:\([^()\[\]\n]{0,2000}\)|\[[^\[\]\n]{0,200}\])"
)
# A body never holds its own mark, so a search stops at the next one: linear on any input.
_MD_EMPHASIS = re.compile(
    r"(?<![\w*`])(?:(?P<star>\*\*|\*)(?P<starred>[^\s*][^\n*]{0,199}?)(?<=\S)(?P=star)"
    r"|(?P<under>__)(?P<underlined>[^\s_][^\n_]{0,199}?)(?<=\S)__"
    r"|(?P<tick>`)(?P<code>[^\s`][^\n`]{0,199}?)(?<=\S)`)(?![\w*`])"
)
# Tags that end a paragraph; any other tag (a, b, em, span, time…) sits inside a sentence.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption dd details div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 head header hr html li main nav ol p pre section "
    "summary table tbody td tfoot th thead title tr ul".split()
)
# Characters trimmed from the ends of a passage: space, bullets, Markdown markers.
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
# A tweet embed: a link to a tweet, or a whole line that is its byline
# ("— Jane Doe (@janedoe) March 3, 2022").
_TWEET_LINK = re.compile(r"(?i)pic\.twitter\.com/|https?://t\.co/|twitter\.com/\w+/status")
_TWEET_BYLINE = re.compile(
    r"(?i)\s*[—–-]?\s*[^()\n]{1,80}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$"
)
# Every tweet link holds ".co/" or ".com/" (under re.I, "c", "o" and "m" match no other
# letters) and every byline "(@": these tests rule out nearly every line first, a substring
# test and a search whose fixed first character the engine skips ahead to (the patterns
# above, case-insensitive, are tried at every character).
# A tweet embed (280 characters, a link, a byline) or a line of hashtags is short; a longer
# line with a link or hashtags in it is text (a scraped article may be one long line).
_EMBED_MAX_CHARS = 600
_TWEET_LINK_HINT = re.compile(r"\.[cC][oO][mM]?/")
_HASHTAG = re.compile(r"(?<![\w&])#\w+")
_URL_ONLY = re.compile(r"(?i)^(?:https?://|www\.)\S+$")
_MENU = re.compile(r"^(?:[^|·•\n]{1,25}[|·•]){2,}[^|·•\n]{1,25}$")
_LETTER = re.compile(r"[^\W\d_]")

MAX_PASSAGE_CHARS = 600  # a quote a reader takes in at a glance; bounds every passage
_CLAUSE_BREAK = re.compile(r"[,;:)\]»”]\s+|\s[—–-]\s+")
_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_][\W_]*")  # not "[\W_]+": a repeat first is tried at every character

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr gen gov sen rep lt col capt sgt maj adm cmdr rev hon pres "
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc inc ltd co corp dept "
    "est approx fig vol e.g i.e u.s u.k u.n a.m p.m mt ft ave blvd rd".split()
)
_LOOK_BACK = 24  # characters before a full stop searched for the word it ends
# Each pattern starts with one mark (not a repeat), so the regex engine skips ahead to the
# next candidate instead of trying a match at every character; a paragraph with no "!",
# "?" or "…" is searched for full stops alone, whose fixed first character is faster still.
# Group 1 is the white space after the end: the next sentence's text begins after it.
_SENTENCE_END = re.compile(r"[.!?…][.!?…]*[\"'”’»)\]]*(?=(\s+)[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")
_FULL_STOP_END = re.compile(r"\.\.*[\"'”’»)\]]*(?=(\s+)[\"'“‘«(\[]?[A-Z0-9À-ÖØ-Þ])")


def is_html(article: Article) -> bool:
    return article.path is not None and article.path.suffix.lower() in (".html", ".htm")


def is_markdown(article: Article) -> bool:
    return article.path is not None and article.path.suffix.lower() in (".md", ".markdown")


def reading_view(article: Article) -> Article:
    """The article as the geoparser reads it: an HTML page or a Markdown file with its
    markup blanked out.

    Blanking keeps every character where it was, so offsets into the view are offsets into
    the raw file, and any text outside markup is the same in both. Other files are read as
    they are.
    """
    if is_markdown(article):
        return replace(article, text=_markdown_view(article.text))
    if not is_html(article):
        return article
    text, pieces, cursor = article.text, [], 0
    for start, end in _skipped_ranges(text):
        pieces += [text[cursor:start], _blank(end - start, block=True)]
        cursor = end
    text = "".join([*pieces, text[cursor:]])
    text = _HTML_TAG.sub(_blank_tag, text)
    return replace(article, text=_HTML_ENTITY.sub(_entity, text))


def _markdown_view(text: str) -> str:
    """Markdown's inline marks blanked: link brackets and targets, images, emphasis and
    code ticks ("**MINGORA** —", "[Sukkur](https://…)" read "MINGORA —", "Sukkur")."""
    text = _MD_IMAGE.sub(lambda m: _blank(len(m.group()), block=False), text)
    text = _MD_REFERENCE.sub(lambda m: _blank(len(m.group()), block=True), text)
    text = _MD_LINK.sub(_blank_link_marks, text)
    return _MD_EMPHASIS.sub(_blank_emphasis_marks, text)


def _blank_link_marks(match: re.Match[str]) -> str:
    label = match.group("label")
    return " " + label + " " * (len(match.group()) - len(label) - 1)


def _blank_emphasis_marks(match: re.Match[str]) -> str:
    marks = match.group("star") or match.group("under") or match.group("tick")
    body = match.group("starred") or match.group("underlined") or match.group("code")
    return " " * len(marks) + body + " " * len(marks)


def _skipped_ranges(text: str) -> Iterator[tuple[int, int]]:
    """Where the skipped elements are, in one pass: an element never closed is read as text
    (and its later openings are not searched again, so hostile input stays linear)."""
    unclosed: set[str] = set()
    position = 0
    while opening := _SKIPPED_OPENING.search(text, position):
        name = (opening.group(1) or opening.group(2) or "!--").lower()
        closing = None if name in unclosed else _closing(name).search(text, opening.end())
        if closing is None:
            unclosed.add(name)
            position = opening.end()
            continue
        yield opening.start(), closing.end()
        position = closing.end()


@functools.cache
def _closing(name: str) -> re.Pattern[str]:
    return re.compile("-->" if name == "!--" else rf"</\s*{name}\s*>", re.I)


def _blank(length: int, *, block: bool) -> str:
    """Spaces where markup was; a block starts a new line so that it ends a paragraph."""
    return ("\n" if block and length else "") + " " * (length - 1 if block and length else length)


def _blank_tag(match: re.Match[str]) -> str:
    name = (match.group(1) or "").lower()
    return _blank(len(match.group()), block=name in _BLOCK_TAGS)


def _entity(match: re.Match[str]) -> str:
    character = html.unescape(match.group())
    if len(character) != 1:  # unknown, or more than one character: not worth quoting
        character = " "
    return character.rjust(len(match.group()))  # "Karachi&rsquo;s": the blanks come first


def split_passages(article: Article) -> list[Passage]:
    """The article's sentences in reading order, noise and repeated paragraphs left out."""
    return split_view(reading_view(article))


def split_view(article: Article) -> list[Passage]:
    """``split_passages`` of an article already read through ``reading_view``."""
    text = article.text
    passages: list[Passage] = []
    repeats = _Repeats(text)
    for start, end in _paragraphs(article):
        start, end = _trim(text, start, end)
        if start >= end or _is_noise(text[start:end]) or repeats.seen(start, end):
            continue
        for s_start, s_text, s_end in _sentences(text, start, end):
            # A sentence that fits in one passage (nearly all) is one, already trimmed.
            if s_end - s_start <= MAX_PASSAGE_CHARS:
                windows: Iterable[tuple[int, int]] = ((s_text, s_end),)
            else:
                windows = (_trim(text, *window) for window in _windows(text, s_start, s_end))
            for w_start, w_end in windows:
                if w_start < w_end and _has_letter(text, w_start, w_end):
                    passages.append(
                        Passage(article.id, len(passages), w_start, w_end, text[w_start:w_end])
                    )
    return passages


def _has_letter(text: str, start: int, end: int) -> bool:
    """Whether ``_LETTER`` is found in ``[start, end)``; a trimmed passage nearly always
    begins with a letter (``str.isalpha`` letters are all ``_LETTER``s), which is cheaper to
    test than to search for."""
    return text[start].isalpha() or _LETTER.search(text, start, end) is not None


class _Repeats:
    """Which paragraphs repeat one kept before them: the same words, case folded ("pasted
    twice", whatever the punctuation between).

    Reading a paragraph's words costs a regex pass over all of it, so a paragraph is first
    known by its words' first ``_WORDS_COMPARED_FIRST`` characters, read from its start
    alone; only paragraphs that begin alike have all their words compared (as a digest: a
    10 MB line is not kept), each digest made once, so that many paragraphs beginning alike
    cost one digest each, not one per pair. The first paragraph is not read until a second
    one comes (many scraped articles are one line).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.first: tuple[int, int] | None = None
        self.by_beginning: dict[str, _Alike] = {}

    def seen(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` repeats a kept paragraph; if not, it is kept."""
        if self.first is None and not self.by_beginning:
            self.first = (start, end)
            return False
        if self.first is not None:
            self._keep(*self.first)
            self.first = None
        alike = self.by_beginning.get(_words_beginning(self.text, start, end))
        if alike is None:
            self._keep(start, end)
            return False
        digest = _paragraph_key(self.text, start, end)
        if digest in alike.digests(self.text):
            return True
        alike.kept.add(digest)
        return False

    def _keep(self, start: int, end: int) -> None:
        beginning = _words_beginning(self.text, start, end)
        self.by_beginning.setdefault(beginning, _Alike()).waiting.append((start, end))


@dataclass(slots=True)
class _Alike:
    """Kept paragraphs that begin alike: their digests, each made the first time another
    paragraph with that beginning asks (most beginnings are never asked)."""

    waiting: list[tuple[int, int]] = field(default_factory=list)
    kept: set[bytes] = field(default_factory=set)

    def digests(self, text: str) -> set[bytes]:
        while self.waiting:
            self.kept.add(_paragraph_key(text, *self.waiting.pop()))
        return self.kept


_WORDS_COMPARED_FIRST = 32


def _words(text: str) -> str:
    """The words of ``text`` case folded, one space between.

    The words of a prefix of a text are a prefix of the text's words (case folding maps
    each character on its own, and a cut word or gap is still the start of one), which is
    what lets ``_words_beginning`` read only the start of a paragraph.
    """
    return _NOT_WORD.sub(" ", text.casefold()).strip(" ")


def _words_beginning(text: str, start: int, end: int) -> str:
    """The first ``_WORDS_COMPARED_FIRST`` characters of ``_words(text[start:end])``, read
    from as short a start of the paragraph as holds them."""
    size = 2 * _WORDS_COMPARED_FIRST
    while True:
        words = _words(text[start : min(end, start + size)])
        if len(words) >= _WORDS_COMPARED_FIRST or start + size >= end:
            return words[:_WORDS_COMPARED_FIRST]
        size *= 2


def _paragraph_key(text: str, start: int, end: int) -> bytes:
    """The paragraph's words, case folded, as a short digest: a 10 MB line is not kept."""
    words = _words(text[start:end])
    return hashlib.blake2b(words.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _paragraphs(article: Article) -> Iterator[tuple[int, int]]:
    """Lines of text cut at markup remnants ("< p>" in a scraped text), front matter left out."""
    text = article.text
    cuts = _markup_cuts(text)
    if not is_html(article) and (front_matter := FRONT_MATTER.match(text)):
        cuts.append(front_matter.span())
    cuts += _line_breaks(text)
    cursor = 0
    for cut_start, cut_end in sorted(cuts):
        if cut_start > cursor:
            yield cursor, cut_start
        cursor = max(cursor, cut_end)
    if cursor < len(text):
        yield cursor, len(text)


def _markup_cuts(text: str) -> list[tuple[int, int]]:
    """Where the markup remnants are: every one starts with "<" or "&", which most plain
    texts do not hold at all (a substring test is far faster than the regex's scan)."""
    if "<" in text:
        return [m.span() for m in _MARKUP.finditer(text)]
    return [m.span() for m in _ENTITY.finditer(text)] if "&" in text else []


def _line_breaks(text: str) -> list[tuple[int, int]]:
    """Where each "\\n" is, as a cut: found by ``str.find`` (most articles have a handful)."""
    breaks = []
    at = text.find("\n")
    while at >= 0:
        breaks.append((at, at + 1))
        at = text.find("\n", at + 1)
    return breaks


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
    if "(@" in line and _TWEET_BYLINE.match(line):
        return True
    embed_sized = len(line) <= _EMBED_MAX_CHARS  # longer: text that quotes or tags, kept
    if embed_sized and _TWEET_LINK_HINT.search(line) and _TWEET_LINK.search(line):
        return True
    if embed_sized and "#" in line and len(_HASHTAG.findall(line)) >= 3:
        return True
    if len(line) < 120 and _NOISE_LINES.match(line):
        return True
    if len(line) < 300 and _WORDPRESS_META.search(line):
        return True
    return bool(_MENU.match(line))


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """Sentence spans ``(start, text_start, end)`` inside one trimmed paragraph;
    abbreviations and initials do not end one.

    ``_trim`` of a sentence is ``(text_start, end)``: a sentence ends on its marks (or the
    paragraph's end) and its text begins after the white space that follows the previous
    one, on a quote or a capital (or the paragraph's start); none of these is trimmed.
    """
    cursor = text_start = start
    only_full_stops = all(text.find(mark, start, end) < 0 for mark in "!?…")
    for match in (_FULL_STOP_END if only_full_stops else _SENTENCE_END).finditer(text, start, end):
        dot = match.start()
        if text[dot] == "." and _is_abbreviation(text, cursor, dot):
            continue
        yield cursor, text_start, match.end()
        cursor, text_start = match.end(), match.end(1)
    yield cursor, text_start, end


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    # Most words before a full stop are letters after a plain space: nothing to strip and
    # no other white space inside, so the space found nearby is where the word begins.
    space = text.rfind(" ", max(sentence_start, dot - _LOOK_BACK), dot)
    if space < 0 or not (word := text[space + 1 : dot]).isalpha():
        word = _word_before(text, sentence_start, dot).lstrip("(\"'“‘")
    word = word.casefold()
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
