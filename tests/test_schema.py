"""Layer definitions are checked field by field: one line naming the file, field and reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.gazetteer import Gazetteer
from geo.layer_schema import MAX_FILE_BYTES, CorridorDefinition, load_definition
from geo.layers import LayerError, build_story_layers

CORRIDOR = """kind: corridor
id: route
name: Route
waypoints:
  - {name: Here, lat: 40, lon: 49}
  - {name: There, lat: 41, lon: 45}
sources: [{publication: P}]
"""
CONFLICT = """kind: conflict
id: zone
name: Zone
center: {lat: 43.2, lon: 44.5}
area_km2: 10
sources: [{publication: P}]
"""
NESTED = "[" * 5000 + "]" * 5000
BOMB = "".join(
    [
        "kind: conflict\nid: zone\nname: Zone\nsources: [{publication: P}]\n",
        "center: {lat: 43, lon: 44}\narea_km2: 10\n",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n"
            for i in range(8)
        ),
        "description: *i\n",
    ]
)


def replaced(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("content", "field", "reason"),
    [
        (replaced(CONFLICT, "lat: 43.2", "lat: 95"), "center.lat", "less than or equal to 90"),
        (replaced(CONFLICT, "lat: 43.2", "lat: .nan"), "center.lat", "finite number"),
        (replaced(CONFLICT, "area_km2: 10", "area_km2: .inf"), "area_km2", "finite number"),
        (replaced(CONFLICT, "area_km2: 10", "area_km2: -100"), "area_km2", "greater than 0"),
        (replaced(CONFLICT, "area_km2: 10", "area_km2: 1.0e+308"), "area_km2", "less than or"),
        (replaced(CONFLICT, ", lon: 44.5", ""), "center.lon", "Field required"),
        (replaced(CONFLICT, "center:", "centre:"), "centre", "(did you mean center?)"),
        (replaced(CONFLICT, "area_km2: 10", "polygon: [[0, 0], [1, 1], [1, 0]]"),
         "", "not both"),
        (replaced(CONFLICT, "center: {lat: 43.2, lon: 44.5}\narea_km2: 10",
                  "polygon: [[0, 0], [1, 1], [200, 0]]"), "polygon[2][0]", "less than or equal"),
        (replaced(CORRIDOR, "lat: 41", "lat: 200"), "waypoints[1].lat", "less than or equal"),
        (replaced(CORRIDOR, "lat: 41, lon: 45", "lat: 41"), "waypoints[1]", "both lat and lon"),
        (replaced(CORRIDOR, "name: Route", "name: 123"), "name", "valid string"),
        (replaced(CORRIDOR, "id: route", "id: [a, b]"), "id", "valid string"),
        (replaced(CORRIDOR, "id: route", "id: '../x'"), "id", "pattern"),
        (CORRIDOR + "aliases: Baku\n", "aliases", "must be a list (write [Baku]"),
        (CORRIDOR + "aliases: ['']\n", "aliases[0]", "at least 1 character"),
        (CORRIDOR + "aliases: [' -- ']\n", "aliases[0]", "pattern"),
        (replaced(CORRIDOR, "waypoints:\n  - {name: Here, lat: 40, lon: 49}\n"
                  "  - {name: There, lat: 41, lon: 45}", "waypoints: Baku"),
         "waypoints", "list of at least two waypoints"),
        (replaced(CORRIDOR, "  - {name: There, lat: 41, lon: 45}\n", ""), "waypoints",
         "at least 2 items"),
        (replaced(CORRIDOR, "sources: [{publication: P}]", "sources: [{date: 2024}]"),
         "sources[0].publication", "Field required"),
        (replaced(CORRIDOR, "kind: corridor", "kind: [corridor]"), "kind", "must be 'corridor'"),
        (CORRIDOR + f"description: {NESTED}\n", "description[0][0]", "nesting deeper than"),
        (BOMB, "b[0]", "aliases (*name) are not allowed"),
        (CORRIDOR + "description: 1" + "0" * 5000 + "\n", "", "not valid YAML"),
        ("kind: corridor\nid: x\nname: [unclosed\n", "", "not valid YAML (line 4)"),
    ],
)  # fmt: skip
def test_each_bad_value_is_one_line_naming_file_field_and_reason(
    tiny_gazetteer: Gazetteer, tmp_path: Path, content: str, field: str, reason: str
) -> None:
    path = tmp_path / "layers" / "bad.yaml"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LayerError) as caught:  # the alias bomb is refused at its first alias
        build_story_layers(path.parent, tiny_gazetteer, [])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {field}"), message
    assert reason in message, message


def test_good_definitions_still_load(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        replaced(CORRIDOR, "  - {name: Here, lat: 40, lon: 49}", "  - Baku")
        + "start_date: 2020-11-10\naliases: [Route 1]\n",
        encoding="utf-8",
    )
    definition = load_definition(path)
    assert isinstance(definition, CorridorDefinition)
    assert [w.name for w in definition.waypoints] == ["Baku", "There"]
    assert definition.start_date == "2020-11-10" and definition.aliases == ["Route 1"]


def test_an_oversized_or_special_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(CORRIDOR + "#" * MAX_FILE_BYTES, encoding="utf-8")
    with pytest.raises(LayerError, match="is larger than 1024 KiB"):
        load_definition(big)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(LayerError, match="is not a regular file"):
        load_definition(fifo)  # would block forever if opened


def test_a_bad_definition_fails_the_build_with_exit_2_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from geo.cli import main

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text("Talks in Baku went on.", encoding="utf-8")
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "bad.yaml").write_text(CORRIDOR + "aliases: Baku\n", "utf-8")
    code = main(["build", "--seeds", str(tmp_path / "seeds"), "--layers",
                 str(tmp_path / "layers"), "--site", str(tmp_path / "site")])  # fmt: skip
    assert code == 2
    error = capsys.readouterr().err
    assert "bad.yaml: aliases: must be a list" in error and "Traceback" not in error
    assert not list((tmp_path / "layers").glob("*.geojson")) and not (tmp_path / "site").exists()
