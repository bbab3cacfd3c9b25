"""The geoparser on a Dask cluster (two worker processes): the same results as one process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.cli import main

from .helpers import build, read_outputs, story_definitions, write_articles

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # a two-process cluster and its warm-up: ~25 s on 2 shared cores


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    write_articles(folder, 20)
    (folder / "article-07.txt").write_bytes(b"\x00\x01 binary")
    return folder


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Five files per part, so 20 articles make several parts and several Dask tasks."""
    monkeypatch.setattr("geo.mention_store.PART_FILES", 5)


def _files(store: Path) -> dict[str, bytes]:
    if store.is_file():
        return {store.name: store.read_bytes()}
    return {str(p.relative_to(store)): p.read_bytes() for p in sorted(store.rglob("*.parquet"))}


@pytest.mark.parametrize("name", ["mentions.parquet", "mentions.jsonl"])
def test_cluster_store_is_identical_to_the_single_process_one(
    scheduler: str, folder: Path, tmp_path: Path, name: str, small_parts: None, capsys
) -> None:
    local, remote = tmp_path / "local" / name, tmp_path / "cluster" / name
    assert main(["geoparse", str(folder), "--jobs", "1", "--out", str(local)]) == 1
    assert main(["geoparse", str(folder), "--scheduler", scheduler, "--out", str(remote)]) == 1
    err = capsys.readouterr().err
    assert err.count("article-07.txt: looks binary") == 2  # the read error, named both times
    assert _files(remote) == _files(local)
    if name.endswith(".parquet"):
        assert sorted(_files(remote)) == [
            *(f"_articles/part-0000{n}.parquet" for n in range(4)),
            *(f"part-0000{n}.parquet" for n in range(4)),
        ]


def test_parquet_store_has_one_point_row_per_mention(
    scheduler: str, folder: Path, tmp_path: Path, capsys
) -> None:
    import geopandas as gpd

    store = tmp_path / "mentions.parquet"
    assert main(["geoparse", str(folder), "--scheduler", scheduler, "--out", str(store)]) == 1
    assert main(["geoparse", str(folder), "--jsonl", "--jobs", "1"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    frame = gpd.read_parquet(store)
    assert len(frame) == sum(len(line["mentions"]) for line in lines)
    assert frame.crs.to_epsg() == 4326 and set(frame.geom_type) == {"Point"}
    first = lines[0]["mentions"][0]
    row = frame.iloc[0]
    assert (row["article"], row["start"], row["end"], row["text"]) == (
        lines[0]["id"], first["start"], first["end"], first["text"]
    )  # fmt: skip
    assert (row.geometry.x, row.geometry.y) == (first["lon"], first["lat"])
    assert row["passage"][row["start"] - row["passage_start"] :].startswith(row["text"])
    assert Path(row["path"]).is_absolute()


def test_scheduler_without_out_prints_jsonl_in_input_order(
    scheduler: str, folder: Path, capsys
) -> None:
    assert main(["geoparse", str(folder), "--jsonl", "--jobs", "1"]) == 1
    local = capsys.readouterr().out
    assert main(["geoparse", str(folder), "--jsonl", "--scheduler", scheduler]) == 1
    assert capsys.readouterr().out == local


def test_build_from_the_cluster_store_equals_a_direct_build(
    scheduler: str, folder: Path, tmp_path: Path, capsys
) -> None:
    store = tmp_path / "mentions.parquet"
    assert main(["geoparse", str(folder), "--scheduler", scheduler, "--out", str(store)]) == 1
    built = {}
    for way, source in (("direct", "--seeds"), ("store", "--mentions")):
        story_definitions(tmp_path / way / "layers")
        path = folder if way == "direct" else store
        assert build(tmp_path / way, source, str(path)) in (0, 1)
        built[way] = read_outputs(tmp_path / way)
    assert built["store"] == built["direct"]
    assert json.loads(built["store"]["layers/places.geojson"])["features"]


def test_an_unreachable_scheduler_is_one_line(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr("geo.distributed.CONNECT_TIMEOUT", "1s")
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    code = main(
        ["geoparse", str(folder), "--scheduler", address, "--out", str(tmp_path / "m.jsonl")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"storymap: error: {address}: cannot reach the Dask scheduler")
    assert len(err.strip().splitlines()) == 1
