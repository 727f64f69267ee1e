"""The core's imports run one way: each core module sits in a layer (docs/architecture.md) and imports only from
its own layer or lower ones, and the import graph, counting imports inside functions too, has no cycle. The
shells, read by the same walker, import one another in one direction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vmrules.model import TASK_KINDS
from vmrules.operations import COMPLETIONS

ROOT = Path(__file__).resolve().parent.parent / "vmrules"
SHELLS = ("cli", "server", "wire", "testing", "docgen", "schema")  # as in test_core_boundaries

# Lowest first. A module imports from its own layer or below; within a layer the graph must still be acyclic.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("foundation", ("vmrules.ids", "vmrules.clock", "vmrules.errors", "vmrules.model", "vmrules.plain",
                    "vmrules.request_fields", "vmrules.bulk")),
    ("indexes", ("vmrules.indexes", "vmrules.task_starts")),
    ("state", ("vmrules.state",)),
    ("world readers", ("vmrules.usage", "vmrules.views", "vmrules.consistency",
                       "vmrules.snapshot.document")),
    ("builders", ("vmrules.builders",)),
    ("world codecs", ("vmrules.snapshot", "vmrules.snapshot.reading", "vmrules.snapshot.writing",
                      "vmrules.defaults")),
    ("world", ("vmrules.world",)),
    ("rules", ("vmrules.rules", "vmrules.effects", "vmrules.request_rules", "vmrules.operation")),
    ("operations", ("vmrules.operations",)),
    ("entry points", ("vmrules.engine", "vmrules.api", "vmrules.catalogue", "vmrules.spec_examples",
                        "vmrules.__main__")),
    ("package", ("vmrules",)),
)


def _module_name(path: Path) -> str:
    parts = ["vmrules", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def shell_of(module: str) -> str | None:
    """The shell a module belongs to (``vmrules.cli.inputs`` -> ``cli``), None for a core module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in SHELLS else None


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
CORE: dict[str, Path] = {name: path for name, path in MODULES.items() if shell_of(name) is None}


def layer_of(module: str) -> int:
    """The layer index of a core module: the layer naming it or, failing that, its nearest package."""
    name = module
    while True:
        for index, (_, members) in enumerate(LAYERS):
            if name in members:
                return index
        if "." not in name:
            raise AssertionError(f"{module} is in no layer of tests/test_import_layers.py")
        name = name.rsplit(".", 1)[0]


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = importer if MODULES[importer].name == "__init__.py" else importer.rsplit(".", 1)[0]
    for _ in range(node.level - 1):
        package = package.rsplit(".", 1)[0]
    return f"{package}.{node.module}" if node.module else package


def imports_of(module: str) -> set[str]:
    """The modules of the package ``module`` imports anywhere in its source (top level, functions, ``if`` blocks).

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module, else ``pkg``. The implicit
    import of a package's ``__init__`` when one of its submodules is imported is not counted (that is how
    Python packages work, not a dependency the module states)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != module)
    return found


GRAPH: dict[str, set[str]] = {module: imports_of(module) & CORE.keys() for module in CORE}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of modules (first == last), or None when it is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target):], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_the_core_is_found_and_every_module_has_a_layer() -> None:
    assert {"vmrules.world", "vmrules.state", "vmrules.engine", "vmrules.operations.describe"} <= set(CORE)
    for module in CORE:
        layer_of(module)


def test_no_core_module_imports_from_a_higher_layer() -> None:
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
              for module, targets in GRAPH.items() for target in sorted(targets)
              if layer_of(target) > layer_of(module)]
    assert upward == []


def test_the_core_import_graph_has_no_cycle() -> None:
    assert find_cycle(GRAPH) is None


def test_the_shells_import_each_other_one_way() -> None:
    # The shells may lean on one another (the CLI on docgen, the kit on the server), but in one direction: a
    # late import inside a function would otherwise hide a cycle (docgen and schema once had one, schema reading
    # docgen's worked examples, until the examples moved to vmrules/spec_examples.py).
    graph: dict[str, set[str]] = {shell: set() for shell in SHELLS}
    for module in MODULES:
        shell = shell_of(module)
        if shell is not None:
            reached = {shell_of(target) for target in imports_of(module)}
            graph[shell] |= {other for other in reached if other is not None and other != shell}
    assert "schema" in graph["docgen"] and "wire" in graph["server"]
    assert find_cycle(graph) is None


def test_the_checks_catch_what_they_are_for() -> None:
    # An upward arrow is one the layer table ranks higher; a cycle is found through any number of modules.
    assert layer_of("vmrules.operations.describe") > layer_of("vmrules.world") > layer_of("vmrules.model")
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


@pytest.mark.parametrize("source, expected", [
    ("def f():\n    from vmrules.engine import execute\n", {"vmrules.engine"}),
    ("from . import builders\n", {"vmrules.builders"}),
    ("import vmrules.snapshot.reading\n", {"vmrules.snapshot.reading"}),
])
def test_function_level_and_relative_imports_are_counted(source: str, expected: set[str], tmp_path: Path) -> None:
    # The source stands in for vmrules/state.py; relative imports resolve against its package (vmrules).
    fake = tmp_path / "state.py"
    fake.write_text(source, encoding="utf-8")
    original, MODULES["vmrules.state"] = MODULES["vmrules.state"], fake
    try:
        assert imports_of("vmrules.state") == expected
    finally:
        MODULES["vmrules.state"] = original


def test_every_task_kind_is_declared_with_the_model_and_has_a_completion() -> None:
    assert set(COMPLETIONS) == set(TASK_KINDS)
