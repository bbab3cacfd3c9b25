"""Export the built layers for GIS tools: GeoJSON, GeoPackage, GeoParquet, CSV.

Nested properties (mentions, sources, waypoints) are lists and dicts in our GeoJSON; the
formats with flat columns get them as JSON text, so nothing is lost on the way.

The format follows the ``--out`` extension; a ``--format`` that contradicts it is refused
rather than writing GeoPackage bytes into ``x.geojson``. The output is only ever created
or replaced as a regular file: a device, FIFO, folder or symlink at ``--out`` is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely.errors

from geo.atomic import NotReplaceable, check_replaceable, write_text
from geo.frames import PASSAGES, read_geojson, to_feature_collection, with_quoted_passages
from geo.layers import LAYER_NAMES

FORMATS = ("geojson", "gpkg", "parquet", "csv")
# GDAL stamps a GeoPackage with the time of writing; a fixed stamp makes the same layers
# give the same bytes, like every other output.
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg",
              ".parquet": "parquet", ".geoparquet": "parquet", ".csv": "csv"}  # fmt: skip


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
        frames[name] = _read_layer(path)
    if not frames:
        raise ExportError(f"{layers_dir}: no built layers (run storymap build first)")
    return frames


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    """A built layer, or one line saying it is damaged (truncated by a full disk, edited)."""
    try:
        return read_geojson(path)
    except (ValueError, KeyError, TypeError, AttributeError, shapely.errors.ShapelyError) as e:
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ExportError(
            f"{path}: is not a complete GeoJSON layer ({detail}); run storymap build again"
        ) from e


def output_format(out: Path, fmt: str | None) -> str:
    """The format to write: ``fmt`` when it agrees with ``out``'s extension, else refused."""
    implied = EXTENSIONS.get(out.suffix.lower())
    if fmt is not None and fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if implied is None:
        known = ", ".join(EXTENSIONS)
        raise ExportError(f"{out}: unknown extension {out.suffix!r}; use one of {known}")
    if fmt is not None and fmt != implied:
        raise ExportError(
            f"{out}: --format {fmt} does not match the extension {out.suffix!r} ({implied})"
        )
    return implied


def check_output(out: Path) -> None:
    """Only a missing path or a regular file may become the export."""
    try:
        check_replaceable(out)
    except NotReplaceable as error:
        raise ExportError(str(error)) from error
    if out.parent.exists() and not out.parent.is_dir():
        raise ExportError(f"{out.parent}: is not a folder")


def flat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and dicts → JSON text; each mention carries its passage's text (a row stands
    alone in a table, unlike a GeoJSON file, which stores every passage once)."""
    return _json_columns(with_quoted_passages(frame))


def _json_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and dicts → JSON strings, for formats whose columns hold scalars only."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].map(lambda v: isinstance(v, list | dict)).any():
            out[column] = out[column].map(lambda v: json.dumps(v, ensure_ascii=False))
    return out


def export_layers(layers_dir: Path, fmt: str | None, out: Path, layer: str | None = None) -> Path:
    """Write ``out`` atomically; all layers (one table each in GeoPackage).

    ``fmt`` None takes the format from ``out``'s extension. A build killed while
    publishing is completed first, so the export never mixes two builds.
    """
    from geo.publish import PublishError, settle

    check_output(out)
    fmt = output_format(out, fmt)
    try:
        settle(layers_dir)
    except PublishError as error:
        raise ExportError(str(error)) from error
    frames = load_layers(layers_dir, layer)
    if fmt == "geojson":
        write_text(out, json.dumps(_merged_collection(frames), ensure_ascii=False) + "\n")
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    try:
        tmp = work / out.name
        _write_table(frames, fmt, tmp)
        check_output(out)  # again, just before replacing: it may have changed meanwhile
        os.replace(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def _merged_collection(frames: dict[str, gpd.GeoDataFrame]) -> dict:
    """One FeatureCollection of every layer, each feature naming its ``layer``, and each
    quoted passage stored once (as in a built layer)."""
    features, passages = [], {}
    for name, frame in frames.items():
        collection = to_feature_collection(frame)
        for feature in collection["features"]:
            feature["properties"]["layer"] = name
            features.append(feature)
        for record in collection.get(PASSAGES, ()):  # each quoted passage once
            passages[(record["article"], record["index"])] = record
    merged = {"type": "FeatureCollection", "features": features}
    merged[PASSAGES] = [passages[key] for key in sorted(passages)]
    return merged


def _write_table(frames: dict[str, gpd.GeoDataFrame], fmt: str, path: Path) -> None:
    """GeoPackage (a table per layer), GeoParquet or CSV (one table, a ``layer`` column)."""
    if fmt == "gpkg":
        with _gdal_option("OGR_CURRENT_DATE", GPKG_TIMESTAMP):
            for name, frame in frames.items():
                flat(frame).to_file(path, layer=name, driver="GPKG")
        return
    merged = pd.concat(
        [flat(frame).assign(layer=name) for name, frame in frames.items()],
        ignore_index=True,
    )
    merged = gpd.GeoDataFrame(_whole_numbers(merged, frames), geometry="geometry", crs=4326)
    if fmt == "parquet":
        merged.to_parquet(path)
    else:
        _csv_table(merged).to_csv(path, index=False)


def _whole_numbers(merged: pd.DataFrame, frames: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """A count one layer lacks (``name_count`` on routes) stays a whole number, empty where
    missing, not a float ("103", not "103.0")."""
    for column in merged.columns:
        if any(
            column in frame.columns and pd.api.types.is_integer_dtype(frame[column])
            for frame in frames.values()
        ):
            merged[column] = merged[column].astype("Int64")
    return merged


def _csv_table(merged: gpd.GeoDataFrame) -> pd.DataFrame:
    """Points as ``lat``/``lon`` columns; every geometry also as WKT."""
    table = pd.DataFrame(merged.drop(columns="geometry"))
    points = merged.geometry.geom_type == "Point"
    table["lat"] = merged.geometry.map(lambda g: g.y if g.geom_type == "Point" else None)
    table["lon"] = merged.geometry.map(lambda g: g.x if g.geom_type == "Point" else None)
    table.loc[~points, ["lat", "lon"]] = None
    table["wkt"] = merged.geometry.to_wkt()
    return table


@contextmanager
def _gdal_option(name: str, value: str) -> Iterator[None]:
    """A GDAL configuration option set while the block runs, then put back as it was."""
    import pyogrio

    before = pyogrio.get_gdal_config_option(name)
    pyogrio.set_gdal_config_options({name: value})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({name: before})
