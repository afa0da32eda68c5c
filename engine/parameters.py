"""Named parameters (rules/parameters.yaml): every number, period and table a rule uses.

Each parameter has a value, the citation it rests on, and a description; its revmech type
is read off the value: a whole number, a duration ("3 weeks"), a label, a list, or a table
(a mapping, possibly nested). Amendments override values by name and must keep the type.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
import yaml

from .calendar import Duration
from .errors import Diagnostic, Loc, SnapshotError, did_you_mean
from .loader import compose_plain, node_loc
from .records import frozen
from .types import (ANY, BOOLEAN, DATE, DURATION, NUMBER, TEXT, ListOf, MapOf, Type, Unknown,
                    unify)

FORMAT = "revmech/parameters@1"
_INT = re.compile(r"^[-+]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@frozen
class Parameter:
    name: str
    value: Any = attrs.field(eq=False)
    type: Type
    cites: tuple[str, ...]
    description: str
    loc: Loc | None = attrs.field(default=None, eq=False)


def scalar_value(node: yaml.ScalarNode) -> Any:
    """A YAML scalar as a revmech value: number, boolean, date, duration or label."""
    text = node.value
    if node.style is None or node.style == "":  # plain scalars carry types; quoted are text
        if _INT.match(text):
            return int(text)
        if text in ("true", "false"):
            return text == "true"
    if _DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    d = Duration.parse(text)
    return d if d is not None else text


def type_of(v: Any) -> Type:
    if isinstance(v, bool):
        return BOOLEAN
    if isinstance(v, int):
        return NUMBER
    if isinstance(v, Duration):
        return DURATION
    if isinstance(v, dt.date):
        return DATE
    if isinstance(v, str):
        return TEXT
    if isinstance(v, tuple):
        item: Type = ANY
        for x in v:
            item = unify(item, type_of(x)) or ANY
        return ListOf(item)
    if isinstance(v, dict):
        k: Type = ANY
        val: Type = ANY
        for a, b in v.items():
            k = unify(k, type_of(a)) or ANY
            val = unify(val, type_of(b)) or ANY
        return MapOf(k, val)
    return ANY


def conforms(value_type: Type, declared: Type) -> bool:
    """May a value of `value_type` replace one of `declared` (an amendment's override)?"""
    if isinstance(value_type, Unknown) or isinstance(declared, Unknown):
        return True
    if isinstance(value_type, ListOf) and isinstance(declared, ListOf):
        return conforms(value_type.item, declared.item)
    if isinstance(value_type, MapOf) and isinstance(declared, MapOf):
        return conforms(value_type.key, declared.key) and conforms(value_type.value,
                                                                   declared.value)
    return value_type == declared


def node_value(node: yaml.Node, errors: list, source: str | None) -> Any:
    """The value of a node of a tree from `loader.compose_plain` (plain tags, text keys)."""
    if isinstance(node, yaml.ScalarNode):
        if node.value in ("", "~", "null") and not node.style:
            return None
        try:
            return scalar_value(node)
        except ValueError:  # a number with more digits than Python converts
            errors.append(Diagnostic(f"number too long ({len(node.value)} characters)",
                                     node_loc(node), source))
            return None
    if isinstance(node, yaml.SequenceNode):
        return tuple(node_value(n, errors, source) for n in node.value)
    out: dict = {}
    for k, v in node.value:
        kv = node_value(k, errors, source)
        if kv in out:
            errors.append(Diagnostic(f"duplicate key '{k.value}'", node_loc(k), source))
        out[kv] = node_value(v, errors, source)
    return out


def load_parameters(text: str, path: str) -> dict[str, Parameter]:
    """Parse parameters.yaml; errors are located `SnapshotError`s."""
    # no aliases (a bomb would expand in node_value), tags, nesting, or keys twice
    root, _ = compose_plain(text, name=path)
    errors: list[Diagnostic] = []
    if not isinstance(root, yaml.MappingNode):
        raise SnapshotError(Diagnostic("expected a mapping with 'format' and 'parameters'",
                                       Loc(path, 1, 1), text))
    top = {k.value: v for k, v in root.value}
    fmt = top.get("format")
    if fmt is None or getattr(fmt, "value", None) != FORMAT:
        raise SnapshotError(Diagnostic(f"expected format: {FORMAT}",
                                       node_loc(fmt) if fmt is not None else Loc(path, 1, 1),
                                       text))
    params: dict[str, Parameter] = {}
    body = top.get("parameters")
    if not isinstance(body, yaml.MappingNode):
        raise SnapshotError(Diagnostic("expected 'parameters:' with a mapping of parameters",
                                       Loc(path, 1, 1), text))
    for name_node, spec in body.value:  # (compose_plain refused a name twice)
        name = name_node.value
        if not isinstance(spec, yaml.MappingNode):
            errors.append(Diagnostic(f"parameter '{name}': expected value, cites, description",
                                     node_loc(spec), text))
            continue
        fields = {k.value: v for k, v in spec.value}
        for k, _ in spec.value:
            if k.value not in ("value", "cites", "description"):
                errors.append(Diagnostic(
                    f"parameter '{name}': unknown key '{k.value}'"
                    + did_you_mean(k.value, ("value", "cites", "description")), node_loc(k),
                    text))
        if "value" not in fields or "cites" not in fields:
            errors.append(Diagnostic(f"parameter '{name}' needs a value and cites",
                                     node_loc(name_node), text))
            continue
        value = node_value(fields["value"], errors, text)
        problem = value_problem(name, value)
        if problem is not None:
            errors.append(Diagnostic(f"parameter '{name}': {problem}",
                                     node_loc(fields["value"]), text))
        cites = node_value(fields["cites"], errors, text)
        cites = tuple(str(c) for c in (cites if isinstance(cites, tuple) else (cites,)))
        desc = fields.get("description")
        params[name] = Parameter(name, value, type_of(value), cites,
                                 desc.value if isinstance(desc, yaml.ScalarNode) else "",
                                 node_loc(name_node))
    if errors:
        raise SnapshotError(errors)
    return params


def value_problem(name: str, value: Any) -> str | None:
    """What is wrong with a parameter's value (its own file's or an amendment's), if
    anything: no count is negative, and the calendar must be one."""
    negative = _negative(value)
    if negative is not None:
        return (f"expected whole numbers of 0 or more (counts, years, sessions), got "
                f"{negative}")
    if name == "phase_years":
        return _calendar_problem(value)
    return None


def _negative(value: Any) -> int | None:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, int) and not isinstance(v, bool) and v < 0:
            return v
        if isinstance(v, tuple):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v)
            stack.extend(v.values())
    return None


def _calendar_problem(value: Any) -> str | None:
    expected = ("expected phase numbers, each with [first year, last year] (e.g. 1: [3, 6]), "
                "in order and not overlapping")
    if not isinstance(value, dict) or not value:
        return expected
    previous_last = 0
    numbered = lambda p: isinstance(p, int) and not isinstance(p, bool)  # noqa: E731
    for phase in sorted(value, key=lambda p: (0, p, "") if numbered(p) else (1, 0, str(p))):
        span = value[phase]
        if (not numbered(phase) or not isinstance(span, tuple)
                or len(span) != 2
                or not all(isinstance(y, int) and not isinstance(y, bool) for y in span)):
            shown = "[" + ", ".join(map(str, span)) + "]" if isinstance(span, tuple) else span
            return f"{expected}; got {phase}: {shown}"
        first, last = span
        if not 1 <= first <= last or first <= previous_last:
            return f"{expected}; got {phase}: [{first}, {last}]"
        previous_last = last
    if not any(p >= 1 for p in value):
        return f"{expected}; there is no review phase (1 or more)"
    return None


def phase_years(params: dict[str, Parameter]) -> dict[int, tuple[int, int]]:
    """The `phase_years` table as phase -> (first year, last year)."""
    if "phase_years" not in params:  # a parameters file for rules alone may leave it out
        first = next(iter(params.values()), None)  # where the parameters begin
        raise SnapshotError.at(
            "missing parameter 'phase_years' (first and last mechanism year of each phase: "
            "the calendar every snapshot is judged against)",
            first.loc if first is not None else None)
    table = params["phase_years"].value
    return {int(p): (int(span[0]), int(span[1])) for p, span in table.items()}
