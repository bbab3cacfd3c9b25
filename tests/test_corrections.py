"""layers/corrections.yaml: pins and rejections that survive rebuilds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.cli import main
from geo.corrections import CorrectionError, apply_corrections, load_corrections
from geo.gazetteer import Gazetteer
from geo.model import Article
from geo.pipeline import geoparse


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_files_give_one_line_naming_the_field(tmp_path: Path) -> None:
    bad = write(tmp_path / "corrections.yaml", "corrections:\n  - name: Paris\n    lat: 1\n")
    with pytest.raises(CorrectionError, match=r"corrections\.yaml: corrections\.0: .*lat and lon"):
        load_corrections(bad)
    both = write(
        tmp_path / "c2.yaml",
        "corrections:\n  - name: X\n    reject: true\n    lat: 1\n    lon: 2\n",
    )
    with pytest.raises(CorrectionError, match="exactly one"):
        load_corrections(both)
    assert load_corrections(tmp_path / "missing.yaml") == []


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
    write(layers / "corrections.yaml", "corrections:\n  - {name: Paris, lat: 33.66, lon: -95.55}\n")
    capsys.readouterr()
    assert main(args) == 0
    assert "correction used (1 mentions)" in capsys.readouterr().err
    places = json.loads((layers / "places.geojson").read_text())
    paris = next(f for f in places["features"] if f["properties"]["name"] == "Paris")
    assert paris["geometry"]["coordinates"] == [-95.55, 33.66]
    write(layers / "corrections.yaml", "corrections:\n  - {name: Paris, lat: 100, lon: 0}\n")
    assert main(args) == 2
    assert "corrections.yaml: corrections.0.lat" in capsys.readouterr().err
