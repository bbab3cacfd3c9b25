"""Passages: clean quotable sentences whose offsets point into the raw file."""

from __future__ import annotations

from pathlib import Path

from geo.model import Article
from geo.passages import split_passages

MESSY = (
    "< p>Leaders met in Baku on Monday. Mr. Smith of the U.S. embassy attended.\r\n"
    "\r\n"
    "Leaders met in Baku on Monday. Mr. Smith of the U.S. embassy attended.\r\n"
    "🇦🇿 Arrivals in Baku. #Baku #Azerbaijan #Russia #Putin pic.twitter.com/abc123\r\n"
    "— Caliber English (@CaliberEnglish) August 19, 2024\r\n"
    "“We are ready,” he said. The talks went on.</p>\r\n"
    "Europe, News August 20, 2024 No Comments on Leaders meet in Baku 4 minute read\r\n"
    "https://example.com/story\r\n"
    "Share this:\r\n"
    "Leave a comment\r\n"
)


def passages_of(text: str, name: str = "a.txt") -> list[str]:
    article = Article("a", text, Path(name))
    found = split_passages(article)
    for passage in found:
        assert text[passage.start : passage.end] == passage.text
    assert [p.index for p in found] == list(range(len(found)))
    return [p.text for p in found]


def test_noise_is_skipped_and_offsets_still_point_into_the_raw_text() -> None:
    assert passages_of(MESSY) == [
        "Leaders met in Baku on Monday.",
        "Mr. Smith of the U.S. embassy attended.",
        "“We are ready,” he said.",
        "The talks went on.",
    ]


def test_html_files_quote_only_text_between_tags() -> None:
    html = (
        "<html><head><style>p { color: red }</style><script>var Baku = 1;</script></head>"
        "<body><p>Talks in <b>Baku</b> ended.</p><p>Moscow replied.</p></body></html>"
    )
    assert passages_of(html, "page.html") == ["Talks in", "Baku", "ended.", "Moscow replied."]


def test_markdown_markers_are_trimmed() -> None:
    assert passages_of("# Baku talks\n\n* Moscow replied.\n> Yerevan waited.") == [
        "Baku talks", "Moscow replied.", "Yerevan waited.",
    ]  # fmt: skip


def test_sentences_do_not_break_at_abbreviations_or_initials() -> None:
    text = "Gen. J. Smith met Dr. Lee at 3 p.m. in St. Louis. It was 2.5 hours long."
    assert passages_of(text) == [
        "Gen. J. Smith met Dr. Lee at 3 p.m. in St. Louis.", "It was 2.5 hours long.",
    ]  # fmt: skip
