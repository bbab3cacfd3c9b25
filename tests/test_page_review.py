"""Reviewing a story on the page: uncertain places flagged, alternatives offered, and the
correction lines the page copies read back by the corrections loader."""

from __future__ import annotations

import re
from pathlib import Path

from geo.corrections import Correction, load_corrections
from geo.gazetteer import Gazetteer
from geo.page import LOW_CONFIDENCE, render_page

from .page_fixture import HOSTILE_NAME, review_story
from .test_page import page_data


def places_by_key(data: dict) -> dict[str, dict]:
    return {f["properties"]["_key"]: f["properties"] for f in data["layers"]["places"]["features"]}


def read_back(tmp_path: Path, lines: str) -> list[Correction]:
    """What the build would make of ``lines`` pasted under ``corrections:``."""
    path = tmp_path / "corrections.yaml"
    path.write_text("corrections:\n" + lines + "\n", encoding="utf-8")
    return load_corrections(path)


def test_the_page_flags_uncertain_places_and_carries_their_alternatives() -> None:
    html = render_page(review_story())
    places = places_by_key(page_data(html))
    springfield = places["places:geonames-4409896"]
    assert springfield["score"] < LOW_CONFIDENCE and springfield["_uncertain"] is True
    assert [a["name"] for a in springfield["alternatives"]] == [HOSTILE_NAME, "Springfield"]
    assert "_uncertain" not in places["places:geonames-2988507"]  # Paris, France: 0.95
    assert page_data(html)["confidence"]["low"] == LOW_CONFIDENCE
    assert HOSTILE_NAME not in html  # only as escaped JSON


def test_use_this_lines_read_back_as_pins(tmp_path: Path) -> None:
    fix = places_by_key(page_data(render_page(review_story())))["places:geonames-4409896"]["_fix"]
    assert read_back(tmp_path, fix["use"][0]) == [
        Correction(name="Springfield", gazetteer_id="geonames:4250542")
    ]
    # An alternative without a gazetteer id is pinned by its coordinates.
    assert read_back(tmp_path, fix["use"][1]) == [
        Correction(name="Springfield", lat=-33.4, lon=151.3)
    ]
    assert read_back(tmp_path, fix["reject"]) == [Correction(name="Springfield", reject=True)]


def test_a_name_with_two_senses_is_corrected_only_where_it_means_this_place(
    tmp_path: Path,
) -> None:
    places = places_by_key(page_data(render_page(review_story())))
    texas = places["places:geonames-4717560"]["_fix"]
    assert read_back(tmp_path, texas["use"][0]) == [
        Correction(name="Paris", article="texas", gazetteer_id="geonames:2988507")
    ]
    assert read_back(tmp_path, places["places:geonames-2988507"]["_fix"]["reject"]) == [
        Correction(name="Paris", article="fair", reject=True)
    ]
    assert read_back(tmp_path, places["places:geonames-2996944"]["_fix"]["reject"]) == [
        Correction(name="Lyon", reject=True)  # one sense: everywhere, later articles too
    ]


def test_the_readme_example_is_a_valid_corrections_file(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Correcting a story.*?```yaml\ncorrections:\n(.*?)```", readme, re.S)
    assert block, "README shows a corrections.yaml example"
    found = read_back(tmp_path, block.group(1).rstrip("\n"))
    assert [c.name for c in found] == ["Paris", "Drone", "Camp Lemonnier"]


def test_a_markers_size_counts_names_not_demonyms(gazetteer: Gazetteer) -> None:
    from geo.frames import places_frame
    from geo.model import Article
    from geo.page import Story
    from geo.pipeline import geoparse_article

    text = "Armenian, Armenian and Armenian envoys met in Yerevan. Armenia agreed."
    passages, mentions = geoparse_article(Article("a", text), gazetteer=gazetteer)
    empty = places_frame([], passages)
    story = Story(places_frame(mentions, passages), empty, empty, [Article("a", text)], passages)
    places = {p["name"]: p for p in places_by_key(page_data(render_page(story))).values()}
    assert places["Armenia"]["mention_count"] == 4  # every passage is a source
    assert places["Armenia"]["name_count"] == 1  # the pin's size: how often it is named
    assert places["Yerevan"]["name_count"] == 1
