"""pytest plugin of vmrules (entry point ``pytest11``): the fixtures ``jdcloud_world``, ``jdcloud_mock`` and
``vmrules_server``. See docs/mocking.md.

Outside the ``vmrules`` package on purpose: importing ``vmrules`` loads the whole engine, and a plugin is
imported by every pytest run in an environment that has it installed. Here only pytest is imported until a
fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from vmrules import World
    from vmrules.server.process import ServerProcess
    from vmrules.testing.mock import MockJDCloud


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "jdcloud_world(snapshot): start jdcloud_world from this snapshot file (relative to the test file)")
    config.addinivalue_line(
        "markers", "jdcloud_mock(**options): options of jdcloud_mock (complete_after_describes=N, accounts=...)")


@pytest.fixture
def jdcloud_world(request: pytest.FixtureRequest) -> World:
    """A fresh default world, or the snapshot named by ``@pytest.mark.jdcloud_world("file.json")``."""
    from vmrules import World

    marker = request.node.get_closest_marker("jdcloud_world")
    if marker is None or not marker.args:
        return World.default()
    import json

    path = Path(str(marker.args[0]))
    if not path.is_absolute():
        path = Path(str(request.node.path)).parent / path
    return World.from_dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def jdcloud_mock(request: pytest.FixtureRequest, jdcloud_world: World) -> Iterator[MockJDCloud]:
    """The official SDK answered in process for this test, starting from ``jdcloud_world``; yields the handle."""
    from vmrules.testing.mock import mock_jdcloud

    marker = request.node.get_closest_marker("jdcloud_mock")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    with mock_jdcloud(jdcloud_world, **options) as mock:
        yield mock


@pytest.fixture
def vmrules_server(jdcloud_world: World, tmp_path: Path) -> Iterator[ServerProcess]:
    """A real ``vmrules serve`` process (unsigned, frozen clock, tasks until ``POST /admin/settle``) on a free
    127.0.0.1 port, starting from ``jdcloud_world``; stopped after the test. ``.endpoint`` is for the SDK's Config."""
    import json

    from vmrules.server.process import ServerProcess, serve_args

    world_file = tmp_path / "vmrules-server-world.json"
    world_file.write_text(json.dumps(jdcloud_world.to_dict()), encoding="utf-8")
    args = serve_args(world=str(world_file), frozen_clock=True, task_seconds=1e9)
    with ServerProcess(*args) as server:
        yield server
