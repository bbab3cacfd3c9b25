"""Stage 5: curated story definitions (YAML in ``layers/``) → corridor and conflict layers.

A story needs more than dots: the routes being argued over and the wars in the
background. Their shapes are curated facts (waypoints, areas) kept as human-editable
YAML with sources; what links them to the articles is found here, by matching each
feature's name and aliases in the passages, exactly as places are linked.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Polygon
from shapely.geometry.polygon import orient

from geo.frames import PassageIndex, with_passages
from geo.gazetteer import Candidate, Gazetteer
from geo.layer_schema import (
    ConflictDefinition,
    CorridorDefinition,
    Definition,
    Waypoint,
    load_definition,
)
from geo.model import LayerError, Passage, Quote
from geo.places import rank_candidates

GEOD = Geod(ellps="WGS84")
LAYER_NAMES = ("places", "corridors", "conflicts")
_COLUMNS = {
    "corridors": [
        "id", "name", "aliases", "kind", "waypoints", "legs", "length_km", "start_date",
        "description", "sources", "mention_count", "mentions",
    ],
    "conflicts": [
        "id", "name", "aliases", "kind", "start_date", "end_date", "area_km2", "approximate",
        "description", "sources", "mention_count", "mentions",
    ],
}  # fmt: skip


# -- reading definitions ----------------------------------------------------------------
def definition_files(layers_dir: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below ``layers_dir``, in a stable order."""
    if not layers_dir.is_dir():
        return []
    return sorted(
        p
        for p in layers_dir.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.name != "corrections.yaml"  # geo/corrections.py
    )


def build_story_layers(
    layers_dir: Path, gazetteer: Gazetteer, passages: Sequence[Passage]
) -> dict[str, gpd.GeoDataFrame]:
    """All definitions in ``layers_dir`` → ``{"corridors": gdf, "conflicts": gdf}``.

    Every definition is read and checked before any is built, so a bad file is reported
    before work is spent on the others; nothing is written here.
    """
    definitions: list[tuple[Path, Definition]] = []
    seen: dict[str, Path] = {}
    for path in definition_files(layers_dir):
        definition = load_definition(path)
        if definition.id in seen:
            raise LayerError(
                path, f"id: {definition.id!r} is already used by {seen[definition.id]}"
            )
        seen[definition.id] = path
        definitions.append((path, definition))

    index = PassageIndex(passages)
    named = passages_naming([n for _, d in definitions for n in (d.name, *d.aliases)], passages)
    rows: dict[str, list[dict[str, Any]]] = {"corridors": [], "conflicts": []}
    for path, definition in definitions:
        if isinstance(definition, CorridorDefinition):
            row = corridor_row(path, definition, gazetteer)
            rows["corridors"].append(row)
        else:
            row = conflict_row(path, definition)
            rows["conflicts"].append(row)
        quotes = find_mentions([definition.name, *definition.aliases], named)
        row["mentions"] = [quote.as_dict() for quote in quotes]
        row["mention_count"] = len(quotes)
    return {
        name: with_passages(_frame(sorted(found, key=lambda r: r["id"]), _COLUMNS[name]), index)
        for name, found in rows.items()
    }


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, columns=[*columns, "geometry"], geometry="geometry", crs=4326)


def _common(definition: Definition) -> dict[str, Any]:
    return {
        "id": definition.id,
        "name": definition.name,
        "aliases": list(definition.aliases),
        "kind": definition.kind,
        "start_date": definition.start_date,
        "description": (definition.description or "").strip(),
        "sources": [source.model_dump(exclude_none=True) for source in definition.sources],
    }


# -- corridors --------------------------------------------------------------------------
def corridor_row(
    path: Path, definition: CorridorDefinition, gazetteer: Gazetteer
) -> dict[str, Any]:
    """Waypoints resolved through the gazetteer, joined by geodesic legs.

    A waypoint named without a country takes the namesake in a country of the waypoints
    beside it, when there is one: "Hyderabad" between Karachi and Sukkur is in Pakistan.
    """
    waypoints = definition.waypoints
    namesakes = [
        waypoint_namesakes(path, f"waypoints[{position}]", waypoint, gazetteer)
        for position, waypoint in enumerate(waypoints)
    ]
    countries = [w.country or (found[0].entry.country_code if found else "")
                 for w, found in zip(waypoints, namesakes, strict=True)]  # fmt: skip
    stops = [
        _stop(waypoint, _chosen(found, _beside(countries, i)) if waypoint.country is None
              else found[0] if found else None)
        for i, (waypoint, found) in enumerate(zip(waypoints, namesakes, strict=True))
    ]  # fmt: skip
    parts, legs, total = [], [], 0.0
    for here, there in zip(stops, stops[1:], strict=False):
        line = geodesic_line(here["lon"], here["lat"], there["lon"], there["lat"])
        lons, lats = line.xy
        length = GEOD.line_length(list(lons), list(lats)) / 1000
        total += length
        parts.append(line)
        mode = "sea" if here["sea"] else "land"
        legs.append(
            {"from": here["name"], "to": there["name"], "mode": mode, "length_km": round(length)}
        )
    common = _common(definition)
    return {
        **{key: common[key] for key in ("id", "name", "aliases", "kind")},
        "waypoints": [{k: stop[k] for k in ("name", "gazetteer_id")} for stop in stops],
        "legs": legs,
        "length_km": round(total),
        **{key: common[key] for key in ("start_date", "description", "sources")},
        "geometry": MultiLineString(parts),
    }


def _beside(countries: Sequence[str], index: int) -> frozenset[str]:
    """The countries of the waypoints before and after ``index``."""
    near = [countries[i] for i in (index - 1, index + 1) if 0 <= i < len(countries)]
    return frozenset(country for country in near if country)


def _chosen(found: Sequence[Candidate], prefer: frozenset[str]) -> Candidate | None:
    """The best namesake, or the best in one of the ``prefer`` countries when one is."""
    return next((c for c in found if c.entry.country_code in prefer), found[0] if found else None)


def waypoint_namesakes(
    path: Path, field: str, waypoint: Waypoint, gazetteer: Gazetteer
) -> list[Candidate]:
    """A waypoint's gazetteer namesakes, best first (none for one with its own lat/lon)."""
    if waypoint.lat is not None and waypoint.lon is not None:
        return []
    found = rank_candidates(
        gazetteer.lookup(waypoint.name), country=waypoint.country, kind=waypoint.kind
    )
    if not found:
        where = f" in {waypoint.country}" if waypoint.country else ""
        reason = f"unknown waypoint {waypoint.name!r}{where} (not in the gazetteer)"
        raise LayerError(path, f"{field}: {reason}")
    return found


def _stop(waypoint: Waypoint, namesake: Candidate | None) -> dict[str, Any]:
    """A waypoint → a point on the map: its own lat/lon, or the chosen namesake."""
    if namesake is None:
        lat, lon, gazetteer_id = waypoint.lat, waypoint.lon, ""
    else:
        lat, lon, gazetteer_id = namesake.entry.lat, namesake.entry.lon, namesake.entry.id
    return {
        "name": waypoint.name,
        "lat": lat,
        "lon": lon,
        "gazetteer_id": gazetteer_id,
        "sea": waypoint.sea,
    }


def geodesic_line(lon1: float, lat1: float, lon2: float, lat2: float) -> LineString:
    """The great-circle path, one vertex every ~20 km, so long legs curve as on Earth."""
    distance = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    steps = int(distance / 20_000)
    between = GEOD.npts(lon1, lat1, lon2, lat2, steps) if steps else []
    return LineString([(lon1, lat1), *between, (lon2, lat2)])


# -- conflicts --------------------------------------------------------------------------
def conflict_row(path: Path, definition: ConflictDefinition) -> dict[str, Any]:
    """An area from ``polygon`` coordinates, or a circle of ``area_km2`` around ``center``."""
    if definition.polygon is not None:
        field, polygon = "polygon", Polygon(definition.polygon)
        approximate = definition.approximate
    else:
        assert definition.center is not None and definition.area_km2 is not None
        field = "center"
        center = definition.center
        polygon = circle(center.lat, center.lon, definition.area_km2)
        approximate = True
    _check_area(path, field, polygon)
    area = abs(GEOD.geometry_area_perimeter(polygon)[0]) / 1e6
    common = _common(definition)
    return {
        **{key: common[key] for key in ("id", "name", "aliases", "kind", "start_date")},
        "end_date": definition.end_date,
        "area_km2": round(area, 1),
        "approximate": approximate,
        **{key: common[key] for key in ("description", "sources")},
        "geometry": orient(polygon, sign=1.0),
    }


def _check_area(path: Path, field: str, polygon: Polygon) -> None:
    """Caught while loading, not while writing: a shape a GIS would reject or misdraw."""
    if not polygon.is_valid:
        from shapely.validation import explain_validity

        raise LayerError(
            path, f"{field}: the area is not a valid polygon: {explain_validity(polygon)}"
        )
    minx, miny, maxx, maxy = polygon.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise LayerError(path, f"{field}: the area leaves longitude/latitude ranges")
    if field == "center" and maxx - minx > 180:
        raise LayerError(path, f"{field}: the circle crosses the antimeridian or a pole")


def circle(lat: float, lon: float, area_km2: float, vertices: int = 64) -> Polygon:
    """A geodesic circle of the given area (azimuthal equidistant around its centre)."""
    radius = math.sqrt(area_km2 / math.pi) * 1000
    to_wgs84 = Transformer.from_crs(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m", "EPSG:4326", always_xy=True
    )
    ring = [
        to_wgs84.transform(
            radius * math.cos(2 * math.pi * i / vertices),
            radius * math.sin(2 * math.pi * i / vertices),
        )
        for i in range(vertices)
    ]
    return Polygon(ring)


# -- linking to passages ----------------------------------------------------------------
_SEPARATOR = r"[\s\-–—‑]+"
_NOT_WORD_BEFORE, _NOT_WORD_AFTER = r"(?<![\w-])", r"(?![\w-])"


def _alias_body(name: str) -> str:
    words = re.split(_SEPARATOR, name.strip())
    return _SEPARATOR.join(re.escape(word) for word in words if word)


def _alias_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"{_NOT_WORD_BEFORE}{_alias_body(name)}{_NOT_WORD_AFTER}", re.IGNORECASE)


def _any_name_pattern(names: Sequence[str]) -> re.Pattern[str]:
    """Whether any of ``names`` occurs, as one pattern with the word-boundary tests outside
    the alternation: a regex engine tries an alternation of lookbehinds at every position
    of the text, which made this search several times slower (2.3 against 0.5 s over the
    33,000 passages of 2,000 news articles)."""
    bodies = "|".join(_alias_body(name) for name in names)
    return re.compile(rf"{_NOT_WORD_BEFORE}(?:{bodies}){_NOT_WORD_AFTER}", re.IGNORECASE)


def passages_naming(names: Sequence[str], passages: Sequence[Passage]) -> list[Passage]:
    """The passages where any of ``names`` occurs (as ``find_mentions`` matches them).

    A build has many story definitions and most passages name none: one pass over all
    passages for all definitions' names leaves each definition only these to read.
    """
    if not names:
        return []
    anywhere = _any_name_pattern(sorted(set(names)))
    return [passage for passage in passages if anywhere.search(passage.text)]


def find_mentions(names: Sequence[str], passages: Sequence[Passage]) -> list[Quote]:
    """Every passage occurrence of any of ``names`` (dash-, case- and space-insensitive).

    Longer names win where they overlap ("Zangezur Corridor" over "Zangezur").
    """
    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    patterns = [_alias_pattern(n) for n in ordered]
    found: list[Quote] = []
    for passage in passages_naming(ordered, passages):
        taken: list[tuple[int, int]] = []
        for pattern in patterns:
            for match in pattern.finditer(passage.text):
                start, end = match.span()
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                found.append(
                    Quote(
                        passage.article,
                        passage.start + start,
                        passage.start + end,
                        match.group(),
                        passage.index,
                    )
                )
    found.sort(key=lambda q: (q.article, q.start))
    return found


__all__ = [
    "LAYER_NAMES",
    "LayerError",
    "build_story_layers",
    "circle",
    "find_mentions",
    "passages_naming",
]
