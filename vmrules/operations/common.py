"""Pieces shared by operation modules: instance-scoped requests and contexts, and rule factories for the
checks the seed repeats (a resource exists, has no task in progress, is in a given status)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, Generic, TypeVar

from vmrules.model import Image, Instance, InstanceStatus, Task
from vmrules.operation import Ctx, Request
from vmrules.rules import Finding, Findings, Phase, Rule, Source, inferred, rule
from vmrules.world import World

Completion = Callable[[World, Task], World]


class InstanceRequest(Request):
    """Parameters of every operation addressed to one instance."""

    instanceId: str


IR = TypeVar("IR", bound=InstanceRequest)


@dataclass(slots=True)
class InstanceCtx(Ctx[IR]):
    """Context of an instance operation: ``instance`` is None when the caller cannot see it."""

    instance: Instance | None


def instance_context(world: World, caller: str, req: IR) -> InstanceCtx[IR]:
    return InstanceCtx(world, caller, req, world.instance(caller, req.regionId, req.instanceId))


M = TypeVar("M")


@dataclass(slots=True)
class InstanceAndCtx(InstanceCtx[IR], Generic[IR, M]):
    """Context of an operation on an instance and one more resource the request names by id (the disk of
    attachDisk/detachDisk, the interface of attachNetworkInterface/detachNetworkInterface): ``other`` is None
    when the caller cannot see it. Subclasses name ``other`` for their rules (``DiskCtx.disk``)."""

    other: M | None


IC = TypeVar("IC", bound=InstanceAndCtx[Any, Any])


def instance_and(cls: type[IC], find: Callable[[World, str, str, str], object], rule_id: str, noun: str,
                 id_field: str, source: Source) -> tuple[Callable[[World, str, Any], IC], Rule[IC]]:
    """The context builder for ``cls`` (the instance ``instanceId`` names and the resource that
    ``find(world, caller, region, id)`` resolves for the request's ``id_field``) and the NOT_FOUND rule
    ``rule_id`` for that resource."""
    requested = attrgetter(id_field)

    def context(world: World, caller: str, req: Any) -> IC:
        return cls(world, caller, req, world.instance(caller, req.regionId, req.instanceId),
                   find(world, caller, req.regionId, requested(req)))

    exists: Rule[IC] = exists_rule(rule_id, noun, id_field, resolved=attrgetter("other"),
                                   requested=attrgetter(f"req.{id_field}"), source=source)
    return context, exists


@rule(
    "COMMON.REGION_EXISTS",
    phase=Phase.PARAMETERS,
    statement="regionId names a region of the world.",
    source=inferred("every path starts with /regions/{regionId}"),
    field="regionId",
)
def region_exists(ctx: Ctx[Any]) -> Findings:
    if ctx.req.regionId in ctx.world.regions:
        return None
    known = ", ".join(sorted(ctx.world.regions))
    return Finding(f"regionId {ctx.req.regionId!r} is not a region (known: {known})")


X = TypeVar("X", bound=Ctx[Any])


def exists_rule(rule_id: str, noun: str, field: str, *, resolved: Callable[[X], object],
                requested: Callable[[X], str | None], source: Source, statement: str | None = None,
                region_checked: bool = True) -> Rule[X]:
    """NOT_FOUND when the request names a ``noun`` (``requested(ctx)``, None when it names none) that the
    context did not resolve (``resolved(ctx)`` is None: absent, or another account's or region's, so that its
    existence does not leak). With ``region_checked`` the finding is left to COMMON.REGION_EXISTS when the
    region itself is unknown. The statement defaults to "The <noun> exists in the region and belongs to the
    caller."."""
    shown = statement if statement is not None else f"The {noun} exists in the region and belongs to the caller."

    def check(ctx: X) -> Findings:
        if resolved(ctx) is not None:
            return None
        wanted = requested(ctx)
        if wanted is None or (region_checked and ctx.req.regionId not in ctx.world.regions):
            return None
        return Finding(f"{noun} {wanted!r} not found in region {ctx.req.regionId}")

    return Rule(rule_id, Phase.EXISTENCE, shown, source, field, check)


def image_ready_rule(rule_id: str, field: str, use: str, *, resolved: Callable[[X], Image | None],
                     statement: str, source: Source) -> Rule[X]:
    """FAILED_PRECONDITION unless the image the context resolved is ready (the seed's "需要等待镜像状态变为
    ready后，才能正常使用镜像"); ``use`` completes "only a ready image can be ...". A missing image is left to
    the existence rule."""

    def check(ctx: X) -> Findings:
        image = resolved(ctx)
        if image is None or image.status == "ready":
            return None
        return Finding(f"image {image.image_id} is {image.status}; only a ready image can be {use}")

    return Rule(rule_id, Phase.STATE, statement, source, field, check)


def enum_rule(rule_id: str, field: str, getter: Callable[[Any], str | None], allowed: tuple[str, ...],
              source: Source) -> Rule[Ctx[Any]]:
    """A string parameter (``getter(req)``), when given, is one of ``allowed``."""
    shown = ", ".join(allowed)

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None or value in allowed:
            return None
        return Finding(f"{field} {value!r} is not one of {shown}")

    return Rule(rule_id, Phase.PARAMETERS, f"{field}, when given, is one of {shown}.", source, field, check)


# ---- lists of items that each name a resource (dataDisks[n].diskId, networks[n].networkInterfaceId) ----------
# ``ids(ctx)`` gives each item's id (None when the item names none), ``resolved(ctx)`` what the context found
# for each item; findings name the item's field path ``<list_field>.<n>.<id_key>``.


def item_ids_required(rule_id: str, list_field: str, id_key: str, ids: Callable[[X], Sequence[str | None]], *,
                      statement: str, source: Source) -> Rule[X]:
    """INVALID_ARGUMENT for every item that names no resource."""

    def check(ctx: X) -> Findings:
        return [Finding(f"{list_field}.{n}.{id_key} is required", f"{list_field}.{n}.{id_key}")
                for n, item_id in enumerate(ids(ctx)) if item_id is None]

    return Rule(rule_id, Phase.PARAMETERS, statement, source, list_field, check)


def item_ids_unique(rule_id: str, list_field: str, id_key: str, ids: Callable[[X], Sequence[str | None]], *,
                    statement: str, source: Source) -> Rule[X]:
    """INVALID_ARGUMENT for every item naming a resource an earlier item named."""

    def check(ctx: X) -> Findings:
        seen: dict[str, int] = {}
        found = []
        for n, item_id in enumerate(ids(ctx)):
            if item_id is None:
                continue
            if item_id in seen:
                found.append(Finding(f"{list_field}.{n}.{id_key} {item_id!r} repeats {list_field}.{seen[item_id]}",
                                     f"{list_field}.{n}.{id_key}"))
            else:
                seen[item_id] = n
        return found

    return Rule(rule_id, Phase.PARAMETERS, statement, source, list_field, check)


def item_ids_exist(rule_id: str, list_field: str, id_key: str, ids: Callable[[X], Sequence[str | None]],
                   resolved: Callable[[X], Sequence[object]], *, statement: str, source: Source) -> Rule[X]:
    """NOT_FOUND for every item naming a resource the context did not resolve (left to COMMON.REGION_EXISTS
    when the region is unknown)."""

    def check(ctx: X) -> Findings:
        if ctx.req.regionId not in ctx.world.regions:
            return None
        return [Finding(f"{list_field}.{n}.{id_key} {item_id!r} not found in region {ctx.req.regionId}",
                        f"{list_field}.{n}.{id_key}")
                for n, (item_id, found) in enumerate(zip(ids(ctx), resolved(ctx), strict=False))
                if item_id is not None and found is None]

    return Rule(rule_id, Phase.EXISTENCE, statement, source, list_field, check)


# ---- lists of names looked up in the world (keyNames, securityGroups, snapshotIds) ---------------------------


def listed_exist_rule(rule_id: str, noun: str, field: str, listed: Callable[[X], Iterable[tuple[Any, str]]],
                      find: Callable[[World, str, str, str], object], *, statement: str, source: Source,
                      region_checked: bool = True, path: Callable[[Any], str] | None = None) -> Rule[X]:
    """NOT_FOUND for every ``(key, name)`` of ``listed(ctx)`` that ``find(world, caller, region, name)`` does
    not resolve, with exists_rule's message, named by the path ``path(key)`` (the key itself when ``path`` is
    None: ``listed`` gives the paths). A ``path`` builds a path only for a name not found (the common case of
    a hot rule builds none). ``region_checked`` as in exists_rule."""

    def check(ctx: X) -> Findings:
        region = ctx.req.regionId
        world, caller = ctx.world, ctx.caller
        if region_checked and region not in world.regions:
            return None
        return [Finding(f"{noun} {name!r} not found in region {region}", key if path is None else path(key))
                for key, name in listed(ctx) if find(world, caller, region, name) is None]

    return Rule(rule_id, Phase.EXISTENCE, statement, source, field, check)


instance_exists: Rule[InstanceCtx[Any]] = exists_rule(
    "INSTANCE.EXISTS", "instance", "instanceId", resolved=attrgetter("instance"),
    requested=attrgetter("req.instanceId"),
    source=inferred("an instance of another account or region is not found, so its existence does not leak"),
)


def as_source(quote: str | Source) -> Source:
    """A ``Source`` as given, or the seed sentence ``quote``."""
    return quote if isinstance(quote, Source) else Source("seed", quote)


def no_task_rule(rule_id: str, noun: str, field: str, *, resolved: Callable[[X], Any],
                 resource_id: Callable[[Any], str], source: Source, statement: str | None = None,
                 show_status: bool = True) -> Rule[X]:
    """FAILED_PRECONDITION while a task runs on the resource the context resolved (``resolved(ctx)``; None is
    left to the existence rule). The message names the task's kind and, with ``show_status``, the resource's
    status. The statement defaults to "The <noun> has no task in progress."."""
    shown = statement if statement is not None else f"The {noun} has no task in progress."

    def check(ctx: X) -> Findings:
        found = resolved(ctx)
        if found is None:
            return None
        rid = resource_id(found)
        task = ctx.world.tasks.get(rid)
        if task is None:
            return None
        status = f", status {found.status}" if show_status else ""
        return Finding(f"{noun} {rid} has a task in progress ({task.kind}{status}); retry after it completes")

    return Rule(rule_id, Phase.STATE, shown, source, field, check)


def instance_idle(rule_id: str, quote: str | Source) -> Rule[InstanceCtx[Any]]:
    """The seed's "云主机没有正在进行中的任务": FAILED_PRECONDITION while a task runs on the instance."""
    return no_task_rule(rule_id, "instance", "instanceId", resolved=attrgetter("instance"),
                        resource_id=attrgetter("instance_id"), source=as_source(quote))


def instance_status_in(rule_id: str, allowed: Iterable[str], quote: str | Source) -> Rule[InstanceCtx[Any]]:
    """The instance's status is one of ``allowed`` (FAILED_PRECONDITION otherwise)."""
    allowed_t = tuple(allowed)
    shown = " or ".join(allowed_t)

    def check(ctx: InstanceCtx[Any]) -> Findings:
        inst = ctx.instance
        if inst is None or inst.status in allowed_t:
            return None
        return Finding(f"instance {inst.instance_id} is {inst.status}; this operation needs status {shown}")

    return Rule(rule_id, Phase.STATE, f"The instance's status is {shown}.", as_source(quote), "instanceId", check)


def instance_charge_normal(rule_id: str, statement: str, source: Source, refusal: str) -> Rule[InstanceCtx[Any]]:
    """FAILED_PRECONDITION unless the instance's billing status is normal (in arrears or expired: ``refusal``
    says what the instance cannot do). An instance without billing information is left to other rules."""

    def check(ctx: InstanceCtx[Any]) -> Findings:
        inst = ctx.instance
        if inst is None or inst.charge is None:
            return None
        status = inst.charge.effective_status(ctx.world.clock)
        if status == "normal":
            return None
        return Finding(f"instance {inst.instance_id} billing status is {status}; {refusal}")

    return Rule(rule_id, Phase.STATE, statement, source, "instanceId", check)


# ---- transitions shared by the instance operations --------------------------------------------------------


def begin_instance_task(world: World, inst: Instance, status: InstanceStatus, kind: str,
                        ref: str | None = None) -> World:
    """``inst`` (with any other changes already made) in the transitional ``status``, and a task of ``kind`` on
    it that ``settle`` completes with the completion registered under ``kind``."""
    world = world.with_instance(replace(inst, status=status))
    return world.with_task(inst.instance_id, kind, ref)


# effect: MODIFY_INSTANCE_PASSWORD.APPLIES_AFTER_RESTART (apply_password: a start or reboot completes)
def finish_instance_task(status: InstanceStatus, *, apply_password: bool = False) -> Completion:
    """A completion that moves the instance to ``status`` (and, with ``apply_password``, applies a pending
    password, as a boot does). Total: a vanished instance leaves the world unchanged."""

    def complete(world: World, task: Task) -> World:
        inst = world.instances.get(task.resource_id)
        if inst is None:
            return world
        if apply_password and inst.pending_password_digest is not None:
            inst = replace(inst, password_digest=inst.pending_password_digest, pending_password_digest=None)
        return world.with_instance(replace(inst, status=status))

    return complete
