"""The command line, through click's CliRunner: exit codes, formats, planted violations."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from revmech.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLEAN = "fixtures/sample-cycle.yaml"
PLANTED = "fixtures/sample-planted.yaml"
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_clean_sample_has_no_error():
    r = run("check", CLEAN)
    assert r.exit_code == 0, r.output
    assert r.output.rstrip().splitlines()[-1].startswith("0 errors, 0 warnings")


def test_planted_sample_exits_1_and_names_paragraphs():
    r = run("check", PLANTED)
    assert r.exit_code == 1
    assert "experts-cap (para 19; shall)" in r.output
    assert "PAK has appointed 6 governmental experts for the convention; the cap is 5" in r.output


def planted_marks() -> list[tuple[str, int]]:
    marks = []
    for i, line in enumerate((ROOT / PLANTED).read_text().splitlines(), start=1):
        for rule in re.findall(r"# planted: ([a-z0-9-]+)", line):
            marks.append((rule, i))
    return marks


@pytest.mark.parametrize("rule,line", planted_marks(), ids=lambda x: str(x))
def test_each_planted_violation_is_reported(rule, line):
    """Each `# planted: RULE` mark has a failing finding of RULE about the record it sits in:
    the finding points into that record, or its subject is the record the mark belongs to."""
    report = json.loads(run("check", PLANTED, "--format", "json").output)
    found = [f for f in report["findings"] if f["rule"] == rule and f["status"] in
             ("violated", "late", "overdue")]
    assert found, f"no failing finding of {rule}"
    lines = (ROOT / PLANTED).read_text().splitlines()
    context = "\n".join(lines[max(0, line - 40):line])
    def named(f):  # ids the finding names: its subject, and ids in its witness
        ids = list(f["subject"].values())
        for v in f["witness"].values():
            ids.extend(v if isinstance(v, list) else [v])
        return [str(i) for i in ids if i is not None]

    assert any(f["location"]["line"] <= line < f["location"]["line"] + 40
               or any(re.search(rf"(id: |^\s*){re.escape(v)}\b", context, re.M)
                      for v in named(f))
               for f in found), (rule, line, [f["id"] for f in found])


def test_planted_findings_golden():
    out = run("check", PLANTED, "--format", "json").output
    golden = GOLDEN / "planted.json"
    if os.environ.get("REVMECH_UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()


def test_json_shape():
    r = run("check", CLEAN, "--format", "json", "--all")
    data = json.loads(r.output)
    assert list(data) == ["format", "ruleset", "snapshots", "summary", "findings"]
    assert data["format"] == "revmech/report@1"
    assert data["snapshots"] == [{"file": CLEAN, "as_of": "2026-10-01"}]
    assert list(data["summary"]) == ["error", "warning", "pending", "excepted", "waived",
                                     "passed"]
    f = data["findings"][0]
    assert list(f)[:9] == ["id", "rule", "cites", "severity", "status", "subject", "message",
                           "witness", "location"]
    assert data["summary"]["passed"] == sum(1 for x in data["findings"]
                                            if x["status"] == "passed")


def test_findings_sorted_by_rule_then_ids():
    data = json.loads(run("check", PLANTED, "--format", "json", "--all").output)
    rules_in_order = []
    for f in data["findings"]:
        if not rules_in_order or rules_in_order[-1] != f["rule"]:
            assert f["rule"] not in rules_in_order, "a rule's findings are not contiguous"
            rules_in_order.append(f["rule"])


def test_same_input_same_output():
    a = run("check", PLANTED, "--format", "json", "--all").output
    b = run("check", PLANTED, "--format", "json", "--all").output
    assert a == b


@pytest.mark.parametrize("fail_on,code", [("error", 1), ("warning", 1), ("never", 0)])
def test_fail_on(fail_on, code):
    assert run("check", PLANTED, "--fail-on", fail_on).exit_code == code


def test_fail_on_warning_with_only_warnings(tmp_path):
    # the clean sample has no warning either: 0 under every level
    assert run("check", CLEAN, "--fail-on", "warning").exit_code == 0


def test_as_of_earlier_judges_the_cycle_as_it_stood():
    data = json.loads(run("check", PLANTED, "--format", "json", "--as-of", "2022-01-01").output)
    assert data["snapshots"][0]["as_of"] == "2022-01-01"
    rules = {f["rule"] for f in data["findings"]}
    assert "phase-starts-after-completion" not in rules  # phase 2 had not begun
    assert not any(f["subject"].get("review") == "PHL-convention-2" for f in data["findings"])


@pytest.mark.parametrize("args,needle", [
    (["check", "nosuch.yaml"], "nosuch.yaml"),
    (["check", CLEAN, "--as-of", "2021-02-30"], "expected a date YYYY-MM-DD"),
    (["check", CLEAN, "--format", "xml"], "Invalid value for '--format'"),
    (["check"], "Missing argument"),
])
def test_bad_input_exits_2(args, needle):
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert needle in r.output
    assert "Traceback" not in r.output


def test_malformed_snapshot_is_located(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: revmech/snapshot@1\nas_of: 2026-10-01\nmechanism: {year_one: 2019}\n"
                   "states:\n  AUT: {name: Austria, regional_group: WEOG, instruments: {}, nmae: x}\n")
    r = CliRunner().invoke(main, ["check", str(bad)])
    assert r.exit_code == 2
    assert f"{bad}:5:" in r.output
    assert "did you mean 'name'" in r.output


def test_malformed_rule_file_is_located(tmp_path):
    (tmp_path / "x.rules").write_text("rule a-rule\n  cites para 19\n  shall count(experts) <=\n")
    r = CliRunner().invoke(main, ["check", CLEAN, "--rules", str(tmp_path)])
    assert r.exit_code == 2
    assert "x.rules:3:" in r.output and "expected a value" in r.output
    assert "Traceback" not in r.output


def test_rule_that_does_not_check_is_located(tmp_path):
    (tmp_path / "x.rules").write_text(
        "rule a-rule\n  cites para 19\n  for each review in reviews\n"
        "  shall review.consultation.date is recorded\n")
    r = CliRunner().invoke(main, ["check", CLEAN, "--rules", str(tmp_path)])
    assert r.exit_code == 2
    assert "x.rules:4:16: error: a Review has no field 'consultation' (did you mean " \
           "'consultations'?)" in r.output
    assert "^" in r.output


def test_no_color_without_terminal():
    assert "\x1b[" not in run("check", PLANTED).output


def test_snapshot_reference_is_up_to_date():
    """docs/snapshot.md is generated from the model: regenerate it when the model changes."""
    from revmech.engine.schema_doc import snapshot_reference
    assert (ROOT / "docs" / "snapshot.md").read_text() == snapshot_reference()


CONSOLE = "import sys; sys.argv[0] = 'revmech'; from revmech.cli.main import console; console()"


@pytest.mark.parametrize("args, code", [
    (["check", PLANTED], 1),
    (["check", CLEAN, "--format", "json"], 0),
    (["check", "no-such-file.yaml"], 2),
    (["--version"], 0),
    (["check"], 2),  # a usage error, raised by click
])
def test_the_program_writes_what_main_writes_and_exits_with_its_code(args, code, tmp_path):
    """`console` (the installed `revmech`) leaves with os._exit: nothing may be lost."""
    import subprocess
    import sys

    env = dict(os.environ, REVMECH_CACHE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", CONSOLE, *args], capture_output=True,
                          text=True, env=env)
    inside = CliRunner().invoke(main, args, prog_name="revmech")
    assert proc.returncode == code == inside.exit_code
    assert proc.stdout == inside.stdout
    assert proc.stderr == inside.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_output_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, REVMECH_CACHE_DIR=str(tmp_path))
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-c", CONSOLE, "check", PLANTED], stdout=full,
                              stderr=subprocess.PIPE, text=True, env=env)
    assert (proc.returncode, proc.stderr) == (
        2, "error: cannot write the output: No space left on device\n")


def test_a_closed_stdout_is_not_a_traceback(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, REVMECH_CACHE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", CONSOLE, "check", PLANTED],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                          preexec_fn=lambda: os.close(1))
    assert (proc.returncode, proc.stderr) == (1, "")
