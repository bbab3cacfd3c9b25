"""Dates the passages state ("in February 2022", "last September", "since 2020"), resolved.

A story about a state visit is also about the war it follows and the offensive it
distracts from; the passages say when. Each stated date becomes a ``DatedPhrase`` with a
period (a day, a month or a year; "since" runs to the article's date) so that the page
can put it on the time axis and filter the map by period.

Finding the phrases is a few small patterns (a month with an optional day and year, a
year after a preposition, "last"/"this" + month or year); reading them is ``dateparser``'s,
with the article's publication date as ``RELATIVE_BASE`` for the relative forms. A
relative date in an article with no publication date is left out, never guessed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from geo.metadata import MONTHS, ArticleMeta
from geo.model import Passage

EARLIEST_YEAR, LATEST_YEAR = 1800, 2100  # four digits outside this are not years
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
PHRASE = re.compile(
    rf"""\b(?:
      (?:from|between)\s+(?P<first>{_YEAR})\s*(?:to|until|and|–|-)\s*(?P<last>{_YEAR})
    | (?P<since>since|from)\s+(?P<since_body>(?:(?:{MONTHS})\.?\s+)?{_YEAR})
    | (?P<relative>last|this|next)\s+(?P<relative_body>(?:{MONTHS})\b|year\b)
    | (?P<body>
          {_DAY}\s+(?:{MONTHS})\.?,?\s+{_YEAR}
        | (?:{MONTHS})\.?\s+{_DAY},?\s+{_YEAR}
        | (?:{MONTHS})\.?,?\s+{_YEAR}
        | (?<=\bin\s)(?:early\s+|late\s+|mid-?)?{_YEAR}
        | (?<=\bthe\s){_YEAR}(?=\s+[a-z])
        | (?<=\bof\s){_YEAR}
        | (?<=\bduring\s){_YEAR}
        | (?<=\buntil\s){_YEAR}
        | (?<=\bby\s){_YEAR}
      )
    )(?!\d)""",
    re.VERBOSE | re.IGNORECASE,
)
# Every PHRASE match holds a year or "last/this/next" + month or "year": passages with
# neither (nine in ten) are ruled out by these two cheap searches, not the big pattern.
_HAS_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_HAS_RELATIVE = re.compile(rf"\b(?:last|this|next)\s+(?:(?:{MONTHS})\b|year\b)", re.IGNORECASE)
_MONTH_ONLY = re.compile(rf"^(?:{MONTHS})\.?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DatedPhrase:
    """A date a passage states, as a period of days (``start`` ≤ ``end``, ISO)."""

    article: str
    passage: int  # Passage.index
    offset: int  # where the phrase starts in the passage text
    text: str
    start: str
    end: str
    precision: str  # day, month, year, years (a range) or since (until the article's date)


def passage_dates(
    passages: Iterable[Passage], metadata: Mapping[str, ArticleMeta]
) -> list[DatedPhrase]:
    """Every date stated in ``passages``, in passage order; relative ones need a dated article."""
    found: list[DatedPhrase] = []
    for passage in passages:
        meta = metadata.get(passage.article)
        base = date.fromisoformat(meta.date) if meta and meta.date else None
        if not (_HAS_YEAR.search(passage.text) or _HAS_RELATIVE.search(passage.text)):
            continue
        for match in PHRASE.finditer(passage.text):
            period = _period(match, base)
            if period is None:
                continue
            start, end, precision = period
            found.append(
                DatedPhrase(
                    article=passage.article,
                    passage=passage.index,
                    offset=match.start(),
                    text=match.group(),
                    start=start.isoformat(),
                    end=end.isoformat(),
                    precision=precision,
                )
            )
    return found


def _period(match: re.Match[str], base: date | None) -> tuple[date, date, str] | None:
    if match.group("first"):
        first, last = sorted((int(match.group("first")), int(match.group("last"))))
        return date(first, 1, 1), date(last, 12, 31), "years"
    if match.group("since"):
        since = _read(match.group("since_body"), base)
        if since is None or base is None or since[0] > base:
            return None
        return since[0], base, "since"
    if match.group("relative"):
        word, body = match.group("relative").lower(), match.group("relative_body")
        if base is None:
            return None
        if body.lower() == "year":
            year = base.year + {"last": -1, "this": 0, "next": 1}[word]
            return date(year, 1, 1), date(year, 12, 31), "year"
        prefer = {"last": "past", "this": "current_period", "next": "future"}[word]
        return _read(body, base, prefer=prefer, strictly_before=word == "last")
    return _read(match.group("body"), base)


@lru_cache(maxsize=4096)  # news repeats its dates; dateparser takes ~0.5 ms a phrase
def _read(
    text: str, base: date | None, *, prefer: str = "past", strictly_before: bool = False
) -> tuple[date, date, str] | None:
    """``"February 2022"`` → (2022-02-01, 2022-02-28, "month"), by dateparser."""
    import dateparser

    words = re.sub(r"^(?:early|late|mid-?)\s*", "", text.strip(), flags=re.IGNORECASE)
    if re.fullmatch(_YEAR, words):
        year = int(words)
        if not EARLIEST_YEAR <= year <= LATEST_YEAR:
            return None
        return date(year, 1, 1), date(year, 12, 31), "year"
    settings: dict[str, object] = {"PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": prefer}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    parsed = dateparser.parse(words, languages=["en"], settings=settings)
    if parsed is None:
        return None
    day = parsed.date()
    if re.search(r"\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", words.replace(str(day.year), "")):
        return day, day, "day"
    if strictly_before and base is not None and (day.year, day.month) >= (base.year, base.month):
        day = date(day.year - 1, day.month, 1)
    last = calendar.monthrange(day.year, day.month)[1]
    return date(day.year, day.month, 1), date(day.year, day.month, last), "month"


__all__ = ["DatedPhrase", "passage_dates"]
