"""The report formats of `revmech check`, `--output`, waivers, briefing summaries,
`revmech deadlines` and `revmech explain`, through the command line."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from junitparser import Failure, JUnitXml

from revmech.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLEAN = "fixtures/sample-cycle.yaml"
PLANTED = "fixtures/sample-planted.yaml"
WAIVERS = "fixtures/waivers/sample-planted.yaml"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REVMECH_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("NO_COLOR", raising=False)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}"


@pytest.fixture(scope="module")
def planted_json():
    with pytest.MonkeyPatch.context() as m:
        m.chdir(ROOT)
        return json.loads(run("check", PLANTED, "--format", "json",
                              "--waivers", WAIVERS).output)


# ---- formats ---------------------------------------------------------------------------


def test_junit_is_read_by_a_junit_parser(planted_json):
    r = run("check", PLANTED, "--format", "junit", "--waivers", WAIVERS)
    assert r.exit_code == 1
    xml = JUnitXml.fromstring(r.output.encode())
    suites = list(xml)
    assert [s.name for s in suites] == [PLANTED]
    cases = list(suites[0])
    rules = planted_json["ruleset"]["rules"]
    assert len(cases) == rules == suites[0].tests
    failing = {f["rule"] for f in planted_json["findings"]
               if f["status"] in ("violated", "late", "overdue")}
    failed = {c.name.split(" ")[0] for c in cases
              if any(isinstance(x, Failure) for x in c.result)}
    assert failed == failing
    assert {c.classname for c in cases} == {"fixtures.sample-planted_yaml"}
    assert suites[0].failures == len(failing)
    case = next(c for c in cases if c.name == "uncac-exemption (Appendix I, table 1, note b)")
    failure = case.result[0]
    assert failure.type == "error"
    assert failure.message.startswith("1 failing finding of uncac-exemption (Appendix I, "
                                   "table 1, note b): COL was a party to UNCAC")
    assert "COL-convention-1 at fixtures/sample-planted.yaml:597:5" in failure.text


def test_junit_marks_a_rule_with_only_waived_findings_as_passed():
    r = run("check", PLANTED, "--format", "junit", "--waivers", WAIVERS)
    case = next(c for c in JUnitXml.fromstring(r.output.encode())
                .__iter__().__next__() if c.name == "experts-cap (para 19)")
    assert case.is_passed
    assert "waived until 2026-12-31" in case.system_out


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(planted_json):
    r = run("check", PLANTED, "--format", "sarif", "--waivers", WAIVERS, "--all",
            "--docs-url", "https://example.org/revmech/")
    assert r.exit_code == 1
    log = json.loads(r.output)
    schema = json.loads((ROOT / "tests/data/sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    rule = next(x for x in driver["rules"] if x["id"] == "experts-cap")
    assert rule["fullDescription"]["text"].startswith("Each State party shall, for the "
                                                      "purposes of the review, appoint")
    assert rule["helpUri"] == "https://example.org/revmech/rules/experts-cap.html"
    assert rule["properties"]["cites"] == ["para 19"]


def test_sarif_results_point_at_the_objects_of_the_json_report(planted_json):
    log = json.loads(run("check", PLANTED, "--format", "sarif", "--waivers", WAIVERS).output)
    results = log["runs"][0]["results"]
    assert len(results) == len(planted_json["findings"])
    for res, f in zip(results, planted_json["findings"]):
        assert res["ruleId"] == f["rule"]
        assert res["partialFingerprints"]["revmechFindingId/v1"] == f["id"]
        region = res["locations"][0]["physicalLocation"].get("region")
        if f["location"]:
            assert region == {"startLine": f["location"]["line"],
                              "startColumn": f["location"]["column"]}
    waived = [x for x in results if x["properties"]["status"] == "waived"]
    assert [x["suppressions"][0]["status"] for x in waived] == ["accepted"]
    kinds = {x["properties"]["status"]: x["kind"] for x in results}
    assert kinds == {"violated": "fail", "late": "fail", "overdue": "fail", "waived": "fail",
                     "pending": "open", "excepted": "pass"}


def test_github_annotations_match_golden():
    r = run("check", PLANTED, "--format", "github", "--waivers", WAIVERS)
    assert r.exit_code == 1
    golden("planted.github", r.output)


def test_markdown_matches_golden():
    r = run("check", PLANTED, "--format", "markdown", "--waivers", WAIVERS)
    assert r.exit_code == 1
    golden("planted.md", r.output)


@pytest.mark.parametrize("text,escaped", [
    ("a|b", r"a\|b"),
    ("*bold* _it_", r"\*bold\* \_it\_"),
    ("<script>", r"\<script\>"),
    ("[link](x)", r"\[link\](x)"),
    ("`code` ~x~", r"\`code\` \~x\~"),
    ("two\nlines", "two lines"),
])
def test_markdown_escapes_data(text, escaped):
    from revmech.engine.reporters.markdown import esc
    assert esc(text) == escaped


@pytest.mark.parametrize("message,expected", [
    ("50% done", "::error title=t::50%25 done"),
    ("a\nb", "::error title=t::a%0Ab"),
])
def test_github_escapes_data(message, expected):
    from revmech.engine.reporters.github import _command
    assert _command("error", message, "t") == expected


def test_github_escapes_properties():
    from revmech.engine.reporters.github import _command
    assert _command("warning", "m", "r (para 1, para 2): late") == \
        "::warning title=r (para 1%2C para 2)%3A late::m"


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github", "markdown"])
def test_clean_sample_in_every_format_exits_0(fmt):
    r = run("check", CLEAN, "--format", fmt)
    assert r.exit_code == 0, r.output
    assert r.output.endswith("\n")


@pytest.mark.parametrize("fail_on,exit_code", [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on_sets_the_exit_code(fail_on, exit_code):
    assert run("check", PLANTED, "--fail-on", fail_on).exit_code == exit_code


def test_fail_on_warning_counts_warnings(tmp_path):
    """With only warnings left (errors waived), --fail-on error passes, warning fails."""
    report = json.loads(run("check", PLANTED, "--format", "json").output)
    lines = ["format: revmech/waivers@1", "waivers:"]
    for f in report["findings"]:
        if f["severity"] == "error" and f["status"] in ("violated", "late", "overdue"):
            lines += [f"  - rule: {f['rule']}",
                      f"    subject: {json.dumps(f['subject'])}",
                      "    justification: test", "    decided_by: test",
                      "    expires: 2030-01-01"]
    w = tmp_path / "w.yaml"
    w.write_text("\n".join(lines) + "\n")
    assert run("check", PLANTED, "--waivers", str(w)).exit_code == 0
    assert run("check", PLANTED, "--waivers", str(w), "--fail-on", "warning").exit_code == 1


class _Terminal:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty,no_color,expected", [
    (True, None, True), (True, "1", False), (True, "", False), (False, None, False),
])
def test_colour_only_on_a_terminal_without_no_color(monkeypatch, tty, no_color, expected):
    import revmech.cli.options as options
    monkeypatch.setattr(options.sys, "stdout", _Terminal(tty))
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert options.use_color() is expected


def test_text_is_coloured_only_when_asked():
    from revmech.engine.check import check
    from revmech.engine.reporters import text
    from revmech.engine.ruleset import load_ruleset
    report = check(load_ruleset(), [PLANTED])
    assert "\x1b[" in text.render(report, color=True)
    assert "\x1b[" not in text.render(report, color=False)
    assert "\x1b[" not in run("check", PLANTED).output  # CliRunner: not a terminal


# ---- --output --------------------------------------------------------------------------


def test_output_writes_the_report_to_a_file(tmp_path):
    out = tmp_path / "report.json"
    r = run("check", PLANTED, "--format", "json", "--output", str(out))
    assert r.exit_code == 1 and r.output == ""
    assert out.read_text() == run("check", PLANTED, "--format", "json").output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_output_is_left_untouched_on_bad_input(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("previous\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: revmech/snapshot@1\nas_of: 2026-13-01\n")
    r = run("check", str(bad), "--output", str(out))
    assert r.exit_code == 2
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "report.json"]


@pytest.mark.parametrize("target,message", [
    ("{tmp}", "--output: '{tmp}' is a directory, expected a file name"),
    ("{tmp}/no/such/r.json", "--output: cannot write '{tmp}/no/such/r.json': no such folder "
                             "'{tmp}/no/such'"),
])
def test_output_refuses_unwritable_targets(tmp_path, target, message):
    t = target.format(tmp=tmp_path)
    r = CliRunner().invoke(main, ["check", CLEAN, "--output", t])
    assert r.exit_code == 2
    assert r.output.strip() == "error: " + message.format(tmp=tmp_path)


# ---- waivers ---------------------------------------------------------------------------


def test_waivers_never_hide_a_finding(planted_json):
    plain = json.loads(run("check", PLANTED, "--format", "json").output)
    assert [f["id"] for f in plain["findings"]] == [f["id"] for f in planted_json["findings"]]
    by_id = {f["id"]: f for f in planted_json["findings"]}
    waived = by_id["experts-cap/PAK/convention"]
    assert waived["status"] == "waived"
    assert waived["waiver"] == {
        "rule": "experts-cap", "subject": {"state": "PAK", "instrument": "convention"},
        "justification": "PAK-c-6 replaces PAK-c-3, whose withdrawal is being recorded",
        "decided_by": "Bureau, 2026-09-20", "expires": "2026-12-31",
        "location": {"file": WAIVERS, "line": 5, "column": 5}, "expired": False}
    expired = by_id["consultations-in-three-weeks/GEO-smuggling-1"]
    assert expired["status"] == "late" and expired["waiver"]["expired"] is True
    assert planted_json["summary"]["waived"] == 1
    assert planted_json["summary"]["error"] == plain["summary"]["error"] - 1
    assert [w["subject"] for w in planted_json["waivers"]["unmatched"]] == \
        [{"review": "AUT-convention-1"}]


def test_waivers_in_text():
    out = run("check", PLANTED, "--waivers", WAIVERS).output
    assert ("      waived until 2026-12-31: PAK-c-6 replaces PAK-c-3, whose withdrawal is being "
            "recorded (decided by Bureau, 2026-09-20; waiver at " + WAIVERS + ":5)") in out
    assert "      waiver expired on 2023-12-31: the reviewing States" in out
    assert (WAIVERS + ":15:5: waiver for saq-complete/AUT-convention-1 matches no failing "
            "finding (stale or mistyped?)") in out


def test_a_waiver_expires_when_judged_later(tmp_path):
    w = tmp_path / "w.yaml"
    w.write_text("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n"
                 "    subject: {state: PAK, instrument: convention}\n"
                 "    justification: j\n    decided_by: d\n    expires: 2026-09-30\n")
    report = json.loads(run("check", PLANTED, "--format", "json", "--waivers", str(w)).output)
    f = next(f for f in report["findings"] if f["id"] == "experts-cap/PAK/convention")
    assert f["status"] == "violated" and f["waiver"]["expired"] is True
    assert report["waivers"]["unmatched"] == []


BAD_WAIVERS = [
    ("", "{f}:1:1: error: no YAML document (the file is empty or only comments): "
         "expected a mapping"),
    ("- a\n", "{f}:1:1: error: expected a mapping at the top level (format: "
              "revmech/waivers@1, waivers: [...]), got a list"),
    ("format: revmech/waivers@2\nwaivers: []\n",
     "{f}:1:9: error: format: unsupported waivers format version 'revmech/waivers@2': this "
     "revmech reads 'revmech/waivers@1'"),
    ("waivers: []\n", "{f}:1:1: error: missing required key 'format' (expected 'format: "
                      "revmech/waivers@1')"),
    ("format: revmech/waivers@1\nwaiver: []\n",
     "{f}:1:1: error: missing required key 'waivers' (a list of waivers)\n"
     "{f}:2:1: error: unknown key 'waiver' (did you mean 'waivers'?)"),
    ("format: revmech/waivers@1\nwaivers: {}\n",
     "{f}:2:10: error: waivers: expected a list of waivers, got a mapping"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: expert-cap\n    subject: {state: PAK}\n"
     "    justification: j\n    decided_by: d\n    expires: 2027-01-01\n",
     "{f}:3:11: error: waivers[0].rule: unknown rule 'expert-cap' (did you mean "
     "'experts-cap'?)"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n    subject: {state: PAK}\n"
     "    justification: j\n    decided_by: d\n    expires: 2027-01-01\n",
     "{f}:4:14: error: waivers[0].subject: missing 'instrument' (experts-cap ranges over "
     "'state', 'instrument'; a waiver names one finding)"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n"
     "    subject: {state: PAK, instrumnet: convention}\n"
     "    justification: j\n    decided_by: d\n    expires: 2027-01-01\n",
     "{f}:4:27: error: waivers[0].subject: 'instrumnet' is not a binding of experts-cap (did "
     "you mean 'instrument'?); it ranges over 'state', 'instrument'"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n"
     "    subject: {state: PAK, instrument: convention}\n"
     "    justification: j\n    decided_by: d\n    expires: 2027-02-30\n",
     "{f}:7:14: error: waivers[0].expires: expected a date YYYY-MM-DD, got '2027-02-30'"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n"
     "    subject: {state: PAK, instrument: convention}\n    justification: j\n",
     "{f}:3:5: error: waivers[0]: missing required key 'decided_by'\n"
     "{f}:3:5: error: waivers[0]: missing required key 'expires'"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: experts-cap\n"
     "    subject: {state: PAK, instrument: convention}\n"
     "    justification: j\n    decided_by: d\n    expires: 2027-01-01\n    expiry: x\n",
     "{f}:8:5: error: waivers[0]: unknown key 'expiry' (did you mean 'expires'?)"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: publish-own-report\n"
     "    subject: {review: X}\n    justification: j\n    decided_by: d\n"
     "    expires: 2027-01-01\n",
     "{f}:3:11: error: waivers[0].rule: 'publish-own-report' is a permission (may): it has "
     "no findings to waive"),
    ("format: revmech/waivers@1\nwaivers:\n"
     "  - {rule: saq-complete, subject: {review: X}, justification: j, decided_by: d, "
     "expires: 2027-01-01}\n"
     "  - {rule: saq-complete, subject: {review: X}, justification: k, decided_by: d, "
     "expires: 2027-01-01}\n",
     "{f}:4:5: error: waivers[1]: a second waiver for saq-complete/X (first at line 3)"),
    ("format: revmech/waivers@1\nwaivers:\n  - rule: saq-complete\n"
     "    subject: {review: !!python/object:os.system x}\n    justification: j\n"
     "    decided_by: d\n    expires: 2027-01-01\n",
     "{f}:4:23: error: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system': "
     "expected plain YAML values (text, dates, lists, mappings)"),
    ("format: revmech/waivers@1\nwaivers:\n  - &a {rule: saq-complete}\n  - *a\n",
     "{f}:4:5: error: YAML alias '*a' is not allowed: write the value out in full (aliases "
     "can make a small file expand enormously)"),
    ("format: revmech/waivers@1\nwaivers: [\n", None),
    ("{}\n", "{f}:1:1: error: missing required key 'format' (expected 'format: "
              "revmech/waivers@1')\n{f}:1:1: error: missing required key 'waivers' (a list of "
              "waivers)"),
    ("format: revmech/waivers@1\nwaivers:\n  - {rule: experts-cap, subject: {}, "
     "justification: j, decided_by: d, expires: 2027-01-01}\n",
     "{f}:3:34: error: waivers[0].subject: missing 'state', 'instrument' (experts-cap ranges "
     "over 'state', 'instrument'; a waiver names one finding)"),
]


@pytest.mark.parametrize("text,expected", BAD_WAIVERS, ids=range(len(BAD_WAIVERS)))
def test_bad_waiver_files_are_refused_with_located_messages(tmp_path, text, expected):
    w = tmp_path / "w.yaml"
    w.write_text(text)
    out = tmp_path / "out.txt"
    r = CliRunner().invoke(main, ["check", CLEAN, "--waivers", str(w), "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and not out.exists()
    got = "\n".join(line for line in r.output.splitlines() if re.match(r"\S", line))
    if expected is None:
        assert got.startswith(f"{w}:3:1: error: ")
    else:
        assert got == expected.format(f=w)


def test_a_missing_waiver_file_is_refused():
    r = CliRunner().invoke(main, ["check", CLEAN, "--waivers", "no/such.yaml"])
    assert r.exit_code == 2
    assert r.output == "error: cannot read 'no/such.yaml': no such file\n"


def test_the_command_line_knows_every_format_of_the_reporters():
    from revmech.cli import formats
    from revmech.engine.docsite import FORMATS as DOCS
    from revmech.engine.reporters import FORMATS as CHECK
    from revmech.engine.reporters.aggregate import FORMATS as AGGREGATE
    from revmech.engine.reporters.deadlines import FORMATS as DEADLINES
    from revmech.engine.reporters.impact import FORMATS as IMPACT
    from revmech.engine.reporters.trace import FORMATS as TRACE
    assert formats.CHECK == tuple(CHECK)
    assert formats.AGGREGATE == tuple(AGGREGATE)
    assert formats.DEADLINES == tuple(DEADLINES)
    assert formats.IMPACT == tuple(IMPACT)
    assert formats.TRACE == tuple(TRACE)
    assert formats.DOCS == tuple(DOCS)


# ---- hostile data in findings, repealed rules, modes -----------------------------------

HOSTILE = "Ev`il <b>x</b> & ``www.evil.example`` [a](http://x) @team #12 \x01\x1b[31m\x0c end"


@pytest.fixture(scope="module")
def hostile_report():
    """The planted report with one finding whose subject, message and file carry
    backticks, markup, autolinks, mentions and control characters."""
    import attrs as _attrs

    from revmech.engine.check import check
    from revmech.engine.ruleset import load_ruleset
    with pytest.MonkeyPatch.context() as m:
        m.chdir(ROOT)
        report = check(load_ruleset(), [PLANTED])
    snap = report.snapshots[0]
    f = next(f for f in snap.findings if f.failing)
    bad = _attrs.evolve(f, subject=(("review", HOSTILE),), message=HOSTILE,
                        snapshot="odd`name.yaml", location=None)
    snap = _attrs.evolve(snap, findings=(bad,) + snap.findings[1:], file="odd`name.yaml")
    return _attrs.evolve(report, snapshots=(snap,))


@pytest.mark.parametrize("fmt", ["text", "junit", "github", "markdown"])
def test_no_control_character_reaches_the_output(hostile_report, fmt):
    from revmech.engine.reporters import FORMATS
    out = FORMATS[fmt](hostile_report)
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out)
    assert r"\x01\x1b[31m end" in out  # a form feed is white space: folded


def test_junit_stays_well_formed_with_hostile_data(hostile_report):
    from revmech.engine.reporters import junit
    xml = JUnitXml.fromstring(junit.render(hostile_report).encode())
    failure = next(c for c in next(iter(xml)) if c.result).result[0]
    assert "<b>x</b> & " in failure.text


def test_markdown_puts_data_in_code_spans(hostile_report):
    from revmech.engine.reporters import markdown
    out = markdown.render(hostile_report)
    line = next(x for x in out.splitlines() if "Ev`il" in x)
    assert line.count("```Ev`il") == 2  # subject and message, each fenced by 3 backticks
    assert "### `odd`` " not in out and "### ``odd`name.yaml``" in out


@pytest.mark.parametrize("text,expected", [
    ("plain", "`plain`"),
    ("a`b", "``a`b``"),
    ("a``b", "```a``b```"),
    ("`edge`", "`` `edge` ``"),
])
def test_markdown_code_spans(text, expected):
    from revmech.engine.reporters.markdown import code
    assert code(text) == expected


REPEAL = """\
format: revmech/amendment@1
title: Repeal working-languages from 2024
proposed_by: test
effective: 2024-01-01
repeal: [working-languages, saq-in-three-months]
"""


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "github", "markdown"])
def test_a_rule_repealed_from_a_date_is_reported_in_every_format(tmp_path, fmt):
    """Reviews drawn before the date keep the repealed rule: its finding is reported."""
    a = tmp_path / "repeal.yaml"
    a.write_text(REPEAL)
    r = CliRunner().invoke(main, ["check", PLANTED, "-a", str(a), "--format", fmt])
    assert r.exit_code == 1, r.output
    assert "ISL-convention-1" in r.output
    assert "working-languages" in r.output
    if fmt == "junit":
        case = next(c for c in next(iter(JUnitXml.fromstring(r.output.encode())))
                    if c.name.startswith("working-languages "))
        assert "ISL-convention-1" in case.result[0].text
    elif fmt == "json":
        found = [f for f in json.loads(r.output)["findings"]
                 if f["rule"] == "working-languages"]
        assert [(f["id"], f["status"]) for f in found] == [
            ("working-languages/ISL-convention-1", "violated")]
    elif fmt == "sarif":
        found = [x for x in json.loads(r.output)["runs"][0]["results"]
                 if x["ruleId"] == "working-languages"]
        assert [(x["partialFingerprints"]["revmechFindingId/v1"], x["level"])
                for x in found] == [("working-languages/ISL-convention-1", "error")]


def test_aggregate_counts_a_rule_repealed_from_a_date(tmp_path):
    a = tmp_path / "repeal.yaml"
    a.write_text(REPEAL)
    out = json.loads(run("check", PLANTED, "-a", str(a), "--aggregate", "--format",
                         "json").output)
    row = next(x for x in out["rules"] if x["rule"] == "working-languages")
    assert row["failing"] == "fewer than 3"


def test_output_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("old\n")
    out.chmod(0o644)
    run("check", CLEAN, "--format", "json", "-o", str(out))
    assert out.stat().st_mode & 0o777 == 0o644


def test_output_of_a_new_file_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        run("check", CLEAN, "--format", "json", "-o", str(tmp_path / "new.json"))
    finally:
        os.umask(old)
    assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o640


def test_sarif_help_links_only_with_an_absolute_docs_url(tmp_path):
    plain = json.loads(run("check", CLEAN, "--format", "sarif").output)
    driver = plain["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert all("helpUri" not in x for x in driver["rules"])
    linked = json.loads(run("check", CLEAN, "--format", "sarif", "--docs-url",
                            "https://example.org/revmech/").output)
    driver = linked["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/revmech/index.html"
    rule = next(x for x in driver["rules"] if x["id"] == "experts-cap")
    assert rule["helpUri"] == "https://example.org/revmech/rules/experts-cap.html"
    r = CliRunner().invoke(main, ["check", CLEAN, "--format", "sarif", "--docs-url", "site/"])
    assert r.exit_code == 2
    assert r.output.strip() == ("error: --docs-url: expected an absolute URL such as "
                                "https://example.org/revmech/, got 'site/'")


def test_sarif_names_an_absolute_snapshot_path_by_a_file_uri():
    log = json.loads(run("check", str(ROOT / CLEAN), "--format", "sarif").output)
    uri = log["runs"][0]["artifacts"][0]["location"]["uri"]
    assert uri == (ROOT / CLEAN).as_uri()


def test_github_shows_waived_findings_as_notices():
    out = run("check", PLANTED, "--format", "github", "--waivers", WAIVERS).output
    line = next(x for x in out.splitlines() if "PAK/convention" in x)
    assert line.startswith("::notice file=fixtures/sample-planted.yaml,line=116,col=3,")
    assert "waived until 2026-12-31: PAK-c-6 replaces PAK-c-3" in line


def test_a_waiver_names_a_briefing_by_its_date(tmp_path):
    """A briefing's id is its date: an unquoted date in a waiver's subject is that id."""
    from revmech.engine.ruleset import load_ruleset
    from revmech.engine.waivers import load_waivers

    path = tmp_path / "w.yaml"
    path.write_text("format: revmech/waivers@1\nwaivers:\n"
                    "  - rule: briefing-no-country\n    subject: {briefing: 2026-03-01}\n"
                    "    justification: j\n    decided_by: d\n    expires: 2027-01-01\n")
    (w,) = load_waivers(str(path), load_ruleset().rules)
    assert (w.subject, w.finding_id) == ((("briefing", "2026-03-01"),),
                                         "briefing-no-country/2026-03-01")
