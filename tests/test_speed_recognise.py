"""The recogniser's shortcuts answer what the long ways answer: the substring test for
"counties", "parishes" and "boroughs" is the regex it replaced; passages left without
tokens (no capital after the first word, and that word can begin no name) and runs of
one word that names nothing change no span and no trace; an article's names with a
locative cue, asked one by one, are the set worked out the long way; a rule left out
for a match's shape (one word or more, words after it in its run, qualifying words
before it) would not have rejected it; asked cheapest first (no trace), the rules reject
what they reject in their own order."""

from __future__ import annotations

import re
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import mentions
from geo.gazetteer import Gazetteer, normalize
from geo.model import Passage, Span

_PLURAL_AREA_WORD = re.compile("counties|parishes|boroughs")  # the long way


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["counties", "countie", "ounties", "parishes", "Boroughs", "boroughs",
                         "s", "c", " ", "parish", "x"])
    ).map("".join),
    st.data(),
)  # fmt: skip
def test_the_plural_area_word_test_is_the_regex(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    expected = _PLURAL_AREA_WORD.search(text, start, end) is not None
    assert mentions._holds_plural_area_word(text, start, end) == expected


# Passages whose first word is or is not a name, a demonym, a function word, an area
# abbreviation or a possessive, then mostly lower-case words (some capitalised, some
# that a name may take after it: "region", "counties"), between the marks that join or
# split words and runs.
_FIRST = st.sampled_from(
    ["He", "We", "But", "In", "IN", "Ga.", "Ill.", "North", "Region", "President", "Paris",
     "Paris's", "Russian", "Russians", "Clarke", "Kurdistan", "Greer", "Nelson", "Mobile",
     "Reading", "The", "A", "U.S.", "Jordan", "Ocilla", "Sri", "Pan", "Texas", "ǅemal",
     "İstanbul", "ℂity", "Mos\u200bcow", "he", "3", "said", "GREER", "Rod", "Mr"]
)  # fmt: skip
_REST = st.sampled_from(
    ["said", "region", "Region", "counties", "county", "in", "of", "the", "and", "lankan",
     "Lankan", "Paris", "Texas", "Nelson", "Greer", "Rod", "x", "3", "ǅ", "ℂ", "é", "to",
     "according", "man", "said.", "was's", "In", "He", "March", "North", "President",
     "The", "Ga.", "Mobile", "Rússian", "Côte"]
)  # fmt: skip
_GAPS = st.sampled_from([" ", " ", " ", ", ", "-", " — ", ". ", "\u00a0", "", " & ", "'"])
_PASSAGE = st.tuples(
    _FIRST, st.lists(st.tuples(_GAPS, _REST).map("".join), max_size=8).map("".join)
).map("".join)


def _with_passages(sentences: list[str]) -> tuple[str, list[Passage]]:
    text, passages = "", []
    for index, sentence in enumerate(sentences):
        start = len(text)
        text += sentence
        passages.append(Passage("a", index, start, len(text), sentence))
        text += "\n" if index % 2 else " "
    return text, passages


def _recognised(
    gazetteer: Gazetteer, text: str, passages: list[Passage] | None, traced: bool, demonyms: bool
) -> tuple[list[Span], list[dict[str, object]] | None]:
    trace: list[dict[str, object]] | None = [] if traced else None
    spans = mentions.recognise(text, gazetteer, passages=passages, demonyms=demonyms, trace=trace)
    return spans, trace


@settings(max_examples=300, deadline=None)
@given(st.lists(_PASSAGE, min_size=1, max_size=6), st.booleans(), st.booleans())
def test_passages_left_untokenised_change_nothing(
    gazetteer: Gazetteer, sentences: list[str], traced: bool, demonyms: bool
) -> None:
    """Spans and traces are those of tokenising every passage."""
    text, passages = _with_passages(sentences)
    for given_passages in (passages, None):
        fast = _recognised(gazetteer, text, given_passages, traced, demonyms)
        with patch.object(mentions, "_holds_no_name", lambda *args: False):
            slow = _recognised(gazetteer, text, given_passages, traced, demonyms)
        assert fast == slow


def test_a_passage_of_one_lone_capital_is_skipped_and_a_name_is_not(gazetteer: Gazetteer) -> None:
    text = "He said it. Paris was quiet. We said the Kurdistan region."
    bounds = (0, 11), (12, 28), (29, len(text))
    assert mentions._holds_no_name(text, bounds[0], gazetteer, False, False)
    assert mentions._holds_no_name(text, bounds[0], gazetteer, False, True) is (
        "he" not in gazetteer
    )
    assert not mentions._holds_no_name(text, bounds[1], gazetteer, False, False)
    assert not mentions._holds_no_name(text, bounds[2], gazetteer, False, False)


def test_words_rejected_alone_are_rejected_as_a_passage_s_first_word(gazetteer: Gazetteer) -> None:
    """Each word the untraced shortcut skips is, where it is a gazetteer name, rejected by
    the rules when tokenised ("He went home.")."""
    tried = 0
    for key in sorted(mentions._REJECTED_ALONE):
        word = key.capitalize()
        if word not in gazetteer or not mentions._rejected_alone(word):
            continue
        tried += 1
        trace: list[dict[str, object]] = []
        text = f"{word} went home."
        with patch.object(mentions, "_holds_no_name", lambda *args: False):
            assert mentions.recognise(text, gazetteer, trace=trace) == []
        assert len(trace) == 1 and not trace[0]["accepted"]
        rules = trace[0]["rules"]
        assert isinstance(rules, list) and rules[0].startswith("rule_direction_or_function_word")
    assert tried > 20


@settings(max_examples=300, deadline=None)
@given(st.lists(_PASSAGE, min_size=1, max_size=6), st.booleans())
def test_untraced_spans_are_the_traced_ones(
    gazetteer: Gazetteer, sentences: list[str], demonyms: bool
) -> None:
    """Without a trace, words the rules reject wherever they stand alone ("In", "He")
    are dropped before the rules are asked; with one, the rules say why."""
    text, passages = _with_passages(sentences)
    traced = _recognised(gazetteer, text, passages, True, demonyms)[0]
    assert _recognised(gazetteer, text, passages, False, demonyms)[0] == traced


_CUED = st.sampled_from(
    ["in Greer", "GREER — ", "Greer, Texas", "according to Greer", "Greer said", "near Chapin",
     "CHAPIN, S.C. - ", "to Nelson's", "Rod Nelson", "from greer", "at GREER", "Chapin",
     "At of Chapin", "In de Greer"]
)  # fmt: skip


def _names_with_locative_cue(text: str, passage_runs: list) -> frozenset[str]:
    """Every key ``_LocalNames`` holds, worked out the long way: each capitalised run word
    with a locative cue or in a dateline."""
    found: set[str] = set()
    for tokens, runs in passage_runs:
        for run in runs:
            for index in run:
                token = tokens[index]
                if token.capital and (
                    mentions._has_locative_cue(text, tokens, index)
                    or mentions.is_dateline(text, token.start, token.end)
                ):
                    found.add(normalize(token.word))
    return frozenset(found)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_CUED, _GAPS).map("".join), max_size=10).map("".join))
def test_names_with_a_locative_cue_asked_one_by_one_are_the_long_way(text: str) -> None:
    tokens = mentions._tokens(text, 0, len(text))
    passage_runs = [(tokens, mentions._runs(tokens))]
    long_way = _names_with_locative_cue(text, passage_runs)
    asked = mentions._LocalNames(text, passage_runs)
    keys = long_way | {normalize(token.word) for token in tokens} | {"greer", "paris"}
    for key in sorted(keys):
        assert (key in asked) == (key in long_way)
        assert (key in asked) == (key in long_way)  # the second answer is the kept one


@settings(max_examples=300, deadline=None)
@given(st.lists(_PASSAGE, min_size=1, max_size=6), st.booleans(), st.booleans())
def test_runs_of_one_word_that_names_nothing_change_nothing(
    gazetteer: Gazetteer, sentences: list[str], traced: bool, demonyms: bool
) -> None:
    """Spans and traces are those of trying every run at every position."""
    text, passages = _with_passages(sentences)
    fast = _recognised(gazetteer, text, passages, traced, demonyms)
    with patch.object(mentions, "_names_nothing", lambda *args: False):
        assert _recognised(gazetteer, text, passages, traced, demonyms) == fast


_JUDGED = [
    "President Jordan said Webb met Taylor in Reading, near Mobile and the White House.",
    "Stevens & Wilkinson of Wichita Street and Rome Statute writers saw Wular Lake Dam.",
    "George Washington, Jordan Peterson and Patrick said the City Park in Paris, Texas.",
    "According to Morris the Washington Post and Kherson region officials in New York City.",
    "Mr New York and Senator South Carolina met Sri Lanka Airlines at Rio Grande Lake.",
    "Kotri Barrage and the Delta officer. Webb said. Mr. Jordan left; Senator Moore said.",
    "She drove down New Haven Avenue past San Roque Dam to see Smith & New Jersey.",
    "Officials in Texas met. Ocilla said it would. A man told Ocilla.",
]


def _shape_checked(here: mentions._Here) -> tuple[str, str] | None:
    """``_rejection``, checking first that each rule left out for the match's shape
    would not have rejected it."""
    shape = (here.single, here.last < len(here.run) - 1, here.boundary < here.position)
    asked = mentions._RULES_BY_SHAPE[shape]
    for rule in mentions.RULES:
        if rule not in asked:
            assert rule(here) is None, (rule.__name__, here.name, shape)
    return _REJECTION(here)


_REJECTION = mentions._rejection


def _order_checked(here: mentions._Here) -> bool:
    """``_rejected``, checking first that it answers what the first rejecting rule in
    RULES' order (what a trace reports) answers."""
    rejected = _REJECTED(here)
    assert rejected == (_REJECTION(here) is not None), here.name
    return rejected


_REJECTED = mentions._rejected


def test_the_untraced_order_holds_every_rule_once() -> None:
    assert len(mentions._CHEAP_FIRST) == len(mentions.RULES)
    assert set(mentions._CHEAP_FIRST) == set(mentions.RULES)


# Each fast path of the rules, and the check that runs instead of it: the asked-cheap-first
# answer against the traced order, the rules left out by shape against asking them.
_CHECKED = {
    "cheap_first": ("_rejected", _order_checked),
    "by_shape": ("_rejection", _shape_checked),
}


@pytest.mark.parametrize("text", _JUDGED)
@pytest.mark.parametrize("path", sorted(_CHECKED))
def test_fast_rule_paths_answer_as_asking_every_rule_in_order(
    gazetteer: Gazetteer, path: str, text: str
) -> None:
    with patch.object(mentions, *_CHECKED[path]):
        mentions.recognise(text, gazetteer)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PASSAGE, min_size=1, max_size=6))
@pytest.mark.parametrize("path", sorted(_CHECKED))
def test_fast_rule_paths_answer_as_asking_every_rule_on_generated_text(
    gazetteer: Gazetteer, path: str, sentences: list[str]
) -> None:
    text, passages = _with_passages(sentences)
    with patch.object(mentions, *_CHECKED[path]):
        mentions.recognise(text, gazetteer, passages=passages)
