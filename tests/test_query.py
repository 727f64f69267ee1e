"""The query-string layer the emulator and the mock share (vmrules.wire.query), at its edges.

docs/emulator.md: GET and DELETE parameters travel in the query string with 1-based list indexes; values are
typed by the operation's request model; a query that does not describe one parameter object (indexes with gaps
or starting at 0, a name given twice, a list index mixed with a name, more than 8 name levels) is refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from vmrules import World, execute
from vmrules.operations import OPERATION_TABLE
from vmrules.server import Emulator
from vmrules.wire.query import MAX_LIST_INDEX, QueryError, typed, typed_params, unflatten

NAME_LEVELS = 8  # docs/emulator.md: "more than 8 name levels" is refused


def test_eight_name_levels_are_one_parameter_and_nine_are_refused() -> None:
    eight = "a.1.b.1.c.1.d.1"
    assert unflatten([(eight, "x")]) == {"a": [{"b": [{"c": [{"d": ["x"]}]}]}]}
    with pytest.raises(QueryError, match=f"nests deeper than {NAME_LEVELS} levels"):
        unflatten([(eight + ".e", "x")])


def test_list_indexes_run_from_one_to_the_limit() -> None:
    assert MAX_LIST_INDEX == 1000
    pairs = [(f"ids.{i}", f"i-{i}") for i in range(1, 1001)]
    assert unflatten(pairs)["ids"][-1] == "i-1000"
    for bad in ("ids.0", "ids.1001", "1", "1.name"):
        with pytest.raises(QueryError, match="bad list index"):
            unflatten([(bad, "x")])


def test_a_name_is_given_once_and_is_a_value_or_a_list_not_both() -> None:
    with pytest.raises(QueryError, match="given twice"):
        unflatten([("ids.1", "a"), ("ids.1", "b")])
    with pytest.raises(QueryError, match="both a value and a list"):
        unflatten([("ids", "a"), ("ids.1", "b")])
    with pytest.raises(QueryError, match="given twice or both"):
        unflatten([("ids.1", "b"), ("ids", "a")])
    with pytest.raises(QueryError, match="bad query parameter name"):
        unflatten([("filters..name", "a")])


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "count": {"type": "integer"},
        "flag": {"type": "boolean"},
        "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}]},
        "spec": {"$ref": "#/$defs/Spec"},
        "specs": {"type": "array", "items": {"$ref": "#/$defs/Spec"}},
        "text": {"type": "string"},
    },
}
DEFS: dict[str, Any] = {"Spec": {"type": "object", "properties": {"size": {"type": "integer"},
                                                                   "on": {"type": "boolean"}}}}


@pytest.mark.parametrize(("value", "expected"), [
    ("20", 20), ("-5", -5), ("0", 0), ("9" * 19, int("9" * 19)), ("-" + "9" * 4300, -int("9" * 4300)),
    ("9" * 4301, "9" * 4301), ("1.5", "1.5"), ("ten", "ten"), ("", ""), ("+3", "+3"), ("-", "-"),
    ("\u0661\u0660", "\u0661\u0660"), ("\uff11\uff10", "\uff11\uff10"), ("1_0", "1_0"),  # digits of other scripts
])
def test_integers_are_ascii_digits_python_reads_with_an_optional_minus(value: str, expected: object) -> None:
    assert typed({"count": value}, SCHEMA, DEFS) == {"count": expected}
    assert typed({"maybe": value}, SCHEMA, DEFS) == {"maybe": expected}


@pytest.mark.parametrize(("value", "expected"), [
    ("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("yes", "yes"), ("1", "1"),
])
def test_booleans_are_true_or_false_in_any_case(value: str, expected: object) -> None:
    assert typed({"flag": value}, SCHEMA, DEFS) == {"flag": expected}


def test_only_what_the_schema_types_is_converted() -> None:
    assert typed({"text": "20", "count": "true", "flag": "20", "unknown": "20"}, SCHEMA, DEFS) == \
        {"text": "20", "count": "true", "flag": "20", "unknown": "20"}
    assert typed({"count": ["1"], "spec": ["7"], "specs": {"size": "1"}}, SCHEMA, DEFS) == \
        {"count": ["1"], "spec": ["7"], "specs": {"size": "1"}}  # a list or dict where the schema wants another kind


def test_references_and_lists_of_them_are_followed() -> None:
    typed_value = typed({"spec": {"size": "40", "on": "false"}, "specs": [{"size": "1"}, {"on": "True"}]},
                        SCHEMA, DEFS)
    assert typed_value == {"spec": {"size": 40, "on": False}, "specs": [{"size": 1}, {"on": True}]}
    assert typed({"spec": {"size": "40"}}, SCHEMA, {}) == {"spec": {"size": "40"}}  # an unknown reference


def test_an_operations_query_is_typed_by_its_request_model() -> None:
    params = unflatten([("regionId", "cn-north-1"), ("pageSize", "20"), ("filters.1.name", "status"),
                        ("filters.1.values.1", "10")])
    assert typed_params(OPERATION_TABLE["describeInstances"], params) == {
        "regionId": "cn-north-1", "pageSize": 20, "filters": [{"name": "status", "values": ["10"]}]}
    delete = typed_params(OPERATION_TABLE["deleteImage"], {"regionId": "cn-north-1", "imageId": "img-1",
                                                           "deleteSnapshot": "True"})
    assert delete == {"regionId": "cn-north-1", "imageId": "img-1", "deleteSnapshot": True}


@pytest.mark.parametrize("digits", [19, 640, 641, 4300, 4301])
def test_a_long_page_number_is_answered_as_execute_answers_it(digits: int) -> None:
    """A GET's integer text is the integer a JSON body would hold: past 640 digits REQUEST.UNREADABLE, below it
    an empty page, as ``execute`` answers (once Python cannot read it as an int, past 4,300, it stays text)."""
    emulator = Emulator(World.default(), auth=False)
    path = "/v1/regions/cn-north-1/instances"
    answer = emulator.handle("GET", path, "pageNumber=" + "9" * digits, {}, b"")
    if digits > 4300:
        assert (answer.status, answer.body["error"]["status"]) == (400, "INVALID_ARGUMENT")
        return
    direct = execute(World.default(), "describeInstances", {"regionId": "cn-north-1", "pageNumber": int("9" * digits)})
    if direct.ok:
        assert answer.status == 200 and answer.body["result"] == direct.result
    else:
        assert direct.error is not None and direct.error.rule == "REQUEST.UNREADABLE" and digits > 640
        assert answer.status == 400 and direct.error.message in answer.body["error"]["message"]


def test_a_page_size_in_another_scripts_digits_is_refused_as_the_api_would() -> None:
    emulator = Emulator(World.default(), auth=False)
    path = "/v1/regions/cn-north-1/instances"
    assert emulator.handle("GET", path, "pageSize=10", {}, b"").status == 200
    refused = emulator.handle("GET", path, "pageSize=" + quote("\u0661\u0660"), {}, b"")
    assert (refused.status, refused.body["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert "pageSize" in refused.body["error"]["message"]
