"""The transcript of a drawing of lots, to be read out at the meeting, and the verdicts
of `draw --feasible`."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from ..draw import Outcome
from ..feasibility import Certificate, Verdict

WIDTH = 88


def _wrapped(prefix: str, names: Sequence[str], indent: str) -> list[str]:
    return textwrap.wrap(", ".join(names), WIDTH, initial_indent=prefix,
                         subsequent_indent=indent, break_on_hyphens=False)


def _lines(lines: Sequence[str], indent: str) -> list[str]:
    """Certificate lines under `indent`, each wrapped under its own indentation."""
    out = []
    for line in lines:
        own = indent + " " * (len(line) - len(line.lstrip()))
        out += textwrap.wrap(line.strip(), WIDTH, initial_indent=own,
                             subsequent_indent=own + "    ", break_on_hyphens=False)
    return out


def transcript(outcome: Outcome) -> str:
    t = outcome.transcript
    lines = [t.title, "=" * len(t.title)]
    lines += list(t.header)
    if t.notes:
        lines.append("")
        lines += _lines(t.notes, "")
    if len(t.order) > 1:
        lines += ["", "Order of the States under review (drawn by lot):"]
        lines += [f"  {n:>3}. {rid}" for n, rid in enumerate(t.order, start=1)]
    for lot in t.lots:
        k = len(lot.candidates)
        lines += ["", f"Lot {lot.label}: {lot.review}: {lot.seat}"]
        lines += _wrapped(f"  candidates ({k}): ", lot.candidates, "    ")
        lines.append(f"  drawn: number {lot.number + 1} of {k}: {lot.drawn}")
        for reason, who in lot.excluded:
            lines += textwrap.wrap(f"excluded: {reason}:", WIDTH, initial_indent="  ",
                                   subsequent_indent="    ")
            lines += _wrapped("    ", who, "    ")
    if outcome.draws:
        lines += ["", "Reviewers drawn:"]
        lines += [f"  {d.review}: {', '.join(d.reviewers)}" for d in outcome.draws]
    else:
        lines += ["", "Nothing to draw."]
    return "\n".join(lines) + "\n"


def certificate(what: str, cert: Certificate) -> str:
    lines = [f"{what} ({', '.join(cert.cites)}):"]
    lines += _lines(cert.lines, "  ")
    return "\n".join(lines) + "\n"


def verdicts(results: Sequence[Verdict]) -> str:
    lines = []
    for v in results:
        head = f"{v.instrument}, phase {v.phase}: "
        if v.feasible:
            todo = (f"{v.open_reviews} review{'s' if v.open_reviews != 1 else ''} to draw"
                    if v.open_reviews else "no review left to draw")
            lines.append(head + f"feasible ({todo})")
        else:
            lines.append(head + f"infeasible ({', '.join(v.certificate.cites)})")
            lines += _lines(v.certificate.lines, "  ")
    return "\n".join(lines) + "\n"
