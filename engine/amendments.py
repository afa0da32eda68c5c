"""Amendments: a proposed change to the procedures, applied to a rule set.

An amendment file (design.md, "Amendments") overrides parameters by name and adds,
replaces and repeals rules written in the rule language. Loading is strict and located:
rules inside the YAML are parsed in place, so their errors point at the amendment file's
own lines. Several amendments apply in order; where two touch the same parameter or rule,
the later wins and the conflict is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import attrs
import yaml

from . import ast, cache
from .errors import Diagnostic, Loc, SnapshotError, did_you_mean, loc_at
from .loader import compose_plain, node_loc, read_text
from .parameters import Parameter, conforms, node_value, type_of, value_problem
from .ruleset import RuleSet, assemble
from .values import to_json

FORMAT = "revmech/amendment@1"
KEYS = ("format", "title", "proposed_by", "effective", "rationale", "note", "parameters",
        "add", "replace", "repeal")
RULE_BLOCKS = ("add", "replace")


@attrs.frozen
class Amendment:
    file: str
    title: str
    proposed_by: str
    effective: dt.date | None
    rationale: str | None
    note: str | None
    parameters: tuple[tuple[str, Any, Loc], ...]
    add: tuple[ast.Rule, ...]
    replace: tuple[ast.Rule, ...]
    repeal: tuple[tuple[str, Loc], ...]
    source: str = attrs.field(repr=False)  # the file's text, blanked but for its rule blocks
    text: str = attrs.field(repr=False, default="")  # the file's text


@attrs.frozen
class Conflict:
    kind: str  # parameter | rule
    name: str
    first: str  # title of the earlier amendment
    later: str  # title of the later one, which wins

    def to_json(self) -> dict:
        return {"kind": self.kind, "name": self.name, "first": self.first, "later": self.later}


@attrs.frozen
class RuleChange:
    kind: str  # added | replaced | repealed
    id: str
    amendment: str
    before: str | None  # the rule as written before
    after: str | None  # and after

    def to_json(self) -> dict:
        out = {"id": self.id, "amendment": self.amendment}
        if self.before is not None:
            out["before"] = self.before
        if self.after is not None:
            out["after"] = self.after
        return out


@attrs.frozen
class ParameterChange:
    name: str
    before: Any
    after: Any
    cites: tuple[str, ...]
    amendment: str

    def to_json(self) -> dict:
        return {"name": self.name, "before": to_json(self.before), "after": to_json(self.after),
                "cites": list(self.cites), "amendment": self.amendment}


@attrs.frozen
class Amended:
    """An amended rule set and what changed."""

    ruleset: RuleSet
    base: RuleSet
    amendments: tuple[Amendment, ...]
    parameters: tuple[ParameterChange, ...]
    rules: tuple[RuleChange, ...]
    conflicts: tuple[Conflict, ...]
    # the rule sets with only some of the amendments applied, built once each
    _partial: dict[tuple[bool, ...], RuleSet] = attrs.field(init=False, factory=dict,
                                                            eq=False, repr=False)

    def ruleset_for(self, pattern: tuple[bool, ...]) -> RuleSet:
        """The rule set with those amendments applied that `pattern` marks True (one flag
        per amendment, in order): the amended rule set for all, the base for none."""
        if all(pattern):
            return self.ruleset
        if not any(pattern):
            return self.base
        rs = self._partial.get(pattern)
        if rs is None:
            chosen = [a for a, on in zip(self.amendments, pattern) if on]
            rs = self._partial[pattern] = apply(self.base, chosen).ruleset
        return rs


def load_amendment(path: str, text: str | None = None) -> Amendment:
    """Read one amendment file; syntax errors are located `RevmechError`s."""
    text = read_text(path, "an amendment file") if text is None else text
    # no aliases (a bomb would expand in node_value), tags, nesting, or keys twice
    root, text = compose_plain(text, name=path)
    if not isinstance(root, yaml.MappingNode):
        raise SnapshotError(Diagnostic(f"an amendment is a mapping with format: {FORMAT}, "
                                       "title, proposed_by ...", Loc(path, 1, 1), text))
    errors: list[Diagnostic] = []
    fields: dict[str, yaml.Node] = {}
    for k, v in root.value:  # (compose_plain refused a key twice)
        if k.value not in KEYS:
            errors.append(Diagnostic(f"unknown key '{k.value}'" + did_you_mean(k.value, KEYS),
                                     node_loc(k), text))
        else:
            fields[k.value] = v
    fmt = fields.get("format")
    if fmt is None or getattr(fmt, "value", None) != FORMAT:
        errors.append(Diagnostic(f"expected format: {FORMAT}",
                                 node_loc(fmt) if fmt is not None else Loc(path, 1, 1), text))
    for required in ("title", "proposed_by"):
        if not isinstance(fields.get(required), yaml.ScalarNode) or not fields[required].value:
            errors.append(Diagnostic(f"missing required key '{required}' (text)",
                                     node_loc(fields[required]) if required in fields
                                     else Loc(path, 1, 1), text))
    effective = None
    if "effective" in fields:
        node = fields["effective"]
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", node.value):
                raise ValueError(node.value)
            effective = dt.date.fromisoformat(node.value)
        except (ValueError, TypeError, AttributeError):
            errors.append(Diagnostic("effective: expected a date YYYY-MM-DD", node_loc(node),
                                     text))
    params: list[tuple[str, Any, Loc]] = []
    if "parameters" in fields:
        node = fields["parameters"]
        if not isinstance(node, yaml.MappingNode):
            errors.append(Diagnostic("parameters: expected a mapping of parameter names to "
                                     "values", node_loc(node), text))
        else:
            for k, v in node.value:
                params.append((k.value, node_value(v, errors, text), node_loc(k)))
    repeal: list[tuple[str, Loc]] = []
    if "repeal" in fields:
        node = fields["repeal"]
        if not isinstance(node, yaml.SequenceNode):
            errors.append(Diagnostic("repeal: expected a list of rule ids", node_loc(node), text))
        else:
            repeal = [(n.value, node_loc(n)) for n in node.value if isinstance(n, yaml.ScalarNode)]
    blocks: dict[str, yaml.ScalarNode] = {}
    for key in RULE_BLOCKS:
        node = fields.get(key)
        if node is None:
            continue
        if not isinstance(node, yaml.ScalarNode) or node.style != "|":
            errors.append(Diagnostic(f"{key}: write the rules as a literal block ({key}: |, "
                                     "then the rules indented below)", node_loc(node), text))
        else:
            blocks[key] = node
    if errors:
        raise SnapshotError(sorted(errors, key=lambda d: (d.loc.line, d.loc.column)))
    # Parse each block in place: everything else blanked, so offsets are the file's own.
    rules: dict[str, tuple[ast.Rule, ...]] = {}
    for key, node in blocks.items():
        virtual = _blank_except(text, [_block_span(text, node)])
        rules[key] = cache.memo("rules", [path, virtual],
                                lambda: _parse_rules(virtual, path)).rules
    scalar = lambda k: fields[k].value if isinstance(fields.get(k), yaml.ScalarNode) \
        else None  # noqa: E731
    # the blocks' own text, for rule locations and redlines
    source = _blank_except(text, [_block_span(text, node) for node in blocks.values()])
    return Amendment(path, scalar("title"), scalar("proposed_by"), effective,
                     scalar("rationale"), scalar("note"), tuple(params),
                     rules.get("add", ()), rules.get("replace", ()), tuple(repeal), source, text)


def _block_span(text: str, node: yaml.ScalarNode) -> tuple[int, int]:
    """Where the text of a literal block lies: from the line after its `|` to its end."""
    start = text.find("\n", node.start_mark.index)
    if start < 0:  # `add: |` on the file's last line, with no newline: an empty block
        return node.end_mark.index, node.end_mark.index
    return start + 1, node.end_mark.index


def _blank_except(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with everything but newlines blanked outside `spans` (in order), so that
    offsets, lines and columns stay those of `text`."""
    out = "".join(c if c == "\n" else " " for c in text)
    for start, end in spans:
        out = out[:start] + text[start:end] + out[end:]
    return out


def apply(base: RuleSet, amendments: Sequence[Amendment]) -> Amended:
    """The rule set with the amendments applied in order; located errors for bad ones."""
    params: dict[str, Parameter] = dict(base.params)
    raw: list[ast.Rule] = list(base.raw)
    sources = dict(base.sources)
    chapters = dict(base.chapters)
    touched: dict[tuple[str, str], str] = {}
    conflicts: list[Conflict] = []
    param_changes: dict[str, ParameterChange] = {}
    rule_changes: dict[str, RuleChange] = {}
    errors: list[Diagnostic] = []

    def touch(kind: str, name: str, a: Amendment):
        first = touched.get((kind, name))
        if first is not None and first != a.title:
            conflicts.append(Conflict(kind, name, first, a.title))
        touched[(kind, name)] = a.title

    for a in amendments:
        sources[a.file] = a.source
        for name, value, loc in a.parameters:
            p = params.get(name)
            if p is None:
                errors.append(Diagnostic(f"unknown parameter '{name}'"
                                         + did_you_mean(name, params), loc, a.text))
                continue
            vt = type_of(value)
            if value is None or not conforms(vt, p.type):
                errors.append(Diagnostic(
                    f"parameter '{name}' is {p.type.describe()} (now {to_json(p.value)!r}); "
                    f"the amendment gives {vt.describe() if value is not None else 'nothing'}",
                    loc, a.text))
                continue
            problem = value_problem(name, value)
            if problem is not None:
                errors.append(Diagnostic(f"parameter '{name}': {problem}", loc, a.text))
                continue
            touch("parameter", name, a)
            before = param_changes[name].before if name in param_changes else p.value
            params[name] = attrs.evolve(p, value=value, type=p.type)
            param_changes[name] = ParameterChange(name, before, value, p.cites, a.title)
        ids = [r.id for r in raw]
        for rule_id, loc in a.repeal:
            if rule_id not in ids:
                errors.append(Diagnostic(f"cannot repeal '{rule_id}': no such rule"
                                         + did_you_mean(rule_id, ids), loc, a.text))
                continue
            i = ids.index(rule_id)
            touch("rule", rule_id, a)
            _record(rule_changes, "repealed", rule_id, a, _written(raw[i], sources), None)
            del raw[i]
            ids.pop(i)
        for rule in a.replace:
            if rule.id not in ids:
                errors.append(_at(rule, a, f"cannot replace '{rule.id}': no such rule"
                                  + did_you_mean(rule.id, ids) + " (to add it, use add:)"))
                continue
            i = ids.index(rule.id)
            touch("rule", rule.id, a)
            _record(rule_changes, "replaced", rule.id, a, _written(raw[i], sources),
                    _written(rule, sources))
            raw[i] = rule
        for rule in a.add:
            if rule.id in ids:
                errors.append(_at(rule, a, f"cannot add '{rule.id}': a rule with that id "
                                  "exists (to change it, use replace:)"))
                continue
            touch("rule", rule.id, a)
            _record(rule_changes, "added", rule.id, a, None, _written(rule, sources))
            raw.append(rule)
            ids.append(rule.id)
            chapters[rule.id] = ("Amendment", a.title)
    if errors:
        raise SnapshotError(errors)
    ruleset = assemble(base.files, raw, sources, params, chapters, tuple(amendments))
    changes = tuple(c for c in rule_changes.values() if c.before != c.after)
    return Amended(ruleset, base, tuple(amendments), tuple(param_changes.values()), changes,
                   tuple(conflicts))


def _written(rule: ast.Rule, sources: dict[str, str]) -> str:
    """The rule as written, dedented to its `rule` keyword (rules in a YAML block are
    indented), so that a redline compares wording, not indentation."""
    src = sources[rule.file]
    indent = rule.span.start - (src.rfind("\n", 0, rule.span.start) + 1)
    lines = src[rule.span.start:rule.span.end].strip().split("\n")
    return "\n".join([lines[0]] + [ln[indent:] if not ln[:indent].strip() else ln.lstrip()
                                   for ln in lines[1:]])


def _at(rule: ast.Rule, a: Amendment, message: str) -> Diagnostic:
    return Diagnostic(message, loc_at(a.file, a.source, rule.id_span.start), a.text)


def _record(changes: dict, kind: str, rule_id: str, a: Amendment, before, after):
    """Fold successive changes of one rule into one: from the first before to the last after."""
    prior = changes.get(rule_id)
    if prior is not None:
        before = prior.before
        if prior.kind == "added":
            kind = "added" if after is not None else "repealed"
        elif after is not None:
            kind = "replaced"
    changes[rule_id] = RuleChange(kind, rule_id, a.title, before, after)


def load_and_apply(base: RuleSet, paths: Sequence[str]) -> Amended:
    return apply(base, [load_amendment(p) for p in paths])


def _parse_rules(text: str, path: str) -> ast.RuleFile:
    from .grammar import parse_rules  # pyparsing is only needed on a cache miss

    return parse_rules(text, path)

