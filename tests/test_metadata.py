"""Headline, date, author, outlet and URL, read from how each kind of article states them."""

from __future__ import annotations

from pathlib import Path

from geo.metadata import ArticleMeta, article_meta
from geo.model import Article


def meta(text: str, name: str = "story.txt") -> ArticleMeta:
    return article_meta(Article(Path(name).stem, text, Path(name)))


def test_markdown_front_matter() -> None:
    found = meta(
        "---\n"
        "title: Ferry link to Aktau reopens\n"
        "date: 2023-03-14\n"
        "author: [Lena Park, Omar Haddad]\n"
        "publication: Caspian Courier\n"
        "url: https://example.org/aktau\n"
        "---\n"
        "# A different heading in the body\n\nThe ferry left Baku at dawn.\n",
        "aktau.md",
    )
    assert found == ArticleMeta(
        article="aktau", headline="Ferry link to Aktau reopens", date="2023-03-14",
        author="Lena Park, Omar Haddad", outlet="Caspian Courier", url="https://example.org/aktau",
    )  # fmt: skip


def test_markdown_front_matter_with_a_written_date_and_no_title_uses_the_body() -> None:
    found = meta("---\ndate: 5 June 2021\n---\n# Grain convoy reaches Odesa\n\nText.\n", "a.md")
    assert (found.headline, found.date) == ("Grain convoy reaches Odesa", "2021-06-05")


def test_html_meta_title_and_time() -> None:
    found = meta(
        """<!doctype html><html><head>
        <title>Border talks resume | The Plain Dealer</title>
        <meta property="og:site_name" content="The Plain Dealer">
        <meta name="author" content="Ana Ruiz">
        <link rel="canonical" href="https://example.com/border">
        </head><body><article><time datetime="2022-11-02T08:00:00Z">2 Nov</time>
        <p>Officials met in Tbilisi.</p></article></body></html>""",
        "border.html",
    )
    assert found.headline == "Border talks resume"  # the outlet suffix is not the headline
    assert (found.date, found.author) == ("2022-11-02", "Ana Ruiz")
    assert found.outlet == "The Plain Dealer"
    assert found.url == "https://example.com/border"


def test_html_og_title_and_published_time_win_over_title_and_time() -> None:
    found = meta(
        '<html><head><meta property="og:title" content="Pipeline deal &amp; its critics">'
        '<meta property="article:published_time" content="2019-07-30">'
        '<title>Home</title></head><body><time datetime="2001-01-01"></time></body></html>',
        "p.htm",
    )
    assert (found.headline, found.date) == ("Pipeline deal & its critics", "2019-07-30")


def test_plain_text_headline_dateline_and_byline() -> None:
    found = meta(
        "Rail bridge over the Araks opens to freight\n"
        "World, Transport March 3, 2024 4 minute read\n"
        "By Jane Doe\n"
        "The first train crossed the new bridge on Saturday.\n"
    )
    assert found.headline == "Rail bridge over the Araks opens to freight"
    assert (found.date, found.author) == ("2024-03-03", "Jane Doe")


def test_plain_text_author_line_and_issn_outlet() -> None:
    found = meta(
        "Water rights on the Kura: a regional view\n\n"
        "Eurasia Review Quarterly ISSN 1234-5678 Volume 3\n"
        "Author: Maria Lopez\n\n"
        "This report looks at the river.\n"
    )
    assert (found.author, found.outlet) == ("Maria Lopez", "Eurasia Review Quarterly")
    assert found.date is None  # never guessed


def test_a_sentence_is_not_a_headline_and_the_lead_stands_in() -> None:
    found = meta(
        "By the end of the day, negotiators in Geneva had agreed on a framework for talks "
        "that could run for many months.\nMore text.\n"
    )
    assert found.headline == "" and found.author == ""  # "By the end…" is not a byline
    assert found.lead.startswith("By the end of the day, negotiators in Geneva")
    assert found.lead.endswith("…") and len(found.lead) <= 90
    assert found.heading == found.lead


def test_a_date_deep_in_the_story_is_not_the_dateline() -> None:
    lines = ["Headline of the piece"] + [f"Paragraph {i} says little." for i in range(15)]
    found = meta("\n".join([*lines, "It happened on June 1, 2020."]) + "\n")
    assert found.date is None
