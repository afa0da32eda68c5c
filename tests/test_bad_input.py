"""Every class of bad input, for every kind of input file, refused cleanly by the CLI.

One table: a row is a kind of file (how the command line is given it), a class of bad
input, the file's content, and the first line the user must see on stderr, exactly. Each
row is run through `revmech check`: exit code 2, nothing on stdout, no traceback, and the
message located (`file:line:col`) where there is a position. The hostile rows (alias
bombs, deep nesting, a large file) also run as a separate process under an address-space
limit: refusing them must not expand them.

Adding a kind of file is one entry in KINDS and its rows in BAD.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from revmech.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CLEAN = str(ROOT / "fixtures" / "sample-cycle.yaml")


class _Special:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


MISSING = _Special("MISSING")  # the file does not exist
DIRECTORY = _Special("DIRECTORY")  # the path is a folder


@attrs.frozen
class Kind:
    """A kind of input file: its file name, and the command line that reads it."""

    file_name: str
    argv: object  # (path of the file) -> list of arguments after `revmech`
    folder: bool = False  # the command names the file's folder (a rule folder)


KINDS = {
    "snapshot": Kind("cycle.yaml", lambda p: ["check", p]),
    "rules": Kind("bad.rules", lambda p: ["check", "--rules", os.path.dirname(p), CLEAN],
                  folder=True),
    "parameters": Kind("parameters.yaml",
                       lambda p: ["check", "--rules", os.path.dirname(p), CLEAN], folder=True),
    "amendment": Kind("amendment.yaml", lambda p: ["check", "-a", p, CLEAN]),
    "waivers": Kind("waivers.yaml", lambda p: ["check", "--waivers", p, CLEAN]),
}

SNAPSHOT = """\
format: revmech/snapshot@1
as_of: 2026-10-01
mechanism:
  year_one: 2019
states:
  AUT:
    name: Austria
    regional_group: WEOG
    instruments:
      convention: {status: party, since: 2004-09-23}
      trafficking: {status: party, since: 2005-11-15}
  DEU:
    name: Germany
    regional_group: WEOG
    instruments:
      convention: {status: party, since: 2006-06-14}
experts:
  - {id: DEU-c-1, state: DEU, instrument: convention, listed: 2020-03-01}
reviews:
  - id: AUT-convention-1
    state: AUT
    instrument: convention
    phase: 1
    year: 3
    draw: {date: 2021-03-10, reviewers: [DEU], redraws: {DEU: 1}}
"""

RULE = """\
rule r
  cites para 19
  for each expert in experts
  shall expert.listed <= as_of
"""

PARAMS = (ROOT / "rules" / "parameters.yaml").read_text(encoding="utf-8")

AMENDMENT = """\
format: revmech/amendment@1
title: T
proposed_by: P
"""


WAIVERS = """\
format: revmech/waivers@1
waivers:
  - rule: experts-cap
    subject: {state: AUT, instrument: convention}
    justification: "a list being renewed"
    decided_by: "Bureau, 2026-09-20"
    expires: 2026-12-31
"""


def waive(old: str, new: str) -> str:
    return edit(WAIVERS, old, new)


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def snap(old: str, new: str) -> str:
    return edit(SNAPSHOT, old, new)


def alias_bomb(head: str = "") -> str:
    lines = [head + "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    return "\n".join(lines) + "\n"


def deep(head: str, key: str = "x") -> str:
    return head + f"{key}: " + "[" * 100 + "]" * 100 + "\n"


def deep_blocks(head: str) -> str:
    """Nesting in block style (no flow brackets): libyaml's own flow limit does not apply."""
    return head + "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n"


@attrs.frozen
class Bad:
    kind: str
    what: str
    content: object  # str, bytes, MISSING or DIRECTORY
    first: str  # the first line on stderr; {file} is the file's path
    hostile: bool = False  # also run as a process under a memory limit


BAD = [
    # -- snapshots -----------------------------------------------------------------------
    Bad("snapshot", "malformed YAML", "format: [revmech\nas_of: 2026-10-01\n",
        "{file}:2:6: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 9)"),
    Bad("snapshot", "tab indentation", snap("    name: Austria\n", "\tname: Austria\n"),
        '{file}:7:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token)'),
    Bad("snapshot", "duplicate key", snap("    name: Germany\n",
                                          "    name: Germany\n    name: Deutschland\n"),
        "{file}:14:5: error: states.DEU: duplicate key 'name' (first at line 13)"),
    Bad("snapshot", "unknown key", snap("    name: Austria\n", "    nmae: Austria\n"),
        "{file}:7:5: error: states.AUT: unknown key 'nmae' (did you mean 'name'?)"),
    Bad("snapshot", "wrong type", snap("    year: 3\n", "    year: three\n"),
        "{file}:24:11: error: reviews[AUT-convention-1].year: expected a whole number, got 'three'"),
    Bad("snapshot", "impossible date", snap("2004-09-23", "2004-02-30"),
        "{file}:10:42: error: states.AUT.instruments.convention.since: expected a date YYYY-MM-DD, got '2004-02-30' (no such day)"),
    Bad("snapshot", "dangling reference", snap("reviewers: [DEU]", "reviewers: [DEX]"),
        "{file}:25:42: error: reviews[AUT-convention-1].draw.reviewers[0]: unknown State 'DEX' (did you mean 'DEU'?)"),
    Bad("snapshot", "duplicate id", snap("experts:\n", "experts:\n  - {id: DEU-c-1, state: "
                                         "DEU, instrument: convention, listed: 2020-03-02}\n"),
        "{file}:19:5: error: experts[DEU-c-1]: duplicate expert id 'DEU-c-1' (first at line 18)"),
    Bad("snapshot", "object-constructing tag",
        snap("    name: Austria\n", "    name: !!python/object/apply:os.system [ls]\n"),
        "{file}:7:11: error: states.AUT.name: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)"),
    Bad("snapshot", "alias bomb", alias_bomb(),
        "{file}:2:10: error: YAML alias '*a0' is not allowed: write the value out in full (aliases can make a small file expand enormously)", hostile=True),
    Bad("snapshot", "deep nesting (flow)", deep(SNAPSHOT, "notes"),
        '{file}:26:71: error: nesting deeper than 64 levels (lists and mappings inside each other): no revmech input is this deep', hostile=True),
    Bad("snapshot", "deep nesting (blocks)", deep_blocks(SNAPSHOT),
        '{file}:90:129: error: nesting deeper than 64 levels (lists and mappings inside each other): no revmech input is this deep', hostile=True),
    Bad("snapshot", "empty file", "",
        '{file}:1:1: error: no YAML document (the file is empty or only comments): expected a mapping'),
    Bad("snapshot", "only comments", "# nothing here\n",
        '{file}:1:1: error: no YAML document (the file is empty or only comments): expected a mapping'),
    Bad("snapshot", "not UTF-8", SNAPSHOT.replace("Austria", "\xd6sterreich").encode("latin-1"),
        '{file}:7:11: error: not UTF-8 text: byte 0xd6 cannot be decoded (expected a UTF-8 encoded YAML file)'),
    Bad("snapshot", "unknown format version", snap("@1", "@2"),
        "{file}:1:9: error: format: unsupported snapshot format version 'revmech/snapshot@2': this revmech reads 'revmech/snapshot@1'"),
    Bad("snapshot", "missing file", MISSING,
        "error: cannot read '{file}': no such file"),
    Bad("snapshot", "a directory", DIRECTORY,
        "error: cannot read '{file}': it is a directory, expected a YAML file"),
    Bad("snapshot", "top level not a mapping", "- format: revmech/snapshot@1\n",
        '{file}:1:1: error: expected a mapping at the top level (format: revmech/snapshot@1, as_of: ..., mechanism: ..., states: ...), got a list'),
    Bad("snapshot", "phase out of range", snap("    phase: 1\n", "    phase: 7\n"),
        '{file}:23:12: error: reviews[AUT-convention-1].phase: unknown review phase 7 (review phases: 1, 2)'),
    Bad("snapshot", "year out of range", snap("    year: 3\n", "    year: 0\n"),
        '{file}:24:11: error: reviews[AUT-convention-1].year: expected a mechanism year of 1 or more, got 0'),
    Bad("snapshot", "negative count", snap("{DEU: 1}", "{DEU: -1}"),
        '{file}:25:63: error: reviews[AUT-convention-1].draw.redraws.DEU: expected a whole number, got -1 (negative)'),
    Bad("snapshot", "fact after as_of", snap("listed: 2020-03-01", "listed: 2027-03-01"),
        '{file}:18:63: error: experts[DEU-c-1].listed: 2027-03-01 is after as_of 2026-10-01'),
    Bad("snapshot", "number too long for Python", snap("year_one: 2019", "year_one: " + "9" * 5000),
        "{file}:4:13: error: mechanism.year_one: expected a whole number, got one of 5000 characters (too long)"),
    Bad("snapshot", "year outside its phase", snap("    year: 3\n", "    year: 8\n"),
        '{file}:24:11: error: reviews[AUT-convention-1].year: year 8 is not in phase 1 (years 3-6)'),
    Bad("snapshot", "Protocol party not party to the Convention",
        snap("      convention: {status: party, since: 2004-09-23}\n", ""),
        '{file}:10:7: error: states.AUT.instruments.trafficking: party to the Trafficking in Persons Protocol but not to the Convention (UNTOC art. 37(2): only a party to the Convention can be party to a Protocol)'),
    # -- rule files ----------------------------------------------------------------------
    Bad("rules", "malformed rule", edit(RULE, "shall", "shal"),
        "{file}:4:3: error: expected 'shall', 'should' or 'may', found 'shal'"),
    Bad("rules", "duplicate rule id", RULE + "\n" + RULE,
        "{file}:6:6: error: duplicate rule id 'r' (first defined at {file}:1:6)"),
    Bad("rules", "unknown field", edit(RULE, "expert.listed", "expert.lsted"),
        "{file}:4:16: error: an Expert has no field 'lsted' (did you mean 'listed'?)"),
    Bad("rules", "unknown name", edit(RULE, "as_of", "as_off"),
        "{file}:4:26: error: unknown name 'as_off' (did you mean 'as_of'?)"),
    Bad("rules", "wrong type", edit(RULE, "expert.listed <= as_of", "expert.listed <= 3"),
        "{file}:4:9: error: '<=' compares two numbers or two dates, not a date and a number"),
    Bad("rules", "impossible date", edit(RULE, "as_of", "2023-02-30"),
        '{file}:4:26: error: no such date: 2023-02-30'),
    Bad("rules", "a long chain (deep, though parsed without recursion)",
        edit(RULE, "expert.listed <= as_of", " or ".join(["expert.listed <= as_of"] * 150)),
        "{file}:4:9: error: expression nested more than 100 levels deep: split it with `let`"),
    Bad("rules", "number too long for Python", edit(RULE, "as_of", "9" * 5000),
        "{file}:4:26: error: number too long (5000 characters)"),
    Bad("rules", "duration too long for Python",
        edit(RULE, "expert.listed <= as_of", "expert.listed within " + "9" * 5000
             + " days after as_of"),
        "{file}:4:30: error: number too long (5000 characters)"),
    Bad("rules", "deep nesting", edit(RULE, "as_of", "(" * 300 + "as_of" + ")" * 300),
        '{file}:1:1: error: rules nested too deeply',
        hostile=True),
    Bad("rules", "not UTF-8", RULE.replace("para 19", "para 19 \xe9").encode("latin-1"),
        '{file}:2:17: error: not UTF-8 text: byte 0xe9 cannot be decoded (expected a UTF-8 encoded rule file)'),
    Bad("rules", "missing folder", MISSING,
        'error: --rules {tmp}/absent: not a folder'),
    Bad("rules", "a directory named .rules", DIRECTORY,
        "error: cannot read '{file}': it is a directory, expected a rule file"),
    # -- parameters ----------------------------------------------------------------------
    Bad("parameters", "malformed YAML", "parameters: [\n",
        '{file}:2:1: error: invalid YAML: did not find expected node content (while parsing a flow node)'),
    Bad("parameters", "duplicate key", PARAMS.replace("  phase_years:\n",
                                                      "  phase_years:\n    cites: []\n", 1),
        "{file}:55:5: error: duplicate key 'cites' (first at line 50)"),
    Bad("parameters", "unknown key", PARAMS.replace("    cites: [para 8, para 9]\n",
                                                    "    cite: [para 8, para 9]\n", 1),
        "{file}:54:5: error: parameter 'phase_years': unknown key 'cite' (did you mean 'cites'?)"),
    Bad("parameters", "object-constructing tag",
        PARAMS.replace("value: 1 year", "value: !!python/name:os.system", 1),
        "{file}:57:12: error: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)"),
    Bad("parameters", "alias bomb", alias_bomb("format: revmech/parameters@1\n"),
        "{file}:3:10: error: YAML alias '*a0' is not allowed: write the value out in full (aliases can make a small file expand enormously)",
        hostile=True),
    Bad("parameters", "deep nesting", deep("format: revmech/parameters@1\n", "parameters"),
        '{file}:2:76: error: nesting deeper than 64 levels (lists and mappings inside each other): no revmech input is this deep',
        hostile=True),
    Bad("parameters", "key that is not text", PARAMS.replace("      0: [1, 2]", "      [0]: [1, 2]",
                                                             1),
        '{file}:51:7: error: expected a key name, got a list'),
    Bad("parameters", "tab indentation", PARAMS.replace("    value: 5\n", "\tvalue: 5\n", 1),
        '{file}:6:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token)'),
    Bad("parameters", "unknown format version", PARAMS.replace("parameters@1", "parameters@2", 1),
        '{file}:3:9: error: expected format: revmech/parameters@1'),
    Bad("parameters", "wrong type", PARAMS.replace("      1: [3, 6]", "      1: three", 1),
        "{file}:51:7: error: parameter 'phase_years': expected phase numbers, each with [first year, last year] (e.g. 1: [3, 6]), in order and not overlapping; got 1: three"),
    Bad("parameters", "number too long for Python",
        PARAMS.replace("    value: 5\n", "    value: " + "9" * 5000 + "\n", 1),
        "{file}:6:12: error: number too long (5000 characters)"),
    Bad("parameters", "value out of range", PARAMS.replace("    value: 5\n", "    value: -5\n", 1),
        "{file}:6:12: error: parameter 'max_experts_per_instrument': expected whole numbers of 0 or more (counts, years, sessions), got -5"),
    Bad("parameters", "years out of order", PARAMS.replace("      2: [7, 10]", "      2: [6, 10]", 1),
        "{file}:51:7: error: parameter 'phase_years': expected phase numbers, each with [first year, last year] (e.g. 1: [3, 6]), in order and not overlapping; got 2: [6, 10]"),
    Bad("parameters", "missing calendar", PARAMS.replace("  phase_years:", "  phase_yeers:", 1),
        "{file}:5:3: error: missing parameter 'phase_years' (first and last mechanism year of each phase: the calendar every snapshot is judged against)"),
    Bad("parameters", "empty file", "",
        '{file}:1:1: error: no YAML document (the file is empty or only comments): expected a mapping'),
    Bad("parameters", "not UTF-8", b"format: \xff\n",
        '{file}:1:9: error: not UTF-8 text: byte 0xff cannot be decoded (expected a UTF-8 encoded parameters file)'),
    Bad("parameters", "top level not a mapping", "[1, 2]\n",
        "{file}:1:1: error: expected a mapping with 'format' and 'parameters'"),
    # -- amendments ----------------------------------------------------------------------
    Bad("amendment", "malformed YAML", AMENDMENT + "parameters: {a: 1\n",
        "{file}:5:1: error: invalid YAML: did not find expected ',' or '}}' (while parsing a flow mapping at line 4, column 13)"),
    Bad("amendment", "tab indentation", AMENDMENT + "parameters:\n\tmax_experts_per_instrument: 3\n",
        '{file}:5:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token)'),
    Bad("amendment", "duplicate key", AMENDMENT + "title: U\n",
        "{file}:4:1: error: duplicate key 'title' (first at line 2)"),
    Bad("amendment", "unknown key", AMENDMENT + "paramters: {}\n",
        "{file}:4:1: error: unknown key 'paramters' (did you mean 'parameters'?)"),
    Bad("amendment", "wrong type", AMENDMENT + "parameters:\n  max_experts_per_instrument: "
        "three\n",
        "{file}:5:3: error: parameter 'max_experts_per_instrument' is a number (now 5); the amendment gives a text"),
    Bad("amendment", "impossible date", AMENDMENT + "effective: 2025-02-30\n",
        '{file}:4:12: error: effective: expected a date YYYY-MM-DD'),
    Bad("amendment", "dangling reference", AMENDMENT + "repeal: [similar-legal-sytem]\n",
        "{file}:4:10: error: cannot repeal 'similar-legal-sytem': no such rule (did you mean 'similar-legal-system'?)"),
    Bad("amendment", "duplicate id", AMENDMENT + "add: |\n" + "".join(
        "  " + line + "\n" for line in (RULE.replace("rule r", "rule new-one") * 2).splitlines()),
        "{file}:9:8: error: cannot add 'new-one': a rule with that id exists (to change it, use replace:)"),
    Bad("amendment", "object-constructing tag", AMENDMENT + "note: !!python/object:os.system {}\n",
        "{file}:4:7: error: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)"),
    Bad("amendment", "alias bomb", alias_bomb(AMENDMENT),
        "{file}:5:10: error: YAML alias '*a0' is not allowed: write the value out in full (aliases can make a small file expand enormously)", hostile=True),
    Bad("amendment", "deep nesting", deep(AMENDMENT, "parameters"),
        '{file}:4:76: error: nesting deeper than 64 levels (lists and mappings inside each other): no revmech input is this deep', hostile=True),
    Bad("amendment", "empty file", "",
        '{file}:1:1: error: no YAML document (the file is empty or only comments): expected a mapping'),
    Bad("amendment", "not UTF-8", (AMENDMENT + "note: caf\xe9\n").encode("latin-1"),
        '{file}:4:10: error: not UTF-8 text: byte 0xe9 cannot be decoded (expected a UTF-8 encoded amendment file)'),
    Bad("amendment", "unknown format version", AMENDMENT.replace("@1", "@9"),
        '{file}:1:9: error: expected format: revmech/amendment@1'),
    Bad("amendment", "missing file", MISSING,
        "error: cannot read '{file}': no such file"),
    Bad("amendment", "a directory", DIRECTORY,
        "error: cannot read '{file}': it is a directory, expected an amendment file"),
    Bad("amendment", "top level not a mapping", "just text\n",
        '{file}:1:1: error: an amendment is a mapping with format: revmech/amendment@1, title, proposed_by ...'),
    Bad("amendment", "key that is not text", AMENDMENT + "? [parameters]\n: {}\n",
        '{file}:4:3: error: expected a key name, got a list'),
    Bad("amendment", "number too long for Python", AMENDMENT + "parameters:\n  "
        "max_experts_per_instrument: " + "9" * 5000 + "\n",
        "{file}:5:31: error: number too long (5000 characters)"),
    Bad("amendment", "value out of range", AMENDMENT + "parameters:\n  "
        "max_experts_per_instrument: -1\n",
        "{file}:5:3: error: parameter 'max_experts_per_instrument': expected whole numbers of 0 or more (counts, years, sessions), got -1"),
    Bad("amendment", "calendar that is not one", AMENDMENT + "parameters:\n  phase_years:\n"
        "    1: [3]\n    2: [7, 10]\n",
        "{file}:5:3: error: parameter 'phase_years': expected phase numbers, each with [first year, last year] (e.g. 1: [3, 6]), in order and not overlapping; got 1: [3]"),
    Bad("amendment", "phase years in force (amended)", AMENDMENT + "parameters:\n  phase_years:"
        "\n    0: [1, 2]\n    1: [3, 4]\n    2: [5, 10]\n",
        '{clean}:762:11: error: reviews[AGO-convention-1].year: year 5 is not in phase 1 (years 3-4)'),
    # -- waivers ---------------------------------------------------------------------------
    Bad("waivers", "malformed YAML", waive("subject: {", "subject: ["), "{file}:4:49: error: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 4, column 14)"),
    Bad("waivers", "tab indentation", waive("    justification", "\tjustification"), '{file}:5:1: error: invalid YAML: found character that cannot start any token (while scanning for the next token)'),
    Bad("waivers", "duplicate key", waive("    expires: 2026-12-31\n",
                                          "    expires: 2026-12-31\n    expires: 2027-01-01\n"),
        "{file}:8:5: error: waivers[0]: duplicate key 'expires' (first at line 7)"),
    Bad("waivers", "unknown key", waive("decided_by", "decidedby"), "{file}:6:5: error: waivers[0]: unknown key 'decidedby' (did you mean 'decided_by'?)"),
    Bad("waivers", "wrong type", waive('justification: "a list being renewed"',
                                       "justification: [a, list]"), '{file}:5:20: error: waivers[0].justification: expected text, got a list'),
    Bad("waivers", "impossible date", waive("2026-12-31", "2026-02-30"), "{file}:7:14: error: waivers[0].expires: expected a date YYYY-MM-DD, got '2026-02-30'"),
    Bad("waivers", "dangling reference (rule)", waive("rule: experts-cap", "rule: expert-cap"),
        "{file}:3:11: error: waivers[0].rule: unknown rule 'expert-cap' (did you mean 'experts-cap'?)"),
    Bad("waivers", "dangling reference (binding)", waive("state: AUT", "stat: AUT"), "{file}:4:15: error: waivers[0].subject: 'stat' is not a binding of experts-cap (did you mean 'state'?); it ranges over 'state', 'instrument'"),
    Bad("waivers", "duplicate waiver", WAIVERS + WAIVERS.split("waivers:\n", 1)[1], '{file}:8:5: error: waivers[1]: a second waiver for experts-cap/AUT/convention (first at line 3)'),
    Bad("waivers", "object-constructing tag", waive('"a list being renewed"',
                                                    "!!python/object/apply:os.system [ls]"),
        "{file}:5:20: error: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system': expected plain YAML values (text, dates, lists, mappings)"),
    Bad("waivers", "alias bomb", alias_bomb("format: revmech/waivers@1\n"), "{file}:3:10: error: YAML alias '*a0' is not allowed: write the value out in full (aliases can make a small file expand enormously)", hostile=True),
    Bad("waivers", "deep nesting (flow)", deep(WAIVERS, "notes"), '{file}:8:71: error: nesting deeper than 64 levels (lists and mappings inside each other): no revmech input is this deep', hostile=True),
    Bad("waivers", "empty file", "", '{file}:1:1: error: no YAML document (the file is empty or only comments): expected a mapping'),
    Bad("waivers", "not UTF-8", WAIVERS.replace("renewed", "renouvel\xe9").encode("latin-1"),
        '{file}:5:42: error: not UTF-8 text: byte 0xe9 cannot be decoded (expected a UTF-8 encoded YAML file)'),
    Bad("waivers", "unknown format version", WAIVERS.replace("@1", "@2"), "{file}:1:9: error: format: unsupported waivers format version 'revmech/waivers@2': this revmech reads 'revmech/waivers@1'"),
    Bad("waivers", "missing file", MISSING, "error: cannot read '{file}': no such file"),
    Bad("waivers", "a directory", DIRECTORY,
        "error: cannot read '{file}': it is a directory, expected a YAML file"),
    Bad("waivers", "top level not a mapping", "- rule: experts-cap\n", '{file}:1:1: error: expected a mapping at the top level (format: revmech/waivers@1, waivers: [...]), got a list'),
]


def materialize(tmp_path: Path, bad: Bad) -> tuple[str, list[str]]:
    """Write the row's file (in a folder of its own) and give its path and the arguments."""
    kind = KINDS[bad.kind]
    folder = tmp_path / "in"
    path = folder / kind.file_name
    if bad.content is MISSING:
        path = (tmp_path / "absent" / kind.file_name) if kind.folder else path
    else:
        folder.mkdir()
        if bad.content is DIRECTORY:
            path.mkdir()
        elif isinstance(bad.content, bytes):
            path.write_bytes(bad.content)
        else:
            path.write_text(bad.content, encoding="utf-8")
    return str(path), kind.argv(str(path))


def expected(bad: Bad, path: str) -> str:
    return bad.first.format(file=path, tmp=os.path.dirname(os.path.dirname(path)),
                            clean=CLEAN)


@pytest.mark.parametrize("bad", BAD, ids=[f"{b.kind}: {b.what}" for b in BAD])
def test_bad_input_is_refused_cleanly(tmp_path, bad):
    path, argv = materialize(tmp_path, bad)
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stdout == ""  # nothing written half-way
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == expected(bad, path)


def test_every_class_is_located_where_it_has_a_position():
    """Only a file that cannot be read at all (missing, a folder) has no line and column."""
    unlocated = {(b.kind, b.what) for b in BAD if not b.first.startswith("{")}
    assert unlocated == {(b.kind, b.what) for b in BAD
                         if b.content is MISSING or b.content is DIRECTORY}


def test_every_kind_has_the_common_classes():
    common = {"malformed", "not UTF-8", "missing", "directory", "nesting"}
    for kind in KINDS:
        whats = " / ".join(b.what for b in BAD if b.kind == kind)
        missing = {c for c in common if c not in whats}
        if kind == "parameters":  # read from a rule folder: no file of its own to miss
            missing -= {"missing", "directory"}
        assert not missing, (kind, missing)


HOSTILE = [b for b in BAD if b.hostile]
LIMITED = """\
import resource, sys
limit = 1 << 30  # 1 GiB of address space: an expanded bomb would need far more
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from revmech.cli.main import main
sys.argv[0] = "revmech"
main()
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
@pytest.mark.parametrize("bad", HOSTILE, ids=[f"{b.kind}: {b.what}" for b in HOSTILE])
def test_hostile_input_is_refused_within_bounds(tmp_path, bad):
    """Refused as a process under a memory limit: nothing was expanded or recursed into.
    (The timeout only keeps a regression from hanging the suite; it is not a speed test.)"""
    path, argv = materialize(tmp_path, bad)
    run = subprocess.run([sys.executable, "-c", LIMITED, *argv], capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == expected(bad, path)
