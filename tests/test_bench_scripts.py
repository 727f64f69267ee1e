"""The benchmark scripts run: docs/performance.md's figures come from them, and a reader reruns them.

Each script is started as a reader would start it (a new interpreter, from the repository's root) at its
smallest sizes. Nothing here looks at a time: the figures are only checked to be there and positive, and the
scripts' own checks (createInstances builds what building directly builds; a snapshot read writes the text it
was read from) would make them exit non-zero.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _figures(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, *args, "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def test_the_scale_benchmark_measures_builders_and_snapshots(tmp_path: Path) -> None:
    rows = _figures(tmp_path, "bench/scale.py", "--bulk-only", "--sizes", "100")
    for row in ("builders: add_instances, n instances (s)", "snapshot write: world.to_json() (s)",
                "snapshot read: World.from_json(text) (s)", "  baseline: json.loads of it (s)",
                "snapshot to_json + from_json / json dumps + loads (goal ≤ 2)",
                "  snapshot read, the benchmark's world frozen: World.from_json(text) (s)"):
        assert rows[row]["100"] > 0, row


def test_the_scale_benchmark_runs_a_baseline_commit_beside_the_checkout(tmp_path: Path) -> None:
    """``--baseline REV``: the package at REV and the checkout's, each run, one table of both."""
    table = _figures(tmp_path, "bench/scale.py", "--baseline", "HEAD", "--bulk-only", "--sizes", "100")
    builders = table["builders: add_instances, n instances (s)"]["100"]
    assert set(builders) == {"baseline", "current"} and all(v > 0 for v in builders.values())
    done = subprocess.run([sys.executable, "bench/scale.py", "--baseline", "no-such-commit", "--bulk-only",
                           "--sizes", "100"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and "--baseline no-such-commit:" in done.stderr, done.stderr[-2000:]


def test_the_create_benchmark_measures_its_side_by_side_ratios(tmp_path: Path) -> None:
    figures = _figures(tmp_path, "bench/bench.py", "--create-only", "--rounds", "1")
    for name in ("ratio_check_vs_parse", "ratio_execute_vs_direct", "create_check_cpu_us", "create_direct_cpu_us"):
        assert figures[name] > 0, name


def test_the_create_breakdown_measures_every_part_and_every_rule(tmp_path: Path) -> None:
    from vmrules.operations import OPERATION_TABLE

    figures = _figures(tmp_path, "bench/create_parts.py", "--rounds", "1", "--top", "3")
    assert len(figures["parts"]) == 9 and all(value > 0 for value in figures["parts"].values())
    assert set(figures["rules"]) == {r.id for r in OPERATION_TABLE["createInstances"].rules}
    assert len(figures["floors"]) == 8 and all(value > 0 for value in figures["floors"].values())


def test_the_http_adapter_benchmark_measures_both_sides(tmp_path: Path) -> None:
    figures = _figures(tmp_path, "bench/http_adapter.py", "--rounds", "1", "--requests", "5", "--steps", "1",
                       "--examples", "1", "--no-sweep")
    assert len(figures) == 2
    for row in figures.values():
        assert set(row) == {"kept alive", "a new connection each", "new / kept alive"}
        assert all(value > 0 for value in row.values())


def test_the_kit_benchmark_measures_a_self_test_run_and_a_listing(tmp_path: Path) -> None:
    figures = _figures(tmp_path, "bench/kit.py", "--rounds", "1", "--steps", "1", "--examples", "1", "--no-sweep")
    assert set(figures) == {"describeInstances, 100 rows (ms)", "self-test run (s)"}
    assert all(row["this tree"] > 0 for row in figures.values())


def test_the_task_benchmark_measures_every_mark(tmp_path: Path) -> None:
    figures = _figures(tmp_path, "bench/tasks.py", "--marks", "10,20", "--batch", "10", "--requests", "2")
    assert set(figures) == {"10", "20"} and all(value > 0 for value in figures.values())


def test_the_mutation_runner_names_what_it_is_missing_without_coverage(tmp_path: Path) -> None:
    """Installed with ``.[test]`` only, the runner's default test selection cannot record coverage: it says
    which extra installs it (instead of reporting that the unmutated tests fail)."""
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    # a module set to None in sys.modules is one Python treats as not installed
    (blocked / "sitecustomize.py").write_text("import sys\nsys.modules['coverage'] = None\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(blocked)}
    done = subprocess.run([sys.executable, "bench/mutate.py", "--module", "task_starts.py",
                           "--results", str(tmp_path / "results.json")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert "needs coverage.py: pip install -e '.[bench]'" in done.stderr, done.stderr[-2000:]


def _check_equivalent(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "bench/mutate.py", "--check-equivalent", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_every_equivalent_mutant_listed_is_a_mutant_of_the_current_source(tmp_path: Path) -> None:
    """bench/mutate_equivalent.json names each mutant judged equivalent; once its code changes, the entry names
    no mutant and the judgement must be made again. The check itself refuses a key that names none."""
    done = _check_equivalent()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    listed = json.loads((ROOT / "bench" / "mutate_equivalent.json").read_text(encoding="utf-8"))
    stale = tmp_path / "equivalent.json"
    gone = "vmrules/state.py::_BLOCK_MIN int: 16 -> 18"  # no such mutant: ints move by one
    stale.write_text(json.dumps({**listed, gone: "a judgement of code that changed"}), encoding="utf-8")
    done = _check_equivalent("--equivalent", str(stale))
    assert done.returncode == 1
    assert done.stdout.strip() == f"names no mutant of the current source: {gone}"


def test_mutant_keys_survive_edits_outside_their_definition(monkeypatch: Any) -> None:
    """A key names the definition a mutant sits in, not its line: lines added above it leave it unchanged."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import mutate

    source = (ROOT / "vmrules" / "state.py").read_text(encoding="utf-8")
    before = [m.key for m in mutate.mutants_of("state.py", source)]
    after = [m.key for m in mutate.mutants_of("state.py", "# an edit\n\n" + source)]
    assert after == before
    assert "vmrules/state.py::_BLOCK_MIN int: 16 -> 15" in before
    assert any(key.startswith("vmrules/state.py::Batch.new_ids ") for key in before)


def test_the_compiled_copy_unslots_only_the_modules_it_compiles(monkeypatch: Any, tmp_path: Path) -> None:
    """bench/compiled.py's scratch copy (compiling it is left to a reader's run: it takes a C compiler and
    a minute): every module it names exists, loses ``slots=True`` and still parses; the others keep theirs."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import compiled

    assert compiled.unslotted("@dataclass(frozen=True, slots=True)\n@dataclass(slots=True)\n"
                              "@dataclass(slots=True, eq=False)\n@dataclass\n") == \
        "@dataclass(frozen=True)\n@dataclass()\n@dataclass(eq=False)\n@dataclass\n"
    compiled.prepare(tmp_path)
    for module in compiled.COMPILED:
        source = (tmp_path / module).read_text(encoding="utf-8")
        ast.parse(source)
        assert "slots=True" not in source and source == compiled.unslotted((ROOT / module).read_text(encoding="utf-8"))
    assert "slots=True" in (ROOT / "vmrules" / "plain.py").read_text(encoding="utf-8")
    assert (tmp_path / "vmrules" / "state.py").read_text(encoding="utf-8") == \
        (ROOT / "vmrules" / "state.py").read_text(encoding="utf-8")
