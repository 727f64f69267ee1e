"""Print, per operation, the share of ``valid_requests`` that succeed and the rules ``invalid_requests`` hit.

Run: ``python property_tests/measure.py [examples-per-operation]`` (default 200). Deterministic: the draws
come from hypothesis's ``find``-free data API seeded per operation, so two runs print the same table.
"""

from __future__ import annotations

import sys
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmrules import OPERATION_TABLE, check, execute
from vmrules.testing.strategies import invalid_requests, valid_requests, worlds


def measure(operation: str, examples: int) -> tuple[int, int, Counter[str], Counter[str], int, int]:
    ok = total = inv_total = inv_exact = 0
    failures: Counter[str] = Counter()
    targeted: Counter[str] = Counter()

    @settings(max_examples=examples, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        nonlocal ok, total, inv_total, inv_exact
        world = data.draw(worlds())
        params = data.draw(valid_requests(world, operation))
        outcome = execute(world, operation, params)
        total += 1
        if outcome.ok:
            ok += 1
        else:
            assert outcome.error is not None
            failures[outcome.error.rule] += 1
        bad, rule_id = data.draw(invalid_requests(world, operation))
        errors = check(world, operation, bad)
        inv_total += 1
        targeted[rule_id] += 1
        if errors and errors[0].rule == rule_id:
            inv_exact += 1
        else:
            failures[f"INVALID {rule_id} -> {errors[0].rule if errors else 'ok'}"] += 1

    run()
    return ok, total, failures, targeted, inv_exact, inv_total


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    only = sys.argv[2:] or sorted(OPERATION_TABLE)
    print(f"| operation | valid ok | share | invalid exact | rules targeted |")
    print("|---|---|---|---|---|")
    for name in only:
        ok, total, failures, targeted, exact, inv_total = measure(name, examples)
        print(f"| {name} | {ok}/{total} | {ok / total:.0%} | {exact}/{inv_total} | {len(targeted)} |")
        if "-v" in sys.argv or failures:
            for reason, count in failures.most_common(6):
                print(f"|   | {count} × {reason} | | | |", file=sys.stderr)


if __name__ == "__main__":
    main()
