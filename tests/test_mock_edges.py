"""``mock_jdcloud`` at its edges (docs/mocking.md): the Host header the SDK's ``requests`` would send, the
signature date's allowed skew on the wall clock, request ids, the describe count of a preloaded or loaded world,
the forms of ``accounts``, the class decorator, the User-Agent that names the VM client and the HTTP reason."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import inspect
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from jdcloud_sdk.core.config import Config
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.core.signer import Signer
from jdcloud_sdk.services.vm.apis.DescribeInstanceRequest import DescribeInstanceParameters, DescribeInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import (
    DescribeInstancesParameters,
    DescribeInstancesRequest,
)
from jdcloud_sdk.services.vm.client.VmClient import VmClient
from sdk_scenario import REGION
from sdk_signing import Quiet

from vmrules import World, execute
from vmrules.testing import MockJDCloud, UnmockedRequest, mock_jdcloud

mock_module = importlib.import_module("vmrules.testing.mock")
SPEC = {"name": "edge", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}}}


def client(endpoint: str = "vm.jdcloud-api.com", scheme: str = "https") -> Any:
    return VmClient(Credential("AK", "SK"), Config(endpoint, scheme), Quiet())


def describe_all() -> Any:
    return DescribeInstancesRequest(DescribeInstancesParameters(REGION))


def a_world_with_a_pending_instance() -> tuple[World, str]:
    created = execute(World.default(), "createInstances", {"regionId": REGION, "instanceSpec": SPEC})
    assert created.ok
    return created.world, created.result["instanceIds"][0]


def status_of(instance_id: str) -> str:
    response = client().send(DescribeInstanceRequest(DescribeInstanceParameters(REGION, instance_id)))
    return str(response.result["instance"]["status"])


# ---- the Host header ------------------------------------------------------------------------------------


def test_an_endpoint_with_a_trailing_slash_reaches_the_api_as_vmrules_serve_reads_it() -> None:
    # the SDK sends //v1/...; Python's http.server, under vmrules serve, reads it as /v1/... (unsigned here)
    with mock_jdcloud() as mock:
        response = client("vm.jdcloud-api.com/").send(describe_all())
    assert response.error is None and mock.calls[0].request.path == "/v1/regions/cn-north-1/instances"


@pytest.mark.parametrize(("endpoint", "scheme", "host"), [
    ("vm.example:8443", "https", "vm.example:8443"),
    ("[::1]:8080", "http", "[::1]:8080"),  # an IPv6 address keeps its brackets
])
def test_the_host_header_is_the_endpoint_the_sdk_signed_when_it_names_another_port(
        endpoint: str, scheme: str, host: str) -> None:
    with mock_jdcloud(accounts={"AK": ("SK", "alice")}) as mock:  # the HMAC is checked, over the host too
        response = client(endpoint, scheme).send(describe_all())
    assert response.error is None
    assert mock.calls[0].request.headers["host"] == host


@pytest.mark.parametrize(("endpoint", "scheme", "host"), [
    ("vm.example:443", "https", "vm.example"),
    ("vm.example:80", "http", "vm.example"),
    ("VM.Example", "https", "vm.example"),
    ("[::1]:443", "https", "[::1]"),
    ("vm.example:443", "http", "vm.example:443"),  # 443 is only https's default port
    ("vm.example:80", "https", "vm.example:80"),
])
def test_the_host_header_leaves_out_only_the_schemes_default_port_as_requests_does(
        endpoint: str, scheme: str, host: str) -> None:
    with mock_jdcloud() as mock:
        client(endpoint, scheme).send(describe_all())
    assert mock.calls[0].request.headers["host"] == host


@pytest.mark.parametrize(("endpoint", "scheme"), [("vm.example:443", "http"), ("vm.example:80", "https")])
def test_the_sdk_signing_a_host_without_the_port_requests_sends_is_refused_as_vmrules_serve_refuses_it(
        endpoint: str, scheme: str) -> None:
    # The SDK's signer drops a port 80 or 443 whatever the scheme; requests sends it unless it is the scheme's
    # default. A server checking the Host header it received, such as vmrules serve, finds another host signed.
    with mock_jdcloud(accounts={"AK": ("SK", "alice")}):
        response = client(endpoint, scheme).send(describe_all())
    assert (response.error.code, response.error.message) == (401, "the signature does not match the request")


# ---- the signature's clock --------------------------------------------------------------------------------


def test_the_signature_date_may_be_900_seconds_from_the_wall_clock_whatever_the_task_clock(
        monkeypatch: pytest.MonkeyPatch) -> None:
    signed_at = dt.datetime(2026, 1, 1, 12, 0, 0)
    monkeypatch.setattr(Signer, "_Signer__now", lambda self: signed_at)
    wall = [0.0]
    monkeypatch.setattr(mock_module, "time", SimpleNamespace(time=lambda: wall[0]))  # the mock's wall clock
    base = signed_at.replace(tzinfo=dt.UTC).timestamp()
    codes = []
    with mock_jdcloud(complete_after_seconds=5, clock=lambda: 1000.0):  # a task clock far from the wall clock
        for offset in (900, -900, 901, -901):
            wall[0] = base + offset
            response = client().send(describe_all())
            codes.append(None if response.error is None else response.error.code)
    assert codes == [None, None, 401, 401]


# ---- the handle ------------------------------------------------------------------------------------------


def test_request_ids_number_a_mocks_requests_from_one() -> None:
    with mock_jdcloud() as mock:
        first, second = client().send(describe_all()), client().send(describe_all())
    assert (first.request_id, second.request_id) == ("vmrules-0000000001", "vmrules-0000000002")
    assert [call.response.body["requestId"] for call in mock.calls] == [first.request_id, second.request_id]


def test_a_preloaded_worlds_tasks_complete_after_the_nth_describe() -> None:
    world, instance_id = a_world_with_a_pending_instance()
    with mock_jdcloud(world, complete_after_describes=2):
        assert [status_of(instance_id) for _ in range(3)] == ["pending", "pending", "running"]


def test_loading_a_world_starts_the_describe_count_again() -> None:
    world, instance_id = a_world_with_a_pending_instance()
    with mock_jdcloud(complete_after_describes=2) as mock:
        mock.load(world)
        assert status_of(instance_id) == "pending"  # one describe counted
        mock.load(world)
        assert [status_of(instance_id) for _ in range(3)] == ["pending", "pending", "running"]


@pytest.mark.parametrize("entry", [("sk", "alice", "x"), ("sk",), ("sk", 1), ["sk", "alice"], 7])
def test_an_account_is_a_pin_or_a_secret_and_pin_pair(entry: object) -> None:
    with pytest.raises(TypeError, match=r"must be a pin or a \(secret key, pin\) pair"):
        MockJDCloud().accounts({"AK": entry})


def test_a_decorated_class_wraps_its_test_methods_only() -> None:
    class Suite:
        test_value = 3

        def helper(self) -> str:
            return "helper"

        def test_active(self) -> bool:
            return isinstance(importlib.import_module(mock_module.SDK_CLIENT_MODULE).requests,
                              mock_module._Transport)

    helper = vars(Suite)["helper"]
    decorated = mock_jdcloud()(Suite)
    assert decorated is Suite
    assert vars(Suite)["helper"] is helper and Suite.test_value == 3
    assert Suite().test_active()
    assert not Suite.test_active.__wrapped__(Suite())  # type: ignore[attr-defined]


def _mocked() -> bool:
    return isinstance(importlib.import_module(mock_module.SDK_CLIENT_MODULE).requests, mock_module._Transport)


def test_a_decorated_class_wraps_inherited_static_and_class_test_methods_too() -> None:
    class Base:
        def test_inherited(self) -> bool:
            return _mocked()

    @mock_jdcloud()
    class Suite(Base):
        @staticmethod
        def test_static() -> bool:
            return _mocked()

        @classmethod
        def test_class(cls) -> bool:
            return _mocked() and cls is Suite

    assert Suite().test_inherited() and Suite.test_static() and Suite().test_static() and Suite.test_class()
    assert not Base().test_inherited()  # the base class itself is left alone
    assert not _mocked()


def test_a_class_decorated_below_a_decorated_base_runs_one_mock_its_own() -> None:
    @mock_jdcloud()
    class Base:
        def test_count(self) -> int:
            return int(client().send(describe_all()).result["totalCount"])

    world, _ = a_world_with_a_pending_instance()

    @mock_jdcloud(world)
    class Suite(Base):
        pass

    assert Base().test_count() == 0 and Suite().test_count() == 1


def test_a_decorated_coroutine_function_is_mocked_while_its_coroutine_runs() -> None:
    @mock_jdcloud()
    async def probe() -> bool:
        await asyncio.sleep(0)
        return _mocked()

    assert inspect.iscoroutinefunction(probe)
    assert asyncio.run(probe()) and not _mocked()


def test_a_decorated_generator_function_is_mocked_while_it_runs() -> None:
    @mock_jdcloud()
    def probe() -> Iterator[bool]:
        yield _mocked()
        yield _mocked()

    assert list(probe()) == [True, True] and not _mocked()


def test_a_mock_refused_because_another_is_active_installs_nothing_and_stops_quietly() -> None:
    import jdcloud_sdk.core.jdcloudclient as sdk_client

    real = sdk_client.requests
    first, second = mock_jdcloud(), mock_jdcloud()
    first.start()
    with pytest.raises(RuntimeError, match="already active"):
        second.start()
    assert first.active and not second.active
    first.stop()
    second.stop()
    assert sdk_client.requests is real
    with mock_jdcloud():  # and a mock can start again
        assert _mocked()


def test_loading_a_world_under_wall_clock_tasks_counts_time_from_the_load() -> None:
    now = [1000.0]
    world, instance_id = a_world_with_a_pending_instance()
    with mock_jdcloud(complete_after_seconds=60, clock=lambda: now[0]) as mock:
        now[0] += 7200  # two hours before the world is loaded: they are not the loaded world's
        mock.load(world)
        assert status_of(instance_id) == "pending" and mock.world.clock == world.clock
        now[0] += 60
        assert status_of(instance_id) == "running"


# ---- the transport ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["vm.example:99999", "vm.example:abc", ""])
def test_an_endpoint_requests_cannot_send_to_fails_as_requests_fails(endpoint: str) -> None:
    with mock_jdcloud(), pytest.raises(requests.exceptions.InvalidURL):
        client(endpoint).send(describe_all())


def test_a_header_requests_refuses_is_refused_as_requests_refuses_it() -> None:
    with mock_jdcloud(), pytest.raises(requests.exceptions.InvalidHeader):
        padded = {"x-jdcloud-mfa": " padded"}
        client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION), header=padded))


def test_the_path_is_read_as_requests_encodes_it() -> None:
    with mock_jdcloud() as mock:
        client().send(DescribeInstanceRequest(DescribeInstanceParameters(REGION, "i-a\tb")))
    assert mock.calls[0].request.path == f"/v1/regions/{REGION}/instances/i-a%09b"


def test_only_a_user_agent_naming_vm_as_its_second_word_is_answered() -> None:
    vm_client = client()
    request = describe_all()
    with mock_jdcloud() as mock:
        request.header = {"User-Agent": "my-tool/1.0 vm/2.0"}
        assert vm_client.send(request).error is None
        for agent in ("my-tool/1.0", "my-tool/1.0 vpc/1.0", ""):
            request.header = {"User-Agent": agent}
            with pytest.raises(UnmockedRequest):
                vm_client.send(request)
    assert len(mock.calls) == 1


@pytest.mark.parametrize(("path", "status", "reason"), [
    (f"/v1/regions/{REGION}/instances", 401, "Unauthorized"),  # not signed
    ("/v1/nowhere", 404, "Not Found"),
])
def test_the_response_carries_the_http_reason_a_server_sends(path: str, status: int, reason: str) -> None:
    sdk_requests = importlib.import_module(mock_module.SDK_CLIENT_MODULE).requests
    with mock_jdcloud():
        transport = importlib.import_module(mock_module.SDK_CLIENT_MODULE).requests
        response = transport.request("GET", f"https://vm.jdcloud-api.com{path}",
                                     headers={"User-Agent": "JdcloudSdkPython/1 vm/1"})
    assert transport is not sdk_requests
    assert (response.status_code, response.reason) == (status, reason)
    with pytest.raises(requests.HTTPError, match=f"{status} Client Error: {reason}"):
        response.raise_for_status()
    with mock_jdcloud():
        signed = client().send(describe_all())
    assert signed.error is None
