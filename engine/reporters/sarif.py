"""SARIF 2.1.0 (OASIS), for code-scanning pages: the rules as reporting descriptors with
the paragraph they encode and a link to their page in the generated documentation; each
finding a result on the snapshot line of the object concerned.

Statuses map onto SARIF's result kinds: failing findings are `fail` at the rule's level;
pending ones `open`; excepted ones `pass` (the rule's own exception applies); waived ones
`fail` with an accepted external suppression carrying the justification; passed ones
(with --all) `pass`.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from urllib.parse import quote

from ..check import Report
from .common import one_line, rule_page, version

DOCS_PAGE = "rules/{id}.html of the site `revmech docs --out DIR` writes"

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
KIND = {"violated": "fail", "late": "fail", "overdue": "fail", "waived": "fail",
        "pending": "open", "excepted": "pass", "passed": "pass"}


def _uri(path: str) -> str:
    """A relative path as a relative reference (SARIF allows them for artifacts); an
    absolute one as a file: URI."""
    p = PurePosixPath(path.replace("\\", "/"))
    return p.as_uri() if p.is_absolute() else quote(p.as_posix())


def _descriptor(rule, docs_url: str | None) -> dict:
    cites = ", ".join(rule.cites)
    text = one_line(rule.text) or f"{rule.id} ({cites})"
    notes = " ".join(one_line(n) for n in rule.notes)
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": f"{rule.id} ({cites}; {rule.modality})"},
        "fullDescription": {"text": text},
        "help": {"text": f"{cites}: {text}" + (f"\nReading: {notes}" if notes else "")
                 + f"\nDocumentation: {DOCS_PAGE.format(id=rule.id)}"},
        **({"helpUri": rule_page(docs_url, rule.id)} if docs_url else {}),
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"cites": list(rule.cites), "modality": rule.modality},
    }


def _result(f, index: int) -> dict:
    out = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "kind": KIND[f.status],
        "level": f.severity if f.status in ("violated", "late", "overdue", "waived")
        else "none",
        "message": {"text": one_line(f.message)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(f.location.file if f.location else f.snapshot)},
            **({"region": {"startLine": f.location.line,
                           "startColumn": f.location.column}} if f.location else {}),
        }}],
        "partialFingerprints": {"revmechFindingId/v1": f.id},
        "properties": {"status": f.status, "cites": list(f.cites),
                       "subject": {k: v for k, v in f.subject},
                       "witness": {k: v for k, v in f.witness}},
    }
    if f.due is not None:
        out["properties"]["due"] = f.due
    if f.reason is not None:
        out["properties"]["reason"] = f.reason
    if f.waiver is not None:
        w = f.waiver
        out["properties"]["waiver"] = dict(w.to_json(), expired=f.waiver_expired)
        if not f.waiver_expired:
            out["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": f"{one_line(w.justification)} (decided by "
                                 f"{w.decided_by}; expires {w.expires.isoformat()})",
                "location": {"physicalLocation": {
                    "artifactLocation": {"uri": _uri(w.loc.file)},
                    "region": {"startLine": w.loc.line, "startColumn": w.loc.column}}},
            }]
    return out


def as_dict(report: Report, docs_url: str | None = None) -> dict:
    rules = report.rules
    index = {r.id: i for i, r in enumerate(rules)}
    run = {
        "tool": {"driver": {
            "name": "revmech",
            "version": version(),
            **({"informationUri": f"{docs_url.rstrip('/')}/index.html"} if docs_url else {}),
            "rules": [_descriptor(r, docs_url) for r in rules],
        }},
        "artifacts": [{"location": {"uri": _uri(s.file)}} for s in report.snapshots],
        "results": [_result(f, index[f.rule]) for f in report.findings],
        "properties": {"snapshots": [{"file": s.file, "as_of": s.as_of.isoformat()}
                                     for s in report.snapshots],
                       "summary": report.summary()},
    }
    notes = [{"level": "warning", "descriptor": {"id": "unmatched-waiver"},
              "message": {"text": f"waiver for {w.finding_id} matches no failing finding"},
              "locations": [{"physicalLocation": {
                  "artifactLocation": {"uri": _uri(w.loc.file)},
                  "region": {"startLine": w.loc.line, "startColumn": w.loc.column}}}]}
             for w in report.unmatched_waivers]
    if notes:
        run["invocations"] = [{"executionSuccessful": True,
                               "toolExecutionNotifications": notes}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, docs_url: str | None = None) -> str:
    """`docs_url`: the absolute URL where `revmech docs` output is published; SARIF
    requires help links to be absolute, so without it they are left out."""
    return json.dumps(as_dict(report, docs_url), indent=2, ensure_ascii=False) + "\n"
