"""Story layers: corridors and conflicts from YAML, valid RFC 7946, clear errors, export."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from geo.frames import write_geojson
from geo.gazetteer import Gazetteer
from geo.layers import LayerError, build_story_layers, find_mentions, passages_naming
from geo.model import Article, Passage
from geo.passages import split_passages

from .helpers import REPO, story_definitions

REPO_LAYERS = REPO / "layers"
ARTICLE = Article(
    "brief",
    "Officials discussed the INSTC and the North-South Transport Corridor. "
    "The Zangezur Corridor stayed contentious. Fighting in the Kursk region went on. "
    "Nagorno-Karabakh was calm.",
)


def km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2] / 1000


def distance_to(geometry, lat: float, lon: float) -> float:
    nearest = min(
        (c for part in getattr(geometry, "geoms", [geometry]) for c in part.coords),
        key=lambda c: km(c[0], c[1], lon, lat),
    )
    return km(nearest[0], nearest[1], lon, lat)


@pytest.fixture(scope="module")
def story(gazetteer: Gazetteer) -> dict[str, gpd.GeoDataFrame]:
    passages = split_passages(ARTICLE)
    return build_story_layers(REPO_LAYERS, gazetteer, passages)


def test_instc_runs_along_the_caspian_into_iran(story: dict[str, gpd.GeoDataFrame]) -> None:
    instc = story["corridors"].set_index("id").loc["instc-western-route"]
    for lat, lon in [(42.98, 47.50), (40.38, 49.89), (38.46, 48.87)]:  # Makhachkala, Baku, Astara
        assert distance_to(instc.geometry, lat, lon) < 25
    assert distance_to(instc.geometry, 35.69, 51.42) < 25  # Tehran: it continues into Iran
    assert "sea" in {leg["mode"] for leg in instc["legs"]}
    assert {m["text"] for m in instc["mentions"]} == {"INSTC", "North-South Transport Corridor"}
    for m in instc["mentions"]:
        assert ARTICLE.text[m["start"] : m["end"]] == m["text"]


def test_zangezur_passes_meghri_and_ends_in_nakhchivan(story) -> None:
    zangezur = story["corridors"].set_index("id").loc["zangezur-corridor"]
    assert distance_to(zangezur.geometry, 38.90, 46.24) < 15  # Meghri
    end = zangezur.geometry.geoms[-1].coords[-1]
    assert km(end[0], end[1], 45.41, 39.21) < 5  # Nakhchivan city
    assert [m["text"] for m in zangezur["mentions"]] == ["Zangezur Corridor"]


def test_conflicts_have_dates_sources_and_passages(story) -> None:
    conflicts = story["conflicts"].set_index("id")
    kursk = conflicts.loc["kursk-incursion-2024"]
    assert kursk.geometry.distance(Point(35.27, 51.19)) < 0.6  # within ~60 km of Sudzha
    assert kursk["start_date"] == "2024-08-06" and kursk["approximate"]
    assert math.isclose(kursk["area_km2"], 1000, rel_tol=0.02)
    assert [m["text"] for m in kursk["mentions"]] == ["Kursk region"]
    karabakh = conflicts.loc["nagorno-karabakh"]
    assert karabakh.geometry.contains(Point(46.75, 39.82))  # Khankendi / Stepanakert
    assert karabakh["sources"] and karabakh["start_date"]


def test_written_layers_are_valid_rfc7946(story, tmp_path: Path) -> None:
    for name, frame in story.items():
        path = tmp_path / f"{name}.geojson"
        write_geojson(frame, path)
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection" and "crs" not in data
        for feature in data["features"]:
            geometry = shape(feature["geometry"])
            assert geometry.is_valid
            minx, miny, maxx, maxy = geometry.bounds
            assert -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90
            coords = json.dumps(feature["geometry"]["coordinates"])
            assert all(len(n.split(".")[-1]) <= 6 for n in coords.replace("[", "").replace(
                "]", "").split(",") if "." in n)  # fmt: skip
            if geometry.geom_type == "Polygon":
                assert geometry.exterior.is_ccw
        write_geojson(frame, tmp_path / "again.geojson")
        assert (tmp_path / "again.geojson").read_bytes() == path.read_bytes()


def test_a_user_adds_a_corridor_by_adding_a_file(gazetteer: Gazetteer, tmp_path: Path) -> None:
    layers = story_definitions(tmp_path / "layers")
    (layers / "corridors" / "baku-tbilisi-kars.yaml").write_text(
        "kind: corridor\nid: btk\nname: Baku–Tbilisi–Kars railway\naliases: [BTK]\n"
        "waypoints: [Baku, {name: Tbilisi, country: GE}, {name: Kars, country: TR}]\n"
        "sources: [{publication: Wikipedia, url: 'https://en.wikipedia.org/wiki/BTK'}]\n",
        encoding="utf-8",
    )
    story = build_story_layers(layers, gazetteer, [])
    btk = story["corridors"].set_index("id").loc["btk"]
    assert [w["name"] for w in btk["waypoints"]] == ["Baku", "Tbilisi", "Kars"]
    assert 600 < btk["length_km"] < 700  # great-circle legs between the three stations


def test_a_waypoint_without_a_country_is_read_beside_its_neighbours(
    gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """Hyderabad alone is the Indian city; between Karachi and Sukkur it is Pakistan's."""
    layers = tmp_path / "layers"
    (layers / "corridors").mkdir(parents=True)
    for name, waypoints in (
        ("alone", "[Hyderabad, Chennai]"),
        ("indus", "[Karachi, Hyderabad, Sukkur]"),
    ):
        (layers / "corridors" / f"{name}.yaml").write_text(
            f"kind: corridor\nid: {name}\nname: {name}\nwaypoints: {waypoints}\n"
            "sources: [{publication: P}]\n",
            encoding="utf-8",
        )
    corridors = build_story_layers(layers, gazetteer, [])["corridors"].set_index("id")

    def country_of_hyderabad(corridor: str) -> str:
        stop = next(w for w in corridors.loc[corridor, "waypoints"] if w["name"] == "Hyderabad")
        entry = gazetteer.get(stop["gazetteer_id"])
        assert entry is not None
        return entry.country_code

    assert (country_of_hyderabad("alone"), country_of_hyderabad("indus")) == ("IN", "PK")
    assert corridors.loc["indus", "length_km"] < 500  # not a leg across to India and back


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("kind: corridor\nid: x\nname: X\nwaypoints: [Baku, Atlantisopolis]\n"
         "sources: [{publication: P}]\n", "waypoints[1]: unknown waypoint 'Atlantisopolis'"),
        ("kind: corridor\nid: x\nname: [unclosed\n", "not valid YAML"),
        ("kind: conflict\nid: x\nname: X\nsources: [{publication: P}]\n"
         "polygon: [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]\n", "polygon: the area is not a valid"),
        ("kind: conflict\nid: x\nname: X\nsources: [{publication: P}]\n"
         "center: {lat: 89, lon: 0}\narea_km2: 1000000\n", "center: the circle crosses"),
        ("kind: conflict\nid: x\nname: X\n", "sources: Field required"),
    ],
)  # fmt: skip
def test_bad_definitions_name_the_file_and_the_reason(
    gazetteer: Gazetteer, tmp_path: Path, content: str, reason: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(LayerError) as error:
        build_story_layers(tmp_path, gazetteer, [])
    assert str(error.value).startswith(str(tmp_path / "bad.yaml"))
    assert reason in str(error.value)


def test_exports_read_back_with_the_same_features(story, tmp_path: Path) -> None:
    from geo.cli import main

    layers = tmp_path / "layers"
    for name, frame in story.items():
        write_geojson(frame, layers / f"{name}.geojson")
    assert main(["export", "--format", "gpkg", "--out", str(tmp_path / "s.gpkg"),
                 "--layers", str(layers)]) == 0  # fmt: skip
    first = (tmp_path / "s.gpkg").read_bytes()
    time.sleep(1.1)  # GDAL's own timestamp has whole seconds
    assert main(["export", "--out", str(tmp_path / "s.gpkg"), "--layers", str(layers)]) == 0
    assert (tmp_path / "s.gpkg").read_bytes() == first  # the same layers, the same bytes
    for name, frame in story.items():
        back = gpd.read_file(tmp_path / "s.gpkg", layer=name)
        assert list(back["id"]) == list(frame["id"])
        pairs = zip(back.geometry, frame.geometry, strict=True)
        assert all(a.equals_exact(b, 1e-6) for a, b in pairs)
        mentions = [json.loads(m) for m in back["mentions"]]
        texts = {(p["article"], p["index"]): p["text"] for p in frame.attrs.get("passages", ())}
        for exported, original in zip(mentions, frame["mentions"], strict=True):
            # A table row stands alone: each mention carries its passage's text.
            assert [m.pop("passage_text") for m in exported] == [
                texts[(m["article"], m["passage"])] for m in original
            ]
            assert exported == list(original)
    assert main(["export", "--format", "parquet", "--out", str(tmp_path / "s.parquet"),
                 "--layers", str(layers), "--layer", "conflicts"]) == 0  # fmt: skip
    assert list(gpd.read_parquet(tmp_path / "s.parquet")["id"]) == list(story["conflicts"]["id"])
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "s.csv"),
                 "--layers", str(layers)]) == 0  # fmt: skip
    import pandas as pd

    table = pd.read_csv(tmp_path / "s.csv")
    assert len(table) == sum(len(f) for f in story.values()) and "wkt" in table
    assert main(["export", "--format", "geojson", "--out", str(tmp_path / "s.geojson"),
                 "--layers", str(layers)]) == 0  # fmt: skip
    merged = json.loads((tmp_path / "s.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["layer"] for f in merged["features"]} == {"corridors", "conflicts"}


def test_export_without_a_build_is_a_clear_error(tmp_path: Path, capsys) -> None:
    from geo.cli import main

    assert main(["export", "--format", "csv", "--out", str(tmp_path / "x.csv"),
                 "--layers", str(tmp_path)]) == 2  # fmt: skip
    assert "run storymap build first" in capsys.readouterr().err


def test_counts_stay_whole_numbers_in_a_table_of_all_layers(tmp_path: Path) -> None:
    import csv

    from geo.cli import main

    from .helpers import build, story_definitions, write_articles

    write_articles(tmp_path / "seeds", count=3)
    story_definitions(tmp_path / "layers")
    assert build(tmp_path) == 0
    out = tmp_path / "all.csv"
    assert main(["export", "--out", str(out), "--layers", str(tmp_path / "layers")]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    places = [row for row in rows if row["layer"] == "places"]
    assert places and all(row["name_count"].isdigit() for row in places)
    assert all(row["name_count"] == "" for row in rows if row["layer"] != "places")


# -- linking definitions to passages: the one-pass prefilter finds what a full scan finds --
_NAMES = ["Zangezur Corridor", "Zangezur", "North–South corridor", "INSTC", "Kursk Oblast"]
_FRAGMENTS = [
    "Zangezur", "zangezur", "ZANGEZUR", "Corridor", "corridor", "North", "South", "INSTC",
    "instc", "Kursk", "Oblast", "oblast", " ", "-", "–", "—", "\n", "  ", ", ", "x", "the",
    "Zangezurs", "-Kursk", "ı", "ſ", "(", ")", "é",
]  # fmt: skip


def _full_scan(names: list[str], passages: list[Passage]) -> list[tuple[str, int, int, str]]:
    """Every pattern over every passage, nothing skipped (what ``find_mentions`` must equal)."""
    from geo.layers import _alias_pattern

    found = []
    for passage in passages:
        taken: list[tuple[int, int]] = []
        for name in sorted(set(names), key=lambda n: (-len(n), n)):
            for match in _alias_pattern(name).finditer(passage.text):
                start, end = match.span()
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    found.append((passage.article, passage.start + start, match.group(), name))
    return sorted((a, s, s + len(t), t) for a, s, t, _ in found)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join), max_size=6),
    st.lists(st.sampled_from(_NAMES), min_size=1, max_size=4),
)
def test_definitions_find_what_a_full_scan_finds(texts: list[str], names: list[str]) -> None:
    passages = [Passage(f"a{i % 2}", i, 100 * i, 100 * i + len(t), t) for i, t in enumerate(texts)]
    quotes = find_mentions(names, passages)
    assert [(q.article, q.start, q.end, q.text) for q in quotes] == _full_scan(names, passages)
    # The build's one pass for all definitions keeps every passage any definition needs.
    named = passages_naming([*names, "Beslan"], passages)
    assert find_mentions(names, named) == quotes


def test_one_pass_keeps_only_passages_that_name_a_definition() -> None:
    passages = [
        Passage("a", 0, 0, 26, "Trucks crossed Zangezur-ly"),  # no word boundary: no match
        Passage("a", 1, 30, 52, "The ZANGEZUR  corridor"),
        Passage("a", 2, 60, 80, "Nothing to see here."),
        Passage("a", 3, 90, 110, "Aid reached Beslan."),
    ]
    named = passages_naming(["Zangezur Corridor", "Beslan"], passages)
    assert [p.index for p in named] == [1, 3]
    assert passages_naming([], passages) == []
