"""The world's state record: every resource the rules look at, in persistent maps with structural sharing.

``WorldState`` holds the data and the scoped lookups; ``vmrules.world.World`` (the class users and operations
use) adds the conveniences that need the snapshot codec and the default world, which are built on this record.

A transition builds a new ``World`` that shares every unchanged map node with the old one (``immutables.Map``
is a HAMT), so its cost does not grow with the number of resources. Lookups that take a caller return None
for resources of other accounts or regions: to a caller, someone else's resource does not exist.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any, Generic, Self, TypeVar

from immutables import Map

from vmrules.clock import DEFAULT_EPOCH
from vmrules.ids import derive_id
from vmrules.indexes import (
    CONSTRAINED,
    LISTED_SOURCES,
    ByKey,
    InstanceOrder,
    ListingKey,
    OrderKey,
    SortedEntries,
    addresses_with,
    addresses_without,
    build_default_groups,
    build_image_listings,
    build_instance_indexes,
    build_instance_order,
    build_instances_by,
    build_subnet_addresses,
    by_replaced,
    image_listings_replaced,
    instance_indexes_extended,
    listing_key,
    order_with,
    order_without,
    subnet_addresses_extended,
)
from vmrules.model import (
    Account,
    AvailabilityGroup,
    Disk,
    ElasticIp,
    Image,
    Instance,
    InstanceTemplate,
    InstanceType,
    Keypair,
    NetworkInterface,
    Region,
    SecurityGroup,
    Snapshot,
    Subnet,
    Task,
    Vpc,
)
from vmrules.task_starts import (
    NO_TASKS,
    TaskStarts,
    build_task_starts,
    task_starts_extended,
    task_starts_replaced,
)

# Usage counters kept per (pin, region, resourceType): quota checks and describeQuotas read them in O(1).
UsageKey = tuple[str, str, str]


def _empty() -> Map[Any, Any]:
    return Map()


@dataclass(frozen=True, slots=True, eq=True)
class WorldState:
    clock: int = DEFAULT_EPOCH
    default_account: str = ""
    sequence: int = 0
    regions: Map[str, Region] = field(default_factory=_empty)
    accounts: Map[str, Account] = field(default_factory=_empty)
    instance_types: Map[str, InstanceType] = field(default_factory=_empty)
    images: Map[str, Image] = field(default_factory=_empty)
    instances: Map[str, Instance] = field(default_factory=_empty)
    disks: Map[str, Disk] = field(default_factory=_empty)
    network_interfaces: Map[str, NetworkInterface] = field(default_factory=_empty)
    elastic_ips: Map[str, ElasticIp] = field(default_factory=_empty)
    vpcs: Map[str, Vpc] = field(default_factory=_empty)
    subnets: Map[str, Subnet] = field(default_factory=_empty)
    security_groups: Map[str, SecurityGroup] = field(default_factory=_empty)
    # keyed by (owner, region, keyName): key names are unique per account and region.
    keypairs: Map[tuple[str, str, str], Keypair] = field(default_factory=_empty)
    snapshots: Map[str, Snapshot] = field(default_factory=_empty)
    templates: Map[str, InstanceTemplate] = field(default_factory=_empty)
    availability_groups: Map[str, AvailabilityGroup] = field(default_factory=_empty)
    # resource id -> its task in progress; ``settle`` completes them all.
    tasks: Map[str, Task] = field(default_factory=_empty)
    # (owner, region, clientToken) -> instance ids created by that createInstances call.
    client_tokens: Map[tuple[str, str, str], tuple[str, ...]] = field(default_factory=_empty)
    usage: Map[UsageKey, int] = field(default_factory=_empty)
    # ---- derived indexes (vmrules.indexes): never in snapshots, built on construction, kept by transitions
    instance_order: Map[OrderKey, InstanceOrder] = field(default_factory=_empty)
    instances_by: Map[ByKey, InstanceOrder] = field(default_factory=_empty)
    image_listings: Map[ListingKey, SortedEntries] = field(default_factory=_empty)
    subnet_addresses: Map[str, Map[str, str]] = field(default_factory=_empty)
    default_groups: Map[str, str] = field(default_factory=_empty)
    task_starts: TaskStarts = NO_TASKS

    def __post_init__(self) -> None:
        # A world constructed from maps (a snapshot, the default world, a test) derives its indexes here;
        # transitions go through ``evolve``, which keeps them up to date instead.
        if self.instances and not self.instance_order and not self.instances_by:
            order, by = build_instance_indexes(self.instances.values())
            object.__setattr__(self, "instance_order", order)
            object.__setattr__(self, "instances_by", by)
        if self.instances and not self.instance_order:
            object.__setattr__(self, "instance_order", build_instance_order(self.instances.values()))
        if self.instances and not self.instances_by:
            object.__setattr__(self, "instances_by", build_instances_by(self.instances.values()))
        if self.images and not self.image_listings:
            object.__setattr__(self, "image_listings", build_image_listings(self.images.values()))
        if self.network_interfaces and not self.subnet_addresses:
            object.__setattr__(self, "subnet_addresses", build_subnet_addresses(self.network_interfaces.values()))
        if self.security_groups and not self.default_groups:
            object.__setattr__(self, "default_groups", build_default_groups(self.security_groups.values()))
        if self.tasks and not self.task_starts.by_start:
            object.__setattr__(self, "task_starts", build_task_starts(self.tasks))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(clock={self.clock}, default_account={self.default_account!r}, "
                f"instances={len(self.instances)}, images={len(self.images)}, disks={len(self.disks)}, "
                f"tasks={len(self.tasks)})")

    def evolve(self, **changes: Any) -> Self:
        """A copy with ``changes`` (field=value); the maps it does not name are shared, not copied.

        Written for speed (a transition evolves the world a dozen times): all fields are read in one
        ``attrgetter`` call and written through the slot descriptors, about half of ``dataclasses.replace``.
        """
        values = list(_READ_ALL(self))
        for name, value in changes.items():
            index = _FIELD_INDEX.get(name)
            if index is None:
                raise TypeError(f"World has no field {name!r}")
            values[index] = value
        # A caller that changes instances or interfaces without handing over the updated indexes (a test or a
        # hand-built world; transitions use ``with_instance`` / ``without_instance`` / ``with_interface`` and
        # ``Batch``) gets them rebuilt: the indexes are never wrong, and a transition that forgot shows up as a
        # cost in the world's size in bench/scale.py. (No shortcut on the map's size: a change that keeps the
        # count can still move an instance or an address, or swap one entity for another.)
        if "instances" in changes:
            if "instance_order" not in changes:
                values[_ORDER_INDEX] = build_instance_order(changes["instances"].values())
            if "instances_by" not in changes:
                values[_BY_INDEX] = build_instances_by(changes["instances"].values())
        if "images" in changes and "image_listings" not in changes:
            values[_IMAGES_INDEX] = build_image_listings(changes["images"].values())
        if "network_interfaces" in changes and "subnet_addresses" not in changes:
            values[_ADDRESSES_INDEX] = build_subnet_addresses(changes["network_interfaces"].values())
        if "security_groups" in changes and "default_groups" not in changes:  # no transition changes groups
            values[_GROUPS_INDEX] = build_default_groups(changes["security_groups"].values())
        if "tasks" in changes and "task_starts" not in changes:
            values[_TASKS_INDEX] = build_task_starts(changes["tasks"])
        new = object.__new__(type(self))
        for write, value in zip(_SLOT_WRITERS, values, strict=True):
            write(new, value)
        return new

    # ---- instances: the one way a transition puts or removes one, keeping the indexes ---------------

    def with_instance(self, inst: Instance) -> Self:
        """The world with ``inst`` put in (new, or replacing the instance with its id) and the instance indexes
        updated in O(log n): every transition that changes an instance (its status above all) goes through
        here, so ``instances_by`` always lists each instance under its current status."""
        old = self.instances.get(inst.instance_id)
        order = self.instance_order
        if old is None:
            order = order_with(order, inst)
        elif (old.owner, old.region, old.seq) != (inst.owner, inst.region, inst.seq):
            order = order_with(order_without(order, old), inst)
        return self.evolve(instances=self.instances.set(inst.instance_id, inst), instance_order=order,
                           instances_by=by_replaced(self.instances_by, old, inst))

    def without_instance(self, instance_id: str) -> Self:
        """The world without the instance (if present), the instance indexes updated in O(log n)."""
        old = self.instances.get(instance_id)
        if old is None:
            return self
        return self.evolve(instances=self.instances.delete(instance_id),
                           instance_order=order_without(self.instance_order, old),
                           instances_by=by_replaced(self.instances_by, old, None))

    # ---- interfaces: the one way a transition replaces one, keeping the address index ---------------

    def with_interface(self, nic: NetworkInterface) -> Self:
        """The world with ``nic`` put in (new, or replacing the interface with its id) and ``subnet_addresses``
        updated in O(log n): the old interface's address is freed when the new one is elsewhere."""
        old = self.network_interfaces.get(nic.nic_id)
        addresses = self.subnet_addresses
        if old is not None and (old.subnet_id, old.private_ip) != (nic.subnet_id, nic.private_ip):
            addresses = addresses_without(addresses, old)
        return self.evolve(network_interfaces=self.network_interfaces.set(nic.nic_id, nic),
                           subnet_addresses=addresses_with(addresses, nic))

    # ---- images: the one way a transition puts or removes one, keeping the index -------------------

    def with_image(self, image: Image) -> Self:
        """The world with ``image`` put in (new, or replacing the image with its id), ``image_listings``
        updated in O(log n) per listing the image leaves or joins."""
        return self.evolve(images=self.images.set(image.image_id, image), image_listings=image_listings_replaced(
            self.image_listings, self.images.get(image.image_id), image))

    def without_image(self, image_id: str) -> Self:
        """The world without the image (if present), ``image_listings`` updated in O(log n) per listing."""
        old = self.images.get(image_id)
        if old is None:
            return self
        return self.evolve(images=self.images.delete(image_id),
                           image_listings=image_listings_replaced(self.image_listings, old, None))

    def listed_images(self, source: str, caller: str, region: str, start: int = 0) -> Iterator[Image]:
        """The images describeImages lists for ``imageSource=source`` to the caller in the region, oldest first
        (ties by id), from position ``start`` (index-served: costs what it yields; an unknown source lists
        nothing)."""
        order = self.image_listings.get(listing_key(source, caller, region))
        if order is None:
            return
        images = self.images
        for _, image_id in order.entries(start):
            yield images[image_id]

    def listed_image_count(self, source: str, caller: str, region: str) -> int:
        order = self.image_listings.get(listing_key(source, caller, region))
        return 0 if order is None else order.count

    def visible_images(self, caller: str, region: str) -> Iterator[Image]:
        """Every image the caller can see in the region (``image`` finds), oldest first (ties by id): its four
        listings merged, each image in exactly one of them."""
        return self._merged_listings(caller, region, "")

    def constrained_images(self, caller: str, region: str) -> Iterator[Image]:
        """The images of ``visible_images`` that have an instance-type constraint, in the same order, from the
        constrained listings (costs what it yields)."""
        return self._merged_listings(caller, region, CONSTRAINED)

    def _merged_listings(self, caller: str, region: str, prefix: str) -> Iterator[Image]:
        orders = [o for o in (self.image_listings.get(listing_key(prefix + source, caller, region))
                              for source in LISTED_SOURCES) if o is not None]
        images = self.images
        for _, image_id in heapq.merge(*(o.entries() for o in orders)):
            yield images[image_id]

    # ---- identifiers --------------------------------------------------------------------------------

    def new_id(self, prefix: str) -> tuple[str, Self]:
        """A fresh id with ``prefix`` and the world with its sequence advanced (skips any id in use)."""
        rid, seq = fresh_id(prefix, self.sequence, _ID_MAPS_OF(self))
        return rid, self.evolve(sequence=seq)

    # ---- scoped lookups: None when absent, in another region, or owned by another account ------------

    def account(self, pin: str) -> Account | None:
        return self.accounts.get(pin)

    def instance(self, caller: str, region: str, instance_id: str) -> Instance | None:
        return _owned(self.instances.get(instance_id), caller, region)

    def disk(self, caller: str, region: str, disk_id: str) -> Disk | None:
        return _owned(self.disks.get(disk_id), caller, region)

    def network_interface(self, caller: str, region: str, nic_id: str) -> NetworkInterface | None:
        return _owned(self.network_interfaces.get(nic_id), caller, region)

    def elastic_ip(self, caller: str, region: str, eip_id: str) -> ElasticIp | None:
        return _owned(self.elastic_ips.get(eip_id), caller, region)

    def vpc(self, caller: str, region: str, vpc_id: str) -> Vpc | None:
        return _owned(self.vpcs.get(vpc_id), caller, region)

    def subnet(self, caller: str, region: str, subnet_id: str) -> Subnet | None:
        return _owned(self.subnets.get(subnet_id), caller, region)

    def security_group(self, caller: str, region: str, sg_id: str) -> SecurityGroup | None:
        return _owned(self.security_groups.get(sg_id), caller, region)

    def snapshot(self, caller: str, region: str, snapshot_id: str) -> Snapshot | None:
        return _owned(self.snapshots.get(snapshot_id), caller, region)

    def template(self, caller: str, region: str, template_id: str) -> InstanceTemplate | None:
        return _owned(self.templates.get(template_id), caller, region)

    def availability_group(self, caller: str, region: str, ag_id: str) -> AvailabilityGroup | None:
        return _owned(self.availability_groups.get(ag_id), caller, region)

    def keypair(self, caller: str, region: str, key_name: str) -> Keypair | None:
        return self.keypairs.get((caller, region, key_name))

    def image(self, caller: str, region: str, image_id: str) -> Image | None:
        """An image the caller can see: official, third-party, its own private, or shared with it."""
        image = self.images.get(image_id)
        if image is None or image.region != region:
            return None
        if image.owner == caller or image.source in ("public", "thirdparty") or caller in image.shared_with:
            return image
        return None

    def instance_type(self, name: str) -> InstanceType | None:
        return self.instance_types.get(name)

    def default_security_group(self, vpc_id: str) -> SecurityGroup | None:
        """The VPC's default security group (the first the map lists), looked up in ``default_groups``."""
        group_id = self.default_groups.get(vpc_id)
        return None if group_id is None else self.security_groups[group_id]

    def owned_instances(self, caller: str, region: str, start: int = 0) -> Iterator[Instance]:
        """The caller's instances in the region in creation order, from position ``start`` (index-served:
        costs what it yields plus the chunks it skips, not the world's size)."""
        order = self.instance_order.get((caller, region))
        if order is None:
            return
        instances = self.instances
        for instance_id in order.ids(start):
            yield instances[instance_id]

    def instances_with(self, caller: str, region: str, name: str, value: str) -> InstanceOrder | None:
        """The caller's instances in the region whose filter ``name`` (one of ``INDEXED_FILTERS``) has
        ``value``, in creation order (index lookup); None when there are none."""
        return self.instances_by.get((caller, region, name, value))

    def image_users(self, image_id: str) -> list[str]:
        """The ids of every account's instances, in any region, whose image is ``image_id`` (the imageId index:
        costs the accounts' regions and the matches, not the world's instances)."""
        by = self.instances_by
        users: list[str] = []
        for owner, region in self.instance_order:  # the (account, region) pairs that have instances
            order = by.get((owner, region, "imageId", image_id))
            if order is not None:
                users.extend(order.ids(0))
        return users

    def owned_instance_count(self, caller: str, region: str) -> int:
        order = self.instance_order.get((caller, region))
        return 0 if order is None else order.count

    def address_user(self, subnet_id: str, ip: str) -> str | None:
        """The interface of the subnet whose private address is ``ip``, if any (index lookup)."""
        in_subnet = self.subnet_addresses.get(subnet_id)
        return None if in_subnet is None else in_subnet.get(ip)

    # ---- tasks and usage ----------------------------------------------------------------------------

    def busy(self, resource_id: str) -> bool:
        """True while a task is in progress on the resource (正在进行中的任务)."""
        return resource_id in self.tasks

    def with_task(self, resource_id: str, kind: str, ref: str | None = None) -> Self:
        task = Task(kind, resource_id, self.clock, ref)
        return self.evolve(tasks=self.tasks.set(resource_id, task), task_starts=task_starts_replaced(
            self.task_starts, resource_id, self.tasks.get(resource_id), task))

    def without_task(self, resource_id: str) -> Self:
        old = self.tasks.get(resource_id)
        if old is None:
            return self
        return self.evolve(tasks=self.tasks.delete(resource_id),
                           task_starts=task_starts_replaced(self.task_starts, resource_id, old, None))

    def tasks_started_by(self, clock: int) -> list[str]:
        """The resources whose task started at or before ``clock``, in no particular order (index-served:
        costs the tasks it yields, not every task in progress)."""
        return self.task_starts.started_by(clock)

    def used(self, pin: str, region: str, resource_type: str) -> int:
        return self.usage.get((pin, region, resource_type), 0)

    def add_usage(self, pin: str, region: str, resource_type: str, delta: int) -> Self:
        return self.add_usages(pin, region, ((resource_type, delta),))

    def add_usages(self, pin: str, region: str, deltas: Iterable[tuple[str, int]]) -> Self:
        """Several usage counters changed in one step (a zero counter is dropped, as a recount has none)."""
        return self.evolve(usage=_usage_after(self.usage, pin, region, deltas))



# Maps whose keys are resource ids: a new id must be in none of them.
_ID_MAPS: tuple[str, ...] = (
    "instances", "images", "disks", "network_interfaces", "elastic_ips", "snapshots", "vpcs", "subnets",
    "security_groups", "templates", "availability_groups",
)


_ID_MAPS_OF = attrgetter(*_ID_MAPS)


def fresh_id(prefix: str, sequence: int, maps: Sequence[Container[str]]) -> tuple[str, int]:
    """The next id with ``prefix`` after ``sequence`` that is in none of ``maps``, and its sequence."""
    while True:
        sequence += 1
        candidate = derive_id(prefix, sequence)
        for m in maps:
            if candidate in m:
                break
        else:
            return candidate, sequence


# Fewer ids than this are made one by one: the block's set and checks cost more than they save (one
# createInstances of one instance makes 2 to 6).
_BLOCK_MIN = 16


def _disjoint(block: set[str], taken: Collection[str]) -> bool:
    """No id of ``block`` is in ``taken``, looking up the smaller side in the larger (a bulk build into a small
    world walks the world's few ids; one instance made in a large world looks up its own few)."""
    if len(taken) < len(block):
        return block.isdisjoint(taken)  # a map's iteration gives its keys
    return not any(rid in taken for rid in block)


W = TypeVar("W", bound=WorldState)


class Batch(Generic[W]):
    """Changes gathered for one ``World.evolve``.

    A builder that creates several resources at once (an instance with its interface and disks) writes them
    into a batch and makes one new world, instead of one world per resource. Reading a map name from the batch
    gives the map as changed so far.
    """

    __slots__ = ("_changes", "_created", "_taken", "_task_puts", "sequence", "world")

    def __init__(self, world: W) -> None:
        self.world = world
        self.sequence = world.sequence
        self._changes: dict[str, Any] = {}
        self._task_puts: list[str] = []  # the resources a task was put for (``done`` updates task_starts)
        # Ids in use: the world's, and the ones this batch handed out (the only new keys a batch adds).
        self._created: set[str] = set()
        # (An empty map of the world can only gain ids through the batch, and those are in ``_created``.)
        self._taken: tuple[Collection[str], ...] = (*(m for m in _ID_MAPS_OF(world) if m), self._created)

    def __getattr__(self, name: str) -> Any:
        # Only called for names that are not slots: the world's fields, as changed so far.
        if name in self._changes:
            return self._changes[name]
        return getattr(self.world, name)

    @property
    def clock(self) -> int:
        return self.world.clock

    def put(self, name: str, key: Any, value: Any) -> None:
        current = self._changes.get(name)
        if current is None:
            current = getattr(self.world, name)
        self._changes[name] = current.set(key, value)
        if name == "tasks":
            self._task_puts.append(key)

    def putter(self, name: str) -> Callable[[Any, Any], None]:
        """``put`` into the map ``name``, as a function of the key and value (a bulk builder's loop calls it)."""
        return partial(self.put, name)

    def new_id(self, prefix: str) -> str:
        rid, self.sequence = fresh_id(prefix, self.sequence, self._taken)
        self._created.add(rid)
        return rid

    def new_ids(self, prefixes: Sequence[str], count: int) -> tuple[list[str], list[int]]:
        """``count`` rounds of ``new_id(prefix)`` for each of ``prefixes`` in turn, and after each id the batch's
        sequence (the number it was derived from): exactly what those calls give, in their order.

        Usually no derived id is taken, and then the ids are the next ``count * len(prefixes)`` sequence numbers'
        in a row. Those are derived as one block and checked against the taken ids at once, which saves the
        per-id calls of a bulk build (a third of ``add_instances``'s time). When one is taken, or there are only
        a few, the calls are made one by one instead, from the same starting sequence, and skip a taken id as
        ``new_id`` does."""
        width, start = len(prefixes), self.sequence
        total = width * count
        ids: list[str] = [""] * total
        if total >= _BLOCK_MIN:
            for offset, prefix in enumerate(prefixes):
                ids[offset::width] = [derive_id(prefix, s)
                                      for s in range(start + 1 + offset, start + 1 + total, width)]
            block = set(ids)
            if len(block) == total and all(_disjoint(block, taken) for taken in self._taken):
                self._created |= block
                self.sequence = start + total
                return ids, list(range(start + 1, start + 1 + total))
        sequences: list[int] = []
        for index in range(total):
            ids[index] = self.new_id(prefixes[index % width])
            sequences.append(self.sequence)
        return ids, sequences

    def claim_id(self, rid: str) -> str:
        """``rid`` as a new resource's id, chosen by the caller (a builder's explicit id); it must be free."""
        if any(rid in taken for taken in self._taken):
            raise ValueError(f"id {rid} is already in use")
        self._created.add(rid)
        return rid

    def add_usages(self, pin: str, region: str, deltas: Iterable[tuple[str, int]]) -> None:
        self._changes["usage"] = _usage_after(self.usage, pin, region, deltas)

    def done(self) -> W:
        """The world with every change of the batch (the indexes updated for the instances and interfaces it
        created: the only entities a batch adds)."""
        changes = self._changes
        instances, nics = changes.get("instances"), changes.get("network_interfaces")
        if instances is not None or nics is not None:
            order, by, addresses = self.world.instance_order, self.world.instances_by, self.world.subnet_addresses
            for rid in self._created:
                if instances is not None and rid in instances:
                    order = order_with(order, instances[rid])
                    by = by_replaced(by, None, instances[rid])
                elif nics is not None and rid in nics:
                    addresses = addresses_with(addresses, nics[rid])
            changes["instance_order"], changes["instances_by"] = order, by
            changes["subnet_addresses"] = addresses
        if "tasks" in changes:
            starts, before, after = self.world.task_starts, self.world.tasks, changes["tasks"]
            for rid in dict.fromkeys(self._task_puts):
                starts = task_starts_replaced(starts, rid, before.get(rid), after[rid])
            changes["task_starts"] = starts
        return self.world.evolve(sequence=self.sequence, **changes)


class BulkBatch(Batch[W]):
    """A ``Batch`` for many resources at once (``builders.add_instances``): the puts into each map are gathered
    in a dict and applied with one ``Map.update`` instead of one persistent copy per put, usage deltas are
    summed, and ``done`` extends the indexes once for everything created (one rebuild per index key that
    gains many entries). The world it returns equals the one the same puts through a ``Batch`` would give."""

    __slots__ = ("_usage_deltas",)

    def __init__(self, world: W) -> None:
        super().__init__(world)
        self._usage_deltas: dict[UsageKey, int] = {}

    def __getattr__(self, name: str) -> Any:
        # A map as changed so far: the world's with the puts gathered for it applied (costs those puts; the
        # bulk builder reads a map only before it writes it).
        current = getattr(self.world, name)
        pending = self._changes.get(name)
        return current if pending is None else current.update(pending)

    def put(self, name: str, key: Any, value: Any) -> None:
        pending = self._changes.get(name)
        if pending is None:
            pending = self._changes[name] = {}
        pending[key] = value

    def putter(self, name: str) -> Callable[[Any, Any], None]:
        # The gathered puts' own item assignment: a call into C per put, no Python frame.
        pending = self._changes.get(name)
        if pending is None:
            pending = self._changes[name] = {}
        return pending.__setitem__

    def add_usages(self, pin: str, region: str, deltas: Iterable[tuple[str, int]]) -> None:
        summed = self._usage_deltas
        for resource_type, delta in deltas:
            key = (pin, region, resource_type)
            summed[key] = summed.get(key, 0) + delta

    def done(self) -> W:
        world = self.world
        changes: dict[str, Any] = {name: getattr(world, name).update(pending)
                                   for name, pending in self._changes.items() if pending}  # (a putter unused)
        if self._usage_deltas:
            usage = world.usage.mutate()
            for key, delta in self._usage_deltas.items():
                value = usage.get(key, 0) + delta
                if value == 0:
                    usage.pop(key, None)
                else:
                    usage[key] = value
            changes["usage"] = usage.finish()
        if "instances" in changes or "network_interfaces" in changes:
            # The new entities in the order they were put (their index entries come out sorted: the sorts
            # cost O(n)); a put that replaced an entity of the world is not new.
            created = self._created
            new_instances = [inst for rid, inst in self._changes.get("instances", {}).items() if rid in created]
            new_nics = [nic for rid, nic in self._changes.get("network_interfaces", {}).items() if rid in created]
            changes["instance_order"], changes["instances_by"] = instance_indexes_extended(
                world.instance_order, world.instances_by, new_instances)
            changes["subnet_addresses"] = subnet_addresses_extended(world.subnet_addresses, new_nics)
        if "tasks" in changes:
            changes["task_starts"] = task_starts_extended(world.task_starts, world.tasks, self._changes["tasks"])
        return world.evolve(sequence=self.sequence, **changes)


_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(WorldState))
_FIELD_INDEX: dict[str, int] = {name: i for i, name in enumerate(_FIELDS)}
_READ_ALL = attrgetter(*_FIELDS)
_ORDER_INDEX = _FIELD_INDEX["instance_order"]
_BY_INDEX = _FIELD_INDEX["instances_by"]
_IMAGES_INDEX = _FIELD_INDEX["image_listings"]
_ADDRESSES_INDEX = _FIELD_INDEX["subnet_addresses"]
_GROUPS_INDEX = _FIELD_INDEX["default_groups"]
_TASKS_INDEX = _FIELD_INDEX["task_starts"]
# The slots' own descriptors: writing through them bypasses the frozen dataclass's __setattr__ guard, which
# is what a constructor does too.
_SLOT_WRITERS = tuple(WorldState.__dict__[name].__set__ for name in _FIELDS)

def _usage_after(usage: Map[UsageKey, int], pin: str, region: str,
                 deltas: Iterable[tuple[str, int]]) -> Map[UsageKey, int]:
    for resource_type, delta in deltas:
        key = (pin, region, resource_type)
        value = usage.get(key, 0) + delta
        if value != 0:
            usage = usage.set(key, value)
        elif key in usage:  # counters are kept without zeros, as recount_usage builds them
            usage = usage.delete(key)
    return usage


E = TypeVar("E", Instance, Disk, NetworkInterface, ElasticIp, Vpc, Subnet, SecurityGroup, Snapshot,
            InstanceTemplate, AvailabilityGroup)


def _owned(entity: E | None, caller: str, region: str) -> E | None:
    if entity is None or entity.owner != caller or entity.region != region:
        return None
    return entity
