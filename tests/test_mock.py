"""``vmrules.testing.mock_jdcloud``: the official SDK's VmClient answered in process, with no socket opened.

The shared scenario (tests/sdk_scenario.py) runs through the mock and through a real ``vmrules serve`` process;
the response bodies must be byte-identical (request ids aside, since the emulator also numbers its admin calls).
Then the handle: activation forms, the other JD Cloud services, user-named endpoints, task modes, time,
snapshots, accounts and signatures, the call log; and the pytest plugin in a pytest subprocess.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sdk_scenario
from jdcloud_sdk.core.config import Config
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.services.vm.apis.DescribeInstanceRequest import DescribeInstanceParameters, DescribeInstanceRequest
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import (
    DescribeInstancesParameters,
    DescribeInstancesRequest,
)
from jdcloud_sdk.services.vm.apis.StopInstanceRequest import StopInstanceParameters, StopInstanceRequest
from jdcloud_sdk.services.vm.client.VmClient import VmClient
from jdcloud_sdk.services.vpc.apis.DescribeVpcsRequest import DescribeVpcsParameters, DescribeVpcsRequest
from jdcloud_sdk.services.vpc.client.VpcClient import VpcClient
from sdk_scenario import REGION, instance_spec, params
from sdk_signing import Quiet

from vmrules import World
from vmrules.clock import MAX_CLOCK
from vmrules.server.process import ServerProcess, serve_args
from vmrules.testing import MockJDCloud, UnmockedRequest, mock_jdcloud

ROOT = Path(__file__).resolve().parent.parent


class SocketOpened(AssertionError):
    pass


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, ...]]]:
    """Fails the test if anything creates a socket or connects while it runs."""
    opened: list[tuple[Any, ...]] = []

    class Guard(socket.socket):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            opened.append(args)
            raise SocketOpened(f"a socket was opened during the test: {args}")

    def no_connection(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        raise SocketOpened(f"a connection was attempted during the test: {args}")

    monkeypatch.setattr(socket, "socket", Guard)
    monkeypatch.setattr(socket, "create_connection", no_connection)
    yield opened
    assert opened == []


def vm_client(access_key: str = "AK", secret: str = "SK", endpoint: str | None = None) -> Any:
    config = Config(endpoint) if endpoint else None
    return VmClient(Credential(access_key, secret), config, Quiet())


def without_request_ids(bodies: list[bytes]) -> list[bytes]:
    return [re.sub(rb'"requestId": "[^"]*"', b'"requestId": ""', body) for body in bodies]


# ---- the SDK through the mock ---------------------------------------------------------------------------


def test_the_sdk_runs_21_operations_through_the_mock_without_a_socket(no_sockets: list[Any]) -> None:
    with mock_jdcloud() as mock:
        steps = sdk_scenario.run(vm_client(), mock.settle)
    operations = {call.operation for call in mock.calls if call.operation}
    assert len(operations) >= 15, operations
    errors = [step for step in steps if step[0] == "error"]
    assert errors[0][:3] == ["error", 400, "FAILED_PRECONDITION"]  # stop while pending
    assert ["error", 400, "INVALID_ARGUMENT", "pageSize is 2; allowed 10 to 100"] in errors
    assert [e[:3] for e in errors if e[1] == 404] == [["error", 404, "NOT_FOUND"]]
    assert errors[-1][:3] == ["error", 501, "NOT_IMPLEMENTED"]
    ok = [step[1] for step in steps if step[0] == "ok"]
    first_page, second_page, filtered = ok[2], ok[3], ok[4]
    assert (len(first_page["instances"]), first_page["totalCount"]) == (10, 12)
    assert (len(second_page["instances"]), second_page["totalCount"]) == (2, 12)
    assert len(filtered["instances"]) == 2
    refused = [call for call in mock.calls if call.outcome is not None and not call.ok]
    assert len(refused) == 3 and all(call.rule for call in refused)  # the 501 never reaches the engine
    assert no_sockets == []


def test_the_same_scenario_through_the_mock_and_vmrules_serve_is_byte_identical(tmp_path: Path) -> None:
    with mock_jdcloud() as mock:
        in_process = sdk_scenario.run(vm_client(), mock.settle)
    mocked_bodies = [call.response.encode() for call in mock.calls]

    served_bodies: list[bytes] = []
    import jdcloud_sdk.core.jdcloudclient as sdk_client

    real = sdk_client.requests

    class Recording:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def request(self, *args: Any, **kwargs: Any) -> Any:
            response = real.request(*args, **kwargs)
            served_bodies.append(response.content)
            return response

    with ServerProcess(*serve_args(frozen_clock=True, task_seconds=1e9)) as server:
        def settle() -> None:
            request = urllib.request.Request(server.url + "/admin/settle", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 200

        sdk_client.requests = Recording()
        try:
            over_http = sdk_scenario.run(VmClient(Credential("AK", "SK"),
                                                  Config(endpoint=server.endpoint, scheme="http", timeout=30),
                                                  Quiet()), settle)
        finally:
            sdk_client.requests = real
        assert "Traceback" not in server.stderr_text()
    assert over_http == in_process
    assert len(served_bodies) == len(mocked_bodies)
    assert without_request_ids(served_bodies) == without_request_ids(mocked_bodies)


# ---- activation ---------------------------------------------------------------------------------------


def test_start_and_stop_install_and_remove_the_interception() -> None:
    import jdcloud_sdk.core.jdcloudclient as sdk_client

    real = sdk_client.requests
    mock = mock_jdcloud().start()
    try:
        assert sdk_client.requests is not real and mock.active
        assert vm_client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION))).error is None
    finally:
        mock.stop()
    assert sdk_client.requests is real and not mock.active


def test_a_second_mock_cannot_start_while_one_is_active() -> None:
    with mock_jdcloud():
        with pytest.raises(RuntimeError, match="already active"):
            mock_jdcloud().start()
        assert vm_client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION))).error is None


@mock_jdcloud()
def test_as_a_function_decorator(no_sockets: list[Any]) -> None:
    response = vm_client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION)))
    assert response.error is None and response.result["totalCount"] == 0


@mock_jdcloud()
class TestAsAClassDecorator:
    def test_each_method_is_mocked(self, no_sockets: list[Any]) -> None:
        created = vm_client().send(_create(1))
        assert created.error is None

    def test_and_starts_from_a_fresh_world(self, no_sockets: list[Any]) -> None:
        response = vm_client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION)))
        assert response.result["totalCount"] == 0


def _create(count: int) -> Any:
    from jdcloud_sdk.services.vm.apis.CreateInstancesRequest import CreateInstancesParameters, CreateInstancesRequest

    return CreateInstancesRequest(params(CreateInstancesParameters, REGION, instance_spec("t"), maxCount=count))


def test_a_user_named_endpoint_is_answered_too(no_sockets: list[Any]) -> None:
    with mock_jdcloud() as mock:
        response = vm_client(endpoint="vm.internal.example:8443").send(
            DescribeInstancesRequest(DescribeInstancesParameters(REGION)))
    assert response.error is None
    assert mock.calls[0].request.headers["host"] == "vm.internal.example:8443"


def test_another_jd_cloud_service_fails_loudly_naming_the_url(no_sockets: list[Any]) -> None:
    client = VpcClient(Credential("AK", "SK"), None, Quiet())
    with mock_jdcloud(), pytest.raises(UnmockedRequest, match=r"https://vpc\.jdcloud-api\.com/v1/regions/"):
        client.send(DescribeVpcsRequest(DescribeVpcsParameters(REGION)))


# ---- tasks and time -----------------------------------------------------------------------------------


def _status(client: Any, instance_id: str) -> str:
    response = client.send(DescribeInstanceRequest(DescribeInstanceParameters(REGION, instance_id)))
    return str(response.result["instance"]["status"])


def test_tasks_wait_for_settle_by_default() -> None:
    with mock_jdcloud() as mock:
        client = vm_client()
        instance_id = client.send(_create(1)).result["instanceIds"][0]
        assert [_status(client, instance_id) for _ in range(3)] == ["pending"] * 3
        mock.settle()
        assert _status(client, instance_id) == "running"


def test_tasks_can_complete_after_n_describes() -> None:
    with mock_jdcloud(complete_after_describes=2) as mock:
        client = vm_client()
        instance_id = client.send(_create(1)).result["instanceIds"][0]
        assert [_status(client, instance_id) for _ in range(3)] == ["pending", "pending", "running"]
        client.send(StopInstanceRequest(StopInstanceParameters(REGION, instance_id)))
        assert [_status(client, instance_id) for _ in range(3)] == ["stopping", "stopping", "stopped"]
        assert not mock.world.tasks


def test_tasks_can_complete_after_n_seconds_of_the_given_clock() -> None:
    now = [1000.0]
    with mock_jdcloud(complete_after_seconds=30, clock=lambda: now[0]) as mock:
        client = vm_client()
        instance_id = client.send(_create(1)).result["instanceIds"][0]
        now[0] += 29
        assert _status(client, instance_id) == "pending"
        now[0] += 1
        assert _status(client, instance_id) == "running"
        assert mock.world.clock >= 30


def test_a_clock_far_ahead_stops_the_world_at_the_latest_clock() -> None:
    now = [1000.0]
    with mock_jdcloud(complete_after_seconds=30, clock=lambda: now[0]) as mock:
        client = vm_client()
        client.send(_create(1))
        now[0] += 1e13  # past what the world's clock may show: it stops at MAX_CLOCK, and requests are answered
        assert client.send(_create(1)).error is None
        assert mock.world.clock == MAX_CLOCK


def test_advance_moves_the_worlds_clock_only() -> None:
    with mock_jdcloud() as mock:
        vm_client().send(_create(1))
        before = mock.world.clock
        mock.advance(3600)
        assert mock.world.clock == before + 3600
        assert mock.world.tasks  # still pending: completing is settle()'s job


def test_load_takes_a_world_or_a_snapshot(no_sockets: list[Any]) -> None:
    world = World.default()
    with mock_jdcloud() as mock:
        instance_id = vm_client().send(_create(1)).result["instanceIds"][0]
        snapshot = mock.settle().to_dict()
        mock.load(world)
        assert vm_client().send(DescribeInstancesRequest(DescribeInstancesParameters(REGION))).result[
            "totalCount"] == 0
        mock.load(snapshot)
        assert _status(vm_client(), instance_id) == "running"


# ---- accounts and signatures --------------------------------------------------------------------------


def test_accounts_map_keys_to_pins_and_secrets_are_checked() -> None:
    with mock_jdcloud(accounts={"AK-ALICE": ("sk-alice", "alice"), "AK-BOB": "bob"}) as mock:
        alice = vm_client("AK-ALICE", "sk-alice")
        created = alice.send(_create(1))
        assert created.error is None
        instance_id = created.result["instanceIds"][0]
        assert mock.world.instances[instance_id].owner == "alice"
        wrong = vm_client("AK-ALICE", "not-the-secret").send(DescribeInstancesRequest(
            DescribeInstancesParameters(REGION)))
        assert (wrong.error.code, wrong.error.status) == (401, "UNAUTHENTICATED")
        bob = vm_client("AK-BOB", "any secret").send(DescribeInstanceRequest(
            DescribeInstanceParameters(REGION, instance_id)))
        assert (bob.error.code, bob.error.status) == (404, "NOT_FOUND")  # alice's instance is not bob's
        stranger = vm_client("AK-NOBODY").send(DescribeInstancesRequest(DescribeInstancesParameters(REGION)))
        assert stranger.error.code == 401


def test_calls_record_request_operation_outcome_and_rule() -> None:
    with mock_jdcloud() as mock:
        client = vm_client()
        instance_id = client.send(_create(1)).result["instanceIds"][0]
        client.send(StopInstanceRequest(StopInstanceParameters(REGION, instance_id)))
    create, stop = mock.calls
    assert (create.operation, create.ok, create.rule) == ("createInstances", True, None)
    assert create.request.method == "POST" and create.request.path == f"/v1/regions/{REGION}/instances"
    assert stop.operation == "stopInstance" and not stop.ok
    assert stop.outcome is not None and stop.outcome.error is not None
    assert stop.rule == stop.outcome.error.rule and stop.rule


def test_a_handle_is_a_mock_jdcloud() -> None:
    assert isinstance(mock_jdcloud(), MockJDCloud)
    with pytest.raises(ValueError):
        mock_jdcloud(complete_after_describes=1, complete_after_seconds=1)


# ---- the pytest plugin --------------------------------------------------------------------------------


def test_the_plugin_imports_nothing_heavy() -> None:
    code = ("import sys, pytest_vmrules; print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('vmrules', 'jdcloud_sdk', 'requests', 'pydantic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, check=True)
    assert out.stdout.strip() == "[]"


PLUGIN_TESTS = '''
import json, urllib.request
import pytest
from jdcloud_sdk.core.config import Config
from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.services.vm.apis.DescribeInstancesRequest import DescribeInstancesParameters, DescribeInstancesRequest
from jdcloud_sdk.services.vm.client.VmClient import VmClient

def describe(config=None):
    request = DescribeInstancesRequest(DescribeInstancesParameters("cn-north-1"))
    return VmClient(Credential("AK", "SK"), config).send(request)

def test_world(jdcloud_world):
    assert not jdcloud_world.tasks

@pytest.mark.jdcloud_world("snapshot.json")
def test_world_from_a_snapshot(jdcloud_world):
    assert jdcloud_world.to_dict()["clock"] == "2027-01-01T00:00:00Z"

def test_mock(jdcloud_mock):
    assert describe().result["totalCount"] == 0 and jdcloud_mock.calls[0].operation == "describeInstances"

@pytest.mark.jdcloud_mock(complete_after_describes=1)
def test_mock_options(jdcloud_mock):
    assert jdcloud_mock.complete_after_describes == 1

def test_server(vmrules_server):
    assert describe(Config(endpoint=vmrules_server.endpoint, scheme="http")).result["totalCount"] == 0
'''


def test_the_plugin_fixtures_in_a_pytest_run(tmp_path: Path) -> None:
    (tmp_path / "test_plugin_user.py").write_text(PLUGIN_TESTS, encoding="utf-8")
    (tmp_path / "snapshot.json").write_text(json.dumps({**World.default().to_dict(), "clock": "2027-01-01T00:00:00Z"}))
    env = {"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "pytest_vmrules", "-p", "no:cacheprovider",
                          "test_plugin_user.py"], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "5 passed" in run.stdout


def test_the_example_in_docs_mocking_md_runs(no_sockets: list[Any]) -> None:
    text = (ROOT / "docs" / "mocking.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", text, re.S)
    assert example is not None and len(example[1].strip().splitlines()) <= 10
    namespace: dict[str, Any] = {}
    exec(compile(example[1], "docs/mocking.md", "exec"), namespace)
    namespace["test_no_instances_yet"]()
