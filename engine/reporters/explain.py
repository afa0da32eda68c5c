"""The `revmech explain` report: a rule in words, then for each binding why it held,
failed or was excepted, with the values that decided it and the snapshot lines read."""

from __future__ import annotations

import textwrap
from typing import Any

import attrs

from .. import ast
from .. import values as V
from ..explain import (LITERALS, Explanation, RuleExplanation, decisive, evaluated,
                       value_of)
from .common import one_line, waiver_note

STATUS = {
    "passed": "HOLDS",
    "violated": "FAILS (violated)",
    "late": "FAILS (done late)",
    "overdue": "FAILS (overdue: not done and past its date)",
    "pending": "CANNOT BE JUDGED YET (pending)",
    "excepted": "FAILS BUT IS EXCEPTED",
    "waived": "FAILS BUT IS WAIVED",
}
MAX_DEPTH = 6
WIDTH = 96


def say(v: Any) -> str:
    """A value as a reader would say it."""
    if v is True:
        return "yes"
    if v is False:
        return "no"
    if isinstance(v, (tuple, list, frozenset)):
        items = list(v)
        if not items:
            return "none"
        shown = ", ".join(V.to_text(x) for x in items[:8])
        return shown + (f", ... ({len(items)} in all)" if len(items) > 8 else
                        f" ({len(items)})" if len(items) > 1 else "")
    if attrs.has(type(v)) and V.ident(v) is v and getattr(v, "loc", None) is not None:
        return f"recorded (line {v.loc.line})"
    return V.to_text(v)


def _wrap(text: str, indent: str) -> list[str]:
    rest = " " * (len(indent) - len(indent.lstrip()))
    if indent.strip():
        rest += "  "
    return textwrap.wrap(one_line(text), WIDTH, initial_indent=indent,
                         subsequent_indent=rest) or [indent]


def _tree(rx, e: Explanation, node, indent: str, depth: int, out: list[str]) -> None:
    """`text → value` for `node`, then its evaluated parts beneath it; `rx` gives the
    source text of the nodes (the rule's, or a permission's compiled rule)."""
    label = rx.text(node)
    if not evaluated(e, node):
        out.append(f"{indent}{label} → not evaluated (not needed)")
        return
    out.append(f"{indent}{label} → {say(value_of(e, node))}")
    if depth >= MAX_DEPTH or isinstance(node, (ast.Selection, ast.Name, ast.Attr)):
        return
    if isinstance(node, ast.Binary) and node.op in ("and", "or"):
        out[-1] += "; all of:" if node.op == "and" else "; any of:"
        for part in ast.chain(node, node.op):
            _tree(rx, e, part, indent + "  ", depth + 1, out)
        return
    for child in ast.children(node):
        if isinstance(child, LITERALS) or rx.text(child) == label:
            continue
        _tree(rx, e, child, indent + "  ", depth + 1, out)


def _because(rx: RuleExplanation, e: Explanation, node) -> list[str]:
    """The decisive comparisons, each with the values compared."""
    out = []
    for part in decisive(e, node):
        if isinstance(part, ast.Bool) and part.value is False:
            out.append("the rule admits no such case (its condition is `false`)")
            continue
        line = f"{rx.text(part)}: {say(value_of(e, part))}"
        operands = []
        target = part.operand if isinstance(part, ast.Unary) and \
            isinstance(part.operand, ast.Binary) else part
        if isinstance(target, ast.Binary) and target.op not in ("and", "or", "implies"):
            operands = [target.left, target.right]
        elif isinstance(target, ast.IsRecorded):
            operands = [target.operand]
        shown = [f"{rx.text(o)} is {say(value_of(e, o))}" for o in operands
                 if evaluated(e, o) and not isinstance(o, (ast.Num, ast.Text, ast.Bool,
                                                           ast.DateLit, ast.Nothing))]
        if shown:
            line += f" ({'; '.join(shown)})"
        out.append(line)
    return out


def _assertion_lines(rx: RuleExplanation, e: Explanation) -> list[str]:
    a = rx.rule.assertion
    word = rx.rule.modality
    out = []
    if isinstance(a, ast.Holds):
        out.append(f"    {word}:")
        _tree(rx, e, a.expr, "      ", 0, out)
    else:
        out.append(f"    {word}: {rx.text(a.fact)} {a.kind.replace('_', ' ')} ...")
        parts = [("the fact", a.fact), ("the period", a.duration),
                 ("counted from" if a.kind == "within" else "the date", a.anchor)]
        for title, node in parts:
            if node is None:
                continue
            out.append(f"      {title}:")
            _tree(rx, e, node, "        ", 0, out)
        if e.due is not None:
            out.append(f"      due: {e.due.isoformat()}")
    return out


def _why(rx: RuleExplanation, e: Explanation) -> list[str]:
    a = rx.rule.assertion
    status = e.status
    if not isinstance(a, ast.Holds):
        return _wrap(e.finding.message, "    ")
    head = {
        "passed": "It holds: every part of the condition is met.",
        "violated": "It fails because:",
        "excepted": "It fails because:",
        "pending": "It cannot be judged yet: a fact it needs is not recorded:",
        "waived": "It fails because:",
    }[status]
    out = [f"    {head}"]
    if status != "passed":
        out += [f"      - {line}" for line in _because(rx, e, a.expr)]
    return out


def _unless_lines(rx: RuleExplanation, e: Explanation) -> list[str]:
    u = rx.rule.unless
    if u is None or e.status not in ("excepted", "violated", "late", "overdue"):
        return []
    if u.permission is not None:
        held = e.status == "excepted"
        out = [f"    unless permitted by {u.permission} → {'yes' if held else 'no'}"]
        perm = rx.permission
        if perm is not None:
            if perm.rule.when is not None:
                out.append(f"      {u.permission} applies when:")
                _tree(perm, e, perm.rule.when, "        ", 0, out)
            if isinstance(perm.rule.assertion, ast.Holds):
                out.append(f"      {u.permission} {perm.rule.modality}:")
                _tree(perm, e, perm.rule.assertion.expr, "        ", 0, out)
        return out
    out = ["    unless:"]
    _tree(rx, e, u.expr, "      ", 0, out)
    return out


def _records(e: Explanation, lines: dict[str, list[str]]) -> list[str]:
    """The records read, each with its line of the snapshot (`lines`: each file's lines,
    split once per report)."""
    out = []
    for obj in e.records:
        loc = obj.loc
        text = lines.get(loc.file, ())
        line = text[loc.line - 1] if 0 < loc.line <= len(text) else None
        what = type(obj).__name__.lower()
        ident = V.ident(obj)
        name = f"{what} {V.to_text(ident)}" if ident is not obj else what
        shown = f"  | {line.strip()}" if line is not None else ""
        out.append(f"    {loc.file}:{loc.line}: {name}{shown}")
    return out


def _binding(rx: RuleExplanation, e: Explanation, lines: dict[str, list[str]]) -> list[str]:
    rx = e.origin or rx
    subject = ", ".join(f"{k} {v}" for k, v in e.subject) or "the snapshot"
    if not e.applies:
        out = [f"{subject}: DOES NOT APPLY", "    the rule applies only when:"]
        _tree(rx, e, rx.rule.when, "      ", 0, out)
        return out + ["  Records read:"] + _records(e, lines)
    f = e.finding
    status = STATUS[e.status]
    if f.failing or e.status in ("excepted", "waived"):
        status += f" ({f.severity})"
    out = [f"{subject}: {status}"]
    if e.under:
        out += _wrap(f"Under the amendments: {e.under}.", "  ")
    out += _wrap(f.message, "  Finding: ")
    note = waiver_note(f)
    if note:
        out += _wrap(note, "  ")
    out.append("  Why:")
    out += _why(rx, e)
    if e.status == "excepted":
        out += _wrap(f"It is excepted: {f.reason}.", "    ")
    out.append("  Step by step:")
    for name, value in e.lets:
        out.append(f"    let {name} = {say(value)}")
    if rx.rule.when is not None:
        out.append("    applies when:")
        _tree(rx, e, rx.rule.when, "      ", 0, out)
    out += _assertion_lines(rx, e)
    out += _unless_lines(rx, e)
    records = _records(e, lines)
    if records:
        out.append("  Records read:")
        out += records
    return out


def render_text(rx: RuleExplanation, sources: dict[str, str]) -> str:
    lines = {file: text.splitlines() for file, text in sources.items()}
    rule = rx.rule
    modality = ast.MODALITY[rule.modality]
    out = [f"{rule.id} ({', '.join(rule.cites)}): what the procedures say States {modality} "
           f"do; a breach is {'an error' if rule.severity == 'error' else 'a warning'}"]
    if rule.text:
        out += [""] + _wrap(f"The procedures: \"{one_line(rule.text)}\"", "")
    for note in rule.notes:
        out += [""] + _wrap(f"Reading: {note}", "")
    out += ["", "The rule as checked:"]
    out += [f"    {line}" for line in rx.source.rstrip().splitlines()]
    if rx.params:
        out += ["", "Parameters used:"]
        for p in rx.params:
            out.append(f"    {p.name} = {say(p.value) if not isinstance(p.value, dict) else 'a table'}"
                       f" ({', '.join(p.cites)})")
    snap = rx.snapshot
    n = len(rx.bindings)
    out += ["", f"{snap.file} as of {snap.as_of.isoformat()}: {n} binding"
            f"{'s' if n != 1 else ''}"]
    for e in rx.bindings:
        out += [""] + _binding(rx, e, lines)
    return "\n".join(out) + "\n"
