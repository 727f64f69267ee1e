"""The hypothesis state machine that draws lockstep steps from the model's current world."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase
from hypothesis import settings as HypothesisSettings
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from vmrules.defaults import MAIN
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.adapters import SystemAdapter, close_adapter
from vmrules.testing.conformance.directed import directed_rules, send_pair
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import EDGE_TARGETS
from vmrules.testing.conformance.lockstep import Lockstep, _mutating
from vmrules.testing.conformance.minimize import minimize
from vmrules.testing.conformance.scenarios import SCENARIOS
from vmrules.testing.conformance.settings import JSON, KitSettings
from vmrules.testing.strategies import invalid_requests, valid_requests

# ==== hypothesis: the state machine ===================================================================


@dataclass
class RunStats:
    """Counts across the examples of one run (filled by the machine)."""

    examples: int = 0
    steps: int = 0
    skipped: int = 0
    # (run, step within the run, steps since the start) of the first divergence, before minimization
    first_detection: tuple[int, int, int] | None = None
    rules_hit: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)  # operations accepted by the reference
    directed: int = 0  # rule-directed requests sent
    scenarios: Counter[str] = field(default_factory=Counter)


_KINDS = ("request",) * 16 + ("settle",) * 3 + ("advance",)


# Hypothesis's own shrinking rarely helps here (each step's draws depend on the world the earlier steps left,
# so deleting a step misaligns the rest and costs minutes); the machine minimizes the concrete steps of the
# final failing run instead (``minimize``), which takes about a second.
KIT_HYPOTHESIS_SETTINGS = HypothesisSettings(
    max_examples=30, stateful_step_count=40, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=list(HealthCheck), report_multiple_bugs=False)


class ConformanceMachine(RuleBasedStateMachine):
    """Lockstep conformance as a hypothesis state machine. Subclass it with ``adapter_factory`` (and optionally
    ``kit``), then ``TestMine = MyMachine.TestCase``; or use ``conformance_test`` / ``run_conformance``."""

    adapter_factory: Callable[[], SystemAdapter] | None = None
    kit: KitSettings = KitSettings()
    stats: RunStats | None = None
    shrink: bool = True  # minimize the divergence hypothesis reports (``minimize``)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # ``@settings`` on a machine class does not pass to its subclasses: give each the kit's settings (a
        # ``@settings`` decorator on the subclass itself still wins, as it is applied afterwards).
        cls.TestCase.settings = KIT_HYPOTHESIS_SETTINGS

    def __init__(self) -> None:
        super().__init__()
        factory = type(self).adapter_factory
        if factory is None:
            raise TypeError(f"{type(self).__name__}.adapter_factory is not set")
        self.adapter = factory()
        self.lockstep = Lockstep(self.adapter, type(self).kit)
        kit = self.lockstep.kit
        self.operations = tuple(sorted(kit.operations or OPERATION_TABLE))
        # Changes are drawn three times as often as queries.
        self.weighted = tuple(op for op in self.operations for _ in range(3 if _mutating(op) else 1))
        self.callers = tuple(kit.callers[:1] * 3 + kit.callers[1:]) or (MAIN,)
        invalid = round(20 * kit.invalid_share)
        edge = round(invalid * kit.edge_share)
        directed = min(20 - invalid, round(20 * kit.directed_share))
        self.modes = (("valid",) * (20 - invalid - directed) + ("edge",) * edge + ("invalid",) * (invalid - edge)
                      + ("directed",) * directed) or ("valid",)
        scenarios = round(20 * kit.scenario_share) if kit.operations is None else 0
        self.kinds = ("request",) * (16 - scenarios) + ("scenario",) * scenarios + _KINDS[16:]
        # Rule-directed requests aim at the rules this example has not fired yet; each attempt pushes a rule
        # back, so that rules the world cannot reach do not take every turn. (The run-wide schedule is the
        # sweep that opens ``run_conformance``: hypothesis needs each example to be a function of its choices.)
        self.directed_rules = directed_rules(self.operations)
        self.attempts: Counter[str] = Counter()
        stats = type(self).stats
        self._steps_before = stats.steps if stats is not None else 0
        if stats is not None:
            stats.examples += 1

    def _check(self, divergence: Divergence | None) -> None:
        if divergence is None:
            return
        stats = type(self).stats
        if stats is not None and stats.first_detection is None:
            stats.first_detection = (stats.examples, self.lockstep.steps, self._steps_before + self.lockstep.steps)
        failure = self.lockstep.failure(divergence)
        factory = type(self).adapter_factory
        if type(self).shrink and factory is not None and current_build_context().is_final:
            failure = minimize(factory, failure, self.lockstep.kit)
        raise failure

    @initialize()
    def start(self) -> None:
        self._check(self.lockstep.start())

    @rule(data=st.data())
    def step(self, data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(self.kinds), label="kind")
        before = self.lockstep.steps
        stats = type(self).stats
        if kind == "settle":
            self._check(self.lockstep.settle())
        elif kind == "advance":
            seconds = data.draw(st.sampled_from([60, 3600, 4 * 86400, 40 * 86400]), label="seconds")
            self._check(self.lockstep.advance(seconds))
        elif kind == "scenario":
            name = sorted(SCENARIOS)[data.draw(st.integers(0, len(SCENARIOS) - 1), label="scenario")]
            caller = data.draw(st.sampled_from(self.callers), label="caller")
            if stats is not None:
                stats.scenarios[name] += 1
            self._check(SCENARIOS[name](self.lockstep, data, caller))
        else:
            mode = data.draw(st.sampled_from(self.modes), label="mode")
            if mode == "directed":
                self._check(self._directed(data))
            else:
                operation, caller, params = self._draw_request(data, mode)
                self._check(self.lockstep.request(operation, params, caller))
        stats = type(self).stats
        if stats is not None:
            stats.steps += self.lockstep.steps - before

    def _draw_request(self, data: st.DataObject, mode: str) -> tuple[str, str, JSON]:
        world = self.lockstep.model
        if mode == "edge":
            # Fixed-range draws (an index taken modulo the candidates) keep the choice sequence aligned when
            # the shrinker deletes earlier steps and the world the candidates come from changes.
            target = EDGE_TARGETS[data.draw(st.integers(0, len(EDGE_TARGETS) - 1), label="edge target")]
            pick = data.draw(st.integers(0, 2**16), label="edge candidate")
            candidates = [c for c in target.build(world, self.lockstep.kit.callers) if c[0] in self.operations]
            if candidates:
                return candidates[pick % len(candidates)]
        operation = data.draw(st.sampled_from(self.weighted), label="operation")
        caller = data.draw(st.sampled_from(self.callers), label="caller")
        if mode != "valid":
            invalid = invalid_requests(world, operation, caller=caller)
            if not invalid.is_empty:
                params, _ = data.draw(invalid, label="invalid request")
                return operation, caller, params
        return operation, caller, data.draw(valid_requests(world, operation, caller=caller), label="request")

    def _directed(self, data: st.DataObject) -> Divergence | None:
        """A boundary pair for a rule this example has not fired yet (the least tried first)."""
        lock = self.lockstep
        pending = [r for r in self.directed_rules if r not in lock.rules_hit] or list(self.directed_rules)
        fewest = min(self.attempts[r] for r in pending)
        pending = [r for r in pending if self.attempts[r] == fewest]
        rule_id = pending[data.draw(st.integers(0, 2**16), label="directed rule") % len(pending)]
        self.attempts[rule_id] += 1
        found, divergence = send_pair(lock, data, rule_id, self.operations, self.callers)
        stats = type(self).stats
        if stats is not None and found:
            stats.directed += 1
        return divergence

    def teardown(self) -> None:
        stats = type(self).stats
        if stats is not None:
            stats.skipped += self.lockstep.skipped
            stats.rules_hit.update(self.lockstep.rules_hit)
            stats.accepted.update(self.lockstep.accepted)
        close_adapter(self.adapter)
