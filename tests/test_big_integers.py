"""An integer of any size, in every integer field of every operation's request, is refused as a value, never
raised on: the range rules show the value in their messages, and Python refuses to write an integer of more
than ``sys.get_int_max_str_digits()`` digits as text (4,300 by default, 640 at the least). So the door reads
integers of up to 640 digits (REQUEST.UNREADABLE past that; docs/decisions/request-strictness.md)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from itertools import pairwise
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from vmrules import World, check, execute
from vmrules.operations import OPERATION_TABLE
from vmrules.plain import to_plain

Path = tuple[str | int, ...]
DIGITS = 640  # REQUEST.UNREADABLE's statement: "no integer in it has more than 640 digits"
LARGEST = 10**DIGITS - 1  # 640 nines: read
TOO_LONG = 10**DIGITS  # 641 digits: refused


def _options(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(a for a in get_args(annotation) if a is not type(None))
    return (annotation,)


def _filler(annotation: Any) -> Any:
    """A value of the field's type that parses: the nested model with its required fields, a one-item list."""
    kind = _options(annotation)[0]
    if get_origin(kind) is list:
        return [_filler(get_args(kind)[0])]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _required(kind)
    if get_args(kind):  # a Literal: its first value
        return get_args(kind)[0]
    return {str: "x", int: 1, bool: False, float: 1.0}.get(kind, "x")


def _required(model: type[BaseModel]) -> dict[str, Any]:
    return {name: _filler(f.annotation) for name, f in model.model_fields.items() if f.is_required()}


def _integer_paths(model: type[BaseModel], prefix: Path = ()) -> Iterator[Path]:
    for name, f in model.model_fields.items():
        for kind in _options(f.annotation):
            inner, path = kind, (*prefix, name)
            if get_origin(inner) is list:
                inner, path = get_args(inner)[0], (*path, 0)
            if inner is int:
                yield path
            elif isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _integer_paths(inner, path)


def _with(params: dict[str, Any], model: type[BaseModel], path: Path, value: int) -> dict[str, Any]:
    """``params`` with ``value`` at ``path``, the containers on the way made (with their required fields)."""
    params = dict(params)
    container: Any = params
    kind: Any = model
    for step, following in pairwise(path):
        if isinstance(step, int):
            kind = _options(get_args(kind)[0])[0] if get_origin(kind) is list else kind
            container[0] = dict(container[0]) if isinstance(container[0], dict) else _required(kind)
            container = container[0]
            continue
        kind = _options(kind.model_fields[step].annotation)[0]
        held = container.get(step)
        if isinstance(following, int):
            container[step] = list(held) if isinstance(held, list) and held else [None]
        else:
            container[step] = dict(held) if isinstance(held, dict) else _required(kind)
        container = container[step]
    container[path[-1]] = value
    return params


CASES = [(name, path) for name, op in sorted(OPERATION_TABLE.items()) for path in _integer_paths(op.request)]


def test_every_operation_with_integer_fields_is_covered() -> None:
    # the walk reaches fields of nested models and of list items, as well as top-level ones
    assert {("describeInstances", ("pageSize",)), ("createInstances", ("instanceSpec", "elasticIp", "bandwidthMbps")),
            ("createImage", ("dataDisks", 0, "cloudDiskSpec", "diskSizeGB"))} <= set(CASES)
    assert len(CASES) >= 19


@pytest.mark.rule("REQUEST.UNREADABLE")
@pytest.mark.parametrize(("operation", "path"), CASES, ids=[f"{n}:{'.'.join(map(str, p))}" for n, p in CASES])
def test_an_integer_of_any_size_is_refused_not_raised_on(world: World, operation: str, path: Path) -> None:
    model = OPERATION_TABLE[operation].request
    base = {"regionId": "cn-north-1", **_required(model)}
    where = ".".join(map(str, path))
    for huge in (10**5000, -(10**5000), TOO_LONG, -TOO_LONG):
        params = _with(base, model, path, huge)
        outcome = execute(world, operation, params)
        assert outcome.error is not None and outcome.error.rule == "REQUEST.UNREADABLE"
        assert outcome.error.field == where and f"more than {DIGITS} digits" in outcome.error.message
        assert [e.rule for e in check(world, operation, params)] == ["REQUEST.UNREADABLE"]
    for largest in (LARGEST, -LARGEST):  # read, and whatever rule refuses it says so in a message
        params = _with(base, model, path, largest)
        outcome, errors = execute(world, operation, params), check(world, operation, params)
        assert "REQUEST.UNREADABLE" not in {e.rule for e in errors}
        assert (outcome.error is None) == (errors == []) and all(e.message for e in errors)


@pytest.mark.rule("REQUEST.UNREADABLE")
def test_the_digit_limit_holds_on_the_fast_path_and_in_the_reader() -> None:
    class Int(int):
        pass

    read = {"regionId": "cn-north-1", "pageSize": LARGEST, "v": [-LARGEST]}
    assert to_plain(read).value is read  # exact JSON up to the limit is taken uncopied
    for outside in ({"pageSize": TOO_LONG}, {"v": [-TOO_LONG]}, {"v": [Int(TOO_LONG)]}, {"v": (TOO_LONG,)}):
        unreadable = to_plain({"regionId": "cn-north-1", **outside}).unreadable
        assert [u.reason for u in unreadable] == [f"an integer of more than {DIGITS} digits"]
    assert to_plain({"v": (Int(LARGEST), LARGEST)}).value == {"v": (LARGEST, LARGEST)}
    assert not to_plain({"v": (Int(LARGEST),)}).unreadable
