"""Mutation runner for the rule modules: mutate one spot, run the fast example tests, count what they kill.

mutmut skips decorated functions and cannot switch mutants of import-time rule factories on, so this runner
works on source text: it parses a module, lists mutation points in a fixed order (so mutant N is always the same
change), splices one change into a copy of the source and runs ``pytest -x`` on a private copy of the package
tree (never on the checkout's files) in a fresh process with a timeout.

Operators: ``drop-rule`` (one entry out of an operation's ``rules=(...)`` tuple or a ``*_RULES`` tuple),
``compare`` (``<``↔``<=``, ``>``↔``>=``, ``==``↔``!=``), ``int`` (an integer literal ±1), ``boolop``
(``and``↔``or``), ``break`` (``continue`` → ``break``), ``negate`` (an ``if`` or comprehension condition
negated).

Run from the repository root, e.g.::

    nice -n 10 python bench/mutate.py --module operations/disks.py -j 2
    python bench/mutate.py --module operations/disks.py --list          # the mutants, nothing run

Results are appended to a JSON-lines file (``--results``, default ``.mutation/results.jsonl``); a rerun skips
mutants already recorded for the same source text, so an interrupted run resumes where it stopped;
``--rerun-survivors`` runs the recorded survivors again after the tests were strengthened. ``--report`` prints
the table of what is recorded.

Test selection (default ``--select coverage``): one run of the fast example tests under coverage.py, with the
test's node id as the coverage context, records which tests execute which line (cached in ``.mutation/`` by the
hash of vmrules/ and tests/). A mutant first runs only the tests that execute its line, fastest first; a line
executed at import time (rule factories, module-level tuples) also runs the module's own test files and the
tests marked ``@pytest.mark.rule`` with a rule id the module names. A mutant that survives that runs the whole
fast set, so a survivor is always a survivor of every fast test; a kill is kept only when the killing test
passes alone on the unmutated tree. ``--select files`` is the older selection by test file.

Survivors that are equivalent (no test can tell them apart from the original) are listed
with the reason in bench/mutate_equivalent.json and leave the score.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from queue import Queue
from threading import Lock

from mutate_fork import ForkServer  # bench/mutate_fork.py, beside this script
from mutate_select import CoverageMap, tree_hash  # bench/mutate_select.py, beside this script

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "vmrules"

# Test files that start services or subprocesses, or that only check generated text; they are slow per mutant
# and kill nothing the example tests would not (docs staleness would "kill" any change to a statement string).
# (test_bench_scripts runs bench/, which the mutated copy of the tree does not hold.)
SLOW_OR_TEXTUAL = ("test_cli", "test_conformance", "test_examples", "test_server", "test_faulty", "test_docs_fresh",
                   "test_seed_quotes", "test_determinism", "test_openapi_fuzz", "test_bench_scripts")

# Which test files to run first for a module (``-x`` stops at the first failure, so relevant files first).
FIRST_TESTS: dict[str, tuple[str, ...]] = {
    "disks": ("test_edges_disks", "test_disks", "test_attach_scenario"),
    "images": ("test_edges_images", "test_images", "test_image_scenario", "test_image_sharing"),
    "image_queries": ("test_images", "test_image_sharing"),
    "instances": ("test_edges_instances", "test_instance_power", "test_delete_instance", "test_lifecycle"),
    "modify": ("test_modify_instance",),
    "network": ("test_edges_network", "test_network"),
    "params": ("test_params",),
    "reconfigure": ("test_edges_reconfigure", "test_resize_rebuild"),
    "instance_types": ("test_instance_types",),
    "describe": ("test_describe_instances",),
    "filters": ("test_edges_filters", "test_describe_instances"),
    "create": ("test_edges_create", "test_create_instances"),
    "request_rules": ("test_edges_request", "test_request_rules", "test_params"),
    "common": ("test_edges_disks", "test_disks", "test_instance_power", "test_network"),
    "image_limits": ("test_resize_rebuild", "test_create_instances"),
    "data_disks": ("test_edges_disks", "test_disks", "test_edges_create"),
    "quotas": ("test_edges_quotas", "test_quotas"),
}

# How many test files a mutant's first run collects (the rest of the tests covering its line run next).
FIRST_FILES = 3

# Short tests that exercise every operation's region and existence rules: first for every module.
EVERY_MODULE_FIRST = ("test_edges_existence",)

COMPARE_FLIPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
}
OP_TEXT: dict[type[ast.cmpop], str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
}


@dataclass(frozen=True, slots=True)
class Mutant:
    """One change to one module: the text in ``[start, end)`` (offsets into the source) becomes ``replacement``."""

    module: str  # path relative to the package, e.g. operations/disks.py
    index: int  # position in the module's deterministic mutant list
    # Stable name: file, the enclosing definition (``scope_of``), operator and change, with an occurrence number
    # when that repeats. No line number: an edit elsewhere in the file leaves every other key as it was.
    key: str
    line: int
    operator: str
    change: str  # human-readable description
    start: int
    end: int
    replacement: str

    def apply(self, source: str) -> str:
        return source[: self.start] + self.replacement + source[self.end:]

    @property
    def where(self) -> str:
        return f"{PACKAGE}/{self.module}:{self.line}"


class _Offsets:
    """Maps ast (line, column) positions to offsets into the source string (ast columns count UTF-8 bytes)."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, line: int, col_bytes: int) -> int:
        text = self.lines[line - 1].encode("utf-8")[:col_bytes].decode("utf-8")
        return self.starts[line - 1] + len(text)

    def span(self, node: ast.expr | ast.stmt) -> tuple[int, int]:
        assert node.end_lineno is not None and node.end_col_offset is not None  # parsed nodes carry positions
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)


def _padded(expression: str, original: str) -> str:
    """``expression`` in parentheses, keeping the original's line count so later line numbers stay true."""
    return "(" + expression + "\n" * original.count("\n") + ")"


def _inside_fstring(tree: ast.AST) -> set[int]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside.update(id(n) for n in ast.walk(node))
    return inside


def _annotation_nodes(tree: ast.AST) -> set[int]:
    """Nodes inside type annotations (``Literal[...]`` and such): changing them changes no behaviour."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            annotations.append(node.returns)
            args = node.args
            annotations.extend(a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        for annotation in annotations:
            if annotation is not None:
                inside.update(id(n) for n in ast.walk(annotation))
    return inside


def _rule_tuples(tree: ast.AST) -> Iterator[ast.Tuple | ast.List]:
    """``rules=(...)`` arguments of operations and module-level ``*_RULES = (...)`` tuples."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "rules" and isinstance(node.value, (ast.Tuple, ast.List)):
            yield node.value
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, (ast.Tuple, ast.List)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id.endswith("RULES") for t in targets):
                yield node.value


def _assertions(tree: ast.AST) -> set[int]:
    """Nodes inside ``assert`` statements: they state what the rules guarantee (bugs-only checks), so a mutant
    there changes behaviour only in states no request can reach."""
    return {id(n) for node in ast.walk(tree) if isinstance(node, ast.Assert) for n in ast.walk(node)}


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _docstring_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    return skip


def mutants_of(module: str, source: str) -> list[Mutant]:
    """Every mutant of ``source``, in a fixed order (by position, then operator)."""
    tree = ast.parse(source)
    pos = _Offsets(source)
    skip = _inside_fstring(tree) | _annotation_nodes(tree) | _docstring_nodes(tree) | _assertions(tree)
    found: list[tuple[int, int, str, str, int, int, str, int]] = []

    def add(node: ast.expr | ast.stmt, operator: str, change: str, start: int, end: int, replacement: str) -> None:
        found.append((node.lineno, node.col_offset, operator, change, start, end, replacement, id(node)))

    for rules in _rule_tuples(tree):
        for element in rules.elts:
            start, end = pos.span(element)
            rest = source[end:]
            stripped = rest.lstrip(" \t\n")
            if stripped.startswith(","):
                end = end + (len(rest) - len(stripped)) + 1
            removed = source[start:end]
            label = ast.get_source_segment(source, element) or "?"
            replacement = "\n" * removed.count("\n")
            if not _parses(source[:start] + replacement + source[end:]):
                replacement = "*()," + replacement  # e.g. ``(region_exists, *more)`` needs its comma kept
            add(element, "drop-rule", f"drop {label.splitlines()[0][:70]} from the rules", start, end,
                replacement)

    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Compare):
            for n, op in enumerate(node.ops):
                flipped = COMPARE_FLIPS.get(type(op))
                if flipped is None:
                    continue
                ops = list(node.ops)
                ops[n] = flipped()
                new = ast.Compare(left=node.left, ops=ops, comparators=node.comparators)
                start, end = pos.span(node)
                add(node, "compare", f"{OP_TEXT[type(op)]} -> {OP_TEXT[flipped]}", start, end,
                    _padded(ast.unparse(new), source[start:end]))
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            start, end = pos.span(node)
            for delta in (1, -1):
                add(node, "int", f"{node.value} -> {node.value + delta}", start, end, str(node.value + delta))
        elif isinstance(node, ast.BoolOp):
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            new_bool = ast.BoolOp(op=other, values=node.values)
            start, end = pos.span(node)
            names = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
            add(node, "boolop", f"{names[0]} -> {names[1]}", start, end,
                _padded(ast.unparse(new_bool), source[start:end]))
        elif isinstance(node, ast.Continue):
            start, end = pos.span(node)
            add(node, "break", "continue -> break", start, end, "break")
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)):
            _negate(node.test, source, pos, add)
        elif isinstance(node, ast.comprehension):
            for condition in node.ifs:
                _negate(condition, source, pos, add)

    found.sort(key=lambda f: (f[0], f[1], f[2], f[3]))
    scopes = scope_of(tree)
    seen: dict[str, int] = {}
    mutants = []
    for n, (line, _, operator, change, start, end, repl, node_id) in enumerate(found):
        key = mutant_key(f"{PACKAGE}/{module}::{scopes.get(node_id, '<module>')}", operator, change, seen)
        mutants.append(Mutant(module, n, key, line, operator, change, start, end, repl))
    return mutants


def scope_of(tree: ast.Module) -> dict[int, str]:
    """For every node (by ``id``), the definition it sits in: the dotted name of the innermost function or
    class (``Batch.new_ids``), or at module level the name a statement assigns (``_BLOCK_MIN``, the operation
    ``CREATE_INSTANCES``), else ``<module>``."""
    scopes: dict[int, str] = {}

    def visit(node: ast.AST, scope: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name if scope is None else f"{scope}.{child.name}"
            elif scope is None and isinstance(child, (ast.Assign, ast.AnnAssign)):
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                inner = names[0] if names else None
            if inner is not None:
                scopes[id(child)] = inner
            visit(child, inner)

    visit(tree, None)
    return scopes


def mutant_key(where: str, operator: str, change: str, seen: dict[str, int]) -> str:
    """``where operator: change``, with `` [n]`` added for the n-th repetition of the same text."""
    key = f"{where} {operator}: {change}"
    seen[key] = seen.get(key, 0) + 1
    return key if seen[key] == 1 else f"{key} [{seen[key] - 1}]"


Adder = Callable[[ast.expr | ast.stmt, str, str, int, int, str], None]


def _negate(test: ast.expr, source: str, pos: _Offsets, add: Adder) -> None:
    start, end = pos.span(test)
    text = source[start:end]
    summary = " ".join(text.split())[:60]
    add(test, "negate", f"if {summary} -> if not (...)", start, end, "not " + _padded(text, ""))


# ---- running ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Result:
    module: str
    index: int
    key: str
    where: str
    operator: str
    change: str
    outcome: str  # killed | survived | timeout
    seconds: float
    source_sha: str
    killed_by: str = ""
    decided_by: str = ""  # the stage whose run decided: "N tests" (covering the line) or "all" (every fast file)


def _copy_tree(into: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / PACKAGE, into / PACKAGE, ignore=ignore)
    shutil.copytree(ROOT / "tests", into / "tests", ignore=ignore)
    shutil.copytree(ROOT / "docs", into / "docs", ignore=ignore)
    shutil.copytree(ROOT / "examples", into / "examples", ignore=ignore)  # request files the tests load
    shutil.copytree(ROOT / "pytest_vmrules", into / "pytest_vmrules", ignore=ignore)  # the plugin test_mock runs
    shutil.copy2(ROOT / "pyproject.toml", into / "pyproject.toml")
    shutil.copy2(ROOT / "README.md", into / "README.md")  # tests/test_examples.py runs the README's commands


def test_stages(module: str, tests: Sequence[str] | None) -> list[list[str]]:
    """The test files for ``module`` in stages: the files relevant to it, then every other fast example test.

    A mutant goes to the next stage only when it survives the previous one, so most kills cost one short run.
    """
    if tests:
        return [list(tests)]
    stem = Path(module).stem if not module.startswith("operations/create/") else "create"
    every = sorted(p.name for p in (ROOT / "tests").glob("test_*.py") if not p.name.startswith(SLOW_OR_TEXTUAL))
    first = [f"{name}.py" for name in (*FIRST_TESTS.get(stem, ()), *EVERY_MODULE_FIRST) if f"{name}.py" in every]
    stages = [first, [n for n in every if n not in first]]
    return [[f"tests/{name}" for name in stage] for stage in stages if stage]


def _environment(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a stale .pyc of another mutant must never be picked up
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the example tests need no plugin; autoloading costs seconds
    env["PYTHONHASHSEED"] = "0"
    return env


def run_tests(tree: Path, files: Sequence[str], timeout: float, server: ForkServer | None = None,
              ) -> tuple[str, float, str]:
    """(killed | survived | timeout, seconds, first failing test) for the tree as it is now, in a fresh process
    (a new interpreter, or a fork of ``server`` that has imported no vmrules module)."""
    args = ["-x", "-q", "-p", "no:cacheprovider", "--no-header", "-rf", *files]
    started = time.monotonic()
    if server is not None:
        node_ids = [f for f in files if "::" in f]
        if node_ids:  # the files on the command line, the node ids chosen after collection (see mutate_fork)
            args = [*args[:-len(files)], *dict.fromkeys(f.split("::")[0] for f in files)]
        code, stdout = server.run(args, timeout, node_ids)
        if code is None:
            return "timeout", time.monotonic() - started, ""
    else:
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", *args], cwd=tree, env=_environment(tree),
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - started, ""
        code, stdout = done.returncode, done.stdout
    seconds = time.monotonic() - started
    if code == 0:
        return "survived", seconds, ""
    # "FAILED <node id> - <message>": the node id may hold spaces (parametrized ids), so cut at " - ".
    failed = next((line.split(" ", 1)[1].split(" - ", 1)[0] for line in stdout.splitlines()
                   if line.startswith(("FAILED ", "ERROR "))), f"exit {code}")
    return "killed", seconds, failed


def load_results(results: Path) -> dict[tuple[str, str, str], dict[str, object]]:
    """Recorded results by (module, source sha, mutant key); the last record of a mutant wins."""
    records: list[dict[str, object]] = []
    if results.exists():
        records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line.strip()]
    # Records written before keys named the enclosing definition (file:line keys, or none) match no mutant of
    # today's keys: those mutants count as not run and run again.
    return {(str(r["module"]), str(r["source_sha"]), str(r["key"])): r for r in records if "::" in str(r.get("key"))}


def stale_equivalents(excluded: Collection[str]) -> list[str]:
    """The keys of ``excluded`` that name no mutant of the current sources (the code they were judged on changed:
    judge the mutant again, then update or drop its entry)."""
    current: set[str] = set()
    for module in sorted({key.split("::", 1)[0].removeprefix(f"{PACKAGE}/") for key in excluded if "::" in key}):
        path = ROOT / PACKAGE / module
        if path.exists():
            current.update(m.key for m in mutants_of(module, path.read_text(encoding="utf-8")))
    return sorted(key for key in excluded if key not in current)


def coverage_map(tree: Path, files: Sequence[str], cache: Path) -> tuple[CoverageMap, float]:
    """The per-test coverage map of the unmutated tree (recorded once per hash of vmrules/ and tests/) and the
    seconds the recording took (the whole fast set under coverage: the baseline for the timeout)."""
    if importlib.util.find_spec("coverage") is None:  # else the recording fails as if the tests did
        raise SystemExit("--select coverage (the default) needs coverage.py: pip install -e '.[bench]', "
                         "or run with --select files")
    path = cache / f"coverage-v2-{tree_hash(ROOT, (PACKAGE, 'tests'))}.json"
    meta = path.with_suffix(".seconds")
    if not (path.exists() and meta.exists()):
        print(f"recording which tests execute which lines (once for this source): {path.name}", flush=True)
        started = time.monotonic()
        command = [sys.executable, str(ROOT / "bench" / "mutate_select.py"), str(path.resolve()), *files]
        done = subprocess.run(command, cwd=tree, env=_environment(tree), capture_output=True, text=True,
                              timeout=3600, check=False)
        if done.returncode != 0:
            path.unlink(missing_ok=True)
            raise SystemExit(f"the unmutated tests do not pass under coverage:\n{done.stdout[-3000:]}"
                             f"{done.stderr[-3000:]}")
        meta.write_text(f"{time.monotonic() - started:.1f}\n", encoding="utf-8")
    return CoverageMap.load(path), float(meta.read_text(encoding="utf-8"))


def _string_constants(source: str) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _lines_of(source: str, mutant: Mutant) -> tuple[int, int]:
    return source.count("\n", 0, mutant.start) + 1, source.count("\n", 0, max(mutant.start, mutant.end - 1)) + 1


def run_module(module: str, *, jobs: int, timeout: float | None, results: Path, tests: Sequence[str] | None,
               only: Sequence[int] | None, rerun_survivors: bool = False, first_stage_only: bool = False,
               select: str = "coverage", fork: bool = True, equivalent: Collection[str] = ()) -> list[Result]:
    path = ROOT / PACKAGE / module
    source = path.read_text(encoding="utf-8")
    sha = hashlib.sha256(source.encode()).hexdigest()[:16]
    mutants = mutants_of(module, source)
    if only:
        mutants = [m for m in mutants if m.index in set(only)]
    done = load_results(results)
    todo = [m for m in mutants if (module, sha, m.key) not in done
            or (rerun_survivors and done[(module, sha, m.key)]["outcome"] == "survived"
                and m.key not in equivalent)]
    stages = test_stages(module, tests)
    files = [f for stage in stages for f in stage]
    by_coverage = select == "coverage" and not tests
    if first_stage_only:
        stages = stages[:1]
    print(f"{module}: {len(mutants)} mutants, {len(mutants) - len(todo)} already recorded, {len(todo)} to run",
          flush=True)
    if not todo:
        return []
    with tempfile.TemporaryDirectory(prefix="vmrules-mutate-") as scratch:
        trees: Queue[Path] = Queue()
        for n in range(max(1, jobs)):
            tree = Path(scratch) / f"tree{n}"
            _copy_tree(tree)
            trees.put(tree)
        baseline_tree = trees.get()
        cover: CoverageMap | None = None
        if by_coverage:
            cover, seconds = coverage_map(baseline_tree, files, results.parent)
        else:
            outcome, seconds, failed = run_tests(baseline_tree, files, timeout=max(600.0, timeout or 0))
            if outcome != "survived":
                raise SystemExit(f"the unmutated tests do not pass ({outcome}, {failed}); fix that first")
        trees.put(baseline_tree)
        limit = timeout if timeout is not None else max(60.0, 3 * seconds)
        print(f"baseline {seconds:.1f}s, timeout per mutant {limit:.0f}s, tests: {' '.join(files)}", flush=True)
        module_rules = cover.rules_named_in(_string_constants(source)) if cover else set()
        servers: dict[Path, ForkServer] = {}
        if fork and cover is not None:
            servers = {tree: ForkServer(tree, _environment(tree), cover.preload) for tree in list(trees.queue)}
        passes_alone: dict[str, bool] = {}  # killing test → passes alone on the unmutated tree
        lock = Lock()

        def stages_for(mutant: Mutant) -> list[list[str]]:
            if cover is None:
                return stages
            first = cover.tests_for(module, _lines_of(source, mutant), stages[0], module_rules)
            # Collecting a test file costs more than most tests in it: first the covering tests of the few files
            # holding most of them (the module's own files win ties), then the other covering tests.
            per_file: dict[str, int] = {}
            for test in first:
                per_file[test.split("::")[0]] = per_file.get(test.split("::")[0], 0) + 1
            top = sorted(per_file, key=lambda f: (-per_file[f], f not in stages[0], f))[:FIRST_FILES]
            near = [t for t in first if t.split("::")[0] in top]
            rest = [t for t in first if t.split("::")[0] not in top]
            covering = [stage for stage in (near, rest) if stage]
            if first_stage_only:  # a quick pass: survivors are provisional until rerun through every file
                return covering or stages
            return [*covering, files]

        def run_stages(tree: Path, plan: list[list[str]]) -> tuple[str, float, str, int]:
            seconds = 0.0
            for n, stage in enumerate(plan):
                outcome, spent, failed = run_tests(tree, stage, limit, servers.get(tree))
                seconds += spent
                if outcome != "survived":
                    return outcome, seconds, failed, n
            return "survived", seconds, "", len(plan) - 1

        def one(mutant: Mutant) -> Result:
            tree = trees.get()
            target = tree / PACKAGE / module
            plan = stages_for(mutant)
            try:
                target.write_text(mutant.apply(source), encoding="utf-8")
                outcome, seconds, failed, stage = run_stages(tree, plan)
                target.write_text(source, encoding="utf-8")
                # (an error outside any test, such as a mutant that does not import, needs no such check)
                if cover is not None and outcome == "killed" and plan[stage] is not files and "::" in failed:
                    with lock:
                        known = passes_alone.get(failed)
                    if known is None:  # a kill counts only if the killing test passes alone, unmutated
                        known = run_tests(tree, [failed], limit, servers.get(tree))[0] == "survived"
                        with lock:
                            passes_alone[failed] = known
                    if not known:
                        print(f"  ! {failed} fails alone on the unmutated tree; #{mutant.index} runs every file",
                              flush=True)
                        plan = [files]
                        target.write_text(mutant.apply(source), encoding="utf-8")
                        outcome, seconds, failed, stage = run_stages(tree, plan)
            finally:
                target.write_text(source, encoding="utf-8")
                trees.put(tree)
            selected = ("all" if plan[stage] is files else f"{len(plan[stage])} files" if cover is None
                        else f"{len(plan[stage])} tests")
            result = Result(module, mutant.index, mutant.key, mutant.where, mutant.operator, mutant.change, outcome,
                            round(seconds, 1), sha, failed, selected)
            with results.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
            mark = {"killed": ".", "survived": "S", "timeout": "T"}[outcome]
            print(f"  {mark} #{mutant.index} {mutant.where} {mutant.operator}: {mutant.change} ({seconds:.1f}s, "
                  f"{selected})" + (f"  [{failed}]" if failed else ""), flush=True)
            return result

        try:
            with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
                return list(pool.map(one, todo))
        finally:
            for server in servers.values():
                server.close()


def report(results: Path, modules: Sequence[str], excluded: dict[str, str]) -> str:
    """The score table and the surviving mutants of the current sources, from the recorded results.

    Timeouts count as killed. A survivor listed in ``excluded`` (key → reason) is equivalent and leaves the score.
    A survivor of a ``--first-stage-only`` pass (only its covering tests ran) is provisional: it counts as a
    survivor, and ``--rerun-survivors`` runs it through every fast file.
    """
    recorded = load_results(results)
    rows = ["| module | mutants | killed | timeout | survived (provisional) | equivalent | not run | score |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    survivors: list[str] = []
    for module in modules:
        source = (ROOT / PACKAGE / module).read_text(encoding="utf-8")
        sha = hashlib.sha256(source.encode()).hexdigest()[:16]
        mutants = mutants_of(module, source)
        found = {m.key: recorded[(module, sha, m.key)] for m in mutants if (module, sha, m.key) in recorded}
        outcomes = {key: str(r["outcome"]) for key, r in found.items()}
        if not outcomes:
            if mutants:
                rows.append(f"| {module} | {len(mutants)} | – | – | – | – | {len(mutants)} | not measured |")
            continue
        killed = sum(o == "killed" for o in outcomes.values())
        timeouts = sum(o == "timeout" for o in outcomes.values())
        alive = [m for m in mutants if outcomes.get(m.key) == "survived"]
        provisional = {m.key for m in alive if str(found[m.key].get("decided_by", "all")) != "all"}
        equivalent = [m for m in alive if m.key in excluded]
        counted = len(outcomes) - len(equivalent)
        score = (killed + timeouts) / counted if counted else 1.0
        open_provisional = len(provisional - {m.key for m in equivalent})
        rows.append(f"| {module} | {len(mutants)} | {killed} | {timeouts} | {len(alive) - len(equivalent)} "
                    f"({open_provisional}) | {len(equivalent)} | {len(mutants) - len(outcomes)} | {score:.1%}"
                    + (f" of the {len(outcomes)} run |" if len(outcomes) < len(mutants) else " |"))
        survivors.extend(f"- {m.key} (line {m.line})"
                         + (f" — equivalent: {excluded[m.key]}" if m.key in excluded else "")
                         + (" (provisional)" if m.key in provisional else "") for m in alive)
    return "\n".join(rows) + ("\n\nSurviving mutants:\n" + "\n".join(survivors) if survivors else "")


def all_modules() -> list[str]:
    ops = sorted(str(p.relative_to(ROOT / PACKAGE)) for p in (ROOT / PACKAGE / "operations").rglob("*.py"))
    return [*ops, "request_rules.py"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", action="append", help="a module under vmrules/, e.g. operations/disks.py "
                        "(repeatable; default every module of operations/ and request_rules.py)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants run in parallel (default 1)")
    parser.add_argument("--timeout", type=float, help="seconds per test stage of a mutant "
                        "(default 3x the whole baseline, at least 60)")
    parser.add_argument("--results", type=Path, default=ROOT / ".mutation" / "results.jsonl")
    parser.add_argument("--tests", nargs="+", help="test files to run instead of the default selection")
    parser.add_argument("--only", type=int, nargs="+", help="run only these mutant indexes (see --list)")
    parser.add_argument("--rerun-survivors", action="store_true",
                        help="run recorded survivors again (after the tests changed), except those listed as "
                        "equivalent")
    parser.add_argument("--first-stage-only", action="store_true",
                        help="a quick pass: only the tests covering the line (or the module's own test files) "
                        "(survivors are provisional; run "
                        "--rerun-survivors without this flag for the score)")
    parser.add_argument("--select", choices=("coverage", "files"), default="coverage",
                        help="which tests a mutant runs first: those executing its line (default) or the "
                        "module's test files (the older selection); survivors run every fast file either way")
    parser.add_argument("--no-fork", action="store_true",
                        help="start a new interpreter per test run instead of forking a server that has imported "
                        "pytest and the libraries (not vmrules) once (bench/mutate_fork.py)")
    parser.add_argument("--list", action="store_true", help="list the mutants and run nothing")
    parser.add_argument("--report", action="store_true", help="print the score table of recorded results only")
    parser.add_argument("--check-equivalent", action="store_true",
                        help="only check that every key of the --equivalent file names a mutant of the current "
                        "sources (exit 1 listing those that do not)")
    parser.add_argument("--equivalent", type=Path, default=ROOT / "bench" / "mutate_equivalent.json",
                        help="JSON object {mutant key: why the mutant is equivalent}")
    args = parser.parse_args(argv)
    modules = args.module or all_modules()
    excluded: dict[str, str] = (json.loads(args.equivalent.read_text(encoding="utf-8"))
                                if args.equivalent.exists() else {})
    if args.check_equivalent:
        stale = stale_equivalents(excluded)
        print("\n".join(f"names no mutant of the current source: {key}" for key in stale)
              or f"every one of the {len(excluded)} keys in {args.equivalent.name} names a current mutant")
        return 1 if stale else 0
    if args.list:
        for module in modules:
            for m in mutants_of(module, (ROOT / PACKAGE / module).read_text(encoding="utf-8")):
                print(f"#{m.index} {m.key} (line {m.line})")
        return 0
    args.results.parent.mkdir(parents=True, exist_ok=True)
    if not args.report:
        for module in modules:
            run_module(module, jobs=args.jobs, timeout=args.timeout, results=args.results, tests=args.tests,
                       only=args.only, rerun_survivors=args.rerun_survivors,
                       first_stage_only=args.first_stage_only, select=args.select, fork=not args.no_fork,
                       equivalent=excluded)
    print(report(args.results, modules, excluded))
    stale = stale_equivalents(excluded)
    if stale:
        print(f"\n{len(stale)} keys in {args.equivalent.name} name no mutant of the current source (judge them "
              "again): " + "; ".join(stale))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
