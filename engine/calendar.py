"""Durations, calendar arithmetic and the mechanism's calendar.

End-of-month rule: adding months keeps the day of the month and clamps it to the last day
of the target month ("3 months after 31 May" is 31 August; "3 months after 30 November"
is 28 or 29 February). Years are twelve months, weeks seven days.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re

import attrs

from .records import frozen
_DURATION = re.compile(r"^\s*(\d+)\s+(day|week|month|year)s?\s*$")


@frozen
class Duration:
    amount: int
    unit: str  # day | week | month | year

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"

    @classmethod
    def parse(cls, text: str) -> "Duration | None":
        m = _DURATION.match(text)
        return cls(int(m.group(1)), m.group(2)) if m else None

    def after(self, date: dt.date) -> dt.date:
        return shift(date, self, +1)

    def before(self, date: dt.date) -> dt.date:
        return shift(date, self, -1)


def add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + (date.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(date.day, _cal.monthrange(year, month)[1])
    return dt.date(year, month, day)


def shift(date: dt.date, duration: Duration, sign: int) -> dt.date:
    n = duration.amount * sign
    if duration.unit == "day":
        return date + dt.timedelta(days=n)
    if duration.unit == "week":
        return date + dt.timedelta(weeks=n)
    if duration.unit == "month":
        return add_months(date, n)
    return add_months(date, 12 * n)


@frozen
class MechanismCalendar:
    """Mechanism years are calendar years counted from `year_one`; phases span years.

    `phase_years` maps a phase number (0: the preparatory phase) to its first and last
    mechanism year, from the parameter of the same name.
    """

    year_one: int
    phase_years: dict[int, tuple[int, int]] = attrs.field(hash=False)

    def calendar_year(self, mechanism_year: int) -> int:
        return self.year_one + mechanism_year - 1

    def mechanism_year(self, date: dt.date) -> int:
        return date.year - self.year_one + 1

    def year_start(self, mechanism_year: int) -> dt.date:
        return dt.date(self.calendar_year(mechanism_year), 1, 1)

    def year_end(self, mechanism_year: int) -> dt.date:
        return dt.date(self.calendar_year(mechanism_year), 12, 31)

    def phase_of_year(self, mechanism_year: int) -> int | None:
        for phase, (first, last) in sorted(self.phase_years.items()):
            if first <= mechanism_year <= last:
                return phase
        return None

    def phase_start(self, phase: int) -> dt.date | None:
        years = self.phase_years.get(phase)
        return self.year_start(years[0]) if years else None

    def phase_end(self, phase: int) -> dt.date | None:
        years = self.phase_years.get(phase)
        return self.year_end(years[1]) if years else None
