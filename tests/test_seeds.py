"""The default corpus: the story places are found, and the committed layers are its build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import REPO


@pytest.fixture
def built(seeds_build: Path) -> Path:
    return seeds_build


def features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def test_story_places_are_found_and_placed(built: Path) -> None:
    places = {f["properties"]["name"]: f for f in features(built / "layers" / "places.geojson")}
    story = ["Baku", "Kursk", "Makhachkala", "Dagestan", "Absheron Peninsula", "Caspian Sea",
             "Persian Gulf", "Kazan", "Beslan", "Karabakh", "Zangezur"]  # fmt: skip
    for name in story:
        assert name in places, name
    assert places["Georgia"]["properties"]["kind"] == "country"
    assert places["Washington"]["properties"]["country_code"] == "US"
    lon, lat = places["Washington"]["geometry"]["coordinates"]
    assert abs(lat - 38.9) < 0.3 and abs(lon + 77.0) < 0.3  # the capital, not the state
    assert any(n.startswith(("Nakhchivan", "Naxçıvan")) for n in places)
    karabakh = {m["text"] for m in places["Karabakh"]["properties"]["mentions"]}
    assert {"Karabakh", "Garabagh"} <= karabakh
    for wrong in ("Rome", "Ilham Aliyev", "Heydar Aliyev", "Radio Free Europe"):
        assert wrong not in places


def test_committed_layers_are_the_build_of_seeds(built: Path) -> None:
    """layers/*.geojson in the repository must be what `storymap build` writes today."""
    for name in ("places", "corridors", "conflicts"):
        fresh = (built / "layers" / f"{name}.geojson").read_bytes()
        assert (REPO / "layers" / f"{name}.geojson").read_bytes() == fresh, (
            f"layers/{name}.geojson is stale: run `storymap build` and commit it"
        )
