"""What an amendment would change on real cycles: findings that appear, disappear or change.

With an `effective` date, reviews drawn before it keep the rules they were drawn under: each
finding about such a review comes from the rule set without that amendment. Findings are
matched across the two evaluations by their `id`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import attrs

from .amendments import Amended
from .check import SnapshotResult, evaluate
from .findings import Finding
from .loader import judge_at, load_snapshot
from .model import Snapshot
from .ruleset import RuleSet

Pattern = tuple[bool, ...]  # one flag per amendment, in order: is it in force


def _in_force(amended: Amended, drawn: dt.date | None) -> Pattern:
    """Which amendments govern a review drawn on `drawn` (None: not drawn yet: all do)."""
    return tuple(a.effective is None or drawn is None or drawn >= a.effective
                 for a in amended.amendments)


def governing(amended: Amended, snapshot: Snapshot
              ) -> tuple[dict[Pattern, RuleSet], Callable[[tuple], Pattern]]:
    """The rule sets that govern parts of `snapshot`, by pattern of amendments in force
    (the amended rule set's, all True, always among them), and which pattern governs a
    finding's subject: that of the first value of the subject that is a review's id (the
    review's draw date decides), else all True."""
    everything = tuple(True for _ in amended.amendments)
    pattern_of = {r.id: _in_force(amended, r.draw.date if r.draw is not None else None)
                  for r in snapshot.reviews}
    rulesets = {p: amended.ruleset_for(p) for p in {everything, *pattern_of.values()}}

    def owner(subject: tuple) -> Pattern:
        review = next((v for _, v in subject if v in pattern_of), None)
        return pattern_of[review] if review is not None else everything

    return rulesets, owner


def evaluate_amended(amended: Amended, snapshot: Snapshot,
                     keep_passed: bool = False) -> SnapshotResult:
    if all(a.effective is None for a in amended.amendments):
        return evaluate(amended.ruleset, snapshot, keep_passed)
    rulesets, owner = governing(amended, snapshot)
    findings: list[Finding] = []
    passed = 0
    order = {r.id: i for i, r in enumerate(amended.ruleset.rules)}
    for pattern, rs in sorted(rulesets.items()):
        result = evaluate(rs, snapshot, keep_passed,
                          owns=lambda subject, p=pattern: owner(subject) == p)
        passed += result.passed
        for f in result.findings:
            # rules of the amended set give the order; a rule it repealed comes after them
            findings.append(attrs.evolve(f, rule_index=order.get(f.rule,
                                                                 len(order) + f.rule_index)))
    findings.sort(key=Finding.sort_key)
    return SnapshotResult(snapshot.file, snapshot.as_of, tuple(findings), passed)


@attrs.frozen
class SnapshotImpact:
    file: str
    as_of: dt.date
    appeared: tuple[Finding, ...]
    disappeared: tuple[Finding, ...]
    changed: tuple[tuple[Finding, Finding], ...]


@attrs.frozen
class Impact:
    amended: Amended
    snapshots: tuple[SnapshotImpact, ...]


def compare(before: SnapshotResult, after: SnapshotResult) -> SnapshotImpact:
    b = {f.id: f for f in before.findings if f.failing}
    a = {f.id: f for f in after.findings if f.failing}
    return SnapshotImpact(
        after.file, after.as_of,
        tuple(f for i, f in a.items() if i not in b),
        tuple(f for i, f in b.items() if i not in a),
        tuple((b[i], a[i]) for i in a if i in b
              and (b[i].status, b[i].severity) != (a[i].status, a[i].severity)))


def impact(amended: Amended, paths: Sequence[str], as_of: dt.date | None = None) -> Impact:
    """Load every snapshot first (bad input fails before any output), then compare."""
    snapshots = [load_snapshot(p, phase_years=amended.ruleset.phase_years) for p in paths]
    if as_of is not None:
        snapshots = [judge_at(s, as_of) for s in snapshots]
    return Impact(amended, tuple(compare(evaluate(amended.base, s), evaluate_amended(amended, s))
                                 for s in snapshots))
