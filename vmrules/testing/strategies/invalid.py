"""invalid_requests: the registry of invalid-request makers, and the generic makers every operation gets
(missing field, wrong type, unknown region, unknown ids)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any, TypeAlias

from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from vmrules.defaults import NORTH
from vmrules.operation import Operation
from vmrules.operations import OPERATION_TABLE
from vmrules.rules import Phase
from vmrules.testing.strategies.common import UNKNOWN_ID, Draw, Params
from vmrules.testing.strategies.valid import valid_requests
from vmrules.world import World

# ---- invalid requests ---------------------------------------------------------------------------------

Invalid: TypeAlias = tuple[Params, str]
InvalidMaker: TypeAlias = Callable[[World, str, str], "st.SearchStrategy[Invalid] | None"]
_INVALID: dict[str, list[InvalidMaker]] = {}
# operation -> the operation's own rules an invalid-request maker targets (when the world allows it)
_TARGETS: dict[str, list[str]] = {}


# (operation, rule id) -> the makers aimed at that rule (the operation-specific ones)
_BY_RULE: dict[tuple[str, str], list[InvalidMaker]] = {}


def _register(operation: str, rule_id: str, maker: InvalidMaker) -> None:
    _INVALID.setdefault(operation, []).append(maker)
    _BY_RULE.setdefault((operation, rule_id), []).append(maker)


def makers_for_rule(operation: str, rule_id: str) -> list[InvalidMaker]:
    """The invalid-request makers of ``operation`` aimed at ``rule_id`` (each gives a strategy of (params,
    rule id) for a world and caller, or None when the world has no suitable resource)."""
    return list(_BY_RULE.get((operation, rule_id), ()))


def targeted_rules(operation: str) -> list[str]:
    """Every rule ``invalid_requests`` can target for ``operation``: the request-shape rules, the unknown
    region, the EXISTENCE rule of each id parameter and the operation's own rules (each needs a world that
    allows building the violation)."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return []
    found = ["REQUEST.REQUIRED"]
    if any(_rejects(op, f, v) for f in op.request.model_fields for v in _WRONG_VALUES):
        found.append("REQUEST.TYPE")
    if op.rules and op.rules[0].id == "COMMON.REGION_EXISTS":
        found.append("COMMON.REGION_EXISTS")
    found += [r for f in _ID_FIELDS if f in op.request.model_fields for r in [_existence_rule(op, f)] if r]
    own = {r.id for r in op.rules}
    found += [r for r in _TARGETS.get(operation, []) if r in own]
    return list(dict.fromkeys(found))


def _rule_ids(operation: str) -> tuple[str, ...]:
    op = OPERATION_TABLE.get(operation)
    return tuple(r.id for r in op.rules) if op is not None else ()


def _invalid(*operations: str) -> Callable[[InvalidMaker], InvalidMaker]:
    def register(fn: InvalidMaker) -> InvalidMaker:
        for name in operations:
            _INVALID.setdefault(name, []).append(fn)
        return fn

    return register


def _required_fields(op: Operation[Any, Any]) -> list[str]:
    return sorted(name for name, f in op.request.model_fields.items() if f.is_required())


def _missing_field(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    """A valid request with one of its required fields absent or null."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    required = _required_fields(op)
    return st.tuples(valid_requests(world, operation, caller=caller), st.sampled_from(required),
                     st.booleans()).map(
        lambda t: ({**{k: v for k, v in t[0].items() if k != t[1]}, **({t[1]: None} if t[2] else {})},
                   "REQUEST.REQUIRED"))


_WRONG_VALUES: tuple[Any, ...] = (7, "seven", True, [7], {"seven": 7}, 1.5)
_ADAPTERS: dict[tuple[str, str], TypeAdapter[Any]] = {}


def _rejects(op: Operation[Any, Any], field: str, value: Any) -> bool:
    key = (op.name, field)
    adapter = _ADAPTERS.get(key)
    if adapter is None:
        annotation = op.request.model_fields[field].annotation
        adapter = TypeAdapter(annotation, config=ConfigDict(strict=True)) if not _is_model(annotation) \
            else TypeAdapter(annotation)
        _ADAPTERS[key] = adapter
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError as exc:
        # Only a type error: a dict given for a nested model may also lack its required fields.
        return all(e["type"] != "missing" for e in exc.errors())
    return False


def _is_model(annotation: Any) -> bool:
    candidates = typing.get_args(annotation) or (annotation,)
    return any(isinstance(c, type) and issubclass(c, BaseModel) for c in candidates)


def _wrong_type(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    choices = [(f, v) for f in sorted(op.request.model_fields) for v in _WRONG_VALUES
               if v is not None and _rejects(op, f, v)]
    if not choices:
        return None
    return st.tuples(valid_requests(world, operation, caller=caller), st.sampled_from(choices)).map(
        lambda t: ({**t[0], t[1][0]: t[1][1]}, "REQUEST.TYPE"))


def _unknown_region(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    op = OPERATION_TABLE.get(operation)
    if op is None or not op.rules or op.rules[0].id != "COMMON.REGION_EXISTS":
        return None
    return st.tuples(valid_requests(world, operation, caller=caller),
                     st.sampled_from(["cn-nowhere-9", "", "CN-NORTH-1", "cn-north-1 "])).map(
        lambda t: ({**t[0], "regionId": t[1]}, "COMMON.REGION_EXISTS"))


_ID_FIELDS = {"instanceId": "i", "imageId": "img", "diskId": "vol", "networkInterfaceId": "port",
              "elasticIpId": "fip"}


def _existence_rule(op: Operation[Any, Any], field: str) -> str | None:
    for r in op.rules:
        if r.phase == Phase.EXISTENCE and r.field == field:
            return r.id
    return None


def _unknown_ids(world: World, caller: str, operation: str) -> st.SearchStrategy[Invalid] | None:
    """A top-level id parameter naming nothing (or a resource of another account): its EXISTENCE rule."""
    op = OPERATION_TABLE.get(operation)
    if op is None:
        return None
    positions = {r.id: n for n, r in enumerate(op.rules)}
    fields = sorted(((f, rule_id) for f in _ID_FIELDS if f in op.request.model_fields
                     for rule_id in [_existence_rule(op, f)] if rule_id is not None),
                    key=lambda fr: positions[fr[1]])
    if not fields:
        return None
    foreign = {
        "instanceId": sorted(i.instance_id for i in world.instances.values() if i.owner != caller),
        "diskId": sorted(d.disk_id for d in world.disks.values() if d.owner != caller),
        "networkInterfaceId": sorted(n.nic_id for n in world.network_interfaces.values() if n.owner != caller),
        "elasticIpId": sorted(e.elastic_ip_id for e in world.elastic_ips.values() if e.owner != caller),
        "imageId": [],
    }

    @st.composite
    def make(draw: Draw) -> Invalid:
        params = draw(valid_requests(world, operation, caller=caller))
        # Break one id whose earlier-checked ids all name the caller's resources.
        allowed = []
        for field, rule_id in fields:
            allowed.append((field, rule_id))
            if not _resolves(world, caller, field, params.get(field)):
                break
        field, rule_id = draw(st.sampled_from(allowed))
        pool = [_ID_FIELDS[field] + UNKNOWN_ID, *foreign[field]]
        params[field] = draw(st.sampled_from(pool))
        return params, rule_id

    return make()


def _resolves(world: World, caller: str, field: str, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if field == "instanceId":
        return world.instance(caller, NORTH, value) is not None
    if field == "diskId":
        return world.disk(caller, NORTH, value) is not None
    if field == "networkInterfaceId":
        return world.network_interface(caller, NORTH, value) is not None
    if field == "elasticIpId":
        return world.elastic_ip(caller, NORTH, value) is not None
    return world.image(caller, NORTH, value) is not None


def invalid_makers(operation: str) -> list[InvalidMaker]:
    """The invalid-request makers for ``operation``: the generic ones and the operation's own."""
    generic: list[InvalidMaker] = [_missing_field, _wrong_type, _unknown_region, _unknown_ids]
    return generic + _INVALID.get(operation, [])


def invalid_requests(world: World, operation: str, *, caller: str | None = None) -> st.SearchStrategy[Invalid]:
    """``(params, rule_id)``: parameters for ``operation`` that break exactly the rule ``rule_id`` against
    ``world`` for ``caller`` (default: the world's default account), so ``execute`` must refuse them with
    that rule. Covers request-shape rules, the unknown region, unknown ids and each operation's own rules
    where ``world`` allows building a violation."""
    who = caller or world.default_account
    options = [s for maker in invalid_makers(operation) for s in [maker(world, who, operation)] if s is not None]
    if not options:
        return st.nothing()
    return st.one_of(options)
