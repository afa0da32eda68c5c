"""`check`: evaluate a rule set on snapshots and gather the findings into a report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

import attrs

from .evaluator import evaluate_rule, make_context
from .findings import Finding
from .gc_pause import paused_gc
from .loader import judge_at, load_snapshot
from .model import Snapshot
from .records import frozen
from .ruleset import RuleSet


@frozen
class SnapshotResult:
    file: str
    as_of: dt.date
    findings: tuple[Finding, ...]
    passed: int


@frozen
class Report:
    ruleset: RuleSet
    snapshots: tuple[SnapshotResult, ...]
    all: bool  # passed findings listed
    waivers: tuple = ()  # the waivers.Waiver given, in file order
    base: RuleSet | None = None  # before amendments: the rules a dated amendment repealed

    def rule(self, rule_id: str):
        """A rule of the findings: of the rule set, or one that a dated amendment repealed
        but that still governs reviews drawn before its date."""
        found = self.ruleset.rule(rule_id)
        if found is None and self.base is not None:
            found = self.base.rule(rule_id)
        return found

    def chapter_of(self, rule) -> tuple:
        if rule.id in self.ruleset.chapters or self.base is None:
            return self.ruleset.chapter_of(rule)
        return self.base.chapter_of(rule)

    @property
    def rules(self) -> list:
        """The rules reported on, in order: those of the rule set, then repealed rules that
        still have findings."""
        out = [r for r in self.ruleset.rules if r.modality != "may"]
        known = {r.id for r in out}
        if self.base is not None:
            seen = {f.rule for f in self.findings}
            out += [r for r in self.base.rules if r.id not in known and r.id in seen
                    and r.modality != "may"]
        return out

    @property
    def unmatched_waivers(self) -> list:
        """Waivers that matched no failing finding in any snapshot: stale or mistyped."""
        used = {f.waiver.finding_id for f in self.findings if f.waiver is not None}
        return [w for w in self.waivers if w.finding_id not in used]

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.snapshots for f in s.findings]

    def summary(self) -> dict[str, int]:
        c = Counter()
        for f in self.findings:
            if f.failing:
                c[f.severity] += 1
            elif f.status != "passed":
                c[f.status] += 1
        return {"error": c["error"], "warning": c["warning"], "pending": c["pending"],
                "excepted": c["excepted"], "waived": c["waived"],
                "passed": sum(s.passed for s in self.snapshots)}

    def failing_at(self, level: str) -> bool:
        """Is there a failing finding at or above `level` (error | warning | never)?"""
        if level == "never":
            return False
        wanted = ("error",) if level == "error" else ("error", "warning")
        return any(f.failing and f.severity in wanted for f in self.findings)


def evaluate(ruleset: RuleSet, snapshot: Snapshot, keep_passed: bool = False,
             owns=None) -> SnapshotResult:
    """`owns`: see evaluator.evaluate_rule."""
    ctx = make_context(snapshot, ruleset.params, ruleset.phase_years)
    findings: list[Finding] = []
    passed = 0
    for cr in ruleset.compiled:
        found, n = evaluate_rule(cr, ctx, keep_passed, owns)
        findings.extend(found)
        passed += n
    findings.sort(key=Finding.sort_key)
    return SnapshotResult(snapshot.file, snapshot.as_of, tuple(findings), passed)


def check(ruleset: RuleSet, paths: Sequence[str], as_of: dt.date | None = None,
          keep_passed: bool = False, amended=None, waivers: str | None = None) -> Report:
    """Load every snapshot first (bad input fails before any output), then evaluate; with
    `amended` (amendments.Amended), under the amended rules and their effective dates;
    with `waivers` (a waivers file), applying the waivers it records."""
    if amended is not None:
        from .impact import evaluate_amended

        ruleset = amended.ruleset
        run = lambda s: evaluate_amended(amended, s, keep_passed)  # noqa: E731
    else:
        run = lambda s: evaluate(ruleset, s, keep_passed)  # noqa: E731
    accepted: tuple = ()
    if waivers is not None:
        from .waivers import load_waivers

        accepted = load_waivers(waivers, ruleset.rules)
    with paused_gc():  # see gc_pause: the snapshots and the findings are large graphs
        snapshots = [load_snapshot(p, phase_years=ruleset.phase_years) for p in paths]
        if as_of is not None:
            snapshots = [judge_at(s, as_of) for s in snapshots]
        results = [run(s) for s in snapshots]
    if accepted:
        from .waivers import apply_waivers

        results = [attrs.evolve(r, findings=tuple(apply_waivers(r.findings, accepted, r.as_of)))
                   for r in results]
    return Report(ruleset, tuple(results), keep_passed, accepted,
                  base=amended.base if amended is not None else None)
