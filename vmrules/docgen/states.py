"""docs/states.md: one state diagram per resource kind (instance, image, disk attachment), drawn from the
operations' declared status effects (``Effect.change``): which operation starts which task, the status visible
while it runs, the status ``settle`` ends it in. Nothing here is written by hand; a new status effect appears in
the diagram, and tests/test_effects.py checks each declaration against the engine."""

from __future__ import annotations

from vmrules.catalogue import EFFECT_CATALOGUE
from vmrules.effects import ResourceKind

KINDS: tuple[ResourceKind, ...] = ("instance", "image", "disk attachment")
START, GONE = "[*]", "[*]"


def _node(status: str) -> str:
    return status.replace("-", "_")


def render(header: str) -> str:
    lines = [header, "", "# State diagrams", "",
             "Drawn from the operations' status effects (`vmrules effects`): an arrow from a status to the "
             "transitional status an operation sets (labelled with the operation and the task it starts), then "
             "from that status to the one `settle` ends the task in. `[*]` on the left is a resource the call "
             "creates, on the right one the task removes. Rules decide whether the call is accepted (the spec "
             "pages); these are the changes of an accepted one. Each arrow's effect is checked against the "
             "engine by tests/test_effects.py.", ""]
    for kind in KINDS:
        changes = [(e.operation, e.id, e.effect.change) for e in EFFECT_CATALOGUE.values()
                   if e.effect.change is not None and e.effect.change.resource == kind]
        lines += [f"## {kind}", "", "```mermaid", "stateDiagram-v2"]
        table = ["", "| operation | from | while the task runs | task | after settle | effect |",
                 "|---|---|---|---|---|---|"]
        arrows: list[str] = []
        for operation, effect_id, change in sorted(changes, key=lambda c: c[0]):
            assert change is not None
            for before in change.before or (None,):
                source = START if before is None else _node(before)
                arrows.append(f"    {source} --> {_node(change.during)} : {operation}")
            end = GONE if change.after is None else _node(change.after)
            arrows.append(f"    {_node(change.during)} --> {end} : settle ({change.task or 'immediate'})")
            table.append(f"| [{operation}](spec/{operation}.md) | {', '.join(change.before) or '(created)'} | "
                         f"{change.during} | `{change.task or '—'}` | {change.after or '(gone)'} | `{effect_id}` |")
        lines += list(dict.fromkeys(arrows))
        lines += ["```", *table, ""]
    return "\n".join(lines)
