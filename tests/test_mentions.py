"""Recognition: what counts as a place mention, with exact offsets."""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.mentions import recognise


def names(text: str, gazetteer: Gazetteer, **kw) -> list[str]:
    spans = recognise(text, gazetteer, **kw)
    for span in spans:
        assert text[span.start : span.end] == span.text
    return [span.text for span in spans]


def test_multi_word_names_win_over_their_parts(tiny_gazetteer: Gazetteer) -> None:
    text = (
        "Tensions in the South Caucasus reached The Hague and Heydar Aliyev International Airport."
    )
    assert names(text, tiny_gazetteer) == [
        "South Caucasus", "The Hague", "Heydar Aliyev International Airport",
    ]  # fmt: skip


def test_possessives_are_left_out_of_the_span(tiny_gazetteer: Gazetteer) -> None:
    text = "Baku's port and Russia’s fleet, and Armenia' rivals met."
    assert names(text, tiny_gazetteer) == ["Baku", "Russia", "Armenia"]


def test_compounds_split_but_real_hyphenated_names_stay_whole(tiny_gazetteer: Gazetteer) -> None:
    text = "The Baku-Yerevan-Moscow talks and Russia-Azerbaijan trade reached Guinea-Bissau."
    assert names(text, tiny_gazetteer) == [
        "Baku", "Yerevan", "Moscow", "Russia", "Azerbaijan", "Guinea-Bissau",
    ]  # fmt: skip


def test_variant_spellings_are_recognised(tiny_gazetteer: Gazetteer) -> None:
    text = "From Naxçıvan to Nakhichevan, and from Garabagh to Qarabağ."
    assert names(text, tiny_gazetteer) == ["Naxçıvan", "Nakhichevan", "Garabagh", "Qarabağ"]


def test_abbreviations_only_in_capitals(tiny_gazetteer: Gazetteer) -> None:
    text = "The U.S. and the US told us that USA ties matter."
    assert names(text, tiny_gazetteer) == ["U.S.", "US", "USA"]


def test_people_organisations_and_documents_are_not_places(tiny_gazetteer: Gazetteer) -> None:
    text = (
        "President Jordan spoke. Jordan Peterson agreed. Azerbaijan has not signed the "
        "Rome Statute, says Radio Free Europe. The Washington Post covered Georgia."
    )
    assert names(text, tiny_gazetteer) == ["Azerbaijan", "Georgia"]


def test_common_words_need_more_than_a_capital(tiny_gazetteer: Gazetteer) -> None:
    assert names("Reading the report took an hour.", tiny_gazetteer) == []
    assert names("She moved to Reading last year.", tiny_gazetteer) == ["Reading"]


def test_only_passages_are_read(tiny_gazetteer: Gazetteer) -> None:
    from geo.model import Passage

    text = "Baku today. Share on Moscow. Yerevan too."
    passages = [Passage("a", 0, 0, 11, text[0:11]), Passage("a", 1, 29, 41, text[29:41])]
    assert names(text, tiny_gazetteer, passages=passages) == ["Baku", "Yerevan"]


def test_demonyms_count_by_default_and_can_be_left_out(gazetteer: Gazetteer) -> None:
    text = "Russian officials met Azerbaijani diplomats."
    found = recognise(text, gazetteer)
    assert [s.text for s in found] == ["Russian", "Azerbaijani"]
    assert [s.name for s in found] == ["Russia", "Azerbaijan"]
    assert recognise(text, gazetteer, demonyms=False) == []


def test_sentence_initial_places_are_kept(gazetteer: Gazetteer) -> None:
    text = "Moscow is ready. In Baku, talks went on. Kazan hosted the summit."
    assert names(text, gazetteer) == ["Moscow", "Baku", "Kazan"]


def test_demonym_forms_plurals_and_no_town_of_the_same_name(gazetteer: Gazetteer) -> None:
    text = "Sri Lankan and Canadian officials spoke; Russians and Europeans listened."
    found = recognise(text, gazetteer)
    assert [(s.text, s.name) for s in found] == [
        ("Sri Lankan", "Sri Lanka"), ("Canadian", "Canada"),
        ("Russians", "Russia"), ("Europeans", "Europe"),
    ]  # fmt: skip
    # Left out on request, and "Canadian" is not the Texas town of that name either.
    assert names(text, gazetteer, demonyms=False) == []


def test_surname_of_a_person_named_earlier_is_not_a_place(gazetteer: Gazetteer) -> None:
    text = "Coach Rod Nelson spoke first. Later Nelson said the team would travel to Nelson."
    # The lone "Nelson" is the coach; "to Nelson" is a locative use and stays a place.
    assert names(text, gazetteer) == ["Nelson"]
    assert text.rindex("Nelson") == recognise(text, gazetteer)[0].start


def test_a_first_name_alone_needs_a_locative_cue(gazetteer: Gazetteer) -> None:
    assert names("Then Patrick said the vote was fair.", gazetteer) == []
    assert names("The family moved to Patrick last year.", gazetteer) == ["Patrick"]


def test_state_abbreviations_in_datelines_and_addresses(gazetteer: Gazetteer) -> None:
    text = "CHARLESTON, W.Va. — A man from Gainesville, Ga., was ill. Ill health, said Mass. Pa no."
    assert names(text, gazetteer) == ["CHARLESTON", "W.Va.", "Gainesville", "Ga."]
    from geo.pipeline import geoparse

    states = {m.text: m.name for m in geoparse(text, gazetteer=gazetteer) if m.kind == "admin"}
    assert states == {"W.Va.": "West Virginia", "Ga.": "Georgia"}


def test_all_caps_words_outside_datelines_are_not_names(gazetteer: Gazetteer) -> None:
    assert names("He said CHARLESTON was loud.", gazetteer) == []
    assert names("The DPRK fired a missile.", gazetteer) == ["DPRK"]
