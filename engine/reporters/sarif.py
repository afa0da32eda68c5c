"""SARIF 2.1.0 (OASIS), for code-scanning pages: the rules as reporting descriptors with
the paragraph they encode and a link to their page in the generated documentation; each
finding a result on the snapshot line of the object concerned.

Statuses map onto SARIF's result kinds: failing findings are `fail` at the rule's level;
pending ones `open`; excepted ones `pass` (the rule's own exception applies); waived ones
`fail` with an accepted external suppression carrying the justification; passed ones
(with --all) `pass`.
"""

from __future__ import annotations

import functools
import json
from pathlib import PurePosixPath
from urllib.parse import quote

from ..check import Report
from .common import one_line, rule_page, version

DOCS_PAGE = "rules/{id}.html of the site `revmech docs --out DIR` writes"

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
KIND = {"violated": "fail", "late": "fail", "overdue": "fail", "waived": "fail",
        "pending": "open", "excepted": "pass", "passed": "pass"}


@functools.lru_cache(maxsize=None)  # a few distinct files, thousands of results
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


def _physical(file: str, loc=None) -> dict:
    out: dict = {"artifactLocation": {"uri": _uri(file)}}
    if loc is not None:
        out["region"] = {"startLine": loc.line, "startColumn": loc.column}
    return {"physicalLocation": out}


def _result(f, index: int) -> dict:
    j = f.to_json()
    kind = KIND[f.status]
    out = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "kind": kind,
        "level": f.severity if kind == "fail" else "none",
        "message": {"text": one_line(f.message)},
        "locations": [_physical(f.location.file if f.location else f.snapshot, f.location)],
        "partialFingerprints": {"revmechFindingId/v1": f.id},
        "properties": {k: j[k] for k in ("status", "cites", "subject", "witness", "due",
                                         "reason", "waiver") if k in j},
    }
    if f.waiver is not None and not f.waiver_expired:
        w = f.waiver
        out["suppressions"] = [{
            "kind": "external", "status": "accepted",
            "justification": f"{one_line(w.justification)} (decided by "
                             f"{w.decided_by}; expires {w.expires.isoformat()})",
            "location": _physical(w.loc.file, w.loc),
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
              "locations": [_physical(w.loc.file, w.loc)]}
             for w in report.unmatched_waivers]
    if notes:
        run["invocations"] = [{"executionSuccessful": True,
                               "toolExecutionNotifications": notes}]
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, color: bool = False, docs_url: str | None = None) -> str:
    """`docs_url`: the absolute URL where `revmech docs` output is published; SARIF
    requires help links to be absolute, so without it they are left out."""
    return json.dumps(as_dict(report, docs_url), indent=2, ensure_ascii=False) + "\n"
