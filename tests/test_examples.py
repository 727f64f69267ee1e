"""Everything in examples/ and the README works as shown: every trace runs green with `vmrules run`, every
request file is accepted by `vmrules check`, and the README's Python example and commands run."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli

from vmrules import OPERATIONS

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TRACES = sorted(EXAMPLES.glob("*.jsonl"))
REQUESTS = sorted((EXAMPLES / "requests").glob("*.json"))
SETUP = EXAMPLES / "setup-world.jsonl"
REGENERATE = "vmrules run examples/setup-world.jsonl --out examples/world.json"


def vmrules(*args: str) -> subprocess.CompletedProcess[str]:
    """``vmrules ARGS`` from the repository root, in process (tests/test_cli.py runs the real entry points)."""
    return run_cli(*args, cwd=REPO)


@pytest.fixture(scope="module")
def example_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world examples/requests/ is written for, rebuilt from examples/setup-world.jsonl."""
    out = tmp_path_factory.mktemp("examples") / "world.json"
    result = vmrules("run", str(SETUP), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_there_are_examples() -> None:
    names = {p.name for p in TRACES}
    assert {"lifecycle.jsonl", "disk-limit.jsonl", "image-sharing.jsonl", "resize-generations.jsonl",
            "setup-world.jsonl"} <= names
    assert len(REQUESTS) >= 5


@pytest.mark.parametrize("trace", TRACES, ids=[p.name for p in TRACES])
def test_every_trace_runs_green(trace: Path) -> None:
    result = vmrules("run", str(trace.relative_to(REPO)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].endswith("all as expected")


@pytest.mark.parametrize("request_file", REQUESTS, ids=[p.name for p in REQUESTS])
def test_every_request_is_accepted(request_file: Path, example_world: Path) -> None:
    operation = request_file.name.split(".")[0]
    assert operation in OPERATIONS, f"{request_file.name}: name it OPERATION[.variant].json"
    result = vmrules("check", operation, str(request_file), "--world", str(example_world))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok\n")


def test_example_world_is_up_to_date(example_world: Path) -> None:
    committed = json.loads((EXAMPLES / "world.json").read_text(encoding="utf-8"))
    fresh = json.loads(example_world.read_text(encoding="utf-8"))
    assert committed == fresh, f"examples/world.json is stale; regenerate it: {REGENERATE}"


# ---- README ---------------------------------------------------------------------------------------------

README = (REPO / "README.md").read_text(encoding="utf-8")


def _block(heading: str, language: str = "") -> str:
    section = README.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    assert match is not None, f"no ```{language} block under ## {heading}"
    return match.group(1)


def test_readme_opens_with_the_two_commands() -> None:
    lines = README.splitlines()
    assert lines[:5] == ["# vmrules", "", "```", "pip install . && vmrules run examples/lifecycle.jsonl",
                         'pip install ".[test]" && pytest -n auto']


def test_readme_python_example_runs_and_prints_what_it_says() -> None:
    code = _block("In Python", "python")
    assert len(code.strip().splitlines()) <= 12
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})  # the README's own example
    said = re.search(r"prints `([^`]*)`", README.replace("\n", " "))
    assert said is not None
    assert printed.getvalue().strip() == said.group(1)


def test_readme_commands_run(tmp_path: Path) -> None:
    for line in _block("On the command line").strip().splitlines():
        command = shlex.split(line.split("#", 1)[0])
        if ">" in command:  # `vmrules world > my-world.json`: keep stdout here instead
            command = command[: command.index(">")]
        command = [str(tmp_path / "final.json") if a == "final.json" else a for a in command]
        assert command[0] == "vmrules"
        result = vmrules(*command[1:])
        assert result.returncode == 0, (line, result.stdout, result.stderr)


def test_readme_links_exist() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    assert links
    for link in links:
        assert (REPO / link).exists(), f"README links to {link}, which does not exist"
