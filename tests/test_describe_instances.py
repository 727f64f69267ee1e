"""describeInstance(s), describeInstanceStatus, describeInstancePrivateIpAddress, describeInstanceVncUrl:
listing order, paging, filters, tenant isolation, the VNC URL's hour of validity."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import instance, ok, refused, run

from vmrules import World, advance, settle
from vmrules.builders import add_instance
from vmrules.operations.describe import vnc_url_expiry, vnc_url_valid
from vmrules.operations.filters import Filter, FilterKey, page, select

LISTS = {
    "describeInstances": ("DESCRIBE_INSTANCES", "instances"),
    "describeInstanceStatus": ("DESCRIBE_INSTANCE_STATUS", "instanceStatuses"),
    "describeInstancePrivateIpAddress": ("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS", "instancePrivateIpAddress"),
}


def per_list(rules: tuple[str, str, str]) -> list[Any]:
    """One parameter per listing operation (in LISTS order) with that operation's own rule id."""
    return [pytest.param(op, rule, id=op) for op, rule in zip(LISTS, rules, strict=True)]


def ids(out: Any, op: str = "describeInstances") -> list[str]:
    assert out.error is None, out.error
    return [item["instanceId"] for item in out.result[LISTS[op][1]]]


def many(world: World, n: int, **kwargs: Any) -> tuple[list[str], World]:
    made = []
    for k in range(n):
        iid, world = instance(world, name=f"web-{k:03d}", **kwargs)
        made.append(iid)
    return made, world


# ---- describeInstance -------------------------------------------------------------------------------


@pytest.mark.rule("INSTANCE.EXISTS")
def test_describe_instance(world: World) -> None:
    iid, world = instance(world, name="db", description="primary database")
    out = run(world, "describeInstance", instanceId=iid)
    shown = out.result["instance"]
    assert (shown["instanceId"], shown["instanceName"], shown["description"], shown["status"]) == (
        iid, "db", "primary database", "running")
    assert out.world is world
    refused(run(world, "describeInstance", instanceId="i-doesnotexist"), "INSTANCE.EXISTS", "NOT_FOUND")
    refused(run(world, "describeInstance", caller="bob", instanceId=iid), "INSTANCE.EXISTS", "NOT_FOUND")


def test_an_interface_shows_its_security_groups_with_their_names(world: World) -> None:
    iid, world = instance(world, security_group_ids=("sg-main000002", "sg-maindefault"))
    shown = run(world, "describeInstance", instanceId=iid).result["instance"]
    assert shown["primaryNetworkInterface"]["networkInterface"]["securityGroups"] == [
        {"groupId": "sg-main000002", "groupName": "main-2"}, {"groupId": "sg-maindefault", "groupName": "default"}]


# ---- listing order, paging, totalCount --------------------------------------------------------------


@pytest.mark.effect("DESCRIBE_INSTANCES.DEFAULT_PAGE_SIZE", "DESCRIBE_INSTANCE_STATUS.DEFAULT_PAGE_SIZE",
                    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.DEFAULT_PAGE_SIZE")
@pytest.mark.parametrize("op", list(LISTS))
def test_creation_order_default_page_and_total(world: World, op: str) -> None:
    made, world = many(world, 25)
    first = run(world, op)
    assert ids(first, op) == made[:20] and first.result["totalCount"] == 25
    assert ids(run(world, op, pageNumber=2), op) == made[20:]
    assert ids(run(world, op, pageNumber=3, pageSize=10), op) == made[20:]
    assert ids(run(world, op, pageNumber=4, pageSize=10), op) == []
    assert run(world, op, pageNumber=4, pageSize=10).result["totalCount"] == 25


@pytest.mark.parametrize("op", list(LISTS))
@pytest.mark.parametrize("filters", [
    [], [{"name": "status", "values": ["running"]}], [{"name": "status", "values": ["running", "stopped"]}],
    [{"name": "status", "values": ["running", "stopped"]}, {"name": "subnetId", "values": ["subnet-main00001a"]}],
    [{"name": "subnetId", "values": ["subnet-main00001a", "subnet-main00001b"]}],
    [{"name": "instanceId", "values": ["i-x"]}],
], ids=["none", "one value", "two values", "two values and another", "subnets", "instanceId"])
def test_a_page_far_past_the_end_is_empty_whatever_serves_the_filters(world: World, op: str,
                                                                      filters: list[dict[str, Any]]) -> None:
    # pageNumber has no upper bound: (pageNumber - 1) * pageSize beyond sys.maxsize still reads an empty page
    world = many(many(world, 2)[1], 2, status="stopped")[1]
    for number in (3, 2**63, 10**600):
        out = run(world, op, pageNumber=number, pageSize=10, filters=filters)
        assert ids(out, op) == [] and out.result["totalCount"] >= 0
    first = run(world, op, pageSize=10, filters=filters)
    assert first.result["totalCount"] == len(ids(first, op))


@pytest.mark.rule("DESCRIBE_INSTANCES.PAGE_NUMBER")
@pytest.mark.rule("DESCRIBE_INSTANCE_STATUS.PAGE_NUMBER")
@pytest.mark.rule("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PAGE_NUMBER")
@pytest.mark.parametrize(("op", "rule"), per_list((
    "DESCRIBE_INSTANCES.PAGE_NUMBER",
    "DESCRIBE_INSTANCE_STATUS.PAGE_NUMBER",
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PAGE_NUMBER",
)))
def test_page_number_at_least_one(world: World, op: str, rule: str) -> None:
    refused(run(world, op, pageNumber=0), rule, "INVALID_ARGUMENT")
    refused(run(world, op, pageNumber=-3), rule, "INVALID_ARGUMENT")
    ok(run(world, op, pageNumber=1))


@pytest.mark.rule("DESCRIBE_INSTANCES.PAGE_SIZE")
@pytest.mark.rule("DESCRIBE_INSTANCE_STATUS.PAGE_SIZE")
@pytest.mark.rule("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PAGE_SIZE")
@pytest.mark.parametrize(("op", "rule"), per_list((
    "DESCRIBE_INSTANCES.PAGE_SIZE",
    "DESCRIBE_INSTANCE_STATUS.PAGE_SIZE",
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PAGE_SIZE",
)))
def test_page_size_between_10_and_100(world: World, op: str, rule: str) -> None:
    for size in (0, 9, 101):
        out = run(world, op, pageSize=size)
        refused(out, rule, "INVALID_ARGUMENT")
        assert out.error is not None and out.error.field == "pageSize"
    for size in (10, 100):
        ok(run(world, op, pageSize=size))


@pytest.mark.rule("DESCRIBE_INSTANCES.FILTER_NAME")
@pytest.mark.rule("DESCRIBE_INSTANCE_STATUS.FILTER_NAME")
@pytest.mark.rule("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_NAME")
@pytest.mark.parametrize(("op", "rule"), per_list((
    "DESCRIBE_INSTANCES.FILTER_NAME",
    "DESCRIBE_INSTANCE_STATUS.FILTER_NAME",
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_NAME",
)))
def test_unknown_filter_name(world: World, op: str, rule: str) -> None:
    out = run(world, op, filters=[{"name": "status", "values": ["running"]}, {"name": "colour", "values": ["red"]}])
    refused(out, rule, "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "filters.1.name" and "colour" in out.error.message
    ok(run(world, op, filters=[{"name": "status", "values": ["running"]}]))


@pytest.mark.rule("DESCRIBE_INSTANCES.FILTER_OPERATOR")
@pytest.mark.rule("DESCRIBE_INSTANCE_STATUS.FILTER_OPERATOR")
@pytest.mark.rule("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_OPERATOR")
@pytest.mark.parametrize(("op", "rule"), per_list((
    "DESCRIBE_INSTANCES.FILTER_OPERATOR",
    "DESCRIBE_INSTANCE_STATUS.FILTER_OPERATOR",
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_OPERATOR",
)))
def test_filter_operator_is_eq(world: World, op: str, rule: str) -> None:
    out = run(world, op, filters=[{"name": "status", "operator": "like", "values": ["run"]}])
    refused(out, rule, "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "filters.0.operator"
    ok(run(world, op, filters=[{"name": "status", "operator": "eq", "values": ["running"]}]))


@pytest.mark.rule("DESCRIBE_INSTANCES.FILTER_VALUES")
@pytest.mark.rule("DESCRIBE_INSTANCE_STATUS.FILTER_VALUES")
@pytest.mark.rule("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_VALUES")
@pytest.mark.parametrize(("op", "rule"), per_list((
    "DESCRIBE_INSTANCES.FILTER_VALUES",
    "DESCRIBE_INSTANCE_STATUS.FILTER_VALUES",
    "DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.FILTER_VALUES",
)))
def test_filter_values(world: World, op: str, rule: str) -> None:
    refused(run(world, op, filters=[{"name": "status", "values": []}]), rule, "INVALID_ARGUMENT")
    out = run(world, op, filters=[{"name": "name", "values": ["a", "b"]}])
    refused(out, rule, "INVALID_ARGUMENT")
    assert out.error is not None and out.error.field == "filters.0.values"
    ok(run(world, op, filters=[{"name": "name", "values": ["a"]}, {"name": "status", "values": ["a", "b"]}]))


def test_instance_type_and_az_filters_only_on_describe_instances(world: World) -> None:
    for name in ("az", "instanceType"):
        ok(run(world, "describeInstances", filters=[{"name": name, "values": ["x"]}]))
        refused(run(world, "describeInstanceStatus", filters=[{"name": name, "values": ["x"]}]),
                "DESCRIBE_INSTANCE_STATUS.FILTER_NAME", "INVALID_ARGUMENT")


def test_malformed_filters_are_invalid_argument(world: World) -> None:
    for filters in ({"name": "status"}, [{"values": ["x"]}], [{"name": "status", "values": "running"}], ["x"]):
        out = run(world, "describeInstances", filters=filters)
        assert out.error is not None and out.error.status == "INVALID_ARGUMENT", filters
        assert out.error.field is not None and out.error.field.startswith("filters")


# ---- filters ----------------------------------------------------------------------------------------


def f(name: str, *values: str) -> dict[str, Any]:
    return {"name": name, "values": list(values)}


def test_filters_select_instances(world: World) -> None:
    a, world = instance(world, name="web-a", az="cn-north-1a", instance_type="g.n2.medium")
    b, world = instance(world, name="web-b", subnet_id="subnet-main00001b", az="cn-north-1b",
                        instance_type="g.n2.large", status="stopped")
    c, world = instance(world, name="db-c", subnet_id="subnet-second001a", image_id="img-ubuntu18cd",
                        instance_type="g.n2.large", ag_id="ag-web00000001")
    world = world.evolve(instances=world.instances.set(c, replace(world.instances[c], fault_domain="fd-2")))
    ip_b = world.network_interfaces[world.instances[b].primary_nic_id].private_ip
    nic_c = world.instances[c].primary_nic_id

    def listed(*filters: dict[str, Any]) -> list[str]:
        return ids(run(world, "describeInstances", filters=list(filters)))

    assert listed() == [a, b, c]
    assert listed(f("instanceId", a, c)) == [a, c]
    assert listed(f("name", "web")) == [a, b]
    assert listed(f("name", "WEB")) == []
    assert listed(f("status", "stopped")) == [b]
    assert listed(f("status", "running", "stopped")) == [a, b, c]
    assert listed(f("az", "cn-north-1b", "cn-north-1c")) == [b]
    assert listed(f("vpcId", "vpc-second0001")) == [c]
    assert listed(f("subnetId", "subnet-main00001a")) == [a]
    assert listed(f("imageId", "img-ubuntu18cd")) == [c]
    assert listed(f("networkInterfaceId", nic_c)) == [c]
    assert listed(f("privateIpAddress", ip_b)) == [b]
    assert listed(f("privateIpAddress", "10.0.")) == [a, b]
    assert listed(f("agId", "ag-web00000001")) == [c]
    assert listed(f("faultDomain", "fd-2")) == [c]
    assert listed(f("instanceType", "g.n2.large")) == [b, c]
    assert listed(f("instanceType", "g.n2.large"), f("status", "running")) == [c]  # AND across filters
    out = run(world, "describeInstances", filters=[f("instanceType", "g.n2.large")], pageSize=10)
    assert out.result["totalCount"] == 2


def test_an_interface_filter_names_only_the_caller_s_instances_its_interfaces_are_attached_to(world: World) -> None:
    # The instances are found through the interfaces (direct lookups): a free interface, another account's and
    # an unknown id match nothing, and the other filters still apply to what the interfaces name.
    a, world = instance(world)
    b, world = instance(world, status="stopped")
    bobs, world = instance(world, owner="bob", subnet_id="subnet-bobnet001a")
    nic_a, nic_b = world.instances[a].primary_nic_id, world.instances[b].primary_nic_id
    nic_bob = world.instances[bobs].primary_nic_id
    assert world.network_interfaces["port-eniplain01"].instance_id is None

    def listed(*filters: dict[str, Any], op: str = "describeInstances") -> list[str]:
        return ids(run(world, op, filters=list(filters)), op)

    assert listed(f("networkInterfaceId", nic_b, nic_a)) == [a, b]
    assert listed(f("networkInterfaceId", nic_a, nic_a)) == [a]
    assert listed(f("networkInterfaceId", "port-eniplain01", nic_bob, "port-nosuch0001")) == []
    assert listed(f("networkInterfaceId", nic_a, nic_b), f("status", "stopped")) == [b]
    assert listed(f("networkInterfaceId", nic_b), op="describeInstanceStatus") == [b]
    assert ids(run(world, "describeInstances", caller="bob", filters=[f("networkInterfaceId", nic_bob, nic_a)])
               ) == [bobs]


def test_secondary_interfaces_in_filters(world: World) -> None:
    iid, world = instance(world)
    inst = world.instances[iid]
    nic = replace(world.network_interfaces["port-eniplain01"], instance_id=iid, device_index=2)
    world = world.evolve(network_interfaces=world.network_interfaces.set(nic.nic_id, nic),
                         instances=world.instances.set(iid, replace(inst, secondary_nic_ids=(nic.nic_id,))))
    assert ids(run(world, "describeInstances", filters=[f("networkInterfaceId", nic.nic_id)])) == [iid]
    # describeInstances matches any attached interface's address; the status listing only the primary one.
    assert ids(run(world, "describeInstances", filters=[f("privateIpAddress", nic.private_ip)])) == [iid]
    out = run(world, "describeInstanceStatus", filters=[f("privateIpAddress", nic.private_ip)])
    assert ids(out, "describeInstanceStatus") == []


@pytest.mark.effect("DESCRIBE_INSTANCE_PRIVATE_IP_ADDRESS.PRIMARY_IP")
def test_status_and_private_ip_shapes(world: World) -> None:
    iid, world = instance(world, private_ip="10.0.1.200")
    jid, world = instance(world, status="stopped")
    out = run(world, "describeInstanceStatus")
    assert out.result == {"instanceStatuses": [{"instanceId": iid, "status": "running"},
                                               {"instanceId": jid, "status": "stopped"}], "totalCount": 2}
    out = run(world, "describeInstancePrivateIpAddress", filters=[f("instanceId", iid)])
    assert out.result == {"instancePrivateIpAddress": [{"instanceId": iid, "privateIpAddress": "10.0.1.200"}],
                          "totalCount": 1}


def test_tenant_and_region_isolation(world: World) -> None:
    made, world = many(world, 3)
    for op in LISTS:
        assert ids(run(world, op, caller="bob"), op) == []
        assert run(world, op, caller="bob").result["totalCount"] == 0
        assert ids(run(world, op, regionId="cn-east-2"), op) == []
        assert ids(run(world, op), op) == made
    bobs, world = instance(world, owner="bob", subnet_id="subnet-bobnet001a")
    assert ids(run(world, "describeInstances", caller="bob")) == [bobs]
    assert bobs not in ids(run(world, "describeInstances"))
    assert ids(run(world, "describeInstances", filters=[f("instanceId", bobs)])) == []


def test_unknown_region_is_refused(world: World) -> None:
    refused(run(world, "describeInstances", regionId="mars-1"), "COMMON.REGION_EXISTS", "INVALID_ARGUMENT")


def test_describe_shows_transitional_status(world: World) -> None:
    iid, world = instance(world)
    stopping = ok(run(world, "stopInstance", instanceId=iid))
    assert run(stopping, "describeInstance", instanceId=iid).result["instance"]["status"] == "stopping"
    assert run(settle(stopping), "describeInstance", instanceId=iid).result["instance"]["status"] == "stopped"


# ---- the filters module on its own ------------------------------------------------------------------


def test_select_and_page_helpers() -> None:
    keys: list[FilterKey[int]] = [FilterKey("parity", lambda n: ("even" if n % 2 == 0 else "odd",)),
                                  FilterKey("digits", lambda n: (str(n),), fuzzy=True)]
    numbers = list(range(30))
    assert select(numbers, None, keys) == numbers
    evens = select(numbers, [Filter(name="parity", values=["even"])], keys)
    assert evens == list(range(0, 30, 2))
    assert select(numbers, [Filter(name="parity", values=["odd"]), Filter(name="digits", values=["1"])],
                  keys) == [1, 11, 13, 15, 17, 19, 21]
    assert page(evens, None, None) == (evens, 15)
    assert page(numbers, 2, 10) == (list(range(10, 20)), 30)
    assert page(numbers, 10**20, 100) == ([], 30)


# ---- describeInstanceVncUrl -------------------------------------------------------------------------


@pytest.mark.rule("DESCRIBE_INSTANCE_VNC_URL.STATUS_RUNNING")
def test_vnc_url_needs_running(world: World) -> None:
    iid, world = instance(world, status="stopped")
    refused(run(world, "describeInstanceVncUrl", instanceId=iid), "DESCRIBE_INSTANCE_VNC_URL.STATUS_RUNNING",
            "FAILED_PRECONDITION")
    jid, world = instance(world)
    assert ok(run(world, "describeInstanceVncUrl", instanceId=jid)) is world


@pytest.mark.effect("DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR")
def test_vnc_url_valid_for_one_hour_of_world_time(world: World) -> None:
    iid, world = instance(world)
    url = run(world, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]
    assert url.startswith("https://") and iid in url
    assert url == run(world, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]  # pure
    assert vnc_url_expiry(url) == world.clock + 3600
    assert vnc_url_valid(world, url)
    assert vnc_url_valid(advance(world, 3599), url)
    assert not vnc_url_valid(advance(world, 3600), url)
    later = advance(world, 3600)
    fresh = run(later, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]
    assert fresh != url and vnc_url_valid(later, fresh)
    gone = settle(ok(run(world, "deleteInstance", instanceId=iid)))
    assert not vnc_url_valid(gone, url)


def test_vnc_url_validity_rejects_forgeries(world: World) -> None:
    iid, world = instance(world)
    url = run(world, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]
    stretched = url.replace(f"expires={world.clock + 3600}", f"expires={world.clock + 7200}")
    assert stretched != url and not vnc_url_valid(advance(world, 3600), stretched)
    for junk in ("", "not a url", "https://vnc.jdcloud.com/vnc?expires=x", "http://[::1", None, 42):
        assert not vnc_url_valid(world, junk)
    assert vnc_url_expiry("https://example.com/") is None


def test_unfiltered_pages_match_the_filtered_listing(world: World) -> None:
    """The unfiltered listing takes a faster path; its pages must be the filtered path's pages."""
    for _ in range(45):
        _, world = add_instance(world)
    everything = [{"name": "status", "values": ["running"]}]
    for number in (1, 2, 3, 4):
        plain = run(world, "describeInstances", pageNumber=number, pageSize=20)
        filtered = run(world, "describeInstances", pageNumber=number, pageSize=20, filters=everything)
        assert plain.result == filtered.result
        assert plain.result["totalCount"] == 45
    ids = [i["instanceId"] for n in (1, 2, 3) for i in run(world, "describeInstances", pageNumber=n,
                                                              pageSize=20).result["instances"]]
    assert ids == sorted(world.instances, key=lambda i: world.instances[i].seq)


def test_index_served_filters_page_like_a_scan(world: World) -> None:
    """status / az / subnetId / vpcId / agId filters are served by the world's index (alone: the page is read
    from it; with others: its matches are the candidates); pages, order and totals must be a scan's, also after
    transitions moved instances between statuses."""
    made: list[str] = []
    for k in range(30):
        iid, world = instance(world, name=f"vm-{k:02d}", status="stopped" if k % 3 == 0 else "running",
                              az="cn-north-1b" if k % 4 == 0 else "cn-north-1a",
                              subnet_id="subnet-main00001b" if k % 4 == 0 else "subnet-main00001a",
                              ag_id="ag-web00000001" if k % 5 != 1 else None)
        made.append(iid)
    assert world.instances_with("alice", "cn-north-1", "agId", "ag-web00000001") is not None  # index-served
    for iid in made[1:12:2]:  # move some between statuses through the operations
        op = "stopInstance" if world.instances[iid].status == "running" else "startInstance"
        world = settle(ok(run(world, op, instanceId=iid)))
    ordered = sorted(world.instances.values(), key=lambda i: (i.seq, i.instance_id))
    attribute = {"status": "status", "az": "az", "subnetId": "subnet_id", "vpcId": "vpc_id", "name": "name",
                 "agId": "ag_id"}

    def expected(filters: list[dict[str, Any]]) -> list[str]:
        return [i.instance_id for i in ordered if i.owner == "alice" and i.region == "cn-north-1" and all(
            (getattr(i, attribute[x["name"]]) in x["values"]) if x["name"] != "name"
            else any(v in i.name for v in x["values"]) for x in filters)]

    cases = [[f("status", "stopped")], [f("status", "running", "stopped", "running")], [f("status", "stopping")],
             [f("az", "cn-north-1b")], [f("subnetId", "subnet-main00001a")], [f("vpcId", "vpc-main000001")],
             [f("status", "running"), f("az", "cn-north-1b")], [f("status", "stopped"), f("name", "vm-1")],
             [f("status", "running"), f("status", "stopped")], [f("agId", "ag-web00000001")],
             [f("agId", "ag-web00000001"), f("status", "stopped")], [f("agId", "ag-missing0001")], [f("agId", "")]]
    for filters in cases:
        want = expected(filters)
        for op in LISTS if all(x["name"] != "az" for x in filters) else ("describeInstances",):
            for number in (1, 2, 3):
                out = run(world, op, filters=filters, pageNumber=number, pageSize=10)
                assert ids(out, op) == want[(number - 1) * 10:number * 10], (op, filters, number)
                assert out.result["totalCount"] == len(want)
