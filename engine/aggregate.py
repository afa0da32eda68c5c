"""Briefing summaries (paras 3(b), 53(b)): counts per rule and paragraph, nothing more.

No State, review, expert or file is named, nothing is ordered by a count: rows follow the
paragraphs. A count that is not zero but below `min_count` could point at a State, so it
is shown only as "fewer than N".
"""

from __future__ import annotations

import re
from collections import Counter

import attrs

from .check import Report

COLUMNS = ("failing", "pending", "excepted", "waived")
_PARA = re.compile(r"^para (\d+)(.*)$")


def paragraph_key(cite: str) -> tuple:
    m = _PARA.match(cite)
    return (0, int(m.group(1)), m.group(2)) if m else (1, 0, cite)


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
    rules = list(enumerate(report.rules))
    rules.sort(key=lambda ir: (paragraph_key(ir[1].cites[0]) if ir[1].cites else (2,), ir[0]))
    rows = tuple(Row(r.id, r.cites, r.modality,
                     tuple((c, counts[r.id, c]) for c in COLUMNS)) for _, r in rules)
    dates = tuple(sorted({s.as_of.isoformat() for s in report.snapshots}))
    return Summary(len(report.snapshots), dates, min_count, rows)
