"""Small snapshots for the drawing of lots, and a brute-force reading of paras 18-21.

The brute force is written from the rule catalogue, not from the engine: it enumerates
every pair of reviewers for every review and keeps the assignments that meet the rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import tempfile
from collections import Counter

import attrs

from revmech.engine.amendments import load_and_apply
from revmech.engine.draw import draw_year
from revmech.engine.loader import compose, snapshot_from_node
from revmech.engine.ruleset import load_ruleset
from revmech.engine.snapshot_edit import record

DATE = dt.date(2021, 6, 1)  # as_of and the drawing's date: year 3, phase 1
IDS = ("AUT", "BEL", "CHE", "DEU", "EGY", "FRA", "GHA", "HUN")

# rules of paras 18-21 whose findings a draw must not cause
DRAW_RULES = frozenset({
    "two-reviewers", "reviewers-are-parties", "reviewer-regional-groups",
    "similar-legal-system", "redraw-requests-per-state", "redraw-repetitions",
    "deferral-respected", "reviews-performed-range", "experts-listed-before-draw",
    "reviewers-have-experts"})


@attrs.frozen
class St:
    id: str
    group: str | None
    status: str  # party (since 2000), late (party since 2021-03-01), signatory, none
    expert: bool
    legal: str
    defers: bool  # deferred serving as a reviewer in year 3
    organization: bool = False


def snapshot_text(states: list[St], extra_reviews: str = "",
                  instrument: str = "convention") -> str:
    """A snapshot where `instrument` is drawn: each St's status is its status under it (for a
    Protocol, every State is also party to the Convention since 2000)."""
    since = {"party": "2000-01-01", "late": "2021-03-01", "signatory": "2000-01-01"}
    lines = ["format: revmech/snapshot@1", f"as_of: {DATE}", "mechanism: {year_one: 2019}",
             "states:"]
    for s in states:
        lines += [f"  {s.id}:", f"    name: {s.id}",
                  f"    kind: {'organization' if s.organization else 'state'}",
                  f"    regional_group: {s.group if s.group else 'null'}",
                  f"    legal_system: {s.legal}"]
        treaties = []
        if instrument != "convention":
            treaties.append("convention: {status: party, since: 2000-01-01}")
        if s.status in since:
            status = "signatory" if s.status == "signatory" else "party"
            treaties.append(f"{instrument}: {{status: {status}, since: {since[s.status]}}}")
        lines.append(f"    instruments: {{{', '.join(treaties)}}}")
    lines.append("experts:")
    for s in states:
        if s.expert:
            lines.append(f"  - {{id: {s.id}-c-1, state: {s.id}, instrument: {instrument}, "
                         "listed: 2020-01-01}")
    if not any(s.expert for s in states):
        lines[-1] = "experts: []"
    lines.append("reviews:")
    n = 0
    for s in under_review(states):
        lines.append(f"  - {{id: {s.id}-{instrument}-1, state: {s.id}, "
                     f"instrument: {instrument}, phase: 1, year: 3}}")
        n += 1
    lines.append(extra_reviews)
    if not n and not extra_reviews:
        lines[-2] = "reviews: []"
    defer = [s for s in states if s.defers]
    lines.append("deferrals:" if defer else "deferrals: []")
    for s in defer:
        lines.append(f"  - {{state: {s.id}, year: 3, role: reviewer, instrument: {instrument}}}")
    return "\n".join(lines) + "\n"


def under_review(states: list[St]) -> list[St]:
    return [s for s in states if s.status == "party" and not s.organization]


def load(text: str, phase_years, name: str = "small.yaml"):
    root, src = compose(text, name=name)
    return root, snapshot_from_node(root, src, file=name, phase_years=phase_years)


def eligible(s: St) -> bool:
    return (not s.organization and s.status in ("party", "late") and s.expert
            and not s.defers)


def seats(review: St, states: list[St]) -> list[tuple[str, frozenset[str]]]:
    """The seats of a review and who may fill each (kind, pool)."""
    ok = [s for s in states if s.id != review.id and eligible(s)]
    if review.group is None:
        return [("any", frozenset(s.id for s in ok))]
    return [("same", frozenset(s.id for s in ok if s.group == review.group)),
            ("other", frozenset(s.id for s in ok if s.group != review.group))]


def valid_pairs(review: St, states: list[St]) -> list[tuple[str, str]]:
    ok = [s for s in states if s.id != review.id and eligible(s)]
    out = []
    for a, b in itertools.combinations(ok, 2):
        if review.group is None:
            out.append((a.id, b.id))
        elif (a.group == review.group) != (b.group == review.group):
            out.append((a.id, b.id))
    return out


def assignments(states: list[St], most: int, first_only: bool = False,
                instrument: str = "convention"):
    """Every valid assignment {review id: frozenset of two reviewers}, by backtracking."""
    reviews = under_review(states)
    pairs = [valid_pairs(r, states) for r in reviews]
    load_: Counter = Counter()
    chosen: list = []

    def go(i):
        if i == len(reviews):
            yield {f"{r.id}-{instrument}-1": frozenset(p) for r, p in zip(reviews, chosen)}
            return
        for p in pairs[i]:
            if all(load_[x] < most for x in p):
                for x in p:
                    load_[x] += 1
                chosen.append(p)
                yield from go(i + 1)
                chosen.pop()
                for x in p:
                    load_[x] -= 1

    for a in go(0):
        yield a
        if first_only:
            return


_RULESETS: dict = {}


def ruleset_with(most: int = 3):
    """The shipped rules with max_reviews_performed = most (an amendment, as a user would
    write it), loaded once."""
    if most not in _RULESETS:
        if "base" not in _RULESETS:
            _RULESETS["base"] = load_ruleset()
        base = _RULESETS["base"]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "cap.yaml")
            with open(path, "w") as fh:
                fh.write("format: revmech/amendment@1\ntitle: cap\nproposed_by: a test\n"
                         f"parameters:\n  max_reviews_performed: {most}\n")
            _RULESETS[most] = load_and_apply(base, [path]).ruleset
    return _RULESETS[most]


def draw_small(states: list[St], most: int, seed) -> tuple[dict, str, object]:
    """Draw year 3 of phase 1 on a small snapshot: (reviewers by review, the new snapshot
    text, the outcome)."""
    ruleset = ruleset_with(most)
    text = snapshot_text(states)
    root, snap = load(text, ruleset.phase_years)
    outcome = draw_year(snap, ruleset.params, ruleset.phase_years, instrument="convention",
                        phase=1, year=3, seed=str(seed))
    got = {d.review: frozenset(d.reviewers) for d in outcome.draws}
    return got, record(text, root, outcome.draws, {}, outcome.as_of), outcome
