"""REQUEST.* rules: the operation exists, the parameters are an object of the request's shape, the caller is an
account. They hold before any operation rule."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, check, execute


@pytest.mark.rule("REQUEST.UNKNOWN_OPERATION")
def test_unknown_operation(world: World) -> None:
    for name in ("stopInstances", "", 42, None):
        out = execute(world, name, {"regionId": "cn-north-1"})  # type: ignore[arg-type]
        refused(out, "REQUEST.UNKNOWN_OPERATION", "INVALID_ARGUMENT")
        assert out.world is world
    assert [e.rule for e in check(world, "StopInstance", {})] == ["REQUEST.UNKNOWN_OPERATION"]
    iid, world = instance(world)
    ok(run(world, "stopInstance", instanceId=iid))


@pytest.mark.rule("REQUEST.NOT_AN_OBJECT")
def test_parameters_must_be_an_object(world: World) -> None:
    iid, world = instance(world)
    for params in (["cn-north-1", iid], "regionId=cn-north-1", 7, None):
        out = execute(world, "stopInstance", params)
        refused(out, "REQUEST.NOT_AN_OBJECT", "INVALID_ARGUMENT")
        assert out.error is not None and out.error.code == 400
    # an object with attributes (as an SDK parameters object) is accepted
    ok(execute(world, "stopInstance", SimpleNamespace(regionId="cn-north-1", instanceId=iid)))


class Slotted:
    __slots__ = ()


@pytest.mark.rule("REQUEST.NOT_AN_OBJECT")
@pytest.mark.parametrize(("params", "named"), [
    ({1, 2}, "set (no JSON value)"), (b"{}", "bytes (no JSON value)"), (Slotted(), "Slotted (no JSON value)"),
    (None, "null"), (["a"], "an array"), ("x", "a string"), (True, "a boolean"), (7, "an integer"),
    (1.5, "a number"),
])
def test_parameters_that_are_no_object_are_named_in_json_words(world: World, params: object, named: str) -> None:
    out = execute(world, "stopInstance", params)
    assert out.error is not None and out.error.rule == "REQUEST.NOT_AN_OBJECT"
    assert out.error.message == f"parameters must be a JSON object, got {named}"


@pytest.mark.rule("REQUEST.TYPE")
@pytest.mark.parametrize(("operation", "params", "message"), [
    ("stopInstance", {"regionId": 5}, "regionId: should be a string (got 5)"),
    ("stopInstance", {"instanceId": True}, "instanceId: should be a string (got true)"),
    ("createInstances", {"instanceSpec": [1]}, "instanceSpec: should be an object (got an array)"),
    ("describeInstances", {"pageSize": "20"}, 'pageSize: should be an integer (got "20")'),
    ("describeInstances", {"filters": {"a": 1}}, "filters: should be an array (got an object)"),
    ("deleteInstance", {"deletePrimaryNetworkInterfaceAllElasticIp": "yes"},
     'deletePrimaryNetworkInterfaceAllElasticIp: should be true or false (got "yes")'),
    ("stopInstance", {"chargeOnStopped": "never"},
     "chargeOnStopped: should be 'keepCharging' or 'stopCharging' (got \"never\")"),
])
def test_a_value_of_the_wrong_type_is_named_in_json_words(world: World, operation: str, params: dict[str, object],
                                                          message: str) -> None:
    request = {"regionId": "cn-north-1", "instanceId": "i-x", **params}
    assert [f.message for f in check(world, operation, request) if f.rule == "REQUEST.TYPE"] == [message]


@pytest.mark.rule("REQUEST.REQUIRED")
def test_required_parameters(world: World) -> None:
    iid, world = instance(world)
    out = execute(world, "stopInstance", {"regionId": "cn-north-1"})
    refused(out, "REQUEST.REQUIRED", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "instanceId"
    errors = check(world, "stopInstance", {})
    assert {(e.rule, e.field) for e in errors} == {("REQUEST.REQUIRED", "regionId"),
                                                   ("REQUEST.REQUIRED", "instanceId")}
    ok(execute(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": iid}))


@pytest.mark.rule("REQUEST.TYPE")
def test_wrong_json_type_is_not_coerced(world: World) -> None:
    iid, world = instance(world)
    out = execute(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": 12345})
    refused(out, "REQUEST.TYPE", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "instanceId"
    out = execute(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": iid, "chargeOnStopped": True})
    refused(out, "REQUEST.TYPE", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "chargeOnStopped"
    # unknown fields are ignored, not refused
    ok(execute(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": iid, "futureField": 1}))


@pytest.mark.rule("REQUEST.UNKNOWN_CALLER")
def test_unknown_caller(world: World) -> None:
    iid, world = instance(world)
    for caller in ("mallory", ""):
        out = run(world, "stopInstance", caller=caller, instanceId=iid)
        refused(out, "REQUEST.UNKNOWN_CALLER", "PERMISSION_DENIED")
        assert out.error is not None and out.error.code == 403
    assert [e.rule for e in check(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": iid},
                                  caller="mallory")] == ["REQUEST.UNKNOWN_CALLER"]
    ok(run(world, "stopInstance", caller="alice", instanceId=iid))


def test_request_rules_come_before_operation_rules(world: World) -> None:
    # a missing instanceId in an unknown region: the shape error wins over the region rule
    errors = check(world, "stopInstance", {"regionId": "cn-nowhere-9"})
    assert [e.rule for e in errors] == ["REQUEST.REQUIRED"]


def test_execute_reports_the_first_of_several_request_errors() -> None:
    world = World.default()
    params = {"regionId": 5, "instanceId": 7}
    errors = check(world, "stopInstance", params)
    assert [e.field for e in errors] == ["regionId", "instanceId"]
    assert execute(world, "stopInstance", params).error == errors[0]


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_an_empty_name_is_quoted_in_the_message(world: World) -> None:
    top = check(world, "stopInstance", {"regionId": "cn-north-1", "instanceId": "i-x", "": 1}, strict=True)
    assert [(f.field, f.message) for f in top] == [("", '"" is not a parameter of stopInstance')]
    nested = [f.message for f in check(world, "createInstances", {"regionId": "cn-north-1", "instanceSpec": {"": 1}},
                                       strict=True) if f.rule == "REQUEST.UNKNOWN_FIELD"]
    assert nested == ['"instanceSpec." is not a parameter of createInstances']
