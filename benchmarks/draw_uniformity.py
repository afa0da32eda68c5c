"""How far from uniform the drawing of lots is (a measurement, not a test).

Each lot is uniform among the States that keep the draw completable; the assignment as a
whole is not exactly uniform, because an assignment's chance is the product of 1/k over
its lots and the ks differ between branches. This script computes the exact distribution
for small cycles by following every branch of every lot (the order of the States under
review included) with the engine itself, and prints, for each, the number of valid
assignments, the most and least likely assignment's probability, and their ratio.

    python benchmarks/draw_uniformity.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from drawkit import St, assignments, load, ruleset_with, snapshot_text  # noqa: E402
from revmech.engine import draw as draw_module  # noqa: E402
from revmech.engine.lots import Lots  # noqa: E402


class Scripted(Lots):
    """Lots that follow a script of choices and record how many candidates each had."""

    def __init__(self, script):
        super().__init__("scripted")
        self.script, self.ks = list(script), []

    def number(self, k, label):
        i = self.script[len(self.ks)] if len(self.ks) < len(self.script) else 0
        self.ks.append(k)
        return i


def distribution(states, most):
    rs = ruleset_with(most)
    _, snap = load(snapshot_text(states), rs.phase_years)
    probs: dict = defaultdict(Fraction)
    script: list[int] = []
    while True:
        lots = Scripted(script)
        original = draw_module.Lots
        draw_module.Lots = lambda seed: lots
        try:
            out = draw_module.draw_year(snap, rs.params, rs.phase_years,
                                        instrument="convention", phase=1, year=3, seed="x")
        finally:
            draw_module.Lots = original
        p = Fraction(1)
        for k in lots.ks:
            p /= k
        probs[frozenset((d.review, frozenset(d.reviewers)) for d in out.draws)] += p
        # next script: odometer over the recorded branchings, last lot first
        path = script + [0] * (len(lots.ks) - len(script))
        i = len(path) - 1
        while i >= 0 and path[i] == lots.ks[i] - 1:
            i -= 1
        if i < 0:
            break
        script = path[:i] + [path[i] + 1]
    return probs


def show(name, states, most):
    probs = distribution(states, most)
    valid = list(assignments(states, most))
    assert sum(probs.values()) == 1 and len(probs) == len(valid)
    hi, lo = max(probs.values()), min(probs.values())
    print(f"{name}: {len(valid)} valid assignments; uniform would be 1/{len(valid)}; "
          f"most likely {float(hi):.4f}, least likely {float(lo):.4f}, "
          f"ratio {float(hi / lo):.2f}")


W, A = "WEOG", "African"


def s(sid, group, legal="civil law"):
    return St(sid, group, "party", True, legal, False)


if __name__ == "__main__":
    show("2+2 States, at most 2 reviews", [s("AUT", W), s("BEL", W), s("EGY", A),
                                          s("GHA", A)], 2)
    show("2+2 States, at most 3 reviews", [s("AUT", W), s("BEL", W), s("EGY", A),
                                          s("GHA", A)], 3)
    show("3+2 States, at most 3 reviews", [s("AUT", W), s("BEL", W), s("CHE", W),
                                          s("EGY", A), s("GHA", A)], 3)
