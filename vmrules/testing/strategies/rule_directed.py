"""Rule-directed requests: for one catalogue rule, requests that break it and as little else as possible, each
with its neighbour exactly on the allowed side (boundary pairs), one for every kind of edge the rule has.

No bound is typed here: candidates are structural mutations of a base request, and ``vmrules.check`` — which
lists every rule a request breaks, in precedence order — decides which mutant breaks the target rule first and
breaks fewest others. The rules are thus their own source of bounds. Numbers, string lengths and list lengths
are searched on a lattice: from a value the rule allows, the step is found (the smallest of 1, 2, 5, 10 the
rule allows next to it), then the search doubles outwards on both sides and bisects to the exact edge, which
gives the *lower* and *upper* edges (min − 1 / min, max / max + 1; max + step too when the step is above one)
and, with a step, an *off-step* value inside the range (an allowed value plus half a step). Strings also get
forbidden characters; ids are swapped for every resource of the same kind (the status just allowed / just
refused, another account's, a missing one); absent optional fields are added; keys dropped; booleans flipped.
The fields searched first, and exhaustively, are the ones the rule names (``Rule.field``); the others only
until a clean pair is found.

``directed_pairs(world, rule_id, operation, caller, bases, rng)`` returns the pairs, one per kind of edge,
the bounds first (the conformance kit sends a few of them per rule), and for a state rule one breaking request
per refused state (status, task in progress) the world holds; ``directed_pair`` the best single one;
``rule_directed_requests(world, rule_id)`` is the hypothesis strategy.
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
from vmrules.rules import Phase
from vmrules.testing.strategies.common import UNKNOWN_ID, Params
from vmrules.testing.strategies.valid import valid_requests
from vmrules.world import World

__all__ = ["EDGE_KINDS", "DirectedPair", "directed_pair", "directed_pairs", "forget_vocabulary", "operations_of",
           "rule_directed_requests"]

_ID_VALUE = re.compile(r"(i|img|vol|port|fip|snapshot|vpc|subnet|sg|lt|ag|kp)-[A-Za-z0-9]+\Z")
MAX_CANDIDATES = 200  # mutants checked per rule (check costs well under a millisecond)
MAX_VARIANTS = 8  # breaking requests per rule for its other clauses (one per distinct finding)
PAIRS_PER_RULE = 4  # pairs directed_pairs returns by default: the bounds and the off-step value first
# The kinds of edge a pair can sit on, in the order they are sent (the bounds a one-notch-too-far limit or a
# step not enforced lets through first).
EDGE_KINDS = ("upper", "off-step", "upper-step", "lower", "length-upper", "count-upper", "lower-step",
              "length-lower", "count-lower", "characters", "length-wide-upper", "value", "added", "flipped",
              "dropped", "emptied", "base")
# A text of every character class and no run or word (a password's rules allow it; many a name rule does not),
# and a plain one: the texts an absent text field is added with to search its lengths from.
_TEXT = "Ab2!Cd4#"
_TEXTS = ("ab", _TEXT)
_STEPS = (1, 2, 5, 10)  # the steps a number's lattice is tried with, smallest first
# How far a lattice search doubles outwards: numbers to the int32 range, string and list lengths to a little
# past the longest limit the API has.
_REACH = {"number": 2**31, "length": 1100, "count": 130}


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
    edge: str = "value"  # one of EDGE_KINDS

    @property
    def clean(self) -> bool:
        """Breaks only its rule, and its neighbour breaks nothing."""
        return self.others == 0 and self.allowed_clean


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


@dataclass(frozen=True)
class _Family:
    """One way of mutating a base request at ``path``: ``make(n)`` is the request with size or choice ``n``.
    ``kind`` is ``number``, ``length`` or ``count`` for the lattice families (``at``: the base's own size,
    None when the field is absent and only ``sizes`` are known), else the edge kind its mutants sit on
    (``sizes`` index the choices)."""

    path: Path
    kind: str
    make: Callable[[int], Any]
    sizes: Sequence[int]
    at: int | None = None
    edge: str = ""  # for a lattice family, what its edge kinds are prefixed with beyond ``kind`` ("wide")
    late: bool = False  # searched after the other families of its field (an absent text added, then resized)

    @property
    def lattice(self) -> bool:
        return self.kind in _REACH


def _choices(base: Any, path: Path, values: Sequence[Any], kind: str) -> _Family:
    """Set ``path`` to one of ``values`` (``None`` in values means: drop the key)."""
    def make(n: int) -> Any:
        return _drop(base, path) if values[n] is None else _replace(base, path, values[n])

    return _Family(path, kind, make, range(len(values)))


def _numeric(base: Any, path: Path, at: int) -> _Family:
    def make(n: int) -> Any:
        return _replace(base, path, n)

    # Nudges and far values screen the family; the round values find an allowed anchor when the base's own
    # value is refused (an invalid-request maker's 1010 GB disk).
    return _Family(path, "number", make, (at + 1, at - 1, 0, -1, at * 10, 2**31, 1, 10, 20, 50, 100,
                                          at // 20 * 10), at)


def _resized(base: Any, path: Path, value: str | list[Any], ids: Sequence[str], cuts: bool = False) -> _Family:
    """Strings and lists grown or cut to a length (strings repeat their last character; lists of ids grow with
    other ids of the same kind, then unknown ones, so that a duplicate is not what breaks; other lists repeat
    their items)."""
    def make(n: int) -> Any:
        if isinstance(value, str):
            fill = value[-1] if value else "a"
            return _replace(base, path, value[:n] if n <= len(value) else value + fill * (n - len(value)))
        return _replace(base, path, _grown(value, n, ids))

    kind = "length" if isinstance(value, str) else "count"
    sizes: tuple[int, ...] = (0, len(value) + 1, 2 * len(value) + 2)
    if cuts:  # cut sizes last: an anchor for a base already too long (a 33-character name, 9 data disks)
        sizes += (len(value) // 2, len(value) - 1, 1)
    return _Family(path, kind, make, sizes, len(value))


def _widened(base: Any, path: Path, value: str) -> _Family:
    """A string grown with a character that takes several bytes (Chinese): its length edges with a neighbour
    whose length in characters is allowed but whose length in bytes is far past it."""
    keep = max(1, len(value) // 2)  # the base's own characters kept; the rest of any longer size is Chinese

    def make(n: int) -> Any:
        return _replace(base, path, value[:n] if n <= keep else value[:keep] + "云" * (n - keep))

    return _Family(path, "length", make, (len(value) + 1, 2 * len(value) + 2, keep, 1), None, edge="wide")


def _spelled(leaf: str) -> list[str]:
    """A string's character-level mutants: a forbidden character added, a leading '-', upper case, a space,
    Chinese (the ``characters`` pairs); then '.', lower case, the non-letters turned to letters and short
    common fragments (a digit run, a keyboard run, a user name, a word) spliced into the middle (the rule's
    clauses, for its own field)."""
    middle = len(leaf) // 2
    collapsed = "".join(c if c.isalpha() else (leaf[i - 1] if i and leaf[i - 1].isalpha() else "a")
                        for i, c in enumerate(leaf))
    spliced = [leaf[:middle] + fragment + leaf[middle:] for fragment in ("123", "qwe", "root", "cloud")]
    return [leaf + "!", "-" + leaf, leaf.upper(), "has space", "云" + leaf, leaf + ".", leaf.lower(), collapsed,
            *spliced]


def _added(base: Any, path: Path, samples: Sequence[Any]) -> _Family:
    def make(n: int) -> Any:
        parent = _get(base, path[:-1])
        return _replace(base, path[:-1], {**parent, path[-1]: samples[n]})

    return _Family(path, "added", make, range(len(samples)))


def _added_number(base: Any, path: Path) -> _Family:
    """An absent integer field added: probed at a few sizes, then searched like a present one from the first
    size the rule allows."""
    def make(n: int) -> Any:
        parent = _get(base, path[:-1])
        return _replace(base, path[:-1], {**parent, path[-1]: n})

    return _Family(path, "number", make, (1, 10, 20, 100, 0, -1, 1000, 2**31))


def _families(base: Any, world: World, operation: str, field: str | None = None) -> Iterator[_Family]:
    """The mutation families of ``base`` (``field``: the rule's, whose absent text is also searched by length)."""
    if not isinstance(base, dict):
        return
    ids = _ids_by_prefix(world)
    pools = _pools(world)
    op = OPERATION_TABLE.get(operation)
    if op is not None:
        yield from _additions(base, (), op.request, pools, field=field)
    for path, leaf in _leaves(base):
        if not path:
            continue
        key = next((k for k in reversed(path) if isinstance(k, str)), "")
        own = _on_field(path, field)  # the rule's field: searched thoroughly, with the wider vocabulary
        yield _choices(base, path, [None], "dropped")
        if isinstance(leaf, bool):
            yield _choices(base, path, [not leaf], "flipped")
        elif isinstance(leaf, int):
            yield _numeric(base, path, leaf)
        elif isinstance(leaf, str):
            match = _ID_VALUE.match(leaf)
            if match is not None:
                yield _choices(base, path, [*ids.get(match.group(1), ()), match.group(1) + UNKNOWN_ID], "value")
                continue
            pool = [v for v in pools.get(key, ()) if v != leaf]
            if pool:
                yield _choices(base, path, pool, "value")
            yield _resized(base, path, leaf, (), cuts=own)
            if own and leaf.isascii():
                yield _widened(base, path, leaf)
            spelled = _spelled(leaf)
            yield _choices(base, path, spelled[:5], "characters")
            if own:  # the rule's clauses one by one: breaking requests only, never a pair (see _Search.variants)
                yield _choices(base, path, spelled[5:], "clauses")
        elif isinstance(leaf, list):
            if leaf:
                yield _resized(base, path, leaf, (), cuts=own)
                match = _ID_VALUE.match(leaf[0]) if isinstance(leaf[0], str) else None
                if match is not None:  # also grown with other ids, for lists whose items must differ
                    yield _resized(base, path, leaf, ids.get(match.group(1), ()) or ("",), cuts=own)
            else:
                yield _choices(base, path, [["x"]], "value")
        elif isinstance(leaf, dict):
            yield _choices(base, path, [{}], "emptied")


def _additions(base: dict[str, Any], path: Path, model: type[BaseModel], pools: Mapping[str, list[str]],
               depth: int = 0, field: str | None = None) -> Iterator[_Family]:
    """Families adding one absent optional field (the rules about optional fields need it present); the rule's
    own field, when it is text, also added with each sample and searched by length from there."""
    present = _get(base, path) if path else base
    if not isinstance(present, dict):
        return
    for name, info in model.model_fields.items():
        inner = _unwrap(info.annotation)
        if name in present:
            if isinstance(inner, type) and issubclass(inner, BaseModel) and depth < 2:
                yield from _additions(base, (*path, name), inner, pools, depth + 1, field)
            continue
        if inner is int:
            yield _added_number(base, (*path, name))
            continue
        samples = _samples(name, inner, pools, depth)
        if samples:
            yield _added(base, (*path, name), samples)
        if inner is str and _on_field((*path, name), field):
            for sample in _TEXTS:
                added = _added(base, (*path, name), [sample]).make(0)
                yield dataclasses.replace(_resized(added, (*path, name), sample, ()), late=True)


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
        return [*pools.get(name, [])[:6], "a", "ab", _TEXT, "a" * 65, "a" * 257]
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


# The pools depend on which resources the parts of the world that hold vocabulary have (instance types, accounts,
# images, subnets, ...): keyed by their ids, so that a transition that only updates one of them (a subnet's next
# address, an image's status) keeps the pools. ``forget_vocabulary`` empties the cache (a run starts with it, so
# that what a seed draws does not depend on the runs before it in the same process).
_POOL_CACHE: list[tuple[tuple[object, ...], dict[str, list[str]]]] = []


def forget_vocabulary() -> None:
    """Empty the pools cache."""
    _POOL_CACHE.clear()


def _vocabulary(world: World) -> tuple[object, ...]:
    return tuple(tuple(table) for table in (world.instance_types, world.accounts, world.images, world.subnets,
                                            world.security_groups, world.keypairs, world.regions))


def _pools(world: World) -> dict[str, list[str]]:
    """The string values the world's snapshot holds under each key (the values a request field of the same
    name can take: instance types, azs, disk types, pins, ...), a few per key."""
    key = _vocabulary(world)
    for known, cached in _POOL_CACHE:
        if known == key:
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


def _grown(items: list[Any], n: int, ids: Sequence[str] = ()) -> list[Any]:
    if n <= len(items):
        return items[:n]
    if ids and isinstance(items[0], str):
        prefix = items[0].split("-", 1)[0]
        fresh = [i for i in ids if i and i not in items]
        fresh += [f"{prefix}-zz{k:08d}" for k in range(n - len(items) - len(fresh))]
        return [*items, *fresh[:n - len(items)]]
    return [*items, *(items[i % len(items)] for i in range(n - len(items)))]


def _ids_by_prefix(world: World) -> dict[str, list[str]]:
    tables = {"i": world.instances, "img": world.images, "vol": world.disks, "port": world.network_interfaces,
              "fip": world.elastic_ips, "subnet": world.subnets, "sg": world.security_groups, "vpc": world.vpcs,
              "lt": world.templates, "ag": world.availability_groups, "snapshot": world.snapshots}
    return {prefix: sorted(table) for prefix, table in tables.items()}


# ---- search ---------------------------------------------------------------------------------------------


class _Search:
    """The checks spent on one rule: verdicts memoized per request, counted against the budget."""

    def __init__(self, world: World, rule_id: str, operation: str, caller: str, budget: int) -> None:
        self.world, self.rule_id, self.operation, self.caller = world, rule_id, operation, caller
        self.budget = budget
        self.spent = 0
        self.pairs: dict[str, DirectedPair] = {}
        # A state rule's refusing ids by the state they are in: one breaking request per refused state (a
        # system that lets one of them through is caught whichever comes first in the world).
        self.states: dict[tuple[str, bool], DirectedPair] = {}
        self.base_broken = False  # whether the base being mutated breaks the rule itself
        # Character mutants that break only the rule, one per distinct way the rule reports itself broken (its
        # findings): a rule with several clauses (the password rule's sub-rules, a name's forbidden characters)
        # gets one breaking request per clause, which a system that forgot one clause lets through.
        self.variants: dict[tuple[str, ...], DirectedPair] = {}
        self.findings: tuple[str, ...] = ()  # the rule's findings in the last verdict
        # Checks spent on the families that only widen the vocabulary (a widened string, the clauses, an absent
        # text added): on top of the budget, so that the rule's other edges are searched as far as without them.
        self.extra = 0
        entry = CATALOGUE.get(rule_id)
        self.state_rule = entry is not None and entry.rule.phase is Phase.STATE

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget + self.extra

    def verdict(self, params: Any) -> tuple[bool, bool, int]:
        """(the rule is reported first, the rule is broken at all, number of violations)."""
        self.spent += 1
        errors = check(self.world, self.operation, params, caller=self.caller)
        rules = [e.rule for e in errors]
        self.findings = tuple(e.message for e in errors if e.rule == self.rule_id)
        return bool(rules) and rules[0] == self.rule_id, self.rule_id in rules, len(rules)

    def offer(self, edge: str, breaking: Any, count: int, allowed: Any | None, allowed_count: int | None) -> None:
        """Keep the pair if it is the best of its edge kind so far (fewest other violations, then a clean
        neighbour)."""
        if self.base_broken and allowed is None:
            edge = "base"  # the base already breaks the rule: this mutant sits on no edge of its own
        pair = DirectedPair(self.rule_id, self.operation, self.caller, breaking, count - 1, allowed,
                            allowed is not None and allowed_count == 0, edge)
        known = self.pairs.get(edge)
        if known is None or _quality(pair) < _quality(known):
            self.pairs[edge] = pair

    def has_clean(self) -> bool:
        """Whether a clean pair sits on one of the rule's edges (a widened string's is only a neighbour long
        in bytes: the other fields are searched on for an edge all the same)."""
        return any(p.clean for p in self.pairs.values() if p.edge != "length-wide-upper")


def _quality(pair: DirectedPair) -> tuple[int, bool, bool]:
    return pair.others, not pair.allowed_clean, pair.allowed is None


def _on_field(path: Path, field: str | None) -> bool:
    """Whether a mutation at ``path`` touches the rule's field (``instanceSpec.dataDisks`` covers every leaf
    under it)."""
    if not field:
        return False
    dotted = ".".join(k for k in path if isinstance(k, str))
    return dotted == field or dotted.startswith(field + ".")


def directed_pairs(world: World, rule_id: str, operation: str, caller: str, bases: Sequence[Any],
                   rng: random.Random | None = None, budget: int = MAX_CANDIDATES,
                   limit: int = PAIRS_PER_RULE) -> list[DirectedPair]:
    """Boundary pairs for ``rule_id`` from mutations of ``bases`` (requests for ``operation``): the best pair of
    each edge kind found within ``budget`` checks, clean ones first, in ``EDGE_KINDS`` order, at most
    ``limit``; for a state rule whose pairs include an id swap, then one breaking request (no neighbour) for
    each other refused state the world holds. Empty when no mutant makes ``check`` report the rule first."""
    rng = rng or random.Random(0)
    entry = CATALOGUE.get(rule_id)
    field = entry.field if entry is not None else None
    search = _Search(world, rule_id, operation, caller, budget)
    for base in bases:
        if search.exhausted:
            break
        first, broken, count = search.verdict(base)
        search.base_broken = broken
        if first:
            search.offer("base", base, count, None, None)
        families = list(_families(base, world, operation, field))
        # The families that only widen the vocabulary go after the others, unshuffled: the others are drawn in
        # the order they always were (the same seed aims the same pairs).
        wider = [f for f in families if f.edge or f.late or f.kind == "clauses"]
        families = [f for f in families if not (f.edge or f.late or f.kind == "clauses")]
        rng.shuffle(families)
        families += wider
        # The rule's own field before the leaves under it (a list's count before each item's members: nine
        # data disks' leaves would spend the budget before the count is searched).
        focused = sorted((f for f in families if _on_field(f.path, field)),
                         key=lambda f: (bool(f.edge or f.late or f.kind == "clauses"), len(f.path)))
        # Lattice families first: their pairs sit exactly on an edge.
        rest = sorted((f for f in families if not _on_field(f.path, field)), key=lambda f: not f.lattice)
        for family in focused:
            if search.exhausted:
                break
            before = search.spent
            _explore(search, family, thorough=True)
            if family.edge or family.late or family.kind == "clauses":
                search.extra += search.spent - before
        for family in rest:
            # Beyond the rule's own field, search only until a clean pair, and with half the budget: a rule no
            # mutation reaches would spend all of it on every base.
            if search.spent >= budget // 2 + search.extra or search.has_clean():
                break
            _explore(search, family, thorough=False)
    ranked = sorted(search.pairs.values(), key=lambda p: (not p.clean, EDGE_KINDS.index(p.edge)))[:limit]
    sent = {repr(p.breaking) for p in ranked}
    if any(p.edge == "value" for p in ranked):  # the other refused states, breaking requests only
        ranked += [p for _, p in sorted(search.states.items()) if repr(p.breaking) not in sent]
    if limit > 1:  # the rule's other clauses, breaking requests only, in the order they were found
        ranked += [p for p in search.variants.values() if repr(p.breaking) not in sent]
    return ranked


def _state_of(world: World, value: Any) -> tuple[str, bool] | None:
    """The status of the resource ``value`` names (with its charge state when that is not normal: in arrears
    and expired are two refused states), and whether a task is in progress on it (None: no such resource, or
    one without a status)."""
    if not isinstance(value, str):
        return None
    for table in (world.instances, world.disks, world.images, world.network_interfaces, world.elastic_ips):
        found = table.get(value)
        status = getattr(found, "status", None)
        if isinstance(status, str):
            charge = getattr(found, "charge", None)
            billed = charge.effective_status(world.clock) if charge is not None else "normal"
            return (status if billed == "normal" else f"{status}/{billed}"), world.busy(value)
    return None


def directed_pair(world: World, rule_id: str, operation: str, caller: str, bases: Sequence[Any],
                  rng: random.Random | None = None, budget: int = MAX_CANDIDATES) -> DirectedPair | None:
    """The best boundary pair for ``rule_id`` (the first of ``directed_pairs``), or None."""
    pairs = directed_pairs(world, rule_id, operation, caller, bases, rng, budget, limit=1)
    return pairs[0] if pairs else None


def _explore(search: _Search, family: _Family, thorough: bool) -> None:
    if family.lattice:
        _lattice(search, family, thorough)
        return
    held: Any = None  # the choice the rule allows that breaks fewest other rules: the allowed neighbour
    held_count = 0
    found: list[tuple[Any, int]] = []
    for size in family.sizes:
        if search.exhausted:
            break
        params = family.make(size)
        first, broken, count = search.verdict(params)
        if not broken and (held is None or count < held_count):
            held, held_count = params, count
        elif first:
            if family.kind != "clauses":
                found.append((params, count))
            if family.kind in ("characters", "clauses") and count == 1 and len(search.variants) < MAX_VARIANTS:
                search.variants.setdefault(search.findings, DirectedPair(
                    search.rule_id, search.operation, search.caller, params, 0, edge="characters"))
    for params, count in found:
        search.offer(family.kind, params, count, held, held_count if held is not None else None)
        if family.kind == "value" and search.state_rule:
            state = _state_of(search.world, _get(params, family.path))
            known = search.states.get(state) if state is not None else None
            if state is not None and (known is None or count - 1 < known.others):
                search.states[state] = DirectedPair(search.rule_id, search.operation, search.caller, params,
                                                    count - 1, edge="value")


def _lattice(search: _Search, family: _Family, thorough: bool) -> None:
    """Edges of a number, a string length or a list length: from a size the rule allows (the base's own, or
    the first probe allowed), find the step, double outwards on both sides and bisect to the exact edges; then
    offer the edge pairs (and, with a step above one, max + step, min − step and an off-step value)."""
    known: dict[int, tuple[bool, bool, int]] = {}

    def judge(n: int) -> tuple[bool, bool, int]:
        if n not in known:
            known[n] = search.verdict(family.make(n))
        return known[n]

    def holds(n: int) -> bool:
        return not judge(n)[1]

    anchor = family.at if family.at is not None and holds(family.at) else None
    if anchor is None or not thorough:
        # Probe a few sizes: a family none of them breaks is left alone unless it is the rule's own field.
        for n in family.sizes:
            if search.exhausted:
                return
            if holds(n):
                anchor = n if anchor is None else anchor
            elif not thorough and anchor is not None:
                break
        if anchor is None:
            return
        if not thorough and all(not v[1] for v in known.values()):
            return
    step = 1
    if family.kind == "number":
        step = next((s for s in _STEPS if holds(anchor + s) or holds(anchor - s)), 1)
    reach = _REACH[family.kind]
    floor = 0 if family.kind != "number" else -reach
    prefix = "" if family.kind == "number" else family.kind + "-" + (family.edge + "-" if family.edge else "")
    # A widened string's lower edge is the plain one (a cut string is the same either way).
    for way in ((1,) if family.edge else (1, -1)):
        edge = _edge(judge, anchor, step, way, reach if way > 0 else floor, search)
        if edge is None:
            continue
        held = edge
        side = "upper" if way > 0 else "lower"
        for distance, kind in ((1, side), (step, side + "-step")):
            if kind.endswith("-step") and step == 1:
                continue
            out = held + way * distance
            if family.kind != "number" and out < 0:
                continue
            first, _, count = judge(out)
            if first:
                search.offer(prefix + kind if not kind.endswith("-step") else kind, family.make(out), count,
                             family.make(held), judge(held)[2])
    if step > 1:
        # Half a step from the anchor towards an allowed neighbour: strictly inside the range.
        low = anchor if holds(anchor + step) else anchor - step
        inside = low + step // 2
        first, _, count = judge(inside)
        if first:
            search.offer("off-step", family.make(inside), count, family.make(low), judge(low)[2])


def _edge(judge: Callable[[int], tuple[bool, bool, int]], anchor: int, step: int, way: int, limit: int,
          search: _Search) -> int | None:
    """The last size on the lattice ``anchor + k * step`` going ``way`` that the rule allows before one it
    refuses (None when every size up to ``limit`` is allowed, or the budget runs out)."""
    held, k = 0, 1
    refused: int | None = None
    end = (limit - anchor) // (way * step)  # the farthest k within the limit
    while not search.exhausted and held < end:
        k = min(k, end)
        if judge(anchor + way * k * step)[1]:
            refused = k
            break
        held, k = k, k * 2
    if refused is None:
        return None
    while refused - held > 1 and not search.exhausted:
        mid = (held + refused) // 2
        if judge(anchor + way * mid * step)[1]:
            refused = mid
        else:
            held = mid
    return anchor + way * held * step if refused - held == 1 else None


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
