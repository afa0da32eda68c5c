"""The fast evaluator (codegen) gives exactly the findings of the closures (the reference
evaluator, which explain uses): on every shipped snapshot, judged on its date and
earlier, and on generated snapshots and generated rules (hypothesis); and no text of a
rule reaches the generated source."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given

from revmech.engine import ast, codegen, evaluator
from revmech.engine.check import evaluate
from revmech.engine.errors import RevmechError
from revmech.engine.loader import judge_at, load_snapshot
from revmech.engine.ruleset import build_ruleset, load_ruleset
from test_fuzz import PARAMS_TEXT, generated_rules, sample_snapshot
from test_properties import share, shipped, snapshots

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = sorted((ROOT / "fixtures").glob("*.yaml"))


def assert_same(ruleset, snap):
    """Every rule run as generated code, then every rule by the closures, whatever the
    size of the snapshot (evaluator.FAST_FROM)."""
    for keep in (False, True):
        with _fast_from(0):
            fast = evaluate(ruleset, snap, keep)
        with _fast_from(10 ** 9):
            slow = evaluate(ruleset, snap, keep)
        assert fast == slow


@contextlib.contextmanager
def _fast_from(records: int):
    saved = evaluator.FAST_FROM
    evaluator.FAST_FROM = records
    try:
        yield
    finally:
        evaluator.FAST_FROM = saved


def test_every_shipped_rule_is_translated():
    rs = load_ruleset()
    assert all(cr.fast.function() is not None for cr in rs.compiled
               if cr.rule.modality != "may")


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.name)
def test_shipped_snapshots(path):
    rs = load_ruleset()
    snap = load_snapshot(str(path), phase_years=rs.phase_years)
    assert_same(rs, snap)
    for days in (200, 900, 2500):
        assert_same(rs, judge_at(snap, snap.as_of - dt.timedelta(days=days)))


@share(1 / 3)
@given(snapshots())
def test_generated_snapshots(snap):
    assert_same(shipped(), snap)


@share(1 / 3)
@given(generated_rules())
def test_generated_rules(text):
    try:
        ruleset = build_ruleset([("gen.rules", text)], PARAMS_TEXT, "rules/parameters.yaml")
    except RevmechError:
        return
    for snap in (sample_snapshot(0), sample_snapshot(1)):
        assert_same(ruleset, snap)
        assert_same(ruleset, judge_at(snap, snap.as_of - dt.timedelta(days=800)))


HOSTILE = '''\
rule hostile
  cites para 1
  for each zz_review in reviews where zz_review.state.kind = "x'); import os; ('"
  let zz_let = count(each zz_r in reviews where zz_r.instrument = "\\\\ \\"q\\" {{")
  shall zz_let >= 0 and zz_review.phase != 99999 and "EVIL_TEXT" not in zz_review.articles
  otherwise "EVIL_MESSAGE {zz_review}"
'''


def test_no_rule_text_in_the_generated_source():
    rs = build_ruleset([("hostile.rules", HOSTILE)], PARAMS_TEXT, "rules/parameters.yaml")
    (rule,) = rs.rules
    source, consts = codegen.generate(rule, rs.params)
    assert rs.compiled[0].fast.function() is not None
    for bad in ("zz_", "import", "EVIL", "99999", "\\", "{{", '"'):
        assert bad not in source
    assert "EVIL_TEXT" in consts and 99999 in consts
    # the only string literals are the fields read and our own words
    for r in load_ruleset().rules + rs.rules:
        source, _ = codegen.generate(r, rs.params)
        fields = {n.name for n in _nodes(r) if isinstance(n, ast.Attr)}
        ours = set(codegen._HELPERS) | {"_MISSING", "_decide", "passed", "violated", "pending"}
        for literal in re.findall(r"'([^']*)'", source):
            assert literal in fields | ours


def _nodes(rule):
    from revmech.engine.evaluator import _rule_exprs

    for e in _rule_exprs(rule):
        yield from ast.walk(e)


def test_a_rule_too_deep_to_generate_keeps_its_closures(monkeypatch, tmp_path):
    """300 alternatives nest deeper than Python compiles: the rule is judged by its
    closures, with the same findings. (The grammar refuses expressions over
    grammar.MAX_DEPTH levels, far below this; lifted here, in a cache of the test's own,
    to reach the generator's own fallback.)"""
    from revmech.engine import grammar

    monkeypatch.setattr(grammar, "MAX_DEPTH", 10 ** 6)
    monkeypatch.setenv("REVMECH_CACHE_DIR", str(tmp_path))
    alternatives = " or ".join(["(review.phase = 9 and review.draw is recorded)"] * 300)
    text = f"rule deep\n  cites para 1\n  for each review in reviews\n  shall {alternatives}\n"
    rs = build_ruleset([("deep.rules", text)], PARAMS_TEXT, "rules/parameters.yaml")
    assert rs.compiled[0].fast.function() is None
    assert_same(rs, sample_snapshot(0))
