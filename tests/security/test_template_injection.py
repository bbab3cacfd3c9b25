"""Untrusted text is data, never a template: article text, file names, layer YAML and
gazetteer names reach the page literally, and nothing in them is evaluated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from geo.page import render_page

from ..helpers import build, story_definitions
from ..page_fixture import fixture_story

PAYLOADS = (
    "{{ 7*7 }}",
    "{{ lipsum.__globals__['os'].popen('echo PWNED-BY-ARTICLE').read() }}",
    "{% for x in range(3) %}LOOP{% endfor %}",
    "the C# code {# looks odd here",
    "{{ '%c/script%c%cscript%cwindow.__pwned=1%c/script%c' % (60,62,60,62,60,62) }}",
)


def _page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="storymap-data">(.*?)</script>', html,
                      re.S)  # fmt: skip
    assert match, "the page carries its data as one JSON block"
    return json.loads(match.group(1))


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_template_syntax_in_an_article_is_shown_literally(tmp_path: Path, payload: str) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(f"Talks in Paris {payload} continued in Berlin.\n", "utf-8")
    assert build(tmp_path) == 0
    html = (tmp_path / "site" / "index.html").read_text("utf-8")
    data = _page_data(html)
    assert any(payload in text for text in _texts(data["articles"]))
    assert "PWNED-BY-ARTICLE\n" not in html and "LOOPLOOP" not in html
    assert "<script>window.__pwned" not in html
    assert "Talks in Paris 49" not in html


def test_template_syntax_in_file_names_and_layer_yaml_is_data(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "{{ 7*7 }} {% raw %}.txt").write_text(  # names the zone: the page shows it
        "Leaders met in Baku and Moscow to talk about Karabakh.\n", "utf-8"
    )
    layers = story_definitions(tmp_path / "layers")
    zone = layers / "conflicts" / "nagorno-karabakh.yaml"
    definition = yaml.safe_load(zone.read_text("utf-8"))
    definition["description"] = "{{ 6*7 }} {# " + definition["description"]
    zone.write_text(yaml.safe_dump(definition, allow_unicode=True), "utf-8")
    assert build(tmp_path) == 0
    data = _page_data((tmp_path / "site" / "index.html").read_text("utf-8"))
    assert [a["id"] for a in data["articles"]] == ["{{ 7*7 }} {% raw %}"]
    descriptions = [f["properties"]["description"] for f in data["layers"]["conflicts"]["features"]]
    assert any(d.startswith("{{ 6*7 }} {#") for d in descriptions)


def test_template_syntax_in_gazetteer_names_and_the_title_is_data() -> None:
    story = fixture_story()
    story.places.loc[0, "name"] = "{{ 7*7 }}{% if 1 %}X{% endif %}"
    html = render_page(story, title="Story {{ 7*7 }} </title><script>alert(1)</script>")
    names = [f["properties"]["name"] for f in _page_data(html)["layers"]["places"]["features"]]
    assert "{{ 7*7 }}{% if 1 %}X{% endif %}" in names
    assert "<title>Story {{ 7*7 }} &lt;/title&gt;&lt;script&gt;" in html
    assert "<script>alert(1)" not in html
