"""The emulator's persistent state in SQLite: a log of accepted changes and snapshots of the world.

Layout (format version ``FORMAT_VERSION``, in table ``meta``): ``log(seq, entry)`` holds one ``journal.Entry``
as JSON per accepted change, appended and committed before its response is sent; ``snapshots(seq, base,
world)`` holds zlib-compressed world snapshots, the world after entry ``seq``. ``base`` marks a world that did
not come from the log (the starting world, or one loaded by ``PUT /admin/world``): the log starts there, and
``export_trace`` replays from it. A snapshot is taken every ``snapshot_every`` entries by a background thread
with its own connection, from the immutable world the request left (no copy, no lock held while it is written).

Durability: WAL mode, ``synchronous=FULL`` by default: a commit returns once the log entry is in the WAL on
disk, so an acknowledged change survives a killed process and a power loss. ``synchronous=NORMAL`` survives a
killed process but may lose the last commits on a power loss or OS crash. See docs/emulator.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from vmrules import World
from vmrules.server.journal import Entry, apply

FORMAT = "vmrules-emulator-store"
FORMAT_VERSION = 1
Synchronous = Literal["FULL", "NORMAL"]
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE log (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, base INTEGER NOT NULL, world BLOB NOT NULL);
"""


class StoreError(Exception):
    """A state file this version cannot use (another format, an unknown version, a damaged database)."""


def pack(world: World) -> bytes:
    """A world as a store snapshot (compressed JSON)."""
    return zlib.compress(world.to_json().encode(), 1)


def _unpack(blob: bytes) -> World:
    return World.from_json(zlib.decompress(blob))


def _connect(path: Path, synchronous: Synchronous) -> sqlite3.Connection:
    """A connection in WAL mode that never checkpoints on its own: a commit right after a snapshot would
    otherwise copy the snapshot's pages into the database on the request path. The snapshot thread checkpoints."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA synchronous={synchronous}")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    return connection


class Store:
    """One state database. ``open`` it, ``load`` the world, then ``append`` each change under the caller's lock."""

    def __init__(self, path: str | os.PathLike[str], connection: sqlite3.Connection, *,
                 snapshot_every: int, synchronous: Synchronous) -> None:
        self.path = Path(path)
        self.snapshot_every = snapshot_every
        self.synchronous = synchronous
        self._db = connection
        row = self._db.execute("SELECT max(seq) FROM log").fetchone()
        snapshot_row = self._db.execute("SELECT max(seq) FROM snapshots").fetchone()
        self.last_seq: int = max(row[0] or 0, snapshot_row[0] or 0)
        self._since_snapshot = 0
        self._pending: queue.Queue[tuple[int, World] | None] = queue.Queue(maxsize=1)
        self._snapshotter: threading.Thread | None = None

    # ---- opening ------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], initial: World, *, snapshot_every: int = 1000,
             synchronous: Synchronous = "NORMAL") -> Store:
        """Open (or create, with ``initial`` as its base world) the store at ``path``. An old-style JSON state
        file is migrated: its world becomes the base, the JSON is kept beside it as ``<path>.json-backup``.
        ``StoreError`` when the file is neither, or of a format version this code does not read."""
        target = Path(path)
        if target.exists() and target.stat().st_size > 0:
            with target.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
            if head != _SQLITE_MAGIC:
                initial = _migrate_json(target)
        try:
            connection = _connect(target, synchronous)
            if _version(connection, target) is None:  # a new database: created in one transaction
                connection.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.strip().split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute("INSERT INTO meta VALUES ('format', ?), ('version', ?)",
                                   (FORMAT, str(FORMAT_VERSION)))
                connection.execute("INSERT INTO snapshots VALUES (0, 1, ?)", (pack(initial),))
                connection.execute("COMMIT")
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{target}: not a usable vmrules state database: {exc}") from None
        return cls(target, connection, snapshot_every=snapshot_every, synchronous=synchronous)

    def load(self) -> World:
        """The current world: the latest snapshot, then the log entries after it replayed through ``apply``."""
        row = self._db.execute("SELECT seq, world FROM snapshots ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            raise StoreError(f"{self.path}: the state database holds no snapshot")
        seq, blob = row
        try:
            world = _unpack(blob)
            for _, entry in self.entries(after=seq):
                world = apply(world, entry).world
        except (ValueError, TypeError, zlib.error) as exc:
            raise StoreError(f"{self.path}: damaged state database: {exc}") from None
        return world

    def entries(self, after: int) -> Iterator[tuple[int, Entry]]:
        for seq, text in self._db.execute("SELECT seq, entry FROM log WHERE seq > ? ORDER BY seq", (after,)):
            yield seq, Entry.from_dict(json.loads(text))

    def base(self) -> tuple[int, World]:
        """The latest base world (where the log of this world starts) and its sequence number."""
        seq, blob = self._db.execute("SELECT seq, world FROM snapshots WHERE base = 1 ORDER BY seq DESC LIMIT 1"
                                     ).fetchone()
        return seq, _unpack(blob)

    # ---- writing ------------------------------------------------------------------------------------

    def append(self, entry: Entry, world_after: World) -> None:
        """Commit ``entry`` (durably, per the synchronous mode) before the caller acknowledges it; hand every
        ``snapshot_every``-th world to the snapshot thread."""
        seq = self.last_seq + 1
        self._db.execute("INSERT INTO log VALUES (?, ?)", (seq, json.dumps(entry.to_dict(), ensure_ascii=False)))
        self.last_seq = seq
        self._since_snapshot += 1
        if self._since_snapshot >= self.snapshot_every:
            self._since_snapshot = 0
            self._offer(seq, world_after)

    def replace(self, blob: bytes) -> None:
        """A new base world (``PUT /admin/world``), ``pack``ed by the caller: written now, in one transaction that
        also drops the log and snapshots it supersedes."""
        seq = self.last_seq + 1
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute("INSERT INTO snapshots VALUES (?, 1, ?)", (seq, blob))
            self._db.execute("DELETE FROM snapshots WHERE seq < ?", (seq,))
            self._db.execute("DELETE FROM log WHERE seq < ?", (seq,))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.last_seq = seq
        self._since_snapshot = 0

    def _offer(self, seq: int, world: World) -> None:
        """Queue a snapshot; if one is still being written, this one is skipped (the next will come)."""
        if self._snapshotter is None:
            self._snapshotter = threading.Thread(target=self._snapshot_loop, name="vmrules-snapshots", daemon=True)
            self._snapshotter.start()
        with contextlib.suppress(queue.Full):
            self._pending.put_nowait((seq, world))

    def _snapshot_loop(self) -> None:
        connection = _connect(self.path, self.synchronous)
        while True:
            job = self._pending.get()
            if job is None:
                break
            try:
                self.write_snapshot(*job, connection=connection)
            except (sqlite3.Error, OSError) as exc:  # the log still holds everything; a later snapshot may succeed
                print(f"vmrules serve: snapshot at entry {job[0]} not written: {exc}", file=sys.stderr)
        connection.close()

    def write_snapshot(self, seq: int, world: World, *, connection: sqlite3.Connection | None = None) -> None:
        """Write the world after entry ``seq`` and drop the older non-base snapshots (never the log: it is the
        record ``export_trace`` reads)."""
        db = connection or self._db
        blob = pack(world)
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM log WHERE seq = ?", (seq,)).fetchone() is None:
                db.execute("ROLLBACK")  # a world replacement dropped that entry meanwhile
                return
            db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, 0, ?)", (seq, blob))
            db.execute("DELETE FROM snapshots WHERE seq < ? AND base = 0", (seq,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")  # off the request path; the WAL restarts from here

    def close(self) -> None:
        if self._snapshotter is not None:
            self._pending.put(None)
            self._snapshotter.join(timeout=600)
        self._db.close()


def _version(connection: sqlite3.Connection, path: Path) -> int | None:
    """The store's format version (None for an empty database); StoreError for another format or version."""
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return None
    if "meta" not in tables:
        raise StoreError(f"{path}: an SQLite database, but not a vmrules state store (no meta table)")
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("format") != FORMAT:
        raise StoreError(f"{path}: an SQLite database, but not a vmrules state store (format {meta.get('format')!r})")
    if meta.get("version") != str(FORMAT_VERSION):
        raise StoreError(f"{path}: state store format version {meta.get('version')}; this vmrules reads version "
                         f"{FORMAT_VERSION} only. Use the vmrules release that wrote it, or start from a world "
                         f"snapshot (--world) with a new --state file.")
    return FORMAT_VERSION


def _migrate_json(path: Path) -> World:
    """An old-style JSON state file: its world, with the file moved aside to ``<path>.json-backup``."""
    try:
        world = World.from_json(path.read_bytes())
    except (OSError, ValueError, TypeError, RecursionError) as exc:
        raise StoreError(f"{path}: neither a vmrules state database nor a JSON world snapshot: {exc}") from None
    backup = path.with_name(path.name + ".json-backup")
    os.replace(path, backup)
    print(f"vmrules serve: {path} was a JSON state file; migrated to an SQLite state database (the JSON is kept "
          f"as {backup})", file=sys.stderr)
    return world
