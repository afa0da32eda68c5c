"""The JSON report (design.md, "Findings and the JSON report"): a contract; extend, never rename."""

from __future__ import annotations

import json

from ..check import Report

FORMAT = "revmech/report@1"


def as_dict(report: Report) -> dict:
    rs = report.ruleset
    out = {
        "format": FORMAT,
        "ruleset": {
            "rules": sum(1 for r in rs.rules if r.modality != "may"),
            "amendments": [a.title for a in rs.amendments],
        },
        "snapshots": [{"file": s.file, "as_of": s.as_of.isoformat()} for s in report.snapshots],
        "summary": report.summary(),
        "findings": [f.to_json() for f in report.findings],
    }
    if report.waivers:
        out["waivers"] = {"given": len(report.waivers),
                          "unmatched": [w.to_json() for w in report.unmatched_waivers]}
    return out


def render(report: Report, color: bool = False) -> str:
    return json.dumps(as_dict(report), indent=2, ensure_ascii=False) + "\n"
