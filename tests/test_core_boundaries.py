"""The core is pure and stands alone: it imports none of its shells and nothing that does I/O, reads a clock or
draws random numbers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "vmrules"
# vmrules.schema generates documents (JSON Schema, OpenAPI) from the rules and the worked examples of docgen: a
# shell over the core, like docgen itself.
SHELLS = ("cli", "server", "testing", "docgen", "wire", "schema")
CORE = sorted(p for p in ROOT.rglob("*.py")
              if p.relative_to(ROOT).parts[0] not in SHELLS and p.name != "__main__.py")
# Modules whose presence in the core would mean I/O, a real clock, randomness or processes.
FORBIDDEN = {"random", "secrets", "time", "os", "socket", "subprocess", "threading", "urllib", "http",
             "uuid", "tempfile", "shutil", "pathlib", "io", "sys"}
PURE_EXCEPTIONS = {"urllib.parse"}  # string functions only (the VNC URL is built and read with them)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_core_is_found() -> None:
    assert {"engine.py", "world.py", "rules.py"} <= {p.name for p in CORE}


def test_core_modules_import_no_shell_and_nothing_impure() -> None:
    for path in CORE:
        for name in _imports(path) - PURE_EXCEPTIONS:
            top = name.split(".")[0]
            assert top not in FORBIDDEN, f"{path.relative_to(ROOT)} imports {name}"
            assert not any(name.startswith(f"vmrules.{shell}") for shell in SHELLS), \
                f"{path.relative_to(ROOT)} imports the shell {name}"


def test_core_source_reads_no_wall_clock() -> None:
    for path in CORE:
        text = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "datetime.utcnow(", "date.today("):
            assert call not in text, f"{path.relative_to(ROOT)} calls {call}"


def test_importing_vmrules_loads_no_shell() -> None:
    code = ("import sys, vmrules, vmrules.api; "
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in "
            f"[['vmrules', s] for s in {SHELLS!r}]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
