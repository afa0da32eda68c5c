"""GitHub Actions workflow commands: one annotation per failing finding, on the snapshot
line of the object concerned; waived findings as notices with their justification;
unmatched waivers as warnings.

Escaping follows the runner's rules: in the message `%`, CR and LF; in properties also
`:` and `,`.
"""

from __future__ import annotations

from ..check import Report
from .common import one_line, subject, unmatched_note, waiver_note


def _data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(s: str) -> str:
    return _data(s).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, message: str, title: str, loc=None, file: str | None = None) -> str:
    props = []
    if loc is not None:
        props += [f"file={_prop(loc.file)}", f"line={loc.line}", f"col={loc.column}"]
    elif file is not None:
        props.append(f"file={_prop(file)}")
    props.append(f"title={_prop(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def render(report: Report, color: bool = False) -> str:
    lines = []
    for f in report.findings:
        if not (f.failing or f.status == "waived"):
            continue
        title = f"{f.rule} ({', '.join(f.cites)}): {f.status}"
        message = f"{subject(f)}: {one_line(f.message)}"
        note = waiver_note(f)
        if note:
            message += f" [{note}]"
        level = f.severity if f.failing else "notice"  # waived: shown, never hidden
        lines.append(_command(level, message, title, f.location, f.snapshot))
    for w in report.unmatched_waivers:
        lines.append(_command("warning", unmatched_note(w), "revmech: unmatched waiver",
                              w.loc))
    s = report.summary()
    lines.append(f"revmech: {s['error']} errors, {s['warning']} warnings, {s['pending']} "
                 f"pending, {s['excepted']} excepted, {s['waived']} waived, "
                 f"{s['passed']} passed")
    return "\n".join(lines) + "\n"
