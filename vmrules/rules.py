"""Rules as data: each rule is a small total function with an id, a statement, a source and a status.

An operation lists its rules; the engine evaluates them in precedence order (``Phase``) and the first
finding becomes the error. ``check`` evaluates all of them. A rule never raises and never changes the world:
it looks at a context (world, caller, parsed request, resolved references) and returns a ``Finding`` or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Generic, Literal, TypeAlias, TypeVar

from vmrules.errors import Status, VmError

SourceKind = Literal["seed", "guide", "sdk-doc", "api-2018", "inferred", "request"]


class Phase(IntEnum):
    """Precedence of rules when several fail: earlier phases are reported first (docs/errors.md)."""

    REQUEST = 0  # the request is well formed (types, required fields): INVALID_ARGUMENT
    PARAMETERS = 1  # a parameter alone is out of range or contradicts another: INVALID_ARGUMENT
    EXISTENCE = 2  # a referenced resource exists in the caller's account and region: NOT_FOUND
    COMPATIBILITY = 3  # a parameter contradicts a fixed property of what it references: INVALID_ARGUMENT
    PERMISSION = 4  # the caller may act on the resource: PERMISSION_DENIED
    STATE = 5  # the current, mutable state allows it: FAILED_PRECONDITION
    QUOTA = 6  # the account's quota allows it: QUOTA_EXCEEDED

    @property
    def status(self) -> Status:
        return _PHASE_STATUS[self]


_PHASE_STATUS: dict[Phase, Status] = {
    Phase.REQUEST: Status.INVALID_ARGUMENT,
    Phase.PARAMETERS: Status.INVALID_ARGUMENT,
    Phase.EXISTENCE: Status.NOT_FOUND,
    Phase.COMPATIBILITY: Status.INVALID_ARGUMENT,
    Phase.PERMISSION: Status.PERMISSION_DENIED,
    Phase.STATE: Status.FAILED_PRECONDITION,
    Phase.QUOTA: Status.QUOTA_EXCEEDED,
}


_HTML_TAG = re.compile(r"<[^>]+>")
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a rule comes from. ``quote`` is verbatim seed text when ``kind`` is ``seed``."""

    kind: SourceKind
    quote: str | None = None
    note: str | None = None

    @property
    def plain_quote(self) -> str | None:
        """The seed quote as a reader sees it rendered: HTML tags dropped (``<b>stopped</b>`` -> ``stopped``)
        and Markdown backslash escapes resolved (``premium\\-hdd`` -> ``premium-hdd``). ``quote`` stays verbatim
        (it is checked against the seed); messages and listings show this."""
        if self.quote is None:
            return None
        return _MARKDOWN_ESCAPE.sub(r"\1", _HTML_TAG.sub("", self.quote))


def seed(quote: str) -> Source:
    """A rule enforcing the seed sentence ``quote`` (must occur verbatim in the seed)."""
    return Source("seed", quote)


def sdk_doc(note: str) -> Source:
    return Source("sdk-doc", None, note)


def guide(note: str) -> Source:
    return Source("guide", None, note)


def api_2018(note: str) -> Source:
    return Source("api-2018", None, note)


def inferred(note: str) -> Source:
    return Source("inferred", None, note)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a failing rule says: a message and, when it differs from the rule's own field, the field path."""

    message: str
    field: str | None = None


C = TypeVar("C", contravariant=True)
Findings: TypeAlias = Finding | Iterable[Finding] | None


@dataclass(frozen=True, slots=True)
class Rule(Generic[C]):
    """A named, documented check over a context of type ``C``."""

    id: str
    phase: Phase
    statement: str
    source: Source
    field: str | None
    check: Callable[[C], Findings]
    doc: str | None = None

    @property
    def status(self) -> Status:
        return self.phase.status

    def errors(self, ctx: C) -> list[VmError]:
        """Every error this rule reports for ``ctx`` (empty when it holds)."""
        found = self.check(ctx)
        return [] if found is None else self.errors_of(found)

    def first_error(self, ctx: C) -> VmError | None:
        found = self.check(ctx)
        return None if found is None else self.first_of(found)

    def errors_of(self, found: Finding | Iterable[Finding]) -> list[VmError]:
        """The errors for what ``check`` returned (callers in hot loops call ``check`` themselves)."""
        if isinstance(found, Finding):
            return [self._error(found)]
        return [self._error(f) for f in found]

    def first_of(self, found: Finding | Iterable[Finding]) -> VmError | None:
        if isinstance(found, Finding):
            return self._error(found)
        for f in found:
            return self._error(f)
        return None

    def _error(self, finding: Finding) -> VmError:
        status = self.phase.status
        return VmError(
            code=status.code,
            status=status.value,
            message=finding.message,
            rule=self.id,
            field=finding.field if finding.field is not None else self.field,
        )


def rule(
    rule_id: str,
    *,
    phase: Phase,
    statement: str,
    source: Source,
    field: str | None = None,
) -> Callable[[Callable[[C], Findings]], Rule[C]]:
    """Decorator turning a check function into a ``Rule``. The function's docstring becomes the rule's doc."""

    def wrap(fn: Callable[[C], Findings]) -> Rule[C]:
        return Rule(rule_id, phase, statement, source, field, fn, fn.__doc__)

    return wrap
