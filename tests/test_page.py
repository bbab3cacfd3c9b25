"""The page without a browser: self-contained, escaped, reproducible, and what it tells."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from geo.model import Article, Passage
from geo.page import Story, focus_bounds, render_page

from .helpers import build
from .page_fixture import HOSTILE, fixture_story


def render(**kw) -> str:
    return render_page(fixture_story(), **kw)


def page_data(html: str, block: str = "storymap-data") -> dict:
    match = re.search(rf'<script type="application/json" id="{block}">(.*?)</script>', html, re.S)
    assert match, f"the page carries the {block} JSON block"
    return json.loads(match.group(1))


def test_no_script_or_stylesheet_comes_from_a_cdn() -> None:
    html = render()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"?https?:", html)
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html
    assert "tile.openstreetmap.org" in html  # online tiles stay a choice the reader can make
    assert "tile.openstreetmap.org" not in render(tiles="none")


def test_article_text_cannot_break_out_of_the_data_block() -> None:
    html = render()
    assert HOSTILE not in html
    assert "<script>window.__pwned" not in html
    assert "\\u003cscript\\u003ewindow.__pwned" in html
    assert "Moscow <b>bold</b>" not in html


def test_same_input_gives_byte_identical_html() -> None:
    assert render() == render()


def test_a_page_from_the_layers_written_geojson_is_the_same_and_leaves_it_unchanged() -> None:
    """``build`` makes each layer's GeoJSON once, for its file and for the page; the page
    adds its keys to its own copies, never to what is written."""
    from dataclasses import replace

    from geo.frames import collection_text, to_feature_collection
    from geo.timeline import passage_dates

    story = fixture_story()
    layers = {"places": story.places, "corridors": story.corridors, "conflicts": story.conflicts}
    geojson = {name: to_feature_collection(frame) for name, frame in layers.items()}
    written = {name: collection_text(collection) for name, collection in geojson.items()}
    dates = passage_dates(story.passages, story.meta())
    assert render_page(replace(story, geojson=geojson, dates=dates)) == render_page(story)
    assert {name: collection_text(collection) for name, collection in geojson.items()} == written
    assert "_key" not in written["places"]


def test_the_offline_base_map_is_natural_earth_inside_the_page() -> None:
    html = render(tiles="none")
    basemap = page_data(html, "storymap-basemap")
    layers = {f["properties"]["layer"]: f for f in basemap["features"]}
    assert layers["land"]["geometry"]["type"] == "MultiPolygon"
    assert layers["borders"]["geometry"]["type"] == "MultiLineString"
    labels = {f["properties"]["name"] for f in basemap["features"] if "name" in f["properties"]}
    assert {"Azerbaijan", "Russia", "Iran"} <= labels
    assert "Natural Earth" in basemap["source"] and "Natural Earth" in html


def article(name: str, text: str) -> tuple[Article, Passage]:
    body = text.split("\n\n")[-1]
    start = text.index(body)
    return Article(Path(name).stem, text, Path(name)), Passage(
        Path(name).stem, 0, start, start + len(body), body
    )


def two_dated_articles() -> Story:
    later, later_passage = article(
        "a-later.md", "---\ntitle: Talks end\ndate: 2024-05-02\noutlet: Wire\n---\n\nTalks in Baku."
    )
    earlier, earlier_passage = article(
        "b-earlier.txt", "Talks begin in Baku\nMarch 3, 2023\n\nTalks in Baku since 2020."
    )
    undated, undated_passage = article("c-undated.txt", "Notes\n\nTalks in Baku.")
    passages = [later_passage, earlier_passage, undated_passage]
    mentions = [
        {"article": p.article, "start": p.start + 9, "end": p.start + 13, "text": "Baku",
         "passage": p.index}
        for p in passages
    ]  # fmt: skip
    places = gpd.GeoDataFrame(
        [{"id": "baku", "name": "Baku", "kind": "city", "mention_count": 3,
          "mentions": mentions, "geometry": Point(49.89, 40.38)}],
        geometry="geometry", crs=4326,
    )  # fmt: skip
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)
    return Story(places, empty, empty, [later, earlier, undated], passages)


def test_articles_are_headed_by_their_metadata_and_chapters_go_by_date() -> None:
    data = page_data(render_page(two_dated_articles(), tiles="none"))
    by_id = {a["id"]: a for a in data["articles"]}
    assert (by_id["a-later"]["headline"], by_id["a-later"]["date"]) == ("Talks end", "2024-05-02")
    assert by_id["a-later"]["outlet"] == "Wire"
    assert by_id["b-earlier"]["headline"] == "Talks begin in Baku"
    assert data["chapters"] == ["b-earlier", "a-later", "c-undated"]
    assert data["title"] == "Talks begin in Baku"  # the earliest article's headline
    assert data["subtitle"] == "3 articles, 3 March 2023 – 2 May 2024"
    dated = by_id["b-earlier"]["passages"][0]["dates"]
    assert [(d["text"], d["start"], d["end"]) for d in dated] == [
        ("since 2020", "2020-01-01", "2023-03-03")
    ]


def test_a_given_title_wins_and_is_escaped() -> None:
    html = render_page(two_dated_articles(), title="Baku & the talks <2024>")
    assert "<title>Baku &amp; the talks &lt;2024&gt;</title>" in html
    assert page_data(html)["title"] == "Baku & the talks <2024>"


def test_first_view_leaves_out_a_far_outlier() -> None:
    caucasus = [(49.9, 40.4, 5.0), (44.5, 40.2, 3.0), (44.8, 41.7, 3.0), (47.0, 42.5, 1.0)]
    washington = (-77.0, 38.9, 1.0)
    bounds = focus_bounds([*caucasus, washington])
    assert bounds is not None
    (south, west), (north, east) = bounds
    assert (west, east) == (44.5, 49.9) and (south, north) == (40.2, 42.5)
    assert focus_bounds([]) is None
    lone = focus_bounds([(49.9, 40.4, 1.0)])
    assert lone is not None
    (south, west), (north, east) = lone
    assert west < 49.9 < east and south < 40.4 < north  # a lone place still has an extent


def test_a_story_layer_no_article_names_is_left_off_the_page() -> None:
    story = fixture_story()
    corridors = story.corridors.copy()
    corridors["mention_count"] = 0
    corridors["mentions"] = [[]]
    data = page_data(render_page(Story(story.places, corridors, story.conflicts, story.articles,
                                       story.passages)))  # fmt: skip
    assert data["layers"]["corridors"]["features"] == []
    assert len(data["layers"]["conflicts"]["features"]) == 1  # named, so it stays


def test_build_title_option_sets_the_page_title(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("Ferry talks\nMay 2, 2023\n\nTalks in Baku went on.\n", "utf-8")
    assert build(tmp_path) == 0
    html = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "<title>Ferry talks</title>" in html  # derived from the article
    assert build(tmp_path, "--title", "Caspian ferries") == 0
    html = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert "<title>Caspian ferries</title>" in html


def test_element_ids_are_numbered_while_rendering_and_restored_after() -> None:
    """Fails loudly on a folium/branca upgrade that breaks the reproducible-ids patch."""
    import branca.element

    from geo.page import deterministic_ids

    before = branca.element.Element()._id
    with deterministic_ids():
        first, second = branca.element.Element()._id, branca.element.Element()._id
    after = branca.element.Element()._id
    assert (first, second) == ("00000001", "00000002")
    assert len(before) == len(after) == 32 and before != after  # random hex again
