"""The functions rules may call: their types (for the checker) and meaning (for the evaluator).

A function's `typer` gets the argument types and returns the result type, or raises
`TypeProblem` with a message. Its `impl` gets the evaluation context and the argument
values (a selection arrives as the list of its values).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from . import values as V
from .keywords import BUILTIN_NAMES
from .records import frozen
from .types import (ANY, BOOLEAN, DATE, NUMBER, ListOf, MapOf, Type, Unknown, element, unify)


class TypeProblem(Exception):
    pass


@frozen
class Builtin:
    name: str
    signature: str  # for docs and messages
    doc: str
    typer: Callable[[list[Type]], Type]
    impl: Callable[..., Any]
    calendar: bool = False  # needs the mechanism calendar


def _item(t: Type, fname: str) -> Type:
    item = element(t)
    if item is None:
        raise TypeProblem(f"{fname}() needs a list, got {t.describe()}")
    return item


def _one(types, fname):
    if len(types) != 1:
        raise TypeProblem(f"{fname}() takes one argument, got {len(types)}")
    return types[0]


def _expect(t: Type, want: Type, what: str):
    if not isinstance(t, Unknown) and t != want:
        raise TypeProblem(f"{what} must be {want.describe()}, got {t.describe()}")


def t_count(types):
    _item(_one(types, "count"), "count")
    return NUMBER


def t_truth(fname):
    def typer(types):
        item = _item(_one(types, fname), fname)
        if fname == "all" and item not in (BOOLEAN, ANY):
            raise TypeProblem(
                f"all() needs conditions, got {ListOf(item).describe()}; "
                f"write all(CONDITION for each x in ...)")
        return BOOLEAN
    return typer


def t_distinct(types):
    return ListOf(_item(_one(types, "distinct"), "distinct"))


def t_first(types):
    return _item(_one(types, "first"), "first")


def t_sum(types):
    _expect(_item(_one(types, "sum"), "sum"), NUMBER, "the items of sum()")
    return NUMBER


def t_minmax(fname):
    def typer(types):
        if len(types) == 1:
            item = _item(types[0], fname)
        else:
            item = ANY
            for t in types:
                u = unify(item, t)
                if u is None:
                    raise TypeProblem(f"{fname}() mixes {item.describe()} and {t.describe()}")
                item = u
        if item not in (NUMBER, DATE, ANY):
            raise TypeProblem(f"{fname}() needs numbers or dates, got {item.describe()}")
        return item
    return typer


def t_union(types):
    item = _item(_one(types, "union"), "union")
    if isinstance(item, Unknown):
        return ListOf(ANY)
    if not isinstance(item, ListOf):
        raise TypeProblem(f"union() needs a list of lists, got {ListOf(item).describe()}")
    return item


def t_keys(types):
    t = _one(types, "keys")
    if not isinstance(t, (MapOf, Unknown)):
        raise TypeProblem(f"keys() needs a table, got {t.describe()}")
    return ListOf(t.key if isinstance(t, MapOf) else ANY)


def t_values(types):
    t = _one(types, "values")
    if not isinstance(t, (MapOf, Unknown)):
        raise TypeProblem(f"values() needs a table, got {t.describe()}")
    return ListOf(t.value if isinstance(t, MapOf) else ANY)


def t_rounding(fname):
    def typer(types):
        _expect(_one(types, fname), NUMBER, f"the argument of {fname}()")
        return NUMBER
    return typer


def t_first_recorded(types):
    if not types:
        raise TypeProblem("first_recorded() needs at least one argument")
    out = ANY
    for t in types:
        u = unify(out, t)
        if u is None:
            raise TypeProblem(f"first_recorded() mixes {out.describe()} and {t.describe()}")
        out = u
    return out


def t_calendar(fname, arg: Type, result: Type):
    def typer(types):
        _expect(_one(types, fname), arg, f"the argument of {fname}()")
        return result
    return typer


# ---- implementations -----------------------------------------------------------------


def _none_if_missing(f):
    def impl(ctx, *args):
        for a in args:
            if a is None:
                return None
        return f(ctx, *args)
    return impl


def i_any(ctx, xs):
    if xs is None:
        return None
    unknown = False
    for x in V.items(xs):
        if x is None:
            unknown = True
        elif x is not False:
            return True
    return None if unknown else False


def i_all(ctx, xs):
    if xs is None:
        return None
    unknown = False
    for x in V.items(xs):
        if x is False:
            return False
        if x is None:
            unknown = True
    return None if unknown else True


def i_none(ctx, xs):
    r = i_any(ctx, xs)
    return None if r is None else not r


def i_distinct(ctx, xs):
    seen, out = set(), []
    for x in V.items(xs):
        k = V.key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return tuple(out)


def i_sum(ctx, xs):
    total = 0
    for x in V.items(xs):
        if x is None:
            return None
        total += x
    return V.number(total)


def i_minmax(pick):
    def impl(ctx, *args):
        xs = V.items(args[0]) if len(args) == 1 else args
        present = [x for x in xs if x is not None]
        return pick(present) if present else None
    return impl


def i_union(ctx, xss):
    return i_distinct(ctx, [x for xs in V.items(xss) if xs is not None for x in V.items(xs)])


def i_round(f):
    def impl(ctx, x):
        return int(f(Fraction(x)))
    return impl


def i_first_recorded(ctx, *args):
    return next((a for a in args if a is not None), None)


def _cal(method):
    def impl(ctx, x):
        try:
            return getattr(ctx.calendar, method)(x)
        except (ValueError, OverflowError):  # a year beyond the calendar
            return None
    return _none_if_missing(impl)


BUILTINS: dict[str, Builtin] = {b.name: b for b in [
    Builtin("count", "count(LIST)", "the number of items", t_count,
            _none_if_missing(lambda ctx, xs: len(V.items(xs)))),
    Builtin("any", "any(LIST)", "some item is true (or, for records, there is one)",
            t_truth("any"), i_any),
    Builtin("all", "all(CONDITIONS)", "every item is true (true for none)", t_truth("all"), i_all),
    Builtin("none", "none(LIST)", "no item is true (or, for records, there is none)",
            t_truth("none"), i_none),
    Builtin("distinct", "distinct(LIST)", "the items without repetition", t_distinct,
            _none_if_missing(i_distinct)),
    Builtin("first", "first(LIST)", "the first item (not recorded when there is none)", t_first,
            _none_if_missing(lambda ctx, xs: next(iter(V.items(xs)), None))),
    Builtin("sum", "sum(NUMBERS)", "the total", t_sum, _none_if_missing(i_sum)),
    Builtin("min", "min(LIST) or min(A, B, ...)", "the smallest recorded value",
            t_minmax("min"), i_minmax(min)),
    Builtin("max", "max(LIST) or max(A, B, ...)", "the largest recorded value",
            t_minmax("max"), i_minmax(max)),
    Builtin("union", "union(LISTS)", "the items of several lists as one list, without repetition",
            t_union, _none_if_missing(i_union)),
    Builtin("keys", "keys(TABLE)", "the keys of a table", t_keys,
            _none_if_missing(lambda ctx, m: tuple(m))),
    Builtin("values", "values(TABLE)", "the values of a table", t_values,
            _none_if_missing(lambda ctx, m: tuple(m.values()))),
    Builtin("confirmed", "confirmed(BOOLEAN)", "true when recorded and true; false when false "
            "or not recorded (a fact that must be shown, not presumed)",
            t_calendar("confirmed", BOOLEAN, BOOLEAN), lambda ctx, x: x is True),
    Builtin("ceil", "ceil(NUMBER)", "rounded up", t_rounding("ceil"),
            _none_if_missing(i_round(math.ceil))),
    Builtin("floor", "floor(NUMBER)", "rounded down", t_rounding("floor"),
            _none_if_missing(i_round(math.floor))),
    Builtin("first_recorded", "first_recorded(A, B, ...)", "the first of its arguments that is "
            "recorded", t_first_recorded, i_first_recorded),
    Builtin("phase_start", "phase_start(PHASE)", "1 January of the phase's first year",
            t_calendar("phase_start", NUMBER, DATE), _cal("phase_start"), True),
    Builtin("phase_end", "phase_end(PHASE)", "31 December of the phase's last year",
            t_calendar("phase_end", NUMBER, DATE), _cal("phase_end"), True),
    Builtin("year_start", "year_start(YEAR)", "1 January of a mechanism year",
            t_calendar("year_start", NUMBER, DATE), _cal("year_start"), True),
    Builtin("year_end", "year_end(YEAR)", "31 December of a mechanism year",
            t_calendar("year_end", NUMBER, DATE), _cal("year_end"), True),
    Builtin("phase_of_year", "phase_of_year(YEAR)", "the phase a mechanism year belongs to "
            "(0: the preparatory phase)", t_calendar("phase_of_year", NUMBER, NUMBER),
            _cal("phase_of_year"), True),
    Builtin("mechanism_year", "mechanism_year(DATE)", "the mechanism year a date falls in",
            t_calendar("mechanism_year", DATE, NUMBER), _cal("mechanism_year"), True),
]}
assert set(BUILTINS) == set(BUILTIN_NAMES), "keywords.BUILTIN_NAMES lists the built-ins"
