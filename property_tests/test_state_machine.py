"""Property 6: a random walk over every operation (valid, invalid and junk requests by several accounts) plus
settle (every task, or those due as the emulator completes them) and advance keeps every world invariant and the
world's indexes equal to a rebuild, and describeQuotas reports what the world holds."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from vmrules import World, advance, execute, settle
from vmrules.defaults import MAIN, NORTH, SECOND
from vmrules.indexes import (
    build_default_groups,
    build_image_listings,
    build_instance_order,
    build_instances_by,
    build_subnet_addresses,
)
from vmrules.task_starts import build_task_starts
from vmrules.testing.invariants import check_invariants
from vmrules.testing.strategies import arbitrary_params, invalid_requests, operations, valid_requests, worlds
from vmrules.usage import recount_usage

ACTORS = (MAIN, MAIN, MAIN, SECOND)


class WorldMachine(RuleBasedStateMachine):
    world: World

    @initialize(world=worlds(max_instances=4))
    def start(self, world: World) -> None:
        self.world = world

    @rule(data=st.data(), operation=operations(), caller=st.sampled_from(ACTORS))
    def valid_request(self, data: st.DataObject, operation: str, caller: str) -> None:
        params = data.draw(valid_requests(self.world, operation, caller=caller))
        outcome = execute(self.world, operation, params, caller=caller)
        if outcome.ok:
            self.world = outcome.world
        else:
            assert outcome.world is self.world

    @rule(data=st.data(), operation=operations())
    def invalid_request(self, data: st.DataObject, operation: str) -> None:
        params, rule_id = data.draw(invalid_requests(self.world, operation))
        outcome = execute(self.world, operation, params)
        assert outcome.error is not None and outcome.error.rule == rule_id, (params, outcome.error)
        assert outcome.world is self.world

    @rule(data=st.data(), operation=operations())
    def junk_request(self, data: st.DataObject, operation: str) -> None:
        outcome = execute(self.world, operation, data.draw(arbitrary_params(operation)))
        if outcome.ok:
            self.world = outcome.world

    @rule()
    def settle_tasks(self) -> None:
        self.world = settle(self.world)

    @rule(delay=st.sampled_from([0, 1, 30, 3600]))
    def settle_due_tasks(self, delay: int) -> None:
        # What the emulator and the mock do on each request while tasks take ``delay`` seconds.
        self.world = settle(self.world, started_by=self.world.clock - delay)

    @rule(seconds=st.sampled_from([1, 60, 3600, 86400, 86400 * 40]))
    def advance_clock(self, seconds: int) -> None:
        self.world = advance(self.world, seconds)

    @invariant()
    def world_invariants_hold(self) -> None:
        problems = check_invariants(self.world)
        assert problems == [], problems

    @invariant()
    def indexes_equal_a_rebuild(self) -> None:
        # The derived indexes the transitions keep up to date are exactly what a rebuild from the maps gives.
        assert self.world.instance_order == build_instance_order(self.world.instances.values())
        assert self.world.instances_by == build_instances_by(self.world.instances.values())
        assert self.world.image_listings == build_image_listings(self.world.images.values())
        assert self.world.subnet_addresses == build_subnet_addresses(self.world.network_interfaces.values())
        assert self.world.default_groups == build_default_groups(self.world.security_groups.values())
        assert self.world.task_starts == build_task_starts(self.world.tasks)

    @invariant()
    def quotas_report_the_world(self) -> None:
        counted = recount_usage(self.world)
        for pin in (MAIN, SECOND):
            outcome = execute(self.world, "describeQuotas", {"regionId": NORTH}, caller=pin)
            assert outcome.ok, outcome.error
            quotas: list[dict[str, Any]] = outcome.result["quotas"]
            for q in quotas:
                assert q["used"] == counted.get((pin, NORTH, q["resourceType"]), 0), q
                if q["resourceType"] in ("instance", "instance_cpu", "instance_memory", "image"):
                    assert q["used"] <= q["limit"], q

    @invariant()
    def no_account_sees_another_accounts_instances(self) -> None:
        for pin in (MAIN, SECOND):
            outcome = execute(self.world, "describeInstances", {"regionId": NORTH, "pageSize": 100}, caller=pin)
            assert outcome.ok, outcome.error
            seen = {i["instanceId"] for i in outcome.result["instances"]}
            mine = {i.instance_id for i in self.world.owned_instances(pin, NORTH)}
            assert seen <= mine, seen - mine
            assert outcome.result["totalCount"] == len(mine)


TestWorldMachine = WorldMachine.TestCase
