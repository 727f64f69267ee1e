"""Paging and filters shared by the list operations (describeInstances, describeImages, ...).

A list request carries ``pageNumber`` (default 1, at least 1), ``pageSize`` (default 20, 10..100) and
``filters``: a list of ``Filter`` objects ``{name, operator, values}`` combined with AND; within one filter the
values are alternatives (OR). Each operation builds its own rules from the factories here, with its own rule
ids, and lists its items with ``select`` and ``page``.

Field paths name list positions 0-based, like every other path the engine reports (``filters.0.name``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from vmrules.operation import Ctx, Request
from vmrules.rules import Finding, Findings, Phase, Rule, Source, sdk_doc

T = TypeVar("T")

DEFAULT_PAGE_NUMBER = 1
DEFAULT_PAGE_SIZE = 20
PAGE_SIZE_MIN = 10
PAGE_SIZE_MAX = 100
# The only operator the API documents for Filter.operator (and its default).
FILTER_OPERATORS: tuple[str, ...] = ("eq",)

PAGE_NUMBER_SOURCE = sdk_doc("pageNumber: 页码；默认为1 (describeInstances, describeImages, ...)")
PAGE_SIZE_SOURCE = sdk_doc("pageSize: 分页大小；默认为20；取值范围[10, 100]")
FILTER_SOURCE = sdk_doc("filters 中支持使用以下关键字进行过滤 (the operation's list of filter names)")
OPERATOR_SOURCE = sdk_doc("Filter.operator: 过滤条件的操作符，默认eq")
VALUES_SOURCE = sdk_doc("Filter.values: 过滤条件的值; filters marked 支持单个 take one value")


class Filter(BaseModel):
    """One filter condition: ``name`` (required), ``operator`` (default ``eq``), ``values`` (required)."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore", from_attributes=True)

    name: str
    operator: str | None = None
    values: list[str]


class PagedRequest(Request):
    """A list request's paging parameters."""

    pageNumber: int | None = None
    pageSize: int | None = None


class FilteredRequest(PagedRequest):
    """A list request with paging and filters."""

    filters: list[Filter] | None = None


@dataclass(frozen=True, slots=True)
class FilterKey(Generic[T]):
    """A filter name an operation supports: ``values(item)`` are the item's values for it.

    ``fuzzy``: a filter value matches when it is a substring of one of the item's values (case-sensitive);
    otherwise it must equal one. ``single``: the filter takes exactly one value (支持单个).
    """

    name: str
    values: Callable[[T], Iterable[str]]
    fuzzy: bool = False
    single: bool = False


# ---- rule factories ---------------------------------------------------------------------------------


def page_number_rule(rule_id: str, source: Source = PAGE_NUMBER_SOURCE) -> Rule[Ctx[Any]]:
    """pageNumber, when given, is at least 1."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getattr(ctx.req, "pageNumber", None)
        if value is None or value >= 1:
            return None
        return Finding(f"pageNumber is {value}; it must be at least 1")

    return Rule(rule_id, Phase.PARAMETERS, "pageNumber is at least 1 (default 1).", source, "pageNumber", check)


def page_size_rule(rule_id: str, source: Source = PAGE_SIZE_SOURCE) -> Rule[Ctx[Any]]:
    """pageSize, when given, is within [10, 100]."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getattr(ctx.req, "pageSize", None)
        if value is None or PAGE_SIZE_MIN <= value <= PAGE_SIZE_MAX:
            return None
        return Finding(f"pageSize is {value}; allowed {PAGE_SIZE_MIN} to {PAGE_SIZE_MAX}")

    return Rule(rule_id, Phase.PARAMETERS,
                f"pageSize is within [{PAGE_SIZE_MIN}, {PAGE_SIZE_MAX}] (default {DEFAULT_PAGE_SIZE}).",
                source, "pageSize", check)


def filter_names_rule(rule_id: str, names: Iterable[str], source: Source = FILTER_SOURCE) -> Rule[Ctx[Any]]:
    """Every filter names one of ``names``; an unknown name is INVALID_ARGUMENT at ``filters.N.name``."""
    known = tuple(names)
    shown = ", ".join(known)

    def check(ctx: Ctx[Any]) -> Findings:
        filters: list[Filter] | None = getattr(ctx.req, "filters", None)
        return [
            Finding(f"filters.{i}.name {f.name!r} is not a supported filter (supported: {shown})",
                    f"filters.{i}.name")
            for i, f in enumerate(filters or ())
            if f.name not in known
        ]

    return Rule(rule_id, Phase.PARAMETERS, f"Each filter's name is one of: {shown}.", source, "filters", check)


def filter_operator_rule(rule_id: str, source: Source = OPERATOR_SOURCE) -> Rule[Ctx[Any]]:
    """A filter's operator, when given, is ``eq``."""
    shown = ", ".join(FILTER_OPERATORS)

    def check(ctx: Ctx[Any]) -> Findings:
        filters: list[Filter] | None = getattr(ctx.req, "filters", None)
        return [
            Finding(f"filters.{i}.operator {f.operator!r} is not supported (supported: {shown})",
                    f"filters.{i}.operator")
            for i, f in enumerate(filters or ())
            if f.operator is not None and f.operator not in FILTER_OPERATORS
        ]

    return Rule(rule_id, Phase.PARAMETERS, f"A filter's operator is {shown} (the default).", source, "filters",
                check)


def filter_values_rule(rule_id: str, single: Iterable[str] = (), source: Source = VALUES_SOURCE) -> Rule[Ctx[Any]]:
    """Every filter has at least one value; the filters named in ``single`` have exactly one."""
    single_t = tuple(single)

    def check(ctx: Ctx[Any]) -> Findings:
        filters: list[Filter] | None = getattr(ctx.req, "filters", None)
        found: list[Finding] = []
        for i, f in enumerate(filters or ()):
            if not f.values:
                found.append(Finding(f"filters.{i}.values is empty; give at least one value", f"filters.{i}.values"))
            elif f.name in single_t and len(f.values) > 1:
                found.append(Finding(f"filters.{i}.values has {len(f.values)} values; filter {f.name!r} takes "
                                     "exactly one", f"filters.{i}.values"))
        return found

    statement = "Each filter has at least one value"
    if single_t:
        statement += f"; {', '.join(single_t)} take exactly one"
    return Rule(rule_id, Phase.PARAMETERS, statement + ".", source, "filters", check)


def filter_rules(prefix: str, keys: Sequence[FilterKey[Any]]) -> tuple[Rule[Ctx[Any]], ...]:
    """The paging and filter rules of one list operation: ids ``<prefix>.PAGE_NUMBER``, ``.PAGE_SIZE``,
    ``.FILTER_NAME``, ``.FILTER_OPERATOR``, ``.FILTER_VALUES``."""
    return (
        page_number_rule(f"{prefix}.PAGE_NUMBER"),
        page_size_rule(f"{prefix}.PAGE_SIZE"),
        filter_names_rule(f"{prefix}.FILTER_NAME", [k.name for k in keys]),
        filter_operator_rule(f"{prefix}.FILTER_OPERATOR"),
        filter_values_rule(f"{prefix}.FILTER_VALUES", [k.name for k in keys if k.single]),
    )


# ---- listing ----------------------------------------------------------------------------------------


def select(items: Iterable[T], filters: Sequence[Filter] | None, keys: Sequence[FilterKey[T]]) -> list[T]:
    """The items every filter accepts (AND across filters, OR across one filter's values).

    Filters with a name not in ``keys`` are ignored here (a rule refuses them before this runs).
    """
    by_name = {k.name: k for k in keys}
    active = [(by_name[f.name], tuple(f.values)) for f in filters or () if f.name in by_name]
    return [item for item in items if all(_accepts(key, wanted, item) for key, wanted in active)]


def _accepts(key: FilterKey[T], wanted: tuple[str, ...], item: T) -> bool:
    have = tuple(key.values(item))
    if key.fuzzy:
        return any(w in h for w in wanted for h in have)
    return any(h in wanted for h in have)


def page_bounds(page_number: int | None, page_size: int | None) -> tuple[int, int]:
    """(page number, page size) with the defaults applied: page 1, 20 per page."""
    number = DEFAULT_PAGE_NUMBER if page_number is None else max(page_number, 1)
    size = DEFAULT_PAGE_SIZE if page_size is None else max(page_size, 0)
    return number, size


def page(items: Sequence[T], page_number: int | None, page_size: int | None) -> tuple[list[T], int]:
    """The requested page of ``items`` (defaults: page 1, 20 per page) and the total count."""
    number, size = page_bounds(page_number, page_size)
    start = (number - 1) * size
    return list(items[start:start + size]), len(items)
