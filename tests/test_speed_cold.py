"""The shortcuts that make a process's first documents cheaper answer exactly as the long
way: name keys, word tokens, and entries however many a lookup asks for."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from geo import lexicon
from geo.gazetteer import Gazetteer, _fold, normalize, remove_stale_temp_files, write_index_file
from geo.model import Entry
from geo.packed_entries import ENTRY_COLUMNS

# Letters and marks the fast paths must tell apart from plain ASCII: folded dashes,
# apostrophes and periods, white space other than one space (tab, no-break, the ASCII
# separators \x1c-\x1f that Python counts as space), letters that case-fold or decompose
# to ASCII ("K" Kelvin sign, "ſ", "İ", "ß", "é"), invisible characters, commas, digits.
_ODD = " -'.`’–\t\n\xa0\x1c\x1f\u200b\u00ad,0K\u212aſİßéøı"
_ASCII_WORD = st.text(alphabet="abcxyzABCXYZ", min_size=1, max_size=6)


@st.composite
def _names(draw: st.DrawFn) -> str:
    """Names as the recogniser asks: words joined by separators, and odd characters."""
    words = draw(st.lists(_ASCII_WORD, min_size=1, max_size=4))
    joiners = draw(st.lists(st.sampled_from([" ", "-", "'", "  ", " - ", ". ", "’"]),
                            min_size=len(words), max_size=len(words)))  # fmt: skip
    name = "".join(word + joiner for word, joiner in zip(words, joiners, strict=True))
    return draw(st.sampled_from([name, name[:-1], " " + name])) + draw(st.text(_ODD, max_size=2))


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_names(), st.text(alphabet="abzAZ" + _ODD, max_size=10)))
def test_name_key_fast_path_equals_the_full_fold(name: str) -> None:
    assert normalize.__wrapped__(name) == _fold(name)


def test_plain_and_odd_names_keep_their_keys() -> None:
    expected = {
        "New York": "new york", "O'Hare": "o'hare", "Stratford-upon-Avon": "stratford-upon-avon",
        "U.S.": "us", "New  York": "new york", "Russia’s": "russia's", "Naxçıvan": "naxcivan",
        "Paris-": "paris", "\u212aiev": "kiev",
    }  # fmt: skip
    assert {name: normalize(name) for name in expected} == expected


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_ASCII_WORD, st.text(alphabet="abAB .'’-\u00a0éß1", max_size=8)))
def test_word_tokens_fast_path_equals_the_word_break_rules(word: str) -> None:
    assert lexicon._tokens(word) == lexicon._split_tokens(word)


def _entry(number: int) -> Entry:
    return Entry(id=f"x:{number}", name="Springfield", lat=number / 7, lon=-number / 3,
                 kind="city", country_code="US", admin1=f"A{number % 5}",
                 population=number * 1000, feature_code="PPL")  # fmt: skip


def test_a_name_shared_by_more_entries_than_sqlite_binds_in_one_query() -> None:
    """Entries are fetched in as many queries as SQLite's variable limit needs; 0 and 1
    rowids, repeats, and rowids already read come back as asked."""
    entries = [_entry(number) for number in range(1, 26)]
    gazetteer = Gazetteer.from_records((entry, []) for entry in entries)
    gazetteer._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 7)
    assert gazetteer._entries_of([]) == {}
    assert gazetteer._entries_of([3]) == {3: entries[2]}
    assert [c.entry for c in gazetteer.lookup("springfield")] == entries
    assert all(c.primary for c in gazetteer.lookup("Springfield"))
    assert gazetteer._entries_of([25, 1, 25]) == {25: entries[24], 1: entries[0]}


def test_an_open_gazetteer_keeps_answering_while_its_index_is_rebuilt(tmp_path: Path) -> None:
    """The index is opened immutable (no locks, no change checks): safe because a rebuild
    writes a new file and renames it over, so the open one is never changed under it."""
    index = tmp_path / "gazetteer-test.sqlite"
    write_index_file(index, [(_entry(1), ["Old Town"])])
    opened = Gazetteer(index)
    assert [c.entry.id for c in opened.lookup("Old Town")] == ["x:1"]
    write_index_file(index, [(_entry(2), ["New Town"]), (_entry(1), [])])
    assert [c.entry.id for c in opened.lookup("Springfield")] == ["x:1"]
    assert opened.get("x:2") is None and "New Town" not in opened
    assert [c.entry.id for c in Gazetteer(index).lookup("New Town")] == ["x:2"]


# -- packed entries ------------------------------------------------------------------------
_ODD_ENTRIES = [
    Entry("x:1", "Tab\there, new\nline", -0.0, 179.99999999999997, "city", "", "", 0, ""),
    Entry("x:2", "Ærøskøbing ‘quoted’ 北京", 1e-300, -1.5, "admin", "DK", "21", 2**62, "ADM2"),
    Entry("x:3", "", 0.1 + 0.2, 90.0, "water", "", "", 7, "SEA"),
]


def _from_sqlite(gazetteer: Gazetteer, rowids: list[int]) -> dict[int, Entry]:
    rows = gazetteer._db.execute(
        f"{ENTRY_COLUMNS} WHERE rowid IN ({','.join('?' * len(rowids))})", rowids
    )
    return {rowid: Entry(*fields) for rowid, *fields in rows}


def test_packed_entries_read_back_exactly(tmp_path: Path) -> None:
    index = tmp_path / "gazetteer-test.sqlite"
    write_index_file(index, [(entry, ["Odd"]) for entry in _ODD_ENTRIES])
    assert len(list(tmp_path.glob("gazetteer-test.entries-*.bin"))) == 1
    gazetteer = Gazetteer(index)
    assert gazetteer._packed is not None
    found = [c.entry for c in gazetteer.lookup("Odd")]
    assert found == _ODD_ENTRIES
    # what SQLite gives, bit for bit (it stores -0.0 as 0, so the packed file says 0.0 too)
    assert [repr(entry) for entry in found] == [
        repr(e) for e in _from_sqlite(gazetteer, [1, 2, 3]).values()
    ]
    assert gazetteer.get("x:3") == _ODD_ENTRIES[2]


def test_entries_that_cannot_be_packed_are_read_from_sqlite(tmp_path: Path) -> None:
    index = tmp_path / "gazetteer-test.sqlite"
    odd = Entry("x:9", "Unit\x1fseparator", 1.0, 2.0, "city")
    write_index_file(index, [(odd, []), (_ODD_ENTRIES[0], [])])
    assert not list(tmp_path.glob("*.bin")) and not list(tmp_path.glob("*.tmp"))
    gazetteer = Gazetteer(index)
    assert gazetteer._packed is None
    assert [c.entry for c in gazetteer.lookup("Unit\x1fseparator")] == [odd]


def test_real_gazetteer_packed_entries_equal_sqlite(gazetteer: Gazetteer) -> None:
    (count,) = gazetteer._db.execute("SELECT count(*) FROM entries").fetchone()
    draw = random.Random(6)
    rowids = sorted({1, count, *(draw.randrange(1, count + 1) for _ in range(3000))})
    assert gazetteer.path is not None
    packed = Gazetteer(gazetteer.path)  # a fresh one: nothing read yet
    assert packed._packed is not None
    assert packed._entries_of(rowids) == _from_sqlite(packed, rowids)


def test_a_stale_packed_entries_temp_file_is_removed(tmp_path: Path) -> None:
    stale = tmp_path / "gazetteer-0123456789abcdef.999999999.entries.tmp"
    stale.write_bytes(b"")
    assert remove_stale_temp_files(tmp_path) == [stale]
