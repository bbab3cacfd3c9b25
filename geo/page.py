"""Stage 6: layers + passages → one self-contained Folium page (``site/index.html``).

Folium builds the map frame (scale bar, attribution); everything else is drawn by
``templates/story.js`` from one JSON blob: the offline base map, the layers, the story
panel with its chapters, the timeline, search, legend and export. Drawing from data
rather than from thousands of generated elements keeps a 2,000-place page small and fast.

Offline by construction: Leaflet and jQuery are inlined from the ``xstatic-leaflet`` and
``xstatic-jquery`` registry packages (the versions folium 0.20 pins), the base map is
Natural Earth vector data (``data/basemap``) and no CDN is referenced. Online tiles are
only a choice the reader makes. Article text only ever reaches the page as JSON in a
``<script>`` block, escaped so that it cannot close the block, and the script writes it
with ``textContent``.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import branca.element
import folium
import geopandas as gpd
from jinja2 import Template

from geo.atomic import write_text
from geo.corrections import Correction, entry_line
from geo.frames import to_feature_collection
from geo.gazetteer import normalize
from geo.metadata import ArticleMeta, article_meta, meta_record
from geo.model import Article, Passage
from geo.places import distance_km
from geo.timeline import DatedPhrase, passage_dates

TEMPLATES = Path(__file__).with_name("templates")
BASEMAP = Path(__file__).with_name("data") / "basemap" / "basemap.geojson"
TILES = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    ),
    "carto": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> '
        'contributors &copy; <a href="https://carto.com/attributions">CARTO</a>',
    ),
}
TILE_NAMES = {"osm": "OpenStreetMap (online)", "carto": "CARTO light (online)"}
BASEMAP_ATTRIBUTION = 'Base map: <a href="https://www.naturalearthdata.com/">Natural Earth</a>'
DATA_ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0) and curated sources'
)
BOUNDS_PAD_DEGREES = 0.5  # the view around a lone place
# The first view and each chapter's view: the nearest places holding FOCUS_SHARE of the
# weight, and whatever lies within FOCUS_REACH times their radius. A country's point says
# less about where things happen than a city's, a continent's nothing.
FOCUS_SHARE = 0.8
FOCUS_REACH = 1.25
FOCUS_KIND_WEIGHTS = {"country": 0.25, "region": 0.5, "continent": 0.0, "corridor": 0.25}
# A place whose score (the probability that it is placed right) is below LOW_CONFIDENCE
# is drawn hollow, "uncertain place"; the popup says "likely" from HIGH_CONFIDENCE up.
LOW_CONFIDENCE = 0.5
HIGH_CONFIDENCE = 0.9
# A sure place's alternatives below this score are not offered ("Russia, US (0%)" is noise);
# an uncertain place offers all of them.
ALTERNATIVE_FLOOR = 0.01
_BASEMAP: str | None = None
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")  # fmt: skip
_ids_lock = threading.Lock()


@contextmanager
def deterministic_ids() -> Iterator[None]:
    """Folium names elements with random hex ids; number them instead, for identical bytes.

    The only reason folium is pinned (< 0.21): it patches branca's private
    ``Element._generate_id``. ``tests/test_page.py`` fails loudly if an upgrade renames it
    or stops calling it, rather than letting pages silently differ from build to build.
    """
    counter = count(1)
    element: Any = branca.element.Element
    if "_generate_id" not in element.__dict__:
        raise RuntimeError(
            "branca.element.Element._generate_id is gone: geo.page.deterministic_ids needs "
            "updating for this branca/folium version (pages would not be reproducible)"
        )
    original = element.__dict__["_generate_id"]
    with _ids_lock:
        element._generate_id = classmethod(lambda cls: f"{next(counter):08x}")
        try:
            yield
        finally:
            element._generate_id = original


def _package_file(package: str, *parts: str) -> str:
    import importlib

    base = Path(importlib.import_module(f"xstatic.pkg.{package}").BASE_DIR)
    return base.joinpath(*parts).read_text(encoding="utf-8")


def _script_json(value: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, no ``<!--``, no U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for raw, escaped in (
        ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
        ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
    ):  # fmt: skip
        text = text.replace(raw, escaped)
    return text


class Slot(folium.MacroElement):
    """A marker in folium's output that ``fill_slots`` replaces after rendering.

    branca wraps every macro's output in a new ``Element``, whose text is compiled as a
    Jinja2 template: whatever a macro emits is templated twice. So nothing that comes
    from outside this package (article text, file names, layer YAML, gazetteer names,
    geocoder replies), and no third-party asset, goes through folium: only these fixed
    markers do, and the real content is spliced into the finished HTML in one pass.
    """

    _template = Template(
        "{% macro header(this, kwargs) %}{{ this.marker('header') }}{% endmacro %}"
        "{% macro html(this, kwargs) %}{{ this.marker('html') }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.marker('script') }}{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "StorySlot"

    @staticmethod
    def marker(part: str) -> str:
        return f"<!--storymap-slot:{part}-->"


def fill_slots(html: str, parts: dict[str, str]) -> str:
    """Replace each slot marker exactly once; replaced text is never scanned again."""
    pattern = re.compile(r"<!--storymap-slot:(\w+)-->")
    found = pattern.findall(html)
    if sorted(found) != sorted(parts):
        raise RuntimeError(f"page template slots {found} do not match {sorted(parts)}")
    return pattern.sub(lambda match: parts[match.group(1)], html)


def _assets() -> str:
    """Leaflet and jQuery CSS/JS inlined into the page header (no CDN, works from disk)."""
    css = _package_file("leaflet", "leaflet.css")
    js = "\n".join(
        (_package_file("jquery", "jquery.min.js"), _package_file("leaflet", "leaflet.js"))
    )
    return f"<style>{_inline(css)}</style>\n<script>{_inline(js)}</script>"


def _inline(code: str) -> str:
    """Our own or packaged code inside a raw-text element must not close that element."""
    return re.sub(r"</(script|style)", r"<\\/\1", code, flags=re.IGNORECASE)


def _story_parts(data: dict[str, Any], map_name: str) -> dict[str, str]:
    """Header, body and script of the story: untrusted text only as escaped JSON."""
    css = (TEMPLATES / "story.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "story.js").read_text(encoding="utf-8")
    panel = (TEMPLATES / "panel.html").read_text(encoding="utf-8")
    return {
        "header": (
            f"{_assets()}\n<style>{_inline(css)}</style>\n"
            f'<script type="application/json" id="storymap-data">{_script_json(data)}</script>\n'
            f'<script type="application/json" id="storymap-basemap">{_basemap()}</script>'
        ),
        "html": panel,
        "script": (
            f'var storymap_data = JSON.parse(document.getElementById("storymap-data").text);\n'
            f"{_inline(js)}\nstoryMap({map_name}, storymap_data);"
        ),
    }


@dataclass(frozen=True)
class Story:
    """Everything a page shows: the three layers, the articles and their passages.

    ``metadata`` maps article id → ``ArticleMeta``; articles missing from it are read with
    ``geo.metadata.article_meta``. ``dates`` are the passages' dates when already read
    (``geo.timeline.passage_dates`` of every passage, by the geoparse workers); ``geojson``
    the layers as ``geo.frames.to_feature_collection`` made them for writing. ``None``
    makes either here. ``title`` overrides the title derived from the articles.
    """

    places: gpd.GeoDataFrame
    corridors: gpd.GeoDataFrame
    conflicts: gpd.GeoDataFrame
    articles: Sequence[Article]
    passages: Sequence[Passage]
    metadata: Mapping[str, ArticleMeta] = field(default_factory=dict)
    title: str | None = None
    dates: Sequence[DatedPhrase] | None = None
    geojson: Mapping[str, Mapping[str, Any]] | None = None

    def meta(self) -> dict[str, ArticleMeta]:
        return {a.id: self.metadata.get(a.id) or article_meta(a) for a in self.articles}


def _mention_ref(
    mention: Mapping[str, Any], key: str, passages: Mapping[tuple[str, int], Passage]
) -> tuple[tuple[str, int], dict[str, Any]] | None:
    """Where a layer mention sits in the story: (article, passage index) and its span there.

    The one place that reads the layer's mention format (``geo.model.Quote``).
    """
    index = mention.get("passage")
    passage = passages.get((mention["article"], index)) if isinstance(index, int) else None
    if passage is None:
        return None
    offset = mention["start"] - passage.start
    return (mention["article"], passage.index), {
        "key": key, "start": offset, "end": offset + len(mention["text"])
    }  # fmt: skip


def story_data(story: Story) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON (layers, articles, chapters, time)."""
    metadata = story.meta()
    collections, refs = _layers_and_refs(story)
    kinds = _place_points(collections["places"])
    shown = [p for p in story.passages if (p.article, p.index) in refs]
    dates: dict[tuple[str, int], list[dict[str, Any]]] = {}
    stated = passage_dates(shown, metadata) if story.dates is None else story.dates
    for phrase in (p for p in stated if (p.article, p.passage) in refs):
        dates.setdefault((phrase.article, phrase.passage), []).append(
            {"at": phrase.offset, "text": phrase.text, "start": phrase.start, "end": phrase.end,
             "precision": phrase.precision}
        )  # fmt: skip
    by_article: dict[str, list[dict[str, Any]]] = {}
    for passage in shown:
        found = sorted(refs[(passage.article, passage.index)], key=lambda r: (r["start"], r["key"]))
        item = {"index": passage.index, "start": passage.start, "text": passage.text,
                "refs": found}  # fmt: skip
        if (passage.article, passage.index) in dates:
            item["dates"] = dates[(passage.article, passage.index)]
        by_article.setdefault(passage.article, []).append(item)
    articles = []
    place_order = {key: number for number, key in enumerate(kinds)}
    for article in story.articles:
        items = by_article.get(article.id, [])
        mentioned = Counter(ref["key"] for item in items for ref in item["refs"])
        # The article's own places, in the places layer's order (``focus_bounds`` sums
        # weights in order): not a pass over every place of the story for each article.
        own = sorted((key for key in mentioned if key in place_order), key=place_order.__getitem__)
        chapter_points = [(*kinds[key][:2], kinds[key][2] * mentioned[key]) for key in own]
        articles.append(
            {**meta_record(metadata[article.id]), "id": article.id, "passages": items,
             "bounds": focus_bounds(chapter_points)}
        )  # fmt: skip
    counts = Counter(ref["key"] for found in refs.values() for ref in found)
    story_points = [(lon, lat, weight * counts[key]) for key, (lon, lat, weight) in kinds.items()]
    return {
        "layers": collections,
        "articles": articles,
        "chapters": [a["id"] for a in sorted(articles, key=_reading_order) if a["passages"]],
        "title": story.title or default_title(list(metadata.values())),
        "subtitle": _subtitle(list(metadata.values())),
        "view": focus_bounds(story_points)
        or _bounds(story.places, story.corridors, story.conflicts),
        "confidence": {
            "low": LOW_CONFIDENCE,
            "high": HIGH_CONFIDENCE,
            "alternative": ALTERNATIVE_FLOOR,
        },
    }


def _layers_and_refs(
    story: Story,
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, int], list[dict[str, Any]]]]:
    """The layers as GeoJSON, each feature keyed, and what each passage names of them."""
    layers = {"places": story.places, "corridors": story.corridors, "conflicts": story.conflicts}
    by_index = {(p.article, p.index): p for p in story.passages}
    collections = {}
    refs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for layer, frame in layers.items():
        collection = _collection(story, layer, frame) if _relevant(layer, frame) else _empty()
        for feature in collection["features"]:
            key = f"{layer}:{feature['properties']['id']}"
            feature["properties"]["_key"] = key
            for mention in feature["properties"].get("mentions") or []:
                found = _mention_ref(mention, key, by_index)
                if found:
                    refs.setdefault(found[0], []).append(found[1])
        collections[layer] = collection
    add_review(collections["places"]["features"])
    return collections, refs


def add_review(features: Sequence[dict[str, Any]]) -> None:
    """Give each place what its popup offers a reviewer: ``_uncertain`` below
    ``LOW_CONFIDENCE`` and ``_fix``, the ``corrections.yaml`` lines that pin its names to
    each alternative (``use``, in the order of ``alternatives``) or reject them.

    The lines are made here, with ``geo.corrections.entry_line``, so that the page offers
    exactly what the build reads back; the browser only shows and copies them.
    """
    keys_by_name: dict[str, set[str]] = {}
    for feature in features:
        for mention in feature["properties"].get("mentions") or []:
            keys_by_name.setdefault(normalize(mention["text"]), set()).add(
                feature["properties"]["_key"]
            )
    for feature in features:
        props = feature["properties"]
        score = props.get("score")
        if isinstance(score, (int, float)) and score < LOW_CONFIDENCE:
            props["_uncertain"] = True
        scopes = _name_scopes(props.get("mentions") or [], keys_by_name)
        if not scopes:
            continue
        props["_fix"] = {"reject": _fix_lines(scopes, {"reject": True})}
        if props.get("alternatives"):
            props["_fix"]["use"] = [_fix_lines(scopes, _pin(a)) for a in props["alternatives"]]


def _fix_lines(scopes: Sequence[tuple[str, str | None]], action: Mapping[str, Any]) -> str:
    return "\n".join(
        entry_line(Correction(name=name, article=article, **action)) for name, article in scopes
    )


def _name_scopes(
    mentions: Sequence[Mapping[str, Any]], keys_by_name: Mapping[str, set[str]]
) -> list[tuple[str, str | None]]:
    """(name as written, article or ``None`` for everywhere) for each correction line.

    A correction matches a name wherever it is written, so a spelling that the story also
    places elsewhere ("Paris" in France in one article, in Texas in another) is corrected
    only in the articles where it means this place.
    """
    spellings: dict[str, tuple[str, list[str]]] = {}
    for mention in mentions:
        name, articles = spellings.setdefault(normalize(mention["text"]), (mention["text"], []))
        if mention["article"] not in articles:
            articles.append(mention["article"])
    scopes: list[tuple[str, str | None]] = []
    for key, (name, articles) in spellings.items():
        if len(keys_by_name.get(key, ())) > 1:
            scopes += [(name, article) for article in sorted(articles)]
        else:
            scopes.append((name, None))
    return scopes


def _pin(alternative: Mapping[str, Any]) -> dict[str, Any]:
    """The correction fields that move a name to ``alternative``: its gazetteer id, or
    its coordinates when it has none."""
    if alternative.get("gazetteer_id"):
        return {"gazetteer_id": str(alternative["gazetteer_id"])}
    return {"lat": float(alternative["lat"]), "lon": float(alternative["lon"])}


def _relevant(layer: str, frame: gpd.GeoDataFrame) -> bool:
    """A story layer belongs on the page when the articles name at least one of its features.

    Corridors curated for one story are noise beside unrelated articles; beside a story
    that names one route, the others stay as context. Every place is named by definition.
    """
    if not len(frame) or layer == "places" or "mention_count" not in frame.columns:
        return bool(len(frame))
    return bool((frame["mention_count"].fillna(0) > 0).any())


def _reading_order(article: Mapping[str, Any]) -> tuple[bool, str, str]:
    """Chapters: dated articles oldest first, then undated ones in file order."""
    return (article.get("date") is None, article.get("date") or "", article["id"])


def default_title(metadata: Sequence[ArticleMeta]) -> str:
    """The headline of the earliest article that has one; else "N articles" and their dates."""
    headed = [m for m in metadata if m.headline]
    if headed:
        return min(headed, key=lambda m: (m.date is None, m.date or "", m.article)).headline
    return _subtitle(metadata) or "Map story"


def _subtitle(metadata: Sequence[ArticleMeta]) -> str:
    count = f"{len(metadata)} article{'s' if len(metadata) != 1 else ''}"
    days = sorted(m.date for m in metadata if m.date)
    if not days:
        return count
    first, last = _human_date(days[0]), _human_date(days[-1])
    return f"{count}, {first}" if first == last else f"{count}, {first} – {last}"


def _human_date(iso: str) -> str:
    """``2024-08-20`` → ``20 August 2024``, in English whatever the machine's locale."""
    day = date.fromisoformat(iso)
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _place_points(places: Mapping[str, Any]) -> dict[str, tuple[float, float, float]]:
    """key → (lon, lat, weight of one mention): how much a mention of it says about where
    the story happens (a city's point more than a country's)."""
    points = {}
    for feature in places["features"]:
        props, geometry = feature["properties"], feature["geometry"]
        if not geometry or geometry["type"] != "Point":
            continue
        weight = FOCUS_KIND_WEIGHTS.get(props.get("kind", ""), 1.0)
        if weight > 0:
            points[props["_key"]] = (*geometry["coordinates"][:2], weight)
    return points


def focus_bounds(points: Sequence[tuple[float, float, float]]) -> list[list[float]] | None:
    """Bounds of where most of the weight lies: [[south, west], [north, east]] or ``None``.

    From the weighted median point outwards, places are taken nearest first until they
    hold ``FOCUS_SHARE`` of the weight; anything farther than ``FOCUS_REACH`` times that
    radius is left out, so one mention of Washington does not zoom a Caucasus story out
    to the whole world.
    """
    if not points:
        return None
    total = sum(w for _, _, w in points)
    centre = (_weighted_median([(x, w) for x, _, w in points], total),
              _weighted_median([(y, w) for _, y, w in points], total))  # fmt: skip
    by_distance = sorted((_km(centre, p), p) for p in points)  # each distance once
    held, radius = 0.0, 0.0
    for distance, point in by_distance:
        held += point[2]
        radius = distance
        if held >= FOCUS_SHARE * total:
            break
    kept = [p for distance, p in by_distance if distance <= radius * FOCUS_REACH + 1.0]
    west, east = min(p[0] for p in kept), max(p[0] for p in kept)
    south, north = min(p[1] for p in kept), max(p[1] for p in kept)
    return _padded(west, south, east, north)


def _weighted_median(values: Sequence[tuple[float, float]], total: float) -> float:
    held = 0.0
    for value, weight in sorted(values):
        held += weight
        if held >= total / 2:
            return value
    return values[-1][0]


def _km(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle km between two (lon, lat) points (the project's one haversine)."""
    return distance_km(a[1], a[0], b[1], b[0])


def _collection(story: Story, layer: str, frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """The layer's features for the page, their properties its own to add keys to.

    Passages are left out: mentions refer to them by index, and each passage's text is
    sent once, in "articles".
    """
    made = story.geojson.get(layer) if story.geojson is not None else None
    if made is None:
        return to_feature_collection(frame, passages=False)
    features = [{**made_feature, "properties": dict(made_feature["properties"])}
                for made_feature in made["features"]]  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _empty() -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": []}


def _bounds(places: gpd.GeoDataFrame, *others: gpd.GeoDataFrame) -> list[list[float]] | None:
    frames = [f for f in (places, *others) if len(f)]
    if not frames:
        return None
    minx = min(f.total_bounds[0] for f in frames)
    miny = min(f.total_bounds[1] for f in frames)
    maxx = max(f.total_bounds[2] for f in frames)
    maxy = max(f.total_bounds[3] for f in frames)
    if any(math.isnan(v) for v in (minx, miny, maxx, maxy)):
        return None
    return _padded(minx, miny, maxx, maxy)


def _padded(minx: float, miny: float, maxx: float, maxy: float) -> list[list[float]]:
    # One place (or places on one spot) has no extent: Leaflet would zoom to NaN.
    pad = BOUNDS_PAD_DEGREES
    if maxx - minx < pad and maxy - miny < pad:
        minx, maxx = max(-180.0, minx - pad), min(180.0, maxx + pad)
        miny, maxy = max(-85.0, miny - pad), min(85.0, maxy + pad)
    return [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]


def _basemap() -> str:
    """The offline Natural Earth base map (``data/basemap``), minified once per process."""
    global _BASEMAP
    if _BASEMAP is None:
        data = json.loads(BASEMAP.read_text(encoding="utf-8"))
        _BASEMAP = _script_json(data)
    return _BASEMAP


def render_page(story: Story, *, tiles: str = "osm", title: str | None = None) -> str:
    """The whole page as one HTML string; the same input always gives the same bytes.

    ``tiles`` names the online base map offered beside the offline one (``none``: only
    the offline map). ``title`` overrides ``story.title``.
    """
    if tiles not in (*TILES, "none"):
        raise ValueError(f"tiles must be one of {', '.join([*TILES, 'none'])}, not {tiles!r}")
    if title is not None:
        story = replace(story, title=title)
    with deterministic_ids():
        fmap = folium.Map(
            location=[40.0, 45.0], zoom_start=4, tiles=None, control_scale=True,
            prefer_canvas=True, attribution_control=True, world_copy_jump=False,
        )  # fmt: skip
        fmap.default_js = []
        fmap.default_css = []
        root: Any = fmap.get_root()  # a branca Figure: its template prints ``title``
        root.title = Slot.marker("title")
        fmap.add_child(Slot())
        page = fmap.get_root().render()
    data = story_data(story)
    data["attribution"] = DATA_ATTRIBUTION
    data["basemapAttribution"] = BASEMAP_ATTRIBUTION
    if tiles != "none":
        url, attribution = TILES[tiles]
        data["tiles"] = {"name": TILE_NAMES[tiles], "url": url, "attribution": attribution}
    parts = _story_parts(data, fmap.get_name())
    parts["title"] = html.escape(data["title"])
    # The interface is English (the articles may not be; their text carries no lang).
    page = page.replace("<html>", '<html lang="en">', 1)
    return fill_slots(page, parts)


def write_page(html: str, site_dir: Path) -> Path:
    """Write ``site_dir/index.html`` atomically; returns its path."""
    path = site_dir / "index.html"
    write_text(path, html)
    return path
