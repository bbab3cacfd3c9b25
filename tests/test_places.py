"""Resolution by document context, and the places layer."""

from __future__ import annotations

import json

from geo.frames import places_frame
from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.pipeline import geoparse, geoparse_article


def resolved(text: str, gazetteer: Gazetteer) -> dict[str, str]:
    return {m.text: m.gazetteer_id for m in geoparse(text, gazetteer=gazetteer)}


def test_georgia_beside_armenia_is_the_country(tiny_gazetteer: Gazetteer) -> None:
    got = resolved("Armenia and Georgia border each other.", tiny_gazetteer)
    assert got["Georgia"] == "t:ge"


def test_georgia_beside_atlanta_is_the_state(tiny_gazetteer: Gazetteer) -> None:
    got = resolved("Atlanta is the capital of Georgia, in the United States.", tiny_gazetteer)
    assert got["Georgia"] == "t:us-ga"


def test_x_comma_y_pattern_decides(tiny_gazetteer: Gazetteer) -> None:
    assert resolved("She grew up in Paris, Texas.", tiny_gazetteer)["Paris"] == "t:paris-tx"
    assert resolved("She grew up in Paris.", tiny_gazetteer)["Paris"] == "t:paris"


def test_same_name_resolves_the_same_way_throughout(tiny_gazetteer: Gazetteer) -> None:
    mentions = geoparse("Paris, Texas is small. Paris has a courthouse.", gazetteer=tiny_gazetteer)
    assert {m.gazetteer_id for m in mentions if m.text == "Paris"} == {"t:paris-tx"}


def test_real_gazetteer_disambiguates_by_context(gazetteer: Gazetteer) -> None:
    text = (
        "Leaders from Washington and Brussels met. The BRICS summit in Kazan followed. "
        "Armenia and Georgia watched."
    )
    by_text = {m.text: m for m in geoparse(text, gazetteer=gazetteer)}
    assert by_text["Washington"].country_code == "US" and by_text["Washington"].kind == "city"
    assert abs(by_text["Washington"].lat - 38.9) < 0.3
    assert by_text["Kazan"].country_code == "RU"
    assert by_text["Georgia"].country_code == "GE" and by_text["Georgia"].kind == "country"
    for mention in by_text.values():
        assert 0.0 <= mention.score <= 1.0


def test_places_frame_groups_mentions_with_their_passages(tiny_gazetteer: Gazetteer) -> None:
    article = Article("story", "Baku hosted talks. Later, Baku's mayor met Moscow.")
    passages, mentions = geoparse_article(article, gazetteer=tiny_gazetteer)
    frame = places_frame(mentions, passages)
    assert list(frame["name"]) == ["Baku", "Moscow"]
    baku = frame.iloc[0]
    assert baku["mention_count"] == 2 and baku["articles"] == ["story"]
    quoted = {(p["article"], p["index"]): p["text"] for p in frame.attrs["passages"]}
    assert [quoted[(m["article"], m["passage"])] for m in baku["mentions"]] == [
        "Baku hosted talks.", "Later, Baku's mayor met Moscow.",
    ]  # fmt: skip
    assert len(frame.attrs["passages"]) == 2  # each passage once, though quoted three times
    for m in baku["mentions"]:
        assert article.text[m["start"] : m["end"]] == m["text"] == "Baku"
    assert baku.geometry.x == 49.892 and baku.geometry.y == 40.377
    again = places_frame(list(reversed(mentions)), passages)
    assert json.dumps(again.drop(columns="geometry").to_dict("records")) == json.dumps(
        frame.drop(columns="geometry").to_dict("records")
    )


def test_acronyms_resolve_to_countries_and_unions_not_towns(gazetteer: Gazetteer) -> None:
    mentions = geoparse("The EU and the U.S. agreed.", gazetteer=gazetteer)
    assert [(m.text, m.kind) for m in mentions] == [("EU", "region"), ("U.S.", "country")]


def test_state_named_in_the_article_decides_between_towns(gazetteer: Gazetteer) -> None:
    in_georgia = geoparse("Atlanta, Ga. — Police in Gainesville said.", gazetteer=gazetteer)
    in_florida = geoparse("Miami, Fla. — Police in Gainesville said.", gazetteer=gazetteer)
    assert {m.text: m.country_code for m in in_georgia}["Gainesville"] == "US"
    gainesville = [m for m in in_georgia + in_florida if m.text == "Gainesville"]
    # Gainesville, Georgia lies north-east of Atlanta; Gainesville, Florida far south.
    assert gainesville[0].lat > 34.0 and gainesville[1].lat < 30.0


def test_countries_are_placed_at_the_geonames_country_point(gazetteer: Gazetteer) -> None:
    us = next(m for m in geoparse("Leaders of the United States met.", gazetteer=gazetteer))
    assert (round(us.lat, 2), round(us.lon, 2)) == (39.76, -98.5)


def test_zero_width_characters_inside_a_name_do_not_split_it(tiny_gazetteer: Gazetteer) -> None:
    text = "Talks in Mos\u200bcow, Ba\u200dku, Bak\u00adu, Yere\u2060van. \ufeffArmenia waited."
    mentions = geoparse(text, gazetteer=tiny_gazetteer)
    assert [(m.text, m.gazetteer_id) for m in mentions] == [
        ("Mos\u200bcow", "t:moscow"), ("Ba\u200dku", "t:baku"), ("Bak\u00adu", "t:baku"),
        ("Yere\u2060van", "t:yerevan"), ("Armenia", "t:am"),
    ]  # fmt: skip
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
