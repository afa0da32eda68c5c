"""Markdown, for a pull-request comment or a note: a summary line, then per snapshot the
failing findings grouped by rule, and the rest (pending, excepted, waived) folded away.
"""

from __future__ import annotations

import re
from itertools import groupby

from ..check import Report
from .common import (esc, one_line, subject, summary_line, unmatched_note, waiver_note,
                     where)


def code(text: str) -> str:
    """Data (messages, ids, file names) as an inline code span: nothing inside one is
    read as Markdown or HTML (no links, autolinks, mentions, emphasis). The fence is
    longer than any run of backticks in the text, as CommonMark allows."""
    text = one_line(text)
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _summary(report: Report) -> str:
    return summary_line(report.summary(), strong=lambda text: f"**{text}**")


def _item(f) -> list[str]:
    status = f"{f.severity} {f.status}" if f.failing else f.status
    out = [f"- **{status}** {code(subject(f))} at {code(where(f))}: {code(f.message)}"]
    note = waiver_note(f)
    if note:
        out.append(f"  - {code(note)}")
    return out


def _by_rule(report: Report, found) -> list[str]:
    out = []
    for rule_id, group in groupby(found, key=lambda f: f.rule):
        rule = report.rule(rule_id)
        out.append(f"#### `{rule_id}` ({esc(', '.join(rule.cites))}; {rule.modality})")
        out.append("")
        for f in group:
            out += _item(f)
        out.append("")
    return out


def render(report: Report, color: bool = False) -> str:
    out = ["## revmech check", "", _summary(report), ""]
    for snap in report.snapshots:
        out += [f"### {code(snap.file)} (as of {snap.as_of.isoformat()})", ""]
        failing = [f for f in snap.findings if f.failing]
        rest = [f for f in snap.findings if not f.failing]
        if not failing:
            out += ["No failing finding.", ""]
        out += _by_rule(report, failing)
        if rest:
            out += ["<details>", f"<summary>{len(rest)} other finding"
                    f"{'s' if len(rest) != 1 else ''} (pending, excepted, waived"
                    f"{', passed' if report.all else ''})</summary>", ""]
            out += _by_rule(report, rest)
            out += ["</details>", ""]
    unmatched = report.unmatched_waivers
    if unmatched:
        out += ["### Waivers that match no failing finding", ""]
        out += [f"- {code(unmatched_note(w))}" for w in unmatched]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
