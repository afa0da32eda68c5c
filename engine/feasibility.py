"""Whether any valid draw exists, and if not a certificate a person can check (paras 18-21).

For each instrument and review phase the open seats are those of the reviews not yet
drawn, and of the parties at the start of the phase with no review recorded (every party
is reviewed in each phase, para 21); the reviews already drawn count against each State's
capacity (`max_reviews_performed`). Eligibility is judged on the date of the drawing
(default: the snapshot's `as_of`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import attrs

from .calendar import MechanismCalendar
from .draw_problem import Eligibility, OpenReview, open_reviews_of_phase, performed
from .flow import Hall, Seats, hall_certificate
from .model import INSTRUMENTS, Snapshot


KINDS = ("same", "other", "any")


@attrs.frozen
class Certificate:
    cites: tuple[str, ...]
    lines: tuple[str, ...]
    need: int
    can_give: int
    hall: Hall | None = None  # the sets named, for a program to recount


@attrs.frozen
class Verdict:
    instrument: str
    phase: int
    open_reviews: int
    certificate: Certificate | None

    @property
    def feasible(self) -> bool:
        return self.certificate is None


def capacities(snapshot: Snapshot, instrument: str, phase: int, most: int) -> dict[str, int]:
    done = performed(snapshot, instrument, phase)
    return {x: max(0, most - done[x]) for x in snapshot.states}


def certify(snapshot: Snapshot, elig: Eligibility, reviews: Sequence[OpenReview],
            hall: Hall, most: int, phase: int) -> Certificate:
    """Put a violated Hall condition in the words of the rules."""
    by_id = {r.id: r for r in reviews}
    instrument, date = elig.instrument, elig.date
    if len(hall.slots) == 1 and not hall.givers:
        rid, kind = hall.slots[0]
        review = by_id[rid]
        group = review.state.regional_group
        if kind == "same":
            parties = [x for x, s in sorted(snapshot.states.items())
                       if s.regional_group == group and s.kind == "state"
                       and (t := s.instruments.get(instrument)) is not None
                       and t.status == "party" and t.since <= date]
            if parties == [review.state.id]:
                return Certificate(
                    ("para 20",),
                    (f"{review.state.id} is the only party to the {instrument} in the "
                     f"regional group {group} on {date}: no State from its regional group "
                     f"can review {rid}",),
                    1, 0, hall)
    lines = [f"{hall.need} reviewer seat{'s' if hall.need != 1 else ''} must be filled:"]
    cites: set[str] = set()
    for rid, kind in sorted(hall.slots, key=lambda k: (k[0], KINDS.index(k[1]))):
        review = by_id[rid]
        group = review.state.regional_group
        if kind == "same":
            cites.add("para 20")
            lines.append(f"  {rid}: one reviewer from the regional group of "
                         f"{review.state.id} ({group})")
        elif kind == "other":
            cites.add("para 20")
            lines.append(f"  {rid}: one reviewer from a group other than {group}")
        else:
            cites.add("para 18")
            lines.append(f"  {rid}: two reviewers ({review.state.id} has no regional "
                         "group)")
        if kind != "other":
            slot = next(s for s in elig.slots(review) if s.kind == kind)
            for reason, who in excluded_by_reason(elig, review, slot):
                cites.update(re.findall(r"\(?(para \d+)\)", reason))
                lines.append(f"    excluded: {', '.join(who)}: {reason}")
    if any(cap < m for _, cap, m in hall.givers):
        cites.add("para 21")  # the capacity binds
    if hall.givers:
        lines.append(f"the States that may fill them can give at most {hall.can_give} in "
                     "all; each gives the smaller of the reviews it may still perform "
                     f"(at most {most} in phase {phase}, para 21) and the seats it may fill:")
        groups: dict[tuple[int, int], list[str]] = {}
        for x, cap, m in hall.givers:
            groups.setdefault((cap, m), []).append(x)
        for (cap, m), who in sorted(groups.items(), key=lambda kv: (min(kv[0]), kv[0])):
            lines.append(f"  gives {min(cap, m)} each ({cap} left, may fill {m}): "
                         f"{', '.join(who)}")
    else:
        lines.append("no State may fill them")
    lines.append(f"{hall.need} seats > {hall.can_give}: no valid draw exists "
                 "(Hall's condition fails)")
    return Certificate(tuple(sorted(cites, key=_para_key)), tuple(lines), hall.need,
                       hall.can_give, hall)


def _para_key(cite: str) -> int:
    return int(cite.split()[1])


def excluded_by_reason(elig: Eligibility, review: OpenReview, slot) -> list[tuple[str, list[str]]]:
    """The members of the slot's group(s) that may not review, grouped by reason."""
    reasons: dict[str, list[str]] = {}
    for x in elig.group_members(review, slot):
        why = elig.reason(x, review.year)
        if why is not None:
            reasons.setdefault(why, []).append(x)
    return sorted(reasons.items())


def check_phase(snapshot: Snapshot, elig: Eligibility, phase: int, phase_start: dt.date,
                most: int) -> Verdict:
    """Whether the phase can be drawn for `elig.instrument`, judged on `elig.date`."""
    instrument = elig.instrument
    reviews = open_reviews_of_phase(snapshot, instrument, phase, phase_start)
    seats = [Seats.of(s) for r in reviews for s in elig.slots(r)]
    hall = hall_certificate(seats, capacities(snapshot, instrument, phase, most))
    cert = None if hall is None else certify(snapshot, elig, reviews, hall, most, phase)
    return Verdict(instrument, phase, len(reviews), cert)


def feasibility(snapshot: Snapshot, params: dict, phase_years: dict[int, tuple[int, int]],
                date: dt.date | None = None) -> list[Verdict]:
    """A verdict for every instrument some State is party to, and every review phase."""
    cal = MechanismCalendar(snapshot.mechanism.year_one, phase_years)
    most = int(params["max_reviews_performed"].value)
    when = date or snapshot.as_of
    used = {i for s in snapshot.states.values() for i, t in s.instruments.items()
            if t.status == "party"}
    out = []
    for instrument in INSTRUMENTS:
        if instrument not in used:
            continue
        elig = Eligibility(snapshot, instrument, when)  # the same for every phase
        for phase in sorted(p for p in phase_years if p >= 1):
            out.append(check_phase(snapshot, elig, phase, cal.phase_start(phase), most))
    return out
