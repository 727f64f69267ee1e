"""The lockstep driver: one step at a time to the model and the system, compared; observations after settle."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from vmrules.defaults import MAIN, NORTH
from vmrules.engine import advance, execute, settle
from vmrules.operation import Outcome
from vmrules.testing.adapters import RESOURCE_SECTIONS, SystemAdapter, resource_view
from vmrules.testing.conformance.compare import IdMap, first_difference, normalized
from vmrules.testing.conformance.divergence import ConformanceFailure, Divergence, Step, explain
from vmrules.testing.conformance.edges import create_spec, edge_world
from vmrules.testing.conformance.settings import JSON, TIME_FIELDS, VOLATILE, KitSettings
from vmrules.world import World

# ==== the lockstep driver =============================================================================


def _expect(outcome: Outcome) -> Any:
    if outcome.error is None:
        return "ok"
    return {"status": outcome.error.status, "code": outcome.error.code, "rule": outcome.error.rule}


def _is_envelope(reply: Any) -> bool:
    if not isinstance(reply, dict):
        return False
    error = reply.get("error")
    if error is not None:
        return isinstance(error, dict) and isinstance(error.get("status"), str)
    return isinstance(reply.get("result"), dict)


def _mutating(operation: str) -> bool:
    return not operation.startswith("describe")


class Lockstep:
    """Drives the model and a system side by side, one step at a time; each method returns the first
    ``Divergence`` or None. Keeps the trace of every step run (model ids, the model's expectations)."""

    def __init__(self, adapter: SystemAdapter, kit: KitSettings | None = None) -> None:
        self.adapter = adapter
        self.kit = kit or KitSettings()
        self.start_world = self.kit.world if self.kit.world is not None else edge_world()
        self.model = self.start_world
        self.ids = IdMap(self.kit.id_map)
        self.trace: list[JSON] = []
        self.history: list[Step] = []
        self.steps = 0
        self.skipped = 0
        self.callers_seen: set[str] = {self.kit.callers[0]} if self.kit.callers else {MAIN}
        self.rules_hit: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()  # operations the reference accepted and the kit compared
        # The last request's answers (the reference's envelope, the system's reply): what scenarios that
        # compare across steps (a VNC URL before and after its validity) read.
        self.last: tuple[JSON, Any] | None = None
        # Whether anything may have changed since the last observations (a change requested, accepted or
        # refused; a task completed; the clock moved), and for which callers they were made: a settle after only
        # reads observes nothing new, so it observes nothing.
        self._changed = True
        self._observed: set[str] = set()
        self.reset_ok = False
        self.can_advance = callable(getattr(adapter, "advance", None))
        exact = self.kit.times == "clock" or (self.kit.times == "auto" and self.can_advance)
        self.volatile = VOLATILE - TIME_FIELDS if exact else VOLATILE

    # ---- steps ----------------------------------------------------------------------------------------

    def start(self) -> Divergence | None:
        """Bring the system to the starting world (``reset``), or, when it cannot be reset, start from the
        default world and build the edges the API can build (``setup_through_api``)."""
        if self.adapter.reset(self.start_world.to_dict()):
            self.reset_ok = True
            self.model = self.start_world
            return None
        self.start_world = self.model = World.default()
        return self.setup_through_api()

    def request(self, operation: str, params: JSON, caller: str) -> Divergence | None:
        """Send one request to both; compare."""
        system_params = self.ids.system(params)
        carries = getattr(self.adapter, "carries", None)
        if callable(carries) and not carries(operation, system_params):
            self.skipped += 1
            return None
        self.steps += 1
        self.history.append(Step(operation, params, caller))
        self.callers_seen.add(caller)
        outcome = execute(self.model, operation, params, caller=caller)
        reply = self.adapter.call(operation, system_params, caller)
        record: JSON = {"op": operation, "params": params, "caller": caller, "expect": _expect(outcome)}
        self.trace.append(record)
        self.model = outcome.world
        if _mutating(operation):
            # Refused or not: a system may act and then report the refusal (faulty_kinds.ActsWhenRefused), which
            # only the observations after the next settle show.
            self._changed = True
        if outcome.error is not None:
            self.rules_hit[outcome.error.rule] += 1
        else:
            self.accepted[operation] += 1
        reference = outcome.to_response("reference")
        self.last = reference, reply
        if outcome.ok and _is_envelope(reply) and "result" in reply:
            self._learn(operation, outcome.result, reply["result"], caller)
        divergence = self._compare(operation, params, caller, reference, reply,
                                   outcome.error.rule if outcome.error else None, "request")
        if divergence is not None:
            record["note"] = "DIVERGES: " + explain(divergence)
            return divergence
        if self.kit.settle_every_step and outcome.ok and _mutating(operation):
            return self.settle()
        return None

    def settle(self) -> Divergence | None:
        """Complete every task on both sides, then compare the observations."""
        before = self.model
        self.model = settle(self.model)
        self._changed = self._changed or self.model is not before
        self.adapter.settle()
        self.trace.append({"op": "settle"})
        self.history.append(Step("settle"))
        if not self.kit.observe or self.kit.mode == "outcome":
            return None
        if not self._changed and self.callers_seen <= self._observed:
            return None
        self._changed = False
        self._observed = set(self.callers_seen)
        return self.observe()

    def advance(self, seconds: int) -> Divergence | None:
        """Move both clocks forward (only when the adapter has ``advance``)."""
        if not self.can_advance:
            return None
        self.model = advance(self.model, seconds)
        self._changed = True
        getattr(self.adapter, "advance")(seconds)  # noqa: B009 - optional protocol method
        self.trace.append({"op": "advance", "seconds": seconds})
        self.history.append(Step("advance", seconds=seconds))
        return None

    def run(self, step: Step) -> Divergence | None:
        """Run one recorded step."""
        if step.op == "settle":
            return self.settle()
        if step.op == "advance":
            return self.advance(step.seconds)
        return self.request(step.op, step.params or {}, step.caller or MAIN)

    def result_differs(self, where: str, reference_value: Any, system_value: Any) -> Divergence:
        """A divergence in the last request's result that only a comparison across steps shows (the step is
        recorded already; its trace line gets the note)."""
        assert self.last is not None and self.history, "result_differs follows a request"
        step = self.history[-1]
        reference, reply = self.last
        divergence = Divergence("result", self.steps, step.op, step.caller or MAIN, step.params or {}, reference,
                                reply if isinstance(reply, dict) else {"reply": reply},
                                None, where, reference_value, system_value)
        self.trace[-1]["note"] = "DIVERGES: " + explain(divergence)
        return divergence

    def failure(self, divergence: Divergence) -> ConformanceFailure:
        return ConformanceFailure(divergence, self.history, self.trace_text(), self.start_world, self.reset_ok)

    # ---- observations ----------------------------------------------------------------------------------

    def observations(self, caller: str) -> Iterator[tuple[str, JSON]]:
        """The read-only requests whose answers must agree after settle, for one caller."""
        instances = sum(1 for i in self.model.instances.values() if i.owner == caller and i.region == NORTH)
        for page in range(1, max(1, -(-instances // 100)) + 1):
            yield "describeInstances", {"regionId": NORTH, "pageNumber": page, "pageSize": 100}
        own = sorted(i.image_id for i in self.model.images.values()
                     if i.owner == caller and i.region == NORTH and i.source == "private")
        for page in range(1, max(1, -(-len(own) // 100)) + 1):
            yield "describeImages", {"regionId": NORTH, "imageSource": "private", "pageNumber": page,
                                     "pageSize": 100}
        # Copies live in their destination regions: each other region the caller holds private images in is
        # listed too (a copy's name, status and size are seen there only).
        elsewhere = sorted({i.region for i in self.model.images.values()
                            if i.owner == caller and i.region != NORTH and i.source == "private"})
        for region in elsewhere:
            yield "describeImages", {"regionId": region, "imageSource": "private", "pageNumber": 1,
                                     "pageSize": 100}
        yield "describeQuotas", {"regionId": NORTH}
        for image_id in own:
            yield "describeImageMembers", {"regionId": NORTH, "imageId": image_id}

    def observe(self) -> Divergence | None:
        for caller in sorted(self.callers_seen):
            for operation, params in self.observations(caller):
                outcome = execute(self.model, operation, params, caller=caller)
                reply = self.adapter.call(operation, self.ids.system(params), caller)
                divergence = self._compare(operation, params, caller, outcome.to_response("reference"), reply,
                                           outcome.error.rule if outcome.error else None, "observation")
                if divergence is not None:
                    expect: Any = _expect(outcome)
                    if outcome.ok:
                        expect = {"result": normalized(outcome.result, self.volatile)}
                    self.trace.append({"op": operation, "params": params, "caller": caller, "expect": expect,
                                       "note": "DIVERGES: " + explain(divergence)})
                    return divergence
        return self.observe_resources()

    def observe_resources(self) -> Divergence | None:
        """With the adapter's optional ``resources()`` — its disks, network interfaces and elastic IPs, as
        the sections of a world snapshot (``World.to_dict``) — those compared with the reference's, entry by
        entry by id (the model's ids translated): what the VM API shows only indirectly (a disk kept after
        deleteInstance, an elastic IP left bound) is then seen at the first settle after it."""
        view = getattr(self.adapter, "resources", None)
        if not callable(view):
            return None
        system_view = view()
        snapshot = resource_view(self.model)
        for section, key in RESOURCE_SECTIONS:
            expected = {e[key]: e for e in self.ids.system(snapshot[section])}
            got = system_view.get(section) if isinstance(system_view, dict) else None
            actual = {e.get(key): e for e in got if isinstance(e, dict)} if isinstance(got, list) else {}
            found = first_difference(expected, actual, f"resources.{section}", self.volatile)
            if found is not None:
                where, a, b = found
                divergence = Divergence("observation", self.steps, "resources", MAIN, {"section": section},
                                        {"result": a}, {"result": b}, None, where, a, b)
                self.trace.append({"op": "resources", "params": {"section": section},
                                   "note": "DIVERGES: " + explain(divergence)})
                return divergence
        return None

    # ---- comparison ------------------------------------------------------------------------------------

    def _compare(self, operation: str, params: JSON, caller: str, reference: JSON, reply: Any,
                 rule_id: str | None, context: str) -> Divergence | None:
        def diverge(kind: str, where: str | None = None, a: Any = None, b: Any = None) -> Divergence:
            return Divergence(kind if context == "request" or kind == "transport" else "observation",
                              self.steps, operation, caller, params, reference,
                              reply if isinstance(reply, dict) else {"reply": reply}, rule_id, where, a, b)

        if not _is_envelope(reply):
            return diverge("transport")
        ref_error = reference.get("error")
        sys_error = reply.get("error")
        if (ref_error is None) != (sys_error is None):
            return diverge("outcome")
        mode = self.kit.mode
        if ref_error is not None:
            if mode != "outcome" and (ref_error["status"], ref_error["code"]) != (
                    sys_error.get("status"), sys_error.get("code")):
                return diverge("status", "error", f"{ref_error['status']} {ref_error['code']}",
                               f"{sys_error.get('status')} {sys_error.get('code')}")
            return None
        if mode == "outcome" or (mode == "status" and context == "request"):
            return None
        ref_result, sys_result = reference["result"], self.ids.model(reply["result"])
        if mode == "status":
            ref_result = _summary(operation, normalized(ref_result, self.volatile))
            sys_result = _summary(operation, normalized(sys_result, self.volatile))
        found = first_difference(ref_result, sys_result, volatile=self.volatile)
        if found is None:
            return None
        return diverge("result", *found)

    def _learn(self, operation: str, model_result: JSON, system_result: Any, caller: str) -> None:
        """Learn the ids a create returned, then the ids of what came with them (disks, interfaces, snapshots)
        by describing the new resources on both sides."""
        if not isinstance(system_result, dict):
            return
        if operation == "createInstances":
            pairs = list(zip(model_result.get("instanceIds", []), system_result.get("instanceIds", []) or [],
                             strict=False))
            follow = "describeInstance", "instanceId", "instance"
        elif operation == "createImage":
            pairs = [(model_result.get("imageId"), system_result.get("imageId"))]
            follow = "describeImage", "imageId", "image"
        elif operation == "copyImages":
            pairs = [(m.get("destinationImageId"), s.get("destinationImageId"))
                     for m, s in zip(model_result.get("copyImages", []), system_result.get("copyImages", []) or [],
                                     strict=False) if isinstance(m, dict) and isinstance(s, dict)]
            follow = "describeImage", "imageId", "image"
        else:
            return
        for model_id, system_id in pairs:
            if not (isinstance(model_id, str) and isinstance(system_id, str)):
                continue
            self.ids.learn(model_id, system_id)
            op, key, member = follow
            region = self._region_of(model_id)
            seen = execute(self.model, op, {"regionId": region, key: model_id}, caller=caller)
            reply = self.adapter.call(op, {"regionId": region, key: system_id}, caller)
            if seen.ok and _is_envelope(reply) and "result" in reply:
                self.ids.pair(seen.result.get(member), reply["result"].get(member))

    def _region_of(self, model_id: str) -> str:
        image = self.model.images.get(model_id)
        if image is not None:
            return image.region
        inst = self.model.instances.get(model_id)
        return inst.region if inst is not None else NORTH

    # ---- building the start through the API ------------------------------------------------------------

    def setup_through_api(self) -> Divergence | None:
        """For systems that cannot be reset: build what the API can of the edge world, in lockstep (a local
        system disk with 8 data disks, a stopped cloud one with 7, an image shared with 20 accounts, an instance
        of the second caller)."""
        main = self.kit.callers[0] if self.kit.callers else MAIN
        world = self.model
        made: list[str] = []
        for spec in (create_spec(world, main, local=True, data_disks=8), create_spec(world, main, data_disks=7),
                     create_spec(world, main)):
            if spec is None:
                continue
            found = self.request("createInstances", spec, main) or self.settle()
            if found is not None:
                return found
            made.extend(i.instance_id for i in self.model.instances.values()
                        if i.owner == main and i.instance_id not in made)
        steps: list[tuple[str, Callable[[], JSON | None]]] = []
        if len(made) >= 3:
            cloud7, plain = made[1], made[2]
            steps = [
                ("stopInstance", lambda: {"regionId": NORTH, "instanceId": cloud7}),
                ("stopInstance", lambda: {"regionId": NORTH, "instanceId": plain}),
                ("settle", lambda: None),
                ("createImage", lambda: {"regionId": NORTH, "instanceId": plain, "name": "edge-shared20"}),
                ("settle", lambda: None),
                ("shareImage", lambda: self._share_all(main)),
            ]
        for operation, make in steps:
            if operation == "settle":
                found = self.settle()
            else:
                params = make()
                found = self.request(operation, params, main) if params is not None else None
            if found is not None:
                return found
        for other in self.kit.callers[1:2]:
            spec = create_spec(self.model, other)
            if spec is not None:
                found = self.request("createInstances", spec, other)
                if found is not None:
                    return found
        return self.settle()

    def _share_all(self, owner: str) -> JSON | None:
        images = sorted((i for i in self.model.images.values() if i.owner == owner and i.source == "private"
                         and not i.shared_with), key=lambda i: -i.create_time)
        if not images:
            return None
        pins = [p for p in sorted(self.model.accounts) if p != owner][:20]
        return {"regionId": NORTH, "imageId": images[0].image_id, "pins": pins}

    # ---- the trace -------------------------------------------------------------------------------------

    def trace_text(self, world_file: str = "start-world.json") -> str:
        """The steps run so far as a ``vmrules run`` trace (JSON Lines) with the model's expectations."""
        lines = [
            "# vmrules conformance trace: the steps up to the first divergence, with the reference's expectations.",
            f"# Replay against the reference: vmrules run TRACE.jsonl --world {world_file}",
        ]
        lines += [json.dumps(step, ensure_ascii=False) for step in self.trace]
        return "\n".join(lines) + "\n"


def _summary(operation: str, result: Any) -> Any:
    """What ``status`` mode compares of an observation: ids and statuses, quotas, members."""
    if not isinstance(result, dict):
        return result
    if operation == "describeInstances":
        return [(i.get("instanceId"), i.get("status")) for i in result.get("instances", []) if isinstance(i, dict)]
    if operation == "describeImages":
        return [(i.get("imageId"), i.get("status")) for i in result.get("images", []) if isinstance(i, dict)]
    return result
