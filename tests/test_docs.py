"""The README documents every command and option the CLI has, and the CLI's choices come
from the modules that implement them (so a new format or layer cannot be left out)."""

from __future__ import annotations

import argparse
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
    from geo.export import FORMATS
    from geo.page import TILES

    choices = {}
    for path, sub in _subparsers(cli._parser()):
        for action in sub._actions:
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                choices[(path, action.dest)] = tuple(action.choices)
    assert set(choices[("export", "format")]) == set(FORMATS)
    assert set(choices[("build", "tiles")]) == {*TILES, "none"}
