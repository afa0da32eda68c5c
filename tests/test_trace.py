"""The registry of the draft's paragraphs (rules/procedures.yaml) and `revmech trace`."""

from __future__ import annotations

import json
import re
import shutil
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from revmech.cli.main import main
from revmech.engine.errors import SnapshotError
from revmech.engine.procedures import (load_registry, parent_id, parse_id, parse_registry,
                                       trace)
from revmech.engine.ruleset import build_ruleset, load_ruleset

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
SEED = ROOT.parent / "shared" / "seed" / "draft-procedures-2017.txt"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


# --------------------------------------------------------------------------------------
# the shipped registry


def test_shipped_registry_loads(registry):
    assert registry.file == "rules/procedures.yaml"
    assert len(registry.paragraphs) == 95
    assert registry.get("para 8").section == "IV.B Country review"
    assert registry.get("para 53(b)").section == "IX Role of civil society in the Mechanism"
    assert registry.get("Appendix I, table 1, note b").section == "Appendix I"


def test_registry_ids_are_unique(registry):
    ids = registry.ids
    assert len(ids) == len(set(ids))


def test_registry_is_in_the_drafts_order(registry):
    keys = [parse_id(p.id) for p in registry.paragraphs]
    assert None not in keys
    assert keys == sorted(keys)


def test_registry_has_every_paragraph_and_subparagraph(registry):
    expected = {f"para {n}" for n in range(1, 54)}
    expected |= {f"para 3({c})" for c in string.ascii_lowercase[:17]}  # (a)-(q)
    expected |= {f"para 7({c})" for c in "abcd"}
    expected |= {f"para 53({c})" for c in "abcdefgh"}
    expected |= {"para 19, note a", "para 40, note b"}
    for app in ("I", "II"):
        for t in (1, 2):
            expected |= {f"Appendix {app}, table {t}", f"Appendix {app}, table {t}, note a"}
    expected |= {"Appendix I, table 1, note b", "Appendix I, table 2, note b",
                 "Appendix II, table 1, note b"}  # Appendix II, table 2 has no note b
    assert set(registry.ids) == expected


def test_every_entry_has_section_and_text(registry):
    for p in registry.paragraphs:
        assert p.section.strip() and p.text.strip(), p.id
        if not p.id.startswith("Appendix"):
            assert "  " not in p.text and "\n" not in p.text, p.id  # whitespace normalized


def test_every_rule_citation_resolves(ruleset, registry):
    t = trace(ruleset, registry)
    unknown = [q.render() for q in t.problems if q.kind == "unknown-citation"]
    assert unknown == []


# Paragraphs for which the catalogue lists a rule: they get rules, never a reason.
CATALOGUED = ["para 8", "para 9", "para 10", "para 11", "para 12", "para 13", "para 16",
              "para 17", "para 18", "para 19", "para 20", "para 21", "para 22", "para 23",
              "para 24", "para 26", "para 29", "para 31", "para 32", "para 33", "para 34",
              "para 36", "para 37", "para 38", "para 39", "para 41", "para 43", "para 44",
              "para 45", "para 46", "para 48", "para 52", "Appendix I, table 1",
              "Appendix I, table 2", "Appendix I, table 1, note b"] + \
             [f"para 53({c})" for c in "abcdefg"]


@pytest.mark.parametrize("pid", CATALOGUED)
def test_catalogued_paragraphs_have_no_not_encoded_reason(registry, pid):
    assert registry.get(pid).not_encoded is None


NOT_ENCODED = ["para 1", "para 2", "para 3", "para 3(b)", "para 4", "para 5", "para 6",
               "para 7", "para 7(d)", "para 14", "para 15", "para 19, note a", "para 25",
               "para 27", "para 28", "para 30", "para 35", "para 40", "para 40, note b",
               "para 42", "para 47", "para 49", "para 50", "para 51", "para 53", "para 53(h)",
               "Appendix II, table 1", "Appendix II, table 2"]


@pytest.mark.parametrize("pid", NOT_ENCODED)
def test_uncatalogued_paragraphs_give_a_reason(registry, pid):
    assert registry.get(pid).not_encoded


def test_chapeau_of_para_53(registry):
    assert registry.get("para 53").text == \
        "The following shall apply with regard to the role of civil society in the Mechanism:"
    assert registry.get("para 53").not_encoded == "chapeau: its subparagraphs are encoded"


def test_texts_are_verbatim():
    """Each entry's text, outside the tables, is the draft's, whitespace normalized."""
    if not SEED.exists():
        pytest.skip("the seed text is not beside the checkout")
    seed = SEED.read_text(encoding="utf-8")
    seed = re.sub(r"\^[ab]\b", "", seed)
    seed = re.sub(r"\*([^*]+)\*", r"\1", seed)
    seed = re.sub(r"\n\s*\n?under review\. Governmental", " under review. Governmental", seed)
    flat = " ".join(seed.split())
    for p in load_registry().paragraphs:
        if re.fullmatch(r"Appendix [IV]+, table \d", p.id):
            continue
        assert p.text in flat, p.id


def test_tables_render_every_cluster(registry):
    t1 = registry.get("Appendix I, table 1").text
    assert "Articles 2, 5, 6, 8, 9, 10, 15 and 23 (note b)" in t1
    assert "Cluster on law enforcement and the judicial system: (the cell is empty)" in t1
    t2 = registry.get("Appendix I, table 2").text
    assert "Years 3-6" in t2 and "Years 7-10" in t2


# --------------------------------------------------------------------------------------
# the trace


def test_every_paragraph_accounted_for(ruleset, registry):
    t = trace(ruleset, registry)
    assert [q.render() for q in t.problems] == []


def test_trace_follows_the_drafts_order(ruleset, registry):
    t = trace(ruleset, registry)
    assert [e.paragraph.id for e in t.entries] == list(registry.ids)


def test_trace_pairs_rules_with_their_paragraphs(ruleset, registry):
    t = trace(ruleset, registry)
    by_id = {e.paragraph.id: e for e in t.entries}
    for rule in ruleset.rules:
        for cite in rule.cites:
            assert rule.id in by_id[cite].rules
    assert "experts-cap" in by_id["para 19"].rules
    assert "uncac-exemption" in by_id["Appendix I, table 1, note b"].rules


PARAMS = """\
format: revmech/parameters@1
parameters:
  max_experts_per_instrument:
    value: 5
    cites: [para 19, para 99]
    description: the cap
"""

RULES_TEXT = """\
chapter "IV.D" "Conduct of the country review"

rule cap
  cites para 19
  for each state in states
  shall true
  otherwise "x"

rule sub
  cites "para 53 (b)", para 53
  for each state in states
  shall true
  otherwise "x"

rule excused
  cites para 1
  for each state in states
  may true
"""

REGISTRY = """\
format: revmech/procedures@1
procedures:
  - {id: para 1, section: Preamble, text: Pursuant, not_encoded: preamble}
  - {id: para 2, section: I Introduction, text: The Mechanism}
  - {id: para 19, section: IV.D Conduct, text: Each State party}
  - {id: para 53, section: IX Civil society, text: The following}
  - {id: para 53(b), section: IX Civil society, text: No specific country}
"""


def test_trace_problems_exact():
    rs = build_ruleset([("t.rules", RULES_TEXT)], PARAMS, "p.yaml")
    t = trace(rs, parse_registry(REGISTRY, "reg.yaml"))
    assert [(q.kind, str(q.loc) if q.loc else None, q.message) for q in t.problems] == [
        ("unknown-citation", "p.yaml:3:3",
         "parameter max_experts_per_instrument (parameters.yaml) cites 'para 99', which is not "
         "in the registry of the draft's paragraphs (reg.yaml) (did you mean 'para 19'?)"),
        ("unknown-citation", "t.rules:10:10",
         "rule sub cites 'para 53 (b)', which is not in the registry of the draft's paragraphs "
         "(reg.yaml) (did you mean 'para 53(b)'?)"),
        ("encoded-and-not-encoded", "reg.yaml:3:10",
         "para 1 is encoded by excused but has a not_encoded reason (remove the reason, or say "
         "what the rules leave out with 'partly')"),
        ("unaccounted", "reg.yaml:4:10",
         "para 2 (I Introduction) is neither encoded by a rule nor given a not_encoded reason"),
        ("unaccounted", "reg.yaml:7:10",
         "para 53(b) (IX Civil society) is neither encoded by a rule nor given a not_encoded "
         "reason"),
    ]
    statuses = {e.paragraph.id: e.status for e in t.entries}
    assert statuses == {"para 1": "conflict", "para 2": "unaccounted", "para 19": "encoded",
                        "para 53": "encoded", "para 53(b)": "unaccounted"}
    assert t.summary() == {"entries": 5, "encoded": 2, "not_encoded": 0, "unaccounted": 2,
                           "conflict": 1, "problems": 5}
    assert not t.ok


# --------------------------------------------------------------------------------------
# ids


@pytest.mark.parametrize("pid,parent", [
    ("para 8", None), ("para 53", None), ("para 53(b)", "para 53"),
    ("para 19, note a", "para 19"), ("para 3(b), note a", "para 3(b)"),
    ("Appendix I", None), ("Appendix I, table 1", None),
    ("Appendix II, table 1, note b", "Appendix II, table 1"),
])
def test_parent_id(pid, parent):
    assert parse_id(pid) is not None
    assert parent_id(pid) == parent


@pytest.mark.parametrize("pid", ["Para 8", "para 08", "para 53 (b)", "para 53(B)", "para 8,",
                                 "Appendix 1", "Appendix I table 1", "appendix I, table 1",
                                 "para 19, footnote a", ""])
def test_bad_ids(pid):
    assert parse_id(pid) is None


def test_draft_order_of_ids():
    ids = ["para 3", "para 3(a)", "para 3(q)", "para 19", "para 19, note a", "para 20",
           "para 53", "para 53(h)", "Appendix I, table 1", "Appendix I, table 1, note b",
           "Appendix I, table 2", "Appendix II, table 1"]
    assert sorted(ids, key=parse_id) == ids


# --------------------------------------------------------------------------------------
# registry errors: exact messages, located

H = "format: revmech/procedures@1\nprocedures:\n"
E = "  - {id: para 1, section: Preamble, text: Pursuant}\n"
TOP_KEYS = "expected 'format' and 'procedures'"
FIELDS = "expected id, section, text, not_encoded, partly"

REGISTRY_ERRORS = [
    ("not a mapping", "- a\n",
     ["p.yaml:1:1: expected a mapping with 'format: revmech/procedures@1' and 'procedures:', "
      "got a list"]),
    ("unknown top key", "format: revmech/procedures@1\nprocedure: []\n",
     ["p.yaml:1:1: missing 'procedures:', the list of the draft's paragraphs",
      f"p.yaml:2:1: unknown key 'procedure' at the top of the registry (did you mean "
      f"'procedures'?); {TOP_KEYS}"]),
    ("wrong format", "format: revmech/procedures@2\nprocedures:\n" + E,
     ["p.yaml:1:9: format: expected 'revmech/procedures@1', got 'revmech/procedures@2'"]),
    ("missing format", "procedures:\n" + E,
     ["p.yaml:1:1: missing 'format: revmech/procedures@1'"]),
    ("procedures not a list", H.rstrip() + " {}\n",
     ["p.yaml:2:13: procedures: expected a list of entries, got a mapping"]),
    ("empty list", H.rstrip() + " []\n", ["p.yaml:2:13: procedures: the list is empty"]),
    ("entry not a mapping", H + "  - para 1\n",
     ["p.yaml:3:5: procedures[1]: expected a mapping with id, section, text, got 'para 1'"]),
    ("unknown key", H + "  - {id: para 1, section: Preamble, text: x, reason: y}\n",
     [f"p.yaml:3:46: procedures[1] (para 1): unknown key 'reason'; {FIELDS}"]),
    ("unknown key, did you mean", H + "  - {id: para 1, section: Preamble, txet: x}\n",
     ["p.yaml:3:5: procedures[1] (para 1): missing 'text'",
      f"p.yaml:3:37: procedures[1] (para 1): unknown key 'txet' (did you mean 'text'?); "
      f"{FIELDS}"]),
    ("missing text", H + "  - {id: para 1, section: Preamble}\n",
     ["p.yaml:3:5: procedures[1] (para 1): missing 'text'"]),
    ("missing id", H + "  - {section: Preamble, text: x}\n",
     ["p.yaml:3:5: procedures[1]: missing 'id'"]),
    ("text not text", H + "  - {id: para 1, section: Preamble, text: 5}\n",
     ["p.yaml:3:43: procedures[1].text (para 1): expected text, got the number 5"]),
    ("empty text", H + "  - {id: para 1, section: Preamble, text: ''}\n",
     ["p.yaml:3:43: procedures[1].text (para 1): empty text"]),
    ("duplicate key", H + "  - {id: para 1, section: Preamble, text: x, text: y}\n",
     ["p.yaml:3:46: procedures[1] (para 1): duplicate key 'text'"]),
    ("duplicate id", H + E + E,
     ["p.yaml:4:10: procedures[2] (para 1): duplicate id 'para 1' (first at line 3)"]),
    ("not a citation form", H + "  - {id: paragraph 1, section: Preamble, text: x}\n",
     ["p.yaml:3:10: procedures[1] (paragraph 1): id 'paragraph 1' is not a citation form: "
      "expected 'para N', 'para N(x)', 'para N, note x', 'Appendix I', 'Appendix I, table N' "
      "or 'Appendix I, table N, note x'"]),
    ("partly beside not_encoded",
     H + "  - {id: para 1, section: Preamble, text: x, not_encoded: a, partly: b}\n",
     ["p.yaml:3:70: procedures[1] (para 1): 'partly' is for a paragraph its rules encode in "
      "part; this one has 'not_encoded' (keep one)"]),
    ("out of order", H + "  - {id: para 2, section: I, text: x}\n" + E,
     ["p.yaml:4:10: procedures[2] (para 1): 'para 1' is out of the draft's order: it is "
      "listed after 'para 2'"]),
    ("subparagraph without its chapeau", H + "  - {id: para 53(b), section: IX, text: x}\n",
     ["p.yaml:3:10: procedures[1] (para 53(b)): 'para 53', which 'para 53(b)' belongs to, "
      "is not listed before it"]),
    ("note without its table",
     H + E + "  - {id: 'Appendix I, table 1, note b', section: Appendix I, text: x}\n",
     ["p.yaml:4:10: procedures[2] (Appendix I, table 1, note b): 'Appendix I, table 1', "
      "which 'Appendix I, table 1, note b' belongs to, is not listed before it"]),
    ("invalid YAML", H + "  - {id: para 1\n",
     ["p.yaml:4:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow "
      "mapping at line 3, column 5)"]),
    ("alias", H + "  - &e {id: para 1, section: Preamble, text: x}\n  - *e\n",
     ["p.yaml:4:5: YAML alias '*e' is not allowed: write the value out in full (aliases can "
      "make a small file expand enormously)"]),
]


@pytest.mark.parametrize("name,text,expected", REGISTRY_ERRORS,
                         ids=[c[0] for c in REGISTRY_ERRORS])
def test_registry_errors(name, text, expected):
    with pytest.raises(SnapshotError) as e:
        parse_registry(text, "p.yaml")
    assert [f"{d.loc}: {d.message}" for d in e.value.diagnostics] == expected


def test_registry_error_renders_with_caret():
    with pytest.raises(SnapshotError) as e:
        parse_registry(H + E + E, "p.yaml")
    assert e.value.render() == (
        "p.yaml:4:10: error: procedures[2] (para 1): duplicate id 'para 1' (first at line 3)\n"
        "      - {id: para 1, section: Preamble, text: Pursuant}\n"
        "             ^")


def test_loads_a_registry_file(tmp_path):
    f = tmp_path / "procedures.yaml"
    f.write_text(H + E, encoding="utf-8")
    reg = load_registry(str(f))
    assert reg.ids == ("para 1",) and reg.file == str(f)


# --------------------------------------------------------------------------------------
# the command line


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def shipped(monkeypatch, ruleset):
    """The command line with the shipped rule set loaded once for the module (loading and
    compiling it takes seconds); a --rules folder is still loaded for real."""
    import revmech.engine.ruleset as rs  # the commands import it when they run

    real = rs.load_ruleset
    monkeypatch.setattr(rs, "load_ruleset",
                        lambda rules_dir=None: ruleset if rules_dir is None else real(rules_dir))


@pytest.fixture
def rules_copy(tmp_path):
    """A copy of the shipped rule folder, with its registry, to break."""
    d = tmp_path / "rules"
    d.mkdir()
    for f in RULES.iterdir():
        if f.suffix in (".rules", ".yaml"):
            shutil.copy(f, d / f.name)
    return d


def test_cli_trace_text(shipped, registry):
    r = run("trace")
    assert r.exit_code in (0, 1), r.output
    out = r.output
    assert out.startswith("Traceability of the draft procedures (rules/procedures.yaml;")
    assert "\nIX Role of civil society in the Mechanism\n" in out
    assert re.search(r"\n  para 19 +experts-cap \(shall\)", out)
    assert re.search(r"\n  para 53 +not encoded: chapeau: its subparagraphs are encoded\n", out)
    assert "\n  Appendix I, table 1, note b\n" in out
    for pid in registry.ids:
        assert f"\n  {pid} " in out or f"\n  {pid}\n" in out, pid
    assert re.search(r"\n95 entries, \d+ encoded, \d+ not encoded", out)


def test_cli_trace_json(shipped, ruleset, registry):
    r = run("trace", "--format", "json")
    doc = json.loads(r.output)
    assert doc["format"] == "revmech/trace@1"
    assert doc["rules"] == len(ruleset.rules)
    assert [p["id"] for p in doc["paragraphs"]] == list(registry.ids)
    p19 = next(p for p in doc["paragraphs"] if p["id"] == "para 19")
    assert {"rule": "experts-cap", "modality": "shall"} in p19["rules"]
    assert p19["section"] == "IV.D Conduct of the country review"
    assert p19["text"].startswith("Each State party shall, for the purposes of the review")
    assert r.exit_code == (0 if doc["ok"] else 1)
    assert doc["ok"] == (doc["problems"] == [])
    assert run("trace", "--format", "json").output == r.output  # byte-identical


def test_cli_trace_markdown(shipped):
    r = run("trace", "--format", "markdown")
    assert r.output.startswith("# Traceability of the draft procedures\n")
    assert "| Paragraph | Section | Encoded by | Not encoded, or left out |" in r.output
    assert "| para 19 | IV.D Conduct of the country review | `experts-cap` (shall)" in r.output


def test_cli_trace_problems_exit_1(rules_copy):
    reg = rules_copy / "procedures.yaml"
    text = reg.read_text(encoding="utf-8")
    text = text.replace('    not_encoded: "chapeau: its subparagraphs are encoded"\n', "", 1)
    reg.write_text(text, encoding="utf-8")
    (rules_copy / "zz-extra.rules").write_text(
        'chapter "IX" "Role of civil society in the Mechanism"\n\n'
        "rule extra-citation\n"
        '  cites "para 53 (b)"\n'
        "  for each state in states\n"
        "  shall true\n"
        '  otherwise "x"\n', encoding="utf-8")
    r = run("trace", "--rules", str(rules_copy))
    assert r.exit_code == 1, r.output
    assert "\nProblems\n" in r.output
    assert ("zz-extra.rules:4:10: error: rule extra-citation cites 'para 53 (b)', which is not "
            "in the registry of the draft's paragraphs") in r.output
    assert "(did you mean 'para 53(b)'?)" in r.output
    assert ("error: para 53 (IX Role of civil society in the Mechanism) is neither encoded by "
            "a rule nor given a not_encoded reason") in r.output
    assert re.search(r"\n  para 53 +PROBLEM: no rule encodes it and no reason is given\n",
                     r.output)


def test_cli_trace_bad_registry_exits_2(rules_copy):
    reg = rules_copy / "procedures.yaml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("    text:", "    txet:", 1),
                   encoding="utf-8")
    r = CliRunner().invoke(main, ["trace", "--rules", str(rules_copy)])
    assert r.exit_code == 2
    assert "unknown key 'txet' (did you mean 'text'?)" in r.output
    assert "Traceback" not in r.output


def test_cli_trace_missing_rules_dir_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["trace", "--rules", str(tmp_path / "nowhere")])
    assert r.exit_code == 2
    assert "not a folder" in r.output


def test_cli_trace_bad_format_exits_2(shipped):
    r = CliRunner().invoke(main, ["trace", "--format", "xml"])
    assert r.exit_code == 2
