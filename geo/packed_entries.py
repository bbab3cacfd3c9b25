"""Every gazetteer entry's fields, packed in one file beside the SQLite index.

Why: a process's first documents look up a few thousand names, and reading their entries
from SQLite was most of what those first documents cost beyond later ones (one query per
lookup, ~15 µs, and ~5 µs a row: each entry sits on its own page). Here an entry is two
``pread`` calls (its offsets, then its record), about half of that, and the file is never
mapped, so memory stays flat however many entries a run reads.

Layout: ``count + 1`` little-endian uint64 file offsets (record ``rowid`` spans offsets
``rowid - 1`` to ``rowid``), then the records: the fields as text joined by ``\\x1f``, floats
written by ``repr`` (which reads back to the same float). An index whose entries cannot all
be written that way exactly gets no file, and its lookups read SQLite as before.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import zlib
from array import array
from pathlib import Path

from geo.model import Entry

ENTRY_COLUMNS = (
    "SELECT rowid, id, name, lat, lon, kind, country_code, admin1, population, feature_code"
    " FROM entries"
)
_STAMP = "entries_file"  # meta key: the stamp in the name of the file that pairs
_SEPARATOR = "\x1f"
_TYPES = (str, str, float, float, str, str, str, int, str)  # Entry's fields, in order
_SPAN = struct.Struct("<QQ")


def packed_entries_path(index: Path, stamp: str) -> Path:
    """``gazetteer-….sqlite`` → ``gazetteer-….entries-<stamp>.bin`` beside it (the stamp
    pairs the file with the one database build it was written from, as the trie's does)."""
    return index.with_name(f"{index.stem}.entries-{stamp}.bin")


def _record(fields: list[object]) -> bytes | None:
    """One entry's record, or None when it would not read back exactly."""
    if any(type(value) is not kind for value, kind in zip(fields, _TYPES, strict=True)):
        return None
    texts = [repr(value) if type(value) is float else str(value) for value in fields]
    if any(_SEPARATOR in text for text in texts):
        return None
    return _SEPARATOR.join(texts).encode()


def write_packed_entries(db: sqlite3.Connection, index: Path, tmp: Path) -> Path | None:
    """Write the entries of a freshly written index to ``tmp``, stamp the database, and
    return the final path (the caller renames ``tmp`` there); None when some entry cannot
    be packed exactly (``tmp`` is then removed and nothing is stamped)."""
    (count,) = db.execute("SELECT count(*) FROM entries").fetchone()
    offsets = array("Q", [8 * (count + 1)])
    checksum = 0
    with tmp.open("wb") as out:
        out.seek(offsets[0])
        rows = db.execute(f"{ENTRY_COLUMNS} ORDER BY rowid")
        for expected, (rowid, *fields) in enumerate(rows, start=1):
            record = _record(fields) if rowid == expected else None
            if record is None:
                break
            out.write(record)
            checksum = zlib.crc32(record, checksum)
            offsets.append(offsets[-1] + len(record))
        out.seek(0)
        out.write(_little_endian(offsets))
    if len(offsets) != count + 1:
        tmp.unlink(missing_ok=True)
        return None
    stamp = f"{count:x}-{checksum:08x}"
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_STAMP, stamp))
    db.commit()
    return packed_entries_path(index, stamp)


def _little_endian(offsets: array) -> bytes:
    """The offsets as little-endian uint64, whatever this machine's byte order."""
    if struct.pack("=Q", 1) != struct.pack("<Q", 1):
        offsets = array("Q", offsets)
        offsets.byteswap()
    return offsets.tobytes()


class PackedEntries:
    """Entries by rowid from a packed file, read with ``pread`` (thread-safe, no mapping)."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb", buffering=0)  # closed with this object
        self._fd = self._file.fileno()

    def read(self, rowid: int) -> Entry:
        start, end = _SPAN.unpack(os.pread(self._fd, 16, 8 * (rowid - 1)))
        id_, name, lat, lon, kind, country, admin1, people, feature = (
            os.pread(self._fd, end - start, start).decode().split(_SEPARATOR)
        )
        return Entry(id_, name, float(lat), float(lon), kind, country, admin1, int(people), feature)


def open_packed_entries(db: sqlite3.Connection, index: Path) -> PackedEntries | None:
    """The packed entries of this index, or None (an index written before they existed,
    one whose entries could not be packed, or a file deleted by hand: SQLite answers)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_STAMP,)).fetchone()
    if row is None:
        return None
    path = packed_entries_path(index, row[0])
    return PackedEntries(path) if path.exists() else None
