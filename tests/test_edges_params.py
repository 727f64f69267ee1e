"""Edges of the shared parameter rules (vmrules/operations/params.py) that tests/test_params.py leaves open: the
password's exact length bounds, through an operation that uses the rule."""

from __future__ import annotations

import pytest
from helpers import NORTH, instance

from vmrules import World, check

THIRTY = "Xa7#mP2q9Lw4Zt5!Zt5!Zt5!Zt5!Ab"  # 30 characters, every other password rule kept
EIGHT = "Xa7#mP2q"


def _length_errors(world: World, iid: str, password: str) -> list[str]:
    found = check(world, "modifyInstancePassword", {"regionId": NORTH, "instanceId": iid, "password": password})
    assert all(e.rule == "MODIFY_INSTANCE_PASSWORD.PASSWORD" for e in found), found
    return [e.message for e in found]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_a_password_has_8_to_30_characters_exactly(world: World) -> None:
    iid, world = instance(world)
    assert len(THIRTY) == 30 and len(EIGHT) == 8
    assert _length_errors(world, iid, THIRTY) == []
    assert _length_errors(world, iid, EIGHT) == []
    assert _length_errors(world, iid, THIRTY + "9") == [
        "password breaks the password rule 'length': it has 31 characters; allowed 8 to 30"]
    assert _length_errors(world, iid, EIGHT[:-1]) == [
        "password breaks the password rule 'length': it has 7 characters; allowed 8 to 30"]
