"""The embedded default world (issue 2; documented in docs/world-format.md): every listed property holds."""

from __future__ import annotations

from vmrules import World
from vmrules.defaults import MAIN, SECOND, SQL_SERVER_IMAGE_NAME, UNVERIFIED
from vmrules.model import PLATFORM_OWNER
from vmrules.usage import recount_usage

NORTH = "cn-north-1"


def test_regions_and_availability_zones(world: World) -> None:
    assert world.regions[NORTH].azs == ("cn-north-1a", "cn-north-1b", "cn-north-1c")
    assert {"cn-north-1", "cn-east-2", "cn-south-1"} <= set(world.regions.keys())


def test_accounts(world: World) -> None:
    assert world.default_account == MAIN
    assert world.accounts[MAIN].real_name_verified
    assert world.accounts[SECOND].real_name_verified
    assert not world.accounts[UNVERIFIED].real_name_verified
    extra = set(world.accounts.keys()) - {MAIN, SECOND, UNVERIFIED}
    assert len(extra) >= 25
    assert all(world.accounts[pin].real_name_verified for pin in extra)


def test_quotas_of_every_account(world: World) -> None:
    kinds = {"instance", "instance_cpu", "instance_memory", "image", "keypair", "instanceTemplate", "imageShare"}
    for account in world.accounts.values():
        assert {name for name, _ in account.quotas} == kinds
        assert all(account.quota(kind) > 0 for kind in kinds)


def test_instance_types(world: World) -> None:
    types = list(world.instance_types.values())
    assert {t.generation for t in types} == {1, 2}
    assert all(t.cpu > 0 and t.memory_mb > 0 and t.nic_limit > 0 for t in types)
    assert [t.instance_type for t in types if t.offline] == ["g.n1.small"]
    sold_out = [t for t in types if t.stock_in("cn-north-1a") is False]
    assert [t.instance_type for t in sold_out] == ["g.n2.4xlarge"]
    assert sold_out[0].stock_in("cn-north-1b") is True
    assert any(t.cpu > 64 for t in types)
    assert any(t.memory_mb <= 1024 for t in types)
    assert any(t.gpu is not None and t.gpu.number >= 1 for t in types)
    assert any(t.local_disks for t in types)
    # every type is offered in every AZ of cn-north-1
    assert all(t.stock_in(az) is not None for t in types for az in world.regions[NORTH].azs)


def test_official_images(world: World) -> None:
    official = {i.image_id: i for i in world.images.values() if i.source == "public" and i.region == NORTH}
    linux_cloud = [i for i in official.values() if i.os_type == "linux" and i.root_device_type == "cloudDisk"]
    linux_local = [i for i in official.values() if i.os_type == "linux" and i.root_device_type == "localDisk"]
    windows = [i for i in official.values() if i.os_type == "windows"]
    assert linux_cloud and linux_local
    assert any("Windows Server 2012 R2" in i.name and "SQL" not in i.name for i in windows)
    sql = [i for i in windows if i.name == SQL_SERVER_IMAGE_NAME]
    assert len(sql) == 1 and "SQL Server 2014" in sql[0].name and "标准版" in sql[0].name
    assert all(i.owner == PLATFORM_OWNER and i.status == "ready" for i in world.images.values())


def test_constrained_and_third_party_images(world: World) -> None:
    constrained = [i for i in world.images.values() if i.constraint is not None]
    assert constrained
    assert any(i.constraint.constraints_type == "excludes" for i in constrained if i.constraint)
    third = [i for i in world.images.values() if i.source == "thirdparty"]
    assert len(third) == 1 and third[0].region == NORTH
    assert not [i for i in world.images.values() if i.source == "private"]


def test_vpcs_subnets_and_security_groups(world: World) -> None:
    mine = [v for v in world.vpcs.values() if v.owner == MAIN and v.region == NORTH]
    assert len(mine) == 2
    main, second = sorted(mine, key=lambda v: v.vpc_id)
    main_subnets = [s for s in world.subnets.values() if s.vpc_id == main.vpc_id]
    assert sorted(s.az for s in main_subnets) == ["cn-north-1a", "cn-north-1b", "cn-north-1c"]
    main_groups = [g for g in world.security_groups.values() if g.vpc_id == main.vpc_id]
    assert sum(g.is_default for g in main_groups) == 1
    assert len([g for g in main_groups if not g.is_default]) >= 6
    assert len([s for s in world.subnets.values() if s.vpc_id == second.vpc_id]) >= 1
    assert world.default_security_group(second.vpc_id) is not None
    assert len([g for g in world.security_groups.values() if g.vpc_id == second.vpc_id]) >= 1


def test_available_cloud_disks(world: World) -> None:
    free = [d for d in world.disks.values()
            if d.owner == MAIN and d.status == "available" and not d.attachments]
    in_1a = [d for d in free if d.az == "cn-north-1a"]
    assert len(in_1a) >= 10
    assert {d.disk_type for d in in_1a} == {"ssd", "premium-hdd"}
    assert any(d.multi_attachable for d in in_1a)
    assert any(d.charge.mode == "prepaid_by_duration" for d in in_1a)
    assert len([d for d in free if d.az == "cn-north-1b"]) >= 1


def test_secondary_network_interfaces(world: World) -> None:
    main_vpc = "vpc-main000001"
    unattached = [n for n in world.network_interfaces.values()
                  if n.owner == MAIN and n.role == "Secondary" and n.instance_id is None]
    in_main = [n for n in unattached if n.vpc_id == main_vpc]
    assert len(in_main) >= 3
    eips = [world.elastic_ips[n.elastic_ip_id] for n in in_main if n.elastic_ip_id]
    assert any(e.az and e.az != n.az for n in in_main for e in eips if e.nic_id == n.nic_id)  # another AZ's EIP
    assert any(e.az == "" for e in eips)  # an all-AZ EIP
    assert len([n for n in unattached if n.vpc_id != main_vpc]) >= 1


def test_elastic_ips(world: World) -> None:
    unbound = [e for e in world.elastic_ips.values() if e.owner == MAIN and e.nic_id is None]
    assert len(unbound) >= 3
    assert any(e.az == "" for e in unbound) and any(e.az for e in unbound)
    assert min(e.bandwidth_mbps for e in unbound) >= 1


def test_keypairs_snapshots_template_and_availability_group(world: World) -> None:
    assert len([k for k in world.keypairs.values() if k.owner == MAIN]) >= 1
    assert len([s for s in world.snapshots.values() if s.owner == MAIN and s.status == "available"]) >= 1
    assert len(world.templates) == 1
    (template,) = world.templates.values()
    assert template.image_id in world.images and template.subnet_id in world.subnets
    assert len(world.availability_groups) == 1
    (ag,) = world.availability_groups.values()
    assert ag.template_id == template.template_id


def test_no_instances_and_consistent_usage(world: World) -> None:
    assert len(world.instances) == 0
    assert not world.tasks and not world.client_tokens
    assert world.usage == recount_usage(world)


def test_private_addresses_handed_out_never_collide_with_fixed_ones(world: World) -> None:
    from vmrules.builders import allocate_ip

    fixed = {n.private_ip for n in world.network_interfaces.values()}
    for subnet_id in world.subnets:
        w = world
        for _ in range(100):
            ip, w = allocate_ip(w, subnet_id)
            assert ip not in fixed
