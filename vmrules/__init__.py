"""vmrules: the executable reference semantics of the JD Cloud VM (云主机) API v1.

A pure functional core: ``execute(world, operation, params)`` returns an ``Outcome`` holding either a new
world and the API result, or a typed ``VmError`` naming the rule it broke. See README.md and docs/.
"""

from vmrules.catalogue import EFFECTS, RULES, effects_for, rules_for
from vmrules.effects import Effect
from vmrules.engine import advance, advance_room, check, execute, settle
from vmrules.errors import Status, VmError
from vmrules.operation import Operation, Outcome, Request
from vmrules.operations import OPERATION_TABLE, OPERATIONS
from vmrules.rules import Phase, Rule, Source
from vmrules.world import World

__all__ = [
    "EFFECTS",
    "OPERATIONS",
    "OPERATION_TABLE",
    "RULES",
    "Effect",
    "Operation",
    "Outcome",
    "Phase",
    "Request",
    "Rule",
    "Source",
    "Status",
    "VmError",
    "World",
    "advance",
    "advance_room",
    "check",
    "effects_for",
    "execute",
    "rules_for",
    "settle",
]
