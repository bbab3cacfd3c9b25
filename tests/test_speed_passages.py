"""The passage splitter's shortcuts give exactly the passages of the splitter before them
(``tests/passages_reference.py``): same texts, same offsets, same order, on any text."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import passages
from geo.articles import read_article
from geo.model import Article
from geo.passages import reading_view, split_view
from tests import passages_reference

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Pieces that reach every branch: sentence marks and closing quotes, abbreviations and
# initials, white space of several kinds, markup remnants and entities, tweet and hashtag
# noise in any case, boilerplate lines, front matter, long words and long sentences.
_PIECES = [
    ".", ". ", "!", "?", "…", "...", "?!", ".)", ".”", "!\"", " ", "  ", "\n", "\n\n", "\t",
    "\u00a0", "\u2003", "\r\n", "“", "‘", "(", "[", "«", "Dr.", "U.S.", "J.", "e.g.", "Mr",
    "No.", "(Gen.", "“Approx.", "a.m.", "Kyiv", "KYIV", "kyiv", "Odesa", "São", "Ärzte", "7",
    "1990.", "_", "-", " – ", "—", "•", "*", "#", "##", "> ", "|", "<p>", "< p>", "</div>",
    "<", ">", "&amp;", "&#39;", "&", "#Ukraine", "(@jane)", "pic.twitter.com/x", "t.co/y",
    ".CO", ".Co", "Share this", "Leave a comment", "Read more", "By Jane Doe", "3 min read",
    "https://example.com/a", "a | b | c", "---\ntitle: x\n---\n", ", ", "; ", ": ",
    "x" * 650, "Word " * 130, "New York City ", "the ",
]  # fmt: skip
_TEXTS = st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=40).map("".join)
# Sentence-like text: a word, the marks after it, a gap, the next word's first character.
_WORDS = ["Kyiv", "kyiv", "Dr", "U.S", "J", "e.g", "(Gen", "“Approx", "7", "x" * 30, "a.b" * 3, ""]
_MARKS = [".", "..", "...", "!", "?!", "!.", ".”", ".)", "…", "….", "", ","]
_GAPS = [" ", "  ", "\u00a0", "\t", "\n", " \n ", ""]
_SENTENCES = st.lists(
    st.tuples(
        *(
            st.sampled_from(pieces)
            for pieces in (_WORDS, _MARKS, _GAPS, ["A", "“B", "(C", "9", "a", "É"])
        )
    ),
    max_size=30,
).map(lambda parts: "".join("".join(part) for part in parts))


def _spans(article: Article, split: object) -> list[tuple[int, int, int, str]]:
    view = reading_view(article)
    return [(p.index, p.start, p.end, p.text) for p in split(view)]  # type: ignore[operator]


def _assert_same_passages(article: Article) -> None:
    assert _spans(article, split_view) == _spans(article, passages_reference.split_view)


@settings(max_examples=1500, deadline=None)
@given(_TEXTS | _SENTENCES, st.sampled_from([None, "a.txt", "a.md", "a.html"]))
def test_passages_are_those_of_the_splitter_before_the_shortcuts(
    text: str, name: str | None
) -> None:
    _assert_same_passages(Article("a", text, None if name is None else Path(name)))


# A paragraph pasted again as it might come back: in another case, with other punctuation.
_RETYPED = [
    str.upper, str.lower, str.title, lambda line: line.replace(" ", ",  "),
    lambda line: f"* {line}!!", lambda line: line.replace(" ", "\u2014", 2), lambda line: line[:40],
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, min_size=2, max_size=6), st.randoms(use_true_random=False))
def test_repeated_paragraphs_are_left_out_as_before(lines: list[str], random) -> None:
    """Paragraphs pasted again, in another case or with other punctuation, or cut short."""
    lines += [random.choice(_RETYPED)(line) for line in lines]
    random.shuffle(lines)
    _assert_same_passages(Article("a", "\n".join(lines)))


def test_the_seed_articles_split_as_before() -> None:
    for path in sorted(SEEDS.iterdir()):
        _assert_same_passages(read_article(path))


def test_a_paragraph_pasted_with_other_punctuation_is_found_however_it_begins() -> None:
    """Repeats are first told apart by their words' beginning, read from as short a start
    as holds it: punctuation or a long first word there must not hide the repeat."""
    line = "Troops left Kherson today, and aid reached Odesa by night on the coast road."
    for pasted in [
        line.replace(" ", " \u2014 "),
        "%% " * 30 + line,
        line.upper(),
        "x" * 70 + " " + line,
    ]:
        text = f"{line}\n{pasted}\nThe end came."
        passages = split_view(Article("a", text))
        assert [p.text for p in passages][-1] == "The end came."
        assert len(passages) == (3 if pasted.startswith("x") else 2), pasted
        _assert_same_passages(Article("a", text))


@settings(max_examples=800, deadline=None)
@given(_SENTENCES | _TEXTS)
def test_abbreviations_are_told_as_before_wherever_the_sentence_starts(text: str) -> None:
    for dot in range(len(text)):
        for start in {0, max(0, dot - 3), max(0, dot - 30), dot}:
            expected = passages_reference._is_abbreviation(text, start, dot)
            assert passages._is_abbreviation(text, start, dot) == expected, (start, dot)


@settings(max_examples=800, deadline=None)
@given(_SENTENCES | _TEXTS)
def test_a_sentence_begins_its_text_where_trimming_it_would(text: str) -> None:
    start, end = passages._trim(text, 0, len(text))
    for s_start, s_text, s_end in passages._sentences(text, start, end):
        assert passages._trim(text, s_start, s_end) == (s_text, s_end)


_LINE_PIECES = [
    "pic.twitter.com/", "PIC.TWITTER.COM/", "pıc.twıtter.com/", "t.co/", "T.CO/", "http",
    "https://", "://", "twitter.com/", "TWİTTER.com/", "/status", "/ſtatus", ".co", ".com",
    ".Co/", ".cOM/", "(@", "(@jane)", "— ", "Jane Doe ", " March 3, 2022", " 3, 2022", "\n",
    "  ", "a", "Z", "_", "7", "#tag ", "https://x.y/z", "www.x", "Share this", "3 min read",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES) | st.text(max_size=4), max_size=12).map("".join))
def test_noise_lines_are_told_as_before(line: str) -> None:
    assert passages._is_noise(line) == passages_reference._is_noise(line)


def test_tweet_bylines_and_links_are_noise_whatever_the_case() -> None:
    for line in [
        "— Jane Doe (@janedoe) March 3, 2022",
        "via PIC.TWITTER.COM/x",
        "a HTTPS://T.CO/b",
    ]:
        assert passages._is_noise(line) and passages_reference._is_noise(line), line


def _calls_in_passages_module(count: int) -> int:
    """Python calls made inside ``geo/passages.py`` while splitting ``count`` paragraphs
    that all begin alike (and one repeat): a count of work, not a timing."""
    text = "\n\n".join(f"Delegations travelled from Baku to Moscow, day {i}." for i in range(count))
    text += "\n\nDelegations travelled from Baku to Moscow, day 7."
    calls = 0

    def count_call(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call" and frame.f_code.co_filename == passages.__file__:  # type: ignore[attr-defined]
            calls += 1

    sys.setprofile(count_call)
    try:
        found = split_view(Article("log", text))
    finally:
        sys.setprofile(None)
    assert len(found) == count  # the repeat is left out
    return calls


def test_paragraphs_beginning_alike_cost_work_in_proportion_to_their_number() -> None:
    """A long article of paragraphs that all begin alike (a log, a table, a wire feed) must
    not compare every pair: that made a 20 MB article take minutes."""
    assert _calls_in_passages_module(800) < 2.3 * _calls_in_passages_module(400)


def test_a_long_line_quoting_a_tweet_or_tagging_topics_is_text_not_an_embed() -> None:
    """A scraped article may be one long line: a tweet link or three hashtags inside it
    once made the whole article noise. A short line of them is still an embed."""
    sentence = "Floods reached Sukkur in Sindh province on Monday, officials said. "
    tweet = "Water everywhere pic.twitter.com/abc123 — Reporter (@reporter) August 19, 2024"
    tags = "#floods #Sindh #Pakistan #rain"
    long_line = sentence * 12 + tweet + " " + tags + " " + sentence
    found = split_view(Article("one-line", long_line))
    assert len(found) >= 12 and any("Sukkur" in p.text for p in found)
    after = "Relief camps opened in Hyderabad."
    embeds = split_view(Article("embeds", f"{sentence}\n{tweet}\n{tags} and more\n{after}"))
    assert [p.text.strip() for p in embeds] == [sentence.strip(), after]
