"""What falls due: the deadlines of a report that are overdue, or due within a window.

A Secretariat officer's list for the coming weeks: every failing finding still waiting
for its fact (`overdue`), then every pending deadline whose date falls within the window,
in date order (then rule order, then ids: never by State).
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from .calendar import Duration
from .check import Report
from .errors import UsageError
from .findings import Finding

_WINDOW = re.compile(r"^\s*(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)\s*$")
_UNIT = {"d": "day", "w": "week", "m": "month", "y": "year"}


def parse_window(text: str) -> Duration:
    """`30d`, `4w`, `2m`, `1y` or `30 days`, `1 month`..."""
    m = _WINDOW.match(text)
    if not m:
        raise UsageError.at(f"--within: expected a period such as 30d, 4w, 2m or "
                            f"'30 days', got {text!r}")
    try:
        window = Duration(int(m.group(1)), _UNIT[m.group(2)[0]])
        if window.after(dt.date(2000, 1, 1)).year > 2100:
            raise OverflowError
    except (OverflowError, ValueError):
        raise UsageError.at(f"--within: {text!r} is too long: at most a hundred years") \
            from None
    return window


@attrs.frozen
class Deadline:
    due: dt.date
    overdue: bool
    finding: Finding
    as_of: dt.date

    @property
    def days(self) -> int:
        """Days from the snapshot's as_of to the due date (negative: overdue by)."""
        return (self.due - self.as_of).days


@attrs.frozen
class SnapshotDeadlines:
    file: str
    as_of: dt.date
    until: dt.date
    deadlines: tuple[Deadline, ...]

    @property
    def overdue(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.overdue]

    @property
    def upcoming(self) -> list[Deadline]:
        return [d for d in self.deadlines if not d.overdue]


def deadlines(report: Report, window: Duration) -> list[SnapshotDeadlines]:
    out = []
    for snap in report.snapshots:
        try:
            until = window.after(snap.as_of)
        except (OverflowError, ValueError):  # the window runs past the calendar's end
            until = dt.date.max
        found = []
        for f in snap.findings:
            if f.due is None:
                continue
            due = dt.date.fromisoformat(f.due)
            if f.status == "overdue":
                found.append(Deadline(due, True, f, snap.as_of))
            elif f.status == "pending" and snap.as_of <= due <= until:
                found.append(Deadline(due, False, f, snap.as_of))
        found.sort(key=lambda d: (d.due, d.finding.sort_key()))
        out.append(SnapshotDeadlines(snap.file, snap.as_of, until, tuple(found)))
    return out
