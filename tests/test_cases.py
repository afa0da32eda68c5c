"""Rule cases: every case under fixtures/cases as a test, and the case mechanics."""

from __future__ import annotations

import os
import re
import textwrap

import pytest
import yaml

from click.testing import CliRunner

from revmech.cli.main import main
from revmech.engine.cases import (Step, coverage, discover, load_cases, parse_path,
                                  run_case, run_cases)
from revmech.engine.errors import SnapshotError
from revmech.engine.ruleset import load_ruleset

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(ROOT, "fixtures", "cases")
SAMPLE = os.path.join(ROOT, "fixtures", "sample-cycle.yaml")


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


# --------------------------------------------------------------------------------------
# every case of fixtures/cases, one test each


def _collect():
    try:
        cases = discover(CASES_DIR)
    except SnapshotError as e:  # report it as one failing test, not a collection error
        return [pytest.param(e, id="case-files")]
    return [pytest.param(c, id=c.name) for c in cases]


@pytest.mark.parametrize("case", _collect())
def test_case(case, ruleset):
    if isinstance(case, SnapshotError):
        pytest.fail("the case files do not load:\n" + case.render(), pytrace=False)
    result = run_case(case, ruleset)
    if not result.ok:
        pytest.fail(result.render(), pytrace=False)


def test_every_case_file_names_its_rules_file():
    rules_files = {n[: -len(".rules")] for n in os.listdir(os.path.join(ROOT, "rules"))
                   if n.endswith(".rules")}
    case_files = {n[: -len(".yaml")] for n in os.listdir(CASES_DIR) if n.endswith(".yaml")}
    assert rules_files <= case_files


def test_every_rule_has_a_holding_and_a_failing_case(ruleset):
    """Each rule with findings of its own (not a permission) is asserted passed (or, for a
    rule that never passes, excepted) in some case and failing in another."""
    cover = coverage(discover(CASES_DIR), ruleset)
    assert {c.rule for c in cover} == {r.id for r in ruleset.rules if r.modality != "may"}
    assert [c.rule for c in cover if not c.holds] == []
    assert [c.rule for c in cover if not c.broken] == []
    # `excepted` stands in for `passed` only where a rule cannot pass at all
    assert [c.rule for c in cover if not c.passed_in] == ["report-confidential"]


# --------------------------------------------------------------------------------------
# helpers for the mechanics


def write_cases(tmp_path, body: str, name: str = "cases.yaml", base: str = SAMPLE) -> str:
    text = f"format: revmech/cases@1\nbase: {base}\ncases:\n" + textwrap.dedent(body)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def one_case(tmp_path, body: str, ruleset):
    cases = load_cases(write_cases(tmp_path, body), ruleset)
    assert len(cases) == 1
    return cases[0]


def data_of(case) -> dict:
    """The changed snapshot as plain data."""
    root, _text = case.compose()
    return yaml.safe_load(yaml.serialize(root))


def review(data: dict, rid: str) -> dict:
    return next(r for r in data["reviews"] if r["id"] == rid)


# --------------------------------------------------------------------------------------
# paths


def test_parse_path():
    assert parse_path("reviews[AUT-convention-1].consultations.date") == (
        Step("reviews", False), Step("AUT-convention-1", True),
        Step("consultations", False), Step("date", False))
    assert parse_path("briefings[2023-07-04].ngos[0]") == (
        Step("briefings", False), Step("2023-07-04", True), Step("ngos", False),
        Step("0", True))
    assert parse_path("states.AGO") == (Step("states", False), Step("AGO", False))
    # a label with spaces (the label of a release or a request)
    assert parse_path("x[by NAM on 2022-11-08]")[1] == Step("by NAM on 2022-11-08", True)


@pytest.mark.parametrize("bad", ["", "a..b", "a.", ".a", "a[]", "a[x", "a]b", "a b"])
def test_parse_path_rejects(bad):
    assert isinstance(parse_path(bad), str)


def test_select_by_id_name_date_number_index_and_scalar(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: selections
        rules: [experts-cap]
        change:
          - set: experts[PAK-c-1].position                            # by id
            value: "changed by id"
          - set: briefings[2023-07-04].ngos[Example Legal Aid Forum (sample NGO)].status
            value: ecosoc                                             # by date, by name
          - remove: phases[2].allotments[2025-01-24]                  # by number, by date
          - set: questionnaires[0].finalized                          # index: no labels
            value: 2019-10-01
          - remove: reviews[NAM-convention-1].articles[21]            # a scalar by its text
          - remove: reviews[COL-convention-1].draw.reviewers[1]       # index: no State "1"
        expect: []
    """, ruleset)
    data = data_of(case)
    assert next(e for e in data["experts"] if e["id"] == "PAK-c-1")["position"] == \
        "changed by id"
    ngos = data["briefings"][0]["ngos"]
    assert [n["status"] for n in ngos] == ["ecosoc", "ecosoc"]
    phase2 = next(p for p in data["phases"] if p["number"] == 2)
    assert [a["instrument"] for a in phase2["allotments"]] == ["convention", "trafficking"]
    assert str(data["questionnaires"][0]["finalized"]) == "2019-10-01"
    assert "21" not in review(data, "NAM-convention-1")["articles"]
    assert review(data, "COL-convention-1")["draw"]["reviewers"] == ["BOL"]
    case.build(ruleset.phase_years)  # and it still loads


def test_set_add_remove(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: edits
        rules: [experts-cap]
        change:
          - set: reviews[AGO-convention-1].consultations.date       # replace
            value: 2023-03-21
          - set: reviews[AGO-convention-1].voluntary                # create the last key
            value: false
          - remove: reviews[AGO-convention-1].saq                   # delete a key
          - add: experts                                            # append to a list
            value: {id: PAK-c-9, state: PAK, instrument: convention, listed: 2021-02-01}
          - add: reviews[AGO-convention-1].disclosures              # the list is created
            value: {what: saq, by: EGY, to: PAK, date: 2023-06-01}
          - add: reviews[AGO-convention-1].draw.redraws             # the mapping is created
            key: AGO
            value: 1
          - add: states.AGO.instruments                             # a key of a mapping
            key: trafficking
            value: {status: party, since: 2022-05-02}
        expect: []
    """, ruleset)
    data = data_of(case)
    ago = review(data, "AGO-convention-1")
    assert str(ago["consultations"]["date"]) == "2023-03-21"
    assert ago["voluntary"] is False
    assert "saq" not in ago
    assert data["experts"][-1]["id"] == "PAK-c-9"
    assert ago["disclosures"] == [
        {"what": "saq", "by": "EGY", "to": "PAK", "date": ago["disclosures"][0]["date"]}]
    assert ago["draw"]["redraws"] == {"AGO": 1}
    assert data["states"]["AGO"]["instruments"]["trafficking"]["status"] == "party"
    snapshot = case.build(ruleset.phase_years)
    pak9 = snapshot.experts[-1]
    # the spliced value is located in the case file
    assert pak9.loc.file == case.file
    assert pak9.loc.line == 13
    # the untouched parts stay located in the base
    assert snapshot.experts[0].loc.file == os.path.normpath(SAMPLE)


@pytest.mark.parametrize("change, message", [
    ("- set: reviews[AGO-convention-9].consultations.date\n  value: 2023-03-21",
     "no item labelled 'AGO-convention-9' in reviews (did you mean 'AGO-convention-1'?)"),
    ("- remove: reviews[AGO-convention-1].country_visit",
     "reviews[AGO-convention-1] has no key 'country_visit'"),
    ("- set: reviews[AGO-convention-1].consultation.date\n  value: 2023-03-21",
     "reviews[AGO-convention-1] has no key 'consultation' (did you mean 'consultations'?)"),
    ("- add: reviews[AGO-convention-1].state\n  value: AGO",
     "reviews[AGO-convention-1].state is the value 'AGO', not a list"),
    ("- add: states.AGO.instruments\n  key: convention\n"
     "  value: {status: party, since: 2013-04-01}",
     "states.AGO.instruments already has the key 'convention' (use `set` to replace it)"),
    ("- remove: questionnaires[99]",
     "no item labelled '99' in questionnaires, and no item at index 99 (it has 15 items)"),
    ("- set: reviews[AGO-convention-1].articles.x\n  value: 1",
     "reviews[AGO-convention-1].articles is a list, not a mapping"),
])
def test_unresolved_path_is_located_in_the_case_file(tmp_path, ruleset, change, message):
    body = "  - name: broken-path\n    rules: [experts-cap]\n    change:\n" + textwrap.indent(
        change, "      ") + "\n    expect: []\n"
    case = one_case(tmp_path, body, ruleset)
    with pytest.raises(SnapshotError) as info:
        run_case(case, ruleset)
    err = info.value
    assert message in err.message
    assert err.loc.file == case.file
    assert err.loc.line == 7  # the line of the change's path
    rendered = err.render()
    assert rendered.startswith(f"{case.file}:7:")
    assert "^" in rendered  # the case file's line and a caret


def test_load_error_in_a_spliced_value_points_at_the_case_file(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: bad-value
        rules: [consultations-in-three-weeks]
        change:
          - set: reviews[AGO-convention-1].consultations.date
            value: 2029-04-20
        expect: []
    """, ruleset)
    result = run_case(case, ruleset)
    assert not result.ok
    assert f"{case.file}:8:" in result.error
    assert "2029-04-20 is after as_of 2026-10-01" in result.error
    assert "value: 2029-04-20" in result.error  # the case file's line, for the caret
    assert "did not load" in result.render()


def test_expect_error(tmp_path, ruleset):
    cases = load_cases(write_cases(tmp_path, """\
      - name: error-expected
        change:
          - set: reviews[AGO-convention-1].consultations.date
            value: 2029-04-20
        expect_error: "is after as_of"
      - name: error-expected-but-loads
        expect_error: "is after as_of"
      - name: other-error
        change:
          - set: reviews[AGO-convention-1].year
            value: 9
        expect_error: "is after as_of"
    """), ruleset)
    ok, loads, other = (run_case(c, ruleset) for c in cases)
    assert ok.ok
    assert not loads.ok and "but it loaded" in loads.render()
    assert not other.ok and "year 9 is not in phase 1" in other.render()


# --------------------------------------------------------------------------------------
# expectations


def test_failing_expectation_gives_a_readable_diff(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: wrong-expectations
        rules: [consultations-in-three-weeks]
        change:
          - set: reviews[AGO-convention-1].consultations.date
            value: 2023-04-20
        expect:
          - {rule: consultations-in-three-weeks, status: overdue,
             subject: {review: AGO-convention-1}}
          - {rule: consultations-in-three-weeks, status: passed, subject: {review: NOPE-1}}
    """, ruleset)
    result = run_case(case, ruleset)
    assert not result.ok
    assert [e.render() for e in result.missing] == [
        "{rule: consultations-in-three-weeks, status: overdue, subject: "
        "{review: AGO-convention-1}}",
        "{rule: consultations-in-three-weeks, status: passed, subject: {review: NOPE-1}}",
    ]
    assert sorted((f.status, dict(f.subject)["review"]) for f in result.unexpected) == [
        ("late", "AGO-convention-1"), ("pending", "IRL-convention-2")]
    text = result.render()
    assert text.splitlines()[0] == f"case wrong-expectations ({case.file}:4:3): failed"
    assert "missing (expected, not found):" in text
    assert "unexpected (found, not expected):" in text
    # the found status of a missing entry, and paste-able entries with their messages
    assert "# found as late" in text
    assert ("- {rule: consultations-in-three-weeks, status: late, subject: "
            "{review: AGO-convention-1}}") in text
    assert "it was due by 2023-03-29" in text


def test_expectations_are_a_multiset_and_subjects_compare_as_text(tmp_path, ruleset):
    cases = load_cases(write_cases(tmp_path, """\
      - name: as-text
        rules: [half-in-first-two-years]
        expect:
          - {rule: half-in-first-two-years, status: passed, subject: {phase: 1}}
          - {rule: half-in-first-two-years, status: pending, subject: {phase: "2"}}
      - name: twice
        rules: [half-in-first-two-years]
        expect:
          - {rule: half-in-first-two-years, status: pending, subject: {phase: 2}}
          - {rule: half-in-first-two-years, status: pending, subject: {phase: 2}}
      - name: empty-expect-fails-on-pending
        rules: [half-in-first-two-years]
        expect: []
      - name: rules-default-to-those-in-expect
        expect:
          - {rule: half-in-first-two-years, status: pending, subject: {phase: 2}}
    """), ruleset)
    as_text, twice, empty, default = (run_case(c, ruleset) for c in cases)
    assert as_text.ok
    assert not twice.ok and len(twice.missing) == 1 and not twice.unexpected
    assert not empty.ok and [f.status for f in empty.unexpected] == ["pending"]
    assert cases[3].rules == ("half-in-first-two-years",)
    assert default.ok
    assert {f.status for f in as_text.findings} == {"passed", "pending"}


def test_subject_order_does_not_matter(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: order
        rules: [experts-cap]
        expect:
          - {rule: experts-cap, status: passed, subject: {instrument: convention, state: PAK}}
    """, ruleset)
    assert run_case(case, ruleset).ok


def test_as_of_judges_the_cycle_then(tmp_path, ruleset):
    case = one_case(tmp_path, """\
      - name: earlier
        rules: [consultations-in-three-weeks]
        as_of: 2026-05-10
        expect:
          - rule: consultations-in-three-weeks
            status: pending
            subject: {review: PHL-convention-2}
    """, ruleset)
    assert case.build(ruleset.phase_years).as_of.isoformat() == "2026-05-10"
    assert run_case(case, ruleset).ok


# --------------------------------------------------------------------------------------
# strict loading


@pytest.mark.parametrize("body, message, line", [
    ("  - name: a\n    rule: [experts-cap]\n    expect: []\n",
     "unknown key 'rule' (did you mean 'rules'?)", 5),
    ("  - name: a\n    rules: [expert-cap]\n    expect: []\n",
     "unknown rule 'expert-cap' (did you mean 'experts-cap'?)", 5),
    ("  - name: a\n    expect:\n      - {rule: experts-cap, status: violatd, subject: {}}\n",
     "unknown status 'violatd' (did you mean 'violated'?)", 6),
    ("  - name: a\n    expect:\n      - {rule: experts-cap, status: violated}\n",
     "missing required key 'subject'", 6),
    ("  - name: a\n    expect:\n      - {rule: experts-cap, status: violated, subjet: {}}\n",
     "unknown key 'subjet' (did you mean 'subject'?)", 6),
    ("  - name: a\n    rules: [publish-own-report]\n    expect: []\n",
     "'publish-own-report' is a permission (may)", 5),
    ("  - name: a\n    rules: [experts-cap]\n",
     "missing required key 'expect'", 4),
    ("  - name: a\n    expect: []\n", "no rules", 4),
    ("  - name: a\n    rules: [experts-cap]\n    expect:\n"
     "      - {rule: working-languages, status: passed, subject: {review: X}}\n",
     "rule 'working-languages' is not among the case's rules (experts-cap)", 7),
    ("  - name: a\n    rules: [experts-cap]\n    snapshot: nowhere.yaml\n    expect: []\n",
     "no such file 'nowhere.yaml'", 6),
    ("  - name: a\n    rules: [experts-cap]\n    as_of: 2026-02-30\n    expect: []\n",
     "no such day", 6),
    ("  - name: a\n    rules: [experts-cap]\n    change:\n      - set: x\n        remove: y\n"
     "    expect: []\n", "expected exactly one of set, remove, add", 7),
    ("  - name: a\n    rules: [experts-cap]\n    change:\n      - set: a..b\n        value: 1\n"
     "    expect: []\n", "invalid path 'a..b'", 7),
    ("  - name: a\n    rules: [experts-cap]\n    change:\n      - remove: a\n        value: 1\n"
     "    expect: []\n", "`remove` takes no `value`", 8),
    ("  - name: a\n    rules: [experts-cap]\n    expect: []\n"
     "  - name: a\n    rules: [experts-cap]\n    expect: []\n",
     "duplicate case name 'a' (first at line 4)", 7),
    ("  - name: a b\n    rules: [experts-cap]\n    expect: []\n",
     "'a b' is not a usable case name", 4),
])
def test_strict_loading_is_located(tmp_path, ruleset, body, message, line):
    path = write_cases(tmp_path, body)
    with pytest.raises(SnapshotError) as info:
        load_cases(path, ruleset)
    err = info.value
    assert any(message in d.message for d in err.diagnostics), err.render()
    d = next(d for d in err.diagnostics if message in d.message)
    assert d.loc.file == path
    assert d.loc.line == line
    assert "^" in d.render()


def test_case_file_header_is_strict(tmp_path, ruleset):
    path = tmp_path / "c.yaml"
    path.write_text("format: revmech/cases@1\nbse: x\ncases: []\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"unknown key 'bse' \(did you mean 'base'\?\)"):
        load_cases(str(path), ruleset)
    path.write_text("format: revmech/snapshot@1\ncases: []\n", encoding="utf-8")
    with pytest.raises(SnapshotError, match="a snapshot is not a case file"):
        load_cases(str(path), ruleset)


def test_case_names_are_unique_across_files(tmp_path, ruleset):
    body = "  - name: same\n    rules: [experts-cap]\n    expect: []\n"
    write_cases(tmp_path, body, name="a.yaml")
    second = write_cases(tmp_path, body, name="b.yaml")
    with pytest.raises(SnapshotError) as info:
        discover(str(tmp_path), ruleset)
    assert "duplicate case name 'same'" in info.value.message
    assert info.value.loc.file == second
    assert f"{tmp_path / 'a.yaml'}:4:3" in info.value.message


def test_discover_is_sorted_and_recursive(tmp_path, ruleset):
    (tmp_path / "sub").mkdir()
    write_cases(tmp_path, "  - name: z\n    rules: [experts-cap]\n    expect: []\n",
                name="a.yaml")
    write_cases(tmp_path / "sub", "  - name: y\n    rules: [experts-cap]\n    expect: []\n",
                name="b.yaml")
    write_cases(tmp_path, "  - name: x\n    rules: [experts-cap]\n    expect: []\n",
                name="c.yaml")
    (tmp_path / "notes.md").write_text("not a case file")
    assert [c.name for c in discover(str(tmp_path), ruleset)] == ["z", "x", "y"]


def test_relative_base_is_resolved_from_the_case_file(tmp_path, ruleset):
    (tmp_path / "snap").mkdir()
    (tmp_path / "snap" / "cycle.yaml").write_text(
        open(SAMPLE, encoding="utf-8").read(), encoding="utf-8")
    (tmp_path / "cases").mkdir()
    path = write_cases(tmp_path / "cases", "  - name: rel\n    rules: [experts-cap]\n"
                       "    expect: []\n", base="../snap/cycle.yaml")
    case = load_cases(path, ruleset)[0]
    assert case.snapshot == os.path.normpath(str(tmp_path / "snap" / "cycle.yaml"))
    assert run_case(case, ruleset).ok


# --------------------------------------------------------------------------------------
# coverage and `revmech test`


def test_coverage_reports_a_rule_without_a_failing_case(tmp_path, ruleset):
    write_cases(tmp_path, """\
      - name: cap-holds
        rules: [experts-cap]
        expect:
          - {rule: experts-cap, status: passed, subject: {state: PAK, instrument: convention}}
      - name: repetitions-excepted
        rules: [redraw-repetitions]
        change:
          - add: reviews[AGO-convention-1].draw.redraws
            key: AGO
            value: 3
          - set: reviews[AGO-convention-1].draw.exceptional_circumstances
            value: true
        expect:
          - {rule: redraw-repetitions, status: excepted, subject: {review: AGO-convention-1}}
      - name: consultations-late-and-pending
        rules: [consultations-in-three-weeks]
        change:
          - set: reviews[AGO-convention-1].consultations.date
            value: 2023-03-30
        expect:
          - {rule: consultations-in-three-weeks, status: late,
             subject: {review: AGO-convention-1}}
          - {rule: consultations-in-three-weeks, status: pending,
             subject: {review: IRL-convention-2}}
    """)
    result = run_cases(str(tmp_path), ruleset)
    assert (result.passed, result.failed) == (3, 0)
    by_rule = {c.rule: c for c in result.coverage}
    # permissions have no coverage of their own
    assert "publish-own-report" not in by_rule and "exceptional-redraws" not in by_rule
    assert len(by_rule) == sum(1 for r in ruleset.rules if r.modality != "may")
    cap = by_rule["experts-cap"]
    assert (cap.holds, cap.broken, cap.passed_in) == (True, False, ("cap-holds",))
    assert cap.lacking() == "no failing case"
    late = by_rule["consultations-in-three-weeks"]  # a `pending` expectation shows nothing
    assert (late.holds, late.broken, late.failing_in) == (
        False, True, ("consultations-late-and-pending",))
    assert late.lacking() == "no holding case"
    repetitions = by_rule["redraw-repetitions"]  # excepted counts as holding
    assert repetitions.holds and not repetitions.passed_in and not repetitions.broken
    assert repetitions.excepted_in == ("repetitions-excepted",)
    untouched = by_rule["briefing-open"]
    assert not untouched.holds and not untouched.broken
    assert untouched.lacking() == "no holding case and no failing case"
    assert cap in result.uncovered and untouched in result.uncovered
    assert not result.ok  # every case passes, but rules lack cases
    text = result.render()
    assert "experts-cap (para 19): no failing case" in text
    assert text.splitlines()[-1] == "3 passed, 0 failed"


def run_cli(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def coverage_row(output: str, rule: str) -> list[str]:
    """The cells of a rule's row of the coverage table."""
    line = next(line for line in output.splitlines() if line.split()[:1] == [rule])
    return re.split(r"\s{2,}", line.strip())


def test_revmech_test_on_the_shipped_cases(monkeypatch):
    monkeypatch.chdir(ROOT)
    r = run_cli("test")  # DIR defaults to ./fixtures/cases
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert re.fullmatch(r"\d+ passed, 0 failed", lines[-1])
    assert int(lines[-1].split()[0]) == len(discover(CASES_DIR))
    assert coverage_row(r.output, "experts-cap") == ["experts-cap", "para 19", "yes", "yes"]
    assert coverage_row(r.output, "visit-voluntary-funding") == [
        "visit-voluntary-funding", "para 48, para 31", "yes", "yes"]
    assert "lacking" not in r.output
    assert ": failed" not in r.output  # no failing case listed


def test_revmech_test_reports_a_failing_case(tmp_path):
    write_cases(tmp_path, """\
      - name: cap-holds
        rules: [experts-cap]
        expect:
          - {rule: experts-cap, status: passed, subject: {state: PAK, instrument: convention}}
      - name: wrong-status
        rules: [consultations-in-three-weeks]
        change:
          - set: reviews[AGO-convention-1].consultations.date
            value: 2023-03-30
        expect:
          - {rule: consultations-in-three-weeks, status: overdue,
             subject: {review: AGO-convention-1}}
          - {rule: consultations-in-three-weeks, status: pending,
             subject: {review: IRL-convention-2}}
    """)
    r = run_cli("test", str(tmp_path))
    assert r.exit_code == 1
    out = r.output
    assert f"case wrong-status ({tmp_path / 'cases.yaml'}:8:3): failed" in out
    assert "# found as late" in out  # the diff
    assert "case cap-holds" not in out  # passing cases are not listed
    assert coverage_row(out, "experts-cap") == ["experts-cap", "para 19", "yes", "no"]
    # coverage is read from the expectations, the failing case's too
    assert coverage_row(out, "consultations-in-three-weeks")[2:] == ["no", "yes"]
    assert "consultations-in-three-weeks (para 23): no holding case" in out
    assert "briefing-open (para 53(f)): no holding case and no failing case" in out
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_revmech_test_bad_input_exits_2(tmp_path, monkeypatch):
    write_cases(tmp_path, "  - name: a\n    rules: [expert-cap]\n    expect: []\n")
    r = CliRunner().invoke(main, ["test", str(tmp_path)])
    assert r.exit_code == 2
    assert "unknown rule 'expert-cap' (did you mean 'experts-cap'?)" in r.output
    assert "Traceback" not in r.output
    # no DIR, and no fixtures/cases in the current folder
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["test"])
    assert r.exit_code == 2
    assert "no cases to run" in r.output
    # --rules names a folder that does not exist
    r = CliRunner().invoke(main, ["test", str(tmp_path), "--rules", str(tmp_path / "nope")])
    assert r.exit_code == 2
