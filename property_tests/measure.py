"""Print, per operation, the share of ``valid_requests`` that succeed and the rules ``invalid_requests`` hit.

Run: ``python property_tests/measure.py [examples-per-operation [operation ...]] [-v]`` (default 200 examples,
every operation; ``-v`` lists why requests failed). Derandomized, so two runs print the same table.
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
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv
    examples = int(args[0]) if args else 200
    only = args[1:] or sorted(OPERATION_TABLE)
    print("| operation | valid requests that succeeded | share | invalid requests refused by their rule | "
          "rules targeted |")
    print("|---|---|---|---|---|")
    for name in only:
        ok, total, failures, targeted, exact, inv_total = measure(name, examples)
        print(f"| {name} | {ok}/{total} | {ok / total:.0%} | {exact}/{inv_total} | {len(targeted)} |")
        if verbose:
            for reason, count in failures.most_common(6):
                print(f"    {count} x {reason}")


if __name__ == "__main__":
    main()
