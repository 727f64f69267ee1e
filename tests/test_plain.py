"""vmrules.plain: parameters that already are exact JSON values are taken as they are, and everything the fast
path does not accept (too deep, too many values, cycles, names that are not strings, subclasses) is read by the
guarded reader exactly as before."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vmrules import World, check, execute
from vmrules.plain import MAX_DEPTH, MAX_NODES, NOT_TEXT, Plain, _Reader, strict_json, to_plain
from vmrules.testing.hostile import HostileError, Planted, _copy_with_containers, hostile_class


def read_by_reader(params: object) -> Plain:
    reader = _Reader()
    return Plain(reader.read(params, None, 0), reader.unreadable, reader.odd_names)


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": [1, 2.5, True, None, "x"]}
    for _ in range(depth - 1):
        value = {"inner": value}
    return value


def test_exact_json_is_taken_as_it_is_and_equals_the_readers_copy() -> None:
    params = {"regionId": "cn-north-1", "list": [1, [2, {"a": None}], {"b": False}], "f": 1.5, "n": None}
    plain = to_plain(params)
    assert plain.value is params
    assert (plain.value, plain.unreadable, plain.odd_names) == (read_by_reader(params).value, [], [])


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1])
def test_nesting_at_the_depth_limit_reads_like_the_reader(depth: int) -> None:
    params = nested(depth)
    fast, slow = to_plain(params), read_by_reader(params)
    assert (fast.value, fast.unreadable) == (slow.value, slow.unreadable)
    assert bool(fast.unreadable) == (depth > MAX_DEPTH - 1)


def test_shared_values_beyond_the_node_limit_are_unreadable_and_bounded() -> None:
    # each level holds the level below twice: 2**40 values if walked, refused after MAX_NODES of them
    value: list[Any] = [0]
    for _ in range(40):
        value = [value, value]
    plain = to_plain({"regionId": "cn-north-1", "v": value})
    reasons = {u.reason for u in plain.unreadable}
    assert reasons == {f"the parameters hold more than {MAX_NODES} values"}


def test_values_the_fast_path_refuses_go_through_the_reader(world: World) -> None:
    cyclic: dict[str, Any] = {"regionId": "cn-north-1"}
    cyclic["self"] = cyclic
    assert [u.reason for u in to_plain(cyclic).unreadable] == ["contains itself"]
    odd = to_plain({"regionId": "cn-north-1", 7: "x"})
    assert odd.odd_names == ["<int name>"] and odd.value == {"regionId": "cn-north-1"}
    text = hostile_class(str, frozenset({"__str__", "__repr__", "__hash__", "__eq__"}))("cn-north-1")
    sub = to_plain({"regionId": text})
    assert type(sub.value["regionId"]) is str and sub.value == {"regionId": "cn-north-1"}
    assert check(world, "describeInstances", {"regionId": text}) == []
    assert execute(world, "describeInstances", {"regionId": "cn-north-1", "self": cyclic}).error is not None


class _HashRaisingMeta(type):
    def __hash__(cls) -> int:
        raise RuntimeError("the metaclass's __hash__ ran")


class _HashRaising(metaclass=_HashRaisingMeta):
    """An object whose type cannot be hashed: deciding whether it is a JSON scalar must not hash its type."""


@pytest.mark.parametrize("params", [
    {"regionId": "cn-north-1", "instanceId": _HashRaising()},
    {"regionId": "cn-north-1", "instanceId": [_HashRaising()]},
    {"regionId": "cn-north-1", _HashRaising(): "i-1"},
])
def test_a_value_whose_type_cannot_be_hashed_is_refused_not_raised(world: World, params: dict[Any, Any]) -> None:
    errors = check(world, "stopInstance", params)
    assert errors and errors[0].rule.startswith("REQUEST.")


def test_a_planted_example_prints_without_its_hostile_value() -> None:
    # hypothesis prints a failing example's draws with its own printer, which shows a dataclass field by field:
    # a Planted must print itself, or the report calls the hostile value's raising __repr__
    from hypothesis.vendor.pretty import pretty

    hostile = hostile_class(object, frozenset({"__repr__", "__str__"}))()
    planted = Planted({"regionId": hostile}, "regionId", hostile)
    assert pretty(planted) == repr(planted) == "Planted(path='regionId', value=<HostileObjectReprStr>)"


def test_planting_copies_parameters_nested_past_the_recursion_limit() -> None:
    deep: Any = "bottom"
    for _ in range(5000):  # copy.deepcopy needs two frames a level
        deep = [deep]
    params = {"regionId": "cn-north-1", "filters": deep}
    copied, places = _copy_with_containers(params)
    assert copied is not params and copied["regionId"] == "cn-north-1"
    original, copy = deep, copied["filters"]
    for _ in range(5000):  # every level a new list (== would recurse as deep as the lists)
        assert type(copy) is list and copy is not original and len(copy) == 1
        original, copy = original[0], copy[0]
    assert copy == "bottom"
    assert len(places) == 5001 and places[0][0] is copied and places[0][1] is None
    assert places[1][0] is copied["filters"] and [path for _, path in places[1:4]] == ["filters", "filters.0",
                                                                                       "filters.0.0"]


def test_hostile_values_print_through_hypothesis_printer_by_their_class_name() -> None:
    from hypothesis.vendor.pretty import pretty

    for base in (object, dict, list, str, int):
        for methods in ({"__repr__", "__iter__", "keys", "items"}, {"__repr__", "__getattribute__"}):
            value = hostile_class(base, frozenset(methods))()
            assert pretty(value) == f"<{type(value).__name__} object>"
            assert to_plain({"x": value}).value["x"] is not value  # the reader never hands the value itself on
    with pytest.raises(HostileError):  # every other attribute still raises
        _ = hostile_class(object, frozenset({"__getattribute__"}))().__dict__


@pytest.mark.rule("REQUEST.UNREADABLE")
def test_a_string_with_a_lone_surrogate_is_not_text_wherever_it_stands() -> None:
    class Text(str):
        pass

    for lone in ("\ud800", "x\udfff", "中文\udc00y"):
        for params in ({"description": lone}, {"v": [lone]}, {"v": (lone,)}, {"v": [Text(lone)]},
                       {"v": {"w": Text(lone)}}):
            read = to_plain({"regionId": "cn-north-1", **params})
            assert [u.reason for u in read.unreadable] == [NOT_TEXT], params
    for text in ("中文", "\U0001f600", "\ud7ff\ue000", "ascii"):  # the code points beside the surrogates are text
        params = {"regionId": "cn-north-1", "description": text, "v": [text, Text(text)]}
        read = to_plain(params)
        assert not read.unreadable and read.value == params
    exact = {"regionId": "cn-north-1", "description": "中文 \U0001f600"}
    assert to_plain(exact).value is exact  # non-ASCII text stays on the fast path


def test_a_name_with_a_lone_surrogate_is_left_out_and_noted_without_its_text() -> None:
    read = to_plain({"regionId": "cn-north-1", "\ud800": 1, "中文": 2, "inner": {"x\udfff": [1]}})
    assert read.value == {"regionId": "cn-north-1", "中文": 2, "inner": {}}
    assert read.odd_names == ["<name that is not Unicode text>", "inner.<name that is not Unicode text>"]
    assert not read.unreadable


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"x": -Infinity}', "1e400", "[-1e309]"])
def test_strict_json_refuses_what_is_no_json_value(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a JSON value|is too large a number"):
        strict_json(text)


def test_strict_json_reads_json_as_json_loads_does() -> None:
    text = '{"a": [1, 2.5, -3e10, 1.7976931348623157e308, true, null, "x"]}'
    assert strict_json(text) == strict_json(text.encode()) == json.loads(text)
