"""Import a full GeoNames dump (``allCountries.txt``) for complete coverage.

The embedded gazetteer stops at places with 500 people; a user who needs every hamlet,
hill and stream downloads GeoNames' own dump and imports it once. The import streams
the file (12 million lines) without holding it in memory, keeps the curated features
and country names of the embedded gazetteer, and replaces the previous import only
when it has finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from geo.gazetteer import Gazetteer, imported_index_path, is_latin, normalize, write_index_file
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


def dump_records(path: Path) -> Iterator[tuple[Entry, list[str]]]:
    """Entries of a GeoNames dump file (tab-separated, 19 columns, UTF-8)."""
    from tqdm import tqdm

    with (
        path.open(encoding="utf-8") as handle,
        tqdm(desc=f"importing {path.name}", unit=" places", unit_scale=True) as bar,
    ):
        for number, line in enumerate(handle, start=1):
            cells = line.rstrip("\n").split("\t")
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
            bar.update()
            alternates = [cells[2], *cells[3].split(",")] if cells[3] else [cells[2]]
            yield entry, [a for a in alternates if a and is_latin(normalize(a))]


def alternate_names(path: Path) -> Iterator[tuple[str, str]]:
    """(entry id, name) from ``alternateNamesV2.txt``: English and untagged, not historic."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 8:
                raise DumpError(f"{path}: line {number} is not an alternate-names row")
            language, historic, colloquial = cells[2], cells[7] == "1", cells[6] == "1"
            if language in ("", "en", "abbr") and not historic and not colloquial:
                yield f"geonames:{cells[1]}", cells[3]


def import_dump(dump: Path, alternates: Path | None = None) -> tuple[Path, int]:
    """Build the imported index; ``Gazetteer.default()`` prefers it from then on."""
    from geo.gazetteer_sources import country_records, curated_records

    for path in (dump, alternates):
        if path is not None and not path.is_file():
            raise DumpError(f"{path}: no such file")

    def records() -> Iterator[tuple[Entry, list[str]]]:
        yield from curated_records()
        yield from country_records()
        yield from dump_records(dump)

    target = imported_index_path()
    count = write_index_file(target, records(), alternate_names(alternates) if alternates else ())
    Gazetteer._default = None
    return target, count
