"""The in-process SDK mock against moto: one createInstances through the official jdcloud-sdk's VmClient under
``vmrules.testing.mock_jdcloud`` vs one boto3 ``run_instances`` under moto's ``mock_aws``, in the same run.

Run: ``python bench/mock.py`` (moto and boto3: ``pip install ".[bench]"``). Both sides do the whole client path:
the SDK builds, signs and serialises the request, the mock checks the signature, routes, parses and runs the
engine, and the SDK parses the response; boto3 serialises, signs, and moto's responses-based interception
parses and answers. Both requests carry the same shape (two data disks, two security groups, a public IP).
Prints one JSON object; the figures of one run are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from dataclasses import replace
from typing import Any

from jdcloud_sdk.core.credential import Credential
from jdcloud_sdk.core.logger import ERROR, Logger
from jdcloud_sdk.services.vm.apis.CreateInstancesRequest import CreateInstancesRequest
from jdcloud_sdk.services.vm.client.VmClient import VmClient

from bench import FULL_SPEC, median_seconds, moto_runners  # bench/bench.py, next to this file
from vmrules import World
from vmrules.testing import mock_jdcloud


class Quiet(Logger):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(ERROR)

    def log(self, level: int, message: Any) -> None:
        return None


def roomy_world() -> World:
    """The default world with alice's quotas raised, so that thousands of creations fit."""
    world = World.default()
    alice = world.accounts["alice"]
    big = tuple((name, 10**9) for name, _ in alice.quotas)
    return world.evolve(accounts=world.accounts.set("alice", replace(alice, quotas=big)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=30)
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine()}
    client = VmClient(Credential("AK", "SK"), logger=Quiet())
    with mock_jdcloud(roomy_world()) as mock:
        def sdk_create() -> object:
            response = client.send(CreateInstancesRequest(FULL_SPEC))
            assert response.error is None, vars(response.error)
            return response

        figures["mock_sdk_create_us"] = median_seconds(sdk_create, repeat=args.repeat, number=args.number) * 1e6
        figures["mock_instances_created"] = len(mock.world.instances)
    moto = moto_runners()
    if moto is None:
        print("moto/boto3 not installed: the comparison is skipped", file=sys.stderr)
    else:
        figures["moto_boto3_run_us"] = median_seconds(moto["boto3_run"], repeat=args.repeat,
                                                      number=args.number) * 1e6
        figures["ratio_moto_vs_mock"] = figures["moto_boto3_run_us"] / figures["mock_sdk_create_us"]
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
