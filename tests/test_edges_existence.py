"""Every operation names the region first and its missing resources next, and ``check`` stays total when they
are missing: each rule guarding against an absent instance, disk, interface, elastic IP or image holds."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, instance, refused, run

from vmrules import World, check, execute
from vmrules.operations import OPERATION_TABLE

NF = "NOT_FOUND"
SPEC = {"az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld", "name": "vm",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud"}}

# Parameters besides regionId and the id parameters below that each operation needs to parse.
EXTRA: dict[str, dict[str, Any]] = {
    "createInstances": {"instanceSpec": SPEC},
    "modifyInstancePassword": {"password": "Vm-Rules#Edge9"},
    "createImage": {"name": "edge-image", "dataDisks": [{"deviceName": "vdb", "noDevice": True}]},
    "copyImages": {"sourceImageIds": ["img-nothere01"], "destinationRegion": "cn-east-2"},
    "shareImage": {"pins": ["bob"]},
    "unShareImage": {"pins": ["bob"]},
    "modifyInstanceNetworkAttribute": {"networks": [{"networkInterfaceId": "port-eniplain01"}]},
    "modifyInstanceDiskAttribute": {"dataDisks": [{"diskId": "vol-ssd0000001", "autoDelete": True}]},
    "resizeInstance": {"instanceType": "g.n2.large"},
}
# The second resource an instance operation names, with an id that exists in the default world.
SECOND: dict[str, tuple[str, str, str]] = {
    "attachDisk": ("diskId", "vol-ssd0000001", "DISK.EXISTS"),
    "detachDisk": ("diskId", "vol-ssd0000001", "DISK.EXISTS"),
    "attachNetworkInterface": ("networkInterfaceId", "port-eniplain01", "NETWORK_INTERFACE.EXISTS"),
    "detachNetworkInterface": ("networkInterfaceId", "port-eniplain01", "NETWORK_INTERFACE.EXISTS"),
    "associateElasticIp": ("elasticIpId", "fip-free00001a", "ELASTIC_IP.EXISTS"),
    "disassociateElasticIp": ("elasticIpId", "fip-free00001a", "ELASTIC_IP.EXISTS"),
}
INSTANCE_OPS = sorted(name for name, op in OPERATION_TABLE.items() if "instanceId" in op.request.model_fields
                      and op.request.model_fields["instanceId"].is_required())
IMAGE_OPS = sorted(name for name, op in OPERATION_TABLE.items() if "imageId" in op.request.model_fields
                   and op.request.model_fields["imageId"].is_required())


def params_for(name: str, *, instance_id: str = "i-nothere0001", second_known: bool = True) -> dict[str, Any]:
    params: dict[str, Any] = {**EXTRA.get(name, {})}
    if name in INSTANCE_OPS:
        params["instanceId"] = instance_id
    if name in IMAGE_OPS:
        params["imageId"] = "img-nothere01"
    if name in SECOND:
        field, known, _ = SECOND[name]
        params[field] = known if second_known else "x-nothere0001"
    return params


@pytest.mark.rule("COMMON.REGION_EXISTS")
@pytest.mark.parametrize("name", sorted(OPERATION_TABLE))
def test_every_operation_checks_the_region_first(world: World, name: str) -> None:
    refused(run(world, name, regionId="cn-nowhere-9", **params_for(name)), "COMMON.REGION_EXISTS", "INVALID_ARGUMENT")


@pytest.mark.rule("INSTANCE.EXISTS")
@pytest.mark.parametrize("name", INSTANCE_OPS)
def test_every_instance_operation_reports_an_unknown_instance(world: World, name: str) -> None:
    out = run(world, name, **params_for(name))
    refused(out, "INSTANCE.EXISTS", NF)
    assert out.error is not None and out.error.field == "instanceId"
    assert "INSTANCE.EXISTS" in [e.rule for e in check(world, name, {"regionId": NORTH, **params_for(name)})]


@pytest.mark.rule("IMAGE.EXISTS")
@pytest.mark.parametrize("name", IMAGE_OPS)
def test_every_image_operation_reports_an_unknown_image(world: World, name: str) -> None:
    refused(run(world, name, **params_for(name)), "IMAGE.EXISTS", NF)


@pytest.mark.rule("DISK.EXISTS")
@pytest.mark.rule("NETWORK_INTERFACE.EXISTS")
@pytest.mark.rule("ELASTIC_IP.EXISTS")
@pytest.mark.parametrize("name", sorted(SECOND))
def test_check_is_total_when_either_side_is_missing(world: World, name: str) -> None:
    """``check`` runs every rule, so each rule must itself cope with an absent instance or second resource."""
    iid, world = instance(world)
    _, _, second_rule = SECOND[name]
    both = check(world, name, {"regionId": NORTH, **params_for(name, second_known=False)})
    assert [e.rule for e in both][:2] == ["INSTANCE.EXISTS", second_rule]
    only_second = check(world, name, {"regionId": NORTH, **params_for(name, instance_id=iid, second_known=False)})
    assert only_second and only_second[0].rule == second_rule
    assert "INSTANCE.EXISTS" not in [e.rule for e in only_second]
    only_instance = check(world, name, {"regionId": NORTH, **params_for(name)})
    assert only_instance and only_instance[0].rule == "INSTANCE.EXISTS"
    assert second_rule not in [e.rule for e in only_instance]


@pytest.mark.parametrize("name", INSTANCE_OPS)
def test_check_is_total_for_an_unknown_instance_in_any_region(world: World, name: str) -> None:
    here = [e.rule for e in check(world, name, {"regionId": NORTH, **params_for(name)})]
    assert "INSTANCE.EXISTS" in here and "COMMON.REGION_EXISTS" not in here
    elsewhere = [e.rule for e in check(world, name, {"regionId": "cn-nowhere-9", **params_for(name)})]
    assert elsewhere[0] == "COMMON.REGION_EXISTS"


def _rule(operation: str, rule_id: str) -> Any:
    return next(r for r in OPERATION_TABLE[operation].rules if r.id == rule_id)


def test_factory_rules_state_their_default_or_given_statement() -> None:
    assert _rule("attachDisk", "DISK.EXISTS").statement == "The disk exists in the region and belongs to the caller."
    assert _rule("attachDisk", "ATTACH_DISK.NO_TASK").statement == "The instance has no task in progress."
    given = _rule("deleteImage", "DELETE_IMAGE.NO_TASK").statement
    assert given.startswith("An image with a task in progress")


@pytest.mark.rule("MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE")
def test_item_ids_unique_looks_past_an_item_without_an_id(world: World) -> None:
    iid, world = instance(world)
    items = [{"autoDelete": True}, {"diskId": "vol-ssd0000001"}, {"diskId": "vol-ssd0000001"}]
    errors = check(world, "modifyInstanceDiskAttribute", {"regionId": NORTH, "instanceId": iid, "dataDisks": items})
    assert [e.field for e in errors if e.rule == "MODIFY_INSTANCE_DISK_ATTRIBUTE.DISK_ID_UNIQUE"] == [
        "dataDisks.2.diskId"]


@pytest.mark.rule("ATTACH_DISK.NO_TASK")
@pytest.mark.rule("ATTACH_DISK.DISK_NO_TASK")
def test_busy_messages_show_the_instance_status_but_not_the_disk_s(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    busy = execute(world, "attachDisk", {"regionId": NORTH, "instanceId": iid, "diskId": "vol-shared00001"}).world
    on_instance = run(busy, "attachDisk", instanceId=iid, diskId="vol-ssd0000002")
    refused(on_instance, "ATTACH_DISK.NO_TASK", "FAILED_PRECONDITION")
    assert on_instance.error is not None and "(attachDisk, status running)" in on_instance.error.message
    on_disk = run(busy, "attachDisk", instanceId=jid, diskId="vol-shared00001")
    refused(on_disk, "ATTACH_DISK.DISK_NO_TASK", "FAILED_PRECONDITION")
    assert on_disk.error is not None and "(attachDisk);" in on_disk.error.message
