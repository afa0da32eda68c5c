"""The flow network on random small problems: the merged network answers as the plain one,
and a Hall certificate is always a violated condition."""

from __future__ import annotations

import random

from revmech.engine.flow import Seats, hall_certificate, merged, solve

STATES = ("A", "B", "C", "D", "E", "F")


def _problem(rng: random.Random):
    seats = []
    for i in range(rng.randint(1, 7)):
        need = rng.choice((1, 1, 2))
        pool = frozenset(x for x in STATES if rng.random() < 0.4)
        seats.append(Seats((f"R{i}", "any" if need == 2 else "same"), need, pool))
    capacity = {x: rng.randint(0, 2) for x in STATES}
    return seats, capacity


def test_hall_certificates_are_violated_and_merging_keeps_the_answer():
    rng = random.Random(20)
    infeasible = 0
    for _ in range(400):
        seats, capacity = _problem(rng)
        hall = hall_certificate(seats, capacity)
        nodes, _ = merged(seats)
        assert solve(nodes, capacity).complete == (hall is None)
        if hall is None:
            continue
        infeasible += 1
        assert hall.need > hall.can_give
        assert set(hall.slots) <= {s.key for s in seats}
    assert infeasible > 50
