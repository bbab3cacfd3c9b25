"""The shortcuts around the recogniser answer exactly what the long way answers: name keys
(ASCII skips Unicode decomposition), cached "is it a name?" answers, and passage splitting
(repeated paragraphs, tweet and hashtag lines, the word before a full stop)."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import gazetteer as gazetteer_module
from geo import passages
from geo.gazetteer import _FOLD, _SPACE, Gazetteer, normalize
from geo.model import Article


def _normalize_the_long_way(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.casefold()).strip(" '-,")


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=16) | st.text(max_size=16))
def test_name_keys_are_the_same_for_ascii_and_other_text(name: str) -> None:
    assert normalize.__wrapped__(name) == _normalize_the_long_way(name)


def test_name_keys_of_odd_spellings() -> None:
    for name in ["U.S.", "Naxçıvan", "São Paulo", "ﬁnland", "Mos\u200bcow", "Russia’s", "  A  B "]:
        assert normalize.__wrapped__(name) == _normalize_the_long_way(name), name


def test_remembered_name_answers_stay_right_when_the_memory_is_full(
    tiny_gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gazetteer_module, "MEMBERSHIP_CACHE_SIZE", 3)
    asked = ["Georgia", "Atlantis", "U.S.", "Pari", "Armenia", "georgia", "GEORGIA", "Paris"]
    expected = [True, False, True, False, True, True, True, True]
    for _ in range(3):
        assert [name in tiny_gazetteer for name in asked] == expected
    assert len(tiny_gazetteer._known) <= 3
    assert 42 not in tiny_gazetteer


def _texts(article_text: str) -> list[str]:
    return [p.text for p in passages.split_passages(Article("a", article_text))]


def test_a_paragraph_pasted_again_is_left_out_wherever_it_repeats() -> None:
    first, second = "Troops left Kherson today.", "Aid reached Odesa by night."
    assert _texts(f"{first}\n{second}\n{first.upper()}") == [first, second]
    assert _texts(f"{first}\n{first}\n{first}\n{second}") == [first, second]
    assert _texts(f"{first}\n{second}\n{second}!") == [first, second]


def test_tweet_embeds_and_hashtag_lines_are_noise_in_any_case() -> None:
    kept = "Fighting went on near Bakhmut."
    for noise in [
        "Shelling again pic.twitter.com/AbC123",
        "SHELLING AGAIN PIC.TWITTER.COM/ABC123",
        "More at https://t.co/xyz now",
        "— Jane Doe (@janedoe) March 3, 2022",
        "Read this #Ukraine #Russia #war",
    ]:
        assert _texts(f"{kept}\n{noise}") == [kept], noise
    assert _texts(f"{kept}\nVisit example.com for #Ukraine news.") == [
        kept, "Visit example.com for #Ukraine news."
    ]  # fmt: skip


def _word_before_the_long_way(text: str, sentence_start: int, dot: int) -> str:
    word_start = dot
    while word_start > sentence_start and not text[word_start - 1].isspace():
        word_start -= 1
    return text[word_start:dot]


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.sampled_from(["U.S", "Dr", "J", "e.g", "Kyiv", "x" * 30, "a.b" * 9, "Mr", "7", "\u00a0"])
        | st.text(alphabet="ab .\n\u2003", max_size=8),
        max_size=12,
    ).map(" ".join)
)
def test_sentences_end_where_the_word_by_word_rule_ends_them(text: str) -> None:
    """The look-back for the word before a full stop gives the word a character-by-character
    walk gives, however long the word (longer than the look-back too)."""
    for dot in range(len(text) + 1):
        for start in {0, max(0, dot - 3), dot}:
            reference = _word_before_the_long_way(text, start, dot)
            assert passages._word_before(text, start, dot) == reference


def test_layer_rows_are_what_iterrows_gives() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from geo import frames

    frame = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "count": [1, 2, 3],
            "score": [0.5, float("nan"), 1.0],
            "flag": [True, False, True],
            "articles": [["x"], [], ["y", "z"]],
            "geometry": [Point(1, 2), Point(-3.1234567, 4), Point(0, 0)],
        },
        geometry="geometry",
        crs="EPSG:4326",
    )
    by_column = list(frames._rows(frame))
    by_row = [(row["geometry"], row.drop("geometry").to_dict()) for _, row in frame.iterrows()]
    assert repr(by_column) == repr(by_row)
    features = frames.to_feature_collection(frame)["features"]
    assert [f["properties"]["score"] for f in features] == [0.5, None, 1.0]
    assert type(features[0]["properties"]["count"]) is int
    import numpy as np

    nested = {"a": [np.int64(3), np.float64("nan"), {"b": np.bool_(True)}, "x", None, 2.5]}
    assert repr(frames._plain(nested)) == repr({"a": [3, None, {"b": True}, "x", None, 2.5]})


_DATE_WORDS = ["in", "since", "last", "This", "NEXT", "year", "March", "sept.", "2022",
               "1999", "2101", "12th", "from", "to", "the", "war", "\u0662\u0660\u0662\u0662",
               "early", "mid-", "of", ","]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_DATE_WORDS), max_size=10).map(" ".join))
def test_dates_are_found_as_the_full_pattern_finds_them(text: str) -> None:
    """The quick check before the date pattern never hides a date the pattern finds."""
    from geo import timeline
    from geo.metadata import ArticleMeta
    from geo.model import Passage

    meta = {"a": ArticleMeta(article="a", date="2024-05-10")}
    found = timeline.passage_dates([Passage("a", 0, 0, len(text), text)], meta)
    base = date(2024, 5, 10)
    matches = timeline.PHRASE.finditer(text)
    expected = [m.group() for m in matches if timeline._period(m, base) is not None]
    assert [phrase.text for phrase in found] == expected


def test_lines_made_by_the_workers_are_the_lines_made_from_results(tmp_path: Path) -> None:
    from geo.mention_store import geoparse_line
    from geo.model import InputError
    from geo.parallel import ArticleResult, geoparse_files, geoparse_rendered

    texts = ["Troops left Kherson for Odesa.", "", "Talks in Baku and Yerevan.", "Paris, Texas."]
    for number, text in enumerate(texts * 3):
        (tmp_path / f"{number:02d}.txt").write_text(text, encoding="utf-8")
    paths = sorted(tmp_path.iterdir())

    def shown(outcome: ArticleResult | InputError | str) -> str:
        if isinstance(outcome, ArticleResult):
            return geoparse_line(outcome)
        return outcome if isinstance(outcome, str) else f"error: {outcome}"

    expected = [shown(outcome) for outcome in geoparse_files(paths, jobs=1)]
    assert sum(line.startswith("error: ") for line in expected) == 3
    for jobs in (1, 2):
        rendered = geoparse_rendered(paths, geoparse_line, jobs=jobs, demonyms=False)
        assert [shown(outcome) for outcome in rendered] == expected
