"""`revmech draw`: lots, transcripts, repetitions, certificates, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from drawkit import DRAW_RULES, St, assignments, draw_small, load, ruleset_with, snapshot_text
from revmech.engine.check import evaluate
from revmech.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CYCLE = "fixtures/cycle-2014.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(tmp_path, states, name="small.yaml", extra=""):
    p = tmp_path / name
    p.write_text(snapshot_text(states, extra))
    return p


def cap(tmp_path, most):
    p = tmp_path / f"cap{most}.yaml"
    p.write_text("format: revmech/amendment@1\ntitle: cap\nproposed_by: a test\n"
                 f"parameters:\n  max_reviews_performed: {most}\n")
    return p


def drawn(path) -> dict[str, frozenset]:
    data = yaml.safe_load(Path(path).read_text())
    return {r["id"]: frozenset(r["draw"]["reviewers"]) for r in data["reviews"] if "draw" in r}


FOUR = [St("AUT", "WEOG", "party", True, "civil law", False),
        St("BEL", "WEOG", "party", True, "civil law", False),
        St("EGY", "African", "party", True, "civil law", False),
        St("GHA", "African", "party", True, "civil law", False)]


def test_every_valid_assignment_is_reachable_with_some_seed():
    """Four States, two per group, at most two reviews each: four valid assignments (the
    brute force says so), and the first seeds reach all of them."""
    valid = list(assignments(FOUR, 2))
    assert len(valid) == 4
    seen = []
    for seed in range(40):
        got, _, _ = draw_small(FOUR, 2, seed)
        assert got in valid
        if got not in seen:
            seen.append(got)
    assert len(seen) == 4


def test_output_checks_clean_and_keeps_the_file(tmp_path):
    snap = write(tmp_path, FOUR)
    out = tmp_path / "out.yaml"
    r = run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
            "--seed", "meeting of 2021-06-01", "--out", out)
    assert r.exit_code == 0, r.output
    before, after = snap.read_text().splitlines(), out.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 4
    for a, b in changed:
        assert b.startswith(a[:-1] + ", draw: {date: 2021-06-01, meeting: {working_groups: "
                            "[international_cooperation, technical_assistance], "
                            "intersessional: true, open_to_all: true}, reviewers: [")
    report = json.loads(run("check", out, "--format", "json").output)
    assert [f["id"] for f in report["findings"] if f["rule"] in DRAW_RULES
            and f["status"] in ("violated", "late", "overdue")] == []


def test_a_later_date_moves_as_of(tmp_path):
    snap, out = write(tmp_path, FOUR), tmp_path / "out.yaml"
    r = run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
            "--seed", 1, "--date", "2021-07-01", "--out", out)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[2] == "date: 2021-07-01; seed: 1"
    assert "as_of: 2021-07-01\n" in out.read_text()
    assert out.read_text().count("draw: {date: 2021-07-01,") == 4


def test_transcript_names_order_candidates_and_exclusions(tmp_path):
    states = FOUR + [St("CHE", "WEOG", "party", False, "civil law", False),
                     St("DEU", "WEOG", "party", True, "civil law", True)]
    snap = write(tmp_path, states)
    r = run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
            "--seed", 7)
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith("Drawing of lots: convention, phase 1, year 3 (2021)\n")
    assert "Order of the States under review (drawn by lot):" in out
    assert ("  excluded: no governmental expert for the convention on the list before "
            "2021-06-01\n    (para 19):\n    CHE\n") in out
    assert "  excluded: deferred serving as a reviewer in year 3 (para 21):\n    DEU\n" in out
    assert out == run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
                      "--seed", 7).output


def test_legal_system_preferred_where_possible():
    """AUT (common law) can always be given GBR or GHA (five reviews each: they are never
    full): every seed does."""
    states = [St("AUT", "WEOG", "party", True, "common law", False),
              St("BEL", "WEOG", "party", True, "civil law", False),
              St("GBR", "WEOG", "party", True, "common law", False),
              St("EGY", "African", "party", True, "civil law", False),
              St("GHA", "African", "party", True, "common law", False),
              St("CIV", "African", "party", True, "civil law", False)]
    ruleset = ruleset_with(5)
    for seed in range(12):
        got, text, _ = draw_small(states, 5, seed)
        assert got["AUT-convention-1"] & {"GBR", "GHA"}
        _, after = load(text, ruleset.phase_years)
        assert not [f for f in evaluate(ruleset, after).findings
                    if f.rule == "similar-legal-system" and f.failing]


def test_single_party_in_group_is_certified(tmp_path):
    states = [St("AUT", "WEOG", "party", True, "civil law", False),
              St("EGY", "African", "party", True, "civil law", False),
              St("GHA", "African", "party", True, "civil law", False),
              St("BEL", "WEOG", "signatory", True, "civil law", False)]
    snap = write(tmp_path, states)
    r = run("draw", "--feasible", snap)
    assert r.exit_code == 1
    assert r.output == (
        "convention, phase 1: infeasible (para 20)\n"
        "  AUT is the only party to the convention in the regional group WEOG on 2021-06-01: no\n"
        "      State from its regional group can review AUT-convention-1\n"
        "convention, phase 2: infeasible (para 20)\n"
        "  AUT is the only party to the convention in the regional group WEOG on 2021-06-01: no\n"
        "      State from its regional group can review AUT-convention-2 (not yet allotted)\n")
    out = tmp_path / "never.yaml"
    r = run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
            "--seed", 1, "--out", out)
    assert r.exit_code == 1
    assert r.output.startswith("no valid draw exists for the convention, phase 1, year 3 "
                               "(para 20):\n  AUT is the only party")
    assert not out.exists()


def test_hall_certificate_counts(tmp_path):
    """Two WEOG and two African States with one review each at most: four reviews need
    eight seats, four States can give four."""
    r = run("draw", "--feasible", "-a", cap(tmp_path, 1), write(tmp_path, FOUR))
    assert r.exit_code == 1
    assert "convention, phase 1: infeasible (para 20, para 21)\n" in r.output
    assert "seats > " in r.output and "no valid draw exists (Hall's condition fails)" in r.output


def test_feasible_on_the_real_size_cycle(tmp_path):
    r = run("draw", "--feasible", CYCLE)
    assert r.exit_code == 0
    assert r.output.splitlines()[:2] == ["convention, phase 1: feasible (no review left to draw)",
                                         "convention, phase 2: feasible (74 reviews to draw)"]
    r = run("draw", "--feasible", "-a", cap(tmp_path, 1), CYCLE)
    assert r.exit_code == 1
    assert "convention, phase 2: infeasible (para 20, para 21)" in r.output


def test_deferred_review_and_organization_are_not_drawn(tmp_path):
    states = FOUR + [St("EUU", None, "party", True, "civil law", False, organization=True)]
    extra = "  - {id: EUU-convention-1, state: EUU, instrument: convention, phase: 1, year: 3}"
    p = write(tmp_path, states, extra=extra)
    p.write_text(p.read_text().replace(
        "deferrals: []",
        "deferrals:\n  - {state: BEL, year: 3, role: under_review, instrument: convention}"))
    r = run("draw", p, "--phase", 1, "--instrument", "convention", "--year", 3, "--seed", 3)
    assert r.exit_code == 0, r.output
    words = " ".join(r.output.split())  # notes are wrapped
    assert "BEL-convention-1: not drawn: BEL deferred its own review in year 3 (para 21)" in words
    assert ("EUU-convention-1: not drawn: EUU is an organization, neither reviewed nor a "
            "reviewer (paras 18-21)") in words
    assert "BEL-convention-1:" not in r.output.split("Reviewers drawn:")[1]


# -- repetitions (para 20) ---------------------------------------------------------------

SIX = [St("AUT", "WEOG", "party", True, "civil law", False),
       St("BEL", "WEOG", "party", True, "civil law", False),
       St("CHE", "WEOG", "party", True, "civil law", False),
       St("EGY", "African", "party", True, "civil law", False),
       St("GHA", "African", "party", True, "civil law", False),
       St("CIV", "African", "party", True, "civil law", False)]


@pytest.fixture
def drawn_six(tmp_path):
    snap = write(tmp_path, SIX)
    out = tmp_path / "drawn.yaml"
    assert run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
               "--seed", 5, "--out", out).exit_code == 0
    return out


def repeat(path, by, *more, seed="r"):
    return run("draw", path, "--repeat", "AUT-convention-1", "--requested-by", by,
               "--seed", seed, "--out", path, *more)


def test_repetitions_within_and_beyond_the_limits(drawn_six):
    before = drawn(drawn_six)
    for n in (1, 2):
        old = drawn(drawn_six)["AUT-convention-1"]
        r = repeat(drawn_six, "AUT", seed=f"r{n}")
        assert r.exit_code == 0, r.output
        assert drawn(drawn_six)["AUT-convention-1"] != old
        assert {k: v for k, v in drawn(drawn_six).items() if k != "AUT-convention-1"} == \
            {k: v for k, v in before.items() if k != "AUT-convention-1"}
    r = repeat(drawn_six, "AUT")
    assert r.exit_code == 1
    assert r.output == ("refused: AUT has requested 2 repetitions of the drawing for "
                        "AUT-convention-1; each State may request at most 2 (para 20: "
                        "max_redraw_requests)\n")
    reviewer = sorted(drawn(drawn_six)["AUT-convention-1"])[0]
    r = repeat(drawn_six, reviewer)
    assert r.exit_code == 1
    assert r.output == ("refused: the drawing for AUT-convention-1 has been repeated 2 times; "
                        "more than 2 repetitions need exceptional circumstances (para 20; "
                        "record them with --exceptional)\n")
    r = repeat(drawn_six, reviewer, "--exceptional")
    assert r.exit_code == 0, r.output
    record = [x for x in yaml.safe_load(drawn_six.read_text())["reviews"]
              if x["id"] == "AUT-convention-1"][0]["draw"]
    assert record["redraws"] == {"AUT": 2, reviewer: 1}
    assert record["exceptional_circumstances"] is True
    report = json.loads(run("check", drawn_six, "--format", "json").output)
    assert not [f for f in report["findings"] if f["status"] == "violated"
                and f["rule"] in DRAW_RULES]
    assert [f["id"] for f in report["findings"] if f["status"] == "excepted"
            and f["rule"] == "redraw-repetitions"] == ["redraw-repetitions/AUT-convention-1"]


def test_only_parties_to_the_review_may_request(drawn_six):
    others = sorted({"BEL", "CHE", "EGY", "GHA", "CIV"} - drawn(drawn_six)["AUT-convention-1"])
    r = repeat(drawn_six, others[0])
    assert r.exit_code == 1
    assert r.output.startswith(f"refused: only the State under review and the reviewing "
                               f"States may request a repetition (para 20); {others[0]} is "
                               "none of AUT, ")


# -- bad input ---------------------------------------------------------------------------

BAD = [
    (["--phase", 1, "--instrument", "conventoin", "--year", 3, "--seed", 1],
     "error: unknown instrument 'conventoin' (did you mean 'convention'?); expected one of "
     "convention, trafficking, smuggling, firearms"),
    (["--phase", 0, "--instrument", "convention", "--year", 3, "--seed", 1],
     "error: phase 0 is not a review phase; the review phases are 1, 2"),
    (["--phase", 1, "--instrument", "convention", "--year", 7, "--seed", 1],
     "error: year 7 is not in phase 1 (years 3 to 6)"),
    (["--phase", 1, "--instrument", "convention", "--year", 3, "--seed", 1,
      "--date", "2020-12-31"],
     "error: the lots for phase 1 are drawn within it (para 9): 2020-12-31 is outside "
     "2021-01-01 to 2024-12-31"),
    (["--phase", 1, "--instrument", "convention"],
     "error: missing --year, --seed"),
    (["--repeat", "AUT-convention-9", "--requested-by", "AUT", "--seed", 1],
     "error: unknown review 'AUT-convention-9' (did you mean 'AUT-convention-1'?)"),
    (["--repeat", "AUT-convention-1", "--requested-by", "AUS", "--seed", 1],
     "error: unknown State 'AUS' (did you mean 'AUT'?)"),
    (["--repeat", "AUT-convention-1", "--requested-by", "AUT", "--seed", 1],
     "error: AUT-convention-1 has not been drawn: there is no drawing to repeat"),
    (["--repeat", "AUT-convention-1", "--requested-by", "AUT", "--seed", 1, "--year", 3],
     "error: --repeat takes the phase, instrument and year of its review, not --year"),
    (["--feasible", "--seed", 1],
     "error: --feasible takes only SNAPSHOT, --date, -a and --rules, not --seed, --out"),
    (["--requested-by", "AUT", "--phase", 1, "--instrument", "convention", "--year", 3,
      "--seed", 1],
     "error: --requested-by and --exceptional go with --repeat REVIEW"),
]


@pytest.mark.parametrize("args,message", BAD, ids=[m for _, m in BAD])
def test_bad_input_exits_2_with_a_message(tmp_path, args, message):
    out = tmp_path / "out.yaml"
    r = CliRunner().invoke(main, ["draw", str(write(tmp_path, FOUR)), *map(str, args),
                                  "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 2
    assert r.output == message + "\n"
    assert not out.exists()


def test_missing_snapshot_exits_2():
    r = run("draw", "nowhere.yaml", "--feasible")
    assert r.exit_code == 2
    assert r.output == "error: cannot read 'nowhere.yaml': no such file\n"


def test_a_full_year_on_the_real_size_cycle_checks_clean(tmp_path):
    """The acceptance criterion: the Convention's year 9 drawn on the real-size cycle; the
    check finds nothing failing, and every new draw only adds pending deadlines."""
    out = tmp_path / "drawn.yaml"
    r = run("draw", CYCLE, "--phase", 2, "--instrument", "convention", "--year", 9,
            "--seed", "2026", "--out", out)
    assert r.exit_code == 0, r.output
    new = drawn(out)
    assert len(new) - len(drawn(CYCLE)) == 37
    report = json.loads(run("check", out, "--format", "json").output)
    assert report["summary"]["error"] == 0 and report["summary"]["warning"] == 0


def test_a_state_with_no_regional_group():
    """COK has no group: any two reviewers, at least one of its legal system where possible;
    as a reviewer it counts as "another group"; the regional rule is excepted for it."""
    states = [St("COK", None, "party", True, "common law", False),
              St("AUT", "WEOG", "party", True, "civil law", False),
              St("BEL", "WEOG", "party", True, "civil law", False),
              St("EGY", "African", "party", True, "civil law", False),
              St("GHA", "African", "party", True, "common law", False)]
    # four reviews each: GHA, the only other common-law State, always has room for COK
    ruleset = ruleset_with(4)
    valid = list(assignments(states, 4))
    for seed in range(6):
        got, text, _ = draw_small(states, 4, seed)
        assert got in valid
        assert "GHA" in got["COK-convention-1"]
        _, after = load(text, ruleset.phase_years)
        findings = evaluate(ruleset, after).findings
        assert not [f for f in findings if f.failing and f.rule in DRAW_RULES]
        assert [f.status for f in findings if f.rule == "reviewer-regional-groups"
                and dict(f.subject).get("review") == "COK-convention-1"] == ["excepted"]


GOLDEN = Path(__file__).parent / "golden"


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REVMECH_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_transcripts_golden(tmp_path):
    """The whole transcript of a year, of a repetition, and of --feasible, pinned."""
    states = FOUR + [St("CHE", "WEOG", "party", False, "civil law", False),
                     St("DEU", "WEOG", "party", True, "civil law", True),
                     St("COK", None, "party", True, "common law", False),
                     St("CIV", "African", "late", True, "common law", False)]
    snap, out = write(tmp_path, states), tmp_path / "out.yaml"
    year = run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
               "--seed", "golden", "--out", out)
    again = run("draw", out, "--repeat", "AUT-convention-1", "--requested-by", "AUT",
                "--seed", "again", "--date", "2021-06-15")
    feasible = run("draw", "--feasible", "-a", cap(tmp_path, 1), snap)
    assert (year.exit_code, again.exit_code, feasible.exit_code) == (0, 0, 1)
    golden("draw-transcript.txt", year.output + "\n" + again.output + "\n" + feasible.output)


def test_repetition_refused_when_only_the_same_pair_is_valid(tmp_path):
    states = [St("AUT", "WEOG", "party", True, "civil law", False),
              St("BEL", "WEOG", "party", True, "civil law", False),
              St("EGY", "African", "late", True, "civil law", False)]
    snap, out = write(tmp_path, states), tmp_path / "out.yaml"
    assert run("draw", snap, "--phase", 1, "--instrument", "convention", "--year", 3,
               "--seed", 1, "--out", out).exit_code == 0
    before = out.read_text()
    r = run("draw", out, "--repeat", "AUT-convention-1", "--requested-by", "AUT", "--seed", 1,
            "--out", out)
    assert r.exit_code == 1
    assert r.output == ("refused: the only valid draw for AUT-convention-1 is the pair drawn "
                        "before (BEL, EGY)\n")
    assert out.read_text() == before
