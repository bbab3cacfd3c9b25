"""Properties over arbitrary Unicode text: quotes are exact, page data survives escaping."""

from __future__ import annotations

import json

import geopandas as gpd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.frames import places_frame
from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.page import Story, _script_json, story_data
from geo.passages import MAX_PASSAGE_CHARS, split_passages
from geo.pipeline import geoparse_article

# Pieces a hostile or careless article is made of: names of the tiny gazetteer (some
# with invisible characters inside), line endings, astral characters, markup, templates.
FRAGMENTS = [
    "Baku", "Moscow", "Georgia", "Paris, Texas", "Nagorno-Karabakh", "The Hague", "U.S.",
    "Mos\u200bcow", "Ba\u200dku", "Bak\u00adu", "\ufeffArmenia", "Yere\u2060van",
    " ", ". ", ", ", "\r\n", "\n\n", "\r", "\t", "\u00a0", "\u2028", "\u2029", "\u200b",
    "😀", "𝔅𝔞𝔨𝔲", "🇦🇿", "e\u0301", "</script>", "<!--", "<p>", "&amp;", "{{ 7*7 }}",
    "{# x", "Mr. ", "St. ", "’s", "'", '"', "…", "—",
]  # fmt: skip
UNICODE = st.characters(exclude_categories=("Cs",))  # every code point but lone surrogates
TEXTS = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(UNICODE, max_size=12)), max_size=60
).map("".join)
SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
EMPTY = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)


@SETTINGS
@given(text=TEXTS)
def test_passages_and_mentions_quote_the_raw_text_exactly(
    tiny_gazetteer: Gazetteer, text: str
) -> None:
    article = Article("a", text)
    passages, mentions = geoparse_article(article, gazetteer=tiny_gazetteer)
    assert passages == split_passages(article)
    assert [p.index for p in passages] == list(range(len(passages)))
    previous_end = 0
    for passage in passages:
        assert text[passage.start : passage.end] == passage.text
        assert 0 < len(passage.text) <= MAX_PASSAGE_CHARS
        assert passage.start >= previous_end  # in order, never overlapping
        previous_end = passage.end
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert any(p.start <= mention.start and mention.end <= p.end for p in passages)


@SETTINGS
@given(text=TEXTS)
def test_page_data_round_trips_through_script_escaping(
    tiny_gazetteer: Gazetteer, text: str
) -> None:
    article = Article(text[:20] or "a", text)
    passages, mentions = geoparse_article(article, gazetteer=tiny_gazetteer)
    data = story_data(Story(places_frame(mentions, passages), EMPTY, EMPTY, [article], passages))
    data["title"] = text
    escaped = _script_json(data)
    assert json.loads(escaped) == json.loads(json.dumps(data))
    for forbidden in ("</", "<!--", "\u2028", "\u2029"):
        assert forbidden not in escaped


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(UNICODE) | st.sampled_from(FRAGMENTS),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(UNICODE), inner, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(value=JSON_VALUES)
def test_any_json_value_survives_script_escaping(value: object) -> None:
    escaped = _script_json(value)
    assert json.loads(escaped) == value
    for forbidden in ("</", "<!--", "\u2028", "\u2029"):
        assert forbidden not in escaped
