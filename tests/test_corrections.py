"""layers/corrections.yaml: pins and rejections that survive rebuilds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.cli import main
from geo.corrections import (
    Correction,
    CorrectionError,
    apply_corrections,
    entry_line,
    load_corrections,
)
from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.pipeline import geoparse


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_files_give_one_line_naming_the_field(tmp_path: Path) -> None:
    bad = write(tmp_path / "corrections.yaml", "corrections:\n  - name: Paris\n    lat: 1\n")
    with pytest.raises(
        CorrectionError, match=r"corrections\.yaml: corrections\[0\]: .*lat and lon"
    ):
        load_corrections(bad)
    both = write(
        tmp_path / "c2.yaml",
        "corrections:\n  - name: X\n    reject: true\n    lat: 1\n    lon: 2\n",
    )
    with pytest.raises(CorrectionError, match="exactly one"):
        load_corrections(both)
    assert load_corrections(tmp_path / "missing.yaml") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("corrections:\n  - nam: Paris\n    reject: true\n",
         "corrections[0].nam: is not a known field (did you mean name?)"),
        ("corrections:\n  - {name: Kalam, reject: true}\n  - {name: kalam, lat: 35, lon: 72}\n",
         "corrections[0] and corrections[1] both correct 'kalam' in every article, differently"),
        ("corrections:\n\t- name: Paris\n", "is not valid YAML (line 2)"),
        ("a: &x [1]\nb: *x\n", "aliases (*name) are not allowed"),
    ],
)  # fmt: skip
def test_a_reviewer_s_mistake_is_named_with_its_place(
    tmp_path: Path, content: str, message: str
) -> None:
    path = write(tmp_path / "corrections.yaml", content)
    with pytest.raises(CorrectionError) as caught:
        load_corrections(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_empty_list_and_lines_pasted_without_the_heading_are_read(tmp_path: Path) -> None:
    assert load_corrections(write(tmp_path / "empty.yaml", "corrections:\n")) == []
    pasted = write(tmp_path / "pasted.yaml", '  - {name: "Paris", reject: true}\n')
    assert [c.name for c in load_corrections(pasted)] == ["Paris"]
    same_twice = write(tmp_path / "twice.yaml", "- {name: Lyon, reject: true}\n" * 2)
    assert len(load_corrections(same_twice)) == 2  # a repeat says nothing new: allowed


def test_pin_reject_and_coordinates(tmp_path: Path, gazetteer: Gazetteer) -> None:
    text = "Fishermen in Paris and Lyon protested. The base at Camp Ortega was closed."
    article = Article("story", text)
    mentions = geoparse(text, gazetteer=gazetteer, article="story")
    paris_tx = next(c for c in gazetteer.lookup("Paris") if c.entry.country_code == "US")
    path = write(
        tmp_path / "corrections.yaml",
        "corrections:\n"
        f"  - {{name: Paris, article: story, gazetteer_id: '{paris_tx.entry.id}'}}\n"
        "  - {name: Lyon, reject: true}\n"
        "  - {name: Camp Ortega, lat: 10.5, lon: 20.25}\n"
        "  - {name: Atlantis, reject: true}\n",
    )
    fixed, report = apply_corrections(mentions, [article], load_corrections(path), gazetteer)
    by_text = {m.text: m for m in fixed}
    assert by_text["Paris"].gazetteer_id == paris_tx.entry.id
    assert "Lyon" not in by_text
    assert (by_text["Camp Ortega"].lat, by_text["Camp Ortega"].lon) == (10.5, 20.25)
    assert [c.name for c in report.unmatched] == ["Atlantis"]
    assert len(report.used) == 3


NAMES = ["<img src=x onerror=alert(1)>", 'a "b": c # d', "O'Hare\nnext", "Naxçıvan", "yes",
         "null", "- dash", "&anchor *alias !tag", "🙂 {[,]}", "back\\slash",
         "del\x7f nel\x85 ls\u2028 bom\ufeff nul\x00"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_an_entry_line_reads_back_as_the_same_correction(tmp_path: Path, name: str) -> None:
    """The page offers these lines to paste; whatever a name holds, the build must read the
    correction the reviewer chose, not another one or an error."""
    for correction in (
        Correction(name=name, reject=True),
        Correction(name=name, article="a: b", gazetteer_id="geonames:4717560"),
        Correction(name=name, lat=-33.4, lon=151.3),
    ):
        line = entry_line(correction)
        assert "\n" not in line
        path = write(tmp_path / "corrections.yaml", f"corrections:\n{line}\n")
        assert load_corrections(path) == [correction]


def page_places(page: Path) -> dict[str, dict]:
    """The places of a built page by name, as its script reads them (review lines included)."""
    found = re.search(r'id="storymap-data">(.*?)</script>', page.read_text(encoding="utf-8"), re.S)
    assert found
    features = json.loads(found.group(1))["layers"]["places"]["features"]
    return {f["properties"]["name"]: f["properties"] for f in features}


@pytest.mark.slow
def test_build_applies_corrections_and_rebuilds(tmp_path: Path, capsys) -> None:
    seeds = tmp_path / "articles"
    seeds.mkdir()
    write(seeds / "fair.txt", "Farmers from Paris brought cattle to the fair in Dallas.\n")
    layers = tmp_path / "layers"
    layers.mkdir()
    args = ["build", "--seeds", str(seeds), "--layers", str(layers),
            "--site", str(tmp_path / "site"), "--tiles", "none"]  # fmt: skip
    assert main(args) == 0
    places = json.loads((layers / "places.geojson").read_text())
    paris = next(f for f in places["features"] if f["properties"]["name"] == "Paris")
    assert paris["properties"]["country_code"] == "FR"
    # The reviewer clicks "Use this" beside Paris, Texas and "Not a place" on Dallas, and
    # pastes the two lines the page shows.
    on_page = page_places(tmp_path / "site" / "index.html")
    texas = next(i for i, a in enumerate(on_page["Paris"]["alternatives"]) if a["lon"] < -90)
    alternative = on_page["Paris"]["alternatives"][texas]
    pasted = [on_page["Paris"]["_fix"]["use"][texas], on_page["Dallas"]["_fix"]["reject"]]
    write(layers / "corrections.yaml", "corrections:\n" + "\n".join(pasted) + "\n")
    assert main(args) == 0
    places = json.loads((layers / "places.geojson").read_text())
    assert [f["properties"]["name"] for f in places["features"]] == ["Paris"]  # no Dallas
    moved = places["features"][0]
    assert moved["properties"]["gazetteer_id"] == alternative["gazetteer_id"]
    assert moved["geometry"]["coordinates"] == [alternative["lon"], alternative["lat"]]
    assert "Dallas" not in page_places(tmp_path / "site" / "index.html")
    write(layers / "corrections.yaml", "corrections:\n  - {name: Paris, lat: 33.66, lon: -95.55}\n")
    capsys.readouterr()
    assert main(args) == 0
    assert "correction used (1 mention)" in capsys.readouterr().err
    places = json.loads((layers / "places.geojson").read_text())
    paris = next(f for f in places["features"] if f["properties"]["name"] == "Paris")
    assert paris["geometry"]["coordinates"] == [-95.55, 33.66]
    write(layers / "corrections.yaml", "corrections:\n  - {name: Paris, lat: 100, lon: 0}\n")
    assert main(args) == 2
    assert "corrections.yaml: corrections[0].lat" in capsys.readouterr().err


def test_a_demonym_pinned_by_a_reviewer_is_a_pin(tmp_path: Path, gazetteer: Gazetteer) -> None:
    from geo.frames import places_frame
    from geo.pipeline import geoparse_article

    text = "An Italian agency quoted the minister in Baku."
    article = Article("story", text)
    passages, mentions = geoparse_article(article, gazetteer=gazetteer)
    assert "Italy" not in list(places_frame(mentions, passages)["name"])  # a demonym alone
    italy = next(c for c in gazetteer.lookup("Italy") if c.entry.kind == "country")
    path = write(tmp_path / "c.yaml", f"- {{name: Italian, gazetteer_id: '{italy.entry.id}'}}\n")
    fixed, report = apply_corrections(mentions, [article], load_corrections(path), gazetteer)
    assert len(report.used) == 1
    assert "Italy" in list(places_frame(fixed, passages)["name"])  # the reviewer's pin shows
