"""JUnit XML, as CI servers read it: one test suite per snapshot, one test case per rule;
a rule with failing findings is a failed test case whose text lists them.

Built with xml.etree (escaping is the library's business); no timestamps or durations,
so that the same input gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..check import Report
from .common import one_line, subject, waiver_note, where


def _line(f) -> str:
    out = f"{f.severity if f.failing else ''} {f.status} {subject(f)} at {where(f)}: " \
          f"{one_line(f.message)}".strip()
    note = waiver_note(f)
    return f"{out}\n    {note}" if note else out


def _classname(path: str) -> str:
    """CI servers split a classname at its dots into package and class: the snapshot's
    folders become the packages, its file name (dots made `_`) the class."""
    parts = [p for p in one_line(path).replace("\\", "/").split("/") if p not in ("", ".")]
    return ".".join(p.replace(".", "_") for p in parts) or "snapshot"


def render(report: Report, color: bool = False) -> str:
    rules = report.rules
    root = ET.Element("testsuites", name="revmech")
    total = failed = 0
    for snap in report.snapshots:
        by_rule: dict[str, list] = {}
        for f in snap.findings:
            by_rule.setdefault(f.rule, []).append(f)
        suite = ET.SubElement(root, "testsuite", name=one_line(snap.file),
                              tests=str(len(rules)))
        classname = _classname(snap.file)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="as_of", value=snap.as_of.isoformat())
        failures = 0
        for rule in rules:
            case = ET.SubElement(suite, "testcase",
                                 name=f"{rule.id} ({', '.join(rule.cites)})",
                                 classname=classname, file=one_line(snap.file))
            found = by_rule.get(rule.id, [])
            failing = [f for f in found if f.failing]
            if failing:
                failures += 1
                n = len(failing)
                first = failing[0]
                ET.SubElement(
                    case, "failure", type=rule.severity,
                    message=f"{n} failing finding{'s' if n != 1 else ''} of {rule.id} "
                            f"({', '.join(rule.cites)}): {one_line(first.message)}"
                ).text = "\n".join(_line(f) for f in failing) + "\n"
            others = [f for f in found if not f.failing]
            if others:
                ET.SubElement(case, "system-out").text = \
                    "\n".join(_line(f) for f in others) + "\n"
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total += len(rules)
        failed += failures
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
