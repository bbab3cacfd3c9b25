"""Import a full GeoNames dump (``allCountries.txt``) for complete coverage.

The embedded gazetteer stops at places with 500 people; a user who needs every hamlet,
hill and stream downloads GeoNames' own dump and imports it once. The import streams
the file (12 million lines) without holding it in memory, keeps the curated features
and country names of the embedded gazetteer, and replaces the previous import only
when it has finished.

A dump is checked row by row as it streams: a row with the wrong number of columns, a
coordinate off the globe or bytes that are not UTF-8 refuses the whole dump (naming the
line), and so does a dump without a single place: a half-downloaded or wrong file must
not replace a working gazetteer. The previous one stays until the new one is complete.
"""

from __future__ import annotations

import math
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from geo.gazetteer import (
    Gazetteer,
    imported_index_path,
    index_lock,
    is_latin,
    normalize,
    write_index_file,
)
from geo.model import Entry

COLUMNS = 19
_KINDS = {"A": "admin", "H": "water", "L": "region", "P": "city", "S": "site", "T": "landform",
          "U": "water", "V": "landform", "R": "site"}  # fmt: skip


class DumpError(Exception):
    """A malformed dump; the message names the file and the line."""


def kind_of(feature_class: str, feature_code: str) -> str:
    if feature_code.startswith("PCL") or feature_code == "TERR":
        return "country"
    if feature_code == "CONT":
        return "continent"
    if feature_class == "A" and not feature_code.startswith("ADM"):
        return "region"
    return _KINDS.get(feature_class, "site")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """Numbered lines of a UTF-8 file; bytes that are not UTF-8 stop it with the line number."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                raise DumpError(
                    f"{path}: line {number} is not valid UTF-8 (byte 0x{raw[error.start]:02x}); "
                    "GeoNames dumps are UTF-8"
                ) from error


def _check_coordinates(path: Path, number: int, entry: Entry) -> None:
    if not (math.isfinite(entry.lat) and -90 <= entry.lat <= 90):
        raise DumpError(f"{path}: line {number}: latitude {entry.lat} is outside -90..90")
    if not (math.isfinite(entry.lon) and -180 <= entry.lon <= 180):
        raise DumpError(f"{path}: line {number}: longitude {entry.lon} is outside -180..180")


def dump_records(path: Path) -> Iterator[tuple[Entry, list[str]]]:
    """Entries of a GeoNames dump file (tab-separated, 19 columns, UTF-8), each checked."""
    from tqdm import tqdm

    count = 0
    with tqdm(desc=f"importing {path.name}", unit=" places", unit_scale=True) as bar:
        for number, line in _lines(path):
            if not line.strip():
                continue
            cells = line.split("\t")
            if len(cells) != COLUMNS:
                raise DumpError(
                    f"{path}: line {number} has {len(cells)} columns, a GeoNames dump has 19"
                )
            try:
                entry = Entry(
                    id=f"geonames:{int(cells[0])}",
                    name=cells[1],
                    lat=float(cells[4]),
                    lon=float(cells[5]),
                    kind=kind_of(cells[6], cells[7]),
                    country_code=cells[8],
                    admin1=cells[10],
                    population=int(cells[14] or 0),
                    feature_code=cells[7],
                )
            except ValueError as error:
                raise DumpError(f"{path}: line {number}: {error}") from error
            if not entry.name.strip():
                raise DumpError(f"{path}: line {number}: the name column is empty")
            _check_coordinates(path, number, entry)
            bar.update()
            count += 1
            alternates = [cells[2], *cells[3].split(",")] if cells[3] else [cells[2]]
            yield entry, [a for a in alternates if a and is_latin(normalize(a))]
    if count == 0:
        raise DumpError(f"{path}: has no places; is it a GeoNames dump (allCountries.txt)?")


def alternate_names(path: Path) -> Iterator[tuple[str, str]]:
    """(entry id, name) from ``alternateNamesV2.txt``: English and untagged, not historic."""
    for number, line in _lines(path):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 8:
            raise DumpError(f"{path}: line {number} is not an alternate-names row")
        language, historic, colloquial = cells[2], cells[7] == "1", cells[6] == "1"
        if language in ("", "en", "abbr") and not historic and not colloquial:
            yield f"geonames:{cells[1]}", cells[3]


def import_dump(dump: Path, alternates: Path | None = None) -> tuple[Path, int]:
    """Build the imported index; ``Gazetteer.default()`` prefers it from then on."""
    from geo.gazetteer_sources import country_records, curated_records

    for path in (dump, alternates):
        if path is not None:
            _check_regular_file(path)

    def records() -> Iterator[tuple[Entry, list[str]]]:
        yield from curated_records()
        yield from country_records()
        yield from dump_records(dump)

    target = imported_index_path()
    extra: Iterable[tuple[str, str]] = alternate_names(alternates) if alternates else ()
    with index_lock():
        count = write_index_file(target, records(), extra)  # replaces the old one when done
    Gazetteer._default = None
    return target, count


def _check_regular_file(path: Path) -> None:
    """A dump is a regular file: a FIFO or device would never end (or never start)."""
    from geo.atomic import kind_of_file

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DumpError(f"{path}: no such file") from None
    except OSError as error:
        raise DumpError(f"{path}: cannot be read ({error.strerror or error})") from error
    if not stat.S_ISREG(mode):
        raise DumpError(f"{path}: is {kind_of_file(mode)}, not a GeoNames dump file")
