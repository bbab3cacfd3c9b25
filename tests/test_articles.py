"""Reading article files: exact decoding, and one clear reason for every bad file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.articles import read_article, read_articles
from geo.model import InputError


def test_bom_removed_and_crlf_kept_so_offsets_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffBaku\r\nMoscow".encode())
    article = read_article(path)
    assert article.id == "a"
    assert article.text == "Baku\r\nMoscow"
    assert article.text == path.open(encoding="utf-8-sig", newline="").read()


def test_bad_files_each_get_one_reason_and_the_rest_are_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Baku is a city.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (tmp_path / "latin1.txt").write_bytes("Bakı café".encode("latin-1", "replace") + b"\xe9")
    (tmp_path / "markup.html").write_text("<p> </p><br/>", encoding="utf-8")
    (tmp_path / "notes.csv").write_text("ignored,because,suffix", encoding="utf-8")
    articles, errors = read_articles([tmp_path], progress=False)
    assert [a.id for a in articles] == ["good"]
    reasons = {error.path.name: error.reason for error in errors}
    assert set(reasons) == {"empty.txt", "binary.txt", "latin1.txt", "markup.html"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"] and "byte" in reasons["latin1.txt"]
    assert "markup" in reasons["markup.html"]
    assert all(str(error).startswith(str(error.path)) for error in errors)


@pytest.mark.parametrize("megabytes", [2, pytest.param(20, marks=pytest.mark.slow, id="20-slow")])
def test_a_big_article_is_read_and_split(tmp_path: Path, megabytes: int) -> None:
    from geo.passages import split_passages

    sentence = "Delegations travelled from Baku to Moscow on the night train. "
    path = tmp_path / "big.txt"
    count = megabytes * 2**20 // len(sentence) + 1
    path.write_text("\n".join(sentence * 10 + str(i) for i in range(count // 10)), "utf-8")
    article = read_article(path)
    assert len(article.text) >= megabytes * 2**20 * 0.99
    passages = split_passages(article)
    assert len(passages) > megabytes * 5_000
    last = passages[-1]
    assert article.text[last.start : last.end] == last.text


def test_two_thousand_articles_in_one_folder(tmp_path: Path) -> None:
    for i in range(2000):
        (tmp_path / f"{i:04d}.txt").write_text(f"Report {i} from Baku.", encoding="utf-8")
    (tmp_path / "1000.txt").write_bytes(b"\x7fELF\x00bad")  # binary: NUL bytes, no text mark
    articles, errors = read_articles([tmp_path], progress=False)
    assert len(articles) == 1999 and [e.path.name for e in errors] == ["1000.txt"]


def test_same_stem_in_two_folders_is_reported_not_overwritten(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_text(f"From {folder}.", encoding="utf-8")
    articles, errors = read_articles([tmp_path / "one", tmp_path / "two"], progress=False)
    assert [a.text for a in articles] == ["From one."]
    assert "same article id" in errors[0].reason


def test_a_sub_folder_with_articles_is_named_not_dropped_silently(tmp_path: Path) -> None:
    from geo.articles import find_article_files

    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "talks.txt").write_text("Talks in Baku.", encoding="utf-8")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "map.png").write_bytes(b"\x89PNG")
    (tmp_path / "top.txt").write_text("Talks in Moscow.", encoding="utf-8")
    found, skipped = find_article_files([tmp_path])
    assert found == [tmp_path / "top.txt"]
    assert [(e.path, "sub-folder with articles" in str(e)) for e in skipped] == [
        (tmp_path / "2024", True)
    ]


@pytest.mark.parametrize("stated", [0, 5, 10_000])
def test_a_file_that_changed_size_since_it_was_listed_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stated: int
) -> None:
    """Files are read in a buffer of the size ``fstat`` gave; one that grew (or shrank)
    in between is still read to its end, and only up to the size limit."""
    import geo.articles as articles

    path = tmp_path / "growing.txt"
    path.write_text("Leaders met in Baku. " * 40, encoding="utf-8")
    real_fstat = os.fstat

    def fstat(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((*info[:6], stated, *info[7:]))

    monkeypatch.setattr(articles.os, "fstat", fstat)
    assert read_article(path).text == "Leaders met in Baku. " * 40
    if stated < 100:  # listed under the limit, over it when read
        monkeypatch.setattr(articles, "MAX_BYTES", 100)
        with pytest.raises(InputError, match="grew past"):
            read_article(path)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_read_with_offsets_into_its_text(
    tmp_path: Path, encoding: str
) -> None:
    """Windows editors save "Unicode" text as UTF-16 with a byte-order mark."""
    path = tmp_path / "notepad.txt"
    mark = {"utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}.get(encoding, "")
    path.write_bytes((mark + "Floods reached Sukkur in Sindh.\r\n").encode(encoding))
    article = read_article(path)
    assert article.text == "Floods reached Sukkur in Sindh.\r\n"
    assert article.text[15:21] == "Sukkur"


def test_other_encodings_are_refused_with_a_hint_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "cp1252.txt").write_bytes("Caf\u00e9 in Ath\u00e8nes".encode("cp1252"))
    (tmp_path / "odd.txt").write_bytes(b"\xff\xfeB\x00a\x00k")  # UTF-16, cut mid-character
    (tmp_path / "bom-then-nul.txt").write_bytes(b"\xff\xfe\x00\x00\x00\x00")
    (tmp_path / "bom-only.txt").write_bytes(b"\xff\xfe")
    _, errors = read_articles([tmp_path], progress=False)
    reasons = {error.path.name: error.reason for error in errors}
    assert reasons["cp1252.txt"] == "is not valid UTF-8 (bad byte 0xe9 at byte 3); save it as UTF-8"
    assert (
        reasons["odd.txt"].startswith("is not valid UTF-16 (")
        and "save it as UTF-8" in reasons["odd.txt"]
    )
    assert "binary" in reasons["bom-then-nul.txt"]
    assert reasons["bom-only.txt"] == "is empty"
