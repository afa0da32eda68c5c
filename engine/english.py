"""A rule's meaning in plain English, rendered from its AST (never written beside it).

`explain(rule, params)` gives the rule as a list of `Clause`s: for whom it applies, the
names it defines, when it applies, what must (should, may) hold, its exception and its
message. A condition joined by `and` or `or` at the top becomes a clause with one item
per operand, so that the docs show it as a list; everywhere else a condition reads inline
("both ... and ...", "either ... or ..."), which keeps the grouping without parentheses.

Every expression node of `ast` has a phrase here; an unknown node is a TypeError, so a
new node type cannot silently read as nothing (tests check the coverage).
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from . import ast
from .builtins import BUILTINS
from .calendar import Duration
from .model import CLASSES, fields_of
from .parameters import Parameter
from .types import DATE, DURATION
from .values import to_json

MODALITY_MEANING = {
    "shall": "must: an obligation; a breach is an error",
    "should": "should: a recommendation; a breach is a warning",
    "may": "may: a permission; it excuses what other rules would report",
}

# How each operator reads. Comparisons of dates read as before/after.
BINARY = {
    "=": "{l} is {r}",
    "!=": "{l} is not {r}",
    "<": "{l} is less than {r}",
    "<=": "{l} is at most {r}",
    ">": "{l} is more than {r}",
    ">=": "{l} is at least {r}",
    "+": "{l} plus {r}",
    "-": "{l} minus {r}",
    "*": "{l} times {r}",
    "/": "{l} divided by {r}",
    "in": "{l} is one of {r}",
    "not in": "{l} is not one of {r}",
    "subset of": "every item of {l} is one of {r}",
    "union": "{l} together with {r}",
    "intersect": "those of {l} that are also in {r}",
    "minus": "those of {l} that are not in {r}",
    "implies": "if {l}, then {r}",
    "and": "both {l} and {r}",
    "or": "either {l} or {r}",
}
DATE_BINARY = {
    "<": "{l} is before {r}",
    "<=": "{l} is on or before {r}",
    ">": "{l} is after {r}",
    ">=": "{l} is on or after {r}",
    "+": "{r} after {l}",
    "-": "{r} before {l}",
}
UNARY = {"-": "minus {x}", "not": "it is not so that {x}"}

# How each built-in function reads; {0} is its first argument, {all} all of them.
CALLS = {
    "count": "the number of {0}",
    "any": "at least one of {0}",
    "all": "all of {0}",
    "none": "none of {0}",
    "distinct": "{0} (each counted once)",
    "first": "the first of {0}",
    "sum": "the total of {0}",
    "min": "the smallest or earliest of {all}",
    "max": "the largest or latest of {all}",
    "union": "all the items of {all} (each once)",
    "keys": "the keys of {0}",
    "values": "the values of {0}",
    "confirmed": "{0} is recorded as true",
    "ceil": "{0}, rounded up",
    "floor": "{0}, rounded down",
    "first_recorded": "the first recorded of: {all}",
    "phase_start": "the first day of phase {0}",
    "phase_end": "the last day of phase {0}",
    "year_start": "the first day of mechanism year {0}",
    "year_end": "the last day of mechanism year {0}",
    "phase_of_year": "the phase of mechanism year {0}",
    "mechanism_year": "the mechanism year of {0}",
}
PHASE_CALLS = ("phase_start", "phase_end")
assert set(CALLS) == set(BUILTINS), "every built-in function has an English reading"

# Names the snapshot and the evaluator provide, beyond the collections.
SPECIAL_NAMES = {"as_of": "the date judged"}

# Field names whose values are dates, read off the snapshot model.
DATE_FIELDS = frozenset(name for cls in CLASSES for name, spec in fields_of(cls).items()
                        if spec.type == DATE)
# A date field named by what happened (`finalized`, `withdrawn`) reads "the date X was
# finalized"; a few short field names read as what they hold (the model's docs say so).
EVENT_ENDINGS = ("ed", "en", "wn")
FIELD_READINGS = {
    "by": "the party behind {obj}",  # who released, passed on or requested
    "to": "the recipient of {obj}",
    "since": "the start date of {obj}",  # of a treaty status: ratification or signature
}
DATE_CALLS = frozenset({"phase_start", "phase_end", "year_start", "year_end"})


@attrs.frozen
class Clause:
    """A sentence, with items under it when it introduces a list."""

    text: str
    items: tuple["Clause", ...] = ()


def words(identifier: str) -> str:
    return identifier.replace("_", " ")


class Reader:
    """Renders expressions of one rule; knows its variables, lets and the parameters."""

    def __init__(self, params: dict[str, Parameter],
                 lets: tuple[ast.Let, ...] | tuple[str, ...] = ()):
        self.params = params
        # a let given as a node lets a date-valued name read as a date
        self.let_exprs = {x.name: x.expr for x in lets if isinstance(x, ast.Let)}
        self.lets = {x.name if isinstance(x, ast.Let) else x for x in lets}
        self._let_is_date: dict[str, bool] = {}
        self.durations = {n for n, p in params.items() if p.type == DURATION}
        self.dates = {n for n, p in params.items() if p.type == DATE}

    # ---- helpers ---------------------------------------------------------------------

    def is_date(self, e) -> bool:
        if isinstance(e, ast.DateLit):
            return True
        if isinstance(e, ast.Name):
            if e.id in self.let_exprs:
                if e.id not in self._let_is_date:
                    self._let_is_date[e.id] = False  # while it is worked out
                    self._let_is_date[e.id] = self.is_date(self.let_exprs[e.id])
                return self._let_is_date[e.id]
            return e.id == "as_of" or e.id in self.dates
        if isinstance(e, ast.Attr):
            return e.name in DATE_FIELDS
        if isinstance(e, ast.Call):
            return e.func in DATE_CALLS or (e.func in ("min", "max", "first_recorded")
                                            and any(self.is_date(a) for a in e.args))
        if isinstance(e, ast.Binary) and e.op in ("+", "-"):
            return self.is_date(e.left) and self.is_duration(e.right)
        if isinstance(e, ast.If):
            return self.is_date(e.then) or self.is_date(e.else_)
        if isinstance(e, ast.Selection):
            return e.projection is not None and self.is_date(e.projection)
        return False

    def is_duration(self, e) -> bool:
        return isinstance(e, ast.DurationLit) or (isinstance(e, ast.Name)
                                                  and e.id in self.durations)

    # ---- expressions -----------------------------------------------------------------

    def phrase(self, e) -> str:
        """An expression read inline."""
        method = getattr(self, "_" + type(e).__name__.lower(), None)
        if method is None:
            raise TypeError(f"no English reading for {type(e).__name__}")
        return method(e)

    def _num(self, e: ast.Num) -> str:
        v = e.value
        if isinstance(v, Fraction):
            return str(float(v)) if v.denominator in (2, 4, 5, 8, 10, 20, 25, 100) else str(v)
        return str(v)

    def _text(self, e: ast.Text) -> str:
        return f"“{e.value}”"

    def _bool(self, e: ast.Bool) -> str:
        return "true" if e.value else "false"

    def _datelit(self, e: ast.DateLit) -> str:
        return f"{e.value.day} {e.value:%B} {e.value.year}"

    def _durationlit(self, e: ast.DurationLit) -> str:
        return str(Duration(e.amount, e.unit))

    def _nothing(self, e: ast.Nothing) -> str:
        return "nothing (not recorded)"

    def _name(self, e: ast.Name) -> str:
        if e.id in SPECIAL_NAMES:
            return SPECIAL_NAMES[e.id]
        if e.id in self.lets:
            return f"‘{words(e.id)}’"
        p = self.params.get(e.id)
        if p is not None:
            value = to_json(p.value)
            shown = f" ({value})" if isinstance(value, (int, str)) else ""
            return f"the {words(e.id)}{shown}"
        return e.id if len(e.id) == 1 else f"the {words(e.id)}"

    def _attr(self, e: ast.Attr) -> str:
        obj = self.phrase(e.obj)
        if e.name in FIELD_READINGS:
            return FIELD_READINGS[e.name].format(obj=obj)
        if e.name in DATE_FIELDS and e.name.endswith(EVENT_ENDINGS):
            return f"the date {obj} was {words(e.name)}"
        return f"the {words(e.name)} of {obj}"

    def _index(self, e: ast.Index) -> str:
        return f"the entry for {self.phrase(e.key)} in {self.phrase(e.obj)}"

    def _unary(self, e: ast.Unary) -> str:
        return UNARY[e.op].format(x=self.phrase(e.operand))

    def _binary(self, e: ast.Binary) -> str:
        if e.op in ("and", "or"):
            parts = [self.phrase(x) for x in ast.chain(e, e.op)]
            if len(parts) == 2:
                return BINARY[e.op].format(l=parts[0], r=parts[1])
            lead = "all of these hold: " if e.op == "and" else "at least one of these holds: "
            return lead + "; ".join(parts)
        if e.op == "minus" and isinstance(e.left, ast.Binary) and e.left.op == "minus":
            removed = []
            base = e
            while isinstance(base, ast.Binary) and base.op == "minus":
                removed.insert(0, self.phrase(base.right))
                base = base.left
            return f"those of {self.phrase(base)} that are in none of: {'; '.join(removed)}"
        if e.op in DATE_BINARY and (self.is_date(e.left) or self.is_date(e.right)):
            return DATE_BINARY[e.op].format(l=self.phrase(e.left), r=self.phrase(e.right))
        return BINARY[e.op].format(l=self.phrase(e.left), r=self.phrase(e.right))

    def _isrecorded(self, e: ast.IsRecorded) -> str:
        return f"{self.phrase(e.operand)} is {'not ' if e.negated else ''}recorded"

    def _if(self, e: ast.If) -> str:
        return (f"{self.phrase(e.then)} if {self.phrase(e.cond)}, "
                f"otherwise {self.phrase(e.else_)}")

    def _listlit(self, e: ast.ListLit) -> str:
        if not e.items:
            return "an empty list"
        parts = [self.phrase(x) for x in e.items]
        return "the list of " + (parts[0] if len(parts) == 1
                                 else ", ".join(parts[:-1]) + " and " + parts[-1])

    def _selection(self, e: ast.Selection) -> str:
        source = self.phrase(e.source)
        where = f" where {self.phrase(e.where)}" if e.where is not None else ""
        if e.projection is not None:
            return f"{self.phrase(e.projection)}, for each {e.var} in {source}{where}"
        if e.var is None or _plural_of(e.var, e.source):
            return f"{source}{where}"
        return f"{source} (each called {e.var}){where}"

    def _call(self, e: ast.Call) -> str:
        args = [self.phrase(a) for a in e.args]
        text = CALLS[e.func]
        if e.func in PHASE_CALLS and args and _named(e.args[0], "phase"):
            text = text.replace("phase {0}", "{0}")  # "the last day of the phase of ..."
        elif e.func in PHASE_CALLS and args and isinstance(e.args[0], ast.Binary):
            args[0] = f"({args[0]})"  # "the last day of phase (the phase of r plus 1)"
        elif e.func in ("min", "max"):
            dated = any(self.is_date(a) for a in e.args)
            text = text.replace("smallest or earliest", "earliest" if dated else "smallest")
            text = text.replace("largest or latest", "latest" if dated else "largest")
        elif e.func == "first_recorded" and len(args) == 2:
            text = "{0} (or, when that is not recorded, {1})"
        return text.format(*args, all=", ".join(args)) if args else text.format("", all="")

    # ---- top-level conditions --------------------------------------------------------

    def clause(self, e) -> Clause:
        """A condition, as a list when it is a chain of `and` or of `or`."""
        for op, lead in (("and", "all of these:"), ("or", "at least one of these:")):
            parts = ast.chain(e, op)
            if len(parts) > 1:
                return Clause(lead, tuple(self.clause(p) for p in parts))
        return Clause(self.phrase(e))

    def template(self, t: ast.Template) -> str:
        return "".join(p if isinstance(p, str) else f"[{self.phrase(p)}]" for p in t.parts)


def _named(e, name: str) -> bool:
    """Is `e` the name `name` or a field called so (`phase`, `review.phase`)?"""
    return (isinstance(e, ast.Name) and e.id == name) or (isinstance(e, ast.Attr)
                                                         and e.name == name)


def _plural_of(var: str, source) -> bool:
    """Is `var` the singular of the collection it ranges over (`expert` in `experts`)?"""
    name = source.name if isinstance(source, ast.Attr) else (
        source.id if isinstance(source, ast.Name) else None)
    return name is not None and name in (var + "s", var + "es", var[:-1] + "ies")


def explain(rule: ast.Rule, params: dict[str, Parameter]) -> list[Clause]:
    """The rule in plain English, clause by clause, in the order it is evaluated."""
    r = Reader(params, rule.lets)
    out: list[Clause] = []
    if rule.bindings:
        items = []
        for b in rule.bindings:
            where = f", where {r.phrase(b.where)}" if b.where is not None else ""
            items.append(Clause(f"each {b.name} in {r.phrase(b.source)}{where}"))
        out.append(Clause("For", tuple(items)) if len(items) > 1 else
                      Clause(f"For {items[0].text}:"))
    for let in rule.lets:
        out.append(Clause(f"Let ‘{words(let.name)}’ be {r.phrase(let.expr)}."))
    if rule.when is not None:
        out.append(Clause("The rule applies only when", (r.clause(rule.when),)))
    out.append(assertion(r, rule.modality, rule.assertion))
    if rule.unless is not None:
        u = rule.unless
        if u.permission is not None:
            out.append(Clause(f"Unless the permission {u.permission} applies."))
        else:
            out.append(Clause("Unless", (r.clause(u.expr),)))
    if rule.message is not None:
        says = r.template(rule.message)
        out.append(Clause(f"When it does not hold, the finding says: “{says}”"))
    return out


def assertion(r: Reader, modality: str, a) -> Clause:
    verb = ast.MODALITY[modality]
    if isinstance(a, ast.Holds):
        if isinstance(a.expr, ast.Bool) and not a.expr.value:  # `shall false`: never so
            return Clause(f"It {verb} never happen: each case the rule applies to is a "
                          "breach.")
        if modality == "may":  # a permission: it excuses where it applies
            return Clause("The permission applies (and excuses) when", (r.clause(a.expr),))
        return Clause(f"It {verb} hold that", (r.clause(a.expr),))
    fact = r.phrase(a.fact)
    dated = r.is_date(a.fact)
    if a.kind in ("by", "holds_by"):  # the checker marks a boolean `by` as holds_by
        when = f"{'on or before' if dated else 'by'} {r.phrase(a.anchor)}"
    elif a.kind == "within":
        when = f"within {r.phrase(a.duration)} after {r.phrase(a.anchor)}"
    else:
        when = f"no later than {r.phrase(a.duration)} before {r.phrase(a.anchor)}"
    if dated:
        return Clause(f"{_cap(fact)} {verb} fall {when}.")
    return Clause(f"It {verb} hold {when} that", (r.clause(a.fact),))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def plain(clauses, depth: int = 0) -> str:
    """The clauses as indented plain text, items as `- ` bullets (tests, terminals)."""
    lines = []
    for c in clauses:
        lines.append(("  " * (depth - 1) + "- " if depth else "") + c.text)
        if c.items:
            lines.append(plain(c.items, depth + 1))
    return "\n".join(lines)
