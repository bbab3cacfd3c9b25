"""The geoparser's error classes on news it has never seen, each on sentences written here.

Every test names a class of error (not a place): country names eaten as demonyms, the
longest name losing to a shorter one, hyphenated names, local evidence overriding the
article's default sense, people, common words and organisation fragments.
"""

from __future__ import annotations

from geo.gazetteer import Gazetteer
from geo.pipeline import geoparse


def placed(text: str, gazetteer: Gazetteer) -> list[tuple[str, str, str]]:
    return [(m.text, m.country_code, m.kind) for m in geoparse(text, gazetteer=gazetteer)]


def test_country_names_are_not_eaten_by_the_demonym_filter(gazetteer: Gazetteer) -> None:
    text = "Talks between Vietnam and the Philippines stalled; Djibouti and Curaçao abstained."
    found = {t for t, _, _ in placed(text, gazetteer)}
    assert {"Vietnam", "Philippines", "Djibouti", "Curaçao"} <= found


def test_demonyms_stay_out_by_default(gazetteer: Gazetteer) -> None:
    assert placed("Filipino sailors and Canadian officials met.", gazetteer) == []


def test_the_longest_name_wins(gazetteer: Gazetteer) -> None:
    text = "Refugees from the Democratic Republic of the Congo crossed into Uganda."
    assert ("Democratic Republic of the Congo", "CD", "country") in placed(text, gazetteer)


def test_hyphenated_names_stay_whole(gazetteer: Gazetteer) -> None:
    text = "Flights to Aix-en-Provence and Port-au-Prince resumed."
    found = placed(text, gazetteer)
    assert ("Port-au-Prince", "HT", "city") in found
    assert ("Aix-en-Provence", "FR", "city") in found


def test_local_qualifier_moves_only_its_own_mention(gazetteer: Gazetteer) -> None:
    text = (
        "LYON — Wine makers from Lyon and Bordeaux met in Paris on Friday. "
        "One grower, who farms near Paris, Texas, said prices had doubled. "
        "In Paris, the minister promised help for growers across France."
    )
    found = [(m.text, m.country_code) for m in geoparse(text, gazetteer=gazetteer)]
    parises = [cc for name, cc in found if name == "Paris"]
    assert parises == ["FR", "US", "FR"]


def test_city_state_picks_the_state_in_a_longer_article(gazetteer: Gazetteer) -> None:
    text = (
        "The summit in Tbilisi drew ministers from Armenia and Azerbaijan. Later the "
        "delegation toured a plant in Atlanta, Georgia, owned by a company from Baku."
    )
    found = [(m.text, m.country_code, m.kind) for m in geoparse(text, gazetteer=gazetteer)]
    assert ("Georgia", "US", "admin") in found


def test_first_name_and_surname_is_a_person(gazetteer: Gazetteer) -> None:
    text = "Victoria Nuland met Florence Pugh in Rome. Nuland later flew home."
    assert [t for t, _, _ in placed(text, gazetteer)] == ["Rome"]


def test_the_state_of_picks_the_kind(gazetteer: Gazetteer) -> None:
    found = placed("Floods hit the state of Victoria after days of rain.", gazetteer)
    assert found == [("Victoria", "AU", "admin")]


def test_common_words_are_not_alternate_names_of_villages(gazetteer: Gazetteer) -> None:
    found = placed("Drone attacks continued. Passover was quiet in the camps.", gazetteer)
    assert found == []


def test_organisation_fragments_are_not_places(gazetteer: Gazetteer) -> None:
    text = "The UK Maritime Trade Operations agency warned ships near the Cape of Good Hope."
    found = [t for t, _, _ in placed(text, gazetteer)]
    assert "Maritime" not in found and "Good Hope" not in found


def test_english_transliterations_of_big_cities(gazetteer: Gazetteer) -> None:
    found = placed("Missiles struck Hodeidah port again.", gazetteer)
    assert found and found[0][:2] == ("Hodeidah", "YE")


def test_scores_are_probabilities_and_alternatives_are_kept(gazetteer: Gazetteer) -> None:
    mentions = geoparse("Police in Springfield said the road was closed.", gazetteer=gazetteer)
    assert len(mentions) == 1
    mention = mentions[0]
    assert 0.0 < mention.score < 0.9  # many Springfields: not a confident pick
    assert mention.alternatives
    keys = {"name", "country_code", "lat", "lon", "score", "gazetteer_id"}
    assert all(set(a) == keys for a in mention.alternatives)
    assert mention.score + sum(float(str(a["score"])) for a in mention.alternatives) <= 1.0001
