"""The path every request takes: wire params -> request model -> rules -> transition -> new world -> result.

An ``Operation`` bundles the pieces for one API operation. It is also the operation's typed entry point:
``STOP_INSTANCE(world, StopInstanceRequest(...))`` returns the same ``Outcome`` as
``execute(world, "stopInstance", {...})``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from vmrules.effects import Effect
from vmrules.errors import VmError
from vmrules.plain import exact_str, to_plain
from vmrules.request_fields import UnknownName, unknown_names
from vmrules.request_rules import CALLER_RULES, REQUEST_RULES, CallerCheck, RawRequest
from vmrules.rules import Findings, Rule
from vmrules.world import World


class Request(BaseModel):
    """Base of every request model: the API's camelCase names, strict JSON types, unknown fields ignored.

    Strict: a number where a string is expected (or ``true`` where an integer is) is INVALID_ARGUMENT, as the
    API's typed decoder would refuse it. Unknown fields are ignored so requests from newer SDKs still parse.
    Optional fields are ``None`` when absent or null; the operation applies the documented defaults.
    """

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    regionId: str


R = TypeVar("R", bound=Request)


@dataclass(slots=True)
class Ctx(Generic[R]):
    """What rules see: the world, the calling account, the parsed request. Operations add resolved references."""

    world: World
    caller: str
    req: R

    @property
    def region(self) -> str:
        return self.req.regionId


C = TypeVar("C", bound=Ctx[Any])


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one operation: the new world and result on success, the unchanged world and error on failure."""

    world: World
    result: dict[str, Any] = field(default_factory=dict)
    error: VmError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_response(self, request_id: str) -> dict[str, Any]:
        """The API's response envelope."""
        if self.error is None:
            return {"requestId": request_id, "result": self.result}
        return {"requestId": request_id, "error": self.error.to_wire()}


@dataclass(frozen=True)
class Operation(Generic[R, C]):
    """One API operation. ``rules`` are kept in precedence order (by ``Phase``, stable within a phase)."""

    name: str
    method: str
    path: str
    summary: str
    request: type[R]
    context: Callable[[World, str, R], C]
    rules: tuple[Rule[C], ...]
    apply: Callable[[C], tuple[World, dict[str, Any]]]
    # True when the request repeats an earlier one (an idempotency token): the first outcome stands, so the
    # rules are not evaluated again and ``apply`` answers from the record.
    replayed: Callable[[C], bool] | None = None
    # What a successful call does (defaults, status changes, removals; vmrules/effects.py), for the docs.
    effects: tuple[Effect, ...] = ()
    _plan: tuple[tuple[Callable[[C], Findings], Rule[C]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"{self.name}: duplicate rule ids {ids}")
        effect_ids = [e.id for e in self.effects]
        if len(effect_ids) != len(set(effect_ids)):
            raise ValueError(f"{self.name}: duplicate effect ids {effect_ids}")
        object.__setattr__(self, "rules", tuple(sorted(self.rules, key=lambda r: r.phase)))
        # The rule loop's plan: each check function next to its rule, so a call looks up nothing per rule.
        object.__setattr__(self, "_plan", tuple((r.check, r) for r in self.rules))

    # ---- typed entry points -------------------------------------------------------------------------

    def __call__(self, world: World, request: R, *, caller: str | None = None) -> Outcome:
        """Apply the operation to a parsed request: the first failing rule's error, or the transition."""
        pin: Any = world.default_account if caller is None else exact_str(caller)
        for caller_rule in CALLER_RULES:
            error = caller_rule.first_error(CallerCheck(world, pin))
            if error is not None:
                return Outcome(world, {}, error)
        ctx = self.context(world, pin, request)
        if self.replayed is None or not self.replayed(ctx):
            for check, r in self._plan:
                found = check(ctx)  # inlined Rule.first_error: this loop is the engine's hot path
                if found:  # None and an empty list or tuple: the rule holds, nothing to build
                    error = r.first_of(found)
                    if error is not None:
                        return Outcome(world, {}, error)
        new_world, result = self.apply(ctx)
        return Outcome(new_world, result, None)

    def violations(self, world: World, request: R, *, caller: str | None = None) -> list[VmError]:
        """Every rule violation for a parsed request, in precedence order."""
        pin: Any = world.default_account if caller is None else exact_str(caller)
        errors: list[VmError] = []
        for caller_rule in CALLER_RULES:
            found = caller_rule.check(CallerCheck(world, pin))
            if found:  # as in the rule loop below
                errors.extend(caller_rule.errors_of(found))
        if errors:
            return errors
        ctx = self.context(world, pin, request)
        if self.replayed is None or not self.replayed(ctx):
            for check, r in self._plan:
                found = check(ctx)  # inlined Rule.errors: this loop is the engine's hot path
                if found:  # None and an empty list or tuple: the rule holds, nothing to build
                    errors.extend(r.errors_of(found))
        return errors

    # ---- wire entry point ---------------------------------------------------------------------------

    def parse(self, params: object, *, strict: bool = False) -> R | list[VmError]:
        """The request model for wire params (a dict, or an object with attributes such as an SDK parameters
        object), or every request-shape error found.

        The params are first copied into plain JSON values (``vmrules.plain``), so no code of the caller's
        objects runs outside that guarded copy. ``strict``: names the request does not define, at any level,
        are errors (REQUEST.UNKNOWN_FIELD) instead of being ignored as the API ignores them."""
        plain = to_plain(params)
        data = plain.value
        shape_errors: tuple[Mapping[str, Any], ...] = ()
        parsed: R | None = None
        if type(data) is dict and not plain.unreadable:
            try:
                parsed = self.request.model_validate(data)
            except ValidationError as exc:
                shape_errors = tuple(exc.errors(include_url=False, include_context=False))
        unknown: tuple[UnknownName, ...] = ()
        if strict:
            unknown = tuple(UnknownName(path, None) for path in plain.odd_names)
            unknown += tuple(unknown_names(self.request, data))
        if parsed is not None and not unknown:
            return parsed
        # only a refused request pays for this
        raw = RawRequest(self.name, data, True, shape_errors, tuple(plain.unreadable), unknown)
        errors: list[VmError] = []
        for r in REQUEST_RULES:
            errors.extend(r.errors(raw))
        return errors
