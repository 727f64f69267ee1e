"""Where a createInstances of ``FULL_SPEC`` spends its time, part by part (issue 19's check and execute rows).
Run: ``python bench/create_parts.py [--rounds 7] [--top 15] [--json FILE]``.

Prints, in processor microseconds (median over the rounds, the parts taking turns within a round): the
request's parse, its context, the rule loop, the transition, the builder call inside the transition and the
same entities built directly (bench/bench.py's baseline); then the rules, costliest first. The parts are
measured on one context whose rules have run once (the quota room is then computed already, as it is when
the transition follows the rules), so they add up only roughly to ``execute``.

Last, the floors of bench/bench.py's two ratios: ``check`` and ``execute`` as a user calls them, beside the
request model and the direct build, first with every rule, then with only the ``--keep`` costliest rules, then
with every rule replaced by a check that does nothing, then with none (the operation's rule plan swapped for the
run, restored after). What no rule costs is the part of each ratio that removing or speeding up rules cannot
reach; the no-op plan adds what the loop's 71 calls cost by themselves.

The rule loop is also timed as ten checks run it (ten passes, the 71 rules interleaved) and with the same 710
calls made each rule ten times in a row. On a machine whose caches the interpreter outgrows, the interleaved
passes cost more than the same calls in a row: that difference is what summing the rules one by one leaves out.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from typing import Any

import vmrules
from bench import FULL_SPEC, build_full_spec_directly, cpu_seconds  # bench/bench.py, beside this script
from vmrules import World
from vmrules.operations import OPERATION_TABLE
from vmrules.operations.create import transition


def _cpu_us(fn: Callable[[], object], number: int) -> float:
    return cpu_seconds(fn, repeat=1, number=number) * 1e6  # one run: the rounds take turns around it


def measure(rounds: int) -> tuple[dict[str, float], list[tuple[float, str]]]:
    op = OPERATION_TABLE["createInstances"]
    world = World.default()
    caller = world.default_account
    parsed = op.parse(FULL_SPEC)
    assert not isinstance(parsed, list), parsed
    ctx = op.context(world, caller, parsed)
    plan = op._plan  # the rule loop's own table: each check function beside its rule

    def rules() -> None:
        for check, _ in plan:
            check(ctx)

    def rules_interleaved() -> None:  # ten passes of the rule loop, as ten checks run them
        for _ in range(10):
            for check, _ in plan:
                check(ctx)

    def rules_in_a_row() -> None:  # the same 10 x 71 calls, each rule ten times before the next
        for check, _ in plan:
            for _ in range(10):
                check(ctx)

    rules()
    builder_kwargs: dict[str, Any] = {}
    builder = transition.add_instance

    def recording(w: World, **kwargs: Any) -> Any:
        builder_kwargs.update(kwargs)
        return builder(w, **kwargs)

    transition.add_instance = recording  # type: ignore[assignment]
    try:
        op.apply(ctx)
    finally:
        transition.add_instance = builder
    parts: dict[str, Callable[[], object]] = {
        "parse (plain copy + request model)": lambda: op.parse(FULL_SPEC),
        "request model alone": lambda: op.request.model_validate(FULL_SPEC),
        "context": lambda: op.context(world, caller, parsed),
        "rule loop (71 checks)": rules,
        "  10 passes / 10, rules interleaved": rules_interleaved,
        "  10 passes / 10, each rule 10 in a row": rules_in_a_row,
        "transition (apply)": lambda: op.apply(ctx),
        "  of it the builder call": lambda: builder(world, **builder_kwargs),
        "built directly (bench.py's baseline)": build_full_spec_directly(world),
    }
    samples: dict[str, list[float]] = {name: [] for name in parts}
    per_rule: dict[str, list[float]] = {r.id: [] for _, r in plan}
    for _ in range(rounds):
        for name, fn in parts.items():
            samples[name].append(_cpu_us(fn, 300))
        for check, r in plan:
            per_rule[r.id].append(_cpu_us(lambda c=check: c(ctx), 2000))  # type: ignore[misc]
    figures = {name: statistics.median(values) for name, values in samples.items()}
    for name in ("  10 passes / 10, rules interleaved", "  10 passes / 10, each rule 10 in a row"):
        figures[name] /= 10
    ranked = sorted(((statistics.median(v), rid) for rid, v in per_rule.items()), reverse=True)
    return figures, ranked


def _holds(ctx: object) -> None:
    """A check that finds nothing and costs only its call."""


def floors(rounds: int, ranked: list[tuple[float, str]], keep: int) -> dict[str, float]:
    """check / request model and execute / direct build, each with every rule, the ``keep`` costliest and none:
    the same side-by-side medians of per-round ratios as bench/bench.py's ``measure_create``."""
    op = OPERATION_TABLE["createInstances"]
    world = World.default()
    full_plan = op._plan
    costliest = {rule_id for _, rule_id in ranked[:keep]}
    plans = {"every rule": full_plan, f"the {keep} costliest rules": tuple(
        (c, r) for c, r in full_plan if r.id in costliest),
        "every rule a no-op (the loop's dispatch)": tuple((_holds, r) for _, r in full_plan), "no rule": ()}
    direct = build_full_spec_directly(world)
    ratios: dict[str, list[float]] = {f"{kind}, {label}": [] for kind in ("check / model", "execute / direct")
                                       for label in plans}
    try:
        for _ in range(rounds):
            model = _cpu_us(lambda: op.request.model_validate(FULL_SPEC), 1000)
            built = _cpu_us(direct, 200)
            for label, plan in plans.items():
                object.__setattr__(op, "_plan", plan)  # Operation is frozen: the swap is this benchmark's alone
                checked = _cpu_us(lambda: vmrules.check(world, "createInstances", FULL_SPEC), 300)
                executed = _cpu_us(lambda: vmrules.execute(world, "createInstances", FULL_SPEC), 100)
                ratios[f"check / model, {label}"].append(checked / model)
                ratios[f"execute / direct, {label}"].append(executed / built)
    finally:
        object.__setattr__(op, "_plan", full_plan)
    return {name: statistics.median(values) for name, values in ratios.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--top", type=int, default=15, help="rules to list, costliest first")
    parser.add_argument("--keep", type=int, default=16, help="rules the middle floor keeps, costliest first")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    figures, ranked = measure(args.rounds)
    floor = floors(args.rounds, ranked, args.keep)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"parts": figures, "rules": {rule_id: value for value, rule_id in ranked}, "floors": floor},
                      out, indent=1)
    for name, value in figures.items():
        print(f"{name:40s} {value:8.1f} µs")
    print(f"{'the rules one by one, summed':40s} {sum(t for t, _ in ranked):8.1f} µs")
    cheap = [t for t, _ in ranked if t < 0.3]
    print(f"{f'  of them the {len(cheap)} under 0.3 µs':40s} {sum(cheap):8.1f} µs")
    for value, rule_id in ranked[: args.top]:
        print(f"  {rule_id:54s} {value:6.2f} µs")
    print("floors of the two ratios (median of the rounds' ratios):")
    for name, value in floor.items():
        print(f"  {name:54s} {value:6.2f}")


if __name__ == "__main__":
    main()
