"""Findings: what evaluating one rule on one binding concluded, with its witness.

A finding is complete and frozen: the rule and its citations, the subject (the ids the
rule ranged over), the status, the message, the witness (the values that decided it) and
the place in the snapshot it concerns. Its `id` (rule and subject values joined by `/`)
matches findings across runs and amendments.
"""

from __future__ import annotations

from typing import Any

import attrs

from .errors import Loc
from .records import frozen

FAILING = ("violated", "late", "overdue")
STATUSES = ("violated", "late", "overdue", "pending", "excepted", "waived", "passed")


@frozen
class Finding:
    rule: str
    cites: tuple[str, ...]
    severity: str  # error | warning
    status: str  # one of STATUSES
    subject: tuple[tuple[str, Any], ...]  # (binding name, id) in binding order
    message: str
    witness: tuple[tuple[str, Any], ...]  # (name, JSON value)
    location: Loc | None
    snapshot: str  # the snapshot file
    rule_index: int = attrs.field(default=0, repr=False)  # position in the rule set
    due: str | None = None  # ISO date, for deadlines
    reason: str | None = None  # what excused an excepted finding
    waiver: Any = None  # the waivers.Waiver that matched this finding, if any
    waiver_expired: bool = False  # the waiver had expired by the snapshot's as_of

    @property
    def id(self) -> str:
        return "/".join([self.rule] + [str(v) for _, v in self.subject])

    @property
    def failing(self) -> bool:
        return self.status in FAILING

    def sort_key(self):
        return (self.rule_index, tuple(_k(v) for _, v in self.subject))

    def to_json(self) -> dict:
        out: dict[str, Any] = {
            "id": self.id,
            "rule": self.rule,
            "cites": list(self.cites),
            "severity": self.severity,
            "status": self.status,
            "subject": {k: v for k, v in self.subject},
            "message": self.message,
            "witness": {k: v for k, v in self.witness},
            "location": ({"file": self.location.file, "line": self.location.line,
                          "column": self.location.column} if self.location else None),
        }
        if self.due is not None:
            out["due"] = self.due
        if self.reason is not None:
            out["reason"] = self.reason
        if self.waiver is not None:
            out["waiver"] = dict(self.waiver.to_json(), expired=self.waiver_expired)
        return out


def _k(v):
    return (0, v, "") if isinstance(v, int) and not isinstance(v, bool) else (1, 0, str(v))
