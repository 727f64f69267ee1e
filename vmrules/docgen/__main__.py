"""``python -m vmrules.docgen [--check] [--root DIR]``: regenerate the docs, or exit 1 naming stale files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vmrules.docgen.generate import generate, stale, write


def default_root() -> Path:
    """The repository holding docs/seed: the current directory if it has one, else the package's checkout."""
    here = Path.cwd()
    if (here / "docs" / "seed").is_dir():
        return here
    return Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vmrules.docgen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if a generated file is stale")
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found automatically)")
    args = parser.parse_args(argv)
    root = args.root or default_root()
    generated = generate(root)
    for line in generated.counts.lines():
        print(line)
    for problem in generated.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if args.check:
        outdated = stale(root, generated)
        for rel in outdated:
            print(f"stale: {rel}", file=sys.stderr)
        if outdated:
            print("run `python -m vmrules.docgen` to regenerate", file=sys.stderr)
        return 1 if outdated or generated.problems else 0
    changed = write(root, generated)
    print(f"{len(generated.files)} files generated, {len(changed)} changed")
    return 1 if generated.problems else 0


if __name__ == "__main__":
    sys.exit(main())
