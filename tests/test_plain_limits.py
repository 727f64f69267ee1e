"""REQUEST.UNREADABLE at its exact edges, whichever way the parameters are read.

The rule says a request "nests at most 64 levels, it holds at most 200,000 values" (docs/errors.md;
docs/decisions/request-strictness.md says how both are counted). vmrules.plain reads exact JSON on a fast path and
anything else (subclasses, tuples, SDK objects) with a guarded reader: both must draw the line at the same
place, and the fast path must hand exact JSON on uncopied right up to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vmrules import World, check
from vmrules.plain import to_plain

LEVELS = 64  # REQUEST.UNREADABLE's statement: "it nests at most 64 levels"
VALUES = 200_000  # REQUEST.UNREADABLE's statement: "it holds at most 200,000 values"


class ListSub(list[Any]):
    pass


class DictSub(dict[str, Any]):
    pass


class StrSub(str):
    pass


class Parameters:
    """Like an SDK parameters object: instance attributes, None for what is not set."""

    def __init__(self, **attributes: Any) -> None:
        self.__dict__.update(attributes)


Wrap = Callable[[Any], Any]
CONTAINERS: dict[str, Wrap] = {
    "dict": lambda inner: {"v": inner},
    "list": lambda inner: [inner],
    "tuple": lambda inner: (inner,),
    "list subclass": lambda inner: ListSub([inner]),
    "dict subclass": lambda inner: DictSub(v=inner),
    "object": lambda inner: Parameters(v=inner),
}


def params_of_levels(levels: int, wrap: Wrap) -> dict[str, Any]:
    """Parameters nesting exactly ``levels`` containers, the parameters dict included, the innermost empty."""
    value: Any = wrap(None) if wrap is CONTAINERS["object"] else []
    for _ in range(levels - 2):
        value = wrap(value)
    return {"regionId": "cn-north-1", "extra": value}


def unreadable(world: World, params: object) -> list[str]:
    return [e.rule for e in check(world, "describeInstances", params) if e.rule == "REQUEST.UNREADABLE"]


@pytest.mark.rule("REQUEST.UNREADABLE")
@pytest.mark.parametrize("container", sorted(CONTAINERS))
def test_sixty_four_levels_are_read_and_sixty_five_refused(world: World, container: str) -> None:
    wrap = CONTAINERS[container]
    assert unreadable(world, params_of_levels(LEVELS, wrap)) == []
    assert unreadable(world, params_of_levels(LEVELS + 1, wrap)) == ["REQUEST.UNREADABLE"]


def test_exact_json_at_the_depth_limit_is_taken_uncopied() -> None:
    params = params_of_levels(LEVELS, CONTAINERS["dict"])
    assert to_plain(params).value is params
    lists = params_of_levels(LEVELS, CONTAINERS["list"])
    assert to_plain(lists).value is lists


def flat_then_nested(values: int) -> dict[str, Any]:
    """Parameters holding ``values`` values as the reader counts them: the dict, its names' scalar values and,
    last, one empty dict (read after every scalar, so the count is checked there)."""
    params: dict[str, Any] = {"regionId": "cn-north-1"}
    params.update((f"k{i}", 0) for i in range(values - 3))
    params["z"] = {}
    return params


def list_of_empty_dicts(values: int) -> dict[str, Any]:
    """``values`` values: the parameters, their regionId, a list and ``values - 3`` empty dicts in it. The fast
    path counts every dict twice here (as an item and as a container), so the reader decides."""
    return {"regionId": "cn-north-1", "v": [{} for _ in range(values - 3)]}


def list_of_scalars(values: int) -> dict[str, Any]:
    """``values`` values: the parameters, their regionId, a list and ``values - 3`` strings in it. The fast path
    counts the list once more, so at the edge the reader decides, and it counts every item of a list."""
    return {"regionId": "cn-north-1", "v": ["x"] * (values - 3)}


@pytest.mark.rule("REQUEST.UNREADABLE")
@pytest.mark.parametrize("shape", [flat_then_nested, list_of_empty_dicts, list_of_scalars])
def test_two_hundred_thousand_values_are_read_and_one_more_refused(
        world: World, shape: Callable[[int], dict[str, Any]]) -> None:
    assert unreadable(world, shape(VALUES)) == []
    assert unreadable(world, shape(VALUES + 1)) == ["REQUEST.UNREADABLE"]
    # and that is the whole answer: the parameters around the value past the count are still an object
    findings = check(world, "describeInstances", shape(VALUES + 1))
    assert [(f.rule, f.field) for f in findings] == [("REQUEST.UNREADABLE", findings[0].field)]
    assert findings[0].field is not None


def test_exact_json_of_the_fast_paths_whole_budget_is_taken_uncopied() -> None:
    # the fast path counts each dict or list once plus each of its entries: 1 + (VALUES - 1) here
    params: dict[str, Any] = {f"k{i}": 0 for i in range(VALUES - 1)}
    assert to_plain(params).value is params
    params["one more"] = 0  # 200,001 values: the reader counts them as the fast path does, and refuses
    assert [u.reason for u in to_plain(params).unreadable] == [f"the parameters hold more than {VALUES} values"]
    # the same whole budget used up inside a nested dict: 2 for the outer one, the rest for the inner
    nested: dict[str, Any] = {"inner": {f"k{i}": 0 for i in range(VALUES - 3)}}
    assert to_plain(nested).value is nested


def test_names_that_are_not_strings_are_left_out_and_the_rest_is_read() -> None:
    plain = to_plain({7: "x", "regionId": "cn-north-1", (1, 2): [1], "filters": [{"name": "status"}]})
    assert plain.odd_names == ["<int name>", "<tuple name>"]
    assert plain.value == {"regionId": "cn-north-1", "filters": [{"name": "status"}]}


def test_a_str_subclass_name_is_read_as_its_text() -> None:
    plain = to_plain({StrSub("regionId"): "cn-north-1", StrSub("filters"): [{"name": "status"}]})
    assert plain.value == {"regionId": "cn-north-1", "filters": [{"name": "status"}]}
    assert all(type(name) is str for name in plain.value) and plain.odd_names == []


def test_an_objects_unset_and_private_attributes_are_left_out_wherever_they_stand() -> None:
    params = Parameters(_client={"token": "t"}, filters=None, regionId="cn-north-1", _note="n", name=None,
                        instanceIds=["i-1"], nested=Parameters(_hidden=[1], maxResults=5))
    assert to_plain(params).value == {"regionId": "cn-north-1", "instanceIds": ["i-1"],
                                      "nested": {"maxResults": 5}}


def test_a_class_is_read_through_its_attributes_like_an_instance() -> None:
    class Defaults:  # vars() of a class is a mappingproxy, not a dict
        regionId = "cn-north-1"
        maxResults = 10

    assert to_plain(Defaults).value == {"regionId": "cn-north-1", "maxResults": 10}


@pytest.mark.rule("REQUEST.UNREADABLE")
def test_subclassed_text_at_the_deepest_level_reads_like_plain_text(world: World) -> None:
    """A str subclass is text, not a level: in the 64th container it is read as an exact str would be."""
    def params(text: Callable[[str], str]) -> dict[str, Any]:
        value: Any = {text("name"): text("value"), "list": [text("item")]}  # the list is the 64th level
        for _ in range(LEVELS - 3):
            value = {"v": value}
        return {"regionId": "cn-north-1", "extra": value}

    exact, subclassed = params(str), params(StrSub)
    assert unreadable(world, exact) == unreadable(world, subclassed) == []
    read = to_plain(subclassed)
    assert read.value == exact and not read.unreadable
    leaf = read.value["extra"]
    for _ in range(LEVELS - 3):
        leaf = leaf["v"]
    assert [type(x) for x in (*leaf, leaf["name"], leaf["list"][0])] == [str, str, str, str]
