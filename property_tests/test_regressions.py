"""Failing examples found by the property suite, kept as explicit examples."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vmrules import World, execute
from vmrules.builders import add_image
from vmrules.model import Image
from vmrules.testing.strategies import invalid_requests, valid_requests


def _copied_image_world() -> World:
    """alice's only private image lives in cn-east-2, as after copyImages (found by the state machine under
    the thorough profile: shareImage's invalid request named it in cn-north-1 and got IMAGE.EXISTS)."""
    image = Image("img-copied0001", "alice", "cn-east-2", "copy", "private", "CentOS", "linux", "7.6", "cloudDisk",
                  40)
    return add_image(World.default(), image)


@given(st.data())
def test_requests_never_name_an_image_of_another_region(data: st.DataObject) -> None:
    world = _copied_image_world()
    for operation in ("shareImage", "unShareImage", "deleteImage", "modifyImageAttribute"):
        params, rule_id = data.draw(invalid_requests(world, operation))
        error = execute(world, operation, params).error
        assert error is not None and error.rule == rule_id, (params, error)
        assert data.draw(valid_requests(world, operation)).get("imageId") != "img-copied0001"
