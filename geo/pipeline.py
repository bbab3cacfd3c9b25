"""The geoparser in one call: passages → mentions → resolved places, for one text."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.mentions import recognise
from geo.model import Article, Mention, Passage
from geo.passages import split_passages
from geo.places import resolve


def geoparse_article(
    article: Article, *, gazetteer: Gazetteer | None = None, demonyms: bool = False
) -> tuple[list[Passage], list[Mention]]:
    """The article's quotable passages and the place mentions inside them."""
    gazetteer = Gazetteer.default() if gazetteer is None else gazetteer
    passages = split_passages(article)
    spans = recognise(article.text, gazetteer, passages=passages, demonyms=demonyms)
    mentions = resolve(spans, gazetteer, article=article.id, text=article.text)
    return passages, mentions


def geoparse(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    article: str = "",
    demonyms: bool = False,
) -> list[Mention]:
    """Place mentions in ``text`` with coordinates; offsets index ``text`` itself."""
    _, mentions = geoparse_article(
        Article(id=article, text=text), gazetteer=gazetteer, demonyms=demonyms
    )
    return mentions
