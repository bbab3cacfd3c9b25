"""HTML articles: tweet embeds, footers, navigation and asides are not mentions."""

from __future__ import annotations

from pathlib import Path

from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.pipeline import geoparse_article


def test_embeds_and_page_furniture_are_skipped(gazetteer: Gazetteer) -> None:
    html = (
        "<html><body><nav>Home | Madrid | Sport</nav><article><p>Flooding hit Valencia on "
        'Monday.</p><blockquote class="twitter-tweet"><p>Thoughts with Berlin</p>'
        "</blockquote><aside>Most read: Oslo</aside></article><footer>Offices in New York"
        "</footer></body></html>"
    )
    article = Article("page", html, Path("page.html"))
    _, mentions = geoparse_article(article, gazetteer=gazetteer)
    assert [m.text for m in mentions] == ["Valencia"]


def test_a_link_inside_a_sentence_leaves_the_sentence_whole(gazetteer: Gazetteer) -> None:
    page = (
        '<html><body><article><p>Officials in <a href="https://example.org/Paris-news"\n'
        'title="Lagos">Brussels</a> warned Tbilisi&nbsp;and Batumi &mdash; Kutaisi&#39;s mayor.'
        "<!-- Kyiv --></p>"
        "<p>New</p><p>York</p></article><footer>New York</footer></body></html>"
    )
    article = Article("p", page, Path("p.html"))
    passages, mentions = geoparse_article(article, gazetteer=gazetteer)
    assert [" ".join(p.text.split()) for p in passages] == [
        "Officials in Brussels warned Tbilisi and Batumi — Kutaisi 's mayor.", "New", "York",
    ]  # fmt: skip
    found = [m.text for m in mentions]
    assert found[:3] == ["Brussels", "Tbilisi", "Batumi"]
    assert not {"Lagos", "Paris", "Kyiv", "New York"} & set(found)  # markup, comments, footer
    assert all(page[m.start : m.end] == m.text for m in mentions)
