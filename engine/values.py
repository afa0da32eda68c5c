"""Run-time semantics of values: equality, keys, truth with "not recorded", rendering.

`None` is "not recorded". Operations on it give None (unknown), except `and`/`or`, which
follow Kleene's logic (false and unknown is false), and `is recorded`.
"""

from __future__ import annotations

import datetime as dt
import functools
from fractions import Fraction
from collections.abc import Sequence
from typing import Any

import attrs

from .calendar import Duration


def ident(v: Any) -> Any:
    """The id by which a snapshot object is known (its `id`, `name` or `number`)."""
    plan = _PLANS.get(type(v)) or _plan(type(v))
    if plan[0] != _RECORD:
        return v
    for attr in plan[1]:
        x = getattr(v, attr, None)
        if x is not None:
            return x
    if plan[2]:
        label = getattr(v, "label", None)
        if label is not None:
            return label()
    return v


def key(v: Any) -> Any:
    """A hashable key under which equal values meet (an object and its id are equal)."""
    plan = _PLANS.get(type(v)) or _plan(type(v))
    kind = plan[0]
    if kind == _PLAIN:
        return v
    if kind == _COLLECTION:
        if type(v) is tuple:
            try:
                return _tuple_key(v)
            except TypeError:  # an item that cannot be hashed (a table)
                pass
        return frozenset([key(x) for x in v])
    if kind == _TABLE:
        return id(v)
    for attr in plan[1]:  # ident(v), inlined: records are keyed at every index lookup
        x = getattr(v, attr, None)
        if x is not None:
            return x if x is not v else id(v)
    if plan[2]:
        label = getattr(v, "label", None)
        if label is not None:
            x = label()
            return x if x is not v else id(v)
    return id(v)


def key_set(collection: Any) -> frozenset:
    """The keys of a collection's items (a tuple's are remembered, see _tuple_key)."""
    if type(collection) is tuple:
        return key(collection)
    return frozenset([key(x) for x in items(collection)])


def item_keys(collection: Any) -> tuple:
    """The key of each item, in the order of `items(collection)`."""
    if type(collection) is tuple:
        try:
            return _tuple_item_keys(collection)
        except TypeError:
            pass
    return tuple([key(x) for x in items(collection)])


@functools.lru_cache(maxsize=8192)
def _tuple_item_keys(v: tuple) -> tuple:
    return tuple([key(x) for x in v])


@functools.lru_cache(maxsize=8192)
def _tuple_key(v: tuple) -> frozenset:
    """The key of a tuple, remembered: the same lists of a snapshot (a draw's reviewers,
    a review's articles) are keyed again and again. Safe because a tuple found equal here
    has equal items, hence the same key."""
    return frozenset([key(x) for x in v])


# What `ident` and `key` do with a value depends only on its type: decided once per type
# (these two run for every comparison and index lookup of an evaluation).
_PLAIN, _COLLECTION, _TABLE, _RECORD = range(4)
_PLANS: dict[type, tuple[int, tuple[str, ...], bool]] = {}


def _plan(t: type) -> tuple[int, tuple[str, ...], bool]:
    if issubclass(t, (tuple, list, frozenset)):
        plan = (_COLLECTION, (), False)
    elif issubclass(t, dict):
        plan = (_TABLE, (), False)
    elif attrs.has(t) and not issubclass(t, Duration):
        fields = attrs.fields_dict(t)
        names = tuple(a for a in ("id", "name", "number") if a in fields or hasattr(t, a))
        plan = (_RECORD, names, hasattr(t, "label"))
    else:
        plan = (_PLAIN, (), False)
    _PLANS[t] = plan
    return plan


def equal(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if a is b:
        return True
    if isinstance(a, (tuple, list, frozenset)) and isinstance(b, (tuple, list, frozenset)):
        return key(a) == key(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    return key(a) == key(b)


def items(collection: Any) -> Sequence:
    """What a quantifier ranges over: a list's items, a table's keys, a set's sorted items.
    (A tuple is given back as it is: callers only read it.)"""
    if type(collection) is tuple:
        return collection
    if isinstance(collection, dict):
        return list(collection)
    if isinstance(collection, frozenset):
        return sorted(collection, key=sort_key)
    return list(collection)


def contains(collection: Any, v: Any) -> bool | None:
    if collection is None or v is None:
        return None
    return contains_key(collection, key(v))


def contains_key(collection: Any, k: Any) -> bool:
    """Is an item of `collection` (recorded) keyed `k`? From a tuple's remembered key set
    when it can be."""
    if type(collection) is tuple:
        try:
            return k in _tuple_key(collection)
        except TypeError:  # an item that cannot be hashed (a table)
            pass
    return any(key(x) == k for x in items(collection))


def lookup(table: dict, k: Any) -> Any:
    """`table[k]`, where a key equal to `k` under `key` also serves (an object and its
    id); None when there is none."""
    if k in table:
        return table[k]
    kk = key(k)
    return next((v for mk, v in table.items() if key(mk) == kk), None)


def sort_key(v: Any):
    """A total order over mixed values, for deterministic output."""
    v = ident(v)
    if v is None:
        return (0, "")
    if isinstance(v, bool):
        return (1, str(v))
    if isinstance(v, (int, Fraction)):
        return (2, v)
    if isinstance(v, dt.date):
        return (3, v.isoformat())
    return (4, str(v))


MAX_BITS = 1000  # about 300 digits: far beyond any count, year or share the rules use


def number(v: Any) -> Any:
    """The result of arithmetic: Fractions that are whole become ints; a number beyond
    MAX_BITS (in its numerator or denominator) is unknown, like a date pushed past the
    calendar: reports could not print it (Python refuses ints of over 4300 digits, and
    floats stop near 2**1024), and rule arithmetic never needs it."""
    if isinstance(v, Fraction):
        if v.denominator == 1:
            v = v.numerator
        elif v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
            return None
        else:
            return v
    if isinstance(v, int) and v.bit_length() > MAX_BITS:
        return None
    return v


def to_json(v: Any) -> Any:
    """The JSON form of a value, for witnesses and reports."""
    t = type(v)
    if t is str or t is int or t is bool:  # the common cases first: Fraction's isinstance
        return v  # goes through its ABC
    if t is dt.date:
        return v.isoformat()
    if t is tuple:
        return [to_json(x) for x in v]
    plan = _PLANS.get(t)
    if plan is not None and plan[0] == _RECORD:  # a snapshot record: its id
        i = ident(v)
        return to_json(i) if i is not v else t.__name__
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, Fraction):
        v = number(v)
        return v if isinstance(v, int) else float(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, frozenset):
        return [to_json(x) for x in sorted(v, key=sort_key)]
    if isinstance(v, (tuple, list)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {str(ident(k)): to_json(x) for k, x in v.items()}
    i = ident(v)
    if i is not v:
        return to_json(i)
    return type(v).__name__  # a record without an id (a draw, a report)


def to_text(v: Any) -> str:
    """How a value reads inside a message."""
    j = to_json(v)
    if j is None:
        return "not recorded"
    if isinstance(j, bool):
        return "true" if j else "false"
    if isinstance(j, float):
        return f"{j:g}"
    if isinstance(j, list):
        return ", ".join(to_text(x) for x in j) if j else "none"
    if isinstance(j, dict):
        return ", ".join(f"{k}: {to_text(x)}" for k, x in j.items())
    return str(j)
