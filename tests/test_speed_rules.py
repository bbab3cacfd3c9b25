"""The recogniser's and resolver's shortcuts never change what they find: the demonym
pre-test never skips a run position where a demonym begins; the rules decide the same
without a trace (when no reasons are made) as with one (``storymap geoparse --explain``),
and rules left out by a match's length would not have rejected it; a name with one
candidate resolves, without its score, to what the long way (taken with a trace) gives."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import mentions, places
from geo.gazetteer import Candidate, Gazetteer
from geo.model import Entry, Span
from geo.weights import DEFAULT

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
# Sentences where each rule has something to judge: titles, first names, firms, streets,
# speakers, buildings after "the", documents, features, headlines.
_SENTENCES = [
    "President Jordan said Webb met Taylor in Reading, near Mobile and the White House.",
    "Stevens & Wilkinson of Wichita Street and Rome Statute writers saw Wular Lake Dam.",
    "George Washington, Jordan Peterson and Patrick said the City Park in Paris, Texas.",
    "BIG NEWS FROM PARIS TEXAS AND NICE AS UK AND US AND EU MEET IN THE HAGUE",
    "According to Morris the Washington Post and Kherson region officials in New York City.",
    "The New York Times, Radio Free New York and the South Africa Act; the New Orleans Park.",
    "Mr New York and Senator South Carolina met Sri Lanka Airlines at Rio Grande Lake.",
    "She drove down New Haven Avenue past San Roque Dam to see Smith & New Jersey.",
    "The President General spoke.",
]


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


def _same_traces(gazetteer: Gazetteer, text: str) -> None:
    trace: list[dict[str, object]] = []
    mentions.recognise(text, gazetteer, trace=trace)
    every = {shape: mentions.RULES for shape in mentions._RULES_BY_SHAPE}
    with patch.object(mentions, "_RULES_BY_SHAPE", every):
        full: list[dict[str, object]] = []
        mentions.recognise(text, gazetteer, trace=full)
    assert trace == full


@pytest.mark.parametrize("text", _SENTENCES)
def test_rules_left_out_by_match_length_never_reject(gazetteer: Gazetteer, text: str) -> None:
    """Every rule, tried on every match, rejects only where the shorter lists try it."""
    _same_traces(gazetteer, text)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT)
def test_rules_left_out_never_reject_generated_text(gazetteer: Gazetteer, text: str) -> None:
    _same_traces(gazetteer, text)


def _same_resolution(gazetteer: Gazetteer, text: str) -> None:
    spans = mentions.recognise(text, gazetteer)
    short = places.resolve(spans, gazetteer, article="a", text=text)
    long_way = places.resolve(spans, gazetteer, article="a", text=text, trace=[])
    assert short == long_way


@pytest.mark.parametrize("text", _SENTENCES)
def test_a_sole_candidate_resolves_as_the_long_way(gazetteer: Gazetteer, text: str) -> None:
    _same_resolution(gazetteer, text)


def test_sole_candidates_with_local_evidence_and_repeats(gazetteer: Gazetteer) -> None:
    text = (
        "Naxçıvan, Azerbaijan. Flooding in Kherson region and in Naxçıvan; the state of "
        "Victoria and Ocilla, Georgia. OCILLA, Ga. — Ocilla officials met in Ocilla."
    )
    spans = mentions.recognise(text, gazetteer)
    one = [s for s in spans if len(places._fitting(gazetteer.lookup(s.name), [s])) == 1]
    assert one, "the text names places with a single candidate"
    _same_resolution(gazetteer, text)


@settings(max_examples=100, deadline=None)
@given(text=_TEXT)
def test_sole_candidates_in_generated_text(gazetteer: Gazetteer, text: str) -> None:
    _same_resolution(gazetteer, text)


def test_a_sole_stray_alternate_is_still_dropped() -> None:
    """A village's alternate name alone, scored below the threshold, is no map pin: the
    shortcut that skips the score must not apply to it."""
    village = Entry(id="t:v", name="Smallville", lat=10.0, lon=10.0, kind="city",
                    country_code="ZZ", population=300)  # fmt: skip
    tiny = Gazetteer.from_records([(village, ["Oldtown"])])
    span = Span(0, 7, "Oldtown", "Oldtown")
    assert places.resolve([span], tiny, text="Oldtown is quiet.", trace=[]) == []
    assert places.resolve([span], tiny, text="Oldtown is quiet.") == []
    kept = Span(0, 10, "Smallville", "Smallville")  # its own name: kept, the same both ways
    assert places.resolve([kept], tiny, text="Smallville is quiet.") == places.resolve(
        [kept], tiny, text="Smallville is quiet.", trace=[]
    )


def test_the_container_reason_does_not_depend_on_set_order() -> None:
    """ "London, England, UK": both containers hold London; --explain names the same one in
    every process (a set's order changes with the hash seed)."""
    london = Entry(id="t:l", name="London", lat=51.5, lon=-0.1, kind="city",
                   country_code="GB", admin1="ENG", population=8_900_000)  # fmt: skip
    candidate = Candidate(london, True)
    for order in ([("GB", "ENG"), ("GB", "")], [("GB", ""), ("GB", "ENG")]):
        local = places._Local(containers=set(order))
        _, reason = places.evidence_container(candidate, local, DEFAULT)
        assert reason == "inside the place named after it (GB )"
