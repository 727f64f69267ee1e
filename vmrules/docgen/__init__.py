"""The reference spec generator: docs/spec/*.md, docs/rules.md, docs/errors.md, docs/traceability.md and
docs/divergences.md, all produced from the code (the core never imports this package).

Run ``python -m vmrules.docgen`` to regenerate, ``python -m vmrules.docgen --check`` to list stale files.
"""

from vmrules.docgen.generate import Generated, generate, stale, write

__all__ = ["Generated", "generate", "stale", "write"]
