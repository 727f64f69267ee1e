"""What compiling part of the core with mypyc would buy issue 19's two ratios (docs/decisions/check-cost.md).
Run: ``python bench/compiled.py [--rounds 5] [--pairs 2] [--also MODULE ...] [--run-tests] [--keep-copy DIR]
[--json FILE]``.

Copies the checkout's package and benchmarks into a scratch directory, compiles ``COMPILED`` there with mypyc
(which comes with mypy; it needs a C compiler and the Python headers), then runs bench/create_parts.py on the
checkout and on the copy in turns, ``--pairs`` times, and prints check ÷ request model and execute ÷ direct
build of each run. The pure and the compiled runs alternate so that load changing on a shared machine falls
on both.

The copy is edited for the experiment only, never the checkout: the compiled modules' dataclasses lose
``slots=True`` (mypyc refuses slotted dataclasses; its native classes fix their attributes themselves), and the
copy has no pyproject.toml (the setuptools that mypyc drives need not read its license field). The modules
left out are the ones that do not compile as they are: the contexts (``plan.py``, slotted dataclasses that
subclass ``operation.Ctx``, an interpreted generic dataclass), ``operation.py`` (its pydantic ``BaseModel``)
and what they stand on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The createInstances rules, the parameter rules they are made from, and the guarded copy every request takes.
COMPILED = (
    "vmrules/operations/create/rules_account.py",
    "vmrules/operations/create/rules_billing.py",
    "vmrules/operations/create/rules_disks.py",
    "vmrules/operations/create/rules_mode.py",
    "vmrules/operations/create/rules_names.py",
    "vmrules/operations/create/rules_network.py",
    "vmrules/operations/params.py",
    "vmrules/plain.py",
)
RATIOS = ("check / model, every rule", "execute / direct, every rule")
_DATACLASS = re.compile(r"@dataclass\(([^)]*)\)")


def unslotted(source: str) -> str:
    """``source`` with ``slots=True`` dropped from every ``@dataclass(...)`` (``@dataclass()`` left is valid)."""
    def without_slots(match: re.Match[str]) -> str:
        kept = [arg.strip() for arg in match.group(1).split(",") if arg.strip() not in ("", "slots=True")]
        return f"@dataclass({', '.join(kept)})"

    return _DATACLASS.sub(without_slots, source)


_IGNORE = shutil.ignore_patterns("__pycache__", "*.so")


def prepare(into: Path, modules: tuple[str, ...] = COMPILED) -> None:
    """The scratch copy: the package and the benchmarks, the dataclasses of ``modules`` unslotted."""
    shutil.copytree(ROOT / "vmrules", into / "vmrules", ignore=_IGNORE)
    shutil.copytree(ROOT / "bench", into / "bench", ignore=_IGNORE)
    (into / "mypy.ini").write_text("[mypy]\nignore_missing_imports = True\n", encoding="utf-8")
    for module in modules:
        path = into / module
        path.write_text(unslotted(path.read_text(encoding="utf-8")), encoding="utf-8")


def compile_copy(into: Path, modules: tuple[str, ...]) -> None:
    mypyc = shutil.which("mypyc") or str(Path(sys.executable).with_name("mypyc"))
    done = subprocess.run([mypyc, *modules], cwd=into, capture_output=True, text=True, timeout=1200, check=False)
    if done.returncode != 0:
        raise SystemExit(f"mypyc failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def tests_on(into: Path) -> str:
    """pytest's summary of ``tests/`` run against the compiled copy (its test data and configuration copied in
    after compiling, so that mypyc's setuptools never reads pyproject.toml)."""
    for folder in ("tests", "docs", "examples", "pytest_vmrules"):
        shutil.copytree(ROOT / folder, into / folder, ignore=_IGNORE)
    for name in ("pyproject.toml", "README.md"):  # pytest's configuration; the README's examples are tested
        shutil.copy2(ROOT / name, into / name)
    env = {**os.environ, "PYTHONPATH": str(into)}
    # No "-q" here: the project's addopts already give one, and a second hides the count of passed tests.
    done = subprocess.run([sys.executable, "-m", "pytest", "-rf", "-p", "no:cacheprovider", "tests"], cwd=into,
                          env=env, capture_output=True, text=True, timeout=3600, check=False)
    lines = done.stdout.splitlines()
    kept = [line for line in lines if line.startswith("FAILED") or " passed" in line or " failed" in line]
    return "\n".join([*kept, f"pytest exit status {done.returncode}"])


def run_parts(tree: Path, rounds: int, out: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}  # the tree's package before any installed one
    done = subprocess.run([sys.executable, "bench/create_parts.py", "--rounds", str(rounds), "--json", str(out)],
                          cwd=tree, env=env, capture_output=True, text=True, timeout=1200, check=False)
    if done.returncode != 0:
        raise SystemExit(f"create_parts.py failed in {tree}:\n{done.stderr[-3000:]}")
    floors: dict[str, float] = json.loads(out.read_text(encoding="utf-8"))["floors"]
    return {name: floors[name] for name in RATIOS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="create_parts.py's rounds per run")
    parser.add_argument("--pairs", type=int, default=2, help="pure and compiled runs, in turns")
    parser.add_argument("--also", nargs="+", default=[], metavar="MODULE", help="more modules to compile")
    parser.add_argument("--run-tests", action="store_true", help="run tests/ against the compiled copy first")
    parser.add_argument("--keep-copy", type=Path, help="build the compiled copy in this new directory and leave it")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    modules = (*COMPILED, *args.also)
    with tempfile.TemporaryDirectory(prefix="vmrules-compiled-") as scratch:
        into = args.keep_copy or Path(scratch) / "tree"
        prepare(into, modules)
        compile_copy(into, modules)
        tested = tests_on(into) if args.run_tests else None
        runs: dict[str, list[dict[str, float]]] = {"pure": [], "compiled": []}
        for _ in range(args.pairs):
            for label, tree in (("pure", ROOT), ("compiled", into)):
                runs[label].append(run_parts(tree, args.rounds, Path(scratch) / f"{label}.json"))
    print(f"compiled with mypyc: {', '.join(modules)}")
    if tested is not None:
        print(f"tests/ against the compiled copy:\n{tested}")
    for name in RATIOS:
        for label, figures in runs.items():
            print(f"  {name:30s} {label:9s} " + "  ".join(f"{f[name]:5.2f}" for f in figures))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"compiled": list(modules), "tests": tested, "runs": runs}, out, indent=1)


if __name__ == "__main__":
    main()
