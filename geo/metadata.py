"""Article metadata for the page: headline, publication date, author, outlet and URL.

A reader follows a story by its articles, not by file names, so each article is headed by
what its publisher said about it. That is read from where publishers put it:

* ``.md``: YAML front matter (``title``, ``date``, ``author``, ``outlet``/``publication``,
  ``url``) between ``---`` lines at the very top;
* ``.html``: ``<meta>`` (Open Graph, Dublin Core, ``article:*``, ``author``), ``<title>``,
  ``<h1>``, the first ``<time datetime>`` and ``<link rel=canonical>``, read with the
  standard HTML parser;
* plain text: among the first lines, a short headline line, a dateline, an
  ``Author:``/``By`` line and a ``Source:``/``Publisher:`` or ISSN line naming the outlet.

Dates are parsed by ``dateparser`` and kept as ISO ``YYYY-MM-DD``; nothing is guessed
when an article does not state it (a missing field stays empty). The article's own text
and path are the only input: reading files is ``geo.articles``' job.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from geo.model import Article
from geo.passages import FRONT_MATTER as _FRONT_MATTER

TOP_LINES = 12  # a byline or dateline further down is part of the story, not its header
HEADLINE_MAX_CHARS = 160
HEADLINE_MAX_WORDS = 24
LEAD_MAX_CHARS = 90  # the stand-in heading of an article that has no headline
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
# A full calendar date as datelines write it; dateparser then reads the match.
DATE_PATTERN = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?,?\s+\d{{4}}"
    rf"|(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4})\b"
)
_AUTHOR_LINE = re.compile(r"^\s*(?:author|authors|written by|by)\s*[:\-–—]?\s+(?P<name>.+?)\s*$",
                          re.IGNORECASE)  # fmt: skip
_OUTLET_LINE = re.compile(r"^\s*(?:source|publisher|publication|outlet)\s*:\s*(?P<name>.+?)\s*$",
                          re.IGNORECASE)  # fmt: skip
_ISSN_LINE = re.compile(r"^\s*(?P<name>[^\n]{2,80}?)\s+ISSN\s+\d{4}-\d{3}[\dXx]\b")
_URL_LINE = re.compile(r"^\s*(?:url|link|source url)\s*:\s*(?P<url>https?://\S+)\s*$", re.I)
_MARKUP = re.compile(r"<[^<>]*>")

FRONT_MATTER_KEYS = {
    "headline": ("title", "headline"),
    "date": ("date", "published", "publication_date", "pubdate", "date_published"),
    "author": ("author", "authors", "byline"),
    "outlet": ("outlet", "publication", "publisher", "source", "site", "site_name"),
    "url": ("url", "link", "canonical_url", "canonical"),
}
HTML_META_KEYS = {
    "headline": ("og:title", "twitter:title", "dc.title", "headline"),
    "date": ("article:published_time", "datepublished", "date", "pubdate", "publishdate",
             "dc.date", "dc.date.issued", "sailthru.date", "og:article:published_time"),
    "author": ("author", "article:author", "dc.creator", "byl", "sailthru.author"),
    "outlet": ("og:site_name", "application-name", "dc.publisher", "publisher"),
    "url": ("og:url",),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What the publisher says about an article; empty strings / ``None`` when unstated.

    ``lead`` is the article's first sentence, shortened: the page heads an article that
    has no headline with it (marked as such) rather than with a file name.
    """

    article: str
    headline: str = ""
    date: str | None = None  # ISO YYYY-MM-DD
    author: str = ""
    outlet: str = ""
    url: str = ""
    lead: str = ""

    @property
    def heading(self) -> str:
        return self.headline or self.lead or self.article


def article_meta(article: Article) -> ArticleMeta:
    """Metadata of one article, by its format (suffix, else what the text starts with)."""
    suffix = article.path.suffix.lower() if article.path is not None else ""
    text = article.text
    if suffix in (".html", ".htm") or (not suffix and _looks_like_html(text)):
        fields = _from_html(text)
    elif _FRONT_MATTER.match(text):
        fields = _from_front_matter(text)
    else:
        fields = _from_plain_text(text)
    fields["lead"] = _lead(text, fields.get("headline", ""))
    return ArticleMeta(article=article.id, **{k: v for k, v in fields.items() if v})


STORED_FIELDS = ("headline", "date", "author", "outlet", "url", "lead")
STORED_MAX_CHARS = 2_000  # per field: a mention store is untrusted input to a build


def meta_record(meta: ArticleMeta) -> dict[str, str]:
    """The fields an article states: kept in mention stores (which keep no article text)
    and sent to the page, which heads each article with them."""
    return {name: value for name in STORED_FIELDS if (value := getattr(meta, name))}


def meta_from_record(article: str, record: Mapping[str, Any] | None) -> ArticleMeta:
    """``meta_record`` read back; raises ``ValueError`` naming the field that is wrong."""
    values = {name: value for name in STORED_FIELDS if (value := (record or {}).get(name))}
    for name, value in values.items():
        if not isinstance(value, str) or len(value) > STORED_MAX_CHARS:
            raise ValueError(f"meta.{name} must be text of at most {STORED_MAX_CHARS} characters")
    if "date" in values:
        try:
            values["date"] = date.fromisoformat(values["date"]).isoformat()
        except ValueError:
            raise ValueError("meta.date must be an ISO date (YYYY-MM-DD)") from None
    return ArticleMeta(article=article, **values)


def parse_date(value: Any, *, languages: list[str] | None = None) -> str | None:
    """A date as an ISO day, or ``None``: ``date`` objects as they are, text by dateparser."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    return _parse_date_text(value.strip()[:100], None if languages is None else tuple(languages))


@lru_cache(maxsize=4096)  # articles of one story share their dates; dateparser takes ~1 ms
def _parse_date_text(text: str, languages: tuple[str, ...] | None) -> str | None:
    import dateparser

    parsed = dateparser.parse(
        text,
        languages=None if languages is None else list(languages),
        settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"]},
    )
    return parsed.date().isoformat() if parsed else None


# -- markdown front matter --------------------------------------------------------------
def _from_front_matter(text: str) -> dict[str, Any]:
    import yaml  # here: importing it costs more than the rest of this module (~20 ms)

    match = _FRONT_MATTER.match(text)
    try:
        data = yaml.safe_load(match.group("body")) if match else None
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return _from_plain_text(text[match.end() :] if match else text)
    lowered = {str(k).lower(): v for k, v in data.items()}
    fields: dict[str, Any] = {}
    for field, keys in FRONT_MATTER_KEYS.items():
        value = next((lowered[k] for k in keys if lowered.get(k) not in (None, "")), None)
        if field == "date":
            fields[field] = parse_date(value)
        elif isinstance(value, list):
            fields[field] = ", ".join(_clean(v) for v in value if _clean(v))
        elif isinstance(value, dict):
            fields[field] = _clean(value.get("name", ""))
        else:
            fields[field] = _clean(value)
    body = _from_plain_text(text[match.end() :]) if match else {}
    for field, value in body.items():
        fields[field] = fields.get(field) or value
    return fields


# -- html ---------------------------------------------------------------------------------
class _HeadReader(HTMLParser):
    """Collects ``<meta>``, ``<title>``, the first ``<h1>``, ``<time>`` and canonical link."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self.time = ""
        self.canonical = ""
        self._capture: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            key = key.strip().lower()
            if key and values.get("content") and key not in self.meta:
                self.meta[key] = values["content"]
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "")
        elif tag == "time" and not self.time and values.get("datetime"):
            self.time = values["datetime"]
        elif tag in ("title", "h1") and self._capture is None:
            if (tag == "title" and not self.title) or (tag == "h1" and not self.h1):
                self._capture, self._buffer = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._capture:
            setattr(self, tag, _clean("".join(self._buffer)))
            self._capture = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._buffer.append(data)


def _from_html(text: str) -> dict[str, Any]:
    reader = _HeadReader()
    reader.feed(text)
    reader.close()

    def first(field: str) -> str:
        return next((reader.meta[k] for k in HTML_META_KEYS[field] if reader.meta.get(k)), "")

    outlet = first("outlet")
    headline = first("headline") or reader.h1 or _strip_outlet(reader.title, outlet)
    return {
        "headline": _clean(headline),
        "date": parse_date(first("date")) or parse_date(reader.time),
        "author": _clean(first("author")),
        "outlet": _clean(outlet),
        "url": first("url") or reader.canonical,
    }


def _strip_outlet(title: str, outlet: str) -> str:
    """``"Headline | Outlet"`` → ``"Headline"`` when the outlet is known."""
    if outlet:
        for separator in (" | ", " - ", " – ", " — "):
            head, _, tail = title.rpartition(separator)
            if head and tail.strip().lower() == outlet.strip().lower():
                return head
    return title


def _looks_like_html(text: str) -> bool:
    return bool(re.match(r"\s*<(?:!doctype\s+html|html|head)\b", text, re.IGNORECASE))


# -- plain text ---------------------------------------------------------------------------
def _from_plain_text(text: str) -> dict[str, Any]:
    lines = (_clean(_MARKUP.sub(" ", line)) for line in text.splitlines())
    top = list(itertools.islice((line for line in lines if line), TOP_LINES))
    fields: dict[str, Any] = {"headline": "", "date": None, "author": "", "outlet": "", "url": ""}
    for number, line in enumerate(top):
        if not fields["author"] and (author := _AUTHOR_LINE.match(line)):
            name = author.group("name")
            if _looks_like_name(name):
                fields["author"] = name
                continue
        if not fields["outlet"] and (outlet := _OUTLET_LINE.match(line) or _ISSN_LINE.match(line)):
            fields["outlet"] = outlet.group("name").strip(" ,;")
            continue
        if not fields["url"] and (url := _URL_LINE.match(line)):
            fields["url"] = url.group("url")
            continue
        if fields["date"] is None and len(line) < 200 and (found := DATE_PATTERN.search(line)):
            fields["date"] = parse_date(found.group(), languages=["en"])
            if fields["date"]:
                continue
        if number == 0 and _looks_like_headline(line):
            fields["headline"] = line.lstrip("# ").strip()
    return fields


def _looks_like_headline(line: str) -> bool:
    """Short, not a sentence: headlines do not end in a full stop."""
    words = line.split()
    return (
        0 < len(words) <= HEADLINE_MAX_WORDS
        and len(line) <= HEADLINE_MAX_CHARS
        and not line.rstrip().endswith((".", ",", ";", ":"))
    )


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 8 and all(w[:1].isupper() or w.lower() in {"and", "de", "van",
                                       "von", "al", "el", "bin"} for w in words)  # fmt: skip


def _lead(text: str, headline: str) -> str:
    """The first sentence of the body, shortened at a word, for an article with no headline."""
    if headline:
        return ""
    plain = _MARKUP.sub(" ", _FRONT_MATTER.sub("", text, count=1))
    for line in plain.splitlines():
        line = _clean(line)
        byline = _AUTHOR_LINE.match(line)
        if len(line.split()) < 6 or (byline and _looks_like_name(byline.group("name"))):
            continue
        sentence = re.split(r"(?<=[.!?])\s", line, maxsplit=1)[0]
        if len(sentence) <= LEAD_MAX_CHARS:
            return sentence
        return sentence[: LEAD_MAX_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:–—-") + "…"
    return ""


def _clean(value: Any) -> str:
    return " ".join(str(value or "").split())


__all__ = ["ArticleMeta", "article_meta", "parse_date"]
