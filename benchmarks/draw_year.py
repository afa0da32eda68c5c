"""Benchmark (not a test): a full year's drawing of lots for the Convention on the
real-size cycle, side by side with `check` on the same cycle in the same run.

    python benchmarks/draw_year.py [--repeat N] [--snapshot fixtures/cycle-2014.yaml]

Prints the median wall time of each step over N runs and its ratio to the check of the
whole cycle, so that results from different machines compare by ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from revmech.engine.check import evaluate
from revmech.engine.draw import draw_year, repeat_draw
from revmech.engine.feasibility import feasibility
from revmech.engine.loader import compose, snapshot_from_node
from revmech.engine.ruleset import load_ruleset
from revmech.engine.snapshot_edit import record


def timed(fn, n):
    times, result = [], None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--snapshot", default="fixtures/cycle-2014.yaml")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--year", type=int, default=9)
    args = ap.parse_args()
    rs = load_ruleset()
    root, text = compose(args.snapshot)
    snap = snapshot_from_node(root, text, file=args.snapshot, phase_years=rs.phase_years)
    n = args.repeat

    check_t, _ = timed(lambda: evaluate(rs, snap), n)
    draw_t, outcome = timed(lambda: draw_year(
        snap, rs.params, rs.phase_years, instrument="convention", phase=2, year=args.year,
        seed="benchmark"), n)
    feas_t, verdicts = timed(lambda: feasibility(snap, rs.params, rs.phase_years), n)
    drawn_text = record(text, root, outcome.draws, {}, outcome.as_of)
    root2, _ = compose(drawn_text, name="drawn.yaml")
    drawn = snapshot_from_node(root2, drawn_text, file="drawn.yaml", phase_years=rs.phase_years)
    first = outcome.draws[0].review
    state = next(r.state.id for r in drawn.reviews if r.id == first)
    rep_t, _ = timed(lambda: repeat_draw(drawn, rs.params, rs.phase_years, review_id=first,
                                          requested_by=state, seed="benchmark"), n)

    lots = len(outcome.transcript.lots)
    print(f"{args.snapshot}: {len(snap.states)} States, {len(snap.reviews)} reviews; "
          f"median of {n} runs")
    rows = [("check (all rules, whole cycle)", check_t),
            (f"draw convention year {args.year} ({len(outcome.draws)} reviews, {lots} lots)",
             draw_t),
            (f"--feasible ({len(verdicts)} instrument-phases)", feas_t),
            (f"--repeat {first}", rep_t)]
    for name, t in rows:
        print(f"  {name:<55} {t:8.2f} s   x{t / check_t:5.2f} of check")


if __name__ == "__main__":
    main()
