"""`explain`: why a rule held, failed or was excepted, for each binding of one snapshot.

The rule is compiled again with a compiler that records the value of every
sub-expression evaluated for the binding at hand (not those inside a selection, which
are evaluated once per item). From that record come the decisive facts (for an `and`
that failed, the parts that failed; for an `or`, all of them), the full tree of values,
the parameters read and the snapshot records involved, with their lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs

from . import ast
from .calendar import Duration
from .errors import UsageError, did_you_mean
from .evaluator import (CompiledRule, Compiler, _subject, compile_rule, for_each_binding,
                        judge, judged_finding, make_context)
from .findings import Finding
from .model import Snapshot
from .ruleset import RuleSet

_UNSET = object()
LITERALS = (ast.Num, ast.Text, ast.Bool, ast.DateLit, ast.DurationLit, ast.Nothing)


class TracingCompiler(Compiler):
    """A compiler whose functions record their last value in `trace`, keyed by node id,
    outside selections."""

    def __init__(self, local: set[str], trace: dict[int, Any]):
        super().__init__(local)
        self.trace = trace
        self.depth = 0

    def __call__(self, node):
        inner = isinstance(node, ast.Selection)
        self.depth += inner
        try:
            fn = super().__call__(node)
        finally:
            self.depth -= inner
        if self.depth or isinstance(node, LITERALS):
            return fn
        trace, key = self.trace, id(node)

        def traced(env, ctx):
            v = trace[key] = fn(env, ctx)
            return v
        return traced


@attrs.frozen
class Explanation:
    """One binding: its subject, status, message, and the values that decided them."""

    subject: tuple[tuple[str, Any], ...]
    finding: Finding | None  # None: the rule's `when` does not hold, it says nothing here
    lets: tuple[tuple[str, Any], ...]
    trace: dict = attrs.field(eq=False, repr=False)
    due: dt.date | None = None
    records: tuple = ()  # snapshot objects read (with .loc), in file order
    origin: Any = None  # the RuleExplanation of the rule set that judged it, when not the
    # one shown (a review drawn before a dated amendment took effect)
    under: str | None = None  # which rules judged it, said in words, in that case

    @property
    def applies(self) -> bool:
        return self.finding is not None

    @property
    def status(self) -> str | None:
        return self.finding.status if self.finding is not None else None


@attrs.frozen
class RuleExplanation:
    rule: ast.Rule
    compiled: CompiledRule
    source: str  # the rule's source text
    params: tuple  # parameters.Parameter read by the rule
    snapshot: Snapshot
    bindings: tuple[Explanation, ...]
    permission: CompiledRule | None = None  # the `unless permitted by` rule, recorded too

    def text(self, node) -> str:
        return self.compiled.text(node)


def _matches(subject: tuple, wanted: str, rule_id: str) -> bool:
    ids = [str(v) for _, v in subject]
    joined = "/".join(ids)
    return wanted in (joined, f"{rule_id}/{joined}") or (len(ids) > 1 and wanted in ids)


def explain(ruleset: RuleSet, rule_id: str, snapshot: Snapshot,
            subject: str | None = None, waivers: Sequence = (),
            amended=None) -> RuleExplanation:
    """Explain `rule_id` on `snapshot`, for every binding or those whose subject is
    `subject` (the finding's subject ids joined by '/', or the finding id, or one id).
    With `waivers`, a failing finding they accept is shown waived, as `check` shows it.
    With `amended` whose amendments have effective dates, a review drawn before a date
    is judged by the rules without that amendment, as `check` judges it."""
    if amended is not None and any(a.effective for a in amended.amendments):
        return _explain_dated(amended, rule_id, snapshot, subject, waivers)
    rule = ruleset.rule(rule_id)
    if rule is None:
        ids = [r.id for r in ruleset.rules]
        raise UsageError.at(f"unknown rule '{rule_id}'{did_you_mean(rule_id, ids)}")
    if rule.modality == "may":
        from .examples import excusing

        users = excusing(ruleset, rule.id)
        raise UsageError.at(
            f"'{rule_id}' is a permission (may): it has no findings of its own; explain a "
            f"rule that uses it: {', '.join(users) or 'none does'}")
    permissions = {cr.rule.id: cr for cr in ruleset.compiled if cr.rule.modality == "may"}
    index = next(cr.index for cr in ruleset.compiled if cr.rule.id == rule_id)
    trace: dict[int, Any] = {}
    tracing = lambda local: TracingCompiler(local, trace)  # noqa: E731
    permission = None
    if rule.unless is not None and rule.unless.permission is not None:
        # the permission recorded too, so that an exception shows what granted it
        p = permissions[rule.unless.permission]
        permission = compile_rule(p.rule, p.index, ruleset.sources.get(p.rule.file, ""),
                                  ruleset.params, permissions, compiler=tracing)
        permissions = dict(permissions, **{p.rule.id: permission})
    source_text = ruleset.sources.get(rule.file, "")
    cr = compile_rule(rule, index, source_text, ruleset.params, permissions,
                      compiler=tracing)
    ctx = make_context(snapshot, ruleset.params, ruleset.phase_years)
    found = list(_bindings(cr, ctx, trace, subject))
    if waivers:
        found = [_waived(e, waivers, snapshot.as_of) for e in found]
    if subject is not None and not found:
        raise UsageError.at(
            f"{rule_id} has no binding with subject '{subject}' in {snapshot.file}"
            f"{_subject_hint(cr, ctx, subject)}")
    params = tuple(ruleset.params[p] for p in cr.params)
    return RuleExplanation(rule, cr, ruleset.source_of(rule), params, snapshot, tuple(found),
                           permission)


def _waived(e: "Explanation", waivers: Sequence, as_of) -> "Explanation":
    from .waivers import apply_waivers

    if e.finding is None:
        return e
    f = apply_waivers([e.finding], waivers, as_of)[0]
    return attrs.evolve(e, finding=f)


def _explain_dated(amended, rule_id: str, snapshot: Snapshot, subject: str | None,
                   waivers: Sequence) -> "RuleExplanation":
    """Each binding explained by the rule set that governs it: for a binding about a
    review drawn before an amendment's effective date, the rules without it."""
    from .impact import governing

    rulesets, owner = governing(amended, snapshot)
    out: list[Explanation] = []
    first = None
    # the amended rules first: they are the ones shown
    for pattern, rs in sorted(rulesets.items(), reverse=True):
        if rs.rule(rule_id) is None:
            continue
        try:
            rx = explain(rs, rule_id, snapshot, subject, waivers)
        except UsageError:
            continue
        first = first or rx
        left_out = [a.title for a, on in zip(amended.amendments, pattern) if not on]
        under = ("drawn before it took effect, so judged without: " + "; ".join(left_out)
                 if left_out else None)
        out += [attrs.evolve(e, origin=rx, under=under) for e in rx.bindings
                if owner(e.subject) == pattern]
    if first is None:  # no rule set has it, or no binding matches: say so as usual
        return explain(amended.ruleset if amended.ruleset.rule(rule_id) else amended.base,
                       rule_id, snapshot, subject, waivers)
    out.sort(key=lambda e: tuple(str(v) for _, v in e.subject))
    return attrs.evolve(first, bindings=tuple(out))


def _subject_hint(cr: CompiledRule, ctx, wanted: str) -> str:
    ids = ["/".join(str(v) for _, v in s) for s in _subjects(cr, ctx)]
    hint = did_you_mean(wanted, ids)
    names = ", ".join(b[0] for b in cr.bindings)
    return hint or f" (its subjects are ids of {names} joined by '/')"


def _subjects(cr: CompiledRule, ctx) -> list[tuple]:
    """The subject of every binding the rule ranges over."""
    env, names, out = dict(ctx.globals), [b[0] for b in cr.bindings], []
    for_each_binding(cr, ctx, env, lambda: out.append(_subject(env, names)))
    return out


def _bindings(cr: CompiledRule, ctx, trace: dict, wanted: str | None) -> list[Explanation]:
    names = [b[0] for b in cr.bindings]
    env: dict = dict(ctx.globals)
    out: list[Explanation] = []

    def visit():
        subject = _subject(env, names)
        if wanted is not None and not _matches(subject, wanted, cr.rule.id):
            return
        trace.clear()
        for name, f in cr.lets:
            env[name] = f(env, ctx)
        lets = tuple((name, env[name]) for name, _ in cr.lets)
        if cr.when is not None and cr.when(env, ctx) is not True:
            out.append(Explanation(subject, None, lets, dict(trace),
                                   records=_records(env, names, trace)))
            return
        status, due, info = judge(cr, env, ctx)
        finding = judged_finding(cr, env, ctx, status, due, info, names, subject)
        out.append(Explanation(subject, finding, lets, dict(trace), due,
                               _records(env, names, trace)))

    for_each_binding(cr, ctx, env, visit)
    return out


def _objects(v: Any, out: list, limit: int = 12) -> None:
    if isinstance(v, (tuple, list, frozenset)):
        for x in list(v)[:limit]:
            _objects(x, out, limit)
    elif isinstance(v, dict):
        for x in list(v.values())[:limit]:
            _objects(x, out, limit)
    elif getattr(v, "loc", None) is not None and attrs.has(type(v)):
        out.append(v)


def _records(env: dict, names: list[str], trace: dict) -> tuple:
    found: list = []
    for n in names:
        _objects(env[n], found)
    for v in trace.values():
        _objects(v, found)
    seen, out = set(), []
    for o in found:
        if o.loc not in seen:
            seen.add(o.loc)
            out.append(o)
    return tuple(sorted(out, key=lambda o: o.loc))


# ---- what decided a value -------------------------------------------------------------


def value_of(e: Explanation, node) -> Any:
    if isinstance(node, LITERALS):
        return None if isinstance(node, ast.Nothing) else \
            Duration(node.amount, node.unit) if isinstance(node, ast.DurationLit) \
            else node.value
    return e.trace.get(id(node), _UNSET)


def evaluated(e: Explanation, node) -> bool:
    return isinstance(node, LITERALS) or id(node) in e.trace


def decisive(e: Explanation, node) -> list:
    """The parts of a boolean expression that decided its value: for a failed `and`, its
    failed parts; for a held `or`, a held part; for a failed `or`, all its parts."""
    v = value_of(e, node)
    if isinstance(node, ast.Unary) and node.op == "not":
        return decisive(e, node.operand)
    if isinstance(node, ast.If) and value_of(e, node.cond) in (True, False):
        return decisive(e, node.then if value_of(e, node.cond) else node.else_)
    if isinstance(node, ast.Binary) and node.op in ("and", "or", "implies"):
        left, right = node.left, node.right
        lv, rv = value_of(e, left), value_of(e, right)
        if node.op == "implies":
            if v is True:
                return decisive(e, left) if lv is False else decisive(e, right)
            return decisive(e, left) + decisive(e, right)
        stop = False if node.op == "and" else True
        if v is stop or v is None:  # the parts that gave this value decided it
            out = [x for part, pv in ((left, lv), (right, rv)) if pv is v
                   for x in decisive(e, part)]
            return out or [node]
        return decisive(e, left) + decisive(e, right)
    return [node]
