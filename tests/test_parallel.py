"""Geoparsing on every core: the same output as one core, in input order, bad files named."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from geo.cli import main
from geo.mention_store import read_mentions
from geo.parallel import ArticleResult, geoparse_files, ordered, plan_inputs
from geo.pipeline import geoparse_article

from .helpers import REPO, build, read_outputs, story_definitions, write_articles


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    write_articles(folder)
    return folder


def _geoparse(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["geoparse", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_two_jobs_print_the_same_jsonl_as_one(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code_1, serial, _ = _geoparse(capsys, str(folder), "--jsonl", "--jobs", "1")
    code_2, parallel, _ = _geoparse(capsys, str(folder), "--jsonl", "--jobs", "2")
    assert code_1 == code_2 == 0
    assert parallel == serial
    ids = [json.loads(line)["id"] for line in parallel.splitlines()]
    assert ids == [f"article-{n:02d}" for n in range(20)]  # input (file name) order
    assert all(json.loads(line)["mentions"] for line in parallel.splitlines())


def test_pool_results_equal_the_serial_pipeline(folder: Path, gazetteer) -> None:
    from geo.articles import read_article

    files = sorted(folder.glob("*.txt"), reverse=True)  # any order the caller gives
    outcomes = geoparse_files(files, jobs=2, chunk_size=3)
    results = [r for r in outcomes if isinstance(r, ArticleResult)]
    assert [r.article.id for r in results] == [f.stem for f in files]
    for path, result in zip(files, results, strict=True):
        passages, mentions = geoparse_article(read_article(path), gazetteer=gazetteer)
        assert result == ArticleResult(read_article(path), passages, mentions)


def test_a_bad_file_is_named_and_the_others_go_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_articles(tmp_path, 6)
    (tmp_path / "article-03.txt").write_bytes(b"Baku \xff\xfe talks\n")
    code, out, err = _geoparse(capsys, str(tmp_path), "--jsonl", "--jobs", "2")
    assert code == 1
    assert "article-03.txt: is not valid UTF-8" in err
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert ids == ["article-00", "article-01", "article-02", "article-04", "article-05"]


def test_two_files_with_one_article_id_are_refused_before_reading(tmp_path: Path) -> None:
    write_articles(tmp_path, 2)
    (tmp_path / "article-01.md").write_text("Talks in Baku.\n", encoding="utf-8")
    files, refused = plan_inputs([tmp_path])
    assert [f.name for f in files] == ["article-00.txt", "article-01.md"]
    assert [e.path.name for e in refused] == ["article-01.txt"]
    assert "same article id as" in refused[0].reason


def test_chunks_are_taken_only_a_window_ahead_of_the_results() -> None:
    """Memory stays flat: input is consumed only as far as the results the caller took."""
    taken: list[int] = []

    def chunks() -> Iterator[list[Path]]:
        for n in range(100):
            taken.append(n)
            yield [Path(f"{n}.txt")]

    def submit(chunk: list[Path]) -> Future:
        future: Future = Future()
        future.set_result([chunk[0].stem])
        return future

    results = ordered(submit, chunks(), window=4)
    assert next(results) == "0"
    assert len(taken) == 5  # the window, plus one submitted when the first was done
    assert list(results) == [str(n) for n in range(1, 100)]


def test_out_jsonl_and_parquet_hold_what_build_needs(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], gazetteer
) -> None:
    from geo.articles import read_article

    jsonl, parquet = tmp_path / "m.jsonl", tmp_path / "m.parquet"
    assert _geoparse(capsys, str(folder), "--out", str(jsonl), "--jobs", "1")[0] == 0
    assert _geoparse(capsys, str(folder), "--out", str(parquet), "--jobs", "2")[0] == 0
    expected_passages, expected_mentions = [], []
    for path in sorted(folder.glob("*.txt")):
        passages, mentions = geoparse_article(read_article(path), gazetteer=gazetteer)
        expected_passages += passages
        expected_mentions += mentions
    for store in (jsonl, parquet):
        parsed = read_mentions(store)
        assert [a.id for a in parsed.articles] == [f"article-{n:02d}" for n in range(20)]
        assert parsed.passages == expected_passages
        assert parsed.mentions == expected_mentions
        assert not parsed.errors


def test_out_needs_a_known_format_and_build_a_real_store(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _geoparse(capsys, str(folder), "--out", str(tmp_path / "m.txt"))
    assert code == 2 and "m.txt: the output name must end in NAME.parquet or NAME.jsonl" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    code = main(["build", "--mentions", str(bad), "--site", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 2 and "bad.jsonl: line 1: not a mention record" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_whole_number(
    folder: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["geoparse", str(folder), "--jobs", value])
    assert exit_info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_the_scale_out_modules_do_not_load_geopandas() -> None:
    """geopandas is imported only where a GeoDataFrame is written, never by the geoparse path."""
    code = (
        "import sys, geo.parallel, geo.mention_store\n"
        "assert 'geopandas' not in sys.modules, 'geopandas was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_workers_read_the_metadata_and_dates_the_page_shows_only_when_asked() -> None:
    """``build`` has its workers read each article's headline, date and stated dates (the
    page's dateparser work, spread over the cores); ``geoparse`` does not pay for them."""
    from geo.metadata import article_meta
    from geo.timeline import passage_dates

    paths = sorted((REPO / "seeds").iterdir())
    plain = list(geoparse_files(paths, jobs=1))
    assert all(isinstance(r, ArticleResult) and r.meta is r.dates is None for r in plain)
    for result in geoparse_files(paths, jobs=2, chunk_size=2, story_facts=True):
        assert isinstance(result, ArticleResult) and result.meta is not None
        assert result.meta == article_meta(result.article)
        assert result.dates == passage_dates(result.passages, {result.article.id: result.meta})
    assert any(r.dates for r in geoparse_files(paths, jobs=1, story_facts=True))  # type: ignore[union-attr]


def test_build_with_two_jobs_writes_the_same_layers_and_page(folder: Path, tmp_path: Path) -> None:
    built = {}
    for jobs in ("1", "2"):
        story_definitions(tmp_path / jobs / "layers")
        assert build(tmp_path / jobs, "--seeds", str(folder), "--jobs", jobs) == 0
        built[jobs] = read_outputs(tmp_path / jobs)
    assert built["2"] == built["1"]
    assert gc.isenabled()  # the build pauses the cycle collector only while it runs


def test_a_build_from_a_store_heads_articles_like_a_direct_build(tmp_path: Path) -> None:
    """Headlines, dates and outlets come from the article texts, which stores do not keep."""
    pages = {}
    for way in ("direct", "m.jsonl", "m.parquet"):
        story_definitions(tmp_path / way / "layers")
        source = ["--seeds", str(REPO / "seeds")]
        if way != "direct":
            store = tmp_path / "stores" / way
            assert main(["geoparse", str(REPO / "seeds"), "--out", str(store)]) == 0
            source = ["--mentions", str(store)]
        assert build(tmp_path / way, *source) == 0
        pages[way] = (tmp_path / way / "site" / "index.html").read_text(encoding="utf-8")
    assert pages["m.jsonl"] == pages["direct"] == pages["m.parquet"]
    assert "August 20, 2024" in pages["direct"] or "2024-08-20" in pages["direct"]


def test_a_store_with_a_malformed_date_is_refused_in_one_line(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "m.jsonl"
    assert main(["geoparse", str(folder), "--out", str(store), "--jobs", "1"]) == 0
    capsys.readouterr()
    lines = store.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["meta"] = {"date": "<script>"}
    store.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n", encoding="utf-8")
    code = main(["build", "--mentions", str(store), "--site", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 2 and "m.jsonl: line 1: not a mention record (meta.date" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("store_name", ["m.jsonl", "m.parquet"])
def test_a_store_keeps_its_demonyms_and_no_demonyms_leaves_them_out(
    tmp_path: Path, store_name: str
) -> None:
    """The same places and mentions from a store as from the articles without demonyms (the
    scores may differ: the store's were resolved with the demonyms as evidence)."""
    store = tmp_path / "stores" / store_name
    assert main(["geoparse", str(REPO / "seeds"), "--out", str(store)]) == 0
    places = {}
    for way in ("direct", "store"):
        root = tmp_path / way
        story_definitions(root / "layers")
        source = ["--seeds", str(REPO / "seeds")] if way == "direct" else ["--mentions", str(store)]
        assert build(root, *source, "--no-demonyms") == 0
        features = json.loads((root / "layers" / "places.geojson").read_bytes())["features"]
        places[way] = {
            f["properties"]["id"]: [(m["article"], m["start"], m["text"])
                                    for m in f["properties"]["mentions"]]
            for f in features
        }  # fmt: skip
    assert places["store"] == places["direct"]
    texts = {text for mentions in places["store"].values() for _, _, text in mentions}
    assert "Russian" not in texts and "Russia" in texts
