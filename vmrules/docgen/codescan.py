"""Where the code carries out each effect: the ``# effect: ID, ID (note)`` comments under vmrules/, read as text.

A comment may continue on following lines that start with ``#   ``. The result maps each effect id to
``path::function`` for every comment naming it (the function the comment precedes or sits in; the Operation
constant for a comment inside its declaration), for the spec pages' *code* column. Names, not line numbers, so
that unrelated edits do not make the docs stale.
"""

from __future__ import annotations

import re
from pathlib import Path

_COMMENT = re.compile(r"#\s*effect: (.*(?:\n\s*#   .*)*)")
_ID = re.compile(r"\b[A-Z][A-Z_0-9]*\.[A-Z][A-Z_0-9]*\b")
_DEF = re.compile(r"^\s*def (\w+)|^([A-Z][A-Z_0-9]*) = ", re.MULTILINE)


def _place(text: str, start: int, end: int) -> str:
    """The function after the comment (when the comment precedes a def) or the one it sits in."""
    after = text[end:].lstrip("\n")
    m = re.match(r"\s*def (\w+)", after)
    if m:
        return m.group(1)
    before = [d.group(1) or d.group(2) for d in _DEF.finditer(text, 0, start)]
    return before[-1] if before else "module"


def effect_comments(root: Path) -> dict[str, list[str]]:
    """effect id -> ["vmrules/x.py::function", ...] for every ``# effect:`` comment naming it."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "vmrules").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        for m in _COMMENT.finditer(text):
            where = f"{rel}::{_place(text, m.start(), m.end())}"
            for effect_id in dict.fromkeys(_ID.findall(m.group(1))):
                if where not in found.get(effect_id, []):
                    found.setdefault(effect_id, []).append(where)
    return found
