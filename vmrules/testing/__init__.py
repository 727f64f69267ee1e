"""Test kit for vmrules: world invariants and hypothesis strategies (docs/testing.md).

``vmrules.testing.invariants.check_invariants`` needs only the core; ``vmrules.testing.strategies`` needs
hypothesis (installed with the ``test`` extra). The core never imports this package.
"""

from vmrules.testing.invariants import check_invariants

__all__ = ["check_invariants"]
