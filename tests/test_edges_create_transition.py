"""Edges of what createInstances creates (operations/create/transition.py) that tests/test_create_instances.py
leaves open: the prepaid expiry by unit and default duration, and the host names derived from the instance
name or a given hostname (Windows' 15 characters, the 2-character floor, numbering of several instances)."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import NORTH, ok

from vmrules import World, execute

# A prepaid month is 30 days and a year 365 (written out here so that the test pins them).
MONTH, YEAR = 30 * 24 * 3600, 365 * 24 * 3600


def spec(name: str = "web", image: str = "img-centos7cld", max_count: int | None = None,
         **instance_spec: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"regionId": NORTH, "instanceSpec": {
        "name": name, "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": image,
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 50}},
        **instance_spec}}
    if max_count is not None:
        params["maxCount"] = max_count
    return params


def created(world: World, params: dict[str, Any]) -> tuple[World, list[str]]:
    out = execute(world, "createInstances", params)
    return ok(out), out.result["instanceIds"]


def hostnames(world: World, params: dict[str, Any]) -> list[str]:
    new, ids = created(world, params)
    return [new.instances[i].hostname for i in ids]


@pytest.mark.parametrize(("charge", "seconds"), [
    ({}, MONTH), ({"chargeDuration": 2}, 2 * MONTH), ({"chargeUnit": "month", "chargeDuration": 3}, 3 * MONTH),
    ({"chargeUnit": "year"}, YEAR), ({"chargeUnit": "year", "chargeDuration": 2}, 2 * YEAR),
])
def test_a_prepaid_instance_expires_after_its_duration(world: World, charge: dict[str, Any], seconds: int) -> None:
    new, ids = created(world, spec(charge={"chargeMode": "prepaid_by_duration", **charge}))
    inst_charge = new.instances[ids[0]].charge
    assert inst_charge is not None and inst_charge.mode == "prepaid_by_duration"
    assert inst_charge.expire_time == world.clock + seconds


@pytest.mark.parametrize(("name", "hostname"), [
    ("ab", "ab"), ("a中", "instance"), ("web_server", "web-server"), ("abcdefghijklmnopqrstuvwxyz", None),
])
def test_a_linux_host_name_is_derived_from_the_name(world: World, name: str, hostname: str | None) -> None:
    assert hostnames(world, spec(name)) == [hostname or name]


@pytest.mark.parametrize(("name", "hostname"), [
    ("abcdefghijklmnop", "abcdefghijklmno"), ("abcdefghijklmno", "abcdefghijklmno"), ("abcdefghijklmn", None),
])
def test_a_windows_host_name_has_at_most_15_characters(world: World, name: str, hostname: str | None) -> None:
    assert hostnames(world, spec(name, image="img-win2012r2c", password="Tz9!mQ4#vR")) == [hostname or name]


def test_one_instance_takes_its_name_and_several_are_numbered(world: World) -> None:
    assert hostnames(world, spec("web")) == ["web"]
    assert hostnames(world, spec("web", max_count=2)) == ["web1", "web2"]
    assert hostnames(world, spec("web-[07]", max_count=2)) == ["web-07", "web-08"]


def test_a_given_hostname_is_numbered_or_expanded_for_several(world: World) -> None:
    assert hostnames(world, spec(hostname="host")) == ["host"]
    assert hostnames(world, spec(hostname="host", max_count=2)) == ["host1", "host2"]
    assert hostnames(world, spec(hostname="host-[1]", max_count=2)) == ["host-1", "host-2"]
    assert hostnames(world, spec(hostname="host-[1]")) == ["host-1"]


@pytest.mark.effect("CREATE_INSTANCES.DATA_DISK_FROM_SNAPSHOT")
def test_a_disk_from_a_snapshot_takes_a_given_size_over_the_snapshot_s(world: World) -> None:
    disks = [{"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100,
                                                         "snapshotId": "snapshot-ssd0000001"}},
             {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "snapshotId": "snapshot-ssd0000001"}}]
    new, ids = created(world, spec(dataDisks=disks))
    sizes = [new.disks[d.disk_id].size_gb for d in new.instances[ids[0]].data_disks]
    assert sizes == [100, 40]  # snapshot-ssd0000001 has 40 GB


@pytest.mark.parametrize(("given", "provider"), [({}, "bgp"), ({"provider": "no_bgp"}, "no_bgp")])
def test_the_elastic_ip_s_provider_is_bgp_unless_given(world: World, given: dict[str, Any], provider: str) -> None:
    new, ids = created(world, spec(elasticIp={"bandwidthMbps": 5, **given}))
    nic = new.network_interfaces[new.instances[ids[0]].primary_nic_id]
    assert nic.elastic_ip_id is not None
    assert new.elastic_ips[nic.elastic_ip_id].provider == provider


def test_the_primary_interface_takes_its_given_name_and_checks_sources_by_default(world: World) -> None:
    params = spec()
    params["instanceSpec"]["primaryNetworkInterface"]["networkInterface"]["networkInterfaceName"] = "eni-web"
    new, ids = created(world, params)
    nic = new.network_interfaces[new.instances[ids[0]].primary_nic_id]
    assert (nic.name, nic.sanity_check) == ("eni-web", 1)
    new, ids = created(world, spec())
    nic = new.network_interfaces[new.instances[ids[0]].primary_nic_id]
    assert (nic.name, nic.sanity_check) == ("", 1)


@pytest.mark.parametrize("disk_type", ["ssd", "premium-hdd"])
def test_a_cloud_system_disk_has_the_given_type(world: World, disk_type: str) -> None:
    params = spec()
    params["instanceSpec"]["systemDisk"]["cloudDiskSpec"]["diskType"] = disk_type
    new, ids = created(world, params)
    system_disk = new.instances[ids[0]].system_disk.disk_id
    assert system_disk is not None and new.disks[system_disk].disk_type == disk_type


def test_a_disk_without_a_name_skips_the_names_later_disks_give(world: World) -> None:
    unnamed = {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 100}}
    named = {**unnamed, "deviceName": "vdb"}
    new, ids = created(world, spec(dataDisks=[unnamed, named, unnamed]))
    assert [d.device_name for d in new.instances[ids[0]].data_disks] == ["vdc", "vdb", "vdd"]
