"""Worked examples for the docs: for each rule, a rule case where it holds and one where it
is broken, run through the engine so that the findings and messages shown are real.

The cases are those of `revmech test` (engine/cases.py). The shipped ones are package
data of `revmech.fixtures` (fixtures/cases and the sample cycle they start from), so
the docs can be built from an installed package.
"""

from __future__ import annotations

import os

import attrs
import yaml

from . import ast
from .cases import (CASES_DIR, HOLDING, Case, CaseResult, discover, packaged_cases_dir,
                    run_case, _finding_subject, _subject_key)
from .evaluator import _rule_exprs
from .findings import FAILING, Finding
from .ruleset import RuleSet


@attrs.frozen
class Example:
    kind: str  # holds | broken
    case: Case
    file: str  # the case file as shown: its path under the cases folder
    changes: tuple[str, ...]  # each change, as YAML text
    findings: tuple[Finding, ...]  # of the rule, for the subjects the case expects
    ok: bool  # the case gave what it expects (under these rules)


def _change_text(change) -> str:
    """A change as an item of the case file's `change:` list."""
    lines = [f"- {change.op}: {change.path_text}"]
    if change.key is not None:
        lines.append(f"  key: {change.key.value}")
    if change.value is not None:
        body = yaml.serialize(change.value, width=88).strip()
        body = body.removesuffix("...").strip()  # a scalar's document end marker
        lines.append("  value: " + body if "\n" not in body else
                     "  value:\n" + "\n".join("    " + ln for ln in body.splitlines()))
    return "\n".join(lines)


def _pick(cases: list[Case], rule_id: str, statuses) -> tuple[Case, tuple] | None:
    """The first case expecting a finding of `rule_id` with one of `statuses`; a case named
    after the rule (`RULE-holds`, `RULE-broken`) is preferred."""
    found = []
    for case in cases:
        keys = tuple(e.key for e in case.expect if e.rule == rule_id and e.status in statuses)
        if keys:
            found.append((case, keys))
    if not found:
        return None
    for case, keys in found:
        if case.name in (f"{rule_id}-holds", f"{rule_id}-broken"):
            return case, keys
    return found[0]


def _example(kind: str, picked: tuple[Case, tuple], folder: str, ruleset: RuleSet,
             results: dict[str, CaseResult], shown_as: str) -> Example:
    case, keys = picked
    if case.name not in results:
        results[case.name] = run_case(case, ruleset)
    result = results[case.name]
    subjects = {(k[0], k[2]) for k in keys}  # an expectation's key has its subject sorted
    findings = tuple(f for f in result.findings
                     if (f.rule, _subject_key(_finding_subject(f))) in subjects)
    # named as in a checkout, so the pages do not depend on where the package is installed
    shown = shown_as + os.path.relpath(case.file, folder).replace(os.sep, "/")
    return Example(kind, case, shown, tuple(_change_text(c) for c in case.changes), findings,
                   result.ok)


def excusing(ruleset: RuleSet, permission: str) -> tuple[str, ...]:
    """The rules a `may` permission excuses (`unless permitted by` it)."""
    return tuple(r.id for r in ruleset.rules
                 if r.unless is not None and r.unless.permission == permission)


def worked_examples(ruleset: RuleSet, folder: str | None = None,
                    case_ruleset: RuleSet | None = None) -> dict[str, tuple[Example, ...]]:
    """Rule id -> its examples (a holding one, then a broken one, where the cases have
    them). A permission's holding example is a case where it excuses a finding of a rule
    that cites it. The cases are read against `case_ruleset` (default: `ruleset`), so
    that an amended rule set can be shown with the base's cases."""
    shipped = folder is None
    folder = packaged_cases_dir() if shipped else folder
    cases = discover(folder, case_ruleset or ruleset)
    shown_as = (CASES_DIR.replace(os.sep, "/") if shipped else folder.rstrip("/" + os.sep)) + "/"
    results: dict[str, CaseResult] = {}
    out: dict[str, tuple[Example, ...]] = {}
    for rule in ruleset.rules:
        if rule.modality == "may":  # holds where it excuses a finding of a rule citing it
            excused = (_pick(cases, other, ("excepted",)) for other in excusing(ruleset, rule.id))
            picks = [("holds", next((p for p in excused if p is not None), None))]
        else:
            picks = [("holds", _pick(cases, rule.id, HOLDING)),
                     ("broken", _pick(cases, rule.id, FAILING))]
        out[rule.id] = tuple(_example(kind, picked, folder, ruleset, results, shown_as)
                             for kind, picked in picks if picked is not None)
    return out


def parameters_used(rule: ast.Rule, params) -> tuple[str, ...]:
    """The parameters a rule names, in the order they first appear."""
    seen: dict[str, None] = {}
    roots = _rule_exprs(rule)
    roots += [p for p in rule.message.parts if not isinstance(p, str)] if rule.message else []
    for root in roots:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and node.id in params:
                seen.setdefault(node.id)
    return tuple(seen)
