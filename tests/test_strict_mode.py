"""Strict mode (REQUEST.UNKNOWN_FIELD) and hostile parameters (REQUEST.UNREADABLE): the request rules that
guard the door before a request model is built."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cli_runner import run_cli
from helpers import instance, ok, refused

from vmrules import World, check, execute
from vmrules.server.app import Emulator
from vmrules.testing.hostile import hostile_class

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "requests" / "createInstances.json"


def create_request() -> dict[str, Any]:
    params: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return params


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_unknown_names_at_every_level_are_refused_in_strict_mode(world: World) -> None:
    params = create_request()
    ok(execute(world, "createInstances", params, strict=True))  # every name defined: accepted
    params["instanceSpec"]["dataDisk"] = []  # for dataDisks
    params["instanceSpec"]["systemDisk"]["cloudDiskSpec"]["diskSizeG"] = 40  # for diskSizeGB
    params["colour"] = "blue"
    errors = check(world, "createInstances", params, strict=True)
    assert [(e.rule, e.status, e.field) for e in errors] == [
        ("REQUEST.UNKNOWN_FIELD", "INVALID_ARGUMENT", "instanceSpec.systemDisk.cloudDiskSpec.diskSizeG"),
        ("REQUEST.UNKNOWN_FIELD", "INVALID_ARGUMENT", "instanceSpec.dataDisk"),
        ("REQUEST.UNKNOWN_FIELD", "INVALID_ARGUMENT", "colour"),
    ]
    assert "did you mean instanceSpec.systemDisk.cloudDiskSpec.diskSizeGB?" in errors[0].message
    assert "did you mean instanceSpec.dataDisks?" in errors[1].message
    assert "did you mean" not in errors[2].message  # nothing close to suggest
    refused(execute(world, "createInstances", params, strict=True), "REQUEST.UNKNOWN_FIELD", "INVALID_ARGUMENT")
    # lenient (the default, as the API behaves): the same request is accepted
    assert check(world, "createInstances", params) == []
    ok(execute(world, "createInstances", params))


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_unknown_names_inside_list_items_and_case_slips(world: World) -> None:
    params = create_request()
    params["instanceSpec"]["dataDisks"] = [{"diskCategory": "cloud", "autodelete": True,
                                            "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}]
    params["RegionId"] = "cn-north-1"
    errors = check(world, "createInstances", params, strict=True)
    assert [(e.field, e.message.rsplit("; ", 1)[-1]) for e in errors] == [
        ("instanceSpec.dataDisks.0.autodelete", "did you mean instanceSpec.dataDisks.0.autoDelete?"),
        ("RegionId", "did you mean regionId?"),
    ]


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_a_list_where_a_single_value_is_expected_is_a_type_error_not_an_unknown_name(world: World) -> None:
    # the walk for unknown names only looks inside lists of models; a list given for a text field is the model's
    # to refuse, and nothing in it is a name
    errors = check(world, "describeInstances", {"regionId": ["cn-north-1", {"colour": 1}],
                                                "filters": [{"name": "status", "values": "running"}]}, strict=True)
    assert errors and all(e.rule != "REQUEST.UNKNOWN_FIELD" for e in errors)
    assert {e.status for e in errors} == {"INVALID_ARGUMENT"}
    errors = check(world, "describeInstances", {"regionId": "cn-north-1",
                                                "filters": [{"name": "status", "values": ["running"], "nme": 1}]},
                   strict=True)
    assert [(e.rule, e.field) for e in errors] == [("REQUEST.UNKNOWN_FIELD", "filters.0.nme")]


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_strict_mode_reads_sdk_parameter_objects(world: World) -> None:
    from jdcloud_sdk.services.vm.apis.StopInstanceRequest import StopInstanceParameters

    iid, world = instance(world)
    sdk = StopInstanceParameters("cn-north-1", iid)
    ok(execute(world, "stopInstance", sdk, strict=True))  # None attributes are what the SDK leaves unset
    sdk.instanceIds = [iid]  # type: ignore[attr-defined]
    refused(execute(world, "stopInstance", sdk, strict=True), "REQUEST.UNKNOWN_FIELD", "INVALID_ARGUMENT")
    ok(execute(world, "stopInstance", SimpleNamespace(regionId="cn-north-1", instanceId=iid, _private=1),
               strict=True))


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_names_that_are_not_strings_are_unknown_in_strict_mode(world: World) -> None:
    iid, world = instance(world)
    params: dict[Any, Any] = {"regionId": "cn-north-1", "instanceId": iid, 7: "x"}
    ok(execute(world, "stopInstance", params))
    errors = check(world, "stopInstance", params, strict=True)
    assert [(e.rule, e.field) for e in errors] == [("REQUEST.UNKNOWN_FIELD", "<int name>")]


def test_the_emulator_refuses_unknown_names_only_with_strict() -> None:
    body = json.dumps({"instanceId": "i-none", "colour": 1}).encode()
    for strict, expected in ((False, "INSTANCE.EXISTS"), (True, "REQUEST.UNKNOWN_FIELD")):
        emulator = Emulator(World.default(), auth=False, strict=strict)
        response = emulator.handle("POST", "/v1/regions/cn-north-1/instances/i-none:startInstance", "", {}, body)
        assert response.body["error"]["status"] in ("NOT_FOUND", "INVALID_ARGUMENT")
        assert (response.status == 400) == strict
        assert (expected == "REQUEST.UNKNOWN_FIELD") == ("colour" in response.body["error"]["message"])


def test_check_command_is_strict_by_default(tmp_path: Path) -> None:
    params = create_request()
    params["instanceSpec"]["dataDisk"] = []
    request = tmp_path / "misspelled.json"
    request.write_text(json.dumps(params), encoding="utf-8")

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return run_cli("check", "createInstances", str(request), *extra)

    strict = run()
    assert strict.returncode == 1, strict.stderr
    assert "REQUEST.UNKNOWN_FIELD" in strict.stdout and "field instanceSpec.dataDisk" in strict.stdout
    assert "did you mean instanceSpec.dataDisks?" in strict.stdout
    assert "the API itself ignores" in strict.stdout
    lenient = run("--lenient")
    assert lenient.returncode == 0, lenient.stdout
    assert lenient.stdout.startswith("ok")


# ---- hostile objects ------------------------------------------------------------------------------------


@pytest.mark.rule("REQUEST.UNREADABLE")
@pytest.mark.parametrize("methods", [{"__getattribute__"}, {"__repr__", "__str__"}, {"__hash__", "__eq__"},
                                     {"__len__", "__iter__"}, {"items", "keys", "__getitem__"},
                                     {"__bool__", "__index__", "__float__"}])
def test_hostile_objects_are_invalid_arguments_naming_the_field(world: World, methods: set[str]) -> None:
    iid, world = instance(world)
    plain = {"regionId": "cn-north-1", "instanceId": iid}
    ok(execute(world, "stopInstance", plain))
    hostile = object.__new__(hostile_class(object, frozenset(methods)))
    params = {**plain, "instanceId": hostile}
    outcome = execute(world, "stopInstance", params)
    assert outcome.error is not None and outcome.error.status == "INVALID_ARGUMENT"
    assert outcome.error.field == "instanceId"
    expected = "REQUEST.UNREADABLE" if "__getattribute__" in methods else "REQUEST.TYPE"
    assert outcome.error.rule == expected
    assert check(world, "stopInstance", params)[0] == outcome.error
    # the whole parameters object hostile
    top = execute(world, "stopInstance", object.__new__(hostile_class(object, frozenset({"__getattribute__"}))))
    refused(top, "REQUEST.UNREADABLE", "INVALID_ARGUMENT")
    assert top.error is not None and top.error.field is None


@pytest.mark.rule("REQUEST.UNREADABLE")
def test_hostile_subclasses_of_json_types_are_read_as_their_values(world: World) -> None:
    iid, world = instance(world)
    every = frozenset({"__repr__", "__str__", "__hash__", "__eq__", "__len__", "__iter__", "items", "keys",
                       "__getitem__", "copy", "__bool__"})
    text = hostile_class(str, every)(iid)
    mapping = hostile_class(dict, every)
    params = dict.__new__(mapping)
    dict.update(params, {"regionId": hostile_class(str, every)("cn-north-1"), "instanceId": text})
    ok(execute(world, "stopInstance", params, strict=True, caller=hostile_class(str, every)("alice")))
    cyclic: dict[str, Any] = {"regionId": "cn-north-1", "instanceId": iid}
    cyclic["self"] = cyclic
    refused(execute(world, "stopInstance", cyclic), "REQUEST.UNREADABLE", "INVALID_ARGUMENT")
    assert execute(world, "stopInstance", cyclic).error.field == "self"  # type: ignore[union-attr]


@pytest.mark.rule("REQUEST.UNKNOWN_FIELD")
def test_nested_sdk_objects_in_both_modes(world: World) -> None:
    from jdcloud_sdk.services.disk.models.DiskSpec import DiskSpec
    from jdcloud_sdk.services.vm.apis.CreateInstancesRequest import CreateInstancesParameters
    from jdcloud_sdk.services.vm.models.InstanceDiskAttachmentSpec import InstanceDiskAttachmentSpec
    from jdcloud_sdk.services.vm.models.InstanceNetworkInterfaceAttachmentSpec import (
        InstanceNetworkInterfaceAttachmentSpec,
    )
    from jdcloud_sdk.services.vm.models.InstanceSpec import InstanceSpec
    from jdcloud_sdk.services.vpc.models.NetworkInterfaceSpec import NetworkInterfaceSpec

    disk = DiskSpec(az="cn-north-1a", name="sys", diskType="ssd", diskSizeGB=40)
    spec = InstanceSpec(name="web", az="cn-north-1a", instanceType="g.n2.medium", imageId="img-centos7cld",
                        primaryNetworkInterface=InstanceNetworkInterfaceAttachmentSpec(
                            networkInterface=NetworkInterfaceSpec(subnetId="subnet-main00001a")),
                        systemDisk=InstanceDiskAttachmentSpec(diskCategory="cloud", cloudDiskSpec=disk))
    params = CreateInstancesParameters("cn-north-1", spec)
    ok(execute(world, "createInstances", params))
    ok(execute(world, "createInstances", params, strict=True))
    spec.userdata = [{"key": "launch-script", "value": "echo"}]  # an SDK name vmrules does not model
    ok(execute(world, "createInstances", params))
    errors = check(world, "createInstances", params, strict=True)
    assert [(e.rule, e.field) for e in errors] == [("REQUEST.UNKNOWN_FIELD", "instanceSpec.userdata")]
