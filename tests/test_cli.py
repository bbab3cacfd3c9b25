"""The ``storymap`` command as a user runs it: build, geoparse, exit codes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main

from .helpers import build, read_outputs, story_definitions

ARTICLE = (
    "Leaders met in Baku on Monday.\n"
    "The talks in Baku's old town also touched on the Caspian Sea and on Moscow's plans.\n"
    "Officials from Armenia and Georgia were not invited.\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A tiny project: one article, the repository's story definitions, an empty site."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "talks.txt").write_text(ARTICLE, encoding="utf-8")
    story_definitions(tmp_path / "layers")
    return tmp_path


def test_build_writes_sourced_layers_and_page(project: Path) -> None:
    assert build(project) == 0
    places = json.loads((project / "layers" / "places.geojson").read_text(encoding="utf-8"))
    assert places["type"] == "FeatureCollection"
    by_name = {f["properties"]["name"]: f for f in places["features"]}
    assert {"Baku", "Caspian Sea", "Moscow", "Armenia", "Georgia"} <= set(by_name)
    passages = {(p["article"], p["index"]): p for p in places["passages"]}
    baku = by_name["Baku"]
    lon, lat = baku["geometry"]["coordinates"]
    assert abs(lat - 40.38) < 0.2 and abs(lon - 49.89) < 0.2
    assert baku["properties"]["mention_count"] == 2
    assert baku["properties"]["country_code"] == "AZ"
    for mention in baku["properties"]["mentions"]:
        assert ARTICLE[mention["start"] : mention["end"]] == mention["text"]
        assert mention["article"] == "talks"
        passage = passages[(mention["article"], mention["passage"])]
        assert ARTICLE[passage["start"] : passage["end"]] == passage["text"]
        assert passage["start"] <= mention["start"] < mention["end"] <= passage["end"]
    assert by_name["Georgia"]["properties"]["country_code"] == "GE"
    for name in ("corridors", "conflicts"):
        layer = json.loads((project / "layers" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert layer["type"] == "FeatureCollection" and layer["features"]
    html = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "Caspian Sea" in html


def test_build_is_byte_identical_when_repeated(project: Path) -> None:
    assert build(project) == 0
    first = read_outputs(project)
    assert build(project) == 0
    assert read_outputs(project) == first


def test_bad_file_is_named_and_skipped_others_still_built(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "seeds" / "broken.txt").write_bytes(b"Baku \xff\xfe is here")
    assert build(project) == 1
    err = capsys.readouterr().err
    assert "broken.txt" in err
    places = json.loads((project / "layers" / "places.geojson").read_text(encoding="utf-8"))
    assert any(f["properties"]["name"] == "Baku" for f in places["features"])


def test_no_readable_article_fails_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "seeds"
    empty.mkdir()
    (empty / "empty.txt").write_text("", encoding="utf-8")
    code = main(["build", "--seeds", str(empty), "--site", str(tmp_path / "site")])
    assert code == 2
    err = capsys.readouterr().err
    assert "empty.txt" in err and "no readable article" in err


def test_bad_layer_definition_keeps_previousbuild(project: Path) -> None:
    assert build(project) == 0
    before = (project / "layers" / "places.geojson").read_bytes()
    (project / "layers" / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    assert build(project) == 2
    assert (project / "layers" / "places.geojson").read_bytes() == before


def test_geoparse_jsonl_one_line_per_file_with_exact_offsets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "one.txt"
    one.write_text("\ufeffFlights from Kazan to Baku resumed.\r\nTehran welcomed it.", "utf-8")
    two = tmp_path / "two.txt"
    two.write_text("Nothing to see here.", encoding="utf-8")
    assert main(["geoparse", str(one), str(two), "--jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ["one", "two"]
    decoded = one.read_bytes().decode("utf-8-sig")
    names = {m["name"] for m in records[0]["mentions"]}
    assert {"Kazan", "Baku", "Tehran"} <= names
    for m in records[0]["mentions"]:
        assert decoded[m["start"] : m["end"]] == m["text"]
        assert set(m) == {
            "start", "end", "text", "name", "lat", "lon",
            "kind", "country_code", "gazetteer_id", "score", "alternatives", "demonym",
        }  # fmt: skip
    assert records[1]["mentions"] == []


def test_geoparse_missing_path_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["geoparse", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt" in capsys.readouterr().err
