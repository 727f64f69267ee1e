"""Hypothesis profiles for the property suite.

``ci`` (default): derandomized, so CI runs are reproducible, and sized so the whole suite takes about two
minutes on two cores. ``thorough``: random, ten times the examples, longer state-machine walks. Select with
``VMRULES_HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

# The suite's shared strategy helpers (pooled_worlds.py) are imported by module name.
sys.path.append(str(Path(__file__).parent))  # after tests/: its module names (test_snapshot) win

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "thorough",
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=_SLOW_OK,
)
settings.load_profile(os.environ.get("VMRULES_HYPOTHESIS_PROFILE", "ci"))
