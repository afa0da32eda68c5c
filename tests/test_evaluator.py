"""Semantics of evaluation on tiny in-memory snapshots: calendar arithmetic, deadlines and
their four outcomes, `by` with a condition, exceptions and permissions, Kleene logic with
values not recorded, set operations and aggregates, indexes, witnesses, subjects and ids,
and judging a cycle as of an earlier date."""

from __future__ import annotations

import datetime as dt
import functools
import random
import textwrap
from pathlib import Path

import pytest

from revmech.engine.calendar import Duration, add_months
from revmech.engine.check import evaluate
from revmech.engine.evaluator import evaluate_rule, make_context
from revmech.engine.loader import compose, judge_at, snapshot_from_node
from revmech.engine.ruleset import build_ruleset

ROOT = Path(__file__).resolve().parent.parent
PARAMS_TEXT = (ROOT / "rules" / "parameters.yaml").read_text(encoding="utf-8")
PHASE_YEARS = {0: (1, 2), 1: (3, 6), 2: (7, 10)}  # as in rules/parameters.yaml
D = dt.date.fromisoformat


def snapshot(body: str, as_of: str = "2022-06-30", year_one: int = 2019):
    text = (f"format: revmech/snapshot@1\nas_of: {as_of}\nmechanism:\n  year_one: {year_one}\n"
            + textwrap.dedent(body))
    root, source = compose(text, name="t.yaml")
    return snapshot_from_node(root, source, file="t.yaml", phase_years=PHASE_YEARS)


@functools.lru_cache(maxsize=None)
def ruleset(text: str):
    return build_ruleset([("t.rules", textwrap.dedent(text))], PARAMS_TEXT,
                         "rules/parameters.yaml")


def run(rules: str, snap, keep_passed: bool = True):
    return list(evaluate(ruleset(rules), snap, keep_passed).findings)


def by_id(findings) -> dict:
    return {f.id: f for f in findings}


def statuses(findings) -> dict:
    return {f.id: f.status for f in findings}


STATES = """\
states:
  AUT:
    name: Austria
    regional_group: WEOG
    legal_system: civil law
    uncac: {status: party, since: 2006-01-11}
    instruments:
      convention: {status: party, since: 2004-09-23}
      trafficking: {status: party, since: 2005-11-15}
  DEU:
    name: Germany
    regional_group: WEOG
    instruments:
      convention: {status: party, since: 2006-06-14}
  EGY:
    name: Egypt
    regional_group: African
    instruments:
      convention: {status: party, since: 2004-03-05}
"""


def review(rid: str, state: str = "AUT", extra: str = "", phase: int = 1, year: int = 3,
           instrument: str = "convention") -> str:
    out = (f"  - id: {rid}\n    state: {state}\n    instrument: {instrument}\n"
           f"    phase: {phase}\n    year: {year}\n")
    return out + textwrap.indent(textwrap.dedent(extra), "    ")


# --------------------------------------------------------------------------------------
# month arithmetic: the day is kept and clamped to the end of the target month

CALENDAR = [
    ("2021-05-31", Duration(3, "month"), "2021-08-31"),
    ("2021-11-30", Duration(3, "month"), "2022-02-28"),
    ("2023-11-30", Duration(3, "month"), "2024-02-29"),  # leap year
    ("2021-01-31", Duration(1, "month"), "2021-02-28"),
    ("2024-01-31", Duration(1, "month"), "2024-02-29"),
    ("2021-08-31", Duration(1, "month"), "2021-09-30"),
    ("2021-12-15", Duration(1, "month"), "2022-01-15"),
    ("2021-03-10", Duration(6, "month"), "2021-09-10"),
    ("2021-03-10", Duration(3, "week"), "2021-03-31"),
    ("2021-02-22", Duration(1, "week"), "2021-03-01"),
    ("2021-12-25", Duration(10, "day"), "2022-01-04"),
    ("2024-02-28", Duration(1, "day"), "2024-02-29"),
    ("2024-02-29", Duration(1, "year"), "2025-02-28"),
    ("2024-02-29", Duration(4, "year"), "2028-02-29"),
    ("2021-06-15", Duration(2, "year"), "2023-06-15"),
]


@pytest.mark.parametrize("start,duration,end", CALENDAR,
                         ids=[f"{s}+{d}" for s, d, _ in CALENDAR])
def test_duration_after(start, duration, end):
    assert duration.after(D(start)) == D(end)


BEFORE = [
    ("2021-03-31", Duration(1, "month"), "2021-02-28"),
    ("2024-05-31", Duration(3, "month"), "2024-02-29"),
    ("2022-06-01", Duration(10, "day"), "2022-05-22"),
    ("2021-03-01", Duration(1, "week"), "2021-02-22"),
    ("2025-02-28", Duration(1, "year"), "2024-02-28"),
]


@pytest.mark.parametrize("start,duration,end", BEFORE,
                         ids=[f"{s}-{d}" for s, d, _ in BEFORE])
def test_duration_before(start, duration, end):
    assert duration.before(D(start)) == D(end)


def test_month_steps_do_not_remember_the_day_they_clamped():
    # 31 Jan + 1 month = 28 Feb; + 1 month more = 28 Mar, not 31 Mar
    assert add_months(add_months(D("2021-01-31"), 1), 1) == D("2021-03-28")
    assert add_months(D("2021-01-31"), 2) == D("2021-03-31")
    assert add_months(D("2021-01-31"), -1) == D("2020-12-31")
    assert add_months(D("2021-01-15"), -13) == D("2019-12-15")


def test_duration_parse_and_text():
    assert Duration.parse("3 months") == Duration(3, "month")
    assert Duration.parse(" 1 week ") == Duration(1, "week")
    assert Duration.parse("3 fortnights") is None
    assert [str(Duration(1, "month")), str(Duration(10, "day"))] == ["1 month", "10 days"]


DATE_RULES = """\
rule dates
  cites para 1
  for each state in states where state.id = "AUT"
  let a = 2021-05-31 + 3 months
  let b = 2021-11-30 + 3 months
  let c = 2023-11-30 + 3 months
  let d = 2021-01-31 + 1 month
  let e = 2024-01-31 + 1 month
  let f = 2021-03-10 + 3 weeks
  let g = 2024-02-29 + 1 year
  let h = 2021-03-31 - 1 month
  let i = 3 months + 2021-05-31
  let j = 2021-12-25 + 10 days
  shall false
"""


def test_date_arithmetic_in_rules():
    (f,) = run(DATE_RULES, snapshot(STATES))
    assert dict(f.witness) == {
        "a": "2021-08-31", "b": "2022-02-28", "c": "2024-02-29", "d": "2021-02-28",
        "e": "2024-02-29", "f": "2021-03-31", "g": "2025-02-28", "h": "2021-02-28",
        "i": "2021-08-31", "j": "2022-01-04"}


SAQ_RULE = """\
rule saq-due
  cites para 26
  for each review in reviews
  shall review.saq.received within saq_period after review.draw.date
"""


@pytest.mark.parametrize("drawn,due", [
    ("2021-05-31", "2021-08-31"),
    ("2021-11-30", "2022-02-28"),
    ("2023-11-30", "2024-02-29"),
    ("2022-01-31", "2022-04-30"),
])
def test_deadline_due_date_at_month_end(drawn, due):
    snap = snapshot(STATES + "reviews:\n" + review(
        "R", year=5, extra=f"draw: {{date: {drawn}}}\n"), as_of="2024-06-30")
    (f,) = run(SAQ_RULE, snap)
    assert f.due == due
    assert dict(f.witness)["due"] == due


# --------------------------------------------------------------------------------------
# deadlines: passed, late, overdue, pending (and pending when the clock has not started)

DEADLINE_SNAP = STATES + "reviews:\n" + "".join([
    review("R-passed", extra="draw: {date: 2021-03-10}\nsaq: {received: 2021-06-10}\n"),
    review("R-late", extra="draw: {date: 2021-03-10}\nsaq: {received: 2021-06-11}\n"),
    review("R-overdue", extra="draw: {date: 2021-03-10}\n"),
    review("R-pending", year=4, extra="draw: {date: 2022-05-01}\n"),
    review("R-due-today", year=4, extra="draw: {date: 2022-03-30}\n"),
    review("R-undrawn"),
])


def test_deadline_four_outcomes():
    fs = by_id(run(SAQ_RULE, snapshot(DEADLINE_SNAP)))
    assert {k: (f.status, f.due) for k, f in fs.items()} == {
        "saq-due/R-passed": ("passed", "2021-06-10"),
        "saq-due/R-late": ("late", "2021-06-10"),
        "saq-due/R-overdue": ("overdue", "2021-06-10"),
        "saq-due/R-pending": ("pending", "2022-08-01"),
        "saq-due/R-due-today": ("pending", "2022-06-30"),  # due on as_of: not yet overdue
        "saq-due/R-undrawn": ("pending", None),
    }
    when = "(3 months after review.draw.date, 2021-03-10)"
    assert {k: f.message for k, f in fs.items()} == {
        "saq-due/R-passed": f"met: review.saq.received by 2021-06-10 {when}",
        "saq-due/R-late": "review.saq.received is 2021-06-11; it was due by 2021-06-10 "
                          + when,
        "saq-due/R-overdue": "review.saq.received is not recorded as of 2022-06-30; "
                             f"it was due by 2021-06-10 {when}",
        "saq-due/R-pending": "not yet due: review.saq.received is due by 2022-08-01 "
                             "(3 months after review.draw.date, 2022-05-01)",
        "saq-due/R-due-today": "not yet due: review.saq.received is due by 2022-06-30 "
                               "(3 months after review.draw.date, 2022-03-30)",
        "saq-due/R-undrawn": "not yet due: review.draw.date is not recorded",
    }
    assert [f.severity for f in fs.values()] == ["error"] * 6
    assert [f.failing for f in fs.values()] == [False, True, True, False, False, False]


def test_passed_findings_only_when_asked():
    kept = run(SAQ_RULE, snapshot(DEADLINE_SNAP), keep_passed=False)
    assert "saq-due/R-passed" not in by_id(kept)
    result = evaluate(ruleset(SAQ_RULE), snapshot(DEADLINE_SNAP))
    assert result.passed == 1 and len(result.findings) == 5


def test_deadline_witness():
    f = by_id(run(SAQ_RULE, snapshot(DEADLINE_SNAP)))["saq-due/R-late"]
    assert f.witness == (("review.saq.received", "2021-06-11"),
                         ("review.draw.date", "2021-03-10"),
                         ("saq_period", "3 months"),
                         ("due", "2021-06-10"))


NGO_RULES = """\
rule ngo-confirms
  cites para 53(e)
  for each briefing in briefings, ngo in briefing.ngos
  shall ngo.confirmed no later than ngo_confirmation_period before briefing.date

rule ngo-confirms-for-july
  cites para 53(e)
  for each briefing in briefings, ngo in briefing.ngos
  shall ngo.confirmed no later than 10 days before 2022-07-20
"""

NGO_SNAP = """\
briefings:
  - date: 2022-06-01
    working_group: trafficking
    ngos:
      - {name: Early, confirmed: 2022-05-15}
      - {name: Edge, confirmed: 2022-05-22}
      - {name: Late, confirmed: 2022-05-25}
      - {name: Silent}
"""


def test_no_later_than_before():
    fs = run(NGO_RULES, snapshot(NGO_SNAP))
    assert {f.id: (f.status, f.due) for f in fs} == {
        "ngo-confirms/2022-06-01/Early": ("passed", "2022-05-22"),
        "ngo-confirms/2022-06-01/Edge": ("passed", "2022-05-22"),
        "ngo-confirms/2022-06-01/Late": ("late", "2022-05-22"),
        "ngo-confirms/2022-06-01/Silent": ("overdue", "2022-05-22"),
        "ngo-confirms-for-july/2022-06-01/Early": ("passed", "2022-07-10"),
        "ngo-confirms-for-july/2022-06-01/Edge": ("passed", "2022-07-10"),
        "ngo-confirms-for-july/2022-06-01/Late": ("passed", "2022-07-10"),
        "ngo-confirms-for-july/2022-06-01/Silent": ("pending", "2022-07-10"),
    }
    late = by_id(fs)["ngo-confirms/2022-06-01/Late"]
    assert late.message == ("ngo.confirmed is 2022-05-25; it was due by 2022-05-22 "
                            "(10 days before briefing.date, 2022-06-01)")


BY_DATE_RULE = """\
rule finalized-by
  cites para 21
  for each review in reviews
  shall review.report.finalized by 2021-12-31
"""


def test_by_a_date():
    snap = snapshot(STATES + "reviews:\n" + "".join([
        review("A", extra="report: {finalized: 2021-12-31}\n"),
        review("B", extra="report: {finalized: 2022-01-05}\n"),
        review("C"),
    ]))
    fs = by_id(run(BY_DATE_RULE, snap))
    assert {k: f.status for k, f in fs.items()} == {
        "finalized-by/A": "passed", "finalized-by/B": "late", "finalized-by/C": "overdue"}
    assert fs["finalized-by/C"].message == (
        "review.report.finalized is not recorded as of 2022-06-30; it was due by "
        "2021-12-31")
    early = by_id(run(BY_DATE_RULE, judge_at(snap, D("2021-12-31"))))
    assert early["finalized-by/C"].status == "pending"
    assert early["finalized-by/C"].message == (
        "not yet due: review.report.finalized is due by 2021-12-31")


HOLDS_BY_RULE = """\
rule two-finalized
  cites para 10
  let finalized = count(each r in reviews where r.report.finalized is recorded)
  shall finalized >= 2 by 2022-12-31
  otherwise "{finalized} finalized by {due} ({status})"

rule complete-by
  cites para 26
  for each review in reviews
  should review.saq.complete by 2022-12-31
"""


def test_by_with_a_condition_is_pending_until_the_date_then_violated():
    one = snapshot(STATES + "reviews:\n" + review("A", extra="report: {finalized: 2021-12-01}\n")
                   + review("B", extra="saq: {received: 2021-06-01, complete: false}\n"))
    before = by_id(run(HOLDS_BY_RULE, one))
    assert {k: f.status for k, f in before.items()} == {
        "two-finalized": "pending", "complete-by/A": "pending", "complete-by/B": "pending"}
    assert before["two-finalized"].due == "2022-12-31"
    assert before["two-finalized"].subject == ()
    assert before["complete-by/A"].message == (
        "pending until 2022-12-31: review.saq.complete")
    on_the_day = by_id(run(HOLDS_BY_RULE, judge_at(one, D("2022-12-31"))))
    assert on_the_day["two-finalized"].status == "pending"
    after = by_id(run(HOLDS_BY_RULE, judge_at(one, D("2023-01-01"))))
    assert {k: f.status for k, f in after.items()} == {
        "two-finalized": "violated", "complete-by/A": "violated", "complete-by/B": "violated"}
    assert after["two-finalized"].message == "1 finalized by 2022-12-31 (violated)"
    assert after["complete-by/B"].severity == "warning"
    assert after["complete-by/B"].message == "not met by 2022-12-31: review.saq.complete"
    # met before the date: passed at once
    two = snapshot(STATES + "reviews:\n" + review("A", extra="report: {finalized: 2021-12-01}\n")
                   + review("B", extra="report: {finalized: 2022-01-01}\n"))
    assert by_id(run(HOLDS_BY_RULE, two))["two-finalized"].status == "passed"


# --------------------------------------------------------------------------------------
# unless and permissions

UNLESS_RULES = """\
rule redraws
  cites para 20
  for each review in reviews where review.draw is recorded
  let repetitions = sum(values(review.draw.redraws))
  shall repetitions <= max_redraw_requests
  unless review.draw.exceptional_circumstances
  otherwise "{review}: {repetitions} repetitions ({status})"

rule saq-unless
  cites para 26
  for each review in reviews
  shall review.saq.received within saq_period after review.draw.date
  unless review.voluntary
"""


def test_unless_gives_excepted_with_its_reason():
    snap = snapshot(STATES + "reviews:\n" + "".join([
        review("EXC", extra="draw: {date: 2021-03-10, redraws: {AUT: 2, DEU: 1},"
                            " exceptional_circumstances: true}\n"),
        review("VIO", extra="draw: {date: 2021-03-10, redraws: {AUT: 3},"
                            " exceptional_circumstances: false}\n"),
        review("UNK", extra="draw: {date: 2021-03-10, redraws: {AUT: 3}}\n"),
        review("OK", extra="draw: {date: 2021-03-10, redraws: {AUT: 1},"
                           " exceptional_circumstances: true}\n"),
        review("VOL", extra="voluntary: true\ndraw: {date: 2021-03-10}\n"),
    ]))
    fs = by_id(run(UNLESS_RULES, snap))
    assert {k: f.status for k, f in fs.items()} == {
        "redraws/EXC": "excepted", "redraws/VIO": "violated",
        "redraws/UNK": "violated",  # an exception not recorded does not excuse
        "redraws/OK": "passed",  # passing stays passed, exception or not
        "redraws/VOL": "passed",
        "saq-unless/EXC": "overdue", "saq-unless/VIO": "overdue", "saq-unless/UNK": "overdue",
        "saq-unless/OK": "overdue", "saq-unless/VOL": "excepted",
    }
    exc = fs["redraws/EXC"]
    assert exc.reason == "unless review.draw.exceptional_circumstances"
    assert exc.message == ("excepted (unless review.draw.exceptional_circumstances): "
                           "EXC: 3 repetitions (excepted)")
    assert not exc.failing
    assert exc.to_json()["reason"] == "unless review.draw.exceptional_circumstances"
    assert fs["redraws/VIO"].reason is None
    assert fs["saq-unless/VOL"].message == (
        "excepted (unless review.voluntary): review.saq.received is not recorded as "
        "of 2022-06-30; it was due by 2021-06-10 (3 months after review.draw.date, "
        "2021-03-10)")


PERMISSION_RULES = """\
rule publish-own
  cites para 38
  for each review in reviews, release in review.report.releases
  may release.by = review.state and release.date >= review.report.finalized

rule voluntary-may-skip
  cites para 52
  for each review in reviews where review.voluntary
  may true

rule confidential
  cites para 37
  for each review in reviews where review.report is recorded,
      release in review.report.releases
  shall false
  unless permitted by publish-own
  otherwise "{release.by} released the report of {review}"

rule needs-saq
  cites para 26
  for each review in reviews
  shall review.saq is recorded
  unless permitted by voluntary-may-skip
"""


def test_permissions_excuse_matching_findings():
    snap = snapshot(STATES + "reviews:\n" + "".join([
        review("R1", extra="""\
            report:
              finalized: 2021-12-01
              releases:
                - {by: AUT, to: public, date: 2022-02-01}
                - {by: AUT, to: public, date: 2021-11-01}
                - {by: DEU, to: public, date: 2022-02-01}
            """),
        review("R2", state="DEU", extra="voluntary: true\n"),
    ]))
    fs = by_id(run(PERMISSION_RULES, snap))
    assert {k: (f.status, f.reason) for k, f in fs.items()} == {
        "confidential/R1/by AUT to public on 2022-02-01": ("excepted", "permitted by publish-own"),
        "confidential/R1/by AUT to public on 2021-11-01": ("violated", None),  # before final
        "confidential/R1/by DEU to public on 2022-02-01": ("violated", None),
        "needs-saq/R1": ("violated", None),
        "needs-saq/R2": ("excepted", "permitted by voluntary-may-skip"),
    }
    assert not any(f.rule in ("publish-own", "voluntary-may-skip") for f in fs.values())
    assert fs["confidential/R1/by AUT to public on 2022-02-01"].message == (
        "excepted (permitted by publish-own): AUT released the report of R1")


# --------------------------------------------------------------------------------------
# Kleene logic: a value not recorded is unknown

KLEENE = [
    # (assertion, status); U is not recorded, T true, F false
    ("false and U", "violated"),
    ("U and false", "violated"),
    ("true and U", "pending"),
    ("true or U", "passed"),
    ("U or true", "passed"),
    ("false or U", "pending"),
    ("not U", "pending"),
    ("not false", "passed"),
    ("false implies U", "passed"),
    ("U implies true", "passed"),
    ("true implies U", "pending"),
    ("U implies false", "pending"),
    ("U = true", "pending"),
    ("U != true", "pending"),
    ("review.saq.received < 2021-01-01", "pending"),
    ("review.saq.received + 1 month > 2021-01-01", "pending"),
    ("review.saq.received is not recorded", "passed"),
    ("U is recorded", "violated"),
    ("if U then true else true", "pending"),
    ("if true then U else false", "pending"),
    ("'en' in review.consultations.languages", "pending"),
    ("'en' not in review.consultations.languages", "pending"),
    ("count(review.disclosures) = 0", "passed"),  # an empty list is recorded: nothing
    ("any([U, true])", "passed"),
    ("any([U, false])", "pending"),
    ("all([U, false])", "violated"),
    ("all([U, true])", "pending"),
    ("none([U, true])", "violated"),
    ("none([U, false])", "pending"),
    ("all(r.date > 2000-01-01 for each r in review.disclosures)", "passed"),
    ("any(r.date > 2000-01-01 for each r in review.disclosures)", "violated"),
    ("count(review.saq.supplementary) = 0", "pending"),
    ("first_recorded(U, true)", "passed"),
    ("first_recorded(U, U)", "pending"),
    ("max(review.saq.received, 2021-01-01) = 2021-01-01", "passed"),
    ("min([1, 2]) = 1 and max([1, 2]) = 2", "passed"),
    ("review.draw.reviewers subset of []", "pending"),
    ("1 / 0 = 1", "pending"),
    # beyond values.MAX_BITS (about 300 digits) arithmetic gives unknown: never printed
    (f"{'9' * 200} * {'9' * 200} > 0", "pending"),
    (f"{'9' * 250} + 1 > 0", "passed"),
    (f"1 / 3{'0' * 400} > 0", "pending"),
    (f"sum([{'9' * 299}, {'9' * 299}, 1]) > 0", "passed"),
    (f"sum([{'9' * 301}, {'9' * 301}]) > 0", "pending"),
]


@pytest.mark.parametrize("expr,status", KLEENE, ids=[e for e, _ in KLEENE])
def test_kleene_logic(expr, status):
    expr = expr.replace("U", "review.saq.complete")
    rules = f"rule k\n  cites para 1\n  for each review in reviews\n  shall {expr}\n"
    snap = snapshot(STATES + "reviews:\n" + review("R"))
    (f,) = run(rules, snap)
    assert f.status == status, (expr, f)


def test_pending_holds_message():
    rules = "rule k\n  cites para 1\n  for each review in reviews\n  shall review.saq.complete\n"
    (f,) = run(rules, snapshot(STATES + "reviews:\n" + review("R")))
    assert f.message == ("cannot be judged yet: a fact that review.saq.complete needs is not "
                         "recorded")
    assert f.witness == ()


def test_unknown_where_and_when_skip_the_binding():
    rules = """\
    rule w
      cites para 1
      for each review in reviews where review.saq.complete
      shall false

    rule v
      cites para 1
      for each review in reviews
      when review.saq.complete
      shall false
    """
    snap = snapshot(STATES + "reviews:\n" + review("R") + review(
        "S", extra="saq: {received: 2021-06-01, complete: true}\n"))
    assert statuses(run(rules, snap)) == {"w/S": "violated", "v/S": "violated"}


# --------------------------------------------------------------------------------------
# sets and aggregates (values read from the witness of `let`s)

AGGREGATES = """\
rule agg
  cites para 1
  for each review in reviews
  let u = [1, 2, 3] union [3, 4, 1]
  let i = [1, 2, 3] intersect [3, 2, 5]
  let m = [1, 2, 3] minus [2]
  let s1 = [1, 2] subset of [3, 2, 1]
  let s2 = [4] subset of [1, 2]
  let s3 = [] subset of []
  let un = union([[1, 2], [2, 3], []])
  let dis = distinct([3, 1, 3, 2, 1])
  let cnt = count([1, 1, 2])
  let total = sum([1, 2, 3])
  let empty_total = sum([])
  let lo = min([3, 1, 2])
  let hi = max(3, 7, 5)
  let first = min([2021-05-01, 2020-01-01])
  let no_min = min(each x in [1, 2] where x > 5)
  let fst = first(r.id for each r in reviews)
  let no_first = first(each x in [1, 2] where x > 5)
  let unset = if true then nothing else 1
  let fr = first_recorded(review.saq.received, review.draw.date, 2000-01-01)
  let half = ceil(5 / 2)
  let down = floor(7 / 2)
  let ratio = 7 / 2
  let reviewers = review.draw.reviewers union [review.state]
  let ids = r.id for each r in reviews where r.state = review.state
  let nested = union(clusters[review.instrument][c] for each c in workplan[review.phase])
  let ks = keys(workplan)
  let vs = count(values(clusters["convention"]))
  shall false
"""


def test_set_operations_and_aggregates():
    snap = snapshot(STATES + "reviews:\n" + review(
        "R", extra="draw: {date: 2021-03-10, reviewers: [DEU, EGY]}\n")
        + review("R2", year=4))
    f = by_id(run(AGGREGATES, snap))["agg/R"]
    w = dict(f.witness)
    assert [k for k, _ in f.witness][-2:] == ["clusters", "workplan"]  # parameters used
    del w["clusters"], w["workplan"]
    assert w == {
        "u": [1, 2, 3, 4], "i": [2, 3], "m": [1, 3], "s1": True, "s2": False, "s3": True,
        "un": [1, 2, 3], "dis": [3, 1, 2], "cnt": 3, "total": 6, "empty_total": 0, "lo": 1,
        "hi": 7, "first": "2020-01-01", "no_min": None, "fst": "R", "no_first": None,
        "unset": None, "fr": "2021-03-10", "half": 3,
        "down": 3, "ratio": 3.5, "reviewers": ["DEU", "EGY", "AUT"], "ids": ["R", "R2"],
        "nested": ["2", "5", "6", "8", "9", "10", "15", "23", "12", "13", "14", "16", "17",
                   "18", "21"],
        "ks": [1, 2], "vs": 4,
    }


def test_calendar_functions():
    rules = """\
    rule cal
      cites para 9
      for each review in reviews
      let ps = phase_start(review.phase)
      let pe = phase_end(review.phase)
      let prep = phase_end(0)
      let ys = year_start(3)
      let ye = year_end(3)
      let ph = phase_of_year(8)
      let my = mechanism_year(2022-05-01)
      let none_such = phase_start(9)
      shall false
    """
    (f,) = run(rules, snapshot(STATES + "reviews:\n" + review("R")))
    assert dict(f.witness) == {
        "ps": "2021-01-01", "pe": "2024-12-31", "prep": "2020-12-31", "ys": "2021-01-01",
        "ye": "2021-12-31", "ph": 2, "my": 4, "none_such": None}


# --------------------------------------------------------------------------------------
# indexes: an indexed selection gives what the same condition gives by a full scan

INDEXED = """\
rule cap-indexed
  cites para 19
  for each state in states, instrument in state.instruments
  let n = count(experts where expert.state = state and expert.instrument = instrument
                and expert.withdrawn is not recorded)
  let reviewing = count(reviews where state in review.draw.reviewers)
  shall n <= 2 and reviewing <= 1
"""
SCANNED = """\
rule cap-scanned
  cites para 19
  for each state in states, instrument in state.instruments
  let n = count(each e in experts where (e.state = state and e.instrument = instrument
                and e.withdrawn is not recorded) or false)
  let reviewing = count(each r in reviews where state in r.draw.reviewers or false)
  shall n <= 2 and reviewing <= 1
"""


def random_snapshot(seed: int):
    rng = random.Random(seed)
    ids = ["AUT", "DEU", "EGY"]
    lines = ["experts:"]
    for k in range(rng.randint(0, 12)):
        withdrawn = "2022-01-01" if rng.random() < 0.3 else "null"
        lines.append(f"  - {{id: x{k}, state: {rng.choice(ids)}, "
                     f"instrument: {rng.choice(['convention', 'trafficking'])}, "
                     f"listed: 2020-01-01, withdrawn: {withdrawn}}}")
    lines.append("reviews:")
    for k in range(rng.randint(0, 6)):
        extra = ""
        if rng.random() < 0.7:
            reviewers = rng.sample(ids, rng.randint(0, 2))
            extra = f"draw: {{date: 2021-03-10, reviewers: [{', '.join(reviewers)}]}}\n"
        lines.append(review(f"V{k}", state=rng.choice(ids), extra=extra).rstrip("\n"))
    return snapshot(STATES + "\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", range(12))
def test_indexed_selection_gives_the_same_findings_as_a_scan(seed):
    snap = random_snapshot(seed)
    shape = lambda fs: [(f.subject, f.status, f.witness, f.location) for f in fs]  # noqa: E731
    assert shape(run(INDEXED, snap)) == shape(run(SCANNED, snap))


def test_the_indexed_form_uses_indexes_and_the_scan_does_not():
    snap = random_snapshot(3)
    for text, indexed in ((INDEXED, True), (SCANNED, False)):
        rs = ruleset(text)
        ctx = make_context(snap, rs.params, rs.phase_years)
        evaluate_rule(rs.compiled[0], ctx, keep_passed=True)
        assert bool(ctx.indexes) is indexed, text


def test_object_equals_its_id():
    rules = """\
    rule ids
      cites para 1
      for each expert in experts where expert.state = "AUT"
      shall expert.state = "AUT" and expert.state != "DEU"
    """
    snap = snapshot(STATES + "experts:\n  - {id: e1, state: AUT, instrument: convention, "
                    "listed: 2020-01-01}\n  - {id: e2, state: DEU, instrument: convention, "
                    "listed: 2020-01-01}\n")
    assert statuses(run(rules, snap)) == {"ids/e1": "passed"}


# --------------------------------------------------------------------------------------
# witnesses, subjects, ids, locations, order

CAP = """\
rule experts-cap
  cites para 19
  for each state in states, instrument in state.instruments
  let appointed = count(experts where expert.state = state and expert.instrument = instrument)
  shall appointed <= max_experts_per_instrument
  otherwise "{state} has appointed {appointed} governmental experts for the {instrument};
             the cap is {max_experts_per_instrument}"
"""


def experts(state: str, n: int, instrument: str = "convention") -> str:
    return "".join(f"  - {{id: {state}-{instrument[0]}-{k}, state: {state}, "
                   f"instrument: {instrument}, listed: 2020-01-01}}\n" for k in range(n))


def test_witness_subject_id_location_of_a_violation():
    snap = snapshot(STATES + "experts:\n" + experts("DEU", 6) + experts("AUT", 2))
    fs = run(CAP, snap)
    assert [f.id for f in fs] == ["experts-cap/AUT/convention", "experts-cap/AUT/trafficking",
                                  "experts-cap/DEU/convention", "experts-cap/EGY/convention"]
    f = by_id(fs)["experts-cap/DEU/convention"]
    assert f.status == "violated"
    assert f.subject == (("state", "DEU"), ("instrument", "convention"))
    assert f.witness == (("appointed", 6), ("max_experts_per_instrument", 5))
    assert f.message == ("DEU has appointed 6 governmental experts for the convention; the cap "
                         "is 5")
    assert f.cites == ("para 19",)
    assert (f.location.file, f.location.line) == ("t.yaml", 14)  # the DEU entry
    assert f.snapshot == "t.yaml"
    assert f.to_json() == {
        "id": "experts-cap/DEU/convention", "rule": "experts-cap", "cites": ["para 19"],
        "severity": "error", "status": "violated",
        "subject": {"state": "DEU", "instrument": "convention"},
        "message": "DEU has appointed 6 governmental experts for the convention; the cap is 5",
        "witness": {"appointed": 6, "max_experts_per_instrument": 5},
        "location": {"file": "t.yaml", "line": 14, "column": 3},
    }


def test_witness_shows_compared_sides_then_parameters_without_repeats():
    rules = """\
    rule w
      cites para 1
      for each review in reviews
      let k = 2
      shall count(review.articles) >= k and review.year + 1 < max_reviews_performed
            and not (review.phase = min_reviews_performed) and review.state.name != "x"
    """
    snap = snapshot(STATES + "reviews:\n" + review("R", extra='articles: ["2", "5"]\n'))
    (f,) = run(rules, snap)
    assert f.witness == (
        ("k", 2),
        ("count(review.articles)", 2),
        ("review.year + 1", 4),
        ("max_reviews_performed", 3),
        ("review.phase", 1),
        ("min_reviews_performed", 1),
        ("review.state.name", "Austria"),
    )


def test_subjects_of_records_without_ids():
    rules = """\
    rule labels
      cites para 1
      for each review in reviews, d in review.disclosures, release in review.report.releases,
          phase in phases, allotment in phase.allotments, b in briefings, ngo in b.ngos
      shall false
    """
    snap = snapshot(STATES + "phases:\n  - number: 1\n"
                    "    allotments: [{instrument: convention, date: 2021-01-20}]\n"
                    "reviews:\n" + review("R", extra="""\
                        disclosures: [{what: saq, by: DEU, to: public, date: 2021-07-01}]
                        report: {releases: [{by: AUT, to: EGY, date: 2022-02-01}]}
                        """) + NGO_SNAP)
    fs = run(rules, snap)
    assert fs[0].subject == (
        ("review", "R"), ("d", "saq by DEU to public on 2021-07-01"),
        ("release", "by AUT to EGY on 2022-02-01"), ("phase", 1),
        ("allotment", "convention on 2021-01-20"), ("b", "2022-06-01"), ("ngo", "Early"))
    assert fs[0].id == ("labels/R/saq by DEU to public on 2021-07-01/by AUT to EGY on "
                        "2022-02-01/1/convention on 2021-01-20/2022-06-01/Early")
    assert len(fs) == 4


def test_findings_sorted_by_rule_then_subject():
    rules = """\
    rule b-second
      cites para 2
      for each state in states
      shall false

    rule a-first
      cites para 1
      for each review in reviews
      shall false
    """
    snap = snapshot(STATES + "reviews:\n" + review("Z") + review("A") + review("M"))
    assert [f.id for f in run(rules, snap)] == [
        "b-second/AUT", "b-second/DEU", "b-second/EGY", "a-first/A", "a-first/M", "a-first/Z"]


def test_same_inputs_same_findings():
    snap = snapshot(DEADLINE_SNAP)
    assert run(SAQ_RULE, snap) == run(SAQ_RULE, snap)


# --------------------------------------------------------------------------------------
# as of an earlier date: judge_at gives the cycle as it stood

AS_OF_RULES = SAQ_RULE + """
rule cap
  cites para 19
  for each state in states, instrument in state.instruments
  let appointed = count(experts where expert.state = state and expert.instrument = instrument)
  shall appointed <= 1

rule finalized
  cites para 21
  for each review in reviews
  shall review.report.finalized by 2022-03-31
"""

FULL = STATES + """\
experts:
  - {id: e1, state: AUT, instrument: convention, listed: 2020-01-01}
  - {id: e2, state: AUT, instrument: convention, listed: 2021-09-01}
reviews:
  - id: R
    state: AUT
    instrument: convention
    phase: 1
    year: 3
    draw: {date: 2021-03-10, reviewers: [DEU, EGY]}
    saq: {received: 2021-07-01}
    report: {draft: 2021-08-30, finalized: 2022-01-10}
"""

# the same cycle written as it stood on 2021-06-30: nothing dated later
EARLY = STATES + """\
experts:
  - {id: e1, state: AUT, instrument: convention, listed: 2020-01-01}
reviews:
  - id: R
    state: AUT
    instrument: convention
    phase: 1
    year: 3
    draw: {date: 2021-03-10, reviewers: [DEU, EGY]}
"""


def comparable(findings):
    return [(f.id, f.status, f.message, f.witness, f.due, f.reason) for f in findings]


def test_judge_at_equals_the_cycle_written_as_it_stood():
    full = snapshot(FULL, as_of="2022-06-30")
    early = snapshot(EARLY, as_of="2021-06-30")
    judged = judge_at(full, D("2021-06-30"))
    assert judged.as_of == D("2021-06-30")
    assert comparable(run(AS_OF_RULES, judged)) == comparable(run(AS_OF_RULES, early))


@pytest.mark.parametrize("date,saq,cap,finalized", [
    ("2021-03-01", "pending", "passed", "pending"),    # not drawn yet: the clock has not started
    ("2021-06-10", "pending", "passed", "pending"),    # due today
    ("2021-06-30", "overdue", "passed", "pending"),
    ("2021-07-01", "late", "passed", "pending"),
    ("2021-09-01", "late", "violated", "pending"),     # the second expert is listed
    ("2022-06-30", "late", "violated", "passed"),
    ("2023-01-01", "late", "violated", "passed"),      # later than as_of: only the date moves
])
def test_statuses_as_the_cycle_stood(date, saq, cap, finalized):
    judged = judge_at(snapshot(FULL, as_of="2022-06-30"), D(date))
    fs = statuses(run(AS_OF_RULES, judged))
    assert (fs["saq-due/R"], fs["cap/AUT/convention"], fs["finalized/R"]) == (
        saq, cap, finalized)


def test_judge_at_leaves_the_snapshot_unchanged():
    full = snapshot(FULL, as_of="2022-06-30")
    before = comparable(run(AS_OF_RULES, full))
    judge_at(full, D("2021-04-01"))
    assert comparable(run(AS_OF_RULES, full)) == before


def test_a_message_aggregate_that_reads_status_is_not_shared_across_statuses():
    """`status` and `due` change per finding: an aggregate in the message reading them is
    memoized on them too (it was computed for the first finding and reused)."""
    rules = """\
        rule k
          cites para 1
          for each review in reviews
          shall review.saq.complete
          otherwise "{count(each r in reviews where status = 'violated')} of {count(reviews)}"
        """
    snap = snapshot(STATES + "reviews:\n"
                    + review("A", extra="saq: {received: 2021-05-10, complete: false}\n")
                    + review("B", state="DEU"))
    got = {f.id: (f.status, f.message) for f in run(rules, snap)}
    assert got == {"k/A": ("violated", "2 of 2"), "k/B": ("pending", "not yet judged: 0 of 2")}


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("keep_passed", [False, True])
def test_owns_keeps_exactly_the_owned_findings_and_counts_their_passes(fast, keep_passed,
                                                                       monkeypatch):
    """`owns` (how a dated amendment judges each review by its own rules) gives what
    filtering every finding, passed ones included, would give; by both evaluators."""
    from revmech.engine import evaluator
    from revmech.engine.loader import load_snapshot
    from revmech.engine.ruleset import load_ruleset

    if fast:
        monkeypatch.setattr(evaluator, "FAST_FROM", 0)
    rs = load_ruleset()
    snap = load_snapshot(str(ROOT / "fixtures" / "sample-planted.yaml"),
                         phase_years=rs.phase_years)

    def owns(subject):
        return any(str(v).startswith(("A", "P")) for _, v in subject)

    everything = evaluate(rs, snap, keep_passed=True).findings
    wanted = [f for f in everything if owns(f.subject)]
    got = evaluate(rs, snap, keep_passed, owns=owns)
    assert got.passed == sum(f.status == "passed" for f in wanted) > 0
    assert list(got.findings) == [f for f in wanted if keep_passed or f.status != "passed"]
    assert len(got.findings) < len(everything)
