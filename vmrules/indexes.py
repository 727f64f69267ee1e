"""Derived indexes the world keeps beside its maps, as persistent structures updated in O(log n) per change.

* ``instance_order``: per (owner, region), that account's instances in creation order (``Instance.seq``, then
  id), as an ``InstanceOrder``: sorted chunks of at most ``CHUNK`` entries in an ``immutables.Map``, so adding
  or removing one instance copies one chunk, and a page costs the chunks it skips plus the page.
* ``subnet_addresses``: per subnet, private address -> the interface that has it (primaryIpAddress checks and
  address allocation look one address up).

Indexes are derived data: never written to snapshots, built from the maps when a world is constructed
(``WorldState.__post_init__``, so on load too), kept up to date by the few transitions that add or remove
instances and interfaces, and checked against a rebuild after every step of the property suite's state machine.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from immutables import Map

from vmrules.model import Instance, NetworkInterface

CHUNK = 64
OrderKey = tuple[str, str]  # (owner, region)
Entry = tuple[int, str]  # (seq, instance id): creation order


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
        rest = tuple(e for e in chunk if e != entry)
        return InstanceOrder(self.chunks.set(number, rest), self.numbers, self.count - 1)

    def ids(self, start: int = 0) -> Iterator[str]:
        """The instance ids in creation order from position ``start`` (skipping whole chunks up to it)."""
        for number in self.numbers:
            chunk = self.chunks[number]
            if start >= len(chunk):
                start -= len(chunk)
                continue
            for _, instance_id in chunk[start:]:
                yield instance_id
            start = 0


def _entry(inst: Instance) -> Entry:
    return inst.seq, inst.instance_id


def build_instance_order(instances: Iterable[Instance]) -> Map[OrderKey, InstanceOrder]:
    """The ``instance_order`` index from scratch."""
    groups: dict[OrderKey, list[Entry]] = {}
    for inst in instances:
        groups.setdefault((inst.owner, inst.region), []).append(_entry(inst))
    out: dict[OrderKey, InstanceOrder] = {}
    for key, entries in groups.items():
        entries.sort()
        chunks: dict[int, list[Entry]] = {}
        for entry in entries:
            chunks.setdefault(entry[0] // CHUNK, []).append(entry)
        out[key] = InstanceOrder(Map({n: tuple(c) for n, c in chunks.items()}), tuple(sorted(chunks)), len(entries))
    return Map(out)


def order_with(order: Map[OrderKey, InstanceOrder], inst: Instance) -> Map[OrderKey, InstanceOrder]:
    key = (inst.owner, inst.region)
    current = order.get(key)
    if current is None:
        return order.set(key, InstanceOrder(Map({inst.seq // CHUNK: (_entry(inst),)}), (inst.seq // CHUNK,), 1))
    return order.set(key, current.with_entry(_entry(inst)))


def order_without(order: Map[OrderKey, InstanceOrder], inst: Instance) -> Map[OrderKey, InstanceOrder]:
    key = (inst.owner, inst.region)
    current = order.get(key)
    if current is None:
        return order
    rest = current.without_entry(_entry(inst))
    return order.delete(key) if rest is None else order.set(key, rest)


def build_subnet_addresses(nics: Iterable[NetworkInterface]) -> Map[str, Map[str, str]]:
    """The ``subnet_addresses`` index from scratch."""
    groups: dict[str, dict[str, str]] = {}
    for nic in nics:
        groups.setdefault(nic.subnet_id, {})[nic.private_ip] = nic.nic_id
    return Map({subnet_id: Map(addresses) for subnet_id, addresses in groups.items()})


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
