"""Which tests exercise which rules and effects: the ``@pytest.mark.rule("ID", ...)`` and
``@pytest.mark.effect("ID", ...)`` markers, read from the test files' source (AST), without running pytest.

A marker applies to the test function it decorates, to every test of a class it decorates, and to every test
of a module or class that assigns it to ``pytestmark``. Markers inside ``pytest.param(..., marks=...)`` count
for the parametrised test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

TEST_DIRS = ("tests", "property_tests")


@dataclass(frozen=True, slots=True)
class Marker:
    rule_id: str
    test: str  # "tests/test_x.py::test_name" or "tests/test_x.py::TestClass::test_name"
    line: int


@dataclass(frozen=True, slots=True)
class BadMarker:
    """A ``pytest.mark.rule`` whose arguments are not all string literals (cannot be checked statically)."""

    where: str
    line: int


def _is_marker(node: ast.AST, mark: str) -> bool:
    """``pytest.mark.<mark>(...)`` or ``mark.<mark>(...)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.func.attr != mark:
        return False
    owner = node.func.value
    if isinstance(owner, ast.Attribute):
        return owner.attr == "mark"
    return isinstance(owner, ast.Name) and owner.id == "mark"


def _marker_calls(nodes: Iterable[ast.AST], mark: str) -> Iterator[ast.Call]:
    for node in nodes:
        for sub in ast.walk(node):
            if _is_marker(sub, mark):
                assert isinstance(sub, ast.Call)
                yield sub


def _pytestmark(body: list[ast.stmt]) -> list[ast.AST]:
    found: list[ast.AST] = []
    for stmt in body:
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign):
            targets = [stmt.target]
        value = getattr(stmt, "value", None)
        if value is not None and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            found.append(value)
    return found


def _tests(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef,
                                                                   list[ast.AST]]]:
    """(name, function, inherited marker sources) for every test function in ``body``."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith("test"):
            yield f"{prefix}::{stmt.name}", stmt, []
        elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
            inherited: list[ast.AST] = [*stmt.decorator_list, *_pytestmark(stmt.body)]
            for name, fn, more in _tests(stmt.body, f"{prefix}::{stmt.name}"):
                yield name, fn, [*inherited, *more]


def scan_source(source: str, rel_path: str, mark: str = "rule") -> tuple[list[Marker], list[BadMarker]]:
    """The ``mark`` markers (``rule`` or ``effect``) of one test file's source; ``Marker.rule_id`` holds the id."""
    tree = ast.parse(source, filename=rel_path)
    markers: list[Marker] = []
    bad: list[BadMarker] = []
    module_marks = _pytestmark(tree.body)
    for name, fn, inherited in _tests(tree.body, rel_path):
        for call in _marker_calls([*module_marks, *inherited, *fn.decorator_list], mark):
            if not call.args or call.keywords:
                bad.append(BadMarker(name, call.lineno))
            for arg in call.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    markers.append(Marker(arg.value, name, call.lineno))
                else:
                    bad.append(BadMarker(name, call.lineno))
    return markers, bad


def scan(root: Path, mark: str = "rule") -> tuple[list[Marker], list[BadMarker]]:
    """Every ``mark`` marker under the test directories of ``root``, sorted by id and test."""
    markers: list[Marker] = []
    bad: list[BadMarker] = []
    for directory in TEST_DIRS:
        base = root / directory
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            found, wrong = scan_source(path.read_text(encoding="utf-8"), rel, mark)
            markers.extend(found)
            bad.extend(wrong)
    markers.sort(key=lambda m: (m.rule_id, m.test))
    return markers, bad


def tests_by_rule(markers: Iterable[Marker]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in markers:
        tests = out.setdefault(m.rule_id, [])
        if m.test not in tests:
            tests.append(m.test)
    return out
