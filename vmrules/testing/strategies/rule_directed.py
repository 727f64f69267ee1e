"""Rule-directed requests: for one catalogue rule, a request that breaks it and as little else as possible, and
its neighbour exactly on the allowed side (a boundary pair).

No bound is typed here: candidates are structural mutations of a base request (every integer nudged by one,
by a step and far out, then bisected to the exact value where the rule flips; every string grown to the
length where it flips; lists emptied, shortened, duplicated and grown; ids swapped for every resource of the
same kind the world has, which gives "status just allowed / just refused"; keys dropped; booleans flipped),
and ``vmrules.check`` — which lists every rule a request breaks, in precedence order — decides which mutant
breaks the target rule first and breaks fewest others. The rules are thus their own source of bounds.

``directed_pair(world, rule_id, operation, caller, bases, rng)`` is the plain function (the conformance kit
calls it with the requests it already drew as bases); ``rule_directed_requests(world, rule_id)`` is the
hypothesis strategy.
"""

from __future__ import annotations

import dataclasses
import random
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from pydantic import BaseModel

from vmrules.catalogue import CATALOGUE
from vmrules.engine import check
from vmrules.operations import OPERATION_TABLE
from vmrules.testing.strategies.common import UNKNOWN_ID, Params
from vmrules.testing.strategies.valid import valid_requests
from vmrules.world import World

__all__ = ["DirectedPair", "directed_pair", "operations_of", "rule_directed_requests"]

_ID_VALUE = re.compile(r"(i|img|vol|port|fip|snapshot|vpc|subnet|sg|lt|ag|kp)-[A-Za-z0-9]+\Z")
# Probe lengths for strings and lists: the limits the API uses sit between these, bisection finds them.
_LENGTHS = (0, 1, 2, 8, 33, 65, 129, 257, 1025)
_COUNTS = (0, 2, 6, 9, 11, 21, 101)
MAX_CANDIDATES = 200  # mutants checked per pair (check costs well under a millisecond)


@dataclass(frozen=True)
class DirectedPair:
    """``breaking`` makes ``check`` report ``rule`` first, with ``others`` more violations after it;
    ``allowed`` is the same mutation one notch back on the allowed side of the rule (None when the mutation
    has no neighbour, e.g. a dropped key), and breaks nothing when ``allowed_clean``."""

    rule: str
    operation: str
    caller: str
    breaking: Any
    others: int
    allowed: Any | None = None
    allowed_clean: bool = False


def operations_of(rule_id: str) -> tuple[str, ...]:
    """The operations a rule governs (every implemented one for request rules)."""
    entry = CATALOGUE.get(rule_id)
    if entry is None:
        return ()
    return entry.operations or tuple(sorted(OPERATION_TABLE))


# ---- mutation vocabulary -----------------------------------------------------------------------------

Path = tuple[Any, ...]


def _leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for k in sorted(value):
            yield from _leaves(value[k], (*path, k))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, (*path, i))


def _replace(value: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        out[head] = _replace(value[head], rest, new)
        return out
    out_list = list(value)
    out_list[head] = _replace(value[head], rest, new)
    return out_list


def _drop(value: Any, path: Path) -> Any:
    parent = path[:-1]
    container = _get(value, parent)
    if isinstance(container, dict):
        return _replace(value, parent, {k: v for k, v in container.items() if k != path[-1]})
    return _replace(value, parent, [v for i, v in enumerate(container) if i != path[-1]])


def _get(value: Any, path: Path) -> Any:
    for p in path:
        value = value[p]
    return value



Family = tuple[Callable[[int], Any], Sequence[int], int | None]


def _choices(base: Any, path: Path, values: Sequence[Any]) -> Family:
    """Set ``path`` to one of ``values`` (``None`` in values means: drop the key)."""
    def make(n: int) -> Any:
        return _drop(base, path) if values[n] is None else _replace(base, path, values[n])

    return make, range(len(values)), None


def _numeric(base: Any, path: Path, at: int, probes: Sequence[int]) -> Family:
    def make(n: int) -> Any:
        return _replace(base, path, n)

    return make, probes, at


def _resized(base: Any, path: Path, value: str | list[Any], probes: Sequence[int]) -> Family:
    """Strings and lists grown or cut to a length (strings repeat their last character, lists their items)."""
    def make(n: int) -> Any:
        if isinstance(value, str):
            fill = value[-1] if value else "a"
            return _replace(base, path, value[:n] if n <= len(value) else value + fill * (n - len(value)))
        return _replace(base, path, _grown(value, n))

    return make, probes, len(value)


def _added(base: Any, path: Path, samples: Sequence[Any]) -> Family:
    def make(n: int) -> Any:
        parent = _get(base, path[:-1])
        return _replace(base, path[:-1], {**parent, path[-1]: samples[n]})

    return make, range(len(samples)), None


def _added_number(base: Any, path: Path) -> Family:
    """An absent integer field added, probed from 1 outwards and bisected like a present one."""
    def make(n: int) -> Any:
        parent = _get(base, path[:-1])
        return _replace(base, path[:-1], {**parent, path[-1]: n})

    return make, (0, -1, 2, 5, 10, 100, 1000, 10_000, 2**31), 1


def _families(base: Any, world: World, operation: str) -> Iterator[Family]:
    """Mutation families of ``base``: (request of a size, the sizes to probe, the base's own size when the
    family is numeric and can be bisected)."""
    if not isinstance(base, dict):
        return
    ids = _ids_by_prefix(world)
    pools = _pools(world)
    op = OPERATION_TABLE.get(operation)
    if op is not None:
        yield from _additions(base, (), op.request, pools)
    for path, leaf in _leaves(base):
        if not path:
            continue
        key = next((k for k in reversed(path) if isinstance(k, str)), "")
        yield _choices(base, path, [None])
        if isinstance(leaf, bool):
            yield _choices(base, path, [not leaf])
        elif isinstance(leaf, int):
            yield _numeric(base, path, leaf, (leaf + 1, leaf - 1, leaf + 5, leaf - 5, leaf + 9, leaf * 2, leaf * 10,
                                              leaf * 100, 0, -1, 1, 2**31))
        elif isinstance(leaf, str):
            match = _ID_VALUE.match(leaf)
            if match is not None:
                yield _choices(base, path, [*ids.get(match.group(1), ()), match.group(1) + UNKNOWN_ID])
                continue
            pool = [v for v in pools.get(key, ()) if v != leaf]
            if pool:
                yield _choices(base, path, pool)
            yield _resized(base, path, leaf, _LENGTHS)
            yield _choices(base, path, [leaf + "!", "-" + leaf, leaf.upper(), "has space", "云" + leaf])
        elif isinstance(leaf, list):
            yield _resized(base, path, leaf, _COUNTS) if leaf else _choices(base, path, [["x"]])
        elif isinstance(leaf, dict):
            yield _choices(base, path, [{}])


def _additions(base: dict[str, Any], path: Path, model: type[BaseModel], pools: Mapping[str, list[str]],
               depth: int = 0) -> Iterator[Family]:
    """Families adding one absent optional field (the rules about optional fields need it present)."""
    present = _get(base, path) if path else base
    if not isinstance(present, dict):
        return
    for name, info in model.model_fields.items():
        inner = _unwrap(info.annotation)
        if name in present:
            if isinstance(inner, type) and issubclass(inner, BaseModel) and depth < 2:
                yield from _additions(base, (*path, name), inner, pools, depth + 1)
            continue
        if inner is int:
            yield _added_number(base, (*path, name))
            continue
        samples = _samples(name, inner, pools, depth)
        if samples:
            yield _added(base, (*path, name), samples)


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> X."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _samples(name: str, annotation: Any, pools: Mapping[str, list[str]], depth: int) -> list[Any]:
    """A few values of a field's type: the world's values under the same key first."""
    if annotation is bool:
        return [True, False]
    if annotation is int:
        return [0, 1, 2, 10, 100]
    if annotation is str:
        return [*pools.get(name, [])[:6], "a", "ab", "a" * 65, "a" * 257]
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation) or (str,)
        inner = _samples(name, item, pools, depth + 1)
        return [[], *([[inner[0]], [inner[0]] * 2] if inner else [])]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel) and depth < 3:
        minimal: dict[str, Any] = {}
        for field_name, info in annotation.model_fields.items():
            if info.is_required():
                values = _samples(field_name, _unwrap(info.annotation), pools, depth + 1)
                if not values:
                    return []
                minimal[field_name] = values[0]
        return [minimal]
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    return []


# The pools depend on the parts of the world that hold vocabulary, which transitions rarely replace (they are
# persistent maps shared from one world to the next): keyed by those parts, kept alive so ids are not reused.
_POOL_CACHE: list[tuple[tuple[object, ...], dict[str, list[str]]]] = []


def _vocabulary(world: World) -> tuple[object, ...]:
    return (world.instance_types, world.accounts, world.images, world.subnets, world.security_groups,
            world.keypairs, world.regions)


def _pools(world: World) -> dict[str, list[str]]:
    """The string values the world's snapshot holds under each key (the values a request field of the same
    name can take: instance types, azs, disk types, pins, ...), a few per key."""
    key = _vocabulary(world)
    for known, cached in _POOL_CACHE:
        if all(a is b for a, b in zip(known, key, strict=True)):
            return cached
    pools: dict[str, list[str]] = {}

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and key:
            seen = pools.setdefault(key, [])
            if value not in seen and len(seen) < 40:
                seen.append(value)

    walk(world.to_dict(), "")
    pools.setdefault("pins", pools.get("pin", []))
    pools.setdefault("instanceType", pools.get("instanceType", []))
    _POOL_CACHE[:] = [(key, pools)]
    return pools


def _grown(items: list[Any], n: int) -> list[Any]:
    if n <= len(items):
        return items[:n]
    return [*items, *(items[i % len(items)] for i in range(n - len(items)))]


def _ids_by_prefix(world: World) -> dict[str, list[str]]:
    tables = {"i": world.instances, "img": world.images, "vol": world.disks, "port": world.network_interfaces,
              "fip": world.elastic_ips, "subnet": world.subnets, "sg": world.security_groups, "vpc": world.vpcs,
              "lt": world.templates, "ag": world.availability_groups, "snapshot": world.snapshots}
    return {prefix: sorted(table) for prefix, table in tables.items()}


# ---- search ---------------------------------------------------------------------------------------------


def _verdict(world: World, operation: str, params: Any, caller: str, rule_id: str) -> tuple[bool, bool, int]:
    """(the rule is reported first, the rule is broken at all, number of violations)."""
    found = check(world, operation, params, caller=caller)
    rules = [e.rule for e in found]
    return bool(rules) and rules[0] == rule_id, rule_id in rules, len(rules)


def directed_pair(world: World, rule_id: str, operation: str, caller: str, bases: Sequence[Any],
                  rng: random.Random | None = None, budget: int = MAX_CANDIDATES) -> DirectedPair | None:
    """The best boundary pair for ``rule_id`` from mutations of ``bases`` (requests for ``operation``), or None
    when no mutant within ``budget`` checks makes ``check`` report the rule first."""
    rng = rng or random.Random(0)
    best: DirectedPair | None = None
    spent = 0
    for base in bases:
        first, _, count = _verdict(world, operation, base, caller, rule_id)
        spent += 1
        if first:
            best = _better(best, DirectedPair(rule_id, operation, caller, base, count - 1))
        families = list(_families(base, world, operation))
        rng.shuffle(families)
        # Bisectable families (numbers, lengths, counts) first: their pairs sit exactly on an edge.
        families.sort(key=lambda family: family[2] is None)
        for make, sizes, at in families:
            if spent >= budget or (best is not None and best.others == 0
                                    and (best.allowed is not None or spent > budget // 3)):
                return best
            found, spent = _probe(world, operation, caller, rule_id, make, sizes, at, spent, budget, rng)
            best = _better(best, found)
    return best


def _better(a: DirectedPair | None, b: DirectedPair | None) -> DirectedPair | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if (b.others, not b.allowed_clean) < (a.others, not a.allowed_clean) else a


def _probe(world: World, operation: str, caller: str, rule_id: str, make: Callable[[int], Any],
           sizes: Sequence[int], at: int | None, spent: int, budget: int,
           rng: random.Random) -> tuple[DirectedPair | None, int]:
    """Try the sizes of one family; for a numeric family, bisect between the base size (allowed) and the first
    refused size to the exact edge, then refuse one notch past it (by 1, or by a step: 2, 5 or 10 when the
    rule refuses those too, chosen at random so that runs probe both an off-step value and max + step)."""
    best: DirectedPair | None = None
    allowed_sizes: list[int] = []
    for size in sizes:
        if spent >= budget:
            break
        params = make(size)
        first, broken, count = _verdict(world, operation, params, caller, rule_id)
        spent += 1
        if not broken:
            allowed_sizes.append(size)
            continue
        if not first:
            continue
        allowed: Any = None
        clean = False
        if at is not None and size != at:
            edge_in, edge_out, spent = _bisect(world, operation, caller, rule_id, make, at, size, spent, budget)
            if edge_out is not None:
                way = 1 if edge_out > edge_in else -1
                notch = rng.choice((1, 1, 2, 5, 10))
                if notch > 1 and _verdict(world, operation, make(edge_in + way * notch), caller, rule_id)[0]:
                    edge_out = edge_in + way * notch
                spent += 1
                params = make(edge_out)
                first, _, count = _verdict(world, operation, params, caller, rule_id)
                spent += 1
                if not first:
                    params = make(size)
                    first, _, count = _verdict(world, operation, params, caller, rule_id)
                allowed = make(edge_in)
        elif allowed_sizes:
            allowed = make(allowed_sizes[-1])
        if allowed is not None:
            left = [e.rule for e in check(world, operation, allowed, caller=caller)]
            spent += 1
            if rule_id in left:
                allowed = None
            clean = allowed is not None and not left
        best = _better(best, DirectedPair(rule_id, operation, caller, params, count - 1, allowed, clean))
    if best is not None and best.allowed is None and allowed_sizes:
        allowed = make(allowed_sizes[-1])
        left = [e.rule for e in check(world, operation, allowed, caller=caller)]
        spent += 1
        if rule_id not in left:
            best = dataclasses.replace(best, allowed=allowed, allowed_clean=not left)
    return best, spent


def _bisect(world: World, operation: str, caller: str, rule_id: str, make: Callable[[int], Any], good: int,
            bad: int, spent: int, budget: int) -> tuple[int, int | None, int]:
    """Narrow (good: rule holds, bad: rule broken) to adjacent integers."""
    while abs(bad - good) > 1 and spent < budget:
        mid = (good + bad) // 2
        _, broken, _ = _verdict(world, operation, make(mid), caller, rule_id)
        spent += 1
        if broken:
            bad = mid
        else:
            good = mid
    return good, (bad if abs(bad - good) == 1 else None), spent


# ---- the hypothesis strategy -----------------------------------------------------------------------------


@st.composite
def _directed(draw: Callable[[st.SearchStrategy[Any]], Any], world: World, rule_id: str,
              caller: str) -> DirectedPair | None:
    operations = [op for op in operations_of(rule_id) if op in OPERATION_TABLE]
    if not operations:
        return None
    operation = draw(st.sampled_from(operations))
    bases: list[Params] = [draw(valid_requests(world, operation, caller=caller)) for _ in range(2)]
    return directed_pair(world, rule_id, operation, caller, bases, random.Random(draw(st.integers(0, 2**16))))


def rule_directed_requests(world: World, rule_id: str, *, caller: str | None = None,
                           ) -> st.SearchStrategy[DirectedPair | None]:
    """A ``DirectedPair`` for ``rule_id`` against ``world`` (None when no mutation of two drawn valid requests
    makes the rule the one ``execute`` reports)."""
    return _directed(world, rule_id, caller or world.default_account)
