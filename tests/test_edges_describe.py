"""Edges of the describe operations (vmrules/operations/describe.py) that tests/test_describe_instances.py leaves
open: an index-served filter combined with another keeps its first match, and the VNC URL's token shape."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import instance, run

from vmrules import Outcome, World
from vmrules.operations.describe import vnc_url_expiry, vnc_url_valid


def _names(out: Outcome) -> list[str]:
    assert out.error is None, out.error
    return [i["instanceName"] for i in out.result["instances"]]


@pytest.mark.rule("DESCRIBE_INSTANCES.FILTER_VALUES")
def test_an_indexed_filter_with_another_keeps_the_first_match_in_creation_order(world: World) -> None:
    for k in range(4):
        _, world = instance(world, name=f"vm-{k}", status="stopped" if k % 2 == 0 else "running")
    both = [{"name": "status", "values": ["stopped"]}, {"name": "name", "values": ["vm-"]}]
    out = run(world, "describeInstances", filters=both)
    assert _names(out) == ["vm-0", "vm-2"]
    assert out.result["totalCount"] == 2
    first_only = [{"name": "status", "values": ["stopped"]}, {"name": "name", "values": ["vm-0"]}]
    assert _names(run(world, "describeInstances", filters=first_only)) == ["vm-0"]


@pytest.mark.effect("DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR")
def test_the_vnc_url_token_is_32_hex_characters(world: World) -> None:
    iid, world = instance(world)
    url = run(world, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]
    (token,) = parse_qs(urlsplit(url).query)["token"]
    assert re.fullmatch(r"[0-9a-f]{32}", token), token


@pytest.mark.effect("DESCRIBE_INSTANCE_VNC_URL.VALID_ONE_HOUR")
def test_vnc_url_expiry_takes_up_to_18_digits_and_never_raises(world: World) -> None:
    iid, world = instance(world)
    url = run(world, "describeInstanceVncUrl", instanceId=iid).result["vncUrl"]
    expires = str(vnc_url_expiry(url))

    def with_expires(value: str) -> str:
        return url.replace(f"expires={expires}", f"expires={value}")

    assert vnc_url_expiry(with_expires("9" * 18)) == int("9" * 18)
    assert vnc_url_expiry(with_expires("9" * 19)) is None
    for junk in ("x", "-1", "1e3", ""):
        assert vnc_url_expiry(with_expires(junk)) is None
        assert not vnc_url_valid(world, with_expires(junk))
