"""The docs' front door: docs/README.md links resolve, docs/cli.md covers every subcommand, and every option
of `vmrules serve --help` says what it does and its default."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from vmrules import OPERATIONS, RULES
from vmrules.cli import EXTENSIONS, build_parser
from vmrules.server import build_parser as serve_parser
from vmrules.testing.strategies import targeted_rules

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_front_door_links_resolve() -> None:
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)", text)
    assert len(targets) >= 10
    for target in targets:
        assert (DOCS / target).exists(), target


def test_cli_page_has_a_section_for_every_subcommand() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    commands = set(subparsers.choices) | set(EXTENSIONS)
    assert {"check", "run", "rules", "schema", "world", "serve", "conform"} <= commands
    for command in commands:
        assert f"\n## {command}\n" in text, command


def test_every_serve_option_has_help_with_its_default() -> None:
    for action in serve_parser()._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help and "default" in action.help, action.option_strings


def test_the_testing_page_counts_the_rules_invalid_requests_targets() -> None:
    """docs/testing.md's figure for invalid_requests, against what targeted_rules lists today (it read 119 of
    247 long after the strategies and the catalogue had grown)."""
    text = (DOCS / "testing.md").read_text(encoding="utf-8")
    found = re.search(r"(\d+) of the catalogue's (\d+) rules, at least (\w+) per operation", text)
    assert found is not None
    targeted = {rule for operation in OPERATIONS for rule in targeted_rules(operation)}
    least = min(len(set(targeted_rules(operation))) for operation in OPERATIONS)
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
    assert (int(found[1]), int(found[2]), words.get(found[3])) == (len(targeted), len(RULES), least)
