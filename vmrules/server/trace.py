"""The state store's log as a ``vmrules run`` trace, so a test session against the emulator replays offline.

``export_trace`` writes ``world.json`` (the log's base world) and ``trace.jsonl``: per logged change, an
``advance`` step for the clock it moved, a ``settle`` for the tasks its arrival completed, and the call with its
outcome as the expectation (``ok``, or the error's status, code and rule). ``vmrules run trace.jsonl --world
world.json`` then reproduces the server's world. Changes made with ``--task-seconds`` above 0 complete only some
tasks, which a trace cannot say (its ``settle`` completes all); such a log is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vmrules.server.journal import apply
from vmrules.server.store import Store


def export_trace(store: Store, directory: Path) -> int:
    """Write ``directory``/world.json and trace.jsonl; the number of steps. ValueError when the log cannot be
    written as a trace (changes made with tasks taking time)."""
    base_seq, world = store.base()
    steps: list[dict[str, Any]] = []
    for seq, entry in store.entries(after=base_seq):
        if entry.delay > 0:
            raise ValueError(f"log entry {seq} ran with --task-seconds above 0 (tasks completing {entry.delay} s "
                             "after they start): a trace's settle completes every task, so it cannot replay it")
        if entry.clock > world.clock:
            steps.append({"op": "advance", "seconds": entry.clock - world.clock})
        if world.tasks:
            steps.append({"op": "settle"})
        applied = apply(world, entry)
        if entry.kind == "call" and applied.outcome is not None:
            step: dict[str, Any] = {"op": entry.operation, "params": entry.params}
            if entry.caller is not None:
                step["caller"] = entry.caller
            error = applied.outcome.error
            step["expect"] = "ok" if error is None else {"status": error.status, "code": error.code,
                                                          "rule": error.rule}
            step["note"] = entry.request_id
            steps.append(step)
            if applied.outcome.ok and applied.outcome.world.tasks:
                steps.append({"op": "settle"})
        elif entry.kind == "settle":
            steps.append({"op": "settle", "note": entry.request_id})
        elif entry.kind == "advance":
            steps.append({"op": "advance", "seconds": entry.seconds, "note": entry.request_id})
            steps.append({"op": "settle"})
        world = applied.world
    directory.mkdir(parents=True, exist_ok=True)
    base = store.base()[1]
    (directory / "world.json").write_text(json.dumps(base.to_dict(), ensure_ascii=False), encoding="utf-8")
    lines = [f"# exported from {store.path} (log entries after {base_seq}); run: vmrules run trace.jsonl "
             "--world world.json"]
    lines += [json.dumps(step, ensure_ascii=False) for step in steps]
    (directory / "trace.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(steps)
