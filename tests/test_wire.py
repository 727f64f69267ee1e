"""The shared wire layer (vmrules.wire): signatures cover what the engine reads, replays are refused, paths are
routed after percent-decoding, and the SDK's operations outside the reference answer 501.

Requests are signed by the official SDK's own ``Signer`` (JDCLOUD3, its clock pinned), or by ``own_signed`` for
what the SDK would not send (version 2, other header sets), and answered in process by ``vmrules.wire.answer``
over an emulator; each tampered variant must be refused with 401.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jdcloud_sdk
import pytest
from jdcloud_sdk.core.signer import Signer
from sdk_signing import Quiet, lowered, sdk_headers

from vmrules import World
from vmrules.operations import OPERATION_TABLE
from vmrules.server import Credentials, Emulator
from vmrules.wire import NonceMemory, Response
from vmrules.wire.envelope import error_response
from vmrules.wire.nonces import Seen
from vmrules.wire.routes import SDK_ONLY_OPERATIONS
from vmrules.wire.signing import SignedRequest, _canonical_query, _canonical_uri, signature

REGION = "cn-north-1"
INSTANCES = f"/v1/regions/{REGION}/instances"
HOST = "vm.jdcloud-api.com"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def pinned_signer_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The SDK's signer reads the wall clock; pin it to the emulator's injected clock."""
    monkeypatch.setattr(Signer, "_Signer__now", lambda self: AT.replace(tzinfo=None))
    yield


def emulator(**kwargs: Any) -> Emulator:
    return Emulator(World.default(), auth=True, credentials=Credentials({"AK": ("secret", "alice")}),
                    now=lambda: AT.timestamp(), **kwargs)


def sdk_signed(method: str, path: str, query: str = "", body: bytes = b"") -> dict[str, str]:
    """The headers the SDK sends for this request, lower-cased as the HTTP shell hands them on."""
    url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
    return lowered(sdk_headers(method, url, body, headers={"User-Agent": "JdcloudSdkPython/test vm/1.0"}), HOST)


def own_signed(method: str, path: str, query: str, body: bytes, names: list[str],
               algorithm: str = "JDCLOUD3-HMAC-SHA256") -> dict[str, str]:
    """Headers signed over exactly ``names`` (to build signatures the SDK would not send)."""
    date = AT.strftime("%Y%m%dT%H%M%SZ")
    headers = {"host": HOST, "content-type": "application/json", "x-jdcloud-date": date,
               "x-jdcloud-nonce": f"n-{method}-{path}-{query}-{'-'.join(names)}"}
    sig = signature(SignedRequest(method, path, query, headers, body), algorithm=algorithm,
                    secret="secret", date=date, region=REGION, service="vm", signed_headers=names)
    terminator = algorithm.split("-", 1)[0].lower() + "_request"
    headers["authorization"] = (f"{algorithm} Credential=AK/{date[:8]}/{REGION}/vm/{terminator}, "
                                f"SignedHeaders={';'.join(names)}, Signature={sig}")
    return headers


V2 = "JDCLOUD2-HMAC-SHA256"
EVERY = ["content-type", "host", "x-jdcloud-date", "x-jdcloud-nonce"]


def call(emu: Emulator, method: str, path: str, query: str = "", headers: dict[str, str] | None = None,
         body: bytes = b"") -> Response:
    return emu.handle(method, path, query, headers or {}, body)


def status(response: Response) -> tuple[int, str]:
    error = response.body.get("error")
    return (response.status, "OK") if error is None else (response.status, error["status"])


# ---- tampering ----------------------------------------------------------------------------------------


def test_the_sdk_signs_with_version_3_over_content_type_and_host() -> None:
    headers = sdk_signed("GET", INSTANCES, "pageSize=10")
    assert headers["authorization"].startswith("JDCLOUD3-HMAC-SHA256 ")
    assert "SignedHeaders=content-type;host," in headers["authorization"]
    assert status(call(emulator(), "GET", INSTANCES, "pageSize=10", headers)) == (200, "OK")


@pytest.mark.parametrize(("signed_query", "sent_query"), [
    ("pageSize=10", "pageSize=10&ids.1"),  # a bare key added after signing would still reach the engine
    ("pageSize=10", "pageSize=10&pageNumber"),
    ("pageSize=10", "pageSize=10&=3"),
    ("pageSize=10", "pageSize=20"),
    ("pageSize=10", "pageSize=10\t"),
    ("filters.1.name=name&filters.1.values.1=a%2Bb", "filters.1.name=name&filters.1.values.1=a+b"),
])
def test_a_query_changed_after_the_sdk_signed_it_is_unauthenticated(signed_query: str, sent_query: str) -> None:
    emu = emulator()
    headers = sdk_signed("GET", INSTANCES, signed_query)
    assert status(call(emu, "GET", INSTANCES, sent_query, headers)) == (401, "UNAUTHENTICATED")
    assert status(call(emu, "GET", INSTANCES, signed_query, headers)) == (200, "OK")


def test_a_bare_key_cannot_be_covered_by_a_version_3_signature_but_is_by_version_2() -> None:
    query = "pageSize=10&ids.1"
    v3 = call(emulator(), "GET", INSTANCES, query, sdk_signed("GET", INSTANCES, query))
    assert status(v3) == (401, "UNAUTHENTICATED")
    assert "ids.1" in v3.body["error"]["message"]
    v2 = own_signed("GET", INSTANCES, query, b"", EVERY, V2)  # version 2 signs it as "ids.1="
    assert status(call(emulator(), "GET", INSTANCES, query, v2)) == (200, "OK")
    assert status(call(emulator(), "GET", INSTANCES, "pageSize=10", v2)) == (401, "UNAUTHENTICATED")


def test_plus_and_percent_20_follow_each_versions_encoding() -> None:
    spaced, plus = "filters.1.name=name&filters.1.values.1=a%20b", "filters.1.name=name&filters.1.values.1=a+b"
    # version 3 decodes both to the space the engine reads: one meaning, one signature
    assert status(call(emulator(), "GET", INSTANCES, plus, sdk_signed("GET", INSTANCES, spaced))) == (200, "OK")
    # version 2 signs the bytes as sent
    v2 = own_signed("GET", INSTANCES, spaced, b"", EVERY, V2)
    assert status(call(emulator(), "GET", INSTANCES, plus, v2)) == (401, "UNAUTHENTICATED")
    assert status(call(emulator(), "GET", INSTANCES, spaced, v2)) == (200, "OK")


def test_a_changed_path_or_body_is_unauthenticated() -> None:
    emu = emulator()
    stop = f"{INSTANCES}/i-aaa:stopInstance"
    headers = sdk_signed("POST", stop, body=b"{}")
    assert status(call(emu, "POST", f"{INSTANCES}/i-bbb:stopInstance", headers=headers, body=b"{}")) == (
        401, "UNAUTHENTICATED")
    # bytes that are not UTF-8 are hashed as they are, not as a replacement character
    headers = own_signed("POST", stop, "", b'{"x": "\xff"}', EVERY)
    assert status(call(emu, "POST", stop, headers=headers, body=b'{"x": "\xfe"}')) == (401, "UNAUTHENTICATED")


def test_host_must_be_signed_and_the_date_is_always_covered() -> None:
    unsigned_host = own_signed("GET", INSTANCES, "", b"", ["content-type", "x-jdcloud-date"])
    response = call(emulator(), "GET", INSTANCES, "", unsigned_host)
    assert status(response) == (401, "UNAUTHENTICATED")
    assert "host" in response.body["error"]["message"]
    assert status(call(emulator(), "GET", INSTANCES, "", own_signed("GET", INSTANCES, "", b"", ["host"]))) == (
        200, "OK")
    # the SDK does not list x-jdcloud-date among SignedHeaders, but the date is in the string to sign
    headers = sdk_signed("GET", INSTANCES)
    headers["x-jdcloud-date"] = AT.replace(second=1).strftime("%Y%m%dT%H%M%SZ")
    assert status(call(emulator(), "GET", INSTANCES, "", headers)) == (401, "UNAUTHENTICATED")


def test_a_signed_request_without_a_nonce_is_unauthenticated() -> None:
    headers = sdk_signed("GET", INSTANCES)
    del headers["x-jdcloud-nonce"]
    response = call(emulator(), "GET", INSTANCES, "", headers)
    assert status(response) == (401, "UNAUTHENTICATED")
    assert "x-jdcloud-nonce" in response.body["error"]["message"]


def test_a_plus_in_a_version_3_signed_path_is_unauthenticated() -> None:
    path = f"{INSTANCES}/i-a+b"
    response = call(emulator(), "GET", path, "", sdk_signed("GET", path))
    assert status(response) == (401, "UNAUTHENTICATED")
    assert status(call(emulator(), "GET", f"{INSTANCES}/i-a%2Bb", "", sdk_signed("GET", f"{INSTANCES}/i-a%2Bb"))) == (
        404, "NOT_FOUND")


def test_a_replayed_nonce_is_unauthenticated_and_a_fresh_one_accepted() -> None:
    emu = emulator()
    headers = sdk_signed("GET", INSTANCES, "pageSize=10")
    assert status(call(emu, "GET", INSTANCES, "pageSize=10", headers)) == (200, "OK")
    replay = call(emu, "GET", INSTANCES, "pageSize=10", headers)
    assert status(replay) == (401, "UNAUTHENTICATED")
    assert "replay" in replay.body["error"]["message"]
    assert status(call(emu, "GET", INSTANCES, "pageSize=10", sdk_signed("GET", INSTANCES, "pageSize=10"))) == (
        200, "OK")


def test_a_refused_signature_does_not_use_up_its_nonce() -> None:
    emu = emulator()
    headers = sdk_signed("GET", INSTANCES, "pageSize=10")
    assert status(call(emu, "GET", INSTANCES, "pageSize=11", headers)) == (401, "UNAUTHENTICATED")
    assert status(call(emu, "GET", INSTANCES, "pageSize=10", headers)) == (200, "OK")


def test_nonce_memory_is_bounded_and_forgets_nonces_past_the_skew_window() -> None:
    memory = NonceMemory(capacity=2)
    assert memory.remember("AK", "a", expires_at=100.0, now=0.0) is Seen.NEW
    assert memory.remember("AK", "a", expires_at=100.0, now=100.0) is Seen.REPLAYED  # still current at its edge
    assert memory.remember("AK", "b", expires_at=200.0, now=50.0) is Seen.NEW
    assert memory.remember("AK", "c", expires_at=200.0, now=50.0) is Seen.FULL
    assert memory.remember("AK", "c", expires_at=200.0, now=100.5) is Seen.NEW  # "a" expired and was dropped
    assert len(memory) == 2
    assert memory.remember("AK", "a", expires_at=300.0, now=101.0) is Seen.FULL


def test_a_nonce_memory_holds_the_documented_100_000_current_nonces_by_default() -> None:
    # docs/decisions/signing.md: "The memory is bounded (100,000 current nonces per emulator or mock)"
    memory = NonceMemory()
    for n in range(100_000):
        assert memory.remember("AK", str(n), expires_at=100.0, now=0.0) is Seen.NEW
    assert memory.remember("AK", "one more", expires_at=100.0, now=0.0) is Seen.FULL
    assert memory.remember("AK", "one more", expires_at=200.0, now=100.5) is Seen.NEW  # all others expired


def test_a_full_nonce_memory_answers_429_not_a_forgotten_replay() -> None:
    emu = emulator()
    emu._nonces = NonceMemory(capacity=1)  # the emulator's own memory, made tiny
    assert status(call(emu, "GET", INSTANCES, "", sdk_signed("GET", INSTANCES))) == (200, "OK")
    assert status(call(emu, "GET", INSTANCES, "", sdk_signed("GET", INSTANCES))) == (429, "RATE_LIMIT_EXCEEDED")


def test_a_version_3_query_with_an_empty_value_or_an_equals_sign_in_a_value_is_covered() -> None:
    # the SDK splits each piece at its first "=" and signs "name=" for an empty value
    query = "pageSize=10&tag=&note=a%3Db&raw=a=b"
    assert status(call(emulator(), "GET", INSTANCES, query, sdk_signed("GET", INSTANCES, query))) == (200, "OK")
    assert status(call(emulator(), "GET", INSTANCES, "pageSize=10&tag=x", sdk_signed("GET", INSTANCES, query))) == (
        401, "UNAUTHENTICATED")


def test_canonical_queries_follow_each_versions_signer() -> None:
    # JDCLOUD3 drops a bare key (so verify refuses a query holding one); version 2 signs it as "key="
    assert _canonical_query("b=2&a&=x&c=", version3=True) == "b=2&c="
    assert _canonical_query("b=2&a&c=x=y", version3=False) == "a=&b=2&c=x%3Dy"


@pytest.mark.parametrize("path", ["/v1/regions/cn-north-1/instances/i-a+b", "/v1//regions/a%20b", "/v1/x%2By/~z"])
def test_a_version_3_canonical_path_is_the_one_the_sdks_signer_builds(path: str) -> None:
    assert _canonical_uri(path, version3=True) == Signer(Quiet())._Signer__build_canonical_uri(path)


def test_a_version_2_canonical_path_keeps_plus_signs_and_repeated_slashes() -> None:
    assert _canonical_uri("/v1//x/i-a+b", version3=False) == "/v1//x/i-a%2Bb"


@pytest.mark.parametrize("authorization", [
    "JDCLOUD4-HMAC-SHA256 Credential=AK/20260101/cn-north-1/vm/jdcloud4_request, SignedHeaders=host, Signature=",
    "JDCLOUD3-HMAC-SHA256 Credential=AK/20260101/cn-north-1/vm/jdcloud2_request, SignedHeaders=host, Signature=",
    "JDCLOUD2-HMAC-SHA256 Credential=AK/20260101/cn-north-1/vm/jdcloud3_request, SignedHeaders=host, Signature=",
])
def test_an_unknown_algorithm_or_a_terminator_of_the_other_version_is_unauthenticated(authorization: str) -> None:
    headers = own_signed("GET", INSTANCES, "", b"", EVERY)
    headers["authorization"] = authorization + "0" * 64
    response = call(emulator(), "GET", INSTANCES, "", headers)
    assert status(response) == (401, "UNAUTHENTICATED")
    assert "is not a JDCLOUD2/JDCLOUD3-HMAC-SHA256 signature" in response.body["error"]["message"]


@pytest.mark.parametrize(("offset", "expected"), [
    (900, (200, "OK")), (-900, (200, "OK")), (901, (401, "UNAUTHENTICATED")), (-901, (401, "UNAUTHENTICATED")),
])
def test_the_date_may_be_exactly_the_allowed_skew_away_from_the_servers_clock(
        offset: int, expected: tuple[int, str]) -> None:
    emu = Emulator(World.default(), auth=True, credentials=Credentials({"AK": ("secret", "alice")}),
                   now=lambda: AT.timestamp() + offset)
    assert status(call(emu, "GET", INSTANCES, "", sdk_signed("GET", INSTANCES))) == expected


# ---- routing ------------------------------------------------------------------------------------------


def test_routes_match_after_percent_decoding_the_path() -> None:
    emu = Emulator(World.default(), auth=False, now=lambda: AT.timestamp())
    created = emu.handle("POST", INSTANCES, "", {}, json.dumps({"regionId": REGION, "instanceSpec": {
        "name": "t", "az": "cn-north-1a", "instanceType": "g.n2.medium", "imageId": "img-centos7cld",
        "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-main00001a"}},
        "systemDisk": {"diskCategory": "cloud", "cloudDiskSpec": {"diskType": "ssd", "diskSizeGB": 40}},
    }}).encode())
    instance_id = created.body["result"]["instanceIds"][0]
    stopped = emu.handle("POST", f"{INSTANCES}/{instance_id}%3AstopInstance", "", {}, b"{}")
    assert status(stopped) == (200, "OK")
    assert status(emu.handle("GET", f"/v1/regions/cn%2Dnorth%2D1/instances/{instance_id}", "", {}, b"")) == (
        200, "OK")
    # decoded once: %253A is a literal "%3A" in the instance id (a describeInstance path), not a verb
    assert status(emu.handle("POST", f"{INSTANCES}/{instance_id}%253AstopInstance", "", {}, b"{}")) == (
        405, "METHOD_NOT_ALLOWED")


def test_a_percent_encoded_path_signed_by_the_sdk_is_accepted() -> None:
    emu = emulator()
    path = f"{INSTANCES}/i-nosuch:stopInstance"
    headers = sdk_signed("POST", path, body=b"{}")
    response = call(emu, "POST", path.replace(":", "%3A"), headers=headers, body=b"{}")
    assert status(response) == (404, "NOT_FOUND")  # authenticated and routed: the instance does not exist


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"/v1/regions/{REGION}/keypairs"),
    ("POST", f"/v1/regions/{REGION}/keypairs:import"),
    ("PATCH", f"/v1/regions/{REGION}/instanceTemplates/it-1"),
    ("POST", f"/v1/regions/{REGION}/images/img-1:release"),
])
def test_an_sdk_operation_outside_the_reference_answers_501(method: str, path: str) -> None:
    emu = Emulator(World.default(), auth=False)
    response = emu.handle(method, path, "", {}, b"{}" if method != "GET" else b"")
    assert status(response) == (501, "NOT_IMPLEMENTED")
    assert "VM API v1 reference does not define" in response.body["error"]["message"]
    assert status(emu.handle(method, path + "x/y", "", {}, b""))[0] in (404, 405)


def test_the_sdk_only_operations_cover_the_installed_sdks() -> None:
    apis = Path(jdcloud_sdk.__file__).parent / "services" / "vm" / "apis"
    sdk: set[tuple[str, str, str]] = set()
    for source in apis.glob("*Request.py"):
        found = re.search(r"__init__\(\s*'([^']+)', '(\w+)'", source.read_text(encoding="utf-8"))
        assert found is not None, source
        name = source.name.removesuffix("Request.py")
        sdk.add((name[0].lower() + name[1:], found[2], found[1]))
    reference = {(op.name, op.method, op.path) for op in OPERATION_TABLE.values()}
    assert reference <= sdk
    assert sdk - reference <= set(SDK_ONLY_OPERATIONS)
    assert not {(name, method) for name, method, _ in SDK_ONLY_OPERATIONS} & {(n, m) for n, m, _ in reference}


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", INSTANCES, ("GET", "POST")),  # describeInstances, createInstances
    ("GET", f"{INSTANCES}/i-1:stopInstance", ("POST",)),
    ("DELETE", f"{INSTANCES}/i-1%3AstopInstance", ("POST",)),  # matched after percent-decoding
    ("PUT", f"/v1/regions/{REGION}/instanceTemplates/it-1", ("DELETE", "GET", "PATCH")),  # the SDK's routes only
    ("PUT", f"/v1/regions/{REGION}/images/img-1", ("DELETE", "GET")),
])
def test_a_405_through_the_wire_layer_names_exactly_the_methods_its_path_answers(
        method: str, path: str, allowed: tuple[str, ...]) -> None:
    response = Emulator(World.default(), auth=False).handle(method, path, "", {}, b"")
    assert status(response) == (405, "METHOD_NOT_ALLOWED")
    assert response.allow == allowed
    assert response.headers()["Allow"] == ", ".join(allowed)


def test_a_response_sends_its_request_id_and_a_405_its_allowed_methods() -> None:
    plain = Response(200, {"requestId": "req-1", "result": {}})
    assert plain.headers() == {"Content-Type": "application/json; charset=utf-8", "x-jdcloud-request-id": "req-1"}
    refused = error_response("req-2", 405, "METHOD_NOT_ALLOWED", "no")
    assert "Allow" not in refused.headers()
    with_allow = Response(405, refused.body, ("GET", "POST"))
    assert with_allow.headers()["Allow"] == "GET, POST"
    assert with_allow.headers()["x-jdcloud-request-id"] == "req-2"
    assert "x-jdcloud-request-id" not in Response(200, {"result": {}}).headers()
