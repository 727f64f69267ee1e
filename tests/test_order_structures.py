"""The two ordered structures the indexes are made of (vmrules.indexes), against a sorted list.

``InstanceOrder`` (chunks by ``seq // CHUNK``) keeps an account's instances in creation order for every
listing; ``SortedEntries`` (chunks by position, split past ``2 * CHUNK``) keeps the image listings. Each change
must leave the same entries a sorted list would hold, pages must start at any position, chunk boundaries
included, and the structure must stay well formed (the state machine compares indexes with rebuilds, so a
malformed structure that compares equal would go unnoticed there).
"""

from __future__ import annotations

from dataclasses import replace

from helpers import instance

from vmrules import World
from vmrules.indexes import (
    CHUNK,
    InstanceOrder,
    SortedEntries,
    _order_of,
    addresses_without,
    build_image_listings,
    build_instances_by,
    build_subnet_addresses,
    by_replaced,
    image_listings_replaced,
)

Entry = tuple[int, str]
SPAN = 5 * CHUNK + 7  # seqs over six chunk numbers


def well_formed_order(order: InstanceOrder | None, model: list[Entry]) -> None:
    if not model:
        assert order is None
        return
    assert order is not None
    assert order.count == len(model)
    assert list(order.numbers) == sorted(order.chunks.keys())
    for number in order.numbers:
        chunk = order.chunks[number]
        assert chunk and list(chunk) == sorted(chunk) and all(seq // CHUNK == number for seq, _ in chunk)
    for start in range(len(model) + 2):
        assert list(order.entries(start)) == model[start:]
    assert list(order.ids(CHUNK)) == [instance_id for _, instance_id in model[CHUNK:]]
    assert list(order.ids()) == [instance_id for _, instance_id in model]
    assert order == _order_of(list(model))


def well_formed_sorted(entries: SortedEntries | None, model: list[Entry]) -> None:
    if not model:
        assert entries is None
        return
    assert entries is not None
    assert entries.count == len(model)
    assert all(entries.chunks) and all(len(chunk) <= 2 * CHUNK for chunk in entries.chunks)
    assert entries.firsts == tuple(chunk[0] for chunk in entries.chunks)
    assert [e for chunk in entries.chunks for e in chunk] == model
    for start in range(len(model) + 2):
        assert list(entries.entries(start)) == model[start:]
    assert entries == SortedEntries.of(model) and hash(entries) == hash(SortedEntries.of(model))


def scattered(n: int) -> list[int]:
    """0..n-1 in an order that jumps between chunks (37 is prime to every n used here)."""
    return [(i * 37) % n for i in range(n)]


def test_an_instance_order_grows_and_shrinks_like_a_sorted_list() -> None:
    model: list[Entry] = []
    order: InstanceOrder | None = None
    for seq in scattered(SPAN):  # new chunk numbers land before, between and after the ones in use
        entry = (seq, f"i-{seq:04d}")
        order = order.with_entry(entry) if order is not None else _order_of([entry])
        model = sorted([*model, entry])
        well_formed_order(order, model)
    assert order is not None
    assert order.with_entry(model[3]) is order and order.without_entry((SPAN + 1, "i-absent")) is order
    assert order.without_entry((3, "i-other")) is order  # a seq in use under another id
    # out again: the middle of chunks, their last entries (a chunk goes), and the very last
    for seq in [*range(CHUNK + 1, 2 * CHUNK), CHUNK, *scattered(SPAN)]:
        entry = (seq, f"i-{seq:04d}")
        if entry not in model:
            continue
        order = order.without_entry(entry) if order is not None else None
        model.remove(entry)
        well_formed_order(order, model)
    assert order is None


def test_sorted_entries_split_and_shrink_like_a_sorted_list() -> None:
    model: list[Entry] = []
    entries: SortedEntries | None = None
    n = 3 * 2 * CHUNK + 11  # several splits
    for k in scattered(n):
        entry = (k // 3, f"img-{k:04d}")  # three entries share each creation time
        entries = entries.with_entry(entry) if entries is not None else SortedEntries.of([entry])
        model = sorted([*model, entry])
        well_formed_sorted(entries, model)
    assert entries is not None
    assert entries.with_entry(model[5]) is entries and entries.without_entry((-1, "img-before")) is entries
    assert entries.without_entry((0, "img-absent")) is entries and entries.without_entry((n, "img-after")) is entries
    built = SortedEntries.of(model)  # built in one piece, then changed: the same as grown
    for k in scattered(n)[::2]:
        entry = (k // 3, f"img-{k:04d}")
        built_next = built.without_entry(entry)
        entries = entries.without_entry(entry) if entries is not None else None
        model.remove(entry)
        well_formed_sorted(entries, model)
        well_formed_sorted(built_next, model)
        assert built_next is not None
        built = built_next.with_entry((k // 3, f"img-new-{k:04d}"))
        built = built.without_entry((k // 3, f"img-new-{k:04d}")) or built
        well_formed_sorted(built, model)


def test_sorted_entries_are_equal_only_with_the_same_entries() -> None:
    one, other = SortedEntries.of([(1, "a"), (2, "b")]), SortedEntries.of([(1, "a"), (3, "c")])
    assert one != other and one == SortedEntries.of([(2, "b"), (1, "a")])
    assert SortedEntries.of([(1, "a")]).without_entry((1, "a")) is None
    well_formed_sorted(SortedEntries.of([]).with_entry((1, "a")), [(1, "a")])


# ---- the replace functions, against a rebuild, for any old and new (also those no transition makes) -------


def test_an_image_replaced_by_one_of_another_creation_time_moves_in_its_listings(world: World) -> None:
    image = world.images["img-centos7cld"]
    moved = replace(image, create_time=image.create_time + 1, image_id="img-centos7clx")
    assert image_listings_replaced(build_image_listings([image]), image, moved) == build_image_listings([moved])
    assert image_listings_replaced(build_image_listings([image]), image, image) == build_image_listings([image])


def test_an_instance_replaced_by_one_of_another_account_or_order_moves_in_every_index(world: World) -> None:
    iid, world = instance(world)
    old = world.instances[iid]
    for new in (replace(old, owner="bob"), replace(old, region="cn-east-2"), replace(old, seq=old.seq + 1),
                replace(old, status="stopped")):
        assert by_replaced(build_instances_by([old]), old, new) == build_instances_by([new])


def test_an_interface_leaves_the_addresses_only_where_it_holds_one(world: World) -> None:
    iid, world = instance(world)
    nic = world.network_interfaces[world.instances[iid].primary_nic_id]
    addresses = build_subnet_addresses([nic])
    assert addresses_without(addresses, replace(nic, nic_id="port-another")) is addresses  # another's address
    assert addresses_without(addresses, replace(nic, subnet_id="subnet-elsewhere")) is addresses
    assert addresses_without(addresses, nic) == build_subnet_addresses([])
