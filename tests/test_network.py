"""attachNetworkInterface, detachNetworkInterface, modifyInstanceNetworkAttribute, associateElasticIp,
disassociateElasticIp: one passing and one failing example per rule."""

from __future__ import annotations

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, settle
from vmrules.builders import add_network_interface
from vmrules.model import InstanceType
from vmrules.views import instance_view

FA = "FAILED_PRECONDITION"
IA = "INVALID_ARGUMENT"
NF = "NOT_FOUND"


def nics(world: World, count: int) -> tuple[list[str], World]:
    ids = []
    for _ in range(count):
        nic_id, world = add_network_interface(world, owner="alice", subnet_id="subnet-main00001a")
        ids.append(nic_id)
    return ids, world


def attach(world: World, iid: str, nic_id: str, **kw: object) -> World:
    return ok(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId=nic_id, **kw))


# ---- attachNetworkInterface -------------------------------------------------------------------------


@pytest.mark.effect("ATTACH_NETWORK_INTERFACE.ATTACHES", "ATTACH_NETWORK_INTERFACE.AUTO_DELETE_DEFAULT")
def test_attach_nic_takes_next_device_index(world: World) -> None:
    iid, world = instance(world, instance_type="g.n2.large")
    world = attach(world, iid, "port-eniplain01")
    world = attach(world, iid, "port-eniplain02", autoDelete=True)
    assert not world.tasks and world.instances[iid].status == "running"
    assert world.instances[iid].secondary_nic_ids == ("port-eniplain01", "port-eniplain02")
    got = [(world.network_interfaces[n].device_index, world.network_interfaces[n].auto_delete,
            world.network_interfaces[n].instance_id) for n in ("port-eniplain01", "port-eniplain02")]
    assert got == [(2, False, iid), (3, True, iid)]
    view = instance_view(world, world.instances[iid])
    assert [n["deviceIndex"] for n in view["secondaryNetworkInterfaces"]] == [2, 3]
    world = ok(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))
    world = attach(world, iid, "port-eniplain01")
    assert world.network_interfaces["port-eniplain01"].device_index == 2


@pytest.mark.rule("NETWORK_INTERFACE.EXISTS")
def test_attach_unknown_or_foreign_nic_is_not_found(world: World) -> None:
    iid, world = instance(world)
    bob_nic, world = add_network_interface(world, owner="bob", subnet_id="subnet-bobnet001a")
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-nothere000"),
            "NETWORK_INTERFACE.EXISTS", NF)
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId=bob_nic),
            "NETWORK_INTERFACE.EXISTS", NF)
    attach(world, iid, "port-eniplain01")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.SECONDARY_ONLY")
def test_attach_refuses_a_primary_interface(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    primary = world.instances[jid].primary_nic_id
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId=primary),
            "ATTACH_NETWORK_INTERFACE.SECONDARY_ONLY", IA)
    attach(world, iid, "port-eniplain01")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.SAME_VPC")
def test_attach_needs_same_vpc(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-enisecond1"),
            "ATTACH_NETWORK_INTERFACE.SAME_VPC", IA)
    jid, world = instance(world, subnet_id="subnet-second001a")
    attach(world, jid, "port-enisecond1")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.ELASTIC_IP_AZ")
def test_attach_nic_with_elastic_ip_of_another_az(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eni1beip01"),
            "ATTACH_NETWORK_INTERFACE.ELASTIC_IP_AZ", IA)
    world = attach(world, iid, "port-eniallip01")  # all-AZ elastic IP
    assert world.elastic_ips["fip-onnic00all"].instance_id == iid
    jid, world = instance(world, az="cn-north-1b", subnet_id="subnet-main00001b")
    attach(world, jid, "port-eni1beip01")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED")
def test_attach_nic_needs_running_or_stopped(world: World) -> None:
    iid, world = instance(world)
    stopping = ok(run(world, "stopInstance", instanceId=iid)).without_task(iid)
    refused(run(stopping, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"),
            "ATTACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", FA)
    attach(settle(ok(run(world, "stopInstance", instanceId=iid))), iid, "port-eniplain01")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.NO_TASK")
def test_attach_nic_refused_while_busy(world: World) -> None:
    iid, world = instance(world)
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    refused(run(busy, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"),
            "ATTACH_NETWORK_INTERFACE.NO_TASK", FA)
    attach(settle(busy), iid, "port-eniplain01")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.NOT_ATTACHED")
def test_attach_nic_attached_elsewhere(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    refused(run(world, "attachNetworkInterface", instanceId=jid, networkInterfaceId="port-eniplain01"),
            "ATTACH_NETWORK_INTERFACE.NOT_ATTACHED", FA)
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"),
            "ATTACH_NETWORK_INTERFACE.NOT_ATTACHED", FA)
    attach(world, jid, "port-eniplain02")


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.NIC_LIMIT")
def test_nic_limit_counts_the_primary(world: World) -> None:
    iid, world = instance(world, instance_type="g.n2.medium")  # nicLimit 2
    world = attach(world, iid, "port-eniplain01")
    out = run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain02")
    refused(out, "ATTACH_NETWORK_INTERFACE.NIC_LIMIT", FA)
    assert out.error is not None and "at most 2" in out.error.message
    micro, world = instance(world, instance_type="g.n2.micro")  # nicLimit 1: no secondary at all
    refused(run(world, "attachNetworkInterface", instanceId=micro, networkInterfaceId="port-eniplain02"),
            "ATTACH_NETWORK_INTERFACE.NIC_LIMIT", FA)


@pytest.mark.rule("ATTACH_NETWORK_INTERFACE.DEVICE_INDEX_FREE")
def test_at_most_seven_secondaries(world: World) -> None:
    big = InstanceType("x.n2.huge", "x.n2", 2, 8, 16384, 12)
    world = world.evolve(instance_types=world.instance_types.set(big.instance_type, big))
    iid, world = instance(world, instance_type="x.n2.huge")
    ids, world = nics(world, 8)
    for nic_id in ids[:7]:
        world = attach(world, iid, nic_id)
    assert sorted(world.network_interfaces[n].device_index for n in ids[:7]) == [2, 3, 4, 5, 6, 7, 8]
    refused(run(world, "attachNetworkInterface", instanceId=iid, networkInterfaceId=ids[7]),
            "ATTACH_NETWORK_INTERFACE.DEVICE_INDEX_FREE", FA)


# ---- detachNetworkInterface -------------------------------------------------------------------------


@pytest.mark.effect("DETACH_NETWORK_INTERFACE.DETACHES")
def test_detach_nic_clears_attachment(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniallip01", autoDelete=True)
    world = ok(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniallip01"))
    nic = world.network_interfaces["port-eniallip01"]
    assert (nic.instance_id, nic.device_index, nic.auto_delete) == (None, 0, False)
    assert world.instances[iid].secondary_nic_ids == ()
    assert world.elastic_ips["fip-onnic00all"].instance_id is None
    assert world.elastic_ips["fip-onnic00all"].nic_id == "port-eniallip01"


@pytest.mark.rule("DETACH_NETWORK_INTERFACE.NOT_PRIMARY")
def test_primary_cannot_be_detached(world: World) -> None:
    iid, world = instance(world)
    primary = world.instances[iid].primary_nic_id
    refused(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId=primary),
            "DETACH_NETWORK_INTERFACE.NOT_PRIMARY", IA)
    world = attach(world, iid, "port-eniplain01")
    ok(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))


@pytest.mark.rule("DETACH_NETWORK_INTERFACE.ATTACHED_HERE")
def test_detach_nic_needs_attachment_to_that_instance(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    refused(run(world, "detachNetworkInterface", instanceId=jid, networkInterfaceId="port-eniplain01"),
            "DETACH_NETWORK_INTERFACE.ATTACHED_HERE", FA)
    refused(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain02"),
            "DETACH_NETWORK_INTERFACE.ATTACHED_HERE", FA)
    ok(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))


@pytest.mark.rule("DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED")
def test_detach_nic_needs_running_or_stopped(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    rebooting = ok(run(world, "rebootInstance", instanceId=iid)).without_task(iid)
    refused(run(rebooting, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"),
            "DETACH_NETWORK_INTERFACE.STATUS_RUNNING_OR_STOPPED", FA)
    ok(run(world, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))


@pytest.mark.rule("DETACH_NETWORK_INTERFACE.NO_TASK")
def test_detach_nic_refused_while_busy(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    busy = ok(run(world, "attachDisk", instanceId=iid, diskId="vol-ssd0000001"))
    refused(run(busy, "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"),
            "DETACH_NETWORK_INTERFACE.NO_TASK", FA)
    ok(run(settle(busy), "detachNetworkInterface", instanceId=iid, networkInterfaceId="port-eniplain01"))


# ---- modifyInstanceNetworkAttribute -----------------------------------------------------------------


def _modify(world: World, iid: str, *items: dict[str, object]) -> World:
    return ok(run(world, "modifyInstanceNetworkAttribute", instanceId=iid, networks=list(items)))


@pytest.mark.effect("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.SETS_AUTO_DELETE")
def test_modify_nic_auto_delete(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    world = _modify(world, iid, {"networkInterfaceId": "port-eniplain01", "autoDelete": True})
    assert world.network_interfaces["port-eniplain01"].auto_delete is True
    same = _modify(world, iid, {"networkInterfaceId": "port-eniplain01"})
    assert same.network_interfaces["port-eniplain01"].auto_delete is True
    refused(run(world, "modifyInstanceNetworkAttribute", instanceId=iid), "REQUEST.REQUIRED", IA)


@pytest.mark.rule("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_REQUIRED")
def test_modify_nic_item_needs_id(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    out = run(world, "modifyInstanceNetworkAttribute", instanceId=iid, networks=[{"autoDelete": True}])
    refused(out, "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_REQUIRED", IA)
    assert out.error is not None and out.error.field == "networks.0.networkInterfaceId"
    _modify(world, iid, {"networkInterfaceId": "port-eniplain01", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_UNIQUE")
def test_modify_nic_item_once(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    item = {"networkInterfaceId": "port-eniplain01", "autoDelete": True}
    refused(run(world, "modifyInstanceNetworkAttribute", instanceId=iid, networks=[item, item]),
            "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_ID_UNIQUE", IA)
    _modify(world, iid, item)


@pytest.mark.rule("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_EXISTS")
def test_modify_unknown_nic_names_the_item(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    out = run(world, "modifyInstanceNetworkAttribute", instanceId=iid,
              networks=[{"networkInterfaceId": "port-eniplain01", "autoDelete": True},
                        {"networkInterfaceId": "port-nothere000", "autoDelete": True}])
    refused(out, "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NIC_EXISTS", NF)
    assert out.error is not None and out.error.field == "networks.1.networkInterfaceId"
    _modify(world, iid, {"networkInterfaceId": "port-eniplain01", "autoDelete": True})


@pytest.mark.rule("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NOT_PRIMARY")
def test_modify_refuses_primary(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    primary = world.instances[iid].primary_nic_id
    refused(run(world, "modifyInstanceNetworkAttribute", instanceId=iid,
                networks=[{"networkInterfaceId": primary, "autoDelete": False}]),
            "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.NOT_PRIMARY", IA)
    _modify(world, iid, {"networkInterfaceId": "port-eniplain01", "autoDelete": False})


@pytest.mark.rule("MODIFY_INSTANCE_NETWORK_ATTRIBUTE.ATTACHED_HERE")
def test_modify_refuses_unattached_nic(world: World) -> None:
    iid, world = instance(world)
    world = attach(world, iid, "port-eniplain01")
    refused(run(world, "modifyInstanceNetworkAttribute", instanceId=iid,
                networks=[{"networkInterfaceId": "port-eniplain02", "autoDelete": True}]),
            "MODIFY_INSTANCE_NETWORK_ATTRIBUTE.ATTACHED_HERE", FA)
    _modify(world, iid, {"networkInterfaceId": "port-eniplain01", "autoDelete": True})


# ---- associateElasticIp / disassociateElasticIp ---------------------------------------------------


@pytest.mark.effect("ASSOCIATE_ELASTIC_IP.BINDS_PRIMARY_IP")
def test_associate_binds_primary_ip_and_shows_on_instance(world: World) -> None:
    iid, world = instance(world)
    world = ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    inst = world.instances[iid]
    primary = world.network_interfaces[inst.primary_nic_id]
    eip = world.elastic_ips["fip-free00001a"]
    assert (eip.nic_id, eip.instance_id, eip.private_ip) == (primary.nic_id, iid, primary.private_ip)
    assert primary.elastic_ip_id == "fip-free00001a" and not world.tasks
    view = instance_view(world, inst)
    assert (view["elasticIpId"], view["elasticIpAddress"]) == ("fip-free00001a", eip.address)
    world = ok(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    eip = world.elastic_ips["fip-free00001a"]
    assert (eip.nic_id, eip.instance_id, eip.private_ip) == (None, None, None)
    assert world.network_interfaces[inst.primary_nic_id].elastic_ip_id is None
    assert instance_view(world, world.instances[iid])["elasticIpId"] == ""


@pytest.mark.rule("ELASTIC_IP.EXISTS")
def test_unknown_or_foreign_elastic_ip_is_not_found(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-bobfree001"), "ELASTIC_IP.EXISTS", NF)
    refused(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-nothere0000"),
            "ELASTIC_IP.EXISTS", NF)
    ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))


@pytest.mark.rule("ASSOCIATE_ELASTIC_IP.SAME_AZ")
def test_associate_needs_same_az_or_all_az(world: World) -> None:
    iid, world = instance(world)
    refused(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001b"),
            "ASSOCIATE_ELASTIC_IP.SAME_AZ", IA)
    ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free000all"))


@pytest.mark.rule("ASSOCIATE_ELASTIC_IP.PRIMARY_INTERFACE")
def test_associate_needs_a_primary_interface(world: World) -> None:
    iid, world = instance(world)
    broken = world.evolve(network_interfaces=world.network_interfaces.delete(world.instances[iid].primary_nic_id))
    refused(run(broken, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"),
            "ASSOCIATE_ELASTIC_IP.PRIMARY_INTERFACE", FA)
    ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))


@pytest.mark.rule("ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE")
def test_one_elastic_ip_per_instance(world: World) -> None:
    iid, world = instance(world)
    world = ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    refused(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00002a"),
            "ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE", FA)
    refused(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"),
            "ASSOCIATE_ELASTIC_IP.ONE_PER_INSTANCE", FA)
    jid, world = instance(world)
    ok(run(world, "associateElasticIp", instanceId=jid, elasticIpId="fip-free00002a"))


@pytest.mark.rule("ASSOCIATE_ELASTIC_IP.NOT_BOUND")
def test_elastic_ip_bound_elsewhere(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    out = run(world, "associateElasticIp", instanceId=jid, elasticIpId="fip-free00001a")
    refused(out, "ASSOCIATE_ELASTIC_IP.NOT_BOUND", FA)
    assert out.error is not None and iid in out.error.message
    refused(run(world, "associateElasticIp", instanceId=jid, elasticIpId="fip-onnic00all"),
            "ASSOCIATE_ELASTIC_IP.NOT_BOUND", FA)
    ok(run(world, "associateElasticIp", instanceId=jid, elasticIpId="fip-free000all"))


@pytest.mark.rule("DISASSOCIATE_ELASTIC_IP.BOUND_HERE")
def test_disassociate_only_the_bound_one(world: World) -> None:
    iid, world = instance(world)
    jid, world = instance(world)
    world = ok(run(world, "associateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))
    refused(run(world, "disassociateElasticIp", instanceId=jid, elasticIpId="fip-free00001a"),
            "DISASSOCIATE_ELASTIC_IP.BOUND_HERE", FA)
    refused(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-free00002a"),
            "DISASSOCIATE_ELASTIC_IP.BOUND_HERE", FA)
    world = attach(world, iid, "port-eniallip01")  # an elastic IP on a secondary interface is not "the" one
    refused(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-onnic00all"),
            "DISASSOCIATE_ELASTIC_IP.BOUND_HERE", FA)
    ok(run(world, "disassociateElasticIp", instanceId=iid, elasticIpId="fip-free00001a"))


def test_other_accounts_instance_is_not_found(world: World) -> None:
    iid, world = instance(world)
    for op, params in (("attachNetworkInterface", {"networkInterfaceId": "port-eniplain01"}),
                       ("detachNetworkInterface", {"networkInterfaceId": "port-eniplain01"}),
                       ("associateElasticIp", {"elasticIpId": "fip-bobfree001"}),
                       ("modifyInstanceNetworkAttribute", {"networks": []})):
        refused(run(world, op, caller="bob", instanceId=iid, **params), "INSTANCE.EXISTS", NF)

