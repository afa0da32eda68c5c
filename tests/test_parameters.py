"""Parameter values that cannot be right: negative counts, a calendar that is not one."""

from __future__ import annotations

import pytest

from revmech.engine.parameters import value_problem

CALENDAR = ("expected phase numbers, each with [first year, last year] (e.g. 1: [3, 6]), in "
            "order and not overlapping")


@pytest.mark.parametrize("name, value, problem", [
    ("max_experts_per_instrument", 5, None),
    ("max_experts_per_instrument", -1, "expected whole numbers of 0 or more (counts, years, "
                                       "sessions), got -1"),
    ("clusters", {"convention": {"a": ("5", "6")}}, None),
    ("workplan", {1: ("a",), 2: ("b", -3)}, "expected whole numbers of 0 or more (counts, "
                                            "years, sessions), got -3"),
    ("phase_years", {0: (1, 2), 1: (3, 6), 2: (7, 10)}, None),
    ("phase_years", {1: (3, 6), 2: (7, 10), 10: (11, 12)}, None),  # numeric order, not text
    ("phase_years", {1: (3, 6), 2: (7, 10), 10: (9, 12)}, CALENDAR + "; got 10: [9, 12]"),
    ("phase_years", {1: (3,)}, CALENDAR + "; got 1: [3]"),
    ("phase_years", {1: (6, 3)}, CALENDAR + "; got 1: [6, 3]"),
    ("phase_years", {1: (0, 3)}, CALENDAR + "; got 1: [0, 3]"),
    ("phase_years", {"one": (3, 6)}, CALENDAR + "; got one: [3, 6]"),
    ("phase_years", {0: (1, 2)}, CALENDAR + "; there is no review phase (1 or more)"),
    ("phase_years", "3 years", CALENDAR),
    ("phase_years", {}, CALENDAR),
])
def test_value_problems(name, value, problem):
    assert value_problem(name, value) == problem
