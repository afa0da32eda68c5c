"""Reports for `revmech trace`: the draft's paragraphs, each with the rules that encode it
or the reason it is not encoded, and the problems found (text, Markdown, JSON).
"""

from __future__ import annotations

import json
import textwrap
from itertools import groupby

import click

from ..procedures import Trace, TraceEntry, TraceProblem

TRACE_FORMAT = "revmech/trace@1"
WIDTH = 100


def _rules(entry: TraceEntry) -> str:
    return ", ".join(f"{r} ({m})" for r, m in zip(entry.rules, entry.modalities))


def _summary_line(trace: Trace) -> str:
    s = trace.summary()
    parts = [f"{s['entries']} entries", f"{s['encoded']} encoded",
             f"{s['not_encoded']} not encoded"]
    if s["unaccounted"]:
        parts.append(f"{s['unaccounted']} unaccounted for")
    if s["conflict"]:
        parts.append(f"{s['conflict']} both encoded and not")
    n = s["problems"]
    return ", ".join(parts) + f"; {n} problem{'s' if n != 1 else ''}"


ID_WIDTH = 16  # longer ids (the appendices') stand on a line of their own


def _wrapped(text: str, indent: int) -> list[str]:
    pad = " " * indent
    return textwrap.wrap(text, width=WIDTH, initial_indent=pad, subsequent_indent=pad + "  ",
                         break_long_words=False, break_on_hyphens=False)


def render_text(trace: Trace, color: bool = False) -> str:
    def style(s: str, **kw) -> str:
        return click.style(s, **kw) if color else s

    problem = style("PROBLEM", fg="red", bold=True)
    indent = 2 + ID_WIDTH + 2
    lines = [f"Traceability of the draft procedures ({trace.registry.file}; "
             f"{trace.rule_count} rules)"]
    for section, entries in groupby(trace.entries, key=lambda e: e.paragraph.section):
        lines.append("")
        lines.append(style(section, bold=True))
        for e in entries:
            p = e.paragraph
            if e.status == "encoded":
                body = _wrapped(_rules(e), indent)
            elif e.status == "not_encoded":
                body = _wrapped("not encoded: " + p.not_encoded, indent)
            elif e.status == "conflict":
                body = _wrapped(_rules(e), indent) + \
                    [" " * indent + problem + ": it also has a not_encoded reason"]
            else:
                body = [" " * indent + problem + ": no rule encodes it and no reason is given"]
            if p.partly and e.rules:
                body += _wrapped("partly: " + p.partly, indent)
            if len(p.id) <= ID_WIDTH:
                body[0] = f"  {p.id:<{ID_WIDTH}}  " + body[0][indent:]
            else:
                lines.append(f"  {p.id}")
            lines.extend(body)
    if trace.problems:
        lines.append("")
        lines.append(style("Problems", bold=True))
        for q in trace.problems:
            lines.append(q.render())
    lines.append("")
    lines.append(_summary_line(trace))
    return "\n".join(lines) + "\n"


def _md(s: str) -> str:
    return " ".join(s.split()).replace("|", "\\|")


def render_markdown(trace: Trace, color: bool = False) -> str:
    lines = ["# Traceability of the draft procedures", "",
             f"Every paragraph of the draft ({trace.registry.file}), the rules that encode it, "
             "or the reason it is not encoded.", "",
             "| Paragraph | Section | Encoded by | Not encoded, or left out |",
             "|---|---|---|---|"]
    for e in trace.entries:
        p = e.paragraph
        rules = ", ".join(f"`{r}` ({m})" for r, m in zip(e.rules, e.modalities))
        if e.status == "unaccounted":
            rules = "**problem: no rule and no reason**"
        why = _md(p.not_encoded) if p.not_encoded else ""
        if e.status == "conflict":
            why = "**problem: encoded, yet** " + why
        if p.partly and e.rules:
            why = "partly: " + _md(p.partly)
        lines.append(f"| {_md(p.id)} | {_md(p.section)} | {rules} | {why} |")
    if trace.problems:
        lines += ["", "## Problems", ""]
        for q in trace.problems:
            where = f"`{q.loc}`: " if q.loc else ""
            lines.append(f"- {where}{_md(q.message)}")
    lines += ["", _summary_line(trace)]
    return "\n".join(lines) + "\n"


def _problem_json(q: TraceProblem) -> dict:
    out: dict = {"kind": q.kind, "message": q.message}
    for key in ("paragraph", "rule", "parameter"):
        if getattr(q, key) is not None:
            out[key] = getattr(q, key)
    if q.loc is not None:
        out["location"] = {"file": q.loc.file, "line": q.loc.line, "column": q.loc.column}
    return out


def render_json(trace: Trace, color: bool = False) -> str:
    paragraphs = []
    for e in trace.entries:
        p = e.paragraph
        item: dict = {"id": p.id, "section": p.section, "status": e.status,
                      "rules": [{"rule": r, "modality": m}
                                for r, m in zip(e.rules, e.modalities)]}
        if p.not_encoded is not None:
            item["not_encoded"] = p.not_encoded
        if p.partly is not None:
            item["partly"] = p.partly
        item["text"] = p.text
        paragraphs.append(item)
    doc = {"format": TRACE_FORMAT, "registry": trace.registry.file,
           "rules": trace.rule_count, "ok": trace.ok, "summary": trace.summary(),
           "paragraphs": paragraphs,
           "problems": [_problem_json(q) for q in trace.problems]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": render_text, "markdown": render_markdown, "json": render_json}
