"""SDK parameters that narrow a listing by what the world does not model are refused, not ignored (an ignored
one answers more than was asked for), and describeImages' instanceIds, which the world can answer, narrows.
docs/decisions/instances.md and images.md say which and why."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from helpers import ok, refused, run
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.services.vm.apis.DescribeImagesRequest import DescribeImagesParameters, DescribeImagesRequest
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import (
    DescribeInstancesParameters,
    DescribeInstancesRequest,
)
from jdcloud_sdk.services.vm.client.VmClient import VmClient
from jdcloud_sdk.services.vm.models.TagFilter import TagFilter
from sdk_signing import Quiet

from vmrules import World, check, settle
from vmrules.builders import add_instance
from vmrules.catalogue import RULES as CATALOGUE
from vmrules.schema import request_schema
from vmrules.testing import mock_jdcloud


def rules(world: World, operation: str, **params: Any) -> list[tuple[str, str | None]]:
    return [(f.rule, f.field) for f in check(world, operation, {"regionId": "cn-north-1", **params})]


@pytest.mark.rule("DESCRIBE_INSTANCES.TAGS")
def test_a_tag_condition_is_refused_and_no_tags_are_no_condition(world: World) -> None:
    _, world = add_instance(world)
    refused(run(world, "describeInstances", tags=[{"key": "env", "values": ["prod"]}]), "DESCRIBE_INSTANCES.TAGS",
            "INVALID_ARGUMENT")
    assert rules(world, "describeInstances", tags=[{"key": "env"}]) == [("DESCRIBE_INSTANCES.TAGS", "tags")]
    for none in ([], None):
        out = run(world, "describeInstances", tags=none)
        assert out.ok and out.result["totalCount"] == 1


@pytest.mark.rule("DESCRIBE_INSTANCES.TAGS")
def test_the_sdks_tag_filter_is_refused_through_the_mock() -> None:
    params = DescribeInstancesParameters("cn-north-1")
    params.setTags([TagFilter(key="env", values=["no-such-value"])])
    with mock_jdcloud():
        response = VmClient(Credential("AK", "SK"), None, Quiet()).send(DescribeInstancesRequest(params))
    assert response.error is not None and response.error.status == "INVALID_ARGUMENT"
    assert "tags is not supported" in response.error.message


@pytest.mark.rule("DESCRIBE_IMAGES.UNMODELLED")
@pytest.mark.parametrize(("field", "value"), [("launchPermission", "ownerOnly"), ("launchPermission", ""),
                                              ("bootMode", "bios"), ("bootMode", "uefi"), ("offline", True)])
def test_an_image_condition_the_world_cannot_answer_is_refused(world: World, field: str, value: object) -> None:
    out = run(world, "describeImages", imageSource="public", **{field: value})
    refused(out, "DESCRIBE_IMAGES.UNMODELLED", "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == field


@pytest.mark.rule("DESCRIBE_IMAGES.UNMODELLED")
def test_every_unmodelled_image_condition_is_named_and_the_harmless_ones_pass(world: World) -> None:
    assert rules(world, "describeImages", imageSource="public", launchPermission="all", bootMode="bios",
                 offline=True) == [("DESCRIBE_IMAGES.UNMODELLED", name) for name in ("launchPermission", "bootMode",
                                                                                     "offline")]
    # offline false is the default listing; serviceCode is deprecated (已废弃) and ignored
    out = run(world, "describeImages", imageSource="public", offline=False, serviceCode="vm")
    assert out.ok and out.result["totalCount"] == 5


@pytest.mark.rule("DESCRIBE_INSTANCE_TYPES.CHARGE_MODE")
def test_a_spot_catalogue_is_refused(world: World) -> None:
    refused(run(world, "describeInstanceTypes", chargeMode="postpaid_by_spot"), "DESCRIBE_INSTANCE_TYPES.CHARGE_MODE",
            "INVALID_ARGUMENT")
    assert run(world, "describeInstanceTypes", chargeMode=None).ok


def test_instance_ids_list_the_images_made_from_those_instances(world: World) -> None:
    iid, world = add_instance(world, status="stopped")
    other, world = add_instance(world, status="stopped")
    made = run(world, "createImage", instanceId=iid, name="from-one")
    world = settle(ok(made))
    image_id = made.result["imageId"]

    def listed(*instance_ids: str, source: str = "private") -> list[str]:
        out = run(world, "describeImages", imageSource=source, instanceIds=list(instance_ids))
        assert out.ok, out.error
        assert out.result["totalCount"] == len(out.result["images"])
        return [image["imageId"] for image in out.result["images"]]

    assert listed(iid) == [image_id] and listed(iid, other) == [image_id]
    assert listed(other) == [] and listed() == [] and listed(iid, source="public") == []
    with mock_jdcloud(world):
        params = DescribeImagesParameters("cn-north-1")
        params.setImageSource("private")
        params.setInstanceIds([other])
        response = VmClient(Credential("AK", "SK"), None, Quiet()).send(DescribeImagesRequest(params))
    assert response.error is None and response.result["totalCount"] == 0


@pytest.mark.parametrize(("operation", "params", "rule"), [
    ("describeInstances", {"tags": [{"key": "env"}]}, "DESCRIBE_INSTANCES.TAGS"),
    ("describeInstances", {"tags": []}, None),
    ("describeImages", {"imageSource": "public", "bootMode": "bios"}, "DESCRIBE_IMAGES.UNMODELLED"),
    ("describeImages", {"imageSource": "public", "launchPermission": "all"}, "DESCRIBE_IMAGES.UNMODELLED"),
    ("describeImages", {"imageSource": "public", "offline": True}, "DESCRIBE_IMAGES.UNMODELLED"),
    ("describeImages", {"imageSource": "public", "offline": False, "serviceCode": "vm"}, None),
    ("describeInstanceTypes", {"chargeMode": "postpaid_by_spot"}, "DESCRIBE_INSTANCE_TYPES.CHARGE_MODE"),
    ("describeQuotas", {"filters": [{"name": "resourceTypes", "values": ["instance", "bogus"]}]},
     "DESCRIBE_QUOTAS.RESOURCE_TYPE"),
    ("describeQuotas", {"filters": [{"name": "resourceTypes", "values": ["instance", "keypair"]}]}, None),
])
def test_the_request_schema_refuses_what_check_refuses(world: World, operation: str, params: dict[str, Any],
                                                       rule: str | None) -> None:
    request = {"regionId": "cn-north-1", **params}
    errors = list(jsonschema.Draft202012Validator(request_schema(operation)).iter_errors(request))
    assert [r for r, _ in rules(world, operation, **params)] == ([] if rule is None else [rule])
    assert bool(errors) == (rule is not None), errors


def test_an_unmodelled_rule_states_every_parameter_and_is_filed_under_the_first() -> None:
    rule = next(r for r in CATALOGUE if r.id == "DESCRIBE_IMAGES.UNMODELLED")
    assert rule.field == "launchPermission"
    assert rule.statement.startswith("launchPermission, bootMode and offline are refused rather than ignored: ")
    tags = next(r for r in CATALOGUE if r.id == "DESCRIBE_INSTANCES.TAGS")
    assert tags.field == "tags" and tags.statement.startswith("tags is refused rather than ignored: ")
