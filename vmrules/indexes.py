"""Derived indexes the world keeps beside its maps, as persistent structures updated in O(log n) per change.

* ``instance_order``: per (owner, region), that account's instances in creation order (``Instance.seq``, then
  id), as an ``InstanceOrder``: sorted chunks of at most ``CHUNK`` entries in an ``immutables.Map``, so adding
  or removing one instance copies one chunk, and a page costs the chunks it skips plus the page.
* ``instances_by``: per (owner, region, filter name, value) for the filters ``status``, ``az``, ``subnetId``,
  ``vpcId``, ``imageId``, ``instanceType``, ``faultDomain`` and ``agId`` (each one field with one value; an
  instance in no availability group is kept under the value None, which no filter value equals), the instances
  with that value in creation order (an ``InstanceOrder`` each), so a listing filtered by one of them costs its
  matches, not the account's instances (and deleteImage finds the instances made from an image without looking
  at the others). ``WorldState.with_instance`` (the one way a transition puts an instance) moves an instance
  between these when one of those values changes (a status change, a resize, a rebuild).
* ``image_listings``: per (imageSource as listed, account, region), the images describeImages lists for that
  source, oldest first (ties by id), as ``SortedEntries``: ``("private", owner, region)`` an account's own
  private images, ``("shared", pin, region)`` the private images of others shared with it, and
  ``("public", "", region)`` / ``("thirdparty", "", region)`` the images every account sees. A listing of one
  source reads its page, not the world's images; the four lists of an account are what it can see, each image
  once. An image with an instance-type constraint is also in the same listings under ``"constrained "`` +
  source, so describeImageConstraintsBatch reads the constrained images an account sees, not all it sees.
* ``subnet_addresses``: per subnet, private address -> the interface that has it (primaryIpAddress checks and
  address allocation look one address up).
* ``default_groups``: per VPC, its default security group (the first the world's map lists, as a scan finds
  it): a createInstances without security groups looks it up instead of reading every group of the world. No
  operation changes security groups, so it changes only with the world's groups themselves.
* ``task_starts`` (``vmrules.task_starts``): the tasks in progress by start time, so the tasks started by a
  given clock value (what ``settle(started_by=...)`` completes, before every request the emulator and the mock
  serve while tasks take time) cost what is due, not every task in progress.

Indexes are derived data: never written to snapshots, built from the maps when a world is constructed
(``WorldState.__post_init__``, so on load too), kept up to date by ``WorldState.with_instance`` /
``without_instance`` / ``with_image`` / ``without_image`` / ``with_task`` / ``without_task`` and ``Batch.done``
(the only ways transitions put instances, images and tasks) and by deleteInstance for interfaces, and
checked against a rebuild after every step of the property suite's state machine.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from immutables import Map

from vmrules.model import Image, Instance, NetworkInterface, SecurityGroup

K = TypeVar("K")

CHUNK = 64
OrderKey = tuple[str, str]  # (owner, region)
Entry = tuple[int, str]  # (seq, instance id): creation order
ByKey = tuple[str, str, str, str | None]  # (owner, region, filter name, value: None for no availability group)
# The instance listings' filters served by ``instances_by``: filter name and the instance's (single) value.
INDEXED_FILTERS: tuple[str, ...] = ("status", "az", "subnetId", "vpcId", "imageId", "instanceType", "faultDomain",
                                     "agId")
_INDEXED_FIELDS = ("status", "az", "subnet_id", "vpc_id", "image_id", "instance_type", "fault_domain", "ag_id")
_indexed_values = attrgetter(*_INDEXED_FIELDS)
_placed_values = attrgetter("owner", "region", *_INDEXED_FIELDS)


@dataclass(frozen=True, slots=True)
class InstanceOrder:
    """One account's instances in one region in creation order."""

    chunks: Map[int, tuple[Entry, ...]]  # chunk number (seq // CHUNK) -> its entries, sorted
    numbers: tuple[int, ...]  # the chunk numbers in use, ascending
    count: int

    def with_entry(self, entry: Entry) -> InstanceOrder:
        number = entry[0] // CHUNK
        chunk = self.chunks.get(number)
        if chunk is None:
            numbers = self.numbers
            if not numbers or number > numbers[-1]:
                numbers = (*numbers, number)  # the usual case: the newest instance starts a chunk at the end
            else:
                at = bisect.bisect_left(numbers, number)
                numbers = (*numbers[:at], number, *numbers[at:])
            return InstanceOrder(self.chunks.set(number, (entry,)), numbers, self.count + 1)
        if entry in chunk:
            return self
        at = bisect.bisect_left(chunk, entry)
        return InstanceOrder(self.chunks.set(number, (*chunk[:at], entry, *chunk[at:])), self.numbers, self.count + 1)

    def without_entry(self, entry: Entry) -> InstanceOrder | None:
        """The order without ``entry``; None when nothing is left."""
        number = entry[0] // CHUNK
        chunk = self.chunks.get(number)
        if chunk is None or entry not in chunk:
            return self
        if self.count == 1:
            return None
        if len(chunk) == 1:
            at = bisect.bisect_left(self.numbers, number)
            return InstanceOrder(self.chunks.delete(number), (*self.numbers[:at], *self.numbers[at + 1:]),
                                 self.count - 1)
        at = bisect.bisect_left(chunk, entry)
        return InstanceOrder(self.chunks.set(number, (*chunk[:at], *chunk[at + 1:])), self.numbers, self.count - 1)

    def entries(self, start: int = 0) -> Iterator[Entry]:
        """The entries in creation order from position ``start`` (skipping whole chunks up to it)."""
        for number in self.numbers:
            chunk = self.chunks[number]
            if start >= len(chunk):
                start -= len(chunk)
                continue
            yield from chunk[start:]
            start = 0

    def ids(self, start: int = 0) -> Iterator[str]:
        """The instance ids in creation order from position ``start`` (skipping whole chunks up to it)."""
        for _, instance_id in self.entries(start):
            yield instance_id


def _entry(inst: Instance) -> Entry:
    return inst.seq, inst.instance_id


def _orders(groups: dict[Any, list[Entry]]) -> dict[Any, InstanceOrder]:
    """An order per group. A list that is the group of several keys (all the instances of a bulk build share
    their status, AZ, subnet and VPC) is sorted and chunked once, and its order shared (it is immutable)."""
    out: dict[Any, InstanceOrder] = {}
    made: dict[int, InstanceOrder] = {}  # id of a group's list -> its order (the lists live as long as this)
    for key, entries in groups.items():
        order = made.get(id(entries))
        if order is None:
            order = made[id(entries)] = _order_of(entries)
        out[key] = order
    return out


def _order_of(entries: list[Entry]) -> InstanceOrder:
    entries.sort()
    chunks: dict[int, tuple[Entry, ...]] = {}
    start, count = 0, len(entries)
    while start < count:
        # A chunk is the run of entries with one seq // CHUNK: where the next one starts, found by bisection
        # ((seq,) sorts before every (seq, id)).
        number = entries[start][0] // CHUNK
        stop = bisect.bisect_left(entries, ((number + 1) * CHUNK,), start)
        chunks[number] = tuple(entries[start:stop])
        start = stop
    return InstanceOrder(Map(chunks), tuple(chunks), count)


def _grouped(instances: Iterable[Instance], key_of: Callable[[Instance], K]) -> dict[K, list[Entry]]:
    """The instances' entries grouped by ``key_of``, each group in the order given."""
    groups: dict[K, list[Entry]] = {}
    for inst in instances:
        key = key_of(inst)
        group = groups.get(key)
        if group is None:
            groups[key] = [(inst.seq, inst.instance_id)]
        else:
            group.append((inst.seq, inst.instance_id))
    return groups


_order_key = attrgetter("owner", "region")


def _order_groups(instances: Iterable[Instance]) -> dict[OrderKey, list[Entry]]:
    return _grouped(instances, _order_key)


def _alike(instances: Iterable[Instance]) -> dict[tuple[str, ...], list[Entry]]:
    """The instances' entries grouped by owner, region and all the indexed values at once: one key per
    instance, and few distinct keys in a world (instances alike share one)."""
    return _grouped(instances, _placed_values)


def _spread(alike: dict[tuple[str, ...], list[Entry]]) -> tuple[dict[OrderKey, list[Entry]], dict[ByKey, list[Entry]]]:
    """The groups of ``instance_order`` and of ``instances_by`` made of the groups of ``_alike``. A key's group
    that is one of those groups is that very list, so that ``_orders`` builds its order once for all the keys
    that share it; a key with several gets a list of its own."""
    orders: dict[OrderKey, list[Entry]] = {}
    by: dict[ByKey, list[Entry]] = {}
    own: set[int] = set()  # ids of the lists made here (extended in place; the shared ones are copied first)

    def add(groups: dict[Any, list[Entry]], key: Any, entries: list[Entry]) -> None:
        group = groups.get(key)
        if group is None:
            groups[key] = entries
        elif id(group) in own:
            group.extend(entries)
        else:
            groups[key] = merged = [*group, *entries]
            own.add(id(merged))

    for (owner, region, *values), entries in alike.items():
        add(orders, (owner, region), entries)
        for name, value in zip(INDEXED_FILTERS, values, strict=True):
            add(by, (owner, region, name, value), entries)
    return orders, by


def build_instance_indexes(instances: Iterable[Instance]) -> tuple[Map[OrderKey, InstanceOrder],
                                                                   Map[ByKey, InstanceOrder]]:
    """``instance_order`` and ``instances_by`` from scratch, in one pass over the instances, sharing the
    order of every group of keys with the same instances (an account's instances all alike: one order for
    the account and each of its filters)."""
    order_groups, by_groups = _spread(_alike(instances))
    orders = _orders({**order_groups, **by_groups})
    return Map({key: orders[key] for key in order_groups}), Map({key: orders[key] for key in by_groups})


def build_instance_order(instances: Iterable[Instance]) -> Map[OrderKey, InstanceOrder]:
    """The ``instance_order`` index from scratch."""
    return Map(_orders(_order_groups(instances)))


def build_instances_by(instances: Iterable[Instance]) -> Map[ByKey, InstanceOrder]:
    """The ``instances_by`` index from scratch."""
    return Map(_orders(_spread(_alike(instances))[1]))


def _extended(index: Map[Any, InstanceOrder], groups: dict[Any, list[Entry]]) -> Map[Any, InstanceOrder]:
    """``index`` with the entries of ``groups`` added: a key that gains few entries takes them one by one
    (O(log n) each), one that gains many is rebuilt once from its old and new entries."""
    updates: dict[Any, InstanceOrder] = {}
    rebuilt: dict[Any, list[Entry]] = {}
    for key, entries in groups.items():
        current = index.get(key)
        if current is None:
            rebuilt[key] = entries
        elif len(entries) * 8 < current.count:
            for entry in entries:
                current = current.with_entry(entry)
            updates[key] = current
        else:
            rebuilt[key] = [*current.entries(), *entries]
    updates.update(_orders(rebuilt))
    return index.update(updates) if updates else index


def instance_indexes_extended(order: Map[OrderKey, InstanceOrder], by: Map[ByKey, InstanceOrder],
                              instances: Iterable[Instance]) -> tuple[Map[OrderKey, InstanceOrder],
                                                                      Map[ByKey, InstanceOrder]]:
    """``instance_order`` and ``instances_by`` with new ``instances`` (ids not in them yet) added in one step,
    from one grouping of the instances (as ``build_instance_indexes`` builds both)."""
    order_groups, by_groups = _spread(_alike(instances))
    return _extended(order, order_groups), _extended(by, by_groups)


def _with(index: Map[Any, InstanceOrder], key: Any, entry: Entry) -> Map[Any, InstanceOrder]:
    current = index.get(key)
    if current is None:
        return index.set(key, InstanceOrder(Map({entry[0] // CHUNK: (entry,)}), (entry[0] // CHUNK,), 1))
    return index.set(key, current.with_entry(entry))


def _without(index: Map[Any, InstanceOrder], key: Any, entry: Entry) -> Map[Any, InstanceOrder]:
    current = index.get(key)
    if current is None:
        return index
    rest = current.without_entry(entry)
    return index.delete(key) if rest is None else index.set(key, rest)


def order_with(order: Map[OrderKey, InstanceOrder], inst: Instance) -> Map[OrderKey, InstanceOrder]:
    return _with(order, (inst.owner, inst.region), _entry(inst))


def order_without(order: Map[OrderKey, InstanceOrder], inst: Instance) -> Map[OrderKey, InstanceOrder]:
    return _without(order, (inst.owner, inst.region), _entry(inst))


def by_replaced(index: Map[ByKey, InstanceOrder], old: Instance | None,
                new: Instance | None) -> Map[ByKey, InstanceOrder]:
    """``instances_by`` after ``old`` (None: nothing) is replaced by ``new`` (None: removed). Only the values
    that differ move, so a change that keeps every indexed value (an attachment) costs nothing here."""
    if old is not None and new is not None and (old.owner, old.region, old.seq) == (new.owner, new.region, new.seq):
        entry = _entry(new)
        for name, before, after in zip(INDEXED_FILTERS, _indexed_values(old), _indexed_values(new), strict=True):
            if before != after:
                index = _with(_without(index, (old.owner, old.region, name, before), entry),
                              (new.owner, new.region, name, after), entry)
        return index
    if old is not None:
        entry = _entry(old)
        for name, value in zip(INDEXED_FILTERS, _indexed_values(old), strict=True):
            index = _without(index, (old.owner, old.region, name, value), entry)
    if new is not None:
        entry = _entry(new)
        for name, value in zip(INDEXED_FILTERS, _indexed_values(new), strict=True):
            index = _with(index, (new.owner, new.region, name, value), entry)
    return index


def _address_groups(nics: Iterable[NetworkInterface]) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for nic in nics:
        group = groups.get(nic.subnet_id)
        if group is None:
            groups[nic.subnet_id] = {nic.private_ip: nic.nic_id}
        else:
            group[nic.private_ip] = nic.nic_id
    return groups


def build_subnet_addresses(nics: Iterable[NetworkInterface]) -> Map[str, Map[str, str]]:
    """The ``subnet_addresses`` index from scratch."""
    return Map({subnet_id: Map(addresses) for subnet_id, addresses in _address_groups(nics).items()})


def subnet_addresses_extended(addresses: Map[str, Map[str, str]],
                              nics: Iterable[NetworkInterface]) -> Map[str, Map[str, str]]:
    """``subnet_addresses`` with new interfaces added in one step (one ``Map.update`` per subnet)."""
    updates: dict[str, Map[str, str]] = {}
    for subnet_id, group in _address_groups(nics).items():
        current = addresses.get(subnet_id)
        updates[subnet_id] = Map(group) if current is None else current.update(group)
    return addresses.update(updates) if updates else addresses


def addresses_with(addresses: Map[str, Map[str, str]], nic: NetworkInterface) -> Map[str, Map[str, str]]:
    in_subnet = addresses.get(nic.subnet_id)
    if in_subnet is None:
        return addresses.set(nic.subnet_id, Map({nic.private_ip: nic.nic_id}))
    return addresses.set(nic.subnet_id, in_subnet.set(nic.private_ip, nic.nic_id))


def addresses_without(addresses: Map[str, Map[str, str]], nic: NetworkInterface) -> Map[str, Map[str, str]]:
    in_subnet = addresses.get(nic.subnet_id)
    if in_subnet is None or in_subnet.get(nic.private_ip) != nic.nic_id:
        return addresses
    rest = in_subnet.delete(nic.private_ip)
    return addresses.set(nic.subnet_id, rest) if len(rest) else addresses.delete(nic.subnet_id)


@dataclass(frozen=True, slots=True, eq=False)
class SortedEntries:
    """Entries in ascending order, in chunks of ``CHUNK`` to ``2 * CHUNK`` (split when larger): adding or
    removing one copies one chunk and the tuple of chunk references, and a page skips whole chunks.

    Unlike ``InstanceOrder`` the chunks are cut by position, not by key, so any keys fit (many images share
    one creation time). Two orders are equal when they hold the same entries, whatever their chunks.
    """

    chunks: tuple[tuple[Entry, ...], ...]
    firsts: tuple[Entry, ...]  # each chunk's first entry
    count: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SortedEntries):
            return NotImplemented
        return self.count == other.count and list(self.entries()) == list(other.entries())

    def __hash__(self) -> int:
        return hash(tuple(self.entries()))

    @staticmethod
    def of(entries: Iterable[Entry]) -> SortedEntries:
        ordered = sorted(set(entries))
        chunks = tuple(tuple(ordered[i:i + CHUNK]) for i in range(0, len(ordered), CHUNK))
        return SortedEntries(chunks, tuple(c[0] for c in chunks), len(ordered))

    def with_entry(self, entry: Entry) -> SortedEntries:
        if not self.chunks:
            return SortedEntries(((entry,),), (entry,), 1)
        at = max(bisect.bisect_right(self.firsts, entry) - 1, 0)
        chunk = self.chunks[at]
        i = bisect.bisect_left(chunk, entry)
        if i < len(chunk) and chunk[i] == entry:
            return self
        grown = (*chunk[:i], entry, *chunk[i:])
        parts = (grown[:CHUNK], grown[CHUNK:]) if len(grown) > 2 * CHUNK else (grown,)
        return self._spliced(at, parts, self.count + 1)

    def without_entry(self, entry: Entry) -> SortedEntries | None:
        """The order without ``entry``; None when nothing is left."""
        at = bisect.bisect_right(self.firsts, entry) - 1
        if at < 0:
            return self
        chunk = self.chunks[at]
        i = bisect.bisect_left(chunk, entry)
        if i == len(chunk) or chunk[i] != entry:
            return self
        if self.count == 1:
            return None
        rest = (*chunk[:i], *chunk[i + 1:])
        return self._spliced(at, (rest,) if rest else (), self.count - 1)

    def _spliced(self, at: int, parts: tuple[tuple[Entry, ...], ...], count: int) -> SortedEntries:
        return SortedEntries((*self.chunks[:at], *parts, *self.chunks[at + 1:]),
                             (*self.firsts[:at], *(p[0] for p in parts), *self.firsts[at + 1:]), count)

    def entries(self, start: int = 0) -> Iterator[Entry]:
        """The entries in order from position ``start`` (skipping whole chunks up to it)."""
        for chunk in self.chunks:
            if start >= len(chunk):
                start -= len(chunk)
                continue
            yield from chunk[start:]
            start = 0


ListingKey = tuple[str, str, str]  # (imageSource as listed, account or "" for everyone's, region)
LISTED_SOURCES: tuple[str, ...] = ("public", "thirdparty", "private", "shared")  # describeImages' imageSource
# Before a source in a listing's key: only the images of that listing with an instance-type constraint.
CONSTRAINED = "constrained "


def listing_key(source: str, caller: str, region: str) -> ListingKey:
    """The listing describeImages reads for ``imageSource=source`` asked by ``caller`` (``source`` may carry
    the ``CONSTRAINED`` prefix)."""
    return source, caller if source.removeprefix(CONSTRAINED) in ("private", "shared") else "", region


def _image_entry(image: Image) -> Entry:
    return image.create_time, image.image_id


def listing_keys(image: Image) -> tuple[ListingKey, ...]:
    """The listings ``image`` is in: its owner's private list and the shared list of each account it is
    shared with (a private image), or its source's list (public and third-party images, seen by everyone);
    with a constraint, also each of those under ``CONSTRAINED``. An account never finds its own image among
    its shared ones, so each account sees each image once."""
    keys: tuple[ListingKey, ...]
    if image.source != "private":
        keys = ((image.source, "", image.region),)
    else:
        shared = (("shared", pin, image.region) for pin in dict.fromkeys(image.shared_with) if pin != image.owner)
        keys = (("private", image.owner, image.region), *shared)
    if image.constraint is None:
        return keys
    return (*keys, *((CONSTRAINED + source, account, region) for source, account, region in keys))


def build_image_listings(images: Iterable[Image]) -> Map[ListingKey, SortedEntries]:
    """The ``image_listings`` index from scratch: per listing, its images oldest first (ties by id), the order
    describeImages lists them in."""
    groups: dict[ListingKey, list[Entry]] = {}
    for image in images:
        entry = _image_entry(image)
        for key in listing_keys(image):
            groups.setdefault(key, []).append(entry)
    return Map({key: SortedEntries.of(entries) for key, entries in groups.items()})


def image_listings_replaced(index: Map[ListingKey, SortedEntries], old: Image | None,
                            new: Image | None) -> Map[ListingKey, SortedEntries]:
    """``image_listings`` after ``old`` (None: nothing) is replaced by ``new`` (None: removed): only the
    listings the image leaves or joins change (a status change touches none, a share one)."""
    old_keys = listing_keys(old) if old is not None else ()
    new_keys = listing_keys(new) if new is not None else ()
    old_entry = _image_entry(old) if old is not None else None
    new_entry = _image_entry(new) if new is not None else None
    stays = old_entry == new_entry  # same creation time and id: the image keeps its place where it stays
    if old_entry is not None:
        for key in old_keys:
            if not (stays and key in new_keys):
                index = _listing_without(index, key, old_entry)
    if new_entry is not None:
        for key in new_keys:
            if not (stays and key in old_keys):
                index = _listing_with(index, key, new_entry)
    return index


def _listing_with(index: Map[ListingKey, SortedEntries], key: ListingKey,
                  entry: Entry) -> Map[ListingKey, SortedEntries]:
    current = index.get(key)
    return index.set(key, SortedEntries.of((entry,)) if current is None else current.with_entry(entry))


def _listing_without(index: Map[ListingKey, SortedEntries], key: ListingKey,
                     entry: Entry) -> Map[ListingKey, SortedEntries]:
    current = index.get(key)
    if current is None:
        return index
    rest = current.without_entry(entry)
    return index.delete(key) if rest is None else index.set(key, rest)


def build_default_groups(groups: Iterable[SecurityGroup]) -> Map[str, str]:
    """The ``default_groups`` index from scratch: per VPC, the id of the first default group of ``groups``."""
    first: dict[str, str] = {}
    for group in groups:
        if group.is_default:
            first.setdefault(group.vpc_id, group.security_group_id)
    return Map(first)
