"""What a per-rule setup is, and the registry each setups module fills.

A rule whose violation needs a state the starting world does not hold (a task in progress on a disk, an account
at its CPU quota, an image still being created) gets a *setup*: lockstep steps, sent to the reference and the
system alike, that build that state from the current world, and the base requests of the rule's operation the
boundary-pair search then mutates (``directed.send_pair``). Setups only send requests through ``Lockstep``; the
reference stays the oracle, so a setup that cannot build its state on some world just sends what it can.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.settings import JSON

# (lockstep, hypothesis data, caller, rule id) -> (base requests of the rule's operation, the first divergence).
Setup = Callable[[Lockstep, st.DataObject, str, str], "tuple[list[JSON], Divergence | None]"]
# (lockstep, caller) -> the first divergence: undoes, after the rule's pair, what its setup built that would stand
# in the way of the rules after it (an account filled to its quota).
Teardown = Callable[[Lockstep, str], "Divergence | None"]


class Registry(dict[str, Setup]):
    """Rule id -> setup, filled by ``@registry.setup_for(RULE, ...)`` in one setups module; ``teardowns``: rule
    id -> teardown, filled by ``@registry.teardown_for(RULE, ...)``. ``late`` holds the rules whose setup
    changes the world for every step after it (a quota filled, the clock moved): the sweep aims at them last,
    after the scenarios and in the order registered (one may hide another), so that nothing else runs in the
    world they leave."""

    def __init__(self) -> None:
        super().__init__()
        self.teardowns: dict[str, Teardown] = {}
        self.late: list[str] = []

    def teardown_for(self, *rule_ids: str) -> Callable[[Teardown], Teardown]:
        def register(teardown: Teardown) -> Teardown:
            for rule_id in rule_ids:
                if rule_id in self.teardowns:
                    raise ValueError(f"two teardowns for {rule_id}")
                self.teardowns[rule_id] = teardown
            return teardown
        return register

    def setup_for(self, *rule_ids: str, late: bool = False) -> Callable[[Setup], Setup]:
        def register(setup: Setup) -> Setup:
            for rule_id in rule_ids:
                if rule_id in self:
                    raise ValueError(f"two setups for {rule_id}")
                self[rule_id] = setup
                if late:
                    self.late.append(rule_id)
            return setup
        return register
