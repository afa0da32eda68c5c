"""The snapshot reference (docs/snapshot.md), written from the model's field specs so that
it cannot drift from what the loader accepts."""

from __future__ import annotations

from .model import CLASSES, INSTRUMENTS, fields_of
from .types import Entity, ListOf, MapOf

ORDER = ["Snapshot", "Mechanism", "State", "Treaty", "FocalPoint", "Expert", "Questionnaire",
         "Phase", "Allotment", "Review", "Draw", "Meeting", "Consultations", "Saq",
         "DeskReview", "CountryVisit", "Disclosure", "Report", "Release", "AccessRequest",
         "Translation", "FollowUp", "Deferral", "ConferenceDecision", "ConferenceSession",
         "Briefing", "Ngo", "NgoSummary", "Objection"]


def _type(t) -> str:
    if isinstance(t, Entity):
        return "State id" if t.name == "State" else f"[{t.name}](#{t.name.lower()})"
    if isinstance(t, ListOf):
        return f"list of {_type(t.item)}"
    if isinstance(t, MapOf):
        return f"mapping {_type(t.key)} → {_type(t.value)}"
    return str(t)


INTRO = ("the format is `revmech/snapshot@1` (design.md). An absent optional key means \"not "
         "recorded\". Dates are `YYYY-MM-DD`; State ids ISO 3166-1 alpha-3 (`EUU` for the "
         f"European Union); instruments: {', '.join(INSTRUMENTS)}.")


def snapshot_rows() -> list[tuple[str, list[tuple[str, str, bool, str]]]]:
    """Each model class, in ORDER, with its keys: (key, type in Markdown, required,
    meaning). The Markdown reference and the docs site are both written from this."""
    assert set(ORDER) == set(CLASSES), "every model class is documented"
    out = []
    for name in ORDER:
        rows = []
        for field, spec in fields_of(name).items():
            if spec.key:
                continue
            meaning = spec.doc
            if spec.choices:
                meaning += f" (one of: {', '.join(spec.choices)})"
            if spec.item:
                meaning += f"; rules name its items `{spec.item}`"
            key = "mechanism.year_one" if field == "year_one" else field
            shown = "mapping State id → [State](#state)" if (name, field) == (
                "Snapshot", "states") else _type(spec.type)
            rows.append((key, shown, spec.required, meaning))
        out.append((name, rows))
    return out


def snapshot_reference() -> str:
    out = ["# Snapshot reference", "",
           "Generated from `engine/model.py` (`python -m revmech.engine.schema_doc`); "
           + INTRO, ""]
    for name, rows in snapshot_rows():
        out += [f"## {name}", "", "| key | type | required | meaning |", "|---|---|---|---|"]
        for key, shown, required, meaning in rows:
            out.append(f"| `{key}` | {shown} | {'yes' if required else ''} | {meaning} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(snapshot_reference(), end="")
