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
    """The passages' texts (an HTML page's markup blanked, spaces collapsed as a browser
    shows them), after checking that their offsets quote the raw file."""
    article = Article("a", text, Path(name))
    found = split_passages(article)
    for passage in found:
        raw = text[passage.start : passage.end]
        assert len(raw) == len(passage.text)
        assert all(a == b for a, b in zip(raw, passage.text, strict=True) if b != " ")
    assert [p.index for p in found] == list(range(len(found)))
    return [" ".join(p.text.split()) for p in found]


def test_noise_is_skipped_and_offsets_still_point_into_the_raw_text() -> None:
    assert passages_of(MESSY) == [
        "Leaders met in Baku on Monday.",
        "Mr. Smith of the U.S. embassy attended.",
        "“We are ready,” he said.",
        "The talks went on.",
    ]


def test_html_files_quote_whole_sentences_without_their_markup() -> None:
    html = (
        "<html><head><style>p { color: red }</style><script>var Baku = 1;</script></head>"
        "<body><p>Talks in <b>Baku</b> ended.</p><p>Moscow replied.</p></body></html>"
    )
    assert passages_of(html, "page.html") == ["Talks in Baku ended.", "Moscow replied."]


def test_markdown_markers_are_trimmed() -> None:
    assert passages_of("# Baku talks\n\n* Moscow replied.\n> Yerevan waited.") == [
        "Baku talks", "Moscow replied.", "Yerevan waited.",
    ]  # fmt: skip


def test_sentences_do_not_break_at_abbreviations_or_initials() -> None:
    text = "Gen. J. Smith met Dr. Lee at 3 p.m. in St. Louis. It was 2.5 hours long."
    assert passages_of(text) == [
        "Gen. J. Smith met Dr. Lee at 3 p.m. in St. Louis.", "It was 2.5 hours long.",
    ]  # fmt: skip


def test_a_sentence_longer_than_the_limit_is_cut_at_clause_and_word_boundaries() -> None:
    from geo.passages import MAX_PASSAGE_CHARS

    clause = "delegations from Baku, Moscow and New York met again"
    text = "Talks went on: " + ", ".join([clause] * 120) + "."
    found = passages_of(text)
    assert len(found) > len(text) // MAX_PASSAGE_CHARS
    assert all(len(p) <= MAX_PASSAGE_CHARS for p in found)
    assert all(p.endswith((",", ".")) for p in found)  # clause breaks, not mid-clause
    assert "".join(p + " " for p in found).strip() == text  # nothing lost between windows


def test_windows_avoid_cutting_a_capitalised_name_and_split_giant_words() -> None:
    from geo.passages import MAX_PASSAGE_CHARS

    words = ["talks"] * 70 + ["in", "Nagorno", "Karabakh", "Republic", "went"] * 30
    text = " ".join(words)
    found = split_passages(Article("a", text))
    assert len(found) > 1
    for passage in found[:-1]:
        last, following = passage.text.split()[-1], text[passage.end + 1 :]
        assert not (last[0].isupper() and following[:1].isupper()), (last, following[:20])
    giant = "x" * (3 * MAX_PASSAGE_CHARS + 7)
    assert [len(p) for p in passages_of(giant)] == [MAX_PASSAGE_CHARS] * 3 + [7]


def test_metadata_is_not_quoted_as_a_passage() -> None:
    """Front matter and the HTML head are the article's metadata (the panel heads the
    article with them), not sentences of the story."""
    markdown = "---\ntitle: Ships leave the Red Sea\ndate: 2024-01-15\n---\nShips left Aden.\n"
    html = (
        "<html><head><title>Protests in Tbilisi</title><meta name=x content=Batumi></head>"
        "<body><h1>Protests in Tbilisi over a law</h1><p>Crowds filled Tbilisi.</p></body>"
    )
    md_passages = split_passages(Article("a", markdown, Path("a.md")))
    html_passages = split_passages(Article("b", html, Path("b.html")))
    assert [p.text for p in md_passages] == ["Ships left Aden."]
    assert [p.text for p in html_passages] == [
        "Protests in Tbilisi over a law",
        "Crowds filled Tbilisi.",
    ]
    for passage, text in [(md_passages[0], markdown), (html_passages[1], html)]:
        assert text[passage.start : passage.end] == passage.text


def test_unclosed_skipped_elements_are_read_in_one_pass() -> None:
    """30,000 unclosed <script> openings: searched for their end once, not 30,000 times."""
    page = "<p>Talks in Baku.</p>" + "<script>x " * 30_000 + "<p>Moscow replied.</p>"
    found = passages_of(page, "hostile.html")
    assert found[0] == "Talks in Baku." and found[-1] == "Moscow replied."


def test_markdown_marks_are_blanked_in_place() -> None:
    text = (
        "**MINGORA** — Floods hit [Sukkur](https://x.org/a_b) and *Shikarpur*; snake_case "
        "stays, __Larkana__ too.\n![map of Sindh](m.png)\n[1]: https://example.org\n"
    )
    assert passages_of(text, "floods.md") == [
        "MINGORA — Floods hit Sukkur and Shikarpur ; snake_case stays, Larkana too."
    ]


def test_unbalanced_markdown_marks_are_read_in_one_pass() -> None:
    """Openings without an end ("[a](", "*a"): each search stops at the next mark."""
    for unit in ("[a](", "*a ", "**a ", "`a "):
        text = "Talks in Baku.\n" + unit * 50_000 + "\nMoscow replied."
        found = passages_of(text, "hostile.md")
        assert found[0] == "Talks in Baku." and found[-1] == "Moscow replied."
