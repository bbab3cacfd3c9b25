"""The speed structures answer exactly what they replace: the names trie what the SQLite
``names`` table says, the word table what wordfreq says, at every threshold the recogniser
uses."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import lexicon
from geo.gazetteer import (
    Gazetteer,
    build_default_index,
    names_trie_path,
    normalize,
    write_index_file,
)
from geo.model import Entry

THRESHOLDS = (4.3, 5.3)  # is_common_word, is_very_common_word


def _sql_lookup(db: sqlite3.Connection, name: str) -> list[tuple[str, bool]]:
    """What ``Gazetteer.lookup`` answered before the trie: (entry id, primary) by rowid."""
    rows = db.execute(
        "SELECT entry, is_primary FROM names WHERE key = ? ORDER BY entry", (normalize(name),)
    ).fetchall()
    best: dict[int, bool] = {}
    for rowid, primary in rows:
        best[rowid] = best.get(rowid, False) or bool(primary)
    ids = {rowid: db.execute("SELECT id FROM entries WHERE rowid = ?", (rowid,)).fetchone()[0]
           for rowid in best}  # fmt: skip
    return [(ids[rowid], primary) for rowid, primary in best.items()]


def _trie_lookup(gazetteer: Gazetteer, name: str) -> list[tuple[str, bool]]:
    return [(c.entry.id, c.primary) for c in gazetteer.lookup(name)]


def _agrees_with_sql(gazetteer: Gazetteer, db: sqlite3.Connection, names: list[str]) -> None:
    for name in names:
        expected = _sql_lookup(db, name)
        assert _trie_lookup(gazetteer, name) == expected, name
        assert (name in gazetteer) == bool(expected), name


def test_tiny_gazetteer_trie_answers_as_sql(tiny_gazetteer: Gazetteer) -> None:
    db = tiny_gazetteer._db
    keys = [key for (key,) in db.execute("SELECT DISTINCT key FROM names")]
    spelled = ["U.S.", "Bakı", "NAXÇIVAN", "the hague", "Georgia", "Paris", "Guinea-Bissau"]
    absent = ["Atlantis", "Pari", "Georgias", "", "   ", "Heydar Aliyev"]
    _agrees_with_sql(tiny_gazetteer, db, keys + spelled + absent)
    assert [c.entry.id for c in tiny_gazetteer.lookup("Georgia")] == ["t:ge", "t:us-ga"]
    assert 42 not in tiny_gazetteer  # not a name at all


def test_real_gazetteer_trie_answers_as_sql_on_random_keys(gazetteer: Gazetteer) -> None:
    db = sqlite3.connect(f"file:{gazetteer.path}?mode=ro", uri=True)
    (count,) = db.execute("SELECT max(rowid) FROM names").fetchone()
    draw = random.Random(12)
    rowids = [draw.randrange(1, count + 1) for _ in range(1500)]
    keys = [row[0] for rowid in rowids for row in db.execute(
        "SELECT key FROM names WHERE rowid = ?", (rowid,))]  # fmt: skip
    near_misses = [key[:-1] for key in keys[:300]] + [key + "x" for key in keys[:300]]
    famous = ["Springfield", "London", "Washington", "Georgia", "U.S.", "St. Louis", "Reading"]
    _agrees_with_sql(gazetteer, db, keys + near_misses + famous)


def test_names_continue_only_at_word_boundaries(tiny_gazetteer: Gazetteer) -> None:
    assert tiny_gazetteer.starts_a_name("South")  # South Caucasus
    assert tiny_gazetteer.starts_a_name("Heydar Aliyev")  # … International Airport
    assert tiny_gazetteer.starts_a_name("Guinea")  # Guinea and Guinea-Bissau
    assert tiny_gazetteer.starts_a_name("Baku")  # a whole name counts
    assert not tiny_gazetteer.starts_a_name("Yerev")  # inside a word, not at its end
    assert not tiny_gazetteer.starts_a_name("Caucasus")
    assert not tiny_gazetteer.starts_a_name("")


def _records(*names: str) -> list[tuple[Entry, list[str]]]:
    return [
        (Entry(id=f"x:{i}", name=name, lat=1.0, lon=2.0, kind="city", country_code="XX"), [])
        for i, name in enumerate(names)
    ]


def test_index_file_keeps_its_trie_beside_it_and_replaces_it_on_rebuild(tmp_path: Path) -> None:
    index = tmp_path / "gazetteer-test.sqlite"
    write_index_file(index, _records("Alpha", "Beta"))
    first = sorted(tmp_path.iterdir())
    beside = [*tmp_path.glob("gazetteer-test.names-*.marisa"),
              *tmp_path.glob("gazetteer-test.entries-*.bin")]  # fmt: skip
    assert [p.name for p in first] == [p.name for p in sorted([index, *beside])]
    assert len(first) == 3
    write_index_file(index, _records("Alpha", "Gamma"))
    tries = list(tmp_path.glob("*.marisa"))
    assert len(tries) == 1 and tries[0] not in first  # the old trie went with the old index
    packed = list(tmp_path.glob("*.bin"))
    assert len(packed) == 1 and packed[0] not in first  # and its packed entries
    gazetteer = Gazetteer(index)
    assert "Gamma" in gazetteer and "Beta" not in gazetteer
    assert [c.entry.id for c in gazetteer.lookup("Alpha")] == ["x:0"]


def test_an_index_without_its_trie_still_answers(tmp_path: Path) -> None:
    index = tmp_path / "old.sqlite"
    write_index_file(index, _records("Alpha", "Beta"))
    for trie in tmp_path.glob("*.marisa"):
        trie.unlink()  # as an index written before tries existed
    gazetteer = Gazetteer(index)
    assert "Beta" in gazetteer and "Delta" not in gazetteer
    assert gazetteer.lookup("beta")[0].entry.name == "Beta"


def test_a_failed_build_leaves_the_previous_index_and_trie(tmp_path: Path) -> None:
    index = tmp_path / "gazetteer-test.sqlite"
    write_index_file(index, _records("Alpha"))
    before = sorted(tmp_path.iterdir())

    def broken():
        yield from _records("Omega")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_index_file(index, broken())
    assert sorted(tmp_path.iterdir()) == before  # no temp files, nothing replaced
    assert "Alpha" in Gazetteer(index) and "Omega" not in Gazetteer(index)


def test_default_index_has_a_memory_mapped_trie(gazetteer: Gazetteer) -> None:
    path = build_default_index()
    (stamp,) = (
        sqlite3.connect(path).execute("SELECT value FROM meta WHERE key = 'names_trie'").fetchone()
    )
    assert names_trie_path(path, stamp).exists()


# -- the common-word table ----------------------------------------------------------------
wordfreq = pytest.importorskip("wordfreq")


def _wordfreq_says(word: str) -> tuple[bool, ...]:
    zipf = wordfreq.zipf_frequency(word.casefold(), "en")
    return tuple(zipf >= threshold for threshold in THRESHOLDS)


def _table_says(word: str) -> tuple[bool, ...]:
    return (lexicon.is_common_word(word), lexicon.is_very_common_word(word))


def test_word_table_agrees_with_wordfreq_on_its_vocabulary() -> None:
    """Every 20th word of wordfreq's English list down to Zipf 3 (so the words just below
    the thresholds too), capitalised as names are, and two-word names made of them."""
    words = [w for bucket in wordfreq.get_frequency_list("en")[:601] for w in bucket][::20]
    names = [f"{a.title()} {b.title()}" for a, b in zip(words, reversed(words), strict=True)]
    hyphenated = [f"{a}-{b}" for a, b in zip(words[::7], words[1::7], strict=False)]
    cases = words + [w.title() for w in words] + names + hyphenated
    assert len(cases) > 3000
    assert [w for w in cases if _table_says(w) != _wordfreq_says(w)] == []


def test_word_table_is_exact_above_its_cut_and_for_odd_spellings() -> None:
    odd = ["U.S.", "U.S", "St.", "St. Louis", "O’Leary", "o'hare", "Côte d'Ivoire", "D'Arcy",
           "Don't", "don’t", "Naxçıvan", "Zürich", "İstanbul", "G7", "2024", "1st", "F-16",
           "Stratford-upon-Avon", "New\u00a0York", "Москва", "", "—", "l'homme",
           "PH.d"]  # fmt: skip
    for word in odd:
        ours, theirs = lexicon._zipf(word), wordfreq.zipf_frequency(word.casefold(), "en")
        assert ours == theirs if theirs >= lexicon._TABLE_MIN_ZIPF else ours in (0.0, theirs), word


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="abdeiouhystéçıøßñ .'’-\u00a0\u2011AEST", max_size=12))
def test_word_tokens_are_wordfreqs(word: str) -> None:
    from wordfreq.tokens import lossy_tokenize

    assert lexicon._tokens(word) == lossy_tokenize(word, "en")


def test_geoparse_does_not_load_wordfreq(gazetteer: Gazetteer) -> None:
    lexicon._word_table()  # written once per cache, like the gazetteer index
    script = (
        "import sys\n"
        "from geo.pipeline import geoparse\n"
        "found = geoparse('Reading is nice. In Reading, Nice and Paris the man from the U.S. "
        "met O’Leary in Côte d’Ivoire.')\n"
        "assert [m.text for m in found], found\n"
        "assert 'wordfreq' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
