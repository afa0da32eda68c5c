"""Briefing summaries as text, Markdown and JSON: counts per rule only (engine/aggregate)."""

from __future__ import annotations

import json

from ..aggregate import COLUMNS, Summary

FORMAT = "revmech/briefing@1"


def _head(s: Summary) -> list[str]:
    n = s.snapshots
    small = (f"a count from 1 to {s.min_count - 1} is shown as \"fewer than {s.min_count}\"."
             if s.min_count > 2 else
             "a count of 1 is shown as \"fewer than 2\"." if s.min_count == 2 else
             "every count is shown as it is (--min-count 1).")
    return [f"Counts of findings per paragraph and rule, over {n} snapshot"
            f"{'s' if n != 1 else ''} as of {', '.join(s.as_of)}.",
            f"No State is named; {small}"]


def render_text(s: Summary) -> str:
    table = [("paragraph", "rule", *COLUMNS)]
    table += [(", ".join(r.cites), r.rule, *(str(r.shown(c, s.min_count)) for c in COLUMNS))
              for r in s.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = _head(s) + [""]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
              for row in table]
    return "\n".join(lines) + "\n"


def render_markdown(s: Summary) -> str:
    lines = ["## Findings per paragraph", ""] + _head(s) + [""]
    lines.append("| paragraph | rule | " + " | ".join(COLUMNS) + " |")
    lines.append("|---|---|" + "---:|" * len(COLUMNS))
    for r in s.rows:
        lines.append(f"| {', '.join(r.cites)} | `{r.rule}` | "
                     + " | ".join(str(r.shown(c, s.min_count)) for c in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def render_json(s: Summary) -> str:
    return json.dumps({
        "format": FORMAT, "snapshots": s.snapshots, "as_of": list(s.as_of),
        "min_count": s.min_count,
        "rules": [{"rule": r.rule, "cites": list(r.cites), "modality": r.modality,
                   **{c: r.shown(c, s.min_count) for c in COLUMNS}} for r in s.rows],
    }, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"text": render_text, "markdown": render_markdown, "json": render_json}
