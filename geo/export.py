"""Export the built layers for GIS tools: GeoJSON, GeoPackage, GeoParquet, CSV.

Nested properties (mentions, sources, waypoints) are lists and dicts in our GeoJSON; the
formats with flat columns get them as JSON text, so nothing is lost on the way.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.atomic import write_text
from geo.frames import read_geojson, to_feature_collection
from geo.layers import LAYER_NAMES

FORMATS = ("geojson", "gpkg", "parquet", "csv")


class ExportError(Exception):
    """Nothing to export, or an unknown layer; the message names the file."""


def load_layers(layers_dir: Path, layer: str | None = None) -> dict[str, gpd.GeoDataFrame]:
    names = [layer] if layer else list(LAYER_NAMES)
    if layer and layer not in LAYER_NAMES:
        raise ExportError(f"unknown layer {layer!r}; choose from {', '.join(LAYER_NAMES)}")
    frames = {}
    for name in names:
        path = layers_dir / f"{name}.geojson"
        if not path.exists():
            if layer:
                raise ExportError(f"{path}: not built yet (run storymap build first)")
            continue
        frames[name] = read_geojson(path)
    if not frames:
        raise ExportError(f"{layers_dir}: no built layers (run storymap build first)")
    return frames


def flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and dicts → JSON strings, for formats whose columns hold scalars only."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].map(lambda v: isinstance(v, list | dict)).any():
            out[column] = out[column].map(lambda v: json.dumps(v, ensure_ascii=False))
    return out


def export_layers(layers_dir: Path, fmt: str, out: Path, layer: str | None = None) -> Path:
    """Write ``out`` atomically in ``fmt``; all layers (one table each in GeoPackage)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    frames = load_layers(layers_dir, layer)
    if fmt == "geojson":
        features = []
        for name, frame in frames.items():
            for feature in to_feature_collection(frame)["features"]:
                feature["properties"]["layer"] = name
                features.append(feature)
        collection = {"type": "FeatureCollection", "features": features}
        write_text(out, json.dumps(collection, ensure_ascii=False) + "\n")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    try:
        tmp = work / out.name
        if fmt == "gpkg":
            for name, frame in frames.items():
                flat(frame).to_file(tmp, layer=name, driver="GPKG")
        else:
            merged = pd.concat(
                [flat(frame).assign(layer=name) for name, frame in frames.items()],
                ignore_index=True,
            )
            merged = gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
            if fmt == "parquet":
                merged.to_parquet(tmp)
            else:
                table = pd.DataFrame(merged.drop(columns="geometry"))
                points = merged.geometry.geom_type == "Point"
                table["lat"] = merged.geometry.map(
                    lambda g: g.y if g.geom_type == "Point" else None
                )
                table["lon"] = merged.geometry.map(
                    lambda g: g.x if g.geom_type == "Point" else None
                )
                table.loc[~points, ["lat", "lon"]] = None
                table["wkt"] = merged.geometry.to_wkt()
                table.to_csv(tmp, index=False)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out
