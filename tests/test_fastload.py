"""The loader's fast path (`engine/fastload.py`) against its exact path (compose, then the
walker): the same model, field by field and `loc` by `loc`, whenever the fast path
accepts; and `load_snapshot` answers, model or diagnostics, exactly as the exact path.

Inputs: every shipped snapshot, every rule case's changed snapshot, hand-written corner
cases, and hypothesis mutations of the shipped samples (those of tests/test_fuzz.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import attrs
import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from revmech.engine import fastload, loader
from revmech.engine.cases import load_cases
from revmech.engine.errors import SnapshotError
from revmech.engine.fastload import fast_snapshot
from revmech.engine.model import CLASSES, Spec
from revmech.engine.ruleset import load_ruleset
from revmech.engine.types import BOOLEAN, DATE, DURATION, NUMBER, TEXT, Entity, ListOf, MapOf
from test_fuzz import byte_mutants, sample_bytes, share, SAMPLES, yaml_mutants
from test_loader import BASE

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = sorted((ROOT / "fixtures").glob("*.yaml"))
CASE_FILES = sorted((ROOT / "fixtures" / "cases").glob("*.yaml"))


@functools.lru_cache(maxsize=None)
def phase_years():
    return load_ruleset().phase_years


def assert_same_model(fast, exact) -> None:
    """Equal field by field (locs included), with the same sharing of objects: a State
    referenced from a review is the very State of the snapshot's table, in both."""
    pairs: dict[int, int] = {}  # id(fast object) -> id(exact object)

    def same(a, b, path):
        if attrs.has(type(a)):
            assert type(a) is type(b), path
            if id(a) in pairs:
                assert pairs[id(a)] == id(b), f"{path}: shared differently"
                return
            pairs[id(a)] = id(b)
            for f in attrs.fields(type(a)):
                same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
        elif isinstance(a, tuple):
            assert type(b) is tuple and len(a) == len(b), path
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{path}[{i}]")
        elif isinstance(a, dict):
            assert type(b) is dict and len(a) == len(b), path
            for (ka, va), (kb, vb) in zip(a.items(), b.items()):
                same(ka, kb, f"{path} key")
                same(va, vb, f"{path}[{ka}]")
        else:
            assert type(a) is type(b) and a == b, (path, a, b)

    same(fast, exact, "snapshot")


def exact(text: str, name: str):
    """The exact path's answer: a model, or the rendered diagnostics."""
    try:
        root, source = loader.compose(text, name=name)
        return loader.snapshot_from_node(root, source, file=name, phase_years=phase_years())
    except SnapshotError as e:
        return e.render()


def fast(text: str, name: str):
    return fast_snapshot(text[1:] if text.startswith("\ufeff") else text, name,
                         phase_years())


def assert_agree(text: str, name: str = "snap.yaml", *, accepted: bool | None = None):
    """Whenever the fast path accepts, the exact path builds the same model."""
    got, want = fast(text, name), exact(text, name)
    if accepted is not None:
        assert (got is not None) is accepted
    if got is not None:
        assert not isinstance(want, str), want
        assert_same_model(got, want)
    return got, want


def assert_load_agrees(data: bytes, tmp_path_factory, *, count: bool = False) -> None:
    """`load_snapshot` (fast path or fallback) answers as the exact path does. `count`:
    tell hypothesis's statistics which path answered (--hypothesis-show-statistics)."""
    path = tmp_path_factory.mktemp("fast") / "mutant.yaml"
    path.write_bytes(data)
    try:
        want = exact(loader.read_text(str(path)), str(path))
    except SnapshotError as e:  # not UTF-8: both refuse in read_text
        want = e.render()
    try:
        got = loader.load_snapshot(str(path), phase_years=phase_years())
    except SnapshotError as e:
        assert e.render() == want
        if count:
            event("refused")
        return
    assert not isinstance(want, str), want
    assert_same_model(got, want)
    got_fast = fast(path.read_text(encoding="utf-8"), str(path))
    if count:
        event("loaded; the fast path " + ("read it" if got_fast is not None else "gave up"))
    if got_fast is not None:
        assert_same_model(got_fast, want)


# --------------------------------------------------------------------------------------
# shipped inputs


@pytest.mark.parametrize("path", SNAPSHOTS, ids=lambda p: p.name)
def test_the_fast_path_reads_every_shipped_snapshot_as_the_exact_path(path):
    assert_agree(path.read_text(encoding="utf-8"), str(path), accepted=True)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.name)
def test_every_rule_case_snapshot_reads_alike(path):
    """Each case changes the sample cycle (a date moved, a key dropped, a reviewer
    added): the changed snapshot, written out as YAML, reads alike on both paths."""
    for case in load_cases(str(path)):
        root, _ = case.compose()
        text = yaml.serialize(root, Dumper=yaml.SafeDumper, allow_unicode=True)
        got, want = assert_agree(text, case.name + ".yaml")
        if not isinstance(want, str):
            assert got is not None, case.name  # what the exact path accepts is fast


def test_load_snapshot_uses_the_fast_path_and_falls_back(tmp_path, monkeypatch):
    good = tmp_path / "good.yaml"
    good.write_text(BASE, encoding="utf-8")
    calls = []
    walk = loader.snapshot_from_node
    monkeypatch.setattr(loader, "snapshot_from_node",
                        lambda *a, **k: calls.append(1) or walk(*a, **k))
    loader.load_snapshot(str(good), phase_years=phase_years())
    assert calls == []  # well-formed: the walker was not needed
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("name: Germany", "nmae: Germany"), encoding="utf-8")
    with pytest.raises(SnapshotError, match="unknown key 'nmae'"):
        loader.load_snapshot(str(bad), phase_years=phase_years())
    assert calls == [1]


# --------------------------------------------------------------------------------------
# corner cases: unusual but valid input (fast or not, the same model), and problems

def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


VALID = {
    "as is": (BASE, True),
    "a byte order mark": ("\ufeff" + BASE, True),
    "quoted values": (edit("name: Austria", "name: 'Austria'", edit(
        "listed: 2020-02-01", 'listed: "2020-02-01"')), True),
    "flow and block styles": (edit("uncac: {status: party, since: 2006-01-11}",
                                   "uncac:\n      status: party\n      since: 2006-01-11"),
                              True),
    "YAML 1.1 booleans as text": (edit("legal_system: civil law", "legal_system: no"), True),
    "a whole number as text": (edit("legal_system: civil law", "legal_system: 12"), True),
    "a nullable required key null": (edit("regional_group: WEOG", "regional_group: ~"), True),
    "an anchor never aliased": (edit("name: Austria", "name: &a Austria"), True),
    "a block scalar": (edit("name: Austria", "name: |-\n      Austria"), True),
    "an explicit core tag": (edit("name: Austria", "name: !!str Austria"), False),
    "a non-specific tag": (edit("name: Austria", "name: ! Austria"), False),
}


def _states_last(text: str) -> str:
    """The `states` table moved to the end of the file (the walker reads it first)."""
    start = text.index("\nstates:\n") + 1
    end = start + text[start:].index("\n\n") + 1 if "\n\n" in text[start:] else len(text)
    return text[:start] + text[end:] + text[start:end]


def _as_of_last(text: str) -> str:
    line = next(line for line in text.splitlines(keepends=True) if line.startswith("as_of:"))
    return text.replace(line, "", 1) + line


VALID["CRLF line ends"] = (BASE.replace("\n", "\r\n"), True)
VALID["NEL line ends"] = (BASE.replace("\n", "\x85"), True)
VALID["a document end marker"] = ("---\n" + BASE + "...\n# after\n", True)
VALID["a %YAML directive"] = ("%YAML 1.1\n---\n" + BASE, True)
VALID["an explicit key"] = (edit("as_of: 2026-10-01", "? as_of\n: 2026-10-01"), True)
VALID["states at the end"] = (_states_last(BASE), False)
VALID["as_of at the end"] = (_as_of_last(BASE), False)


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_corner_cases_read_alike(name):
    text, fast_accepts = VALID[name]
    got, want = assert_agree(text, accepted=fast_accepts)
    assert not isinstance(want, str), want


PROBLEMS = {
    "an unknown key": edit("name: Germany", "nmae: Germany"),
    "a duplicate key": edit("name: Germany", "name: Germany\n    name: Germany"),
    "a duplicate State": edit("  FRA:\n", "  DEU:\n"),
    "an alias": edit("name: Austria", "name: &a Austria").replace(
        "name: Germany", "name: *a"),
    "a float as text": edit("legal_system: civil law", "legal_system: 1.5"),
    "true as text": edit("legal_system: civil law", "legal_system: true"),
    "a date after as_of": edit("listed: 2020-02-01", "listed: 2027-02-01"),
    "no such day": edit("listed: 2020-02-01", "listed: 2020-02-30"),
    "a quoted number": edit("year_one: 2019", "year_one: '2019'"),
    "a negative number": edit("year_one: 2019", "year_one: -1"),
    "an unknown State": edit("state: AUT", "state: XYZ"),
    "a bad State id": edit("  FRA:\n", "  Fra:\n"),
    "a required key null": edit("name: Germany", "name: null"),
    "a list item null": edit("- id: AUT-convention-1", "- null\n  - id: AUT-convention-1"),
    "a protocol without the Convention": edit(
        "      convention: {status: party, since: 2002-10-29}",
        "      trafficking: {status: party, since: 2002-10-29}"),
    "another format": edit("revmech/snapshot@1", "revmech/snapshot@2"),
    "a second document": BASE + "---\nx: 1\n",
    "an empty second document": BASE + "...\n---\n",
    "a syntax error at the end": BASE + "x: [\n",
    "a tab": edit("  DEU:\n", "\tDEU:\n"),
    "a merge key": edit("name: Germany", "<<: {name: Germany}"),
    "a list where a mapping is due": edit("mechanism:\n  year_one: 2019", "mechanism: [1]"),
    "deep nesting": BASE + "deep: " + "[" * 200 + "]" * 200 + "\n",
    "the top level a list": "- 1\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_problems_are_left_to_the_exact_path(name, tmp_path_factory):
    text = PROBLEMS[name]
    assert fast(text, "snap.yaml") is None
    assert isinstance(exact(text, "snap.yaml"), str)
    assert_load_agrees(text.encode("utf-8"), tmp_path_factory)


def test_the_fast_path_recurses_no_deeper_than_the_model():
    """What it reads is at most as deep as the model (a State is read where it is owned,
    in the `states` table, and referenced elsewhere): well under MAX_DEPTH."""
    def depth(t, owned=False):
        if isinstance(t, ListOf):
            return 1 + depth(t.item)
        if isinstance(t, MapOf):
            return 1 + depth(t.value, owned=True)
        if isinstance(t, Entity) and (owned or t.name not in loader._REFERENCED):
            return 1 + max(depth(a.metadata["spec"].type) for a in attrs.fields(CLASSES[t.name])
                           if "spec" in a.metadata)
        return 0
    assert depth(Entity("Snapshot")) == 6 < loader.MAX_DEPTH


# --------------------------------------------------------------------------------------
# mutations


@share(1 / 3)
@given(yaml_mutants())
def test_yaml_mutants_read_alike(tmp_path_factory, data):
    assert_load_agrees(data, tmp_path_factory, count=True)


@share(1 / 3)
@given(st.integers(0, len(SAMPLES) - 1).flatmap(lambda i: byte_mutants(sample_bytes(i))))
def test_byte_mutants_read_alike(tmp_path_factory, data):
    assert_load_agrees(data, tmp_path_factory, count=True)


def test_a_path_object_names_the_file_alike(tmp_path):
    path = tmp_path / "snap.yaml"
    path.write_text(BASE, encoding="utf-8")
    got = loader.load_snapshot(path, phase_years=phase_years())
    root, source = loader.compose(str(path))
    want = loader.snapshot_from_node(root, source, file=path, phase_years=phase_years())
    assert got.file is path
    assert_same_model(got, want)


SCALARS = ["x", "'x'", "12", "'12'", "-3", "+5", "007", "0x1A", "1_000", "1.5", ".inf", "true",
           "'true'", "True", "no", "on", "null", "~", "''", "", "2020-01-01", "'2020-01-01'",
           "2020-02-30", "0000-01-01", "2027-01-01", "2020-01-01 10:00:00", "3 months",
           "'3 months'", "'2 weeks'", "en", "EN", "party", "'party'", "<<", "=", "!!str x",
           "! x", "|\n  x"]
SPECS = {
    "text": (Spec(TEXT), "f"),
    "a choice": (Spec(TEXT, choices=("party", "signatory", "12")), "f"),
    "a language": (Spec(TEXT), "language"),
    "date": (Spec(DATE), "f"),
    "number": (Spec(NUMBER), "f"),
    "boolean": (Spec(BOOLEAN), "f"),
    "duration": (Spec(DURATION), "f"),
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_each_scalar_reader_accepts_what_the_walker_accepts(kind):
    """Value by value: the same value, null alike, or the walker objects and the fast
    path gives up (as_of 2026-10-01). An explicit tag is always given up on."""
    refused = object()
    spec, name = SPECS[kind]
    as_of = dt.date(2026, 10, 1)
    for scalar in SCALARS:
        text = f"f: {scalar}\n"
        walker = loader._Walker("t.yaml", text, phase_years())
        walker.as_of = as_of
        root, _ = loader.compose(text, name="t.yaml")
        want = walker.value(spec.type, spec, name, root.value[0][1], "f")
        if walker.diagnostics:
            want = refused
        parser = loader._YAML_LOADER(text)
        events = [parser.get_event() for _ in range(5)]  # stream, document, map, key, value
        reader = fastload._Reader(parser, "t.yaml", phase_years())
        reader.as_of = as_of
        read, arg = fastload._reader(spec.type, spec, name)
        try:
            got = read(reader, events[-1], arg)
        except fastload._GiveUp:
            got = refused
        if got is refused and scalar.startswith("!"):
            continue
        if got is fastload._NULL or want is loader._NULL:
            assert got is fastload._NULL and want is loader._NULL, (scalar, got, want)
        else:
            assert (type(got), got) == (type(want), want), scalar
