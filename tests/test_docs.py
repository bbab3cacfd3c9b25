"""The README documents every command and option the CLI has, and the CLI's choices come
from the modules that implement them (so a new format or layer cannot be left out).

The CLI writes its choices out rather than importing them, to start without geopandas;
these tests import the modules' constants and compare."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from geo import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix} {name}".strip()
                yield path, sub
                yield from _subparsers(sub, path)


def _cli_choices() -> dict[tuple[str, str], set[str]]:
    """(command, option) → its choices, for every option of the CLI that has choices."""
    choices = {}
    for path, sub in _subparsers(cli._parser()):
        for action in sub._actions:
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                choices[(path, action.option_strings[-1])] = set(action.choices)
    return choices


def _readme_choices() -> dict[tuple[str, str], set[str]]:
    """(command, option) → the alternatives the README's synopsis lists (``[--x a|b]``)."""
    block = README.split("## Commands", 1)[1].split("```")[1]
    found, command = {}, ""
    for line in block.splitlines():
        if line.startswith("storymap "):
            command = line.split()[1]
        for option, values in re.findall(r"\[(--[a-z-]+) ([a-z]+(?:\|[a-z]+)+)\]", line):
            found[(command, option)] = set(values.split("|"))
    return found


def test_every_command_and_option_is_in_the_readme() -> None:
    missing = []
    for path, sub in _subparsers(cli._parser()):
        if f"storymap {path}" not in README:
            missing.append(f"storymap {path}")
        for action in sub._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                if option.startswith("--") and option not in README and option != "--help":
                    missing.append(f"storymap {path} {option}")
    assert missing == [], f"not documented in README.md: {missing}"


def test_cli_choices_come_from_the_modules() -> None:
    from geo.evaluate import CORPUS_FORMATS
    from geo.export import FORMATS
    from geo.geocoders import ONLINE_GEOCODERS
    from geo.page import TILES

    geocoders = {"offline", *ONLINE_GEOCODERS}
    # Every option with choices is listed: a new one fails here until it is checked too.
    assert _cli_choices() == {
        ("build", "--tiles"): {*TILES, "none"},
        ("build", "--geocoder"): geocoders,
        ("geoparse", "--geocoder"): geocoders,
        ("export", "--format"): set(FORMATS),
        ("evaluate", "--format"): set(CORPUS_FORMATS),
    }


def test_the_cli_builds_every_layer_and_export_knows_them() -> None:
    from geo.layers import LAYER_NAMES

    assert cli.LAYERS == LAYER_NAMES
    assert _readme_choices()[("export", "--layer")] == set(LAYER_NAMES)


def test_the_readme_synopsis_lists_the_cli_choices() -> None:
    readme = _readme_choices()
    listed = {key: values for key, values in _cli_choices().items() if key in readme}
    assert listed == {key: readme[key] for key in listed}
    assert {("build", "--tiles"), ("export", "--format"), ("evaluate", "--format")} <= set(listed)
