"""``vmrules.wire.answer`` by itself, the gateway the emulator and the mock share (docs/emulator.md, "The wire
format" and the status table): the body limit, the HTTP codes of what routing and reading refuse, the caller
header when signatures are not checked, and which parameters reach the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from vmrules import World, execute
from vmrules.operation import Outcome
from vmrules.operations import OPERATION_TABLE
from vmrules.wire import MAX_BODY_BYTES, Response, WireRequest, answer, read_params

REGION = "cn-north-1"
INSTANCES = f"/v1/regions/{REGION}/instances"


class Recording:
    """A shell's ``Run`` over the default world that remembers what the gateway handed it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []

    def __call__(self, operation: str, params: dict[str, Any], caller: str | None) -> Outcome:
        self.calls.append((operation, params, caller))
        return execute(World.default(), operation, params, caller=caller)


def send(method: str, path: str, query: str = "", body: bytes = b"", headers: dict[str, str] | None = None,
         run: Recording | None = None) -> Response:
    return answer(WireRequest(method, path, query, headers or {}, body), "req-1", run or Recording(), None)


def error_of(response: Response) -> tuple[int, str, str]:
    error = response.body["error"]
    return response.status, error["status"], error["message"]


def test_a_body_of_exactly_one_mebibyte_is_read_and_one_byte_more_is_413() -> None:
    assert MAX_BODY_BYTES == 1 << 20  # docs/emulator.md: "a body over 1 MiB"
    stop = f"{INSTANCES}/i-nosuch:stopInstance"
    padded = b"{}" + b" " * (MAX_BODY_BYTES - 2)
    assert send("POST", stop, body=padded).status == 404  # read, routed, and the instance is not found
    status, kind, message = error_of(send("POST", stop, body=padded + b" "))
    assert (status, kind) == (413, "INVALID_ARGUMENT")
    # the words the emulator's HTTP shell sends when it refuses by Content-Length (one message in both shells)
    assert message == f"the body has {MAX_BODY_BYTES + 1} bytes; at most {MAX_BODY_BYTES} are accepted"


def test_an_unknown_path_is_404_and_a_bad_query_or_body_is_400_before_the_engine_runs() -> None:
    run = Recording()
    assert error_of(send("GET", "/v1/nowhere", run=run))[:2] == (404, "NOT_FOUND")
    status, kind, message = error_of(send("GET", INSTANCES, "ids.0=x", run=run))
    assert (status, kind) == (400, "INVALID_ARGUMENT") and message.startswith("bad query string")
    status, kind, message = error_of(send("POST", INSTANCES, body=b"{not json", run=run))
    assert (status, kind) == (400, "INVALID_ARGUMENT") and message.startswith("the body is not JSON")
    status, kind, message = error_of(send("POST", INSTANCES, body=b"[1]", run=run))
    assert (status, kind, message) == (400, "INVALID_ARGUMENT", "the body must be a JSON object")
    assert run.calls == []


@pytest.mark.parametrize(("headers", "caller"), [
    ({"x-vmrules-caller": "bob"}, "bob"), ({"x-vmrules-caller": ""}, None), ({}, None),
])
def test_without_signatures_the_caller_is_the_caller_header_or_the_default_account(
        headers: dict[str, str], caller: str | None) -> None:
    run = Recording()
    assert send("GET", INSTANCES, headers=headers, run=run).status == 200
    assert run.calls == [("describeInstances", {"regionId": REGION}, caller)]


def test_path_parameters_win_over_the_body_and_an_empty_body_is_no_parameters() -> None:
    run = Recording()
    body = json.dumps({"regionId": "cn-east-2", "instanceId": "i-fromthebody", "x": 1}).encode()
    send("POST", f"{INSTANCES}/i-frompath:stopInstance", body=body, run=run)
    send("POST", f"{INSTANCES}/i-frompath:startInstance", body=b"  ", run=run)
    assert [params for _, params, _ in run.calls] == [
        {"regionId": REGION, "instanceId": "i-frompath", "x": 1}, {"regionId": REGION, "instanceId": "i-frompath"}]


@pytest.mark.parametrize(("body", "expected"), [
    (b"", {}), (b"  \n", {}), (b'{"instanceId": "i-x"}', {"instanceId": "i-x"}),
    (b'"x"', "the body must be a JSON object"), (b'""', "the body must be a JSON object"),
    (b"null", "the body must be a JSON object"), (b"[{}]", "the body must be a JSON object"),
    (b"7", "the body must be a JSON object"),
])
def test_a_body_is_its_parameters_only_when_it_is_an_object_or_empty(body: bytes, expected: Any) -> None:
    # a JSON string body was taken for the message saying why the body is unreadable, and null for no body
    assert read_params(OPERATION_TABLE["stopInstance"], "POST", "", body) == expected


def test_a_body_that_is_not_json_says_why() -> None:
    said = read_params(OPERATION_TABLE["stopInstance"], "POST", "", b"{oops")
    assert isinstance(said, str) and said.startswith("the body is not JSON: ")
    assert str(read_params(OPERATION_TABLE["stopInstance"], "POST", "", b"\xff")).startswith("the body is not UTF-8")


def test_a_number_too_large_for_a_float_is_no_json() -> None:
    said = read_params(OPERATION_TABLE["stopInstance"], "POST", "", b'{"instanceId": "i-x", "n": 1e400}')
    assert said == "the body is not JSON: 1e400 is too large a number"
    assert read_params(OPERATION_TABLE["stopInstance"], "POST", "", b'{"n": 1.5e3}') == {"n": 1500.0}
