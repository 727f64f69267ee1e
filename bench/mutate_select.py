"""Per-test line coverage for bench/mutate.py: which fast tests execute which line of vmrules/, recorded once.

``record`` runs in a child process inside an unmutated copy of the tree: pytest runs the fast example tests
in-process under coverage.py, and a small plugin switches coverage's context to each test's node id, so every
executed line is tagged with the tests that executed it (the empty context is import and collection time).
The map also keeps each test's duration and ``@pytest.mark.rule`` ids, and the catalogue's rule ids.
``CoverageMap.tests_for`` turns it into the tests a mutant of one line needs first.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IMPORT_TIME = ""  # coverage's context before the first test switches it: imports, rule factories, collection


class _TestContexts:
    """pytest plugin: each test (setup, call and teardown) runs under its own coverage context."""

    def __init__(self, cov: Any) -> None:
        self.cov = cov
        self.tests: dict[str, dict[str, Any]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, None, None]:
        self.cov.switch_context(item.nodeid)
        started = time.perf_counter()
        yield
        rules = sorted({str(a) for m in item.iter_markers("rule") for a in m.args})
        self.tests[item.nodeid] = {"seconds": round(time.perf_counter() - started, 4), "rules": rules}
        self.cov.switch_context("-")  # between tests: attributed to no test (not to import time either)


def record(tree: Path, files: Sequence[str], out: Path) -> int:
    """Run ``files`` under coverage in ``tree`` (the working directory) and write the map to ``out``."""
    import coverage

    cov = coverage.Coverage(data_file=None, source=[str(tree / "vmrules")], branch=False)
    cov.start()
    plugin = _TestContexts(cov)
    code = pytest.main(["-q", "-p", "no:cacheprovider", "--no-header", *files], plugins=[plugin])
    cov.stop()
    from vmrules.catalogue import CATALOGUE  # imported under coverage above; only read here

    data = cov.get_data()
    lines: dict[str, dict[str, list[str]]] = {}
    for measured in data.measured_files():
        relative = Path(measured).resolve().relative_to((tree / "vmrules").resolve()).as_posix()
        by_line = data.contexts_by_lineno(measured)
        lines[relative] = {str(n): sorted(c for c in contexts if c != "-") for n, contexts in by_line.items()}
    out.write_text(json.dumps({"tests": plugin.tests, "lines": lines, "rule_ids": sorted(CATALOGUE),
                               "preload": _third_party_modules(tree)}), encoding="utf-8")
    return int(code)


def _third_party_modules(tree: Path) -> list[str]:
    """Modules loaded now from outside the tree (stdlib, site-packages): what a fork server may import ahead."""
    inside = (str(tree.resolve()), str(Path(__file__).resolve().parent))
    names = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and not str(Path(file).resolve()).startswith(inside) and not name.startswith(("vmrules", "__")):
            names.append(name)
    return sorted(names)


def tree_hash(root: Path, folders: Iterable[str]) -> str:
    """One hash of every .py file under ``folders`` (names and contents): the map is valid for exactly these."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class CoverageMap:
    """The recorded map: tests (node id → seconds, rule ids), lines (module → line → node ids), rule ids."""


    tests: dict[str, dict[str, Any]]
    lines: dict[str, dict[str, list[str]]]
    rule_ids: frozenset[str]
    preload: list[str]  # modules from outside the tree the tests imported (for bench/mutate_fork.py)

    @staticmethod
    def load(path: Path) -> CoverageMap:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return CoverageMap(raw["tests"], raw["lines"], frozenset(raw["rule_ids"]), list(raw.get("preload", [])))

    def rules_named_in(self, source_constants: Iterable[str]) -> set[str]:
        return {c for c in source_constants if c in self.rule_ids}

    def tests_for(self, module: str, line_span: tuple[int, int], own_files: Sequence[str],
                  module_rules: set[str]) -> list[str]:
        """Node ids (fastest first) to run first for a mutant of lines ``line_span`` of ``module``.

        The tests that execute any of the lines; when a line runs at import time (or no test executes it),
        also the module's own test files, the tests pinning a rule the module names and the tests that execute
        any line of the module (an import-time value, a limit or a rule tuple, acts through the module's code).
        """
        by_line = self.lines.get(module, {})
        contexts = {c for line in range(line_span[0], line_span[1] + 1) for c in by_line.get(str(line), ())}
        chosen = contexts - {IMPORT_TIME}
        if IMPORT_TIME in contexts or not chosen:
            chosen.update(t for t, info in self.tests.items()
                          if t.split("::")[0] in own_files or module_rules.intersection(info["rules"]))
            chosen.update(c for line_contexts in by_line.values() for c in line_contexts if c != IMPORT_TIME)
        chosen.intersection_update(self.tests)
        return sorted(chosen, key=lambda t: (float(self.tests[t]["seconds"]), t))


if __name__ == "__main__":  # python bench/mutate_select.py OUT FILE... (run by bench/mutate.py in a tree copy)
    sys.path.pop(0)  # bench/ itself: its scripts (bench.py, mock.py, ...) are no test's modules
    raise SystemExit(record(Path.cwd(), sys.argv[2:], Path(sys.argv[1])))
