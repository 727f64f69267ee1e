"""Rule-directed steps: boundary pairs aimed at catalogue rules, and the sweep that aims one at every rule.

``send_pair`` builds, from the model's current world, the requests that break one rule and as little else as
possible, one for each kind of edge the rule has (upper and lower bound, off-step, lengths, counts,
characters...), each with its neighbour on the allowed side (``vmrules.testing.strategies.rule_directed``),
and sends them in lockstep. ``rule_sweep`` is the explicit schedule that opens every conformance run: the
pairs for each catalogue rule the kit can aim at (in an order drawn from the run's seed), every scenario
once, a second pass over the rules still not fired, then the rules whose setups change the world for good
(``setups.LATE``), a settle after every few
rules (and, when a caller nears its instance quota, the instances the run made deleted) — so that each run
fires the rules the world allows, whatever the random steps after it do. Each rule is one single-example
hypothesis run seeded from the run's seed (one long example would overrun hypothesis's choice buffer), so
the seed fixes the sweep and its divergences are minimized like any.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as HypothesisSettings
from hypothesis import strategies as st

from vmrules.catalogue import CATALOGUE
from vmrules.defaults import NORTH
from vmrules.testing.conformance.divergence import Divergence
from vmrules.testing.conformance.edges import AIMED_AS, EDGE_TARGETS
from vmrules.testing.conformance.lockstep import Lockstep
from vmrules.testing.conformance.scenarios import SCENARIOS
from vmrules.testing.conformance.settings import JSON
from vmrules.testing.conformance.setups import LATE, SETUPS, TEARDOWNS
from vmrules.testing.strategies import valid_requests
from vmrules.testing.strategies.invalid import makers_for_rule
from vmrules.testing.strategies.rule_directed import directed_pairs, operations_of

# Rules a lockstep step cannot be aimed at. (An unknown operation and parameters that are not an object are
# sent by their setups; an adapter that cannot carry them, ``carries``, is not sent them: skipped, not fired.)
NOT_DIRECTED: frozenset[str] = frozenset()
SETTLE_EVERY = 6  # rules per settle in the sweep (tasks left in progress reach the "task in progress" rules)
_CREATING = frozenset({"createInstances", "createImage", "copyImages"})


FIELD_DRAWS = 4  # valid requests drawn, at most, for one that carries the rule's field


def _carries(params: Any, path: Sequence[str]) -> bool:
    """Whether ``params`` holds a value at the dotted ``path`` (through lists: in any item)."""
    if not path:
        return params is not None
    if isinstance(params, list):
        return any(_carries(item, path) for item in params)
    return isinstance(params, dict) and path[0] in params and _carries(params[path[0]], path[1:])


def directed_rules(operations: Sequence[str]) -> tuple[str, ...]:
    """The catalogue rules a directed step can aim at within ``operations``."""
    return tuple(r for r in CATALOGUE if r not in NOT_DIRECTED and any(op in operations for op in operations_of(r)))


def _edge_candidates(lock: Lockstep, rule_id: str, operation: str, caller: str) -> list[JSON]:
    found: list[JSON] = []
    for target in EDGE_TARGETS:
        if target.rule == rule_id:
            found += [c[2] for c in target.build(lock.model, (caller,)) if c[0] == operation]
    return found[:3]


def send_pair(lock: Lockstep, data: st.DataObject, rule_id: str, operations: Sequence[str],
              callers: Sequence[str]) -> tuple[bool, Divergence | None]:
    """Aim one boundary pair at ``rule_id``: (whether a request breaking it was found, the first divergence).
    Without one, a valid request of the rule's operation is sent instead (still a compared step)."""
    choices = [op for op in operations_of(rule_id) if op in operations]
    operation = choices[data.draw(st.integers(0, 2**16), label="directed operation") % len(choices)]
    caller = callers[data.draw(st.integers(0, 2**16), label="directed caller") % len(callers)]
    world = lock.model
    makers = makers_for_rule(operation, rule_id)
    if caller != callers[0] and (rule_id in SETUPS or (
            makers and all(maker(world, caller, operation) is None for maker in makers))):
        caller = callers[0]  # the account setups build states for, and the one the starting world equips best
    # A signing adapter knows its callers (``callers``): it cannot sign for an account it has no key of.
    signs_for: Sequence[str] = getattr(lock.adapter, "callers", ())
    aimed_as = AIMED_AS.get(rule_id)
    if aimed_as is not None and aimed_as in world.accounts:
        # The state only this account holds in the edge world.
        if signs_for and aimed_as not in signs_for:
            return False, None
        caller = aimed_as
    if rule_id == "REQUEST.UNKNOWN_CALLER":
        params = data.draw(valid_requests(world, operation, caller=caller), label="request")
        if signs_for:
            return False, lock.request(operation, params, caller)
        return True, lock.request(operation, params, "nobody-at-all")
    bases: list[Any] = []
    setup = SETUPS.get(rule_id)
    if setup is not None:
        # The state the rule needs is built first, through the API; its bases lead the search.
        built, divergence = setup(lock, data, caller, rule_id)
        if divergence is not None:
            return True, divergence
        bases += built
    world = lock.model
    bases += _edge_candidates(lock, rule_id, operation, caller)
    for maker in makers:
        strategy = maker(world, caller, operation)
        if strategy is not None:
            bases.append(data.draw(strategy, label="directed maker")[0])
    plain = data.draw(valid_requests(world, operation, caller=caller), label="directed base")
    bases.append(plain)
    field = CATALOGUE[rule_id].field if rule_id in CATALOGUE else None
    if field and not _carries(plain, field.split(".")):
        # A valid request that carries the rule's (optional) field, so that its edges are searched from a value
        # the rule allows (a drawn request often leaves a password out), searched last.
        for _ in range(FIELD_DRAWS):
            carrier = data.draw(valid_requests(world, operation, caller=caller), label="directed carrier")
            if _carries(carrier, field.split(".")):
                bases.append(carrier)
                break
    rng = random.Random(data.draw(st.integers(0, 2**32), label="directed seed"))
    pairs = directed_pairs(world, rule_id, operation, caller, bases, rng)
    found = None if pairs else lock.request(operation, plain, caller)
    for n, pair in enumerate(pairs):
        found = lock.request(operation, pair.breaking, caller)
        # Every edge's breaking request; the allowed neighbours of the later edges only where they create
        # nothing (four instances per createInstances rule would soon meet the quota and mask other rules).
        if found is None and pair.allowed is not None and (n == 0 or operation not in _CREATING):
            found = lock.request(operation, pair.allowed, caller)
        if found is not None:
            break
    teardown = TEARDOWNS.get(rule_id)
    if found is None and teardown is not None:  # what the setup built that would hinder the rules after it
        found = teardown(lock, caller)
    return bool(pairs), found


ROOM = 15  # instances a sweep keeps free under the caller's quota (a page walk creates up to 13)


def make_room(lock: Lockstep, callers: Sequence[str]) -> Divergence | None:
    """Delete (in lockstep) the instances the run created when a caller comes within ``ROOM`` of its instance
    quota: a createInstances pair refused by the quota first would hide the rule it aims at."""
    for caller in callers:
        world = lock.model
        account = world.accounts.get(caller)
        if account is None or world.used(caller, NORTH, "instance") < account.quota("instance") - ROOM:
            continue
        made = sorted(i.instance_id for i in world.instances.values()
                      if i.owner == caller and i.region == NORTH and i.instance_id not in lock.start_world.instances
                      and i.status in ("running", "stopped", "error") and not world.busy(i.instance_id)
                      and (i.charge is None or i.charge.mode != "prepaid_by_duration"))
        for instance_id in made:
            found = lock.request("deleteInstance", {"regionId": NORTH, "instanceId": instance_id}, caller)
            if found is not None:
                return found
        if made:
            found = lock.settle()
            if found is not None:
                return found
    return None


_ONE = HypothesisSettings(max_examples=1, phases=(Phase.generate,), database=None, deadline=None,
                          suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet)


def _once(seed: int, body: Any) -> Any:
    """Run ``body(data)`` in one hypothesis example seeded by ``seed``; its return value (None if hypothesis
    never ran it to the end). A retried example (after an overrun) does not run ``body`` twice."""
    results: list[Any] = []

    @hypothesis_seed(seed)
    @_ONE
    @given(st.data())
    def example(data: st.DataObject) -> None:
        if not results:
            results.append(body(data))

    example()
    return results[0] if results else None


def _aim(lock: Lockstep, seed: int, rules: Sequence[str], first: int, operations: Sequence[str],
         callers: Sequence[str]) -> tuple[int, Divergence | None]:
    """One pair for each of ``rules`` (the n-th seeded ``seed + first + n``), a settle after every few; (pairs
    found, first divergence). A rule an earlier step already fired is aimed at all the same: that step broke it
    somewhere, not at its edges (a status gate refused one status, a bound a value far past it)."""
    found_pairs = 0
    for n, rule_id in enumerate(rules, start=first):
        outcome = _once(seed + n, lambda data, r=rule_id: send_pair(lock, data, r, operations, callers))
        found, divergence = outcome if outcome is not None else (False, None)
        found_pairs += found
        if divergence is None and n % SETTLE_EVERY == 0:
            divergence = lock.settle() or make_room(lock, callers)
        if divergence is not None:
            return found_pairs, divergence
    return found_pairs, None


def rule_sweep(lock: Lockstep, seed: int, operations: Sequence[str], callers: Sequence[str],
               scenarios: bool = True, ran: Counter[str] | None = None) -> tuple[int, Divergence | None]:
    """One pair per directed rule (in an order drawn from ``seed``), then every scenario once (unless
    ``scenarios`` is False; each run is counted in ``ran``), then once more a pair for each rule still not
    fired, then the rules whose setups change the world for every later step (``setups.LATE``: a quota filled,
    the clock moved); (pairs found, first divergence)."""
    rules = list(directed_rules(operations))
    random.Random(seed).shuffle(rules)
    early = [r for r in rules if r not in LATE]
    found_pairs, divergence = _aim(lock, seed, early, 1, operations, callers)
    if divergence is not None:
        return found_pairs, divergence
    for k, name in enumerate(sorted(SCENARIOS) if scenarios else []):
        if ran is not None:
            ran[name] += 1
        divergence = _once(seed + len(rules) + k + 1,
                           lambda data, s=SCENARIOS[name]: s(lock, data, callers[0]))
        if divergence is not None:
            return found_pairs, divergence
    # A second pass over the rules still not fired, in the world the scenarios left (other tasks in progress,
    # other statuses, other free resources), before the setups that change the world for good.
    again = [r for r in early if r not in lock.rules_hit]
    again_pairs, divergence = _aim(lock, seed, again, len(rules) + len(SCENARIOS) + 1, operations, callers)
    found_pairs += again_pairs
    if divergence is not None:
        return found_pairs, divergence
    late = [r for r in LATE if r in rules]  # in their registered order: a filled quota can hide another
    late_pairs, divergence = _aim(lock, seed, late, len(early) + 1, operations, callers)
    if divergence is not None:
        return found_pairs + late_pairs, divergence
    return found_pairs + late_pairs, lock.settle()
