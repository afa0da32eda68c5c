"""The amendment impact report: text, Markdown and JSON (design.md: revmech/amendment-impact@1)."""

from __future__ import annotations

import difflib
import json
from itertools import groupby

from ..impact import Impact
from ..values import to_text

FORMAT = "revmech/amendment-impact@1"


def as_dict(imp: Impact) -> dict:
    a = imp.amended
    rules = {"added": [], "replaced": [], "repealed": []}
    for c in a.rules:
        rules[c.kind].append(c.to_json())
    return {
        "format": FORMAT,
        "amendments": [{"title": x.title, "file": x.file} for x in a.amendments],
        "conflicts": [c.to_json() for c in a.conflicts],
        "parameters": [p.to_json() for p in a.parameters],
        "rules": rules,
        "snapshots": [{
            "file": s.file,
            "appeared": [f.to_json() for f in s.appeared],
            "disappeared": [f.to_json() for f in s.disappeared],
            "changed": [{"before": b.to_json(), "after": x.to_json()} for b, x in s.changed],
        } for s in imp.snapshots],
    }


def render_json(imp: Impact, color: bool = False) -> str:
    return json.dumps(as_dict(imp), indent=2, ensure_ascii=False) + "\n"


def _redline(before: str | None, after: str | None) -> list[str]:
    return list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                     "before", "after", lineterm="", n=2))[2:]


def _table_changes(before: dict, after: dict, path: str = "") -> list[str]:
    """The entries of a table (nested) that differ: `convention.prevention: 24, 25 -> 7, 9`."""
    out = []
    for k in list(before) + [k for k in after if k not in before]:
        here = f"{path}.{k}" if path else str(k)
        b, a = before.get(k), after.get(k)
        if isinstance(b, dict) and isinstance(a, dict):
            out += _table_changes(b, a, here)
        elif b is None:
            out.append(f"{here}: added: {to_text(a)}")
        elif a is None:
            out.append(f"{here}: removed (was {to_text(b)})")
        elif to_text(b) != to_text(a):
            out.append(f"{here}: {to_text(b)} -> {to_text(a)}")
    return out


def _cites(imp: Impact, rule_id: str) -> str:
    for rs in (imp.amended.ruleset, imp.amended.base):
        r = rs.rule(rule_id)
        if r is not None:
            return ", ".join(r.cites)
    return ""


def _lines(imp: Impact, md: bool) -> list[str]:
    a = imp.amended
    h1, h2, h3 = ("# ", "## ", "### ") if md else ("", "", "  ")
    bullet = "- " if md else "  "
    out = [f"{h1}Impact of {len(a.amendments)} amendment{'s' if len(a.amendments) != 1 else ''}",
           ""]
    for x in a.amendments:
        when = f", effective for reviews drawn from {x.effective}" if x.effective else ""
        out.append(f"{bullet}{x.title} (proposed by {x.proposed_by}; {x.file}{when})")
        if x.rationale:
            out.append(f"{'  ' if md else '    '}{' '.join(x.rationale.split())}")
    if a.conflicts:
        out += ["", f"{h2}Conflicts (the later amendment wins)", ""]
        out += [f"{bullet}{c.kind} {c.name}: {c.first}, then {c.later}" for c in a.conflicts]
    out += ["", f"{h2}Parameters", ""]
    if not a.parameters:
        out.append(f"{bullet}no change")
    for p in a.parameters:
        name = f"`{p.name}`" if md else p.name
        if isinstance(p.before, dict) and isinstance(p.after, dict):
            out.append(f"{bullet}{name} ({', '.join(p.cites)}), entries that change:")
            out += [f"{'  - ' if md else '      '}{line}"
                    for line in _table_changes(p.before, p.after)]
        else:
            out.append(f"{bullet}{name} ({', '.join(p.cites)}): "
                       f"{to_text(p.before)} -> {to_text(p.after)}")
    out += ["", f"{h2}Rules", ""]
    if not a.rules:
        out.append(f"{bullet}no change")
    for c in a.rules:
        out.append(f"{h3}{c.kind} {c.id}" + (f" ({_cites(imp, c.id)})" if _cites(imp, c.id)
                                              else ""))
        diff = _redline(c.before, c.after)
        if md:
            out += ["", "```diff", *diff, "```", ""]
        else:
            out += [f"    {d}" for d in diff] + [""]
    for s in imp.snapshots:
        out += ["", f"{h2}{s.file} (as of {s.as_of})", ""]
        if not (s.appeared or s.disappeared or s.changed):
            out.append(f"{bullet}no finding appears, disappears or changes")
        for title, found in (("appear", s.appeared), ("disappear", s.disappeared)):
            if found:
                out.append(f"{h3}{len(found)} failing finding{'s' if len(found) != 1 else ''} "
                           f"{title}{'s' if len(found) == 1 else ''}")
                for rule, group in groupby(found, key=lambda f: f.rule):
                    group = list(group)
                    out.append(f"{bullet}{rule} ({_cites(imp, rule)}): {len(group)}")
                    for f in group:
                        out.append(f"{'  - ' if md else '      '}{f.id} ({f.status}): "
                                   f"{f.message}")
        if s.changed:
            out.append(f"{h3}{len(s.changed)} failing finding"
                       f"{'s' if len(s.changed) != 1 else ''} change")
            for b, x in s.changed:
                out.append(f"{bullet}{x.id}: {b.severity} {b.status} -> {x.severity} "
                           f"{x.status}")
    return out


def render_text(imp: Impact, color: bool = False) -> str:
    return "\n".join(_lines(imp, md=False)).rstrip() + "\n"


def render_markdown(imp: Impact, color: bool = False) -> str:
    return "\n".join(_lines(imp, md=True)).rstrip() + "\n"


FORMATS = {"text": render_text, "json": render_json, "markdown": render_markdown}
