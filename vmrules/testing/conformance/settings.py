"""KitSettings: what the conformance kit compares and how it draws steps, the comparison modes, volatile fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from vmrules.defaults import MAIN, SECOND
from vmrules.world import World

JSON: TypeAlias = dict[str, Any]
Mode: TypeAlias = Literal["outcome", "status", "full"]
MODES: tuple[Mode, ...] = ("outcome", "status", "full")

# Fields whose values legitimately differ between two correct implementations: request ids, times (a real
# system's clock is not the model's), MAC addresses, the VNC URL (it embeds a time-derived token).
VOLATILE = frozenset({
    "requestId", "launchTime", "createTime", "createdTime", "attachTime", "chargeStartTime", "chargeExpiredTime",
    "chargeRetireTime", "macAddress", "vncUrl",
})
# The time fields among them: compared exactly when the system keeps the reference's clock (``times``).
TIME_FIELDS = frozenset({"launchTime", "createTime", "createdTime", "attachTime", "chargeStartTime",
                         "chargeExpiredTime", "chargeRetireTime"})

@dataclass(frozen=True)
class KitSettings:
    """What the kit compares and how it draws steps.

    * ``mode`` — ``outcome``: success vs failure only; ``status``: also the error status and code, and a summary
      of the observations after settle (ids and statuses, quotas, members); ``full``: also every result and
      observation after id mapping, volatile fields (``VOLATILE``) ignored.
    * ``invalid_share`` — the share of requests built to break a rule; ``edge_share`` — the share of those aimed
      at the seed limits the edge world sits at (``edge_targets``).
    * ``directed_share`` — the share of requests that are rule-directed boundary pairs, aimed at the catalogue
      rules this run has not fired yet (``vmrules.testing.strategies.rule_directed``); taken from the valid share.
    * ``scenario_share`` — the share of steps that are scenarios (clientToken retries, walking every page).
    * ``times`` — ``clock``: time fields are compared exactly (the system runs on the reference's clock: it
      loaded the snapshot's clock and moves it only by ``advance``); ``ignore``: they are volatile; ``auto``
      (default): ``clock`` when the adapter has ``advance``, else ``ignore``.
    * ``sweep`` — open the run with the rule sweep (one boundary pair per catalogue rule, every scenario once;
      ``vmrules.testing.conformance.directed``). Only for systems that can be reset.
    * ``callers`` — the accounts that act (the first one acts most).
    * ``operations`` — restrict the operations drawn (default: every implemented one).
    * ``world`` — the starting world (default: ``edge_world()``); ``id_map`` — model id -> system id pairs
      known in advance (for systems that cannot be reset to the model's ids).
    * ``observe`` — compare observations after every settle; ``settle_every_step`` — settle both sides after
      every accepted change (for systems whose tasks complete on their own).
    * ``trace_dir`` — where ``run_conformance`` writes the trace of a divergence (None: not written).
    """

    mode: Mode = "full"
    invalid_share: float = 0.3
    edge_share: float = 0.5
    directed_share: float = 0.15
    scenario_share: float = 0.05
    sweep: bool = True
    times: Literal["auto", "clock", "ignore"] = "auto"
    callers: tuple[str, ...] = (MAIN, SECOND)
    operations: tuple[str, ...] | None = None
    world: World | None = None
    id_map: Mapping[str, str] = field(default_factory=dict)
    observe: bool = True
    settle_every_step: bool = False
    trace_dir: str | None = None
