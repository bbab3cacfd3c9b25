"""A small hand-made story (not the seeds) for page tests, hostile text included."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import MultiLineString, Point, Polygon

from geo.model import Article, Passage
from geo.page import Story

HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
TEXT = (
    "Leaders met in Baku on Monday.\n"
    f"Moscow answered {HOSTILE} quickly.\n"
    "The North-South corridor and the Kursk region were discussed.\n"
)


def fixture_story(**kw) -> Story:
    """The story as one ``Story`` (what ``render_page`` takes); ``kw`` sets its metadata or
    title. Each call builds new frames, so a test may change them."""
    passages = _passages()
    places, corridors, conflicts = _places(passages), _corridors(passages), _conflicts(passages)
    return Story(places, corridors, conflicts, [Article("brief", TEXT)], passages, **kw)


def _passages() -> list[Passage]:
    """One passage a line of ``TEXT``."""
    passages, offset = [], 0
    for index, line in enumerate(TEXT.splitlines(keepends=True)):
        text = line.rstrip("\n")
        passages.append(Passage("brief", index, offset, offset + len(text), text))
        offset += len(line)
    return passages


def _mention(passage: Passage, word: str) -> dict:
    start = passage.start + passage.text.index(word)
    return {"article": "brief", "start": start, "end": start + len(word), "text": word,
            "passage": passage.index}  # fmt: skip


def _places(passages: list[Passage]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        [
            {"id": "geonames-587084", "name": "Baku", "kind": "city", "country_code": "AZ",
             "gazetteer_id": "geonames:587084", "mention_count": 1, "articles": ["brief"],
             "mentions": [_mention(passages[0], "Baku")], "score": 0.9,
             "geometry": Point(49.892, 40.377)},
            {"id": "geonames-524901", "name": "Moscow <b>bold</b>", "kind": "city",
             "country_code": "RU", "gazetteer_id": "geonames:524901", "mention_count": 1,
             "articles": ["brief"], "mentions": [_mention(passages[1], "Moscow")], "score": 0.9,
             "geometry": Point(37.616, 55.752)},
        ],
        geometry="geometry", crs=4326,
    )  # fmt: skip


def _corridors(passages: list[Passage]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        [
            {"id": "instc", "name": "North–South corridor", "aliases": [], "kind": "corridor",
             "waypoints": [{"name": "Moscow"}, {"name": "Baku"}, {"name": "Mumbai"}],
             "legs": [{"from": "Moscow", "to": "Baku", "mode": "land", "length_km": 1900},
                      {"from": "Baku", "to": "Mumbai", "mode": "sea", "length_km": 3000}],
             "length_km": 4900, "start_date": "2000-09-12", "description": "A route.",
             "sources": [{"publication": "Wikipedia", "url": "https://en.wikipedia.org/"}],
             "mention_count": 1, "mentions": [_mention(passages[2], "North-South corridor")],
             "geometry": MultiLineString([[(37.6, 55.7), (49.9, 40.4)],
                                          [(49.9, 40.4), (72.9, 19.1)]])},
        ],
        geometry="geometry", crs=4326,
    )  # fmt: skip


def _conflicts(passages: list[Passage]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        [
            {"id": "kursk", "name": "Kursk incursion", "aliases": [], "kind": "conflict",
             "start_date": "2024-08-06", "end_date": None, "area_km2": 1000.0,
             "approximate": True, "description": "Approximate.",
             "sources": [{"publication": "Reuters", "date": "2024-08-12"}],
             "mention_count": 1, "mentions": [_mention(passages[2], "Kursk region")],
             "geometry": Polygon([(35.0, 51.0), (35.6, 51.0), (35.6, 51.4), (35.0, 51.4)])},
        ],
        geometry="geometry", crs=4326,
    )  # fmt: skip


# -- a story to review: an uncertain place with alternatives, a name with two senses -----
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
REVIEW_TEXTS = {
    "fair": "Farmers from Paris met in Lyon.\n",
    "texas": "Ranchers in Paris sold cattle. Crowds filled Springfield.\n",
}


def review_story() -> Story:
    """Springfield is uncertain (score 0.31): its alternatives are a hostile gazetteer name
    and a namesake with coordinates only. "Paris" is Paris, France in one article and an
    uncertain Paris, Texas in the other, so corrections of it name their article."""
    articles = [Article(name, text) for name, text in REVIEW_TEXTS.items()]
    passages = [Passage(a.id, 0, 0, len(a.text) - 1, a.text.rstrip("\n")) for a in articles]

    def place(name: str, id_: int, article: int, word: str, score: float, lon: float,
              lat: float, country: str, alternatives: list) -> dict:  # fmt: skip
        start = articles[article].text.index(word)
        mention = {"article": articles[article].id, "start": start, "end": start + len(word),
                   "text": word, "passage": 0}  # fmt: skip
        return {"id": f"geonames-{id_}", "name": name, "kind": "city", "country_code": country,
                "gazetteer_id": f"geonames:{id_}", "mention_count": 1,
                "articles": [mention["article"]], "mentions": [mention], "score": score,
                "alternatives": alternatives, "geometry": Point(lon, lat)}  # fmt: skip

    paris_fr = {"name": "Paris", "country_code": "FR", "lat": 48.853, "lon": 2.349,
                "score": 0.3, "gazetteer_id": "geonames:2988507"}  # fmt: skip
    places = gpd.GeoDataFrame(
        [
            place("Paris", 2988507, 0, "Paris", 0.95, 2.349, 48.853, "FR", []),
            place("Lyon", 2996944, 0, "Lyon", 0.97, 4.847, 45.748, "FR", []),
            place("Paris", 4717560, 1, "Paris", 0.45, -95.555, 33.661, "US", [paris_fr]),
            place("Springfield", 4409896, 1, "Springfield", 0.31, -93.298, 37.215, "US", [
                {"name": HOSTILE_NAME, "country_code": "US", "lat": 39.802, "lon": -89.644,
                 "score": 0.2, "gazetteer_id": "geonames:4250542"},
                {"name": "Springfield", "country_code": "AU", "lat": -33.4, "lon": 151.3,
                 "score": 0.1},
            ]),
        ],
        geometry="geometry", crs=4326,
    )  # fmt: skip
    empty = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs=4326)
    return Story(places, empty, empty, articles, passages)
