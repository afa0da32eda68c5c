"""Amendments: strict loading, application, impact (design.md, "Amendments")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from revmech.cli.main import main
from revmech.engine.amendments import apply, load_amendment
from revmech.engine.check import evaluate
from revmech.engine.errors import RevmechError
from revmech.engine.impact import compare, evaluate_amended, impact
from revmech.engine.loader import load_snapshot
from revmech.engine.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
CLEAN = str(ROOT / "fixtures" / "sample-cycle.yaml")
PLANTED = str(ROOT / "fixtures" / "sample-planted.yaml")
HEAD = "format: revmech/amendment@1\ntitle: T\nproposed_by: P\n"


@pytest.fixture(scope="module")
def base():
    return load_ruleset()


@pytest.fixture(scope="module")
def planted(base):
    return load_snapshot(PLANTED, phase_years=base.phase_years)


def write(tmp_path, body: str, name: str = "a.yaml") -> str:
    p = tmp_path / name
    p.write_text(HEAD + body)
    return str(p)


def failing(result):
    return {f.id: f for f in result.findings if f.failing}


ERRORS = [
    ("parameters:\n  max_expert_per_instrument: 3\n",
     "a.yaml:5:3: error: unknown parameter 'max_expert_per_instrument' (did you mean "
     "'max_experts_per_instrument'?)"),
    ("parameters:\n  max_experts_per_instrument: 3 weeks\n",
     "a.yaml:5:3: error: parameter 'max_experts_per_instrument' is a number (now 5); the "
     "amendment gives a duration"),
    ("parameters:\n  saq_period: 3\n",
     "a.yaml:5:3: error: parameter 'saq_period' is a duration (now '3 months'); the amendment "
     "gives a number"),
    ("parameters:\n  working_languages: en\n",
     "a.yaml:5:3: error: parameter 'working_languages' is a list of texts (now ['ar', 'zh', "
     "'en', 'fr', 'ru', 'es']); the amendment gives a text"),
    ("repeal: [similar-legal-sytem]\n",
     "a.yaml:4:10: error: cannot repeal 'similar-legal-sytem': no such rule (did you mean "
     "'similar-legal-system'?)"),
    ("replace: |\n  rule no-such-rule\n    cites para 19\n    shall true\n",
     "a.yaml:5:8: error: cannot replace 'no-such-rule': no such rule (to add it, use add:)"),
    ("add: |\n  rule experts-cap\n    cites para 19\n    shall true\n",
     "a.yaml:5:8: error: cannot add 'experts-cap': a rule with that id exists (to change it, "
     "use replace:)"),
    ("add: |\n  rule new-rule\n    cites para 19\n    for each review in reviews\n"
     "    shall review.consultation is recorded\n",
     "a.yaml:8:18: error: a Review has no field 'consultation' (did you mean "
     "'consultations'?)"),
    ("add: |\n  rule new-rule\n    cites para 19\n    shall\n",
     "a.yaml:7:10: error: expected an assertion, found the end of the file"),
    ("add: \"rule x cites para 1 shall true\"\n",
     "a.yaml:4:6: error: add: write the rules as a literal block (add: |, then the rules "
     "indented below)"),
    ("paramters: {}\n",
     "a.yaml:4:1: error: unknown key 'paramters' (did you mean 'parameters'?)"),
    ("effective: 2025-02-30\n",
     "a.yaml:4:12: error: effective: expected a date YYYY-MM-DD"),
]


@pytest.mark.parametrize("body,message", ERRORS, ids=[m.split("error: ")[1][:40] for _, m in ERRORS])
def test_bad_amendments_are_located(tmp_path, base, body, message):
    path = write(tmp_path, body)
    with pytest.raises(RevmechError) as e:
        apply(base, [load_amendment(path)])
    first = e.value.render().splitlines()[0]
    assert first == f"{tmp_path}/{message}"


def test_bad_amendment_exits_2_without_traceback(tmp_path):
    path = write(tmp_path, "repeal: [nope]\n")
    for args in (["amend", "-a", path, CLEAN], ["check", "-a", path, CLEAN]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 2
        assert "cannot repeal 'nope'" in r.output and "Traceback" not in r.output


def test_empty_amendment_changes_nothing(tmp_path, base):
    amended = apply(base, [load_amendment(write(tmp_path, ""))])
    imp = impact(amended, [CLEAN, PLANTED])
    assert not amended.parameters and not amended.rules and not amended.conflicts
    for s in imp.snapshots:
        assert (s.appeared, s.disappeared, s.changed) == ((), (), ())


def test_parameters_at_their_current_values_change_nothing(tmp_path, base):
    lines = []
    for name, p in base.params.items():
        flow = yaml.safe_dump(_yaml_value(p.value), default_flow_style=True, width=10**6)
        lines.append(f"  {name}: {flow.strip().removesuffix('...').strip()}")
    amended = apply(base, [load_amendment(write(tmp_path, "parameters:\n" + "\n".join(lines)
                                                + "\n"))])
    for s in impact(amended, [CLEAN, PLANTED]).snapshots:
        assert (s.appeared, s.disappeared, s.changed) == ((), (), ())


def _yaml_value(v):
    from revmech.engine.calendar import Duration
    if isinstance(v, Duration):
        return str(v)
    if isinstance(v, tuple):
        return [_yaml_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _yaml_value(x) for k, x in v.items()}
    return v


PARAMETER_CHOICES = {
    "max_experts_per_instrument": ["1", "3", "5", "7"],
    "max_redraw_requests": ["0", "1", "2"],
    "max_reviews_performed": ["1", "2", "3"],
    "consultation_period": ["1 week", "2 weeks", "3 weeks", "1 month"],
    "saq_period": ["1 month", "2 months", "3 months"],
    "desk_review_period": ["10 days", "1 month"],
    "draft_report_period": ["3 months", "6 months", "1 year"],
    "working_languages": ["[en, fr]", "[ar, zh, en, fr, ru, es]", "[en]"],
    "summary_period": ["1 month", "6 months"],
}


@settings(max_examples=15, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(PARAMETER_CHOICES)), st.data(), max_size=4)
       .flatmap(lambda d: st.fixed_dictionaries(
           {k: st.sampled_from(PARAMETER_CHOICES[k]) for k in d})))
def test_amended_findings_are_base_minus_disappeared_plus_appeared(tmp_path_factory, choice):
    base = load_ruleset()
    snapshot = load_snapshot(PLANTED, phase_years=base.phase_years)
    body = "parameters:\n" + "".join(f"  {k}: {v}\n" for k, v in choice.items()) \
        if choice else ""
    path = write(tmp_path_factory.mktemp("a"), body)
    amended = apply(base, [load_amendment(path)])
    before, after = evaluate(base, snapshot), evaluate_amended(amended, snapshot)
    s = compare(before, after)
    expected = dict(failing(before))
    for f in s.disappeared:
        del expected[f.id]
    for f in s.appeared:
        expected[f.id] = f
    for b, a in s.changed:
        expected[a.id] = a
    got = failing(after)
    assert set(got) == set(expected)
    assert all((got[i].status, got[i].severity) == (expected[i].status, expected[i].severity)
               for i in got)


def test_later_amendment_wins_and_the_conflict_is_listed(tmp_path, base):
    a = write(tmp_path, "parameters:\n  max_experts_per_instrument: 3\n", "a.yaml")
    b = (tmp_path / "b.yaml")
    b.write_text("format: revmech/amendment@1\ntitle: U\nproposed_by: Q\n"
                 "parameters:\n  max_experts_per_instrument: 4\n")
    amended = apply(base, [load_amendment(a), load_amendment(str(b))])
    assert amended.ruleset.params["max_experts_per_instrument"].value == 4
    assert [c.to_json() for c in amended.conflicts] == [
        {"kind": "parameter", "name": "max_experts_per_instrument", "first": "T", "later": "U"}]
    assert [p.to_json()["before"] for p in amended.parameters] == [5]


def test_cap_at_three_makes_findings_appear(tmp_path, base, planted):
    amended = apply(base, [load_amendment(write(
        tmp_path, "parameters:\n  max_experts_per_instrument: 1\n"))])
    s = compare(evaluate(base, planted), evaluate_amended(amended, planted))
    assert s.appeared and all(f.rule == "experts-cap" for f in s.appeared)
    assert all(f.witness[-1] == ("max_experts_per_instrument", 1) for f in s.appeared)
    assert s.disappeared == ()


def test_repeal_makes_findings_disappear(tmp_path, base, planted):
    amended = apply(base, [load_amendment(write(tmp_path, "repeal: [experts-cap]\n"))])
    s = compare(evaluate(base, planted), evaluate_amended(amended, planted))
    assert [f.id for f in s.disappeared] == ["experts-cap/PAK/convention"]
    assert [c.kind for c in amended.rules] == ["repealed"]


def test_effective_date_keeps_earlier_reviews_under_their_rules(tmp_path, base, planted):
    body = "effective: 2025-01-01\nparameters:\n  consultation_period: 1 week\n"
    amended = apply(base, [load_amendment(write(tmp_path, body))])
    after = evaluate_amended(amended, planted)
    drawn = {r.id: r.draw.date for r in planted.reviews if r.draw}
    late = [f for f in after.findings if f.rule == "consultations-in-three-weeks" and f.failing]
    assert any(drawn[f.subject[0][1]].year >= 2025 for f in late), "a week is too short"
    old = lambda res: {(f.id, f.status) for f in res.findings  # noqa: E731
                       if f.rule == "consultations-in-three-weeks"
                       and drawn.get(f.subject[0][1]) and drawn[f.subject[0][1]].year < 2025}
    assert old(after) == old(evaluate(base, planted))  # earlier reviews: the rules they had
    always = apply(base, [load_amendment(write(tmp_path, body.split("\n", 1)[1], "b.yaml"))])
    assert any(drawn[f.subject[0][1]].year < 2025 for f in evaluate_amended(always, planted)
               .findings if f.rule == "consultations-in-three-weeks" and f.failing)


def test_impact_json_contract(tmp_path):
    path = write(tmp_path, "parameters:\n  max_experts_per_instrument: 3\n"
                           "repeal: [similar-legal-system]\n")
    r = CliRunner().invoke(main, ["amend", "-a", path, PLANTED, "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert list(data) == ["format", "amendments", "conflicts", "parameters", "rules",
                          "snapshots"]
    assert data["format"] == "revmech/amendment-impact@1"
    assert data["amendments"] == [{"title": "T", "file": path}]
    assert data["parameters"][0]["name"] == "max_experts_per_instrument"
    assert (data["parameters"][0]["before"], data["parameters"][0]["after"]) == (5, 3)
    assert list(data["rules"]) == ["added", "replaced", "repealed"]
    assert data["rules"]["repealed"][0]["id"] == "similar-legal-system"
    snap = data["snapshots"][0]
    assert list(snap) == ["file", "appeared", "disappeared", "changed"]


def test_amend_text_and_markdown_show_redline(tmp_path):
    path = write(tmp_path, "replace: |\n  rule redraw-repetitions\n    cites para 20\n"
                           "    for each review in reviews where review.draw is recorded\n"
                           "    shall sum(values(review.draw.redraws)) <= 3\n")
    text = CliRunner().invoke(main, ["amend", "-a", path, CLEAN]).output
    assert "replaced redraw-repetitions (para 20)" in text
    assert "    -  shall repetitions <= max_redraw_requests" in text
    assert "    +  shall sum(values(review.draw.redraws)) <= 3" in text
    md = CliRunner().invoke(main, ["amend", "-a", path, CLEAN, "--format", "markdown"]).output
    assert "```diff" in md and "## Rules" in md


def test_check_with_amendment_names_it(tmp_path):
    path = write(tmp_path, "parameters:\n  max_experts_per_instrument: 1\n")
    r = CliRunner().invoke(main, ["check", "-a", path, CLEAN, "--format", "json"])
    data = json.loads(r.output)
    assert data["ruleset"]["amendments"] == ["T"]
    assert any(f["rule"] == "experts-cap" for f in data["findings"])
    assert r.exit_code == 1


def test_same_output_every_run(tmp_path):
    path = write(tmp_path, "parameters:\n  max_experts_per_instrument: 2\n")
    runs = {CliRunner().invoke(main, ["amend", "-a", path, PLANTED, "--format", "json"]).output
            for _ in range(2)}
    assert len(runs) == 1


SHIPPED = sorted((ROOT / "rules" / "amendments").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_amendments_load_and_apply(base, path):
    a = load_amendment(str(path))
    assert a.title and a.proposed_by and a.rationale
    apply(base, [a])


def test_appendix_ii_reports_the_scope_differences(base):
    """A cycle recorded under Appendix I, judged under Appendix II: every review's articles
    differ from the new workplan, and the impact says so review by review."""
    amended = apply(base, [load_amendment(str(ROOT / "rules/amendments/appendix-ii.yaml"))])
    assert {p.name for p in amended.parameters} == {"clusters", "workplan"}
    assert [c.id for c in amended.rules if c.kind == "replaced"] == ["scope-follows-workplan"]
    s = impact(amended, [CLEAN]).snapshots[0]
    scope = [f for f in s.appeared if f.rule == "scope-follows-workplan"]
    snapshot = load_snapshot(CLEAN, phase_years=base.phase_years)
    recorded = {r.id for r in snapshot.reviews if r.articles}
    assert {f.subject[0][1] for f in scope} == recorded
    conv = next(f for f in scope if f.subject[0][1] == "COL-convention-1")
    assert "missing" in f"{conv.message}" and "31" in conv.message  # prevention, now phase 1


def test_an_empty_block_on_the_last_line_without_a_newline_reads_as_with_one(tmp_path):
    """`add: |` ending the file, with no newline after it, once raised a ValueError."""
    from revmech.engine.amendments import load_amendment
    head = "format: revmech/amendment@1\ntitle: x\nproposed_by: y\nadd: |"
    bare, ended = tmp_path / "bare.yaml", tmp_path / "ended.yaml"
    bare.write_text(head)
    ended.write_text(head + "\n")
    a, b = load_amendment(str(bare)), load_amendment(str(ended))
    assert (a.title, a.parameters, a.repeal) == (b.title, b.parameters, b.repeal)
    assert len(a.add) == len(b.add) == 0
