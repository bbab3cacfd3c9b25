"""Results as GeoDataFrames, and GeoDataFrames as RFC 7946 GeoJSON files.

The geoparser stages (passages, mentions, places) work on plain dataclasses and import
no geopandas; this is the one module where mentions become a frame and a frame becomes
a file, and where a layer file is read back.

A layer quotes the passages that name each feature. A passage is stored once per layer
file, in the top-level ``"passages"`` member (an RFC 7946 foreign member), and every
mention refers to it by ``(article, passage)``: a long sentence naming forty places is
written once, not forty times. In a frame the passages travel in
``frame.attrs["passages"]``.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import Point, mapping, shape
from shapely.geometry.polygon import orient

from geo.atomic import write_text
from geo.model import LayerError, Mention, Passage, Quote

PASSAGES = "passages"  # key in frame.attrs and name of the GeoJSON foreign member
_PLACE_COLUMNS = [
    "id", "name", "kind", "country_code", "gazetteer_id", "mention_count", "name_count",
    "articles", "mentions", "score", "alternatives", "geometry",
]  # fmt: skip


class PassageTexts(tuple[dict[str, Any], ...]):
    """The passages a layer quotes, as GeoJSON member records in (article, index) order.

    Plain JSON values, so writers that serialise ``attrs`` (GeoParquet metadata) can.
    pandas deep-copies ``attrs`` into every derived frame and every ``iterrows`` row;
    the records are read-only, so a copy is the same object and costs nothing.
    """

    __slots__ = ()

    def __deepcopy__(self, memo: dict[int, Any]) -> PassageTexts:
        return self


class PassageIndex:
    """The passage that holds a span, by binary search over each article's passage starts."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        by_article: dict[str, list[Passage]] = defaultdict(list)
        for passage in passages:
            by_article[passage.article].append(passage)
        self._passages = {
            key: sorted(found, key=lambda p: p.start) for key, found in by_article.items()
        }
        self._starts = {key: [p.start for p in found] for key, found in self._passages.items()}
        self._by_index = {
            (p.article, p.index): p for found in self._passages.values() for p in found
        }

    def containing(self, article: str, start: int, end: int) -> Passage | None:
        starts = self._starts.get(article)
        if not starts:
            return None
        position = bisect.bisect_right(starts, start) - 1
        if position < 0:
            return None
        passage = self._passages[article][position]
        return passage if passage.start <= start and end <= passage.end else None

    def get(self, article: str, index: int | None) -> Passage | None:
        return None if index is None else self._by_index.get((article, index))

    def quote(self, article: str, start: int, end: int, text: str) -> Quote:
        passage = self.containing(article, start, end)
        return Quote(article, start, end, text, passage.index if passage else None)


def with_passages(frame: gpd.GeoDataFrame, index: PassageIndex) -> gpd.GeoDataFrame:
    """Attach the passages the frame's mentions refer to (each once) as ``attrs``."""
    used: dict[tuple[str, int], Passage] = {}
    for mentions in frame["mentions"] if "mentions" in frame.columns else ():
        for mention in mentions or ():
            passage = index.get(mention["article"], mention.get("passage"))
            if passage is not None:
                used[(passage.article, passage.index)] = passage
    frame.attrs[PASSAGES] = PassageTexts(_record(used[key]) for key in sorted(used))
    return frame


def _record(passage: Passage) -> dict[str, Any]:
    keys = ("article", "index", "start", "end", "text")
    return {key: getattr(passage, key) for key in keys}


# -- the places layer ---------------------------------------------------------------------
def places_frame(mentions: Sequence[Mention], passages: Sequence[Passage]) -> gpd.GeoDataFrame:
    """One row per named place (gazetteer entry) with every mention of it, quoting its
    passage (a place known only by a demonym gets no row: :func:`named_places`).
    ``name_count`` counts the mentions that name it, ``mention_count`` demonyms too.

    Rows are ordered by mention count, then name and id, so the layer is reproducible.
    """
    index = PassageIndex(passages)
    groups: dict[str, list[Mention]] = defaultdict(list)
    for mention in named_places(mentions):
        groups[mention.gazetteer_id].append(mention)

    rows = []
    for gazetteer_id, group in groups.items():
        group = sorted(group, key=lambda m: (m.article, m.start))
        head = group[0]
        quoted = [index.quote(m.article, m.start, m.end, m.text).as_dict() for m in group]
        rows.append(
            {
                "id": re.sub(r"[^a-z0-9]+", "-", gazetteer_id.casefold()).strip("-"),
                "name": head.name,
                "kind": head.kind,
                "country_code": head.country_code,
                "gazetteer_id": gazetteer_id,
                "mention_count": len(group),
                "name_count": sum(1 for m in group if not m.demonym),
                "articles": sorted({m.article for m in group}),
                "mentions": quoted,
                "score": round(max(m.score for m in group), 4),
                "alternatives": _alternatives(group, gazetteer_id),
                "geometry": Point(head.lon, head.lat),
            }
        )
    rows.sort(key=lambda row: (-row["mention_count"], row["name"], row["id"]))
    frame = gpd.GeoDataFrame(rows, columns=_PLACE_COLUMNS, geometry="geometry", crs="EPSG:4326")
    return with_passages(frame, index)


def named_places(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions of places the articles name at least once.

    A demonym alone ("Italian Agenzia Nova", "some African nations") says whose a thing is,
    not that the story happens there: it adds its passage to the pin of a place the
    articles name, and puts no pin of its own on the map.
    """
    named = {m.gazetteer_id for m in mentions if not m.demonym}
    return [m for m in mentions if m.gazetteer_id in named]


def _alternatives(group: Sequence[Mention], gazetteer_id: str) -> list[dict[str, Any]]:
    """The other candidates of the place's most confident mention, best first: what a
    reviewer would pick instead (``layers/corrections.yaml`` pins the choice)."""
    best = max(group, key=lambda m: m.score)  # the first of equals: group is in text order
    return [dict(a) for a in best.alternatives if a.get("gazetteer_id") != gazetteer_id]


def with_quoted_passages(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy whose mentions also carry ``passage_text``, for flat tables (CSV, GeoPackage).

    GeoJSON stores each passage once; a table row stands alone, so it gets the text back.
    """
    texts = {(p["article"], p["index"]): p["text"] for p in frame.attrs.get(PASSAGES, ())}
    out = frame.copy()
    if "mentions" in out.columns:
        out["mentions"] = [
            [
                {**m, "passage_text": texts.get((m["article"], m.get("passage")), m["text"])}
                for m in mentions or ()
            ]
            for mentions in out["mentions"]
        ]
    return out


# -- GeoJSON ------------------------------------------------------------------------------
def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


_JSON_LEAVES = (str, int, bool)  # exact types only: numpy scalars and subclasses convert


def _plain(value: Any) -> Any:
    """Numpy and pandas values → JSON values; NaN → null."""
    if value is None or type(value) in _JSON_LEAVES:  # most values: nothing to convert
        return value
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _oriented(geometry: Any) -> Any:
    if geometry.geom_type == "Polygon":
        return orient(geometry, sign=1.0)
    return type(geometry)([orient(part, sign=1.0) for part in geometry.geoms])


def passage_records(frame: gpd.GeoDataFrame) -> list[dict[str, Any]] | None:
    """The frame's passages as GeoJSON member records, or None when it carries none."""
    if PASSAGES not in frame.attrs:
        return None
    return [dict(record) for record in frame.attrs[PASSAGES]]


def _rows(gdf: gpd.GeoDataFrame) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Each row's geometry and its other values, as ``iterrows`` gives them (Python
    scalars, objects as they are) but read column by column: ``iterrows`` makes a Series
    per row, which was most of the time spent writing a layer of 2,000 places."""
    geometry_name = gdf.geometry.name
    columns = [column for column in gdf.columns if column != geometry_name]
    geometries = gdf[geometry_name].tolist()
    values = [gdf[column].tolist() for column in columns]
    for position, geometry in enumerate(geometries):
        yield geometry, {column: values[k][position] for k, column in enumerate(columns)}


def to_feature_collection(gdf: gpd.GeoDataFrame, *, passages: bool = True) -> dict[str, Any]:
    """RFC 7946: lon/lat, counter-clockwise exterior rings, 6 decimals, no NaN.

    With ``passages`` the quoted passages come along as the ``"passages"`` member.
    """
    features = []
    for geometry, values in _rows(gdf):
        if geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon"):
            geometry = _oriented(geometry)
        geojson = None
        if geometry is not None:
            geojson = mapping(geometry)
            geojson = {"type": geojson["type"], "coordinates": _rounded(geojson["coordinates"])}
        properties = {column: _plain(value) for column, value in values.items()}
        features.append({"type": "Feature", "properties": properties, "geometry": geojson})
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    records = passage_records(gdf) if passages else None
    if records is not None:
        collection[PASSAGES] = records
    return collection


def validate_layer(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Refuse to write what a GIS would reject: invalid or out-of-range geometry."""
    for geometry, values in _rows(gdf):
        label = f"{name} feature {values.get('id', '?')!r}"
        if geometry is None or geometry.is_empty:
            raise LayerError(name, f"{label} has no geometry")
        if not geometry.is_valid:
            raise LayerError(name, f"{label} has invalid geometry")
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise LayerError(name, f"{label} lies outside longitude/latitude ranges")


def geojson_text(gdf: gpd.GeoDataFrame, name: str) -> str:
    """Validated GeoJSON text, one feature (and one passage) per line; same frame, same bytes."""
    validate_layer(gdf, name)
    return collection_text(to_feature_collection(gdf))


def collection_text(collection: Mapping[str, Any]) -> str:
    """A ``to_feature_collection`` result as layer files are written: one feature (and one
    passage) per line, so that a layer's history diffs feature by feature."""
    features = ",\n".join(json.dumps(f, ensure_ascii=False) for f in collection["features"])
    text = f'{{"type": "FeatureCollection", "features": [\n{features}\n]'
    if PASSAGES in collection:
        quoted = ",\n".join(json.dumps(p, ensure_ascii=False) for p in collection[PASSAGES])
        text += f', "{PASSAGES}": [\n{quoted}\n]'
    return text + "}\n"


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Validate, then write atomically."""
    write_text(path, geojson_text(gdf, path.name))


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """A layer written by ``write_geojson``: nested properties kept as Python objects, the
    quoted passages in ``attrs["passages"]``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        {**feature["properties"], "geometry": shape(feature["geometry"])}
        for feature in data["features"]
    ]
    columns = list(rows[0]) if rows else ["geometry"]
    frame = gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=4326)
    passages = [_record(Passage(**record)) for record in data.get(PASSAGES) or ()]
    frame.attrs[PASSAGES] = PassageTexts(sorted(passages, key=lambda p: (p["article"], p["index"])))
    return frame


__all__ = [
    "PASSAGES",
    "PassageIndex",
    "PassageTexts",
    "collection_text",
    "geojson_text",
    "places_frame",
    "read_geojson",
    "to_feature_collection",
    "validate_layer",
    "with_passages",
    "with_quoted_passages",
    "write_geojson",
]
