"""Hypothesis strategies of hostile inputs: objects whose ``__repr__``, ``__getattribute__``, ``__eq__``,
``__hash__``, ``__len__``, ``__iter__``, ``__bool__``, ``__str__``, ``__index__``, ``__float__`` (and more)
raise, planted anywhere in otherwise plausible parameters.

A total engine (``execute``/``check`` never raise) must survive every one of them: no method of a caller's object
may run outside a guard. Use them against your own implementation too::

    from hypothesis import given
    from vmrules.testing.hostile import hostile_params

    @given(planted=hostile_params("createInstances"))
    def test_never_raises(planted):
        execute(World.default(), "createInstances", planted.params)   # must return an Outcome
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from vmrules.operations import OPERATION_TABLE
from vmrules.testing.strategies import arbitrary_params, valid_requests
from vmrules.world import World

# The methods a hostile object may override so that they raise.
HOSTILE_METHODS: tuple[str, ...] = (
    "__repr__", "__str__", "__format__", "__getattribute__", "__getattr__", "__eq__", "__ne__", "__hash__",
    "__len__", "__iter__", "__contains__", "__getitem__", "__bool__", "__index__", "__int__", "__float__",
    "__lt__", "keys", "items", "values", "get", "copy", "__reduce_ex__", "__deepcopy__", "__copy__",
)
# The bases hostile classes derive from: plain objects (read through their attributes) and every JSON type.
HOSTILE_BASES: tuple[type, ...] = (object, dict, list, tuple, str, int, float)


class HostileError(Exception):
    """What a hostile method raises by default."""


class UnprintableError(Exception):
    """A hostile method's exception whose own ``__str__`` and ``__repr__`` raise as well."""

    def __str__(self) -> str:
        raise HostileError("hostile __str__ of an exception")

    def __repr__(self) -> str:
        raise HostileError("hostile __repr__ of an exception")


def _raiser(name: str, error: type[BaseException]) -> Callable[..., Any]:
    def method(*args: Any, **kwargs: Any) -> Any:
        raise error(f"hostile {name}")

    method.__name__ = name
    return method


def hostile_class(base: type, methods: frozenset[str], error: type[Exception] = HostileError) -> type:
    """A subclass of ``base`` whose ``methods`` raise ``error``."""
    namespace: dict[str, Any] = {name: _raiser(name, error) for name in methods}
    if "__hash__" not in methods and "__eq__" in methods:
        namespace["__hash__"] = base.__hash__  # stay hashable: only the named methods misbehave
    label = "".join(m.strip("_").title() for m in sorted(methods))[:40]
    name = f"Hostile{base.__name__.title()}{label}"
    # hypothesis prints a failing example's values with its own printer, which asks a value for _repr_pretty_
    # before it calls repr (or the hostile __iter__ of a list or dict subclass): no request reader looks for it,
    # so the report names the value instead of raising. A raising __getattribute__ lets that one name through,
    # or the printer's lookup would fail and fall back to the raising repr.
    namespace["_repr_pretty_"] = lambda self, printer, cycle: printer.text(f"<{name} object>")
    if "__getattribute__" in methods:
        namespace["__getattribute__"] = _raising_getattribute(error)
    return type(name, (base,), namespace)


def _raising_getattribute(error: type[BaseException]) -> Callable[[Any, str], Any]:
    def __getattribute__(self: Any, attribute: str) -> Any:
        if attribute == "_repr_pretty_":  # for hypothesis's printer only (hostile_class)
            return object.__getattribute__(self, attribute)
        raise error("hostile __getattribute__")

    return __getattribute__


_SAMPLE_VALUES: dict[type, Any] = {object: None, dict: {"regionId": "cn-north-1"}, list: ["x"], tuple: ("x",),
                                   str: "cn-north-1", int: 7, float: 1.5}
_ERRORS: tuple[type[Exception], ...] = (HostileError, RuntimeError, TypeError, ValueError, AttributeError,
                                        KeyError, RecursionError, MemoryError)


def _instantiate(cls: type, base: type) -> Any:
    if base is object:
        return object.__new__(cls)
    value = _SAMPLE_VALUES[base]
    made: Any
    if base is dict:
        made = dict.__new__(cls)
        dict.update(made, value)
        return made
    if base is list:
        made = list.__new__(cls)
        list.extend(made, value)
        return made
    return base.__new__(cls, value)


@st.composite
def hostile_values(draw: st.DrawFn) -> Any:
    """One hostile object: a plain object or a JSON-type subclass with some methods raising."""
    base = draw(st.sampled_from(HOSTILE_BASES))
    methods = frozenset(draw(st.lists(st.sampled_from(HOSTILE_METHODS), min_size=1, max_size=6)))
    error = draw(st.sampled_from(_ERRORS))
    return _instantiate(hostile_class(base, methods, error), base)


@dataclass(frozen=True)
class Planted:
    """Parameters with a hostile value at ``path`` (dot-separated; None: the parameters themselves)."""

    params: Any
    path: str | None
    value: Any
    world: World | None = None  # the world a planted valid request was drawn for (None: any world)

    def __repr__(self) -> str:  # hypothesis prints examples: never call the hostile value's own repr
        return f"Planted(path={self.path!r}, value=<{type(self.value).__name__}>)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # hypothesis's printer shows a dataclass field by field (the hostile value's own repr, which raises)
        # unless the object prints itself: a failing example is then reported, not the printer's error
        printer.text(repr(self))


def _shallow(value: Any) -> Any:
    return dict(value) if type(value) is dict else list(value) if type(value) is list else value


def _copy_with_containers(value: Any) -> tuple[Any, list[tuple[Any, str | None]]]:
    """A copy of ``value`` whose dicts and lists are new (nothing else is planted into, so the rest is shared),
    and every dict and list in it with its path, each before what it holds. Iterative: the arbitrary
    parameters nest 500 levels deep (``arbitrary_params``), and ``copy.deepcopy``, two frames a level, raises
    RecursionError on them at Python's default recursion limit (hypothesis raises the limit while a test
    runs, which is why it worked there)."""
    root = _shallow(value)
    places: list[tuple[Any, str | None]] = []
    pending: list[tuple[Any, str | None]] = [(root, None)]
    while pending:
        container, path = pending.pop()
        if type(container) is not dict and type(container) is not list:
            continue
        places.append((container, path))
        items = list(container.items()) if type(container) is dict else list(enumerate(container))
        inner = []
        for key, item in items:
            if type(item) is dict or type(item) is list:
                container[key] = copied = _shallow(item)
                inner.append((copied, str(key) if path is None else f"{path}.{key}"))
        pending.extend(reversed(inner))  # the first item is taken next: the order they are read in
    return root, places


@st.composite
def _plant(draw: st.DrawFn, drawn: st.SearchStrategy[tuple[Any, World | None]]) -> Planted:
    params, world = draw(drawn)
    params, places = _copy_with_containers(params)
    value = draw(hostile_values())
    if not places or draw(st.integers(0, 9)) == 0:
        return Planted(value, None, value, world)
    container, path = draw(st.sampled_from(places))
    key: str | int
    if type(container) is dict:
        known = sorted(k for k in container if type(k) is str)
        reuse = bool(known) and draw(st.booleans())
        key = draw(st.sampled_from(known)) if reuse else draw(st.text(max_size=8))
        container[key] = value
    else:
        if not container:
            container.append(None)
        key = draw(st.integers(0, len(container) - 1))
        container[key] = value
    return Planted(params, str(key) if path is None else f"{path}.{key}", value, world)


def hostile_params(operation: str | None = None, world: World | None = None) -> st.SearchStrategy[Planted]:
    """Parameters (arbitrary ones, or a valid request of ``operation`` on ``world`` — default: the embedded
    default world) with one hostile value planted at a random place: a replaced field, a new field, a list item,
    or the parameters as a whole."""
    arbitrary = arbitrary_params(operation).filter(lambda p: type(p) in (dict, list))
    base: st.SearchStrategy[tuple[Any, World | None]] = arbitrary.map(lambda p: (p, None))
    if operation is not None and operation in OPERATION_TABLE:
        where = World.default() if world is None else world
        base = st.one_of(base, valid_requests(where, operation).map(lambda p: (p, where)))
    return _plant(base)


__all__ = [
    "HOSTILE_BASES",
    "HOSTILE_METHODS",
    "HostileError",
    "Planted",
    "UnprintableError",
    "hostile_class",
    "hostile_params",
    "hostile_values",
]
