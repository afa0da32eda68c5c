"""The drawing of lots against a brute force on small generated party sets.

When the brute force finds a valid assignment, the draw finds one and the check accepts it
(no finding of the rules of paras 18-21 for the new draws); when it finds none, the draw
refuses and `--feasible`'s certificate counts what it claims.
"""

from __future__ import annotations

import pytest
from hypothesis import event, given, strategies as st

from drawkit import (DATE, DRAW_RULES, IDS, St, assignments, eligible, load, ruleset_with,
                     seats, snapshot_text, under_review)
from revmech.engine.check import evaluate
from revmech.engine.draw import NoValidDraw, draw_year
from revmech.engine.feasibility import feasibility
from revmech.engine.snapshot_edit import record

@st.composite
def party_sets(draw):
    instrument = draw(st.sampled_from(["convention", "trafficking", "firearms"]))
    n = draw(st.integers(3, 6))
    states = []
    for i, sid in enumerate(IDS[:n]):
        # groups mostly alternate, so that small sets are often drawable
        usual = ("WEOG", "African")[i % 2]
        states.append(St(
            sid,
            draw(st.sampled_from([usual] * 8 + ["WEOG", "African", None])),
            draw(st.sampled_from(["party"] * 6 + ["late", "signatory"])),
            draw(st.sampled_from([True] * 7 + [False])),
            draw(st.sampled_from(["civil law", "common law"])),
            draw(st.sampled_from([False] * 7 + [True]))))
    if draw(st.booleans()):
        states.append(St("EUU", None, "party", True, "civil law", False, organization=True))
    return states, draw(st.sampled_from([1, 2, 2, 3, 3])), instrument


def failing_draw_findings(ruleset, snapshot):
    result = evaluate(ruleset, snapshot)
    return [f for f in result.findings if f.failing and f.rule in DRAW_RULES
            and f.rule != "similar-legal-system"]  # a preference: see test_draw.py


@given(party_sets(), st.integers(0, 10**6))
def test_draw_matches_brute_force(case, seed):
    states, most, instrument = case
    ruleset = ruleset_with(most)
    text = snapshot_text(states, instrument=instrument)
    root, snap = load(text, ruleset.phase_years)
    exists = next(assignments(states, most, True, instrument), None) is not None
    verdicts = [v for v in feasibility(snap, ruleset.params, ruleset.phase_years)
                if v.phase == 1 and v.instrument == instrument]  # none without parties
    assert all(v.feasible for v in verdicts) == exists
    event(f"{instrument}: " + ("a valid draw exists" if exists else "no valid draw exists"))
    if not under_review(states):
        return
    if exists:
        outcome = draw_year(snap, ruleset.params, ruleset.phase_years, instrument=instrument,
                            phase=1, year=3, seed=str(seed))
        drawn = {d.review: frozenset(d.reviewers) for d in outcome.draws}
        assert drawn in list(assignments(states, most, instrument=instrument))
        new_text = record(text, root, outcome.draws, {}, outcome.as_of)
        _, after = load(new_text, ruleset.phase_years)
        assert failing_draw_findings(ruleset, after) == []
    else:
        with pytest.raises(NoValidDraw) as e:
            draw_year(snap, ruleset.params, ruleset.phase_years, instrument=instrument,
                      phase=1, year=3, seed=str(seed))
        for cert in (e.value.certificate, verdicts[0].certificate):
            recount(cert, states, most)


def recount(cert, states, most):
    """The certificate's sets, counted again from the brute force's own reading."""
    hall = cert.hall
    by_id = {s.id: s for s in states}
    pools = []
    need = 0
    for rid, kind in hall.slots:
        review = by_id[rid.split("-")[0]]
        pool = dict(seats(review, states))[kind]
        pools.append(pool)
        need += 2 if kind == "any" else 1
    assert cert.need == hall.need == need
    givers = {x: (cap, m) for x, cap, m in hall.givers}
    assert set(givers) == set().union(*pools)
    for x, (cap, m) in givers.items():
        assert eligible(by_id[x])
        assert cap == most  # nothing drawn yet in these snapshots
        assert m == sum(x in p for p in pools)
    assert cert.can_give == sum(min(c, m) for c, m in givers.values()) < need
    assert any(c.startswith("para ") for c in cert.cites)


@given(party_sets(), st.integers(0, 10**6))
def test_same_seed_same_bytes(case, seed):
    states, most, instrument = case
    ruleset = ruleset_with(most)
    text = snapshot_text(states, instrument=instrument)
    if next(assignments(states, most, True, instrument), None) is None:
        return
    outs = []
    for _ in range(2):
        root, snap = load(text, ruleset.phase_years)
        o = draw_year(snap, ruleset.params, ruleset.phase_years, instrument=instrument,
                      phase=1, year=3, seed=str(seed), date=DATE)
        outs.append((o.transcript, record(text, root, o.draws, {}, o.as_of)))
    assert outs[0] == outs[1]
