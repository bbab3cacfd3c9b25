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
