"""Entry points: run_conformance and its Report, conformance_test, machine_for, trace files."""

from __future__ import annotations

import hashlib
import json
import secrets
import unittest
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import Verbosity
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as HypothesisSettings
from hypothesis.stateful import get_state_machine_test

from vmrules.catalogue import CATALOGUE
from vmrules.defaults import MAIN
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.adapters import SystemAdapter, close_adapter
from vmrules.testing.conformance.directed import rule_sweep
from vmrules.testing.conformance.divergence import ConformanceFailure, Divergence
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.machine import KIT_HYPOTHESIS_SETTINGS, ConformanceMachine, RunStats
from vmrules.testing.conformance.minimize import minimize
from vmrules.testing.conformance.seeding import seed_only_draws
from vmrules.testing.conformance.settings import KitSettings, Mode
from vmrules.testing.strategies.rule_directed import forget_vocabulary

# Typed here because older hypothesis releases leave it unannotated (mypy --strict would need an ignore that
# newer releases make unused).
_state_machine_test: Callable[..., Callable[..., None]] = get_state_machine_test

# ==== entry points ====================================================================================


@dataclass(frozen=True)
class Report:
    """The outcome of a conformance run. ``ok`` when no divergence was found; otherwise ``divergence`` (after
    shrinking), ``explanation`` (one paragraph), ``trace`` (``vmrules run`` JSON Lines) and, when written,
    ``trace_path`` and ``world_path`` (the starting world to replay it from)."""

    ok: bool
    mode: Mode
    examples: int
    steps: int
    skipped: int
    divergence: Divergence | None = None
    explanation: str = ""
    trace: str = ""
    trace_path: Path | None = None
    world_path: Path | None = None
    first_detection: tuple[int, int, int] | None = None
    rules_hit: Mapping[str, int] = field(default_factory=dict)
    seed: int | None = None
    directed: int = 0
    scenarios: Mapping[str, int] = field(default_factory=dict)
    accepted: Mapping[str, int] = field(default_factory=dict)  # operation -> successful calls compared

    @property
    def effects_exercised(self) -> tuple[str, ...]:
        """The effects (vmrules.EFFECTS) of every operation the reference accepted in this run: each such call's
        result, and the observations after it settled, were compared with the system's."""
        return tuple(e.id for op in sorted(self.accepted) for e in OPERATION_TABLE[op].effects)

    @property
    def effects_never_exercised(self) -> tuple[str, ...]:
        """The effects of the operations no request of this run succeeded in."""
        return tuple(e.id for name, op in sorted(OPERATION_TABLE.items()) if name not in self.accepted
                     for e in op.effects)

    @property
    def rules_never_hit(self) -> tuple[str, ...]:
        """The catalogue rules the reference never refused a request under in this run."""
        return tuple(r for r in CATALOGUE if r not in self.rules_hit)

    @property
    def rule_coverage(self) -> float:
        """The share of catalogue rules fired (refused under) in this run."""
        return sum(1 for r in CATALOGUE if r in self.rules_hit) / len(CATALOGUE)

    @property
    def rule(self) -> str | None:
        """The rule the reference applied at the divergent step (None when it accepted the request)."""
        return self.divergence.rule if self.divergence is not None else None

    def summary(self) -> str:
        head = (f"{self.examples} runs, {self.steps} steps compared ({self.mode} mode), "
                f"{len(CATALOGUE) - len(self.rules_never_hit)} of {len(CATALOGUE)} catalogue rules fired "
                f"({self.rule_coverage:.0%}), {len(self.effects_exercised)} of "
                f"{len(self.effects_exercised) + len(self.effects_never_exercised)} effects exercised")
        replay = f"\nseed {self.seed} (rerun the same steps with --seed {self.seed})" if self.seed is not None else ""
        if self.ok:
            never = ", ".join(self.rules_never_hit)
            return f"conformant: {head}, no divergence{replay}" + (f"\nrules never fired: {never}" if never else "")
        where = f"\ntrace: {self.trace_path} (start world: {self.world_path})" if self.trace_path else ""
        return f"DIVERGENCE after {head}\n{self.explanation}{where}{replay}"


def machine_for(adapter_factory: Callable[[], SystemAdapter], kit: KitSettings | None = None,
                stats: RunStats | None = None, shrink: bool = True) -> type[ConformanceMachine]:
    """A ``ConformanceMachine`` subclass bound to an adapter factory and settings."""
    return type("Conformance", (ConformanceMachine,), {
        "adapter_factory": staticmethod(adapter_factory), "kit": kit or KitSettings(), "stats": stats,
        "shrink": shrink,
    })


def _failure_in(error: BaseException) -> ConformanceFailure | None:
    if isinstance(error, ConformanceFailure):
        return error
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = _failure_in(inner)
            if found is not None:
                return found
    return None


def _sweep(adapter_factory: Callable[[], SystemAdapter], kit: KitSettings, stats: RunStats, seed: int,
           shrink: bool) -> ConformanceFailure | None:
    """The rule sweep that opens a run (``directed.rule_sweep``), on a system that can be reset."""
    adapter = adapter_factory()
    lock = Lockstep(adapter, kit)
    try:
        if not adapter.reset(lock.start_world.to_dict()):
            return None  # a system that keeps its state: the sweep would change what the run starts from
        found = lock.start()
        pairs = 0
        if found is None:
            operations = tuple(sorted(kit.operations or OPERATION_TABLE))
            pairs, found = rule_sweep(lock, seed, operations, kit.callers or (MAIN,),
                                      scenarios=kit.operations is None, ran=stats.scenarios)
    finally:
        close_adapter(adapter)
    stats.steps += lock.steps
    stats.skipped += lock.skipped
    stats.directed += pairs
    stats.rules_hit.update(lock.rules_hit)
    stats.accepted.update(lock.accepted)
    if found is None:
        return None
    stats.first_detection = (0, lock.steps, lock.steps)
    failure = lock.failure(found)
    return minimize(adapter_factory, failure, kit) if shrink else failure


def run_conformance(adapter_factory: Callable[[], SystemAdapter], *, steps: int = 40, examples: int = 30,
                    seed: int | None = None, settings: KitSettings | None = None, shrink: bool = True,
                    hypothesis_settings: HypothesisSettings | None = None) -> Report:
    """Run the lockstep state machine against fresh adapters from ``adapter_factory``: up to ``examples`` runs
    of up to ``steps`` steps each. ``seed`` fixes hypothesis's randomness; None (the default) draws a fresh
    seed, reported in ``Report.seed`` so that the run can be repeated exactly. Returns a
    ``Report``; a divergence is shrunk (unless ``shrink`` is False) and, with ``settings.trace_dir``, written
    there as a trace and its starting world."""
    kit = settings or KitSettings()
    forget_vocabulary()  # the same seed draws the same steps whatever ran before in this process
    stats = RunStats()
    machine = machine_for(adapter_factory, kit, stats, shrink)
    config = hypothesis_settings or HypothesisSettings(
        KIT_HYPOTHESIS_SETTINGS, max_examples=examples, stateful_step_count=steps, database=None,
        verbosity=Verbosity.quiet)
    test = _state_machine_test(machine, settings=config)
    if seed is None:
        seed = secrets.randbelow(2**32)  # a fresh run each time, replayable from the report
    test = hypothesis_seed(seed)(test)
    with seed_only_draws():  # what the run draws depends on the seed, not on the modules this process imported
        failure = _sweep(adapter_factory, kit, stats, seed, shrink) if kit.sweep else None
        if failure is None:
            try:
                test()
            except Exception as error:  # a ConformanceFailure (possibly in a group) is the report; else a bug
                failure = _failure_in(error)
                if failure is None:
                    raise
    if failure is None:
        return Report(True, kit.mode, stats.examples, stats.steps, stats.skipped,
                      first_detection=None, rules_hit=dict(stats.rules_hit), seed=seed, directed=stats.directed,
                      scenarios=dict(stats.scenarios), accepted=dict(stats.accepted))
    trace_path = world_path = None
    if kit.trace_dir is not None:
        trace_path, world_path = write_trace(failure, Path(kit.trace_dir))
    return Report(False, kit.mode, stats.examples, stats.steps, stats.skipped, failure.divergence,
                  failure.explanation, failure.trace, trace_path, world_path, stats.first_detection,
                  dict(stats.rules_hit), seed, stats.directed, dict(stats.scenarios), dict(stats.accepted))


def write_trace(failure: ConformanceFailure, directory: Path) -> tuple[Path, Path]:
    """Write the trace and its starting world; names derive from the trace's content (no clock)."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(failure.trace.encode("utf-8")).hexdigest()[:10]
    world_path = directory / f"divergence-{digest}.world.json"
    trace_path = directory / f"divergence-{digest}.jsonl"
    world_path.write_text(json.dumps(failure.start.to_dict(), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
    trace = failure.trace.replace("start-world.json", world_path.name)
    trace_path.write_text(f"# {failure.explanation}\n{trace}", encoding="utf-8")
    return trace_path, world_path


def conformance_test(adapter_factory: Callable[[], SystemAdapter], *, steps: int = 40, examples: int = 30,
                     seed: int | None = None, settings: KitSettings | None = None) -> type[unittest.TestCase]:
    """A test case class running the kit against ``adapter_factory``: ``TestMine = conformance_test(...)``.
    It fails with the explanation, the trace of the minimal divergence and the seed that reproduces it (each
    run draws a fresh seed unless ``seed`` is given)."""

    def test_conformance(self: unittest.TestCase) -> None:
        report = run_conformance(adapter_factory, steps=steps, examples=examples, seed=seed, settings=settings)
        if not report.ok:
            self.fail(f"{report.explanation}\n\nSeed: {report.seed}\n\nTrace (replay with `vmrules run`):\n"
                      f"{report.trace}")

    return type("ConformanceTest", (unittest.TestCase,), {"test_conformance": test_conformance})
