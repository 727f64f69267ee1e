"""The emulator (`python -m vmrules.server`, a subprocess) driven by the official SDK's VmClient.

Every SDK call is mirrored through ``vmrules.execute`` on the same starting world: the results, the errors and
at the end the whole world must be identical (the server runs with ``--frozen-clock`` so both clocks agree).
Then signatures, tenant isolation, concurrent clients against a quota, and a SIGKILL/restart with ``--state``.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from jdcloud_sdk.core.config import Config
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.services.charge.models.ChargeSpec import ChargeSpec
from jdcloud_sdk.services.common.models.Filter import Filter
from jdcloud_sdk.services.disk.models.DiskSpec import DiskSpec
from jdcloud_sdk.services.vm.apis.AttachDiskRequest import AttachDiskParameters, AttachDiskRequest
from jdcloud_sdk.services.vm.apis.CreateImageRequest import CreateImageParameters, CreateImageRequest
from jdcloud_sdk.services.vm.apis.CreateInstancesRequest import CreateInstancesParameters, CreateInstancesRequest
from jdcloud_sdk.services.vm.apis.DeleteInstanceRequest import DeleteInstanceParameters, DeleteInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeImageMembersRequest import (
    DescribeImageMembersParameters,
    DescribeImageMembersRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeImagesRequest import DescribeImagesParameters, DescribeImagesRequest
from jdcloud_sdk.services.vm.apis.DescribeInstanceRequest import DescribeInstanceParameters, DescribeInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import (
    DescribeInstancesParameters,
    DescribeInstancesRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeInstanceStatusRequest import (
    DescribeInstanceStatusParameters,
    DescribeInstanceStatusRequest,
)
from jdcloud_sdk.services.vm.apis.DescribeQuotasRequest import DescribeQuotasParameters, DescribeQuotasRequest
from jdcloud_sdk.services.vm.apis.ShareImageRequest import ShareImageParameters, ShareImageRequest
from jdcloud_sdk.services.vm.apis.StartInstanceRequest import StartInstanceParameters, StartInstanceRequest
from jdcloud_sdk.services.vm.apis.StopInstanceRequest import StopInstanceParameters, StopInstanceRequest
from jdcloud_sdk.services.vm.client.VmClient import VmClient
from jdcloud_sdk.services.vm.models.InstanceDiskAttachmentSpec import InstanceDiskAttachmentSpec
from jdcloud_sdk.services.vm.models.InstanceNetworkInterfaceAttachmentSpec import (
    InstanceNetworkInterfaceAttachmentSpec,
)
from jdcloud_sdk.services.vm.models.InstanceSpec import InstanceSpec
from jdcloud_sdk.services.vpc.models.ElasticIpSpec import ElasticIpSpec
from jdcloud_sdk.services.vpc.models.NetworkInterfaceSpec import NetworkInterfaceSpec
from sdk_signing import REGION, Quiet, sdk_headers

from vmrules import World, execute, settle
from vmrules.server.process import ServerProcess, serve_args

KEYS = {"AK-ALICE": ("sk-alice", "alice"), "AK-BOB": ("sk-bob", "bob")}


def client(server: ServerProcess, access_key: str, secret: str | None = None) -> Any:
    secret = KEYS[access_key][0] if secret is None else secret
    return VmClient(Credential(access_key, secret), Config(endpoint=server.endpoint, scheme="http", timeout=30),
                    Quiet())


ADMIN_KEY = ("AK-ADMIN", "sk-admin")




def admin(server: ServerProcess, method: str, path: str, body: Any = None,
          key: tuple[str, str] | None = ADMIN_KEY) -> dict[str, Any]:
    """An admin request, signed with ``key`` (the admin key by default; None: unsigned). HTTP errors are
    returned as their envelopes."""
    data = b"" if body is None else json.dumps(body).encode()
    headers = sdk_headers(method, server.url + path, data, key=key) if key else {"Content-Type": "application/json"}
    request = urllib.request.Request(server.url + path, data=data or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            reply: dict[str, Any] = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        reply = json.loads(exc.read())
    return reply


@pytest.fixture(scope="module")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("keys") / "credentials.json"
    keys: dict[str, Any] = {ak: {"secretKey": sk, "pin": pin} for ak, (sk, pin) in KEYS.items()}
    keys[ADMIN_KEY[0]] = {"secretKey": ADMIN_KEY[1], "admin": True}
    path.write_text(json.dumps(keys))
    return str(path)


@pytest.fixture(scope="module")
def server(keys_file: str) -> Iterator[ServerProcess]:
    with ServerProcess(*serve_args(credentials=keys_file, task_seconds=0, frozen_clock=True)) as process:
        yield process
        assert "Traceback" not in process.stderr_text()


@pytest.fixture
def fresh(server: ServerProcess) -> ServerProcess:
    """The shared server, reset to the default world."""
    assert admin(server, "PUT", "/admin/world", World.default().to_dict())["result"] == {}
    return server


def operation_of(request_class: type) -> str:
    name = request_class.__name__.removesuffix("Request")
    return name[0].lower() + name[1:]


class Mirror:
    """Each call goes to the server through the SDK and to ``execute`` in process; the two must agree."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calls = 0

    def call(self, sdk: Any, caller: str, request_class: type, params: Any) -> Any:
        response = sdk.send(request_class(params))
        outcome = execute(self.world, operation_of(request_class), params, caller=caller)
        if outcome.ok:
            self.world = settle(outcome.world)  # the server runs with --task-seconds 0
        self.calls += 1
        step = f"call {self.calls} {operation_of(request_class)}"
        if outcome.error is not None:
            assert response.error is not None, f"{step}: the server accepted what the engine refused"
            wire = outcome.error.to_wire()
            assert (response.error.code, response.error.status, response.error.message) == (
                wire["code"], wire["status"], wire["message"]), step
            assert response.result is None
        else:
            assert response.error is None, f"{step}: {vars(response.error)}"
            assert response.request_id
            expected = json.loads(json.dumps(outcome.result))
            assert (response.result or {}) == expected, step  # the SDK leaves an empty result as None
        return outcome


def full_spec(name: str) -> Any:
    nic = NetworkInterfaceSpec("subnet-main00001a", networkInterfaceName="web-eth0",
                               securityGroups=["sg-main000001", "sg-main000002"], sanityCheck=1)
    data = [InstanceDiskAttachmentSpec(diskCategory="cloud", autoDelete=True, deviceName=device,
                                       cloudDiskSpec=DiskSpec(REGION + "a", f"{name}-{device}", kind, size))
            for device, kind, size in (("vdb", "premium-hdd", 200), ("vdc", "ssd", 50))]
    return InstanceSpec(
        name, az="cn-north-1a", instanceType="g.n2.medium", imageId="img-centos7cld", hostname=name,
        description="web tier", password="Vm#Rules8Zy", keyNames=["alice-key"],
        primaryNetworkInterface=InstanceNetworkInterfaceAttachmentSpec(deviceIndex=1, networkInterface=nic),
        elasticIp=ElasticIpSpec(10, "bgp", ChargeSpec(chargeMode="postpaid_by_usage")),
        systemDisk=InstanceDiskAttachmentSpec(diskCategory="cloud",
                                              cloudDiskSpec=DiskSpec(REGION + "a", f"{name}-sys", "ssd", 60)),
        dataDisks=data, charge=ChargeSpec(chargeMode="postpaid_by_duration"))


def small_spec(name: str, data_disks: int = 0) -> Any:
    nic = NetworkInterfaceSpec("subnet-main00001a")
    disks = [InstanceDiskAttachmentSpec(diskCategory="cloud", autoDelete=True,
                                        cloudDiskSpec=DiskSpec(REGION + "a", f"{name}-{i}", "ssd", 20))
             for i in range(data_disks)]
    return InstanceSpec(name, az="cn-north-1a", instanceType="g.n2.medium", imageId="img-centos7cld",
                        primaryNetworkInterface=InstanceNetworkInterfaceAttachmentSpec(networkInterface=nic),
                        systemDisk=InstanceDiskAttachmentSpec(
                            diskCategory="cloud", cloudDiskSpec=DiskSpec(REGION + "a", f"{name}-sys", "ssd", 40)),
                        dataDisks=disks or None)


def create(spec: Any, count: int | None = None, token: str | None = None) -> Any:
    params = CreateInstancesParameters(REGION, spec)
    if count is not None:
        params.setMaxCount(count)
    if token is not None:
        params.setClientToken(token)
    return params


def describe(*filters: tuple[str, list[str]], page: int | None = None, size: int | None = None) -> Any:
    params = DescribeInstancesParameters(REGION)
    if filters:
        params.setFilters([Filter(name, values) for name, values in filters])
    if page is not None:
        params.setPageNumber(page)
    if size is not None:
        params.setPageSize(size)
    return params


def test_the_sdk_sees_what_the_engine_sees(fresh: ServerProcess) -> None:
    alice, bob = client(fresh, "AK-ALICE"), client(fresh, "AK-BOB")
    m = Mirror(World.default())

    # create: a full spec twice over (client token), then ten small ones, then one refused by a rule
    web = m.call(alice, "alice", CreateInstancesRequest, create(full_spec("web"), 2, "web-tier-1")).result
    assert len(web["instanceIds"]) == 2
    replay = m.call(alice, "alice", CreateInstancesRequest, create(full_spec("web"), 2, "web-tier-1")).result
    assert replay == web  # the client token makes the retry idempotent, over HTTP as in process
    batch = m.call(alice, "alice", CreateInstancesRequest, create(small_spec("batch"), 10)).result["instanceIds"]
    refused = m.call(alice, "alice", CreateInstancesRequest, create(small_spec("big", data_disks=8)))
    assert refused.error is not None and refused.error.status == "INVALID_ARGUMENT"
    web0, web1 = web["instanceIds"]

    # describe: filters (lists flattened into the query string) and paging
    everything = m.call(alice, "alice", DescribeInstancesRequest, describe(size=10, page=2)).result
    assert everything["totalCount"] == 12 and len(everything["instances"]) == 2
    named = m.call(alice, "alice", DescribeInstancesRequest,
                   describe(("instanceId", [web0, batch[3], "i-notthere"]), ("status", ["running"]))).result
    assert {i["instanceId"] for i in named["instances"]} == {web0, batch[3]}
    m.call(alice, "alice", DescribeInstancesRequest, describe(("name", ["web"]), size=100))
    bad_page = m.call(alice, "alice", DescribeInstancesRequest, describe(size=5000))
    assert bad_page.error is not None
    m.call(alice, "alice", DescribeInstanceStatusRequest, DescribeInstanceStatusParameters(REGION))
    m.call(alice, "alice", DescribeQuotasRequest, DescribeQuotasParameters(REGION))

    # stop / start, including the refusals of the wrong state and of an unknown id
    m.call(alice, "alice", StopInstanceRequest, StopInstanceParameters(REGION, web0))
    again = m.call(alice, "alice", StopInstanceRequest, StopInstanceParameters(REGION, web0))
    assert again.error is not None and again.error.status == "FAILED_PRECONDITION"
    stopped = m.call(alice, "alice", DescribeInstanceRequest, DescribeInstanceParameters(REGION, web0)).result
    assert stopped["instance"]["status"] == "stopped"
    m.call(alice, "alice", StartInstanceRequest, StartInstanceParameters(REGION, web0))
    missing = m.call(alice, "alice", StartInstanceRequest, StartInstanceParameters(REGION, "i-notthere"))
    assert missing.error is not None and missing.error.code == 404

    # attach disks up to the limit: web0 has 2 data disks and a cloud system disk, so 5 more fit and a 6th not
    for n in range(1, 6):
        m.call(alice, "alice", AttachDiskRequest, AttachDiskParameters(REGION, web0, f"vol-ssd000000{n}"))
    full = m.call(alice, "alice", AttachDiskRequest, AttachDiskParameters(REGION, web0, "vol-hdd0000001"))
    assert full.error is not None and full.error.rule == "ATTACH_DISK.DATA_DISK_LIMIT"

    # images of stopped instances: one with data disks (a whole-machine image, which cannot be shared) and one
    # without, shared with bob and seen by bob
    m.call(alice, "alice", StopInstanceRequest, StopInstanceParameters(REGION, web1))
    whole = m.call(alice, "alice", CreateImageRequest, CreateImageParameters(REGION, web1, "web-image")
                   ).result["imageId"]
    to_bob = ShareImageParameters(REGION, whole)
    to_bob.setPins(["bob"])
    not_shared = m.call(alice, "alice", ShareImageRequest, to_bob)
    assert not_shared.error is not None and not_shared.error.rule == "SHARE_IMAGE.NOT_WHOLE_MACHINE"
    m.call(alice, "alice", StopInstanceRequest, StopInstanceParameters(REGION, batch[0]))
    image_id = m.call(alice, "alice", CreateImageRequest, CreateImageParameters(REGION, batch[0], "batch-image")
                      ).result["imageId"]
    share = ShareImageParameters(REGION, image_id)
    share.setPins(["bob"])
    m.call(alice, "alice", ShareImageRequest, share)
    members = m.call(alice, "alice", DescribeImageMembersRequest, DescribeImageMembersParameters(REGION, image_id))
    assert members.result["pins"] == ["bob"]
    shared = DescribeImagesParameters(REGION)
    shared.setImageSource("shared")
    assert [i["imageId"] for i in m.call(bob, "bob", DescribeImagesRequest, shared).result["images"]] == [image_id]
    not_own = ShareImageParameters(REGION, image_id)
    not_own.setPins(["carol"])
    assert m.call(bob, "bob", ShareImageRequest, not_own).error is not None

    # bob cannot see or touch alice's instances
    assert m.call(bob, "bob", DescribeInstancesRequest, describe()).result["totalCount"] == 0
    hidden = m.call(bob, "bob", StopInstanceRequest, StopInstanceParameters(REGION, web0))
    assert hidden.error is not None and hidden.error.status == "NOT_FOUND"

    # delete, with a boolean in the query string (the SDK writes it as True)
    delete = DeleteInstanceParameters(REGION, web0)
    delete.setDeletePrimaryNetworkInterfaceAllElasticIp(True)
    m.call(alice, "alice", DeleteInstanceRequest, delete)
    gone = m.call(alice, "alice", DescribeInstanceRequest, DescribeInstanceParameters(REGION, web0))
    assert gone.error is not None and gone.error.status == "NOT_FOUND"

    # and the whole world agrees, ids, clock, usage and all
    assert admin(fresh, "GET", "/admin/world")["result"] == m.world.to_dict()


# ---- signatures ---------------------------------------------------------------------------------------------


def test_wrong_secret_unknown_key_and_unsigned_requests_are_unauthenticated(fresh: ServerProcess) -> None:
    params = describe()
    assert client(fresh, "AK-ALICE").send(DescribeInstancesRequest(params)).error is None
    for sdk in (client(fresh, "AK-ALICE", "not-the-secret"), client(fresh, "AK-NOBODY", "whatever")):
        response = sdk.send(DescribeInstancesRequest(params))
        assert (response.error.code, response.error.status) == (401, "UNAUTHENTICATED")
        assert response.result is None
    unsigned = requests.get(f"{fresh.url}/v1/regions/{REGION}/instances", timeout=30)
    assert unsigned.status_code == 401
    assert unsigned.json()["error"]["status"] == "UNAUTHENTICATED"
    assert unsigned.headers["x-jdcloud-request-id"] == unsigned.json()["requestId"]


def test_a_stale_signature_date_is_refused(fresh: ServerProcess) -> None:
    alice = client(fresh, "AK-ALICE")

    def signed_at(moment: datetime) -> Any:
        header = {"x-jdcloud-date": moment.strftime("%Y%m%dT%H%M%SZ")}  # the SDK signs with a date it is given
        return alice.send(DescribeInstancesRequest(describe(), header=header))

    now = datetime.now(UTC)
    assert signed_at(now - timedelta(minutes=5)).error is None  # inside the default 900 s window
    for stale in (now - timedelta(minutes=20), now + timedelta(minutes=20)):
        response = signed_at(stale)
        assert (response.error.code, response.error.status) == (401, "UNAUTHENTICATED")
        assert "x-jdcloud-date" in response.error.message


def test_a_tampered_request_is_refused(fresh: ServerProcess) -> None:
    """A correctly signed request whose body is changed on the way no longer matches its signature."""
    url = f"{fresh.url}/v1/regions/{REGION}/instances/i-x:stopInstance"
    body = json.dumps({"regionId": REGION, "instanceId": "i-x"})
    headers = sdk_headers("POST", url, body.encode(), key=("AK-ALICE", "sk-alice"))
    honest = requests.post(url, data=body, headers=headers, timeout=30)
    assert (honest.status_code, honest.json()["error"]["status"]) == (404, "NOT_FOUND")  # authenticated
    tampered = requests.post(url, data=body.replace("i-x", "i-y"), headers=headers, timeout=30)
    assert (tampered.status_code, tampered.json()["error"]["status"]) == (401, "UNAUTHENTICATED")


def test_each_key_acts_as_its_own_account(fresh: ServerProcess) -> None:
    alice, bob = client(fresh, "AK-ALICE"), client(fresh, "AK-BOB")
    created = alice.send(CreateInstancesRequest(create(small_spec("mine"), 2)))
    assert created.error is None
    ids = created.result["instanceIds"]
    assert alice.send(DescribeInstancesRequest(describe())).result["totalCount"] == 2
    assert bob.send(DescribeInstancesRequest(describe(("instanceId", ids)))).result["totalCount"] == 0
    for request in (DescribeInstanceRequest(DescribeInstanceParameters(REGION, ids[0])),
                    StopInstanceRequest(StopInstanceParameters(REGION, ids[0])),
                    DeleteInstanceRequest(DeleteInstanceParameters(REGION, ids[1]))):
        response = bob.send(request)
        assert (response.error.code, response.error.status) == (404, "NOT_FOUND")
    assert alice.send(DescribeInstancesRequest(describe(("status", ["running"])))).result["totalCount"] == 2


# ---- the admin API in signed mode ----------------------------------------------------------------------


def test_admin_calls_need_a_signature_by_an_admin_key(fresh: ServerProcess) -> None:
    unsigned = admin(fresh, "POST", "/admin/settle", key=None)
    assert (unsigned["error"]["code"], unsigned["error"]["status"]) == (401, "UNAUTHENTICATED")
    assert admin(fresh, "GET", "/admin/world", key=None)["error"]["code"] == 401  # reads too: password digests
    alice = admin(fresh, "POST", "/admin/advance", {"seconds": 5}, key=("AK-ALICE", "sk-alice"))
    assert (alice["error"]["code"], alice["error"]["status"]) == (403, "PERMISSION_DENIED")
    assert admin(fresh, "POST", "/admin/advance", {"seconds": 5}, key=("AK-ADMIN", "wrong"))["error"]["code"] == 401
    assert "clock" in admin(fresh, "POST", "/admin/advance", {"seconds": 5})["result"]
    # the admin key has no account: it cannot call the API
    denied = client(fresh, "AK-ADMIN", "sk-admin").send(DescribeInstancesRequest(describe()))
    assert denied.error is not None and denied.error.code == 401


def raw(server: ServerProcess, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    reply = json.loads(response.read())
    connection.close()
    return response.status, reply


def test_admin_bodies_must_be_json_and_the_host_this_server(fresh: ServerProcess) -> None:
    body = json.dumps({"seconds": 1}).encode()
    headers = sdk_headers("POST", fresh.url + "/admin/advance", body, key=ADMIN_KEY)
    plain = {**headers, "Content-Type": "text/plain"}  # what a web page may send without a preflight
    status, reply = raw(fresh, "POST", "/admin/advance", body, plain)
    assert (status, reply["error"]["code"]) in {(401, 401), (415, 415)}  # the signature covers content-type
    unsigned = {"Content-Type": "text/plain"}
    assert raw(fresh, "POST", "/admin/advance", body, unsigned)[0] == 401
    rebound = {**headers, "Host": f"attacker.example:{fresh.port}"}  # DNS rebinding: the page's own name
    status, reply = raw(fresh, "POST", "/admin/advance", body, rebound)
    assert (status, reply["error"]["status"]) == (421, "INVALID_ARGUMENT")
    assert raw(fresh, "GET", f"/v1/regions/{REGION}/instances", b"", {"Host": "attacker.example"})[0] == 421


# ---- concurrency and persistence -------------------------------------------------------------------------


def world_with_instance_quota(path: Path, limit: int) -> str:
    snapshot = World.default().to_dict()
    for account in snapshot["accounts"]:
        if account["pin"] == "alice":
            for quota in account["quotas"]:
                if quota["resourceType"] == "instance":
                    quota["limit"] = limit
    path.write_text(json.dumps(snapshot))
    return str(path)


def test_eight_clients_never_pass_the_quota_nor_lose_an_update(keys_file: str, tmp_path: Path) -> None:
    world = world_with_instance_quota(tmp_path / "quota20.json", 20)
    accepted: list[str] = []
    refusals: list[tuple[int, str]] = []
    lock = threading.Lock()
    state = str(tmp_path / "state.db")  # writing the state log widens any race window: none may exist
    with ServerProcess(*serve_args(credentials=keys_file, world=world, state=state, task_seconds=0)) as server:
        start = threading.Barrier(8)

        def worker(n: int) -> None:
            sdk = client(server, "AK-ALICE")  # each thread its own client
            start.wait()
            for attempt in range(4):
                response = sdk.send(CreateInstancesRequest(create(small_spec(f"c{n}-{attempt}"))))
                with lock:
                    if response.error is None:
                        accepted.extend(response.result["instanceIds"])
                    else:
                        refusals.append((response.error.code, response.error.status))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        final = World.from_dict(admin(server, "GET", "/admin/world")["result"])
        listed = client(server, "AK-ALICE").send(DescribeInstancesRequest(describe(size=100))).result
        assert "Traceback" not in server.stderr_text()
    assert len(accepted) == len(set(accepted)) == 20
    assert refusals == [(429, "QUOTA_EXCEEDED")] * 12
    assert {i.instance_id for i in final.instances.values() if i.owner == "alice"} == set(accepted)
    assert listed["totalCount"] == 20


def test_a_killed_server_resumes_from_its_state_file(keys_file: str, tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    world = world_with_instance_quota(tmp_path / "roomy.json", 1000)
    args = serve_args(credentials=keys_file, world=world, state=state, task_seconds=0)
    accepted: list[str] = []
    lock = threading.Lock()
    with ServerProcess(*args) as server:
        assert Path(state).exists()  # created at start

        def worker(n: int) -> None:
            sdk = client(server, "AK-ALICE")
            for attempt in range(100):
                try:
                    response = sdk.send(CreateInstancesRequest(create(small_spec(f"r{n}-{attempt}"))))
                except requests.RequestException:
                    return  # the server is gone
                if response.error is not None:
                    return
                with lock:
                    accepted.extend(response.result["instanceIds"])

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while len(accepted) < 8 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # mid-run: the clients are still sending
        for thread in threads:
            thread.join(timeout=60)
    assert 8 <= len(accepted) < 400  # killed while the clients were still creating

    with ServerProcess(*args) as restarted:
        present = {i["instanceId"] for i in admin(restarted, "GET", "/admin/world")["result"]["instances"]}
        assert set(accepted) <= present  # nothing the clients were told was accepted is lost
        alice = client(restarted, "AK-ALICE")
        some = alice.send(DescribeInstancesRequest(describe(("instanceId", accepted[:50]), size=100))).result
        assert {i["instanceId"] for i in some["instances"]} == set(accepted[:50])
        after = alice.send(CreateInstancesRequest(create(small_spec("after")))).result["instanceIds"]
        assert not set(after) & present  # the id sequence resumed too
        assert "Traceback" not in restarted.stderr_text()
