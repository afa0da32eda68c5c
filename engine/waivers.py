"""Waivers (design.md, format revmech/waivers@1): findings a Secretariat has accepted.

A waiver names a rule and the full subject of one finding, why it is accepted, who
decided, and until when. Applying waivers never hides a finding: a failing finding that
a waiver matches becomes `waived` and carries the waiver; once the waiver has expired
(its date is before the snapshot's `as_of`) the finding keeps its failing status and
carries the expired waiver, flagged; a waiver that matches no failing finding is
reported, since it is stale or mistyped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs
import yaml

from . import ast
from .errors import Diagnostic, Loc, SnapshotError, closest, did_you_mean
from .findings import Finding
from .loader import CORE_TAGS, compose, node_loc

FORMAT = "revmech/waivers@1"
KEYS = ("rule", "subject", "justification", "decided_by", "expires")
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + t for t in ("str", "int")}


@attrs.frozen
class Waiver:
    rule: str
    subject: tuple[tuple[str, str], ...]  # (binding name, id), in the rule's binding order
    justification: str
    decided_by: str
    expires: dt.date
    loc: Loc

    @property
    def finding_id(self) -> str:
        return "/".join([self.rule] + [v for _, v in self.subject])

    def expired_on(self, as_of: dt.date) -> bool:
        return self.expires < as_of

    def to_json(self) -> dict:
        return {"rule": self.rule, "subject": dict(self.subject),
               "justification": self.justification, "decided_by": self.decided_by,
               "expires": self.expires.isoformat(),
               "location": {"file": self.loc.file, "line": self.loc.line,
                            "column": self.loc.column}}


def load_waivers(path: str, rules: Sequence[ast.Rule]) -> tuple[Waiver, ...]:
    """The waivers of a file, checked against the rule set: every problem is collected
    and raised together as a located SnapshotError."""
    root, text = compose(path)
    errors: list[Diagnostic] = []
    tagged = _foreign_tags(root)
    if tagged:
        raise SnapshotError([Diagnostic(
            f"unsupported YAML tag '{n.tag}': expected plain YAML values (text, dates, "
            "lists, mappings)", node_loc(n), text) for n in tagged])

    def error(message: str, node: yaml.Node) -> None:
        errors.append(Diagnostic(message, node_loc(node), text))

    def scalar(node: yaml.Node, where: str, expected: str = "text") -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag not in _SCALAR_TAGS \
                or not node.value.strip():
            error(f"{where}: expected {expected}, got {_got(node)}", node)
            return None
        return node.value

    def mapping(node: yaml.Node, where: str, expected: str) -> dict[str, tuple] | None:
        """key -> (key node, value node), or None when not a mapping; duplicate keys are
        errors."""
        if not isinstance(node, yaml.MappingNode):
            error(f"{where}expected {expected}, got {_got(node)}", node)
            return None
        out: dict[str, tuple] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                error(f"{where}expected a key name, got {_got(k)}", k)
            elif k.value in out:
                error(f"{where}duplicate key '{k.value}' (first at line "
                      f"{node_loc(out[k.value][0]).line})", k)
            else:
                out[k.value] = (k, v)
        return out

    top = mapping(root, "", "a mapping at the top level (format: "
                  f"{FORMAT}, waivers: [...])")
    if top is None:
        raise SnapshotError(errors)
    for key, (kn, _) in top.items():
        if key not in ("format", "waivers"):
            error(f"unknown key '{key}'{did_you_mean(key, ('format', 'waivers'))}", kn)
    fmt = top.get("format")
    if fmt is None:
        error(f"missing required key 'format' (expected 'format: {FORMAT}')", root)
    elif getattr(fmt[1], "value", None) != FORMAT:
        value = getattr(fmt[1], "value", None)
        if isinstance(value, str) and value.startswith("revmech/waivers@"):
            error(f"format: unsupported waivers format version '{value}': this revmech "
                  f"reads '{FORMAT}'", fmt[1])
        else:
            error(f"format: expected '{FORMAT}', got {_got(fmt[1])}", fmt[1])
    by_id = {r.id: r for r in rules}
    out: list[Waiver] = []
    first: dict[str, Waiver] = {}
    entries = top.get("waivers")
    if entries is None:
        error("missing required key 'waivers' (a list of waivers)", root)
    elif not isinstance(entries[1], yaml.SequenceNode):
        error(f"waivers: expected a list of waivers, got {_got(entries[1])}", entries[1])
    else:
        for i, node in enumerate(entries[1].value):
            w = _waiver(node, f"waivers[{i}]", by_id, error, scalar, mapping)
            if w is None:
                continue
            if w.finding_id in first:
                error(f"waivers[{i}]: a second waiver for {w.finding_id} (first at line "
                      f"{first[w.finding_id].loc.line})", node)
                continue
            first[w.finding_id] = w
            out.append(w)
    if errors:
        raise SnapshotError(sorted(errors, key=lambda d: (d.loc.line, d.loc.column)))
    return tuple(out)


def _waiver(node, where, by_id, error, scalar, mapping) -> Waiver | None:
    fields = mapping(node, f"{where}: ", "a mapping with " + ", ".join(KEYS))
    if fields is None:
        return None
    ok = True
    meant = set()
    for key, (kn, _) in fields.items():
        if key not in KEYS:
            meant.add(closest(key, KEYS))
            error(f"{where}: unknown key '{key}'{did_you_mean(key, KEYS)}", kn)
            ok = False
    for key in KEYS:
        if key not in fields:
            if key not in meant:  # a misspelling already says what is missing
                error(f"{where}: missing required key '{key}'", node)
            ok = False
    if not ok:
        return None
    rule_id = scalar(fields["rule"][1], f"{where}.rule", "a rule id")
    justification = scalar(fields["justification"][1], f"{where}.justification")
    decided_by = scalar(fields["decided_by"][1], f"{where}.decided_by")
    expires = _date(fields["expires"][1], f"{where}.expires", error)
    rule = by_id.get(rule_id) if rule_id is not None else None
    if rule_id is not None and rule is None:
        error(f"{where}.rule: unknown rule '{rule_id}'{did_you_mean(rule_id, by_id)}",
              fields["rule"][1])
    elif rule is not None and rule.modality == "may":
        error(f"{where}.rule: '{rule_id}' is a permission (may): it has no findings to "
              "waive", fields["rule"][1])
        rule = None
    subject_node = fields["subject"][1]
    subject = mapping(subject_node, f"{where}.subject: ",
                      "a mapping of the rule's bindings to ids")
    if rule is None or subject is None or None in (justification, decided_by, expires):
        return None
    names = [b.name for b in rule.bindings]
    values: dict[str, str] = {}
    meant = set()
    for key, (kn, vn) in subject.items():
        if key not in names:
            meant.add(closest(key, names))
            error(f"{where}.subject: '{key}' is not a binding of {rule.id}"
                  f"{did_you_mean(key, names)}; it ranges over {_listing(names)}", kn)
            continue
        if isinstance(vn, yaml.ScalarNode) and vn.tag == _CORE + "timestamp":
            vn = yaml.ScalarNode(_CORE + "str", vn.value, vn.start_mark, vn.end_mark)
        v = scalar(vn, f"{where}.subject.{key}", "an id")  # a date (a briefing's) is an id
        if v is not None:
            values[key] = v
    missing = [n for n in names if n not in subject]
    if missing and not set(missing) <= meant:
        error(f"{where}.subject: missing {_listing(missing)} ({rule.id} ranges over "
              f"{_listing(names)}; a waiver names one finding)", subject_node)
        return None
    if len(values) != len(names):
        return None
    return Waiver(rule.id, tuple((n, values[n]) for n in names), justification, decided_by,
                  expires, node_loc(node))


def _foreign_tags(root: yaml.Node) -> list[yaml.Node]:
    """Nodes tagged with anything but YAML's own types (compose refused aliases, so this
    is a tree)."""
    out, stack = [], [root]
    while stack:
        n = stack.pop()
        if n.tag not in CORE_TAGS:
            out.append(n)
            continue
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(x for kv in n.value for x in kv)
    return sorted(out, key=lambda n: (n.start_mark.line, n.start_mark.column))


def _date(node: yaml.Node, where: str, error) -> dt.date | None:
    if isinstance(node, yaml.ScalarNode) and node.tag in (_CORE + "timestamp", _CORE + "str"):
        try:
            return dt.date.fromisoformat(node.value)
        except ValueError:
            pass
    error(f"{where}: expected a date YYYY-MM-DD, got {_got(node)}", node)
    return None


def _got(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _CORE + "null" or node.value == "":
        return "nothing"
    return f"'{node.value[:40]}'"


def _listing(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver],
                  as_of: dt.date) -> list[Finding]:
    """The findings of one snapshot with `waivers` applied: each matched finding carries
    its waiver (which is how a report knows the waivers that matched nothing)."""
    by_id = {w.finding_id: w for w in waivers}
    out = []
    for f in findings:
        w = by_id.get(f.id) if f.failing else None
        if w is None:
            out.append(f)
            continue
        if w.expired_on(as_of):
            out.append(attrs.evolve(f, waiver=w, waiver_expired=True))
        else:
            out.append(attrs.evolve(f, status="waived", waiver=w))
    return out
