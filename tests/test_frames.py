"""Frames and GeoJSON: passages stored once and referenced, read back intact; the geoparser
stages import no geopandas."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from geo.frames import (
    PassageIndex,
    geojson_text,
    places_frame,
    read_geojson,
    with_quoted_passages,
    write_geojson,
)
from geo.gazetteer import Gazetteer
from geo.model import Article, Passage
from geo.pipeline import geoparse_article

PLACES = ["Baku", "Moscow", "Yerevan", "Armenia", "Azerbaijan", "Russia", "Paris", "Rome"]


def test_geoparsing_imports_no_geopandas() -> None:
    code = """
import sys
import geo.pipeline
from geo.gazetteer import Gazetteer
from geo.model import Entry
gazetteer = Gazetteer.from_records([(Entry("t:baku", "Baku", 40.4, 49.9, "city", "AZ"), [])])
mentions = geo.pipeline.geoparse("Talks in Baku went on.", gazetteer=gazetteer)
assert [m.name for m in mentions] == ["Baku"], mentions
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("geopandas", "shapely", "pandas"))
print(",".join(heavy))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_a_passage_naming_many_places_is_stored_once(tiny_gazetteer: Gazetteer) -> None:
    sentence = "Envoys from " + ", ".join(PLACES * 4) + " met on Monday."
    article = Article("long", sentence + " Later Baku replied.")
    passages, mentions = geoparse_article(article, gazetteer=tiny_gazetteer)
    frame = places_frame(mentions, passages)
    text = geojson_text(frame, "places.geojson")
    assert text.count(sentence) == 1  # not once per mention (32 of them)
    data = json.loads(text)
    stored = {(p["article"], p["index"]): p for p in data["passages"]}
    assert sorted(stored) == [("long", 0), ("long", 1)]
    for feature in data["features"]:
        for mention in feature["properties"]["mentions"]:
            passage = stored[(mention["article"], mention["passage"])]
            assert set(mention) == {"article", "start", "end", "text", "passage"}
            assert article.text[passage["start"] : passage["end"]] == passage["text"]
            assert article.text[mention["start"] : mention["end"]] == mention["text"]
            assert passage["start"] <= mention["start"] and mention["end"] <= passage["end"]


def test_a_demonym_adds_its_passage_to_a_named_place_but_pins_nothing(
    gazetteer: Gazetteer,
) -> None:
    text = (
        "Russian envoys reached Baku on Monday. Russia wants the route open.\n\n"
        "An Italian agency quoted the minister."
    )
    passages, mentions = geoparse_article(Article("a", text), gazetteer=gazetteer)
    assert {m.text for m in mentions} >= {"Russian", "Russia", "Italian", "Baku"}
    frame = places_frame(mentions, passages)
    assert sorted(frame["name"]) == ["Baku", "Russia"]  # Italy: named by a demonym only
    russia = frame.set_index("name").loc["Russia"]
    assert [m["text"] for m in russia["mentions"]] == ["Russian", "Russia"]


def test_layers_read_back_with_their_passages(tiny_gazetteer: Gazetteer, tmp_path: Path) -> None:
    article = Article("a", "Baku hosted talks. Moscow and Baku agreed.")
    passages, mentions = geoparse_article(article, gazetteer=tiny_gazetteer)
    frame = places_frame(mentions, passages)
    write_geojson(frame, tmp_path / "places.geojson")
    back = read_geojson(tmp_path / "places.geojson")
    assert list(back.attrs["passages"]) == list(frame.attrs["passages"])
    assert geojson_text(back, "places.geojson") == (tmp_path / "places.geojson").read_text("utf-8")
    assert back.copy().attrs["passages"] is back.attrs["passages"]  # shared, not deep-copied
    flat = with_quoted_passages(back)
    baku = flat.set_index("name").loc["Baku", "mentions"]
    assert [m["passage_text"] for m in baku] == ["Baku hosted talks.", "Moscow and Baku agreed."]
    assert "passage_text" not in back.set_index("name").loc["Baku", "mentions"][0]


def test_passage_lookup_matches_a_linear_scan() -> None:
    passages = [
        Passage(article, index, start, start + length, "x" * length)
        for article in ("a", "b")
        for index, (start, length) in enumerate([(0, 10), (12, 5), (20, 30), (55, 1)])
    ]
    index = PassageIndex(reversed(passages))
    for article in ("a", "b", "c"):
        for start in range(-1, 60):
            for end in range(start, start + 12):
                linear = next(
                    (p for p in passages
                     if p.article == article and p.start <= start and end <= p.end),
                    None,
                )  # fmt: skip
                assert index.containing(article, start, end) == linear


def test_a_name_that_is_also_a_demonym_word_is_still_pinned(gazetteer: Gazetteer) -> None:
    text = "Drought hit the Somali region of Ethiopia."
    passages, mentions = geoparse_article(Article("a", text), gazetteer=gazetteer)
    assert [(m.text, m.demonym) for m in mentions] == [("Somali", False), ("Ethiopia", False)]
    assert sorted(places_frame(mentions, passages)["name"]) == ["Ethiopia", "Somali"]
