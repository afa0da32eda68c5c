"""Briefing summaries (paras 3(b), 53(b)): counts per rule and paragraph, nothing more.

No State, review, expert or file is named, nothing is ordered by a count: rows follow the
paragraphs. A count that is not zero but below `min_count` could point at a State, so it
is shown only as "fewer than N".
"""

from __future__ import annotations

from collections import Counter

import attrs

from .check import Report
from .procedures import parse_id

COLUMNS = ("failing", "pending", "excepted", "waived")


def paragraph_key(cite: str) -> tuple:
    """The draft's order of a citation (procedures.parse_id); anything else after it."""
    return parse_id(cite) or (2, 0, cite, "")


@attrs.frozen
class Row:
    rule: str
    cites: tuple[str, ...]
    modality: str
    counts: tuple[tuple[str, int], ...]  # (column, count) in COLUMNS order

    def shown(self, column: str, min_count: int) -> int | str:
        n = dict(self.counts)[column]
        return f"fewer than {min_count}" if 0 < n < min_count else n


@attrs.frozen
class Summary:
    snapshots: int
    as_of: tuple[str, ...]  # distinct dates judged, sorted
    min_count: int
    rows: tuple[Row, ...]


def aggregate(report: Report, min_count: int = 3) -> Summary:
    counts: Counter = Counter()
    for f in report.findings:
        column = "failing" if f.failing else f.status
        if column in COLUMNS:
            counts[f.rule, column] += 1
    rules = sorted(report.rules,  # stable: rules citing the same paragraph keep their order
                   key=lambda r: paragraph_key(r.cites[0]) if r.cites else (3,))
    rows = tuple(Row(r.id, r.cites, r.modality,
                     tuple((c, counts[r.id, c]) for c in COLUMNS)) for r in rules)
    dates = tuple(sorted({s.as_of.isoformat() for s in report.snapshots}))
    return Summary(len(report.snapshots), dates, min_count, rows)
