"""What several report formats share: where a finding is, its subject, the rule's text."""

from __future__ import annotations

import re

from ..findings import Finding

def where(f: Finding) -> str:
    loc = f.location
    return one_line(f"{loc.file}:{loc.line}:{loc.column}" if loc else f.snapshot)


def subject(f: Finding) -> str:
    return one_line("/".join(str(v) for _, v in f.subject)) or "-"


def subject_words(f: Finding) -> str:
    """`review PHL-convention-2`, `state BOL, instrument trafficking, phase 1`."""
    return one_line(", ".join(f"{k} {v}" for k, v in f.subject)) or "the snapshot"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def summary_line(s: dict, strong=lambda text: text) -> str:
    """`5 errors, 1 warning, ...` from Report.summary(); `strong` marks the first two."""
    def n(what: str) -> str:
        return f"{s[what]} {what}{'s' if s[what] != 1 else ''}"
    return (f"{strong(n('error'))}, {strong(n('warning'))}, {s['pending']} pending, "
            f"{s['excepted']} excepted, {s['waived']} waived, {s['passed']} passed")


def one_line(text: str | None) -> str:
    """Text on one line, with control characters (which snapshot text may hold, written
    as YAML escapes) shown as \\xNN: they would corrupt a terminal, a CI log or XML."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", " ".join((text or "").split()))


_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # with [] escaped, () cannot make a link


def esc(text: str) -> str:
    """Text from the rules (ids, citations) that Markdown shows as written."""
    return _SPECIAL.sub(r"\\\1", one_line(text))


def version() -> str:
    import importlib.metadata  # for SARIF only: a costly import on every run otherwise

    try:
        return importlib.metadata.version("revmech")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "0"


def rule_page(docs_url: str, rule_id: str) -> str:
    return f"{docs_url.rstrip('/')}/rules/{rule_id}.html"


def waiver_note(f: Finding) -> str | None:
    """The line that says why a finding is waived, or that its waiver has expired."""
    w = f.waiver
    if w is None:
        return None
    said = f"{w.justification} (decided by {w.decided_by}; waiver at {w.loc.file}:{w.loc.line})"
    if f.waiver_expired:
        return one_line(f"waiver expired on {w.expires.isoformat()}: {said}")
    return one_line(f"waived until {w.expires.isoformat()}: {said}")


def unmatched_note(w) -> str:
    return one_line(f"{w.loc.file}:{w.loc.line}:{w.loc.column}: waiver for {w.finding_id} "
                    "matches no failing finding (stale or mistyped?)")
