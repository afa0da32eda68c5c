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


def snapshot_reference() -> str:
    assert set(ORDER) == set(CLASSES), "every model class is documented"
    out = ["# Snapshot reference", "",
           "Generated from `engine/model.py` (`python -m revmech.engine.schema_doc`); the "
           "format is `revmech/snapshot@1` (design.md). An absent optional key means \"not "
           "recorded\". Dates are `YYYY-MM-DD`; State ids ISO 3166-1 alpha-3 (`EUU` for the "
           f"European Union); instruments: {', '.join(INSTRUMENTS)}.", ""]
    for name in ORDER:
        out += [f"## {name}", "", "| key | type | required | meaning |", "|---|---|---|---|"]
        for field, spec in fields_of(name).items():
            if spec.key:
                continue
            meaning = spec.doc
            if spec.choices:
                meaning += f" (one of: {', '.join(spec.choices)})"
            if spec.item:
                meaning += f"; rules name its items `{spec.item}`"
            key = "`mechanism.year_one`" if field == "year_one" else f"`{field}`"
            shown = "mapping State id → [State](#state)" if (name, field) == (
                "Snapshot", "states") else _type(spec.type)
            out.append(f"| {key} | {shown} | {'yes' if spec.required else ''} | "
                       f"{meaning} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(snapshot_reference(), end="")
