"""Stage 5: curated story definitions (YAML in ``layers/``) → corridor and conflict layers,
and the RFC 7946 writer every layer goes through.

A story needs more than dots: the routes being argued over and the wars in the
background. Their shapes are curated facts (waypoints, areas) kept as human-editable
YAML with sources; what links them to the articles is found here, by matching each
feature's name and aliases in the passages, exactly as places are linked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import yaml
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from geo.atomic import write_text
from geo.gazetteer import Gazetteer
from geo.model import Article, Passage

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


class LayerError(Exception):
    """A story definition that cannot be built; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


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


def load_definition(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(error, "problem", error)
        raise LayerError(path, f"is not valid YAML{where}: {problem}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise LayerError(path, f"cannot be read: {error}") from error
    if not isinstance(data, dict):
        raise LayerError(path, "must be a YAML mapping with kind, id, name, …")
    kind = data.get("kind")
    required = {"corridor": ("id", "name", "waypoints"), "conflict": ("id", "name")}
    if kind not in required:
        raise LayerError(path, f"kind must be 'corridor' or 'conflict', not {kind!r}")
    missing = [key for key in (*required[kind], "sources") if not data.get(key)]
    if missing:
        raise LayerError(path, f"missing required field(s): {', '.join(missing)}")
    return data


def build_story_layers(
    layers_dir: Path,
    gazetteer: Gazetteer,
    passages: Sequence[Passage],
    articles: Mapping[str, Article],
) -> dict[str, gpd.GeoDataFrame]:
    """All definitions in ``layers_dir`` → ``{"corridors": gdf, "conflicts": gdf}``."""
    rows: dict[str, list[dict[str, Any]]] = {"corridors": [], "conflicts": []}
    seen: dict[str, Path] = {}
    for path in definition_files(layers_dir):
        data = load_definition(path)
        if data["id"] in seen:
            raise LayerError(path, f"id {data['id']!r} is already used by {seen[data['id']]}")
        seen[data["id"]] = path
        if data["kind"] == "corridor":
            row = corridor_row(path, data, gazetteer)
            rows["corridors"].append(row)
        else:
            row = conflict_row(path, data)
            rows["conflicts"].append(row)
        names = [data["name"], *(data.get("aliases") or [])]
        row["mentions"] = find_mentions(names, passages, articles)
        row["mention_count"] = len(row["mentions"])
    return {
        name: _frame(sorted(found, key=lambda r: r["id"]), _COLUMNS[name])
        for name, found in rows.items()
    }


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, columns=[*columns, "geometry"], geometry="geometry", crs=4326)


# -- corridors --------------------------------------------------------------------------
def corridor_row(path: Path, data: dict[str, Any], gazetteer: Gazetteer) -> dict[str, Any]:
    """Waypoints resolved through the gazetteer, joined by geodesic legs."""
    stops = [resolve_waypoint(path, item, gazetteer) for item in data["waypoints"]]
    if len(stops) < 2:
        raise LayerError(path, "a corridor needs at least two waypoints")
    parts, legs, total = [], [], 0.0
    for here, there in zip(stops, stops[1:], strict=False):
        line = geodesic_line(here["lon"], here["lat"], there["lon"], there["lat"])
        length = GEOD.line_length(*zip(*line.coords, strict=True)) / 1000
        total += length
        parts.append(line)
        mode = "sea" if here["sea"] else "land"
        legs.append(
            {"from": here["name"], "to": there["name"], "mode": mode, "length_km": round(length)}
        )
    return {
        "id": data["id"],
        "name": data["name"],
        "aliases": list(data.get("aliases") or []),
        "kind": "corridor",
        "waypoints": [{k: stop[k] for k in ("name", "gazetteer_id")} for stop in stops],
        "legs": legs,
        "length_km": round(total),
        "start_date": _date(data.get("start_date")),
        "description": str(data.get("description") or "").strip(),
        "sources": _sources(path, data),
        "geometry": MultiLineString(parts),
    }


def resolve_waypoint(path: Path, item: Any, gazetteer: Gazetteer) -> dict[str, Any]:
    """``"Baku"`` or ``{name: Astara, country: IR, sea: true}`` → a point on the map."""
    spec = {"name": item} if isinstance(item, str) else dict(item or {})
    name = spec.get("name")
    if not name:
        raise LayerError(path, f"waypoint {item!r} has no name")
    if "lat" in spec and "lon" in spec:
        lat, lon, gazetteer_id = float(spec["lat"]), float(spec["lon"]), ""
    else:
        from geo.places import _prior

        found = gazetteer.lookup(name)
        if spec.get("country"):
            found = [c for c in found if c.entry.country_code == spec["country"]]
        if spec.get("kind"):
            found = [c for c in found if c.entry.kind == spec["kind"]]
        if not found:
            where = f" in {spec['country']}" if spec.get("country") else ""
            raise LayerError(path, f"unknown waypoint {name!r}{where} (not in the gazetteer)")
        best = max(found, key=lambda c: (_prior(c), c.entry.id))
        lat, lon, gazetteer_id = best.entry.lat, best.entry.lon, best.entry.id
    return {
        "name": name,
        "lat": lat,
        "lon": lon,
        "gazetteer_id": gazetteer_id,
        "sea": bool(spec.get("sea")),
    }


def geodesic_line(lon1: float, lat1: float, lon2: float, lat2: float) -> LineString:
    """The great-circle path, one vertex every ~20 km, so long legs curve as on Earth."""
    distance = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    steps = int(distance / 20_000)
    between = GEOD.npts(lon1, lat1, lon2, lat2, steps) if steps else []
    return LineString([(lon1, lat1), *between, (lon2, lat2)])


# -- conflicts --------------------------------------------------------------------------
def conflict_row(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """An area from ``polygon`` coordinates, or a circle of ``area_km2`` around ``center``."""
    if data.get("polygon"):
        try:
            polygon = Polygon(data["polygon"])
        except (TypeError, ValueError) as error:
            raise LayerError(path, f"polygon is not a list of [lon, lat] pairs: {error}") from error
        if not polygon.is_valid:
            from shapely.validation import explain_validity

            raise LayerError(path, f"polygon is not valid: {explain_validity(polygon)}")
        approximate = bool(data.get("approximate", False))
    elif data.get("center") and data.get("area_km2"):
        center = data["center"]
        polygon = circle(float(center["lat"]), float(center["lon"]), float(data["area_km2"]))
        approximate = True
    else:
        raise LayerError(path, "a conflict needs a polygon, or a center and an area_km2")
    area = abs(GEOD.geometry_area_perimeter(polygon)[0]) / 1e6
    return {
        "id": data["id"],
        "name": data["name"],
        "aliases": list(data.get("aliases") or []),
        "kind": "conflict",
        "start_date": _date(data.get("start_date")),
        "end_date": _date(data.get("end_date")),
        "area_km2": round(area, 1),
        "approximate": approximate,
        "description": str(data.get("description") or "").strip(),
        "sources": _sources(path, data),
        "geometry": orient(polygon, sign=1.0),
    }


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


def _date(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _sources(path: Path, data: dict[str, Any]) -> list[dict[str, str]]:
    sources = []
    for source in data.get("sources") or []:
        if not isinstance(source, dict) or not source.get("publication"):
            raise LayerError(path, f"each source needs a publication: {source!r}")
        sources.append({k: str(source[k]) for k in ("publication", "date", "url") if k in source})
    return sources


# -- linking to passages ----------------------------------------------------------------
def _alias_pattern(name: str) -> re.Pattern[str]:
    words = re.split(r"[\s\-–—‑]+", name.strip())
    body = r"[\s\-–—‑]+".join(re.escape(word) for word in words if word)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


def find_mentions(
    names: Sequence[str], passages: Sequence[Passage], articles: Mapping[str, Article]
) -> list[dict[str, Any]]:
    """Every passage occurrence of any of ``names`` (dash-, case- and space-insensitive).

    Longer names win where they overlap ("Zangezur Corridor" over "Zangezur").
    """
    patterns = [_alias_pattern(n) for n in sorted(set(names), key=lambda n: (-len(n), n))]
    found: list[dict[str, Any]] = []
    for passage in passages:
        taken: list[tuple[int, int]] = []
        for pattern in patterns:
            for match in pattern.finditer(passage.text):
                start, end = match.span()
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                found.append(
                    {
                        "article": passage.article,
                        "start": passage.start + start,
                        "end": passage.start + end,
                        "text": match.group(),
                        "passage": passage.text,
                        "passage_start": passage.start,
                    }
                )
    found.sort(key=lambda m: (m["article"], m["start"]))
    return found


# -- writing ----------------------------------------------------------------------------
def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6) + 0.0
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Numpy and pandas values → JSON values; NaN → null."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_feature_collection(gdf: gpd.GeoDataFrame) -> dict[str, Any]:
    """RFC 7946: lon/lat, counter-clockwise exterior rings, 6 decimals, no NaN."""
    features = []
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    for _, row in gdf.iterrows():
        geometry = row[gdf.geometry.name]
        if geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon"):
            geometry = _oriented(geometry)
        geojson = None
        if geometry is not None:
            geojson = mapping(geometry)
            geojson = {"type": geojson["type"], "coordinates": _rounded(geojson["coordinates"])}
        properties = {column: _plain(row[column]) for column in columns}
        features.append({"type": "Feature", "properties": properties, "geometry": geojson})
    return {"type": "FeatureCollection", "features": features}


def _oriented(geometry: Any) -> Any:
    if geometry.geom_type == "Polygon":
        return orient(geometry, sign=1.0)
    return type(geometry)([orient(part, sign=1.0) for part in geometry.geoms])


def validate_layer(gdf: gpd.GeoDataFrame, name: str) -> None:
    """Refuse to write what a GIS would reject: invalid or out-of-range geometry."""
    for _, row in gdf.iterrows():
        geometry = row[gdf.geometry.name]
        label = f"{name} feature {row.get('id', '?')!r}"
        if geometry is None or geometry.is_empty:
            raise LayerError(name, f"{label} has no geometry")
        if not geometry.is_valid:
            raise LayerError(name, f"{label} has invalid geometry")
        minx, miny, maxx, maxy = geometry.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise LayerError(name, f"{label} lies outside longitude/latitude ranges")


def write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Validate, then write atomically; the same frame always gives the same bytes."""
    validate_layer(gdf, path.name)
    collection = to_feature_collection(gdf)
    lines = [json.dumps(f, ensure_ascii=False) for f in collection["features"]]
    body = ",\n".join(lines)
    write_text(path, f'{{"type": "FeatureCollection", "features": [\n{body}\n]}}\n')


def read_geojson(path: Path) -> gpd.GeoDataFrame:
    """A layer written by ``write_geojson`` with nested properties kept as Python objects."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        {**feature["properties"], "geometry": shape(feature["geometry"])}
        for feature in data["features"]
    ]
    columns = list(rows[0]) if rows else ["geometry"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=4326)


__all__ = [
    "LAYER_NAMES",
    "LayerError",
    "build_story_layers",
    "circle",
    "find_mentions",
    "read_geojson",
    "to_feature_collection",
    "validate_layer",
    "write_geojson",
]
