"""vmrules schema: request schemas carry the rules' constraints at their edges, the OpenAPI document is valid
3.1 with the SDK's paths and verbs, the emulator serves it, and the example request files validate (an editor's
view: a misspelled or out-of-range copy does not)."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from vmrules import OPERATION_TABLE, World, check
from vmrules.catalogue import CATALOGUE
from vmrules.schema import field_description, openapi_document, openapi_text, request_schema
from vmrules.schema.constraints import CONSTRAINTS, OBJECT_CONSTRAINTS
from vmrules.schema.request import field_paths
from vmrules.server.app import Emulator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples" / "requests").glob("*.json"))


def validator(operation: str, strict: bool = True) -> jsonschema.Draft202012Validator:
    schema = request_schema(operation, strict=strict)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_every_constraint_names_a_rule_of_its_operation_and_a_field_of_its_request() -> None:
    for c in (*CONSTRAINTS, *OBJECT_CONSTRAINTS):
        assert c.rule in CATALOGUE, c
        assert c.operation in CATALOGUE[c.rule].operations, c
        if c.path:
            assert c.path.removesuffix("[]") in field_paths(c.operation), c


def test_titles_are_api_names_and_descriptions_come_from_the_rules() -> None:
    schema = request_schema("createInstances")
    spec = schema["properties"]["instanceSpec"]
    assert spec["properties"]["dataDisks"]["title"] == "dataDisks"
    size = spec["properties"]["systemDisk"]["properties"]["cloudDiskSpec"]["properties"]["diskSizeGB"]
    assert size["title"] == "diskSizeGB" and "40 to 500 GB" in size["description"]
    assert schema["required"] == ["regionId", "instanceSpec"]
    assert "additionalProperties" not in schema and request_schema("createInstances", strict=True)[
        "additionalProperties"] is False
    assert "between 1 and 100" in (field_description("createInstances", "maxCount") or "")


@pytest.mark.parametrize("disk_type, low, high", [("ssd", 20, 1000), ("premium-hdd", 20, 3000)])
def test_data_disk_size_per_disk_type_matches_the_engine_at_the_edges(disk_type: str, low: int, high: int) -> None:
    world = World.default()
    params: dict[str, Any] = json.loads((ROOT / "examples/requests/createInstances.json").read_text())
    v = validator("createInstances")
    for size, fine in ((low, True), (low - 10, False), (high, True), (high + 10, False), (low + 5, False)):
        request = copy.deepcopy(params)
        request["instanceSpec"]["dataDisks"] = [{"diskCategory": "cloud", "cloudDiskSpec": {
            "diskType": disk_type, "diskSizeGB": size}}]
        assert v.is_valid(request) == fine, (disk_type, size)
        assert (check(world, "createInstances", request) == []) == fine, (disk_type, size)


def _create(change: Any) -> dict[str, Any]:
    params: dict[str, Any] = json.loads((ROOT / "examples/requests/createInstances.json").read_text())
    change(params["instanceSpec"])
    return params


def _set(**fields: Any) -> Any:
    def change(spec: dict[str, Any]) -> None:
        for path, value in fields.items():
            *parents, last = path.split("__")
            target = spec
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
    return change


@pytest.mark.parametrize(("change", "rule"), [
    (_set(systemDisk__cloudDiskSpec__diskSizeGB=39), "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE"),
    (_set(systemDisk__cloudDiskSpec__diskSizeGB=501), "CREATE_INSTANCES.CLOUD_SYSTEM_DISK_SIZE"),
    (_set(systemDisk__cloudDiskSpec__diskType="hdd"), "CREATE_INSTANCES.SYSTEM_DISK_TYPE"),
    (_set(systemDisk__diskCategory="local", systemDisk__cloudDiskSpec__diskSizeGB=40),
     "CREATE_INSTANCES.LOCAL_SYSTEM_DISK_SIZE"),
    (_set(primaryNetworkInterface__networkInterface__securityGroups=["sg-maindefault", "sg-maindefault"]),
     "CREATE_INSTANCES.SECURITY_GROUP_COUNT"),
])
def test_a_system_disk_limit_or_a_repeated_group_is_refused_by_schema_and_check_alike(change: Any,
                                                                                    rule: str) -> None:
    """diskCategory is systemDisk's field, the limits are on its cloudDiskSpec: the condition stands one level
    up (it stood beside the size, where no diskCategory is, and never held)."""
    request = _create(change)
    assert not validator("createInstances").is_valid(request)
    assert rule in {e.rule for e in check(World.default(), "createInstances", request)}
    fine = _create(_set(systemDisk__cloudDiskSpec__diskSizeGB=40))
    assert validator("createInstances").is_valid(fine) and check(World.default(), "createInstances", fine) == []


@pytest.mark.parametrize("name", ["vdb", "vdz", "vdaa", "vdbm"])
def test_every_data_disk_device_name_check_takes_the_schema_takes(world: World, name: str) -> None:
    disk = {"deviceName": name, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
    request = _create(_set(dataDisks=[disk]))
    assert validator("createInstances").is_valid(request) and check(world, "createInstances", request) == []
    assert validator("createImage").is_valid({"regionId": "cn-north-1", "instanceId": "i-x", "name": "img",
                                              "dataDisks": [disk]})
    for wrong in ("vda", "vdbn", "vdca"):
        bad = _create(_set(dataDisks=[{**disk, "deviceName": wrong}]))
        assert not validator("createInstances").is_valid(bad) and check(world, "createInstances", bad) != []


def test_the_openapi_document_is_valid_3_1_with_the_sdk_paths_and_verbs() -> None:
    document = openapi_document()
    validate(document)
    assert document["openapi"].startswith("3.1")
    operations = {(path, method): op for path, item in document["paths"].items() for method, op in item.items()}
    assert len(operations) == len(OPERATION_TABLE) == 35
    for name in OPERATION_TABLE:
        title = name[0].upper() + name[1:]
        module = importlib.import_module(f"jdcloud_sdk.services.vm.apis.{title}Request")
        parameters = getattr(module, f"{title}Parameters")
        arity = len(inspect.signature(parameters.__init__).parameters) - 1
        sdk = getattr(module, f"{title}Request")(parameters(*(["x"] * arity)))
        assert operations[(sdk.url, sdk.method.lower())]["operationId"] == name
    describe = operations[("/regions/{regionId}/instances", "get")]
    filters = next(p for p in describe["parameters"] if p["name"] == "filters")
    assert "filters.1.name" in filters["description"]


def test_the_published_document_and_the_emulator_serve_the_same_document() -> None:
    assert (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8") == openapi_text()
    response = Emulator(World.default(), auth=False).handle("GET", "/openapi.json", "", {}, b"")
    assert response.status == 200 and response.body == openapi_document()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_requests_validate_and_broken_copies_do_not(path: Path) -> None:
    operation = path.stem
    params = json.loads(path.read_text(encoding="utf-8"))
    v = validator(operation)
    assert list(v.iter_errors(params)) == []
    misspelled = {("RegionID" if k == "regionId" else k): value for k, value in params.items()}
    assert not v.is_valid(misspelled)
    assert validator(operation, strict=False).is_valid({**params, "futureField": 1})


def test_out_of_range_copies_of_example_requests_are_rejected() -> None:
    create = json.loads((ROOT / "examples/requests/createInstances.json").read_text(encoding="utf-8"))
    too_many = {**create, "maxCount": 101}
    assert not validator("createInstances").is_valid(too_many)
    assert validator("createInstances").is_valid({**create, "maxCount": 100})
    listing = json.loads((ROOT / "examples/requests/describeInstances.json").read_text(encoding="utf-8"))
    assert not validator("describeInstances").is_valid({**listing, "pageSize": 101})
    assert not validator("describeInstances").is_valid({**listing, "pageSize": 9})


def test_result_schemas_describe_what_the_operations_return() -> None:
    from vmrules.schema import result_schema

    schema = result_schema("createInstances")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["instanceIds"]["type"] == "array"
    assert jsonschema.Draft202012Validator(schema).is_valid({"instanceIds": ["i-abc"]})
    assert not jsonschema.Draft202012Validator(schema).is_valid({"instanceIds": "i-abc"})
    document = openapi_document()
    ok = document["paths"]["/regions/{regionId}/instances"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["properties"]["result"]["properties"]["instanceIds"]


@pytest.mark.parametrize(("operation", "name"), [
    ("describeInstances", "name"), ("describeInstances", "agId"), ("describeInstanceStatus", "agId"),
    ("describeInstancePrivateIpAddress", "name"), ("describeInstanceTypes", "architecture"),
])
def test_a_filter_that_takes_one_value_takes_one_in_the_schema_too(operation: str, name: str) -> None:
    two = {"regionId": "cn-north-1", "filters": [{"name": name, "values": ["a", "b"]}]}
    one = {"regionId": "cn-north-1", "filters": [{"name": name, "values": ["a"]}]}
    assert not validator(operation).is_valid(two) and validator(operation).is_valid(one)
    assert f"{CATALOGUE_PREFIX[operation]}.FILTER_VALUES" in {e.rule for e in check(World.default(), operation, two)}
    several = {"regionId": "cn-north-1", "filters": [{"name": "status", "values": ["running", "stopped"]}]}
    if operation != "describeInstanceTypes":
        assert validator(operation).is_valid(several)


CATALOGUE_PREFIX = {"describeInstances": "DESCRIBE_INSTANCES", "describeInstanceStatus": "DESCRIBE_INSTANCE_STATUS",
                    "describeInstancePrivateIpAddress": "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS",
                    "describeInstanceTypes": "DESCRIBE_INSTANCE_TYPES"}


def test_no_device_needs_a_device_name_in_the_schema_too(world: World) -> None:
    disk = {"noDevice": True, "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 20}}
    request = _create(_set(dataDisks=[disk]))
    assert not validator("createInstances").is_valid(request)
    assert "CREATE_INSTANCES.DATA_DISK_DEVICE_NAME" in {e.rule for e in check(world, "createInstances", request)}
    named = _create(_set(dataDisks=[{**disk, "deviceName": "vdb"}]))
    assert validator("createInstances").is_valid(named)
