"""The seed's API table, split into the units that constrain behaviour.

Each operation's description cell is split on ``<br>`` / ``</br>``, on the ``\\-`` bullets and on the Chinese
full stop ``。``; every unit keeps its original text (HTML tags and ``\\-`` escapes included), so a rule's
verbatim seed quote can be located in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SEED_PATH = Path("docs/seed/000_2ab5fddc7a2a9fcc.txt")

_ROW = re.compile(r"^\|\*\*(?P<name>\w+)\*\*\|(?P<method>[A-Z]+)\|(?P<cell>.*)\|\s*$")
_BREAK = re.compile(r"<br>|</br>")
_BULLET = "\\-"


@dataclass(frozen=True, slots=True)
class SeedOperation:
    name: str
    method: str
    cell: str  # the description cell, verbatim


@dataclass(frozen=True, slots=True)
class Sentence:
    """One constraining unit of an operation's description: a sentence or a bullet."""

    operation: str
    number: int  # 1-based within the operation
    text: str  # verbatim, surrounding whitespace removed
    depth: int  # bullet nesting depth (0: not a bullet or a top-level bullet)
    bullet: bool

    @property
    def key(self) -> str:
        return f"{self.operation}.{self.number}"

    @property
    def core(self) -> str:
        """The text without the bullet marker and the closing punctuation (for matching quotes)."""
        text = self.text[len(_BULLET):].strip() if self.bullet else self.text
        return text.rstrip("。；;，, ")


def read_seed(root: Path) -> str:
    return (root / SEED_PATH).read_text(encoding="utf-8")


def seed_operations(seed: str) -> tuple[SeedOperation, ...]:
    """The rows of the seed's API table, in the seed's order."""
    rows: list[SeedOperation] = []
    for line in seed.splitlines():
        m = _ROW.match(line)
        if m:
            rows.append(SeedOperation(m["name"], m["method"], m["cell"]))
    return tuple(rows)


def split_cell(operation: str, cell: str) -> tuple[Sentence, ...]:
    """The cell's sentences and bullets, in order, with their original text."""
    out: list[Sentence] = []
    for piece in _BREAK.split(cell):
        stripped = piece.strip()
        if not stripped:
            continue
        indent = len(piece) - len(piece.lstrip(" "))
        bullet = stripped.startswith(_BULLET)
        depth = indent // 4 if bullet else 0
        parts = [p for p in re.split(r"(?<=。)", stripped) if p.strip()]
        for i, part in enumerate(parts):
            out.append(Sentence(operation, len(out) + 1, part.strip(), depth, bullet and i == 0))
    return tuple(out)


def seed_sentences(seed: str) -> tuple[Sentence, ...]:
    return tuple(s for op in seed_operations(seed) for s in split_cell(op.name, op.cell))
