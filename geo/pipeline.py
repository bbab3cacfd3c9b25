"""The geoparser in one call: passages → mentions → resolved places, for one text."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.mentions import recognise
from geo.model import Article, Mention, Passage
from geo.passages import reading_view, split_view
from geo.places import resolve
from geo.weights import COUNT_DEMONYMS, DEFAULT, Weights


def geoparse_article(
    article: Article,
    *,
    gazetteer: Gazetteer | None = None,
    demonyms: bool = COUNT_DEMONYMS,
    weights: Weights = DEFAULT,
    explain: dict[str, list] | None = None,
) -> tuple[list[Passage], list[Mention]]:
    """The article's quotable passages and the place mentions inside them.

    With an ``explain`` dict, its "recognition" and "resolution" lists receive the rules
    that fired and the scored candidates (``storymap geoparse --explain``).
    """
    gazetteer = Gazetteer.default() if gazetteer is None else gazetteer
    view = reading_view(article)  # an HTML page with its markup blanked, offsets unchanged
    passages = split_view(view)
    spans = recognise(
        view.text, gazetteer, passages=passages, demonyms=demonyms, weights=weights,
        trace=None if explain is None else explain.setdefault("recognition", []),
    )  # fmt: skip
    mentions = resolve(
        spans, gazetteer, article=article.id, text=view.text, weights=weights,
        trace=None if explain is None else explain.setdefault("resolution", []),
    )  # fmt: skip
    if view is not article:  # a name split by markup ("New</b> York") is not quoted
        mentions = [m for m in mentions if article.text[m.start : m.end] == m.text]
    return passages, mentions


def geoparse(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    article: str = "",
    demonyms: bool = COUNT_DEMONYMS,
    weights: Weights = DEFAULT,
) -> list[Mention]:
    """Place mentions in ``text`` with coordinates; offsets index ``text`` itself."""
    _, mentions = geoparse_article(
        Article(id=article, text=text), gazetteer=gazetteer, demonyms=demonyms, weights=weights
    )
    return mentions
