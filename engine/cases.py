"""Rule cases as data: a snapshot, or a base snapshot plus a small change, and the
findings it must produce.

A case file (YAML, never inside a snapshot)::

    format: revmech/cases@1
    base: ../sample-cycle.yaml          # relative to this file
    cases:
      - name: experts-cap-broken        # unique across all case files: the pytest id
        description: optional prose, for people and the docs
        rules: [experts-cap]            # default: the rules named in `expect`
        snapshot: ../other.yaml         # optional, overrides `base`
        as_of: 2026-10-01               # optional: judge the cycle as it stood then
        change:                         # optional edits of the base's YAML node tree
          - add: experts                # append to the list at the path
            value: {id: PAK-c-7, state: PAK, instrument: convention, listed: 2020-02-01}
          - add: reviews[AGO-convention-1].draw.redraws   # or add a key to a mapping
            key: AGO
            value: 1
          - set: reviews[AGO-convention-1].consultations.date   # replace or create a key
            value: 2021-04-20
          - remove: reviews[AGO-convention-1].draw               # delete a key or an item
        expect:
          - {rule: experts-cap, status: violated, subject: {state: PAK, instrument: convention}}
          - {rule: experts-cap, status: passed, subject: {state: AGO, instrument: convention}}

A case whose snapshot must fail to load says `expect_error: "substring"` (of the rendered
error) instead of `expect`.

Paths: dot-separated mapping keys; `[SEL]` selects an item of a list: the item labelled
SEL (a mapping's `id`, else its `name`, else its `date`, else its `number`; a scalar item
is labelled by its own text), else, when SEL is all digits and no item is so labelled,
the item at 0-based index SEL. So `phases[2]` is the phase numbered 2, `articles[21]` is
article "21", and `questionnaires[0]` is the first questionnaire. `add` creates the list
(or, with `key`, the mapping) when the path's last key is absent or null; `set` creates
its last key when absent; every other step must exist.

Changes are applied to the composed node tree of the snapshot: the case file's own value
nodes are spliced in, so that the positions of changed values, and any error about
them, point at the case file. A path that does not resolve is a located SnapshotError
at the change in the case file.

Expectations, per case: for each of the case's rules, the multiset of (rule, status,
subject) of its findings whose status is not `passed` equals the expected entries whose
status is not `passed`; every expected `passed` entry is among the passed findings.
Subjects compare as mappings of text (`phase: 2` matches the subject value 2).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import yaml

from .check import evaluate
from .errors import Diagnostic, Loc, SnapshotError, UsageError, did_you_mean
from .findings import FAILING, STATUSES, Finding
from .loader import CORE_TAGS, compose, judge_at, snapshot_from_node
from .model import Snapshot

if TYPE_CHECKING:
    from .ruleset import RuleSet

__all__ = [
    "FORMAT",
    "Case",
    "CaseResult",
    "Change",
    "Expectation",
    "RuleCoverage",
    "SuiteResult",
    "coverage",
    "default_cases_dir",
    "discover",
    "load_cases",
    "run_case",
    "run_cases",
]

FORMAT = "revmech/cases@1"

_CORE = "tag:yaml.org,2002:"
_STR, _NULL, _SEQ, _MAP = (_CORE + t for t in ("str", "null", "seq", "map"))
_TIMESTAMP = _CORE + "timestamp"

_FILE_KEYS = ("format", "base", "description", "cases")
_CASE_KEYS = ("name", "description", "rules", "snapshot", "as_of", "change", "expect",
              "expect_error")
_EXPECT_KEYS = ("rule", "status", "subject")
_OPS = ("set", "remove", "add")
_CHANGE_KEYS = (*_OPS, "key", "value")

_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# one step of a path: a mapping key, or `[SEL]` after a key or another selector
_KEY_RE = re.compile(r"[^.\[\]\s]+")
_SEL_RE = re.compile(r"\[([^\[\]]+)\]")

# The keys by which a list item is named, in order of preference.
_LABEL_KEYS = ("id", "name", "date", "number")


# --------------------------------------------------------------------------------------
# the model


@attrs.frozen
class Expectation:
    """One expected finding: its rule, status and subject (names to ids, as text)."""

    rule: str
    status: str
    subject: tuple[tuple[str, str], ...]  # as written, in order
    loc: Loc | None = attrs.field(default=None, eq=False)

    @property
    def key(self) -> tuple:
        return _key(self.rule, self.status, self.subject)

    def render(self) -> str:
        return _render_entry(self.rule, self.status, self.subject)


@attrs.frozen
class Step:
    """A step of a change path: a mapping key (`sel` False) or a list selector."""

    text: str
    sel: bool

    def __str__(self) -> str:
        return f"[{self.text}]" if self.sel else self.text


@attrs.frozen
class Change:
    """One edit of the base's node tree."""

    op: str  # set | remove | add
    path: tuple[Step, ...]
    path_text: str
    value: yaml.Node | None = attrs.field(eq=False, repr=False)
    key: yaml.Node | None = attrs.field(eq=False, repr=False)  # add to a mapping
    loc: Loc = attrs.field(eq=False)  # the path, in the case file
    mark: Any = attrs.field(eq=False, repr=False)  # for nodes the change creates
    number: int = 1  # its place in the case's `change` list, from 1

    def describe(self) -> str:
        return f"change {self.number} ({self.op} {self.path_text})"


@attrs.frozen
class Case:
    name: str
    file: str  # the case file
    rules: tuple[str, ...]
    expect: tuple[Expectation, ...]
    snapshot: str  # the snapshot file the case starts from
    as_of: dt.date | None = None
    changes: tuple[Change, ...] = ()
    expect_error: str | None = None
    description: str | None = None
    loc: Loc | None = attrs.field(default=None, eq=False)
    source: str | None = attrs.field(default=None, eq=False, repr=False)  # case file text

    def compose(self) -> tuple[yaml.Node, str]:
        """The snapshot's node tree with the changes applied, and the snapshot's text.

        A change whose path does not resolve is a SnapshotError located in the case file.
        """
        root, text = compose(self.snapshot)
        for change in self.changes:
            _apply(root, change, self.source)
        return root, text

    def build(self, phase_years: dict[int, tuple[int, int]]) -> Snapshot:
        """The snapshot the case judges: composed, changed, loaded strictly, and judged at
        `as_of` when the case gives one. Errors located in the case file carry its text."""
        root, text = self.compose()
        return self._load(root, text, phase_years)

    def _load(self, root: yaml.Node, text: str,
              phase_years: dict[int, tuple[int, int]]) -> Snapshot:
        try:
            snapshot = snapshot_from_node(root, text, file=self.snapshot,
                                          phase_years=phase_years)
        except SnapshotError as e:
            raise self._with_source(e) from None
        return judge_at(snapshot, self.as_of) if self.as_of is not None else snapshot

    def _with_source(self, e: SnapshotError) -> SnapshotError:
        if self.source is None:
            return e
        return SnapshotError([
            attrs.evolve(d, source=self.source)
            if d.source is None and d.loc is not None and d.loc.file == self.file else d
            for d in e.diagnostics])


@attrs.frozen
class CaseResult:
    case: Case
    ok: bool
    missing: tuple[Expectation, ...] = ()  # expected, not found
    unexpected: tuple[Finding, ...] = ()  # found, not expected
    findings: tuple[Finding, ...] = ()  # every finding of the case's rules, passed ones too
    error: str | None = None  # the rendered load error, when the snapshot did not load

    def render(self) -> str:
        """A readable account: 'ok', or what was missing and what was unexpected."""
        where = f" ({self.case.loc})" if self.case.loc else ""
        head = f"case {self.case.name}{where}"
        if self.ok:
            return f"{head}: ok"
        lines = [f"{head}: failed"]
        if self.case.expect_error is not None:
            if self.error is None:
                lines.append(f"  expected the snapshot to fail to load with an error "
                             f"containing {_quote(self.case.expect_error)}, but it loaded")
            else:
                lines.append(f"  expected an error containing "
                             f"{_quote(self.case.expect_error)}; the error was:")
                lines.extend("    " + line for line in self.error.splitlines())
            return "\n".join(lines)
        if self.error is not None:
            lines.append("  the snapshot did not load:")
            lines.extend("    " + line for line in self.error.splitlines())
            return "\n".join(lines)
        by_subject: dict[tuple, list[str]] = {}
        for f in self.findings:
            by_subject.setdefault((f.rule, _subject_key(_finding_subject(f))),
                                  []).append(f.status)
        if self.missing:
            lines.append("  missing (expected, not found):")
            for e in self.missing:
                found = by_subject.get((e.rule, _subject_key(e.subject)))
                at = f"   ({e.loc})" if e.loc else ""
                note = f"   # found as {', '.join(found)}" if found else ""
                lines.append(f"    - {e.render()}{at}{note}")
        if self.unexpected:
            lines.append("  unexpected (found, not expected):")
            for f in self.unexpected:
                lines.append(f"    - {_render_entry(f.rule, f.status, _finding_subject(f))}")
                lines.append(f"        {f.message}" + (f"   ({f.location})" if f.location
                                                      else ""))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------
# running


def run_case(case: Case, ruleset: RuleSet) -> CaseResult:
    """Build the case's snapshot, evaluate the rule set on it and compare the findings of
    the case's rules with its expectations. A change that does not resolve raises (the
    case file is wrong); a snapshot that does not load is a failed result, unless the case
    expects exactly that."""
    root, text = case.compose()
    try:
        snapshot = case._load(root, text, ruleset.phase_years)
    except SnapshotError as e:
        rendered = e.render()
        if case.expect_error is not None:
            return CaseResult(case, case.expect_error in rendered, error=rendered)
        return CaseResult(case, False, error=rendered)
    if case.expect_error is not None:
        return CaseResult(case, False)

    wanted = set(case.rules)
    # Only the case's rules are evaluated: a rule's findings do not depend on the others
    # (a permission it cites is compiled into it).
    only = attrs.evolve(ruleset, compiled=tuple(cr for cr in ruleset.compiled
                                                if cr.rule.id in wanted))
    findings = tuple(f for f in evaluate(only, snapshot, keep_passed=True).findings
                     if f.rule in wanted)
    found = Counter(_key(f.rule, f.status, _finding_subject(f))
                    for f in findings if f.status != "passed")
    passed = {_key(f.rule, f.status, _finding_subject(f))
              for f in findings if f.status == "passed"}

    missing: list[Expectation] = []
    left = Counter(found)
    for e in case.expect:
        if e.status == "passed":
            if e.key not in passed:
                missing.append(e)
        elif left[e.key] > 0:
            left[e.key] -= 1
        else:
            missing.append(e)
    unexpected = []
    for f in findings:
        if f.status == "passed":
            continue
        k = _key(f.rule, f.status, _finding_subject(f))
        if left[k] > 0:
            left[k] -= 1
            unexpected.append(f)
    ok = not missing and not unexpected
    return CaseResult(case, ok, tuple(missing), tuple(unexpected), findings)


def _finding_subject(f: Finding) -> tuple[tuple[str, str], ...]:
    return tuple((name, _text(value)) for name, value in f.subject)


def _text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


def _subject_key(subject: Iterable[tuple[str, str]]) -> tuple:
    return tuple(sorted(subject))


def _key(rule: str, status: str, subject: Iterable[tuple[str, str]]) -> tuple:
    return (rule, status, _subject_key(subject))


_PLAIN_RE = re.compile(r"[A-Za-z0-9_./-]+(?: [A-Za-z0-9_./-]+)*")


def _quote(text: str) -> str:
    """Text as a YAML flow scalar: plain where safe, else double-quoted."""
    if _PLAIN_RE.fullmatch(text) and text not in ("true", "false", "null", "~"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_entry(rule: str, status: str, subject: Iterable[tuple[str, str]]) -> str:
    """An entry as it would be written in `expect:` (paste-able)."""
    inner = ", ".join(f"{k}: {_quote(v)}" for k, v in subject)
    return f"{{rule: {rule}, status: {status}, subject: {{{inner}}}}}"


# --------------------------------------------------------------------------------------
# a folder of cases, and rule coverage (`revmech test`)

# The statuses by which a case shows a rule holding: `passed`, or `excepted` for the rule
# whose finding a permission excuses (report-confidential never passes: every release of
# a report is a breach unless the State published its own). Either is an explicit
# finding, so a case cannot show a rule holding vacuously; `pending` shows nothing.
HOLDING = ("passed", "excepted")

CASES_DIR = os.path.join("fixtures", "cases")


def packaged_cases_dir() -> str:
    """The folder of the shipped rule cases (in a checkout: fixtures/cases)."""
    import importlib.resources  # for the docs only: a costly import on every run otherwise

    return os.fspath(importlib.resources.files("revmech.fixtures") / "cases")


@attrs.frozen
class RuleCoverage:
    """Whether the cases show a rule holding and broken, and the cases that do."""

    rule: str
    cites: tuple[str, ...]
    passed_in: tuple[str, ...] = ()  # cases expecting a `passed` finding of the rule
    excepted_in: tuple[str, ...] = ()  # cases expecting an `excepted` finding
    failing_in: tuple[str, ...] = ()  # cases expecting a violated, late or overdue one

    @property
    def holds(self) -> bool:
        return bool(self.passed_in or self.excepted_in)

    @property
    def broken(self) -> bool:
        return bool(self.failing_in)

    @property
    def complete(self) -> bool:
        return self.holds and self.broken

    def lacking(self) -> str:
        """What the rule lacks, in words ('' when nothing)."""
        return " and ".join(what for what, has in (("no holding case", self.holds),
                                                   ("no failing case", self.broken))
                            if not has)


def coverage(cases: Iterable[Case], ruleset: RuleSet) -> tuple[RuleCoverage, ...]:
    """For each rule of `ruleset` with findings of its own (not a `may` permission: those
    are shown through the rules they excuse), in rule order: the cases that expect it to
    hold (a `passed`, or `excepted`, finding) and those that expect it broken (a
    violated, late or overdue finding). Read from the expectations, not from runs."""
    passed: dict[str, list[str]] = {}
    excepted: dict[str, list[str]] = {}
    failing: dict[str, list[str]] = {}
    for case in cases:
        for e in case.expect:
            into = (passed if e.status == "passed" else excepted if e.status == "excepted"
                    else failing if e.status in FAILING else None)
            if into is not None:
                names = into.setdefault(e.rule, [])
                if case.name not in names:
                    names.append(case.name)
    return tuple(RuleCoverage(r.id, tuple(r.cites), tuple(passed.get(r.id, ())),
                              tuple(excepted.get(r.id, ())), tuple(failing.get(r.id, ())))
                 for r in ruleset.rules if r.modality != "may")


@attrs.frozen
class SuiteResult:
    """Every case of a folder run, and the rule coverage of its cases."""

    folder: str
    results: tuple[CaseResult, ...]
    coverage: tuple[RuleCoverage, ...]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def uncovered(self) -> tuple[RuleCoverage, ...]:
        """The rules lacking a holding or a failing case."""
        return tuple(c for c in self.coverage if not c.complete)

    @property
    def ok(self) -> bool:
        """Every case passes and every rule has a holding and a failing case."""
        return self.failed == 0 and not self.uncovered

    def render(self) -> str:
        """The failing cases with their diffs, the coverage table, the rules lacking a
        case, and the summary line `N passed, M failed` last."""
        out: list[str] = []
        for r in self.results:
            if not r.ok:
                out.extend(r.render().splitlines())
                out.append("")
        rows = [("rule", "paragraph", "holds", "broken")]
        rows += [(c.rule, ", ".join(c.cites), "yes" if c.holds else "no",
                  "yes" if c.broken else "no") for c in self.coverage]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        out.append(f"rule coverage ({len(self.coverage)} rules, "
                   f"{len(self.results)} cases in {self.folder}):")
        for row in rows:
            out.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths))
                       + "  " + row[3])
        only_excepted = [c.rule for c in self.coverage if c.excepted_in and not c.passed_in]
        if only_excepted:
            out.append(f"  (holds only as excepted, excused by a permission: "
                       f"{', '.join(only_excepted)})")
        if self.uncovered:
            out.append("")
            out.append(f"{len(self.uncovered)} rule{'' if len(self.uncovered) == 1 else 's'}"
                       " lacking a case:")
            out.extend(f"  {c.rule} ({', '.join(c.cites)}): {c.lacking()}"
                       for c in self.uncovered)
        out.append("")
        out.append(f"{self.passed} passed, {self.failed} failed")
        return "\n".join(out) + "\n"


def run_cases(folder: str, ruleset: RuleSet) -> SuiteResult:
    """Run every case under `folder` (see `discover`) against `ruleset`, and compute the
    rule coverage of their expectations. A case file that does not load, or a change whose
    path does not resolve, raises SnapshotError (located in the case file)."""
    cases = discover(folder, ruleset)
    results = tuple(run_case(case, ruleset) for case in cases)
    return SuiteResult(folder, results, coverage(cases, ruleset))


def default_cases_dir() -> str:
    """The cases `revmech test` runs when given no folder: `fixtures/cases` in the current
    folder (a checkout of the repository). The installed package ships the cases too, but
    for the docs' worked examples (`packaged_cases_dir`); without that folder this is a
    usage error naming what to give."""
    if os.path.isdir(CASES_DIR):
        return CASES_DIR
    raise UsageError.at(f"no cases to run: there is no {CASES_DIR} folder here; give the "
                        "folder of the rule cases (revmech test DIR)")


# --------------------------------------------------------------------------------------
# loading case files


@functools.lru_cache(maxsize=1)
def _packaged_ruleset():
    from .ruleset import load_ruleset

    return load_ruleset()


def _rule_kinds(ruleset: RuleSet) -> dict[str, str]:
    """Rule id -> modality, for validation."""
    return {r.id: r.modality for r in ruleset.rules}


def load_cases(path: str, ruleset: RuleSet | None = None) -> list[Case]:
    """The cases of one case file, loaded strictly (every problem located in it).

    Rule ids are checked against `ruleset` (default: the shipped rule set).
    """
    if ruleset is None:
        ruleset = _packaged_ruleset()
    root, text = compose(path)
    reader = _Reader(path, text, _rule_kinds(ruleset))
    cases = reader.read_file(root)
    if reader.diagnostics:
        raise SnapshotError(sorted(reader.diagnostics,
                                   key=lambda d: (d.loc is None, d.loc or Loc("", 0, 0))))
    return cases


def discover(folder: str, ruleset: RuleSet | None = None) -> list[Case]:
    """Every case of every `*.yaml` file under `folder` (recursively, sorted by path).
    Case names must be unique across the files."""
    if not os.path.isdir(folder):
        raise SnapshotError.at(f"cannot read cases from '{folder}': not a folder")
    paths = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        paths.extend(os.path.join(dirpath, n) for n in filenames if n.endswith(".yaml"))
    out: list[Case] = []
    first: dict[str, Case] = {}
    problems: list[Diagnostic] = []
    for p in sorted(paths):
        try:
            cases = load_cases(p, ruleset)
        except SnapshotError as e:
            problems.extend(e.diagnostics)
            continue
        for case in cases:
            if case.name in first:
                problems.append(Diagnostic(
                    f"duplicate case name '{case.name}' (first at {first[case.name].loc}): "
                    "case names are unique across all case files", case.loc, case.source))
                continue
            first[case.name] = case
            out.append(case)
    if problems:
        raise SnapshotError(problems)
    return out


def _loc(mark: Any) -> Loc:
    return Loc(str(mark.name), mark.line + 1, mark.column + 1)


def _got(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "null"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"'{value}'"


class _Reader:
    """Reads a case file's node tree into Cases, collecting located diagnostics."""

    def __init__(self, file: str, text: str, rules: dict[str, str]):
        self.file = file
        self.text = text
        self.rules = rules
        self.diagnostics: list[Diagnostic] = []

    def error(self, message: str, where: Any) -> None:
        if isinstance(where, yaml.Node):
            where = where.start_mark
        loc = where if isinstance(where, Loc) else _loc(where)
        self.diagnostics.append(Diagnostic(message, loc, self.text))

    # -- shapes ------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: str, allowed: Sequence[str]
                ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(f"{what}: expected a mapping, got {_got(node)}", node)
            return None
        if node.tag not in CORE_TAGS:
            self.error(f"{what}: unsupported YAML tag '{node.tag}'", node)
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for kn, vn in node.value:
            if not isinstance(kn, yaml.ScalarNode) or kn.tag != _STR:
                self.error(f"{what}: expected a key name, got {_got(kn)}", kn)
                continue
            key = kn.value
            if key in out:
                self.error(f"{what}: duplicate key '{key}' (first at line "
                           f"{out[key][0].start_mark.line + 1})", kn)
                continue
            if key not in allowed:
                self.error(f"{what}: unknown key '{key}'{did_you_mean(key, allowed)} "
                           f"(expected {', '.join(allowed)})", kn)
                continue
            out[key] = (kn, vn)
        return out

    def text_of(self, node: yaml.Node, what: str) -> str | None:
        if (not isinstance(node, yaml.ScalarNode) or node.tag not in CORE_TAGS
                or node.tag == _NULL):
            self.error(f"{what}: expected text, got {_got(node)}", node)
            return None
        return node.value

    def seq(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode) or node.tag not in CORE_TAGS:
            self.error(f"{what}: expected a list, got {_got(node)}", node)
            return None
        return list(node.value)

    def file_path(self, node: yaml.Node, what: str) -> str | None:
        rel = self.text_of(node, what)
        if rel is None:
            return None
        full = os.path.normpath(os.path.join(os.path.dirname(self.file), rel))
        if not os.path.isfile(full):
            self.error(f"{what}: no such file '{rel}' (looked for {full}; paths are "
                       "relative to the case file)", node)
            return None
        return full

    def rule_id(self, node: yaml.Node, what: str) -> str | None:
        rule = self.text_of(node, what)
        if rule is None:
            return None
        kind = self.rules.get(rule)
        if kind is None:
            self.error(f"{what}: unknown rule '{rule}'{did_you_mean(rule, self.rules)}",
                       node)
            return None
        if kind == "may":
            self.error(f"{what}: '{rule}' is a permission (may): it has no findings of its "
                       "own; a case shows its effect as the `excepted` findings of the rule "
                       "that cites it", node)
            return None
        return rule

    # -- the file ----------------------------------------------------------------------

    def read_file(self, root: yaml.Node) -> list[Case]:
        top = self.mapping(root, "case file", _FILE_KEYS)
        if top is None:
            return []
        if "format" not in top:
            self.error(f"missing required key 'format' (expected 'format: {FORMAT}')", root)
            return []
        fmt = self.text_of(top["format"][1], "format")
        if fmt is not None and fmt != FORMAT:
            self.error(f"format: expected '{FORMAT}', got '{fmt}'"
                       + (" (a snapshot is not a case file: cases name their snapshot with "
                          "`base:` or `snapshot:`)" if fmt.startswith("revmech/snapshot")
                          else ""), top["format"][1])
            return []
        if "description" in top:
            self.text_of(top["description"][1], "description")
        base = self.file_path(top["base"][1], "base") if "base" in top else None
        if "cases" not in top:
            self.error("missing required key 'cases' (a list of cases)", root)
            return []
        items = self.seq(top["cases"][1], "cases")
        if items is None:
            return []
        out: list[Case] = []
        names: dict[str, Loc] = {}
        for index, item in enumerate(items):
            case = self.case(item, index, base, "base" in top)
            if case is None:
                continue
            if case.name in names:
                self.error(f"cases[{case.name}]: duplicate case name '{case.name}' (first "
                           f"at line {names[case.name].line})", case.loc)
                continue
            names[case.name] = case.loc
            out.append(case)
        return out

    def case(self, node: yaml.Node, index: int, base: str | None,
             has_base: bool) -> Case | None:
        where = f"cases[{index}]"
        m = self.mapping(node, where, _CASE_KEYS)
        if m is None:
            return None
        before = len(self.diagnostics)
        name = None
        if "name" not in m:
            self.error(f"{where}: missing required key 'name'", node)
        else:
            name = self.text_of(m["name"][1], f"{where}.name")
            if name is not None:
                if not _NAME_RE.fullmatch(name):
                    self.error(f"{where}.name: '{name}' is not a usable case name (letters, "
                               "digits, '.', '_' and '-', starting with a letter or digit: "
                               "it becomes a test id)", m["name"][1])
                else:
                    where = f"cases[{name}]"
        description = (self.text_of(m["description"][1], f"{where}.description")
                       if "description" in m else None)

        snapshot = base
        if "snapshot" in m:
            snapshot = self.file_path(m["snapshot"][1], f"{where}.snapshot")
        elif not has_base:
            self.error(f"{where}: no snapshot: give the file a `base:` or the case a "
                       "`snapshot:`", node)

        as_of = self.date(m["as_of"][1], f"{where}.as_of") if "as_of" in m else None

        changes: list[Change] = []
        if "change" in m:
            items = self.seq(m["change"][1], f"{where}.change")
            for i, item in enumerate(items or ()):
                c = self.change(item, f"{where}.change[{i}]", i + 1)
                if c is not None:
                    changes.append(c)

        rules: list[str] = []
        rules_given = "rules" in m
        if rules_given:
            for rn in self.seq(m["rules"][1], f"{where}.rules") or ():
                r = self.rule_id(rn, f"{where}.rules")
                if r is not None and r not in rules:
                    rules.append(r)

        expect: list[Expectation] = []
        expect_error = None
        if "expect" in m and "expect_error" in m:
            self.error(f"{where}: give either `expect` or `expect_error`, not both",
                       m["expect_error"][0])
        elif "expect_error" in m:
            expect_error = self.text_of(m["expect_error"][1], f"{where}.expect_error")
            if expect_error is not None and not expect_error.strip():
                self.error(f"{where}.expect_error: expected a non-empty part of the error "
                           "message", m["expect_error"][1])
        elif "expect" in m:
            for i, en in enumerate(self.seq(m["expect"][1], f"{where}.expect") or ()):
                e = self.expectation(en, f"{where}.expect[{i}]")
                if e is None:
                    continue
                if rules_given and e.rule not in rules and e.rule in self.rules:
                    self.error(f"{where}.expect[{i}]: rule '{e.rule}' is not among the "
                               f"case's rules ({', '.join(rules) or 'none'}): add it to "
                               "`rules`, or its findings would not be compared", en)
                    continue
                expect.append(e)
            if not rules_given:
                for e in expect:
                    if e.rule not in rules:
                        rules.append(e.rule)
            if not rules and len(self.diagnostics) == before:
                self.error(f"{where}: no rules: name the rules the case is about in "
                           "`rules` (an empty `expect` then means none of their findings "
                           "fails, is pending or excepted)", node)
        else:
            self.error(f"{where}: missing required key 'expect' (the findings the case "
                       "must produce; or `expect_error` for a snapshot that must not "
                       "load)", node)

        if len(self.diagnostics) > before or name is None or snapshot is None:
            return None
        return Case(name, self.file, tuple(rules), tuple(expect), snapshot, as_of,
                    tuple(changes), expect_error, description, _loc(node.start_mark),
                    self.text)

    def date(self, node: yaml.Node, what: str) -> dt.date | None:
        if (not isinstance(node, yaml.ScalarNode) or node.tag not in (_STR, _TIMESTAMP)
                or not _DATE_RE.fullmatch(node.value)):
            self.error(f"{what}: expected a date YYYY-MM-DD, got {_got(node)}", node)
            return None
        try:
            return dt.date.fromisoformat(node.value)
        except ValueError:
            self.error(f"{what}: expected a date YYYY-MM-DD, got '{node.value}' (no such "
                       "day)", node)
            return None

    def expectation(self, node: yaml.Node, where: str) -> Expectation | None:
        m = self.mapping(node, where, _EXPECT_KEYS)
        if m is None:
            return None
        before = len(self.diagnostics)
        for k in _EXPECT_KEYS:
            if k not in m:
                self.error(f"{where}: missing required key '{k}'", node)
        rule = self.rule_id(m["rule"][1], f"{where}.rule") if "rule" in m else None
        status = None
        if "status" in m:
            status = self.text_of(m["status"][1], f"{where}.status")
            if status is not None and status not in STATUSES:
                self.error(f"{where}.status: unknown status '{status}'"
                           f"{did_you_mean(status, STATUSES)} (expected one of "
                           f"{', '.join(STATUSES)})", m["status"][1])
        subject: list[tuple[str, str]] = []
        if "subject" in m:
            sn = m["subject"][1]
            if not isinstance(sn, yaml.MappingNode):
                self.error(f"{where}.subject: expected a mapping of the names the rule "
                           f"ranges over to ids (e.g. {{review: AUT-convention-1}}), got "
                           f"{_got(sn)}", sn)
            else:
                seen: set[str] = set()
                for kn, vn in sn.value:
                    k = self.text_of(kn, f"{where}.subject")
                    v = self.text_of(vn, f"{where}.subject.{k}") if k is not None else None
                    if k is None or v is None:
                        continue
                    if k in seen:
                        self.error(f"{where}.subject: duplicate key '{k}'", kn)
                        continue
                    seen.add(k)
                    subject.append((k, v))
        if len(self.diagnostics) > before or rule is None or status is None:
            return None
        return Expectation(rule, status, tuple(subject), _loc(node.start_mark))

    def change(self, node: yaml.Node, where: str, number: int) -> Change | None:
        m = self.mapping(node, where, _CHANGE_KEYS)
        if m is None:
            return None
        ops = [k for k in _OPS if k in m]
        if len(ops) != 1:
            self.error(f"{where}: expected exactly one of set, remove, add (with the path "
                       f"to change), got {', '.join(ops) if ops else 'none'}", node)
            return None
        op = ops[0]
        pn = m[op][1]
        text = self.text_of(pn, f"{where}.{op}")
        if text is None:
            return None
        path = self.path(text, pn, f"{where}.{op}")
        if path is None:
            return None
        value = m["value"][1] if "value" in m else None
        key = m["key"][1] if "key" in m else None
        if op == "remove" and value is not None:
            self.error(f"{where}: `remove` takes no `value`", m["value"][0])
            return None
        if op != "remove" and value is None:
            self.error(f"{where}: `{op}` needs a `value`", node)
            return None
        if key is not None:
            if op != "add":
                self.error(f"{where}: `key` goes only with `add` (to add a key to a "
                           f"mapping); `{op}` names the key in its path", m["key"][0])
                return None
            if self.text_of(key, f"{where}.key") is None:
                return None
        return Change(op, path, text, value, key, _loc(pn.start_mark), pn.start_mark,
                      number)

    def path(self, text: str, node: yaml.Node, what: str) -> tuple[Step, ...] | None:
        steps = parse_path(text)
        if isinstance(steps, str):
            self.error(f"{what}: {steps}", node)
            return None
        return steps


def parse_path(text: str) -> tuple[Step, ...] | str:
    """The steps of a path like `reviews[AUT-convention-1].consultations.date`, or a
    message saying what is wrong with it."""
    steps: list[Step] = []
    i = 0
    expect_key = True
    while i < len(text):
        if expect_key:
            m = _KEY_RE.match(text, i)
            if m is None:
                return (f"invalid path '{text}': expected a key at position {i + 1} (paths "
                        "are keys separated by '.', each optionally followed by [id] or "
                        "[index])")
            steps.append(Step(m.group(), False))
            i = m.end()
            expect_key = False
            continue
        if text[i] == ".":
            i += 1
            expect_key = True
            if i == len(text):
                return f"invalid path '{text}': it ends with '.'"
            continue
        m = _SEL_RE.match(text, i)
        if m is None:
            return (f"invalid path '{text}': unexpected '{text[i]}' at position {i + 1} "
                    "(expected '.' or [id])")
        sel = m.group(1).strip()
        if not sel:
            return f"invalid path '{text}': empty selector '[]'"
        steps.append(Step(sel, True))
        i = m.end()
    if not steps:
        return "invalid path: it is empty"
    return tuple(steps)


# --------------------------------------------------------------------------------------
# applying changes to a node tree


class _PathError(Exception):
    pass


def _shown(steps: Sequence[Step]) -> str:
    out = ""
    for s in steps:
        out += str(s) if s.sel or not out else "." + str(s)
    return out or "the top level"


def _find_key(node: yaml.MappingNode, key: str) -> int | None:
    for i, (kn, _vn) in enumerate(node.value):
        if isinstance(kn, yaml.ScalarNode) and kn.value == key:
            return i
    return None


def _item_label(node: yaml.Node) -> str | None:
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag != _NULL else None
    if isinstance(node, yaml.MappingNode):
        for label in _LABEL_KEYS:
            i = _find_key(node, label)
            if i is not None:
                vn = node.value[i][1]
                if isinstance(vn, yaml.ScalarNode) and vn.tag != _NULL:
                    return vn.value
    return None


def _select(node: yaml.SequenceNode, sel: str, where: str) -> int:
    labels = [_item_label(item) for item in node.value]
    hits = [i for i, label in enumerate(labels) if label == sel]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise _PathError(f"{len(hits)} items of {where} are labelled '{sel}' (at indexes "
                         f"{', '.join(map(str, hits))}): select one by its index")
    if sel.isdigit():
        index = int(sel)
        if index < len(node.value):
            return index
        raise _PathError(f"no item labelled '{sel}' in {where}, and no item at index "
                         f"{index} (it has {len(node.value)} item"
                         f"{'' if len(node.value) == 1 else 's'})")
    known = [label for label in labels if label is not None]
    raise _PathError(f"no item labelled '{sel}' in {where}{did_you_mean(sel, known)} "
                     "(items are selected by their id, name, date or number, or by a "
                     "0-based index)")


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "null" if node.tag == _NULL else f"the value '{node.value}'"


def _step(node: yaml.Node, step: Step, done: Sequence[Step]) -> yaml.Node:
    where = _shown(done)
    if step.sel:
        if not isinstance(node, yaml.SequenceNode):
            raise _PathError(f"{where} is {_kind(node)}, not a list: cannot select "
                             f"[{step.text}]")
        return node.value[_select(node, step.text, where)]
    if not isinstance(node, yaml.MappingNode):
        raise _PathError(f"{where} is {_kind(node)}, not a mapping: it has no key "
                         f"'{step.text}'")
    i = _find_key(node, step.text)
    if i is None:
        keys = [kn.value for kn, _ in node.value if isinstance(kn, yaml.ScalarNode)]
        raise _PathError(f"{where} has no key '{step.text}'{did_you_mean(step.text, keys)}")
    return node.value[i][1]


def _resolve(root: yaml.Node, steps: Sequence[Step]) -> yaml.Node:
    node = root
    for n, step in enumerate(steps):
        node = _step(node, step, steps[:n])
    return node


def _new_key(text: str, mark: Any) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR, text, mark, mark)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


def _apply(root: yaml.Node, change: Change, source: str | None) -> None:
    try:
        _apply_change(root, change)
    except _PathError as e:
        raise SnapshotError.at(f"{change.describe()}: {e}", change.loc, source) from None


def _apply_change(root: yaml.Node, c: Change) -> None:
    steps = c.path
    parent = _resolve(root, steps[:-1])
    last = steps[-1]
    where = _shown(steps[:-1])
    if c.op in ("set", "remove"):
        if last.sel:
            if not isinstance(parent, yaml.SequenceNode):
                raise _PathError(f"{where} is {_kind(parent)}, not a list: cannot select "
                                 f"[{last.text}]")
            i = _select(parent, last.text, where)
            if c.op == "set":
                parent.value[i] = c.value
            else:
                del parent.value[i]
            return
        if not isinstance(parent, yaml.MappingNode):
            raise _PathError(f"{where} is {_kind(parent)}, not a mapping: cannot "
                             f"{c.op} its key '{last.text}'")
        i = _find_key(parent, last.text)
        if c.op == "set":
            if i is None:
                parent.value.append((_new_key(last.text, c.mark), c.value))
            else:
                parent.value[i] = (parent.value[i][0], c.value)
            return
        if i is None:
            _step(parent, last, steps[:-1])  # raises, with did-you-mean
        del parent.value[i]
        return

    # add
    target: yaml.Node | None = None
    if not last.sel and isinstance(parent, yaml.MappingNode):
        i = _find_key(parent, last.text)
        if i is None or _is_null(parent.value[i][1]):
            target = (yaml.MappingNode(_MAP, [], c.mark, c.mark) if c.key is not None
                      else yaml.SequenceNode(_SEQ, [], c.mark, c.mark))
            if i is None:
                parent.value.append((_new_key(last.text, c.mark), target))
            else:
                parent.value[i] = (parent.value[i][0], target)
    if target is None:
        target = _step(parent, last, steps[:-1])
    shown = _shown(steps)
    if c.key is not None:
        if not isinstance(target, yaml.MappingNode):
            raise _PathError(f"{shown} is {_kind(target)}, not a mapping: cannot add the "
                             f"key '{c.key.value}' (without `key`, `add` appends to a list)")
        if _find_key(target, c.key.value) is not None:
            raise _PathError(f"{shown} already has the key '{c.key.value}' (use `set` "
                             "to replace it)")
        target.value.append((c.key, c.value))
        return
    if not isinstance(target, yaml.SequenceNode):
        raise _PathError(f"{shown} is {_kind(target)}, not a list: cannot append to it "
                         "(give `key` to add a key to a mapping)")
    target.value.append(c.value)
