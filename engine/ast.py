"""The abstract syntax of the revmech rule language.

Nodes are frozen attrs classes; every node carries the `Span` of source text it came from,
so the checker, the evaluator's witnesses and the docs can point back at it. Each node
type is built by one factory (`make_*`), called from the grammar's parse actions.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Union

import attrs

from .records import frozen

@frozen
class Span:
    """Character offsets [start, end) into the source text of one rule file."""

    start: int
    end: int


# ---- expressions -------------------------------------------------------------------


@frozen
class Num:
    value: int | Fraction
    span: Span


@frozen
class Text:
    value: str
    span: Span


@frozen
class Bool:
    value: bool
    span: Span


@frozen
class DateLit:
    value: dt.date
    span: Span


@frozen
class DurationLit:
    amount: int
    unit: str  # day | week | month | year
    span: Span


@frozen
class Nothing:
    """The value that is not recorded (`nothing`)."""

    span: Span


@frozen
class Name:
    id: str
    span: Span


@frozen
class Attr:
    obj: "Expr"
    name: str
    span: Span
    name_span: Span


@frozen
class Index:
    obj: "Expr"
    key: "Expr"
    span: Span


@frozen
class Unary:
    op: str  # "-" | "not"
    operand: "Expr"
    span: Span


@frozen
class Binary:
    op: str  # arithmetic, comparison, logic, membership and set operators
    left: "Expr"
    right: "Expr"
    span: Span


@frozen
class IsRecorded:
    operand: "Expr"
    negated: bool
    span: Span


@frozen
class If:
    cond: "Expr"
    then: "Expr"
    else_: "Expr"
    span: Span


@frozen
class ListLit:
    items: tuple["Expr", ...]
    span: Span


@frozen
class Selection:
    """`each x in C where P`, `E for each x in C where P`, or `C where P` (implicit x).

    `var` is None for the implicit form until the checker names it from the schema.
    """

    var: str | None
    source: "Expr"
    where: "Expr | None"
    projection: "Expr | None"
    span: Span
    var_span: Span | None = None


@frozen
class Call:
    func: str
    args: tuple["Expr | Selection", ...]
    span: Span
    func_span: Span


Expr = Union[Num, Text, Bool, DateLit, DurationLit, Nothing, Name, Attr, Index, Unary, Binary,
             IsRecorded, If, ListLit, Call, Selection]


# ---- rules -------------------------------------------------------------------------


@frozen
class Binding:
    name: str
    source: Expr
    where: Expr | None
    span: Span
    name_span: Span


@frozen
class Let:
    name: str
    expr: Expr
    span: Span
    name_span: Span


@frozen
class Holds:
    """`shall EXPR`."""

    expr: Expr
    span: Span


@frozen
class Deadline:
    """`FACT within D after ANCHOR`, `FACT no later than D before ANCHOR`, `FACT by DATE`.

    For `by`, `duration` is None and `anchor` is the due date itself. When FACT is a
    boolean, `by` means "holds by DATE": pending until then.
    """

    kind: str  # within | no_later_than | by
    fact: Expr
    duration: Expr | None
    anchor: Expr
    span: Span


Assertion = Union[Holds, Deadline]


@frozen
class Unless:
    expr: Expr | None  # a condition, or
    permission: str | None  # `unless permitted by RULE`
    span: Span


@frozen
class Template:
    """A message: literal text and `{expr}` holes."""

    parts: tuple[Union[str, Expr], ...]
    span: Span


# How each modality reads in English (the docs, `explain`).
MODALITY = {"shall": "must", "should": "should", "may": "may"}


@frozen
class Rule:
    id: str
    cites: tuple[str, ...]
    text: str | None
    notes: tuple[str, ...]
    bindings: tuple[Binding, ...]
    lets: tuple[Let, ...]
    when: Expr | None
    modality: str  # shall | should | may
    assertion: Assertion
    unless: Unless | None
    message: Template | None
    span: Span
    id_span: Span
    file: str = ""  # set when the file is assembled

    @property
    def severity(self) -> str:
        return {"shall": "error", "should": "warning", "may": "permission"}[self.modality]


@frozen
class RuleFile:
    path: str
    source: str
    section: str | None
    title: str | None
    rules: tuple[Rule, ...]


# ---- factories (one per node type; the grammar calls these) ------------------------


def make_num(span, text: str) -> Num:
    return Num(int(text) if "." not in text else Fraction(text), span)


def make_text(span, value: str) -> Text:
    return Text(value, span)


def make_bool(span, word: str) -> Bool:
    return Bool(word == "true", span)


def make_date(span, text: str) -> DateLit:
    return DateLit(dt.date.fromisoformat(text), span)


def make_duration(span, amount: str, unit: str) -> DurationLit:
    return DurationLit(int(amount), unit.rstrip("s"), span)


def make_nothing(span) -> Nothing:
    return Nothing(span)


def make_name(span, ident: str) -> Name:
    return Name(ident, span)


def make_attr(span, obj, name: str, name_span) -> Attr:
    return Attr(obj, name, span, name_span)


def make_index(span, obj, key) -> Index:
    return Index(obj, key, span)


def make_unary(span, op: str, operand) -> Unary:
    return Unary(op, operand, span)


def make_binary(span, op: str, left, right) -> Binary:
    return Binary(op, left, right, span)


def make_is_recorded(span, operand, negated: bool) -> IsRecorded:
    return IsRecorded(operand, negated, span)


def make_if(span, cond, then, else_) -> If:
    return If(cond, then, else_, span)


def make_list(span, items) -> ListLit:
    return ListLit(tuple(items), span)


def make_selection(span, var, source, where, projection, var_span=None) -> Selection:
    return Selection(var, source, where, projection, span, var_span)


def make_call(span, func: str, args, func_span) -> Call:
    return Call(func, tuple(args), span, func_span)


def make_binding(span, name, source, where, name_span) -> Binding:
    return Binding(name, source, where, span, name_span)


def make_let(span, name, expr, name_span) -> Let:
    return Let(name, expr, span, name_span)


def make_holds(span, expr) -> Holds:
    return Holds(expr, span)


def make_deadline(span, kind, fact, duration, anchor) -> Deadline:
    return Deadline(kind, fact, duration, anchor, span)


def make_unless(span, expr=None, permission=None) -> Unless:
    return Unless(expr, permission, span)


def make_template(span, parts) -> Template:
    return Template(tuple(parts), span)


def make_rule(span, id_span, **fields) -> Rule:
    return Rule(span=span, id_span=id_span, **fields)


def make_rule_file(path, source, section, title, rules) -> RuleFile:
    rules = tuple(attrs.evolve(r, file=path) for r in rules)
    return RuleFile(path, source, section, title, rules)


def children(node) -> list:
    """The nodes directly inside a node (an expression's operands, a rule's clauses), in
    source order."""
    out = []
    for name in _field_names(type(node)):
        v = getattr(node, name)
        if isinstance(v, tuple):
            out.extend(x for x in v if _is_node(type(x)))
        elif _is_node(type(v)):
            out.append(v)
    return out


_NAMES: dict[type, tuple[str, ...]] = {}
_NODE_TYPES: dict[type, bool] = {}


def _field_names(t: type) -> tuple[str, ...]:
    names = _NAMES.get(t)
    if names is None:
        names = _NAMES[t] = tuple(a.name for a in attrs.fields(t))
    return names


def _is_node(t: type) -> bool:
    """An attrs class other than Span (decided once per type: rules are walked often)."""
    got = _NODE_TYPES.get(t)
    if got is None:
        got = _NODE_TYPES[t] = attrs.has(t) and not issubclass(t, Span)
    return got


def walk(node):
    """Pre-order traversal of an expression tree."""
    yield node
    for c in children(node):
        yield from walk(c)


def chain(node, op: str) -> list:
    """The operands of a chain of one binary operator, flattened: `a and b and c` as
    [a, b, c]; any other node as [node]."""
    if isinstance(node, Binary) and node.op == op:
        return chain(node.left, op) + chain(node.right, op)
    return [node]
