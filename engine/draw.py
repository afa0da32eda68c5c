"""The drawing of lots for reviewers (paras 18, 20, 21): seeded, reproducible, auditable.

A year's draw is a sequence of public lots. The order of the States under review is drawn
first; then, for each, one lot for the reviewer from its regional group and one for the
reviewer from another group (two lots from any group for a State with none). Each lot is
uniform among the States that may still be drawn: those the rules admit (party on the date,
experts listed, no deferral, capacity left) and whose drawing leaves every other review of
the phase still drawable (a max-flow question, see flow.py). So no lot ever leads to a dead
end, every valid assignment has a positive chance, and the transcript says, for each lot,
who could be drawn and why each other State of the group could not.

Para 20's "if possible, one reviewer with a similar legal system" is a preference, applied
lot by lot: when some completion gives the State under review such a reviewer, its lots are
drawn among the States that keep that possible.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import attrs

from .calendar import MechanismCalendar
from .draw_problem import (Eligibility, OpenReview, Slot, deferred_own_review,
                           describe_slot, open_reviews_of_phase, performed)
from .errors import UsageError, did_you_mean
from .feasibility import Certificate, certify
from .flow import Seats, hall_certificate, merged, solve
from .lots import Lots
from .model import INSTRUMENTS, Review, Snapshot

CONVENTION_GROUPS = ("international_cooperation", "technical_assistance")


def meeting_groups(instrument: str) -> tuple[str, ...]:
    """The working groups that draw the lots (para 22)."""
    return CONVENTION_GROUPS if instrument == "convention" else (instrument,)


@attrs.frozen
class Lot:
    label: str  # "3a": the third State in the order, its first lot
    review: str
    seat: str
    candidates: tuple[str, ...]
    number: int  # the index drawn among the candidates, from 0
    drawn: str
    excluded: tuple[tuple[str, tuple[str, ...]], ...]  # (reason, States)


@attrs.frozen
class NewDraw:
    review: str
    date: dt.date
    reviewers: tuple[str, ...]
    meeting: tuple[str, ...] | None  # working groups, when a meeting is recorded anew
    redraws: tuple[tuple[str, int], ...] = ()
    exceptional: bool = False


@attrs.frozen
class Transcript:
    title: str
    header: tuple[str, ...]
    order: tuple[str, ...]
    lots: tuple[Lot, ...]
    notes: tuple[str, ...]


@attrs.frozen
class Outcome:
    transcript: Transcript
    draws: tuple[NewDraw, ...]
    as_of: dt.date


class NoValidDraw(Exception):
    """No assignment satisfies the rules: the certificate says why."""

    def __init__(self, what: str, certificate: Certificate):
        super().__init__(what)
        self.what = what
        self.certificate = certificate


class Refused(Exception):
    """A request the rules refuse (para 20's limits on repetitions)."""


class _NoCandidate(Exception):
    pass


# --------------------------------------------------------------------------------------


def _usage(message: str) -> UsageError:
    return UsageError.at(message)


def _check_instrument(instrument: str) -> None:
    if instrument not in INSTRUMENTS:
        raise _usage(f"unknown instrument '{instrument}'{did_you_mean(instrument, INSTRUMENTS)}"
                     f"; expected one of {', '.join(INSTRUMENTS)}")


def _check_date(cal: MechanismCalendar, phase: int, date: dt.date) -> None:
    start, end = cal.phase_start(phase), cal.phase_end(phase)
    if not start <= date <= end:
        raise _usage(f"the lots for phase {phase} are drawn within it (para 9): {date} is "
                     f"outside {start} to {end}")


@attrs.frozen
class _View:
    solution: object
    where: dict

    @property
    def complete(self) -> bool:
        return self.solution.complete

    def candidates(self, key) -> set[str]:
        return self.solution.candidates(self.where[key])


class _Drawing:
    """The state of a drawing in progress: capacities left and the seats still open."""

    def __init__(self, snapshot: Snapshot, instrument: str, phase: int, most: int,
                 date: dt.date, lots: Lots, skip: tuple[str, ...] = ()):
        self.snapshot = snapshot
        self.instrument = instrument
        self.phase = phase
        self.most = most
        self.lots = lots
        self.elig = Eligibility(snapshot, instrument, date)
        self.done = performed(snapshot, instrument, phase, skip)
        self.open: dict[tuple, Seats] = {}
        self.scope = "this phase"

    @property
    def capacity(self) -> dict[str, int]:
        return {x: max(0, self.most - self.done[x]) for x in self.snapshot.states}

    def add(self, review: OpenReview) -> list[Slot]:
        slots = self.elig.slots(review)
        for s in slots:
            self.open[s.key] = Seats.of(s)
        return slots

    def remove(self, review: OpenReview) -> None:
        for s in self.elig.slots(review):
            self.open.pop(s.key, None)

    def solve(self, replace: dict | None = None) -> "_View":
        """A max flow of the open seats, with some seats replaced (`key: Seats`)."""
        seats = dict(self.open)
        seats.update(replace or {})
        nodes, where = merged(seats.values())
        return _View(solve(nodes, self.capacity), where)

    # ----------------------------------------------------------------------------------

    def draw_review(self, review: OpenReview, n: int, label: str,
                    avoid: frozenset[str] | None = None) -> tuple[list[Lot], list[str]]:
        """Draw the reviewers of one review whose seats are open; `avoid`: the pair drawn
        before, which a repetition must not draw again."""
        state = review.state
        ls = state.legal_system
        prefer = (frozenset(x for x, s in self.snapshot.states.items() if s.legal_system == ls)
                  if ls is not None else None)
        slots = self.elig.slots(review)
        lots: list[Lot] = []
        drawn: list[str] = []
        first, second = (slots[0], slots[1]) if len(slots) == 2 else (slots[0], slots[0])

        # first lot
        base = self.solve()
        base_c = base.candidates(first.key)
        chosen, preferring = base_c, False
        if prefer is not None:
            union: set[str] = set()
            for variant in self._preferring(first, second, prefer):
                sol = base if variant is None else self.solve(replace=variant)
                if sol.complete:
                    preferring = True
                    union |= base_c if variant is None else sol.candidates(first.key)
            if preferring:
                chosen = union
        notes: dict[str, str] = {}
        if avoid is not None:
            for x in sorted(chosen & avoid):
                rest = self._second_candidates(first, second, x, prefer, preferring)
                if not rest - (avoid - {x}):
                    notes[x] = "would allow only the pair drawn before (para 20: a repetition)"
            chosen = chosen - set(notes)
        x = self._lot(lots, review, first, n, "a", label, chosen, base_c, notes)
        drawn.append(x)
        self._take(first, x)

        # second lot
        second_now = self.open[second.key]
        narrowed = preferring and x not in prefer
        if narrowed:
            sol = self.solve(replace={second.key: attrs.evolve(
                second_now, pool=second_now.pool & prefer, prefer=None)})
            base2 = self.solve().candidates(second.key)
        else:
            sol = self.solve()
            base2 = None
        chosen2 = sol.candidates(second.key)
        base2 = chosen2 if base2 is None else base2
        notes2: dict[str, str] = {}
        if avoid is not None and x in avoid:
            for y in sorted(chosen2 & (avoid - {x})):
                notes2[y] = "would draw again the pair drawn before (para 20: a repetition)"
            chosen2 = chosen2 - set(notes2)
        if second is first:
            notes2[x] = "already drawn for this review"
        y = self._lot(lots, review, second, n, "b", label, chosen2, base2, notes2)
        drawn.append(y)
        self._take(second, y)
        return lots, drawn

    def _preferring(self, first: Slot, second: Slot, prefer: frozenset[str]):
        """Ways of giving the review a reviewer from `prefer`: narrowed seats, or None for
        "as they are" when the narrowing changes nothing."""
        if first is second:  # two seats of one slot: at least one from `prefer`
            s = self.open[first.key]
            yield None if s.pool <= prefer else {first.key: attrs.evolve(s, prefer=prefer)}
            return
        for slot in (first, second):
            s = self.open[slot.key]
            if s.pool <= prefer:
                yield None
                return
        for slot in (first, second):
            s = self.open[slot.key]
            yield {slot.key: attrs.evolve(s, pool=s.pool & prefer)}

    def _second_candidates(self, first: Slot, second: Slot, x: str, prefer, preferring):
        saved = dict(self.open), Counter(self.done)
        try:
            self._take(first, x)
            s = self.open[second.key]
            if preferring and x not in prefer:
                return self.solve(replace={second.key: attrs.evolve(
                    s, pool=s.pool & prefer, prefer=None)}).candidates(second.key)
            return self.solve().candidates(second.key)
        finally:
            self.open, self.done = saved

    def _take(self, slot: Slot, x: str) -> None:
        self.done[x] += 1
        s = self.open.pop(slot.key)
        if s.need > 1:
            self.open[slot.key] = Seats(s.key, s.need - 1, s.pool - {x})

    def _lot(self, lots, review, slot, n, part, label, chosen, feasible, notes):
        """Draw one lot among `chosen`; every other member of the slot's group(s) is listed
        with the reason it was not a candidate (`feasible`: those that kept a completion
        possible before the legal-system preference)."""
        candidates = tuple(sorted(chosen))
        if not candidates:
            raise _NoCandidate
        tag = f"{n}{part}"
        number, x = self.lots.pick(candidates, f"{label} {tag}")
        reasons: dict[str, list[str]] = {}
        for m in self.elig.group_members(review, slot):
            if m in chosen:
                continue
            why = self.elig.reason(m, review.year)
            if why is None and m in notes:
                why = notes[m]
            elif why is None and self.done[m] >= self.most:
                why = (f"already performs {self.done[m]} reviews on the {self.instrument} "
                       f"in phase {self.phase}, the most allowed (para 21)")
            elif why is None and m in feasible:
                why = (f"not of the legal system of {review.state.id} "
                       f"({review.state.legal_system}), while a "
                       "draw with one is possible (para 20)")
            elif why is None:
                why = f"would leave no valid draw for the other reviews of {self.scope}"
            reasons.setdefault(why, []).append(m)
        seat = describe_slot(slot, review.state.regional_group)
        lots.append(Lot(tag, review.id, seat, candidates, number, x,
                        tuple((r, tuple(w)) for r, w in sorted(reasons.items()))))
        return x


def _params(params: dict) -> tuple[int, int]:
    return (int(params["max_reviews_performed"].value),
            int(params["max_redraw_requests"].value))


def draw_year(snapshot: Snapshot, params: dict, phase_years: dict[int, tuple[int, int]], *,
              instrument: str, phase: int, year: int, seed: str,
              date: dt.date | None = None) -> Outcome:
    """Draw reviewers for every review of `instrument` allotted to `year` of `phase` that has
    none yet. Raises UsageError on bad arguments, NoValidDraw when no valid draw exists."""
    _check_instrument(instrument)
    cal = MechanismCalendar(snapshot.mechanism.year_one, phase_years)
    phases = sorted(p for p in phase_years if p >= 1)
    if phase not in phases:
        raise _usage(f"phase {phase} is not a review phase; the review phases are "
                     f"{', '.join(map(str, phases))}")
    first, last = phase_years[phase]
    if not first <= year <= last:
        raise _usage(f"year {year} is not in phase {phase} (years {first} to {last})")
    date = date or snapshot.as_of
    _check_date(cal, phase, date)
    most, _ = _params(params)
    lots = Lots(seed)
    d = _Drawing(snapshot, instrument, phase, most, date, lots)

    notes: list[str] = []
    todo: list[OpenReview] = []
    for r in sorted(snapshot.reviews, key=lambda r: r.id):
        if (r.instrument, r.phase, r.year) != (instrument, phase, year) or r.draw is not None:
            continue
        if r.state.kind != "state":
            notes.append(f"{r.id}: not drawn: {r.state.id} is an organization, neither "
                         "reviewed nor a reviewer (paras 18-21)")
        elif deferred_own_review(snapshot, r):
            notes.append(f"{r.id}: not drawn: {r.state.id} deferred its own review in year "
                         f"{year} (para 21)")
        else:
            todo.append(OpenReview(r.id, r.state, r.year))
    for r in todo:
        d.add(r)
    year_seats = list(d.open.values())
    ids = {r.id for r in todo}
    rest = [r for r in open_reviews_of_phase(snapshot, instrument, phase,
                                             cal.phase_start(phase))
            if r.id not in ids]
    for r in rest:
        d.add(r)
    # the year's seats are among the phase's: when the phase can be drawn, so can the year,
    # and the certificates (a max flow each) are needed only when it cannot
    later = None
    if not d.solve().complete:
        hall = hall_certificate(year_seats, d.capacity)
        if hall is not None:
            raise NoValidDraw(f"no valid draw exists for the {instrument}, phase {phase}, "
                              f"year {year}",
                              certify(snapshot, d.elig, todo, hall, most, phase))
        later = hall_certificate(list(d.open.values()), d.capacity)
    if later is not None:
        cert = certify(snapshot, d.elig, todo + rest, later, most, phase)
        notes.append("the rest of the phase cannot be drawn whatever these lots give ("
                     + ", ".join(cert.cites) + "); the lots keep only this year's draw "
                     "valid:")
        notes.extend("  " + line for line in cert.lines)
        for r in rest:
            d.remove(r)
        d.scope = f"year {year}"
    elif rest:
        notes.append(f"each lot keeps drawable the {len(rest)} other reviews of phase "
                     f"{phase} still without reviewers")

    order = lots.shuffle([r.id for r in todo], "order")
    by_id = {r.id: r for r in todo}
    all_lots: list[Lot] = []
    draws: list[NewDraw] = []
    for n, rid in enumerate(order, start=1):
        got, reviewers = d.draw_review(by_id[rid], n, "lot")
        all_lots.extend(got)
        draws.append(NewDraw(rid, date, tuple(reviewers), meeting_groups(instrument)))
    header = (
        f"date: {date}; seed: {seed}",
        f"at an intersessional meeting of {' and '.join(meeting_groups(instrument))}, open "
        "to all States parties (para 22)",
        f"max_reviews_performed: {most} per instrument and phase (para 21)",
        f"reviews to draw: {len(todo)}",
    )
    title = (f"Drawing of lots: {instrument}, phase {phase}, year {year} "
             f"({cal.calendar_year(year)})")
    transcript = Transcript(title, header, tuple(order), tuple(all_lots), tuple(notes))
    return Outcome(transcript, tuple(sorted(draws, key=lambda x: x.review)),
                   max(snapshot.as_of, date))


def repeat_draw(snapshot: Snapshot, params: dict, phase_years: dict[int, tuple[int, int]], *,
                review_id: str, requested_by: str, seed: str, exceptional: bool = False,
                date: dt.date | None = None) -> Outcome:
    """Repeat the lot for one review at the request of a State (para 20), keeping every
    other draw fixed. Raises Refused beyond para 20's limits."""
    reviews = {r.id: r for r in snapshot.reviews}
    review: Review | None = reviews.get(review_id)
    if review is None:
        raise _usage(f"unknown review '{review_id}'{did_you_mean(review_id, reviews)}")
    if requested_by not in snapshot.states:
        raise _usage(f"unknown State '{requested_by}'"
                     f"{did_you_mean(requested_by, snapshot.states)}")
    if review.draw is None:
        raise _usage(f"{review_id} has not been drawn: there is no drawing to repeat")
    most, max_requests = _params(params)
    old = tuple(s.id for s in review.draw.reviewers)
    entitled = (review.state.id,) + old
    if requested_by not in entitled:
        raise Refused(f"refused: only the State under review and the reviewing States may "
                      f"request a repetition (para 20); {requested_by} is none of "
                      f"{', '.join(entitled)}")
    redraws = {s.id: n for s, n in review.draw.redraws.items()}
    mine = redraws.get(requested_by, 0)
    if mine + 1 > max_requests:
        raise Refused(f"refused: {requested_by} has requested {mine} repetitions of the "
                      f"drawing for {review_id}; each State may request at most "
                      f"{max_requests} (para 20: max_redraw_requests)")
    total = sum(redraws.values())
    marked = bool(review.draw.exceptional_circumstances)
    if total + 1 > max_requests and not (exceptional or marked):
        raise Refused(f"refused: the drawing for {review_id} has been repeated {total} times; "
                      f"more than {max_requests} repetitions need exceptional circumstances "
                      "(para 20; record them with --exceptional)")
    cal = MechanismCalendar(snapshot.mechanism.year_one, phase_years)
    date = date or snapshot.as_of
    _check_date(cal, review.phase, date)
    if date < review.draw.date:
        raise _usage(f"the repetition's date {date} is before the drawing it repeats "
                     f"({review.draw.date})")
    lots = Lots(seed)
    d = _Drawing(snapshot, review.instrument, review.phase, most, date, lots, skip=(review_id,))
    me = OpenReview(review.id, review.state, review.year)
    d.add(me)
    if not d.solve().complete:
        raise Refused(f"refused: no valid draw exists for {review_id} on {date} "
                      "with every other draw fixed")
    rest = open_reviews_of_phase(snapshot, review.instrument, review.phase,
                                 cal.phase_start(review.phase))
    for r in rest:
        d.add(r)
    if not d.solve().complete:
        for r in rest:
            d.remove(r)
        d.scope = "this review"
    count = total + 1
    try:
        got, reviewers = d.draw_review(me, 1, f"repeat {review_id} {count}",
                                       avoid=frozenset(old))
    except _NoCandidate:  # only the pair drawn before was valid
        raise Refused(f"refused: the only valid draw for {review_id} is the pair drawn "
                      f"before ({', '.join(old)})") from None
    redraws[requested_by] = mine + 1
    meeting = None if review.draw.meeting is not None else meeting_groups(review.instrument)
    new = NewDraw(review_id, date, tuple(reviewers), meeting,
                  tuple(sorted(redraws.items())), exceptional or marked)
    header = (
        f"date: {date}; seed: {seed}",
        f"requested by {requested_by}: its request {mine + 1} of at most {max_requests}; "
        f"repetition {count} in all"
        + (" (exceptional circumstances recorded)" if count > max_requests else ""),
        f"drawn before: {', '.join(old)} on {review.draw.date}",
    )
    title = f"Repetition of the drawing of lots for {review_id} (para 20)"
    transcript = Transcript(title, header, (review_id,), tuple(got), ())
    return Outcome(transcript, (new,), max(snapshot.as_of, date))

