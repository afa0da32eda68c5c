"""The `revmech deadlines` report: text for people, JSON for tools."""

from __future__ import annotations

import json

from ..deadlines import Deadline, SnapshotDeadlines
from .common import one_line, subject_words, where

FORMAT = "revmech/deadlines@1"


def _when(d: Deadline) -> str:
    n = abs(d.days)
    days = f"{n} day{'s' if n != 1 else ''}"
    if d.overdue:
        return f"overdue by {days}"
    return "due today" if n == 0 else f"due in {days}"


def render_text(result: list[SnapshotDeadlines], window) -> str:
    lines = []
    for s in result:
        lines.append(f"{s.file} (as of {s.as_of.isoformat()}): {len(s.overdue)} overdue, "
                     f"{len(s.upcoming)} due within {window} (by {s.until.isoformat()})")
        for title, group in (("Overdue", s.overdue),
                             (f"Due within {window}", s.upcoming)):
            lines += ["", f"  {title}:"]
            if not group:
                lines.append("    none")
            for d in group:
                f = d.finding
                lines.append(f"    {d.due.isoformat()}  {_when(d)}  {', '.join(f.cites)}  "
                             f"{f.rule}  {subject_words(f)}")
                lines.append(f"      {one_line(f.message)}")
                lines.append(f"      at {where(f)}")
        lines.append("")
    return "\n".join(lines)


def render_json(result: list[SnapshotDeadlines], window) -> str:
    return json.dumps({
        "format": FORMAT,
        "within": str(window),
        "snapshots": [{
            "file": s.file, "as_of": s.as_of.isoformat(), "until": s.until.isoformat(),
            "deadlines": [dict(d.finding.to_json(), due=d.due.isoformat(),
                               overdue=d.overdue, days=d.days) for d in s.deadlines],
        } for s in result],
    }, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": render_text, "json": render_json}
