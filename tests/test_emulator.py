"""The emulator in process, through ``Emulator.handle``: time and tasks (an injected clock), the admin
endpoints, persistence, signatures and callers, the wire format and bad input. What only a socket can get wrong
is in test_server.py, and the SDK-driven tests are in test_server_sdk.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_signing import lowered, sdk_headers

from vmrules import World
from vmrules.builders import add_instances
from vmrules.clock import MAX_CLOCK
from vmrules.server import Credentials, Emulator
from vmrules.server.app import MAX_BODY_BYTES, Response, StreamedResponse, admin_body_limit, body_limit
from vmrules.server.store import Store

REGION = "cn-north-1"
INSTANCES = f"/v1/regions/{REGION}/instances"
SPEC = {
    "regionId": REGION,
    "instanceSpec": {
        "name": "t", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
    },
}

BOB_NIC = {"networkInterface": {"subnetId": "subnet-bobnet001a"}}
BOB_SPEC = {**SPEC, "instanceSpec": {**SPEC["instanceSpec"], "primaryNetworkInterface": BOB_NIC}}  # type: ignore[dict-item]


class Clock:
    """An injected wall clock."""

    def __init__(self, at: float = 1_767_225_600.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def emulator(clock: Clock | None = None, **kwargs: Any) -> Emulator:
    kwargs.setdefault("auth", False)
    return Emulator(World.default(), now=clock or Clock(), **kwargs)


def call(emu: Emulator, method: str, path: str, body: Any = None, query: str = "",
         headers: dict[str, str] | None = None) -> Response | StreamedResponse:
    raw = body if isinstance(body, bytes) else b"" if body is None else json.dumps(body).encode()
    return emu.handle(method, path, query, {"content-type": "application/json"} if headers is None else headers,
                      raw)


def error(response: Response | StreamedResponse) -> tuple[int, str]:
    assert set(response.body) == {"requestId", "error"}, response.body
    assert response.body["error"]["code"] == response.status
    return response.status, response.body["error"]["status"]


def status_of(emu: Emulator, instance_id: str) -> str:
    response = call(emu, "GET", f"{INSTANCES}/{instance_id}")
    assert response.status == 200, response.body
    return str(response.body["result"]["instance"]["status"])


def create(emu: Emulator) -> str:
    response = call(emu, "POST", INSTANCES, SPEC)
    assert response.status == 200, response.body
    return str(response.body["result"]["instanceIds"][0])


# ---- time and tasks --------------------------------------------------------------------------------------------


def test_tasks_complete_after_task_seconds_of_wall_time() -> None:
    clock = Clock()
    emu = emulator(clock, task_seconds=5)
    iid = create(emu)
    assert status_of(emu, iid) == "pending"
    clock.at += 4.9
    assert status_of(emu, iid) == "pending"
    clock.at += 0.1
    assert status_of(emu, iid) == "running"
    assert call(emu, "POST", f"{INSTANCES}/{iid}:stopInstance", {}).status == 200
    clock.at += 3
    assert status_of(emu, iid) == "stopping"
    clock.at += 2
    assert status_of(emu, iid) == "stopped"


def test_with_no_task_seconds_tasks_complete_before_the_response() -> None:
    emu = emulator(task_seconds=0)
    iid = create(emu)
    assert status_of(emu, iid) == "running"
    assert not emu.world.tasks


def test_fractional_task_seconds_round_up_to_the_worlds_whole_seconds() -> None:
    clock = Clock()
    emu = emulator(clock, task_seconds=2.5)
    iid = create(emu)
    clock.at += 2.5
    assert status_of(emu, iid) == "pending"
    clock.at += 0.5
    assert status_of(emu, iid) == "running"


def test_the_worlds_clock_follows_wall_time() -> None:
    clock = Clock()
    emu = emulator(clock)
    start = emu.world.clock
    clock.at += 90.75
    assert call(emu, "GET", INSTANCES).status == 200
    assert emu.world.clock == start + 90
    clock.at += 0.25  # the fractions are carried, not lost
    call(emu, "GET", INSTANCES)
    assert emu.world.clock == start + 91
    clock.at -= 1000  # a wall clock stepping back does not move the world back
    call(emu, "GET", INSTANCES)
    assert emu.world.clock == start + 91


def test_a_frozen_clock_moves_only_by_admin_advance() -> None:
    clock = Clock()
    emu = emulator(clock, task_seconds=10, frozen_clock=True)
    start = emu.world.clock
    iid = create(emu)
    clock.at += 3600
    assert status_of(emu, iid) == "pending"
    assert emu.world.clock == start
    moved = call(emu, "POST", "/admin/advance", {"seconds": 9})
    assert moved.status == 200 and moved.body["result"]["clock"] == "2026-01-01T00:00:09Z"
    assert status_of(emu, iid) == "pending"
    call(emu, "POST", "/admin/advance", {"seconds": 1})
    assert status_of(emu, iid) == "running"
    for bad in ({"seconds": -1}, {"seconds": 1.5}, {"seconds": True}, {}, [], b"{", None):
        assert error(call(emu, "POST", "/admin/advance", bad)) == (400, "INVALID_ARGUMENT")


def test_admin_advance_stops_at_the_latest_clock() -> None:
    clock = Clock()
    emu = emulator(clock, frozen_clock=True)
    room = MAX_CLOCK - emu.world.clock
    past = call(emu, "POST", "/admin/advance", {"seconds": room + 1})
    assert error(past) == (400, "INVALID_ARGUMENT") and "9990-01-01T00:00:00Z" in past.body["error"]["message"]
    assert call(emu, "POST", "/admin/advance", {"seconds": room}).body["result"]["clock"] == "9990-01-01T00:00:00Z"
    iid = create(emu)  # its times, 3 years ahead at most, still show
    assert call(emu, "GET", INSTANCES).status == 200 and iid
    assert error(call(emu, "POST", "/admin/advance", {"seconds": 1})) == (400, "INVALID_ARGUMENT")
    # A clock that follows wall time stops there too: a request a day later is answered.
    following = emulator(clock)
    call(following, "POST", "/admin/advance", {"seconds": MAX_CLOCK - following.world.clock})
    clock.at += 86400
    assert call(following, "GET", INSTANCES).status == 200 and following.world.clock == MAX_CLOCK


# ---- admin endpoints ----------------------------------------------------------------------------------------


def test_admin_world_reads_and_loads_snapshots() -> None:
    emu = emulator(task_seconds=10**6)
    iid = create(emu)
    snapshot = call(emu, "GET", "/admin/world").body["result"]
    assert World.from_dict(snapshot) == emu.world
    assert iid in {i["instanceId"] for i in snapshot["instances"]}
    assert call(emu, "PUT", "/admin/world", World.default().to_dict()).status == 200
    assert emu.world == World.default()
    assert call(emu, "POST", "/admin/world", snapshot).status == 200  # POST works as PUT
    assert emu.world == World.from_dict(snapshot)
    bad = call(emu, "PUT", "/admin/world", {"instances": "many"})
    assert error(bad) == (400, "INVALID_ARGUMENT") and "snapshot" in bad.body["error"]["message"]
    assert error(call(emu, "PUT", "/admin/world", b"[[[")) == (400, "INVALID_ARGUMENT")
    assert emu.world == World.from_dict(snapshot)  # a bad snapshot changes nothing


def test_admin_advance_takes_0_up_to_2_to_the_40_seconds() -> None:
    emu = emulator(frozen_clock=True)
    start = emu.world.clock
    assert call(emu, "POST", "/admin/advance", {"seconds": 0}).status == 200 and emu.world.clock == start
    past_the_clock = call(emu, "POST", "/admin/advance", {"seconds": 1 << 40})  # a number, but past 9990
    assert error(past_the_clock) == (400, "INVALID_ARGUMENT") and "9990" in past_the_clock.body["error"]["message"]
    too_big = call(emu, "POST", "/admin/advance", {"seconds": (1 << 40) + 1})
    assert error(too_big) == (400, "INVALID_ARGUMENT") and "whole number" in too_big.body["error"]["message"]


def test_a_world_put_with_a_store_is_the_world_a_restart_loads(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    emu = emulator(store=store)
    _, bigger = add_instances(World.default(), 3, owner="alice")
    assert call(emu, "PUT", "/admin/world", bigger.to_dict()).status == 200
    reopened = Store.open(tmp_path / "state.db", World.default())
    assert reopened.load() == bigger == emu.world
    reopened.close()
    store.close()


@pytest.mark.rule("REQUEST.UNREADABLE")
def test_a_lone_surrogate_in_a_body_is_refused_and_the_store_keeps_working(tmp_path: Path) -> None:
    """JSON's \\ud800 escape decodes to a lone surrogate, which UTF-8 cannot hold: it was stored, and the log
    entry could not be written (500 INTERNAL)."""
    store = Store.open(tmp_path / "state.db", World.default())
    emu = emulator(store=store)
    iid = create(emu)
    path = f"{INSTANCES}/{iid}:modifyInstanceAttribute"
    refused = call(emu, "POST", path, b'{"description": "ok \\ud800"}')
    assert error(refused) == (400, "INVALID_ARGUMENT") and "lone surrogate" in refused.body["error"]["message"]
    assert call(emu, "POST", path, {"description": "中文 ok"}).status == 200
    store.close()
    reopened = Store.open(tmp_path / "state.db", World.default())
    assert reopened.load() == emu.world
    reopened.close()


def test_admin_settle_completes_every_task() -> None:
    emu = emulator(task_seconds=10**6)
    iid = create(emu)
    assert status_of(emu, iid) == "pending"
    assert call(emu, "POST", "/admin/settle").status == 200
    assert status_of(emu, iid) == "running" and not emu.world.tasks


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("GET", "/admin/nothing", (404, "NOT_FOUND")),
    ("GET", "/admin/settle", (405, "METHOD_NOT_ALLOWED")),
    ("DELETE", "/admin/world", (405, "METHOD_NOT_ALLOWED")),
])
def test_unknown_admin_requests(method: str, path: str, expected: tuple[int, str]) -> None:
    assert error(call(emulator(), method, path)) == expected


def test_body_limits_are_the_documented_ones_and_hold_at_their_edge() -> None:
    # docs/emulator.md: "a body over 1 MiB (512 MiB for PUT /admin/world, 64 KiB for the other admin endpoints)"
    assert body_limit(INSTANCES) == MAX_BODY_BYTES == 1 << 20
    assert body_limit("/admin/world") == admin_body_limit("/admin/world") == 512 << 20
    assert body_limit("/admin/settle") == body_limit("/admin/advance") == 64 << 10
    emu = emulator()
    assert call(emu, "POST", "/admin/settle", b" " * (64 << 10)).status == 200
    assert error(call(emu, "POST", "/admin/settle", b" " * ((64 << 10) + 1))) == (413, "INVALID_ARGUMENT")
    moved = call(emu, "POST", "/admin/advance", b'{"seconds": 1}' + b" " * ((64 << 10) - 14))
    assert moved.status == 200


def test_a_credentials_file_names_secrets_pins_and_admin_keys(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"AK1": {"secretKey": "s1", "pin": "alice"},
                                "AK2": {"secretKey": "s2", "pin": "bob", "admin": False},
                                "ADMIN": {"secretKey": "s3", "admin": True}}))
    loaded = Credentials.load(path)
    assert loaded.keys == {"AK1": ("s1", "alice"), "AK2": ("s2", "bob"), "ADMIN": ("s3", "")}
    assert loaded.admin == frozenset({"ADMIN"})


@pytest.mark.parametrize("content", [
    [], {"AK": "secret"}, {"AK": {"pin": "alice"}}, {"AK": {"secretKey": 1, "pin": "alice"}},
    {"AK": {"secretKey": "s", "pin": "alice", "admin": "yes"}}, {"AK": {"secretKey": "s"}},
    {"AK": {"secretKey": "s", "admin": False}}, {"AK": {"secretKey": "s", "pin": 7}},
    {"AK": {"secretKey": "s", "pin": None, "admin": True}},
])
def test_a_credentials_file_of_another_shape_is_refused(tmp_path: Path, content: object) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match="credentials"):
        Credentials.load(path)


# ---- persistence ---------------------------------------------------------------------------------------------


def test_every_accepted_change_is_logged_before_the_response(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    emu = emulator(store=store)
    iid = create(emu)
    reopened = Store.open(tmp_path / "state.db", World.default())
    assert store.last_seq == 1 and reopened.load() == emu.world and iid in emu.world.instances
    reopened.close()
    assert error(call(emu, "POST", f"{INSTANCES}/i-none:stopInstance", {})) == (404, "NOT_FOUND")
    assert call(emu, "GET", INSTANCES).status == 200
    assert store.last_seq == 1  # refusals and reads change nothing, so nothing is logged
    store.close()


@pytest.mark.parametrize("strict", [True, False])
def test_a_refused_call_is_logged_as_only_what_its_arrival_changed(tmp_path: Path, strict: bool) -> None:
    # A request refused after its arrival completed a due task changed the world (the task), not by its call:
    # the log keeps the clock and the tasks, so a restart rebuilds this world even where replay, which is not
    # strict, would accept the call (here, serve --strict refusing a name stopInstance does not define).
    clock = Clock()
    store = Store.open(tmp_path / "state.db", World.default())
    emu = emulator(clock, task_seconds=5, store=store, strict=strict)
    iid = create(emu)
    clock.at += 5  # the create task is due: the next request completes it on arrival
    if strict:
        refused = call(emu, "POST", f"{INSTANCES}/{iid}:stopInstance", {"unknownName": 1})
    else:
        refused = call(emu, "POST", f"{INSTANCES}/i-nosuch:stopInstance", {})
    assert error(refused) == ((400, "INVALID_ARGUMENT") if strict else (404, "NOT_FOUND"))
    assert emu.world.instances[iid].status == "running"
    reopened = Store.open(tmp_path / "state.db", World.default())
    assert reopened.load() == emu.world
    assert [entry.kind for _, entry in reopened.entries(after=0)] == ["call", "sync"]
    reopened.close()
    store.close()


def test_a_log_that_cannot_be_written_refuses_the_change(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(tmp_path / "state.db", World.default())
    store._db.execute("PRAGMA query_only = ON")  # every write now fails, as on a full or read-only disk
    emu = emulator(store=store)
    response = call(emu, "POST", INSTANCES, SPEC)
    assert error(response) == (500, "INTERNAL")
    assert emu.world == World.default()  # not accepted, so not applied
    assert "internal error" in capsys.readouterr().err
    assert call(emu, "GET", INSTANCES).status == 200  # and the emulator keeps answering
    store.close()


# ---- signatures and callers ---------------------------------------------------------------------------------


def signed(method: str, path: str, body: bytes, secret: str, date: datetime, access_key: str = "AK") -> dict[str, str]:
    """Headers as the official SDK's signer writes them at ``date`` (lower-cased, as the HTTP shell passes them)."""
    headers = sdk_headers(method, f"http://127.0.0.1:9{path}", body, key=(access_key, secret), at=date,
                          headers={"x-jdcloud-date": date.strftime("%Y%m%dT%H%M%SZ")})
    return lowered(headers, "127.0.0.1:9")


def test_the_skew_window_is_measured_against_the_injected_clock() -> None:
    clock = Clock()
    now = datetime.fromtimestamp(clock.at, UTC)
    keys = Credentials({"AK": ("secret", "bob")})
    strict = emulator(clock, auth=True, credentials=keys, max_skew_seconds=60)
    lenient = emulator(clock, auth=True, credentials=keys, max_skew_seconds=900)
    body = json.dumps(BOB_SPEC).encode()
    early = signed("POST", INSTANCES, body, "secret", datetime.fromtimestamp(clock.at - 120, UTC))
    assert error(call(strict, "POST", INSTANCES, body, headers=early)) == (401, "UNAUTHENTICATED")
    accepted = call(lenient, "POST", INSTANCES, body, headers=early)
    assert accepted.status == 200
    owner = lenient.world.instances[accepted.body["result"]["instanceIds"][0]].owner
    assert owner == "bob"  # the key's account, whatever x-vmrules-caller would say
    fresh = signed("POST", INSTANCES, body, "secret", now)
    assert call(strict, "POST", INSTANCES, body, headers=fresh).status == 200


def test_version_2_signatures_are_accepted_too() -> None:
    from vmrules.server.signing import SignedRequest, signature

    clock = Clock()
    emu = emulator(clock, auth=True, credentials=Credentials({"AK": ("secret", "alice")}))
    date = datetime.fromtimestamp(clock.at, UTC).strftime("%Y%m%dT%H%M%SZ")
    query = "pageSize=10"
    for secret, expected in (("secret", 200), ("wrong", 401)):
        headers = {"host": "127.0.0.1:9", "content-type": "application/json", "x-jdcloud-date": date,
                   "x-jdcloud-nonce": f"nonce-{secret}"}
        names = sorted(headers)
        sig = signature(SignedRequest("GET", INSTANCES, query, headers, b""), algorithm="JDCLOUD2-HMAC-SHA256",
                        secret=secret, date=date, region=REGION, service="vm", signed_headers=names)
        auth = (f"JDCLOUD2-HMAC-SHA256 Credential=AK/{date[:8]}/{REGION}/vm/jdcloud2_request, "
                f"SignedHeaders={';'.join(names)}, Signature={sig}")
        assert call(emu, "GET", INSTANCES, query=query, headers={**headers, "authorization": auth}).status == expected


@pytest.mark.parametrize("mutate", [
    lambda h: h.pop("authorization"),
    lambda h: h.pop("x-jdcloud-date"),
    lambda h: h.update({"x-jdcloud-date": "yesterday"}),
    lambda h: h.update({"authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"}),
    lambda h: h.update({"authorization": h["authorization"].replace("Signature=", "Signature=0")[:-1]}),
    lambda h: h.update({"host": "elsewhere:9"}),
])
def test_anything_wrong_with_a_signature_is_unauthenticated(mutate: Callable[[dict[str, str]], object]) -> None:
    clock = Clock()
    emu = emulator(clock, auth=True, credentials=Credentials({"AK": ("secret", "alice")}))
    headers = signed("GET", INSTANCES, b"", "secret", datetime.fromtimestamp(clock.at, UTC))
    assert call(emu, "GET", INSTANCES, headers=headers).status == 200
    mutate(headers)
    response = call(emu, "GET", INSTANCES, headers=headers)
    assert error(response) == (401, "UNAUTHENTICATED")
    assert response.body["error"]["message"]


def test_admin_requests_need_an_admin_keys_signature_and_api_requests_an_account_key() -> None:
    clock = Clock()
    now = datetime.fromtimestamp(clock.at, UTC)
    keys = Credentials({"AK": ("secret", "alice"), "ADMIN": ("admin-secret", ""), "BOTH": ("both-secret", "bob")},
                       admin=frozenset({"ADMIN", "BOTH"}))
    emu = emulator(clock, auth=True, credentials=keys)
    settle = "/admin/settle"
    assert call(emu, "POST", settle, b"{}", headers=signed("POST", settle, b"{}", "admin-secret", now,
                                                           "ADMIN")).status == 200
    assert call(emu, "POST", settle, b"{}", headers=signed("POST", settle, b"{}", "both-secret", now,
                                                           "BOTH")).status == 200
    not_admin = call(emu, "POST", settle, b"{}", headers=signed("POST", settle, b"{}", "secret", now))
    assert error(not_admin) == (403, "PERMISSION_DENIED") and "not an admin key" in not_admin.body["error"]["message"]
    wrong = call(emu, "POST", settle, b"{}", headers=signed("POST", settle, b"{}", "secret", now, "ADMIN"))
    assert error(wrong) == (401, "UNAUTHENTICATED")
    assert error(call(emu, "POST", settle, b"{}")) == (401, "UNAUTHENTICATED")
    # an admin key without an account calls only the admin API; one with an account calls both
    refused = call(emu, "GET", INSTANCES, headers=signed("GET", INSTANCES, b"", "admin-secret", now, "ADMIN"))
    assert error(refused) == (401, "UNAUTHENTICATED") and "unknown access key" in refused.body["error"]["message"]
    listed = call(emu, "GET", INSTANCES, headers=signed("GET", INSTANCES, b"", "both-secret", now, "BOTH"))
    assert listed.status == 200 and listed.body["result"]["totalCount"] == 0  # bob's instances


def test_request_ids_number_the_emulators_requests_from_one() -> None:
    emu = emulator()
    ids = [call(emu, "GET", INSTANCES).body["requestId"], call(emu, "POST", "/admin/settle").body["requestId"],
           call(emu, "GET", "/nowhere").body["requestId"]]
    assert ids == ["vmrules-0000000001", "vmrules-0000000002", "vmrules-0000000003"]


def test_without_auth_the_caller_header_names_the_account() -> None:
    emu = emulator()
    response = call(emu, "POST", INSTANCES, BOB_SPEC, headers={"x-vmrules-caller": "bob"})
    assert response.status == 200, response.body
    assert call(emu, "GET", INSTANCES).body["result"]["totalCount"] == 0  # alice, the default account
    listed = call(emu, "GET", INSTANCES, headers={"x-vmrules-caller": "bob"}).body["result"]
    assert listed["totalCount"] == 1


# ---- wire format and bad input (in process) -------------------------------------------------------------------


def test_query_strings_are_unflattened_and_typed() -> None:
    emu = emulator()
    first, second = create(emu), create(emu)
    query = f"pageSize=10&pageNumber=1&filters.1.name=instanceId&filters.1.values.1={first}" \
            f"&filters.1.values.2={second}&filters.2.name=status&filters.2.values.1=running"
    result = call(emu, "GET", INSTANCES, query=query).body["result"]
    assert result["totalCount"] == 2
    only = call(emu, "GET", INSTANCES, query=f"filters.1.name=instanceId&filters.1.values.1={second}")
    assert [i["instanceId"] for i in only.body["result"]["instances"]] == [second]
    assert call(emu, "DELETE", f"{INSTANCES}/{first}", query="deletePrimaryNetworkInterfaceAllElasticIp=True"
                ).status == 200
    # a path parameter arrives percent-decoded
    assert status_of(emu, second.replace("-", "%2D")) == "running"


@pytest.mark.parametrize(("method", "path", "query", "body", "expected", "says"), [
    ("POST", INSTANCES, "", b"{not json", (400, "INVALID_ARGUMENT"), "not JSON"),
    ("POST", INSTANCES, "", b"[1, 2]", (400, "INVALID_ARGUMENT"), "JSON object"),
    ("POST", INSTANCES, "", b'{"maxCount": NaN}', (400, "INVALID_ARGUMENT"), "NaN"),
    ("POST", INSTANCES, "", b"\xff\xfe{}", (400, "INVALID_ARGUMENT"), "UTF-8"),
    ("POST", INSTANCES, "", b"[" * 100_000, (400, "INVALID_ARGUMENT"), "deeply"),
    ("POST", INSTANCES, "", b" " * (MAX_BODY_BYTES + 1), (413, "INVALID_ARGUMENT"), "at most 1048576 are accepted"),
    ("POST", INSTANCES, "", b'{"instanceSpec": 7}', (400, "INVALID_ARGUMENT"), "instanceSpec"),
    ("GET", INSTANCES, "pageSize=ten", b"", (400, "INVALID_ARGUMENT"), "pageSize"),
    ("GET", INSTANCES, "pageSize=5000", b"", (400, "INVALID_ARGUMENT"), "pageSize"),
    ("GET", INSTANCES, "filters.1.name=a&filters.3.name=b", b"", (400, "INVALID_ARGUMENT"), "gaps"),
    ("GET", INSTANCES, "filters.1.name=a&filters.name=b", b"", (400, "INVALID_ARGUMENT"), "mixes"),
    ("GET", INSTANCES, "pageSize=10&pageSize=20", b"", (400, "INVALID_ARGUMENT"), "twice"),
    ("GET", INSTANCES, "filters..name=a", b"", (400, "INVALID_ARGUMENT"), "name"),
    ("GET", INSTANCES, "filters.0.name=a", b"", (400, "INVALID_ARGUMENT"), "index"),
    ("GET", INSTANCES, "a" + ".a" * 50 + "=1", b"", (400, "INVALID_ARGUMENT"), "deeper"),
    ("GET", INSTANCES, "filters.1.name=a&filters.1.name.x=b", b"", (400, "INVALID_ARGUMENT"), "both"),
    ("GET", "/v1/regions/cn-north-1/nothing", "", b"", (404, "NOT_FOUND"), "no API path"),
    ("GET", "/", "", b"", (404, "NOT_FOUND"), "no API path"),
    ("PUT", INSTANCES, "", b"{}", (405, "METHOD_NOT_ALLOWED"), "PUT"),
    ("GET", f"{INSTANCES}/i-1:stopInstance", "", b"", (405, "METHOD_NOT_ALLOWED"), "GET"),
    ("POST", f"{INSTANCES}/i-1:explode", "", b"{}", (404, "NOT_FOUND"), "no API path"),
])
def test_bad_input_gets_an_error_envelope(method: str, path: str, query: str, body: bytes,
                                          expected: tuple[int, str], says: str) -> None:
    emu = emulator()
    response = call(emu, method, path, body, query)
    assert error(response) == expected
    assert says in response.body["error"]["message"]
    assert emu.world == World.default()
    json.loads(response.encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH"]),
       path=st.one_of(st.sampled_from([INSTANCES, f"{INSTANCES}/i-x", f"{INSTANCES}/i-x:stopInstance",
                                       f"/v1/regions/{REGION}/images", "/admin/advance", "/admin/world"]),
                      st.text(max_size=40).map(lambda t: "/v1/regions/" + t)),
       query=st.text(max_size=60), auth=st.booleans(),
       headers=st.dictionaries(st.sampled_from(["authorization", "x-jdcloud-date", "host", "x-vmrules-caller"]),
                               st.text(max_size=80)),
       body=st.one_of(st.binary(max_size=80),
                                                   st.recursive(st.none() | st.booleans() | st.integers()
                                                                | st.text(max_size=8),
                                                                lambda c: st.lists(c, max_size=3)
                                                                | st.dictionaries(st.text(max_size=8), c,
                                                                                  max_size=3),
                                                                max_leaves=10).map(lambda v: json.dumps(v).encode())))
def test_handle_answers_anything_with_an_envelope(method: str, path: str, query: str, auth: bool,
                                                  headers: dict[str, str], body: bytes) -> None:
    emu = emulator(auth=auth, credentials=Credentials({"AK": ("secret", "alice")}))
    response = emu.handle(method, path, query, headers, body)
    assert response.status in {200, 400, 401, 403, 404, 405, 413, 415, 429}, response.body
    assert response.body["requestId"]
    assert ("error" in response.body) == (response.status != 200)
    json.loads(response.encode())


def test_admin_bodies_must_be_declared_json() -> None:
    emu = emulator(task_seconds=10**6)
    iid = create(emu)
    for media_type in ("text/plain", "application/x-www-form-urlencoded", ""):  # what a page sends unpreflighted
        refused = call(emu, "POST", "/admin/settle", headers={"content-type": media_type})
        assert error(refused) == (415, "INVALID_ARGUMENT")
    assert status_of(emu, iid) == "pending"  # nothing settled
    assert call(emu, "POST", "/admin/settle", headers={"content-type": "application/json; charset=utf-8"}).status == 200
    assert call(emu, "GET", "/admin/world", headers={}).status == 200  # a read has no body to declare


def test_only_the_servers_own_host_is_answered() -> None:
    emu = emulator(allowed_hosts=frozenset({"127.0.0.1:8000", "localhost:8000"}))
    for host in ("evil.example:8000", "127.0.0.1:8001", ""):
        assert error(call(emu, "GET", INSTANCES, headers={"host": host})) == (421, "INVALID_ARGUMENT")
        assert error(call(emu, "GET", "/admin/world", headers={"host": host})) == (421, "INVALID_ARGUMENT")
    assert call(emu, "GET", INSTANCES, headers={"host": "LOCALHOST:8000"}).status == 200


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/admin/settle", ("POST",)), ("DELETE", "/admin/world", ("GET", "POST", "PUT")),
    ("GET", "/admin/advance", ("POST",)),
])
def test_an_admin_405_names_the_methods_its_endpoint_answers(method: str, path: str,
                                                            allowed: tuple[str, ...]) -> None:
    response = call(emulator(), method, path)
    assert error(response) == (405, "METHOD_NOT_ALLOWED")
    assert isinstance(response, Response) and response.headers()["Allow"] == ", ".join(allowed)
