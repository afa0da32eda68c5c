"""`revmech deadlines`, `revmech explain`, briefing summaries (`check --aggregate`), and
byte-identical output across runs and hash seeds."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from revmech.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLEAN = "fixtures/sample-cycle.yaml"
PLANTED = "fixtures/sample-planted.yaml"
CYCLE = "fixtures/cycle-2014.yaml"
WAIVERS = "fixtures/waivers/sample-planted.yaml"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REVMECH_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


# ---- deadlines -------------------------------------------------------------------------


def test_deadlines_match_golden():
    r = run("deadlines", PLANTED, "--within", "3m")
    assert r.exit_code == 0, r.output
    golden("planted-deadlines.txt", r.output)


def test_deadlines_are_in_date_order_and_within_the_window():
    r = run("deadlines", PLANTED, "--within", "90d", "--format", "json")
    data = json.loads(r.output)["snapshots"][0]
    overdue = [d for d in data["deadlines"] if d["overdue"]]
    upcoming = [d for d in data["deadlines"] if not d["overdue"]]
    assert data["deadlines"] == overdue + upcoming
    assert [d["due"] for d in overdue] == sorted(d["due"] for d in overdue)
    assert [d["due"] for d in upcoming] == sorted(d["due"] for d in upcoming)
    assert all(d["status"] == "overdue" and d["due"] < "2026-10-01" for d in overdue)
    assert all(d["status"] == "pending" and "2026-10-01" <= d["due"] <= "2026-12-30"
               for d in upcoming)
    assert data["until"] == "2026-12-30"
    assert {d["id"] for d in overdue} == {"reviewed-by-phase-end/BOL/trafficking/1",
                                         "consultations-in-three-weeks/PHL-convention-2"}


def test_deadlines_every_pending_deadline_appears_once_the_window_is_wide_enough():
    report = json.loads(run("check", PLANTED, "--format", "json").output)
    pending = {f["id"] for f in report["findings"] if f["status"] == "pending" and "due" in f}
    listed = json.loads(run("deadlines", PLANTED, "--within", "10y", "--format",
                            "json").output)["snapshots"][0]["deadlines"]
    assert {d["id"] for d in listed if not d["overdue"]} == pending


def test_deadlines_as_of_an_earlier_date():
    data = json.loads(run("deadlines", PLANTED, "--as-of", "2026-05-10", "--within", "2w",
                          "--format", "json").output)["snapshots"][0]
    assert data["as_of"] == "2026-05-10" and data["until"] == "2026-05-24"
    assert "consultations-in-three-weeks/PHL-convention-2" in \
        {d["id"] for d in data["deadlines"] if not d["overdue"]}


def test_deadlines_leave_waived_findings_off():
    ids = lambda r: {d["id"] for d in json.loads(r.output)["snapshots"][0]["deadlines"]}  # noqa
    plain = ids(run("deadlines", PLANTED, "--format", "json"))
    w = ROOT / "tests/data/waive-overdue.yaml"
    assert "reviewed-by-phase-end/BOL/trafficking/1" in plain
    assert "reviewed-by-phase-end/BOL/trafficking/1" not in \
        ids(run("deadlines", PLANTED, "--format", "json", "--waivers", str(w)))


@pytest.mark.parametrize("window,expected", [
    ("30d", "30 days"), ("4w", "4 weeks"), ("2m", "2 months"), ("1y", "1 year"),
    ("30 days", "30 days"), ("1 month", "1 month"),
])
def test_deadline_windows(window, expected):
    from revmech.engine.deadlines import parse_window
    assert str(parse_window(window)) == expected


@pytest.mark.parametrize("args,message", [
    (["--within", "soon"], "error: --within: expected a period such as 30d, 4w, 2m or "
                           "'30 days', got 'soon'"),
    (["--as-of", "2026-02-30"], None),
])
def test_deadlines_refuse_bad_options(args, message):
    r = CliRunner().invoke(main, ["deadlines", PLANTED, *args])
    assert r.exit_code == 2
    if message:
        assert r.output.strip() == message


def test_deadlines_refuse_a_bad_snapshot(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: revmech/snapshot@1\nas_of: [\n")
    r = CliRunner().invoke(main, ["deadlines", str(bad)])
    assert r.exit_code == 2 and r.output.startswith(f"{bad}:")
    assert "Traceback" not in r.output


# ---- explain ---------------------------------------------------------------------------


def test_explain_a_violation_matches_golden():
    r = run("explain", "experts-cap", PLANTED, "--subject", "PAK/convention")
    assert r.exit_code == 0, r.output
    golden("explain-experts-cap.txt", r.output)


@pytest.mark.parametrize("rule,subject,head,because", [
    ("experts-cap", "PAK/convention",
     "state PAK, instrument convention: FAILS (violated) (error)",
     "appointed <= max_experts_per_instrument: no (appointed is 6; "
     "max_experts_per_instrument is 5)"),
    ("uncac-exemption", "COL-convention-1", "review COL-convention-1: FAILS (violated) (error)",
     "count(reviewed) = 0: no (count(reviewed) is 2)"),
    ("consultations-in-three-weeks", "GEO-smuggling-1",
     "review GEO-smuggling-1: FAILS (done late) (error)",
     "review.consultations.date is 2023-05-12; it was due by 2023-05-03"),
    ("reviewed-by-phase-end", "BOL/trafficking/1",
     "state BOL, instrument trafficking, phase 1: FAILS (overdue: not done and past its "
     "date) (error)", "it was due by 2024-12-31"),
    ("saq-complete", "COL-convention-1", "review COL-convention-1: HOLDS",
     "It holds: every part of the condition"),
    ("half-in-first-two-years", "2", "phase 2: CANNOT BE JUDGED YET (pending)",
     "pending until"),
])
def test_explain_says_why(rule, subject, head, because):
    r = run("explain", rule, PLANTED, "--subject", subject)
    assert r.exit_code == 0, r.output
    assert head in r.output.splitlines()
    assert because in " ".join(r.output.split())


def test_explain_an_exception_names_the_permission():
    r = run("explain", "report-confidential", PLANTED, "--subject", "RUS-convention-1")
    out = r.output
    assert "FAILS BUT IS EXCEPTED (error)" in out
    assert "It is excepted: permitted by publish-own-report." in out
    assert "unless permitted by publish-own-report → yes" in out
    flat = " ".join(out.split())
    assert "publish-own-report may: release.by = review.state and" in flat
    assert "release.by = review.state → yes release.by → RUS review.state → RUS" in flat
    assert "DOES NOT APPLY" in out  # PHL's release: the rule's `when` excludes requesters


def test_explain_every_failing_finding_of_the_planted_sample():
    """`explain` answers for every finding `check` reports, with the same status and
    message (through the engine: one rule set, one snapshot)."""
    from revmech.engine.check import check
    from revmech.engine.explain import explain
    from revmech.engine.loader import load_snapshot
    from revmech.engine.reporters.explain import render_text
    from revmech.engine.ruleset import load_ruleset
    ruleset = load_ruleset()
    snapshot = load_snapshot(PLANTED, phase_years=ruleset.phase_years)
    sources = {PLANTED: (ROOT / PLANTED).read_text(encoding="utf-8")}
    statuses = {"violated": "FAILS (violated)", "late": "FAILS (done late)",
                "overdue": "FAILS (overdue", "excepted": "FAILS BUT IS EXCEPTED"}
    found = [f for f in check(ruleset, [PLANTED]).findings if f.status in statuses]
    assert len(found) > 20
    for f in found:
        subject = "/".join(str(v) for _, v in f.subject)
        rx = explain(ruleset, f.rule, snapshot, subject)
        assert [e.finding for e in rx.bindings if e.applies] == [f], f.id
        flat = " ".join(render_text(rx, sources).split())
        assert statuses[f.status] in flat, f.id
        assert " ".join(f.message.split()) in flat, f.id
        if f.location:
            assert f"{f.location.file}:{f.location.line}:" in flat, f.id


@pytest.mark.parametrize("args,message", [
    (["expert-cap", PLANTED], "error: unknown rule 'expert-cap' (did you mean 'experts-cap'?)"),
    (["experts-cap", PLANTED, "--subject", "PAK/conventon"],
     "error: experts-cap has no binding with subject 'PAK/conventon' in "
     "fixtures/sample-planted.yaml (did you mean 'PAK/convention'?)"),
    (["publish-own-report", PLANTED],
     "error: 'publish-own-report' is a permission (may): it has no findings of its own; "
     "explain a rule that uses it: report-confidential"),
])
def test_explain_refuses_with_a_message(args, message):
    r = CliRunner().invoke(main, ["explain", *args])
    assert r.exit_code == 2
    assert r.output.strip() == message


# ---- briefing summaries ----------------------------------------------------------------


@pytest.fixture(scope="module")
def breached_cycle(tmp_path_factory):
    """The real-size cycle with breaches: many incomplete questionnaire responses, two
    reviews with an unofficial working language, and (with the expert-cap-three
    amendment) many States over the cap."""
    text = (ROOT / CYCLE).read_text(encoding="utf-8")
    text = text.replace("complete: true}", "complete: false}", 40)
    text = re.sub(r"languages: \[en\], agreed_by", "languages: [en, de], agreed_by", text,
                  count=2)
    path = tmp_path_factory.mktemp("breached") / "cycle.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_aggregate_names_no_state(breached_cycle):
    r = run("check", str(breached_cycle), "--aggregate", "-a",
            "rules/amendments/expert-cap-three.yaml")
    assert r.exit_code == 1, r.output
    out = r.output
    data = yaml.load((ROOT / CYCLE).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    ids = set(data["states"])
    names = {s["name"] for s in data["states"].values()}
    experts = {e["id"] for e in data.get("experts", [])}
    reviews = {rv["id"] for rv in data["reviews"]}
    tokens = set(re.findall(r"[A-Za-z0-9_-]+", out))
    assert not tokens & ids
    assert not tokens & experts
    assert not tokens & reviews
    for name in names:
        assert name not in out, name
    assert str(breached_cycle) not in out
    assert re.search(r"saq-complete\s+40\s", out)
    assert re.search(r"working-languages\s+fewer than 3\s", out)
    assert re.search(r"experts-cap\s+\d+\s", out)


def test_aggregate_is_ordered_by_paragraph():
    out = json.loads(run("check", PLANTED, "--aggregate", "--format", "json").output)
    from revmech.engine.aggregate import paragraph_key
    keys = [paragraph_key(r["cites"][0]) for r in out["rules"]]
    assert keys == sorted(keys)
    assert len(out["rules"]) == 53


@pytest.mark.parametrize("min_count,shown", [(1, 1), (2, "fewer than 2"), (3, "fewer than 3")])
def test_aggregate_min_count(min_count, shown):
    out = json.loads(run("check", PLANTED, "--aggregate", "--format", "json",
                         "--min-count", str(min_count)).output)
    row = next(r for r in out["rules"] if r["rule"] == "experts-cap")
    assert row["failing"] == shown
    assert out["min_count"] == min_count


def test_aggregate_refuses_formats_that_name_states():
    r = CliRunner().invoke(main, ["check", PLANTED, "--aggregate", "--format", "sarif"])
    assert r.exit_code == 2
    assert r.output.strip() == ("error: --aggregate: format 'sarif' names States; use one of "
                                "text, markdown, json")


def test_aggregate_markdown_has_no_state_of_the_sample():
    out = run("check", PLANTED, "--aggregate", "--format", "markdown").output
    data = yaml.load((ROOT / PLANTED).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    assert not set(re.findall(r"[A-Za-z0-9_-]+", out)) & set(data["states"])
    assert out.startswith("## Findings per paragraph\n")


# ---- determinism -----------------------------------------------------------------------

SCRIPT = """
import sys
from click.testing import CliRunner
from revmech.cli.main import main
for fmt in ("text", "json", "junit", "sarif", "github", "markdown"):
    r = CliRunner().invoke(main, ["check", "fixtures/sample-planted.yaml", "--format", fmt,
                                  "--waivers", "fixtures/waivers/sample-planted.yaml",
                                  "--all"])
    sys.stdout.write(r.output)
for args in (["check", "fixtures/sample-planted.yaml", "--aggregate"],
             ["deadlines", "fixtures/sample-planted.yaml", "--within", "1y"],
             ["explain", "report-confidential", "fixtures/sample-planted.yaml"]):
    sys.stdout.write(CliRunner().invoke(main, args).output)
"""


def test_every_format_is_byte_identical_across_hash_seeds():
    outs = []
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env.pop("NO_COLOR", None)
        p = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,
                           capture_output=True, check=True)
        outs.append(p.stdout)
    assert len(outs[0]) > 100_000
    assert outs[0] == outs[1] == outs[2]


def test_explain_with_waivers_says_waived():
    r = run("explain", "experts-cap", PLANTED, "--subject", "PAK/convention", "--waivers",
            WAIVERS)
    assert "state PAK, instrument convention: FAILS BUT IS WAIVED (error)" in r.output
    assert "waived until 2026-12-31: PAK-c-6 replaces PAK-c-3" in " ".join(r.output.split())


def test_explain_under_an_amendment_that_adds_a_rule():
    r = run("explain", "no-mutual-review", PLANTED, "-a",
            "rules/amendments/no-mutual-review.yaml")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("no-mutual-review (para 20)")


def test_explain_under_a_dated_amendment_judges_as_check_does(tmp_path):
    a = tmp_path / "repeal.yaml"
    a.write_text("format: revmech/amendment@1\ntitle: Repeal from 2024\nproposed_by: t\n"
                 "effective: 2024-01-01\nrepeal: [working-languages]\n")
    report = json.loads(run("check", PLANTED, "-a", str(a), "--format", "json").output)
    failing = [f for f in report["findings"] if f["rule"] == "working-languages"]
    assert [f["id"] for f in failing] == ["working-languages/ISL-convention-1"]
    r = run("explain", "working-languages", PLANTED, "-a", str(a), "--subject",
            "ISL-convention-1")
    flat = " ".join(r.output.split())
    assert "review ISL-convention-1: FAILS (violated) (error)" in flat
    assert "drawn before it took effect, so judged without: Repeal from 2024" in flat
    assert " ".join(failing[0]["message"].split()) in flat


@pytest.mark.parametrize("args,message", [
    (["--within", "99999y"], "error: --within: '99999y' is too long: at most a hundred years"),
    (["--within", "9" * 25 + "d"],
     f"error: --within: '{'9' * 25}d' is too long: at most a hundred years"),
])
def test_deadlines_refuse_windows_beyond_the_calendar(args, message):
    r = CliRunner().invoke(main, ["deadlines", PLANTED, *args])
    assert r.exit_code == 2
    assert r.output.strip() == message


def test_deadlines_at_the_end_of_the_calendar():
    r = run("deadlines", PLANTED, "--as-of", "9999-12-31")
    assert r.exit_code == 0
    assert r.output.startswith("fixtures/sample-planted.yaml (as of 9999-12-31): 56 overdue, "
                               "0 due within 30 days (by 9999-12-31)")


@pytest.mark.parametrize("min_count,line", [
    (1, "No State is named; every count is shown as it is (--min-count 1)."),
    (2, "No State is named; a count of 1 is shown as \"fewer than 2\"."),
    (3, "No State is named; a count from 1 to 2 is shown as \"fewer than 3\"."),
])
def test_aggregate_says_what_it_hides(min_count, line):
    out = run("check", PLANTED, "--aggregate", "--min-count", str(min_count)).output
    assert out.splitlines()[1] == line
