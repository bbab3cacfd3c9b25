"""The recogniser's shortcuts never change what it finds: the demonym pre-test never skips
a run position where a demonym begins, and the rules decide the same without a trace (when
no reasons are made) as with one (``storymap geoparse --explain``)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import mentions
from geo.gazetteer import Gazetteer

# Demonyms of one and two words, their first words alone, "Pan", names and connectors,
# between the marks that join or split runs (some of them not ASCII).
_WORDS = st.sampled_from(
    ["Sri", "Lankan", "Lankans", "Russian", "Russians", "Somali", "American", "Pan", "pan",
     "New", "Zealander", "Zealand", "Georgia", "Georgian", "Canadian", "Texas", "Côte",
     "Ivorian", "Bosnian", "Herzegovina", "of", "the", "and", "region", "Region", "officials",
     "SOMALI", "russian", "Papua", "Guinean"]
)  # fmt: skip
_MARKS = st.sampled_from([" ", " ", "-", "‑", "\u00a0", "–", ", ", ". ", "'s ", "\n", ""])
_TEXT = st.lists(st.tuples(_WORDS, _MARKS).map("".join), max_size=14).map("".join)


@settings(max_examples=500, deadline=None)
@given(_TEXT)
def test_the_demonym_pretest_never_skips_a_demonym(text: str) -> None:
    tokens = mentions._tokens(text, 0, len(text))
    for run in mentions._runs(tokens):
        ascii_run = text[tokens[run[0]].start : tokens[run[-1]].end].isascii()
        for position in range(len(run)):
            found = mentions._demonym_span(text, tokens, run, position)
            if found is not None:  # where one begins, the pre-test lets it be tried
                assert not ascii_run or mentions._may_begin_demonym(tokens[run[position]].word)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_spans_are_the_same_with_and_without_a_trace(gazetteer: Gazetteer, text: str) -> None:
    for demonyms in (True, False):
        trace: list[dict[str, object]] = []
        traced = mentions.recognise(text, gazetteer, demonyms=demonyms, trace=trace)
        assert mentions.recognise(text, gazetteer, demonyms=demonyms) == traced


def test_a_rejected_name_is_left_out_without_a_trace(gazetteer: Gazetteer) -> None:
    text = "President Jordan met Sri Lankan officials in Paris, Texas and the White House."
    trace: list[dict[str, object]] = []
    traced = mentions.recognise(text, gazetteer, trace=trace)
    assert mentions.recognise(text, gazetteer) == traced
    rejected = {str(t["text"]) for t in trace if not t["accepted"]}
    assert "Jordan" in rejected
    assert "Jordan" not in {span.text for span in traced}
    assert {"Sri Lankan", "Paris", "Texas"} <= {span.text for span in traced}
