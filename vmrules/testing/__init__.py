"""Test kit for vmrules: world invariants and hypothesis strategies (docs/testing.md).

``vmrules.testing.invariants.check_invariants`` needs only the core; ``vmrules.testing.strategies`` needs
hypothesis (installed with the ``test`` extra). ``mock_jdcloud`` answers the official SDK in process
(docs/mocking.md). The core never imports this package.
"""

from vmrules.testing.invariants import check_invariants
from vmrules.testing.mock import MockJDCloud, UnmockedRequest, mock_jdcloud

__all__ = ["MockJDCloud", "UnmockedRequest", "check_invariants", "mock_jdcloud"]
