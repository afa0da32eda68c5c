"""The drawing of lots as a problem: the reviewer slots to fill and who may fill them.

Paras 18-21 as the rules in rules/conduct.rules read them:

- two reviewers, neither the State under review (two-reviewers, para 18);
- each a State (not an organization) party to the instrument on the date of the drawing
  (reviewers-are-parties, paras 18, 52), with a governmental expert for the instrument on
  the list before that date and not withdrawn (experts-listed-before-draw and
  reviewers-have-experts, para 19);
- one from the regional group of the State under review, one from another group; a State
  with no group counts as "another group"; a State under review with no group has its
  regional rule excepted, so it needs any two distinct reviewers (reviewer-regional-groups,
  para 20, and the catalogue's reading);
- no State serves in a year it deferred serving (deferral-respected, para 21), and no more
  than `max_reviews_performed` reviews per instrument and phase (reviews-performed-range).

A review's open seats form one or two *slots*: `same` and `other` (one seat each) for a
State with a regional group, `any` (two seats, each reviewer at most once) without one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

import attrs

from .model import Review, Snapshot, State


@attrs.frozen
class Slot:
    review: str  # review id
    kind: str  # same | other | any
    need: int  # seats to fill: 1, or 2 for `any`
    pool: tuple[str, ...]  # State ids that may fill it before capacity is counted, sorted

    @property
    def key(self) -> tuple[str, str]:
        return (self.review, self.kind)


@attrs.frozen
class OpenReview:
    """A review to draw: a recorded review without reviewers, or (for the feasibility of a
    phase) a party at the start of the phase that has no review recorded yet."""

    id: str
    state: State
    year: int | None


def describe_slot(slot: Slot, group: str | None) -> str:
    if slot.kind == "same":
        return f"from its regional group ({group})"
    if slot.kind == "other":
        return "from another regional group"
    return "a reviewer from any group (it has no regional group)"


class Eligibility:
    """Who may review on `instrument` on `date`, with the reason each other State may not.

    Static reasons only (party, experts, deferrals, kind); capacity is counted by the
    caller, which knows the draws made so far.
    """

    def __init__(self, snapshot: Snapshot, instrument: str, date: dt.date):
        self.snapshot = snapshot
        self.instrument = instrument
        self.date = date
        with_experts = {e.state.id for e in snapshot.experts
                        if e.instrument == instrument and e.listed < date
                        and e.withdrawn is None}
        self._general: dict[str, str | None] = {}
        for sid, s in snapshot.states.items():
            treaty = s.instruments.get(instrument)
            if s.kind != "state":
                why = "an organization, neither reviewed nor a reviewer (paras 18-21)"
            elif treaty is None or treaty.status != "party" or treaty.since > date:
                why = f"not a party to the {instrument} on {date} (para 18)"
            elif sid not in with_experts:
                why = (f"no governmental expert for the {instrument} on the list before "
                       f"{date} (para 19)")
            else:
                why = None
            self._general[sid] = why
        self._deferred: dict[int, set[str]] = {}
        for d in snapshot.deferrals:
            if d.role == "reviewer" and d.instrument in (None, instrument):
                self._deferred.setdefault(d.year, set()).add(d.state.id)

    def reason(self, state_id: str, year: int | None) -> str | None:
        """Why `state_id` may not review in `year` (None: it may)."""
        why = self._general[state_id]
        if why is None and year is not None and state_id in self._deferred.get(year, ()):
            why = f"deferred serving as a reviewer in year {year} (para 21)"
        return why

    def slots(self, review: OpenReview) -> list[Slot]:
        s = review.state
        others = [x for x in sorted(self.snapshot.states) if x != s.id]
        ok = [x for x in others if self.reason(x, review.year) is None]
        group = s.regional_group
        if group is None:
            return [Slot(review.id, "any", 2, tuple(ok))]
        same = tuple(x for x in ok if self.snapshot.states[x].regional_group == group)
        other = tuple(x for x in ok if self.snapshot.states[x].regional_group != group)
        return [Slot(review.id, "same", 1, same), Slot(review.id, "other", 1, other)]

    def group_members(self, review: OpenReview, slot: Slot) -> list[str]:
        """Every State that the slot's regional rule admits, eligible or not, sorted."""
        group = review.state.regional_group
        out = []
        for x, st in sorted(self.snapshot.states.items()):
            if x == review.state.id:
                continue
            if slot.kind == "same" and st.regional_group != group:
                continue
            if slot.kind == "other" and st.regional_group == group:
                continue
            out.append(x)
        return out


def performed(snapshot: Snapshot, instrument: str, phase: int,
              skip: Iterable[str] = ()) -> Counter:
    """Reviews each State performs on `instrument` in `phase` by the draws recorded,
    counted as reviews-performed-range does (a State counts once per review)."""
    skipped = set(skip)
    n: Counter = Counter()
    for r in snapshot.reviews:
        if (r.instrument == instrument and r.phase == phase and r.draw is not None
                and r.id not in skipped):
            for x in {st.id for st in r.draw.reviewers}:
                n[x] += 1
    return n


def deferred_own_review(snapshot: Snapshot, review: Review) -> bool:
    """The State deferred its own review in the review's year (para 21, mutatis mutandis)."""
    return any(d.role == "under_review" and d.state is review.state and d.year == review.year
               and d.instrument in (None, review.instrument) for d in snapshot.deferrals)


def open_reviews_of_phase(snapshot: Snapshot, instrument: str, phase: int,
                          phase_start: dt.date) -> list[OpenReview]:
    """The reviews of the phase still to draw, by id, and a review for each State party at
    the start of the phase that has none recorded (para 21: every party is reviewed in each
    phase), as `STATE-INSTRUMENT-PHASE (not yet allotted)`."""
    out = [OpenReview(r.id, r.state, r.year)
           for r in snapshot.reviews
           if r.instrument == instrument and r.phase == phase and r.draw is None
           and r.state.kind == "state"]
    reviewed = {r.state.id for r in snapshot.reviews
                if r.instrument == instrument and r.phase == phase}
    for sid, s in sorted(snapshot.states.items()):
        t = s.instruments.get(instrument)
        if (s.kind == "state" and sid not in reviewed and t is not None
                and t.status == "party" and t.since < phase_start):
            out.append(OpenReview(f"{sid}-{instrument}-{phase} (not yet allotted)", s, None))
    return sorted(out, key=lambda o: o.id)
