"""What several report formats share: where a finding is, its subject, the rule's text."""

from __future__ import annotations

from ..findings import Finding

DOCS_URL = "site/"  # where `revmech docs --out site` puts the generated documentation


def where(f: Finding) -> str:
    loc = f.location
    return f"{loc.file}:{loc.line}:{loc.column}" if loc else f.snapshot


def subject(f: Finding) -> str:
    return "/".join(str(v) for _, v in f.subject) or "-"


def subject_words(f: Finding) -> str:
    """`review PHL-convention-2`, `state BOL, instrument trafficking, phase 1`."""
    return ", ".join(f"{k} {v}" for k, v in f.subject) or "the snapshot"


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


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
    said = f"{one_line(w.justification)} (decided by {w.decided_by}; waiver at " \
           f"{w.loc.file}:{w.loc.line})"
    if f.waiver_expired:
        return f"waiver expired on {w.expires.isoformat()}: {said}"
    return f"waived until {w.expires.isoformat()}: {said}"


def unmatched_note(w) -> str:
    return (f"{w.loc.file}:{w.loc.line}:{w.loc.column}: waiver for {w.finding_id} matches "
            "no failing finding (stale or mistyped?)")
