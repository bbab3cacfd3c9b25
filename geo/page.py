"""Stage 6: layers + passages → one self-contained Folium page (``site/index.html``).

Folium builds the map (base tiles, scale bar) and our ``StoryMap`` element carries the
rest the folium way, as a template: the layers, story panel, search, legend and export
are drawn by ``templates/story.js`` from one JSON blob. Drawing from data rather than
from thousands of generated elements keeps a 2,000-place page small and fast.

Offline by construction: Leaflet and jQuery are inlined from the ``xstatic-leaflet`` and
``xstatic-jquery`` registry packages (the versions folium 0.20 pins), and no CDN is
referenced; only base tiles are fetched, and the page works without them. Article text
only ever reaches the page as JSON in a ``<script>`` block, escaped so that it cannot
close the block, and the script writes it with ``textContent``.
"""

from __future__ import annotations

import html
import json
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any

import branca.element
import folium
import geopandas as gpd
from jinja2 import Template

from geo.atomic import write_text
from geo.frames import to_feature_collection
from geo.model import Article, Passage

TEMPLATES = Path(__file__).with_name("templates")
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
DATA_ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0) and curated sources'
)
BOUNDS_PAD_DEGREES = 0.5  # the view around a lone place
_ids_lock = threading.Lock()


@contextmanager
def _deterministic_ids() -> Iterator[None]:
    """Folium names elements with random hex ids; number them instead, for identical bytes."""
    counter = count(1)
    original = branca.element.Element.__dict__["_generate_id"]
    with _ids_lock:
        branca.element.Element._generate_id = classmethod(lambda cls: f"{next(counter):08x}")
        try:
            yield
        finally:
            branca.element.Element._generate_id = original


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
            f'<script type="application/json" id="storymap-data">{_script_json(data)}</script>'
        ),
        "html": panel,
        "script": (
            f'var storymap_data = JSON.parse(document.getElementById("storymap-data").text);\n'
            f"{_inline(js)}\nstoryMap({map_name}, storymap_data);"
        ),
    }


def story_data(
    places: gpd.GeoDataFrame,
    corridors: gpd.GeoDataFrame,
    conflicts: gpd.GeoDataFrame,
    articles: Sequence[Article],
    passages: Sequence[Passage],
) -> dict[str, Any]:
    """Everything the page script needs, as plain JSON (layers + passages in order)."""
    layers = {"places": places, "corridors": corridors, "conflicts": conflicts}
    collections = {}
    refs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    by_index = {(p.article, p.index): p for p in passages}
    for layer, frame in layers.items():
        # Mentions refer to their passage by index; its text is sent once, in "articles".
        collection = to_feature_collection(frame, passages=False) if len(frame) else _empty()
        for feature in collection["features"]:
            key = f"{layer}:{feature['properties']['id']}"
            feature["properties"]["_key"] = key
            for mention in feature["properties"].get("mentions") or []:
                passage = by_index.get((mention["article"], mention.get("passage")))
                if passage is None:
                    continue
                offset = mention["start"] - passage.start
                refs.setdefault((mention["article"], passage.index), []).append(
                    {"key": key, "start": offset, "end": offset + len(mention["text"])}
                )
        collections[layer] = collection
    by_article: dict[str, list[Passage]] = {}
    for passage in passages:
        by_article.setdefault(passage.article, []).append(passage)
    story = []
    for article in articles:
        items = []
        for passage in by_article.get(article.id, ()):
            found = refs.get((article.id, passage.index))
            if found:
                found.sort(key=lambda r: (r["start"], r["key"]))
                items.append(
                    {"index": passage.index, "start": passage.start, "text": passage.text,
                     "refs": found}
                )  # fmt: skip
        story.append({"id": article.id, "passages": items})
    return {"layers": collections, "articles": story}


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
    # One place (or places on one spot) has no extent: Leaflet would zoom to NaN.
    pad = BOUNDS_PAD_DEGREES
    if maxx - minx < pad and maxy - miny < pad:
        minx, maxx = max(-180.0, minx - pad), min(180.0, maxx + pad)
        miny, maxy = max(-85.0, miny - pad), min(85.0, maxy + pad)
    return [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]


def render_page(
    places: gpd.GeoDataFrame,
    corridors: gpd.GeoDataFrame,
    conflicts: gpd.GeoDataFrame,
    articles: Sequence[Article],
    passages: Sequence[Passage],
    *,
    tiles: str = "osm",
    title: str = "Map story",
) -> str:
    """The whole page as one HTML string; the same input always gives the same bytes."""
    if tiles not in (*TILES, "none"):
        raise ValueError(f"tiles must be one of {', '.join([*TILES, 'none'])}, not {tiles!r}")
    with _deterministic_ids():
        fmap = folium.Map(
            location=[40.0, 45.0], zoom_start=4, tiles=None, control_scale=True,
            prefer_canvas=True, attribution_control=True,
        )  # fmt: skip
        fmap.default_js = []
        fmap.default_css = []
        fmap.get_root().title = Slot.marker("title")
        if tiles != "none":
            url, attribution = TILES[tiles]
            folium.TileLayer(url, attr=attribution, name="Base map", max_zoom=19).add_to(fmap)
        bounds = _bounds(places, corridors, conflicts)
        if bounds:
            fmap.fit_bounds(bounds)
        fmap.add_child(Slot())
        page = fmap.get_root().render()
    data = story_data(places, corridors, conflicts, articles, passages)
    data["attribution"] = DATA_ATTRIBUTION
    data["title"] = title
    parts = _story_parts(data, fmap.get_name())
    parts["title"] = html.escape(title)
    return fill_slots(page, parts)


def write_page(html: str, site_dir: Path) -> Path:
    """Write ``site_dir/index.html`` atomically; returns its path."""
    path = site_dir / "index.html"
    write_text(path, html)
    return path
