"""The human report: findings grouped by chapter of the procedures, then by rule.

Colour only when asked (the command line asks on a terminal, never with NO_COLOR).
"""

from __future__ import annotations

from itertools import groupby

import click

from ..check import Report
from ..findings import Finding
from .common import one_line, subject, summary_line, unmatched_note, waiver_note, where

STYLE = {
    "violated": "red", "late": "red", "overdue": "red", "pending": "yellow",
    "excepted": "cyan", "waived": "cyan", "passed": "green",
}


def _status(f: Finding, color: bool) -> str:
    label = f"{f.severity if f.failing else '':<7} {f.status:<8}"
    return click.style(label, fg=STYLE[f.status], bold=f.failing) if color else label


def render(report: Report, color: bool = False) -> str:
    lines: list[str] = []
    by_rule = {r.id: r for r in report.rules}
    chapter_of = lambda f: report.chapter_of(by_rule[f.rule])  # noqa: E731
    for snap in report.snapshots:
        lines.append(f"{one_line(snap.file)} (as of {snap.as_of.isoformat()})")
        if not snap.findings:
            lines.append("  no findings")
        for (section, title), chapter in groupby(snap.findings, key=chapter_of):
            lines.append("")
            heading = " ".join(x for x in (section, title) if x)
            lines.append(click.style(heading, bold=True) if color else heading)
            for rule_id, found in groupby(chapter, key=lambda f: f.rule):
                rule = by_rule[rule_id]
                lines.append(f"  {rule_id} ({', '.join(rule.cites)}; {rule.modality})")
                for f in found:
                    lines.append(f"    {_status(f, color)} {where(f)}  {subject(f)}")
                    lines.append(f"      {one_line(f.message)}")
                    note = waiver_note(f)
                    if note:
                        lines.append(f"      {note}")
        lines.append("")
    unmatched = report.unmatched_waivers
    lines += [unmatched_note(w) for w in unmatched] + ([""] if unmatched else [])
    lines.append(summary_line(report.summary()))
    return "\n".join(lines) + "\n"
