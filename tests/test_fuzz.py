"""Fuzzing (hypothesis): hostile variations of the shipped inputs, and rules generated from
the grammar. Whatever they are, the only exceptions that may leave the loader, the
checker and the evaluator are revmech's own (`RevmechError`), located inside the text.

- snapshots: the shipped samples mutated at the YAML level (values replaced by values of
  other kinds, entries deleted, duplicated, renamed or moved) and at the byte level
  (bytes flipped, deleted, inserted: tabs, invalid UTF-8, anchors, tags, brackets);
  whatever loads is then checked against the shipped rules, and judged at an earlier date;
- parameters and amendments: the shipped files mutated at the byte level;
- rules: rule texts generated from the grammar of docs/grammar.md, typed from the
  snapshot model most of the time (so that many check and are then evaluated) and
  ill-typed some of the time. A generated rule always parses: the generator is the
  grammar, so a parse error is a grammar bug.

Profiles (conftest.py): "ci" by default; `HYPOTHESIS_PROFILE=long python -m pytest
tests/test_fuzz.py` for a deeper run.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revmech.engine.amendments import apply, load_amendment
from revmech.engine.check import evaluate
from revmech.engine.checker import GLOBAL_COLLECTIONS
from revmech.engine.errors import RevmechError
from revmech.engine.grammar import parse_rules
from revmech.engine.loader import compose, judge_at, load_snapshot
from revmech.engine.model import fields_of
from revmech.engine.parameters import load_parameters
from revmech.engine.ruleset import build_ruleset, load_ruleset
from revmech.engine.types import Entity, ListOf, MapOf, Scalar

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "fixtures" / "sample-cycle.yaml", ROOT / "fixtures" / "sample-planted.yaml"]
PARAMS_PATH = ROOT / "rules" / "parameters.yaml"
PARAMS_TEXT = PARAMS_PATH.read_text(encoding="utf-8")
AMENDMENTS = sorted((ROOT / "rules" / "amendments").glob("*.yaml"))


def share(fraction: float):
    """A share of the profile's examples for the costly properties (a whole snapshot
    loaded and checked per example): the fast profile stays fast, the long one goes deep."""
    return settings(max_examples=max(5, int(settings.default.max_examples * fraction)),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@functools.lru_cache(maxsize=None)
def shipped():
    return load_ruleset()


@functools.lru_cache(maxsize=None)
def sample_bytes(index: int) -> bytes:
    return SAMPLES[index].read_bytes()


@functools.lru_cache(maxsize=None)
def sample_tree(index: int) -> yaml.Node:
    root, _ = compose(str(SAMPLES[index]))
    return root


@functools.lru_cache(maxsize=None)
def sample_snapshot(index: int):
    return load_snapshot(str(SAMPLES[index]), phase_years=shipped().phase_years)


def assert_located(e: RevmechError, text: str | None = None):
    assert e.diagnostics
    for d in e.diagnostics:
        assert d.render()
        if d.loc is not None:
            assert d.loc.line >= 1 and d.loc.column >= 1
            if text is not None:
                assert d.loc.line <= text.count("\n") + 2, (d.loc, text.count("\n"))


def load_and_check(data: bytes) -> None:
    """Load bytes as a snapshot file; if they load, check and judge them: no crash."""
    fd, path = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            snap = load_snapshot(path, phase_years=shipped().phase_years)
        except RevmechError as e:
            assert_located(e, data.decode("utf-8", "replace"))
            return
    finally:
        os.unlink(path)
    result = evaluate(shipped(), snap)
    assert all(f.rule for f in result.findings)
    evaluate(shipped(), judge_at(snap, snap.as_of - dt.timedelta(days=400)))


# --------------------------------------------------------------------------------------
# snapshots: YAML-level mutations

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()

ODD_SCALARS = ["", "null", "~", "0", "-1", "3", "1.5", "1e9", "99999999999999999999", "true",
               "no", "2021-03-10", "2021-02-30", "0000-01-01", "9999-12-31", "2027-01-01",
               "AUT", "XXX", "EUU", "secretariat", "public", "convention", "firearms", "en",
               "3 weeks", "x" * 300, "é", "{", "*", "&a", "!!", "- x", "a: b"]
ODD_KEYS = ["id", "name", "state", "date", "year", "phase", "reviews", "states", "format",
            "as_of", "nmae", "extra", "", "AUT", "0"]


def plain(value: str) -> yaml.ScalarNode:
    """A plain scalar, tagged as a YAML parser would resolve it."""
    return yaml.ScalarNode(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)), value)


def all_nodes(root: yaml.Node) -> list[tuple[yaml.Node | None, int, yaml.Node]]:
    """Every (parent, index in parent, node), depth first, in document order."""
    out = [(None, 0, root)]
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.SequenceNode):
            children = list(enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            children = [(i, v) for i, (_, v) in enumerate(node.value)]
        else:
            continue
        for i, child in children:
            out.append((node, i, child))
        stack.extend(child for _, child in reversed(children))
    return out


def put(parent: yaml.Node, index: int, new: yaml.Node) -> None:
    if isinstance(parent, yaml.SequenceNode):
        parent.value[index] = new
    else:
        k, _ = parent.value[index]
        parent.value[index] = (k, new)


@st.composite
def yaml_mutants(draw) -> bytes:
    root = copy.deepcopy(sample_tree(draw(st.integers(0, len(SAMPLES) - 1))))
    for _ in range(draw(st.integers(1, 4))):
        nodes = all_nodes(root)
        parent, index, node = nodes[draw(st.integers(0, len(nodes) - 1))]
        op = draw(st.sampled_from(["scalar", "kind", "delete", "duplicate", "rename", "move",
                                   "add-key"]))
        if parent is None:  # the root: only replace it now and then
            if op == "kind":
                root = draw(st.sampled_from([yaml.SequenceNode("tag:yaml.org,2002:seq", []),
                                             plain("x")]))
            continue
        if op == "scalar":
            put(parent, index, plain(draw(st.sampled_from(ODD_SCALARS))))
        elif op == "kind":
            put(parent, index, draw(st.sampled_from([
                yaml.SequenceNode("tag:yaml.org,2002:seq", [plain("x")]),
                yaml.MappingNode("tag:yaml.org,2002:map", [(plain("x"), plain("1"))]),
                yaml.ScalarNode("tag:yaml.org,2002:null", "null"),
                yaml.ScalarNode(_STR, draw(st.sampled_from(ODD_SCALARS)), style='"'),
                yaml.ScalarNode("!custom", "x"),
                yaml.ScalarNode("tag:yaml.org,2002:python/name:os.system", ""),
            ])))
        elif op == "delete":
            del parent.value[index]
        elif op == "duplicate":
            parent.value.insert(index, copy.deepcopy(parent.value[index]))
        elif op == "rename" and isinstance(parent, yaml.MappingNode):
            _, v = parent.value[index]
            parent.value[index] = (plain(draw(st.sampled_from(ODD_KEYS))), v)
        elif op == "move":
            _, j, other = nodes[draw(st.integers(0, len(nodes) - 1))]
            if other is not node and other is not root:
                put(parent, index, copy.deepcopy(other))
        elif op == "add-key" and isinstance(node, yaml.MappingNode):
            node.value.append((plain(draw(st.sampled_from(ODD_KEYS))),
                               plain(draw(st.sampled_from(ODD_SCALARS)))))
    try:
        text = yaml.serialize(root, Dumper=yaml.SafeDumper, allow_unicode=True)
    except yaml.YAMLError:  # a key the emitter refuses (a mapping key that is a mapping)
        text = "format: revmech/snapshot@1\n"
    return text.encode("utf-8")


@share(1 / 3)
@given(yaml_mutants())
def test_yaml_mutants_of_the_shipped_snapshots(data):
    load_and_check(data)


# --------------------------------------------------------------------------------------
# snapshots, parameters, amendments: byte-level mutations

ODD_BYTES = [b"\t", b"\xff", b"\xc3", b"\x00", b"\r", b"\n", b"\n---\n", b"&a ", b"*a",
             b"!!python/object:os.system ", b"!!binary ", b"{", b"}", b"[", b"]", b"- ", b": ",
             b"? ", b"'", b'"', b"#", b"|", b">", b"%YAML 1.1\n", b"<<: *a\n", b"\xef\xbb\xbf",
             b"  ", b"9999-99-99", b"-1"]


@st.composite
def byte_mutants(draw, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "delete", "insert", "insert", "line"]))
        if op == "flip" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i:i + draw(st.integers(1, 40))]
        elif op == "insert":
            data[i:i] = draw(st.sampled_from(ODD_BYTES))
        elif op == "line":  # duplicate the line around i (a key or a list item twice)
            start = data.rfind(b"\n", 0, i) + 1
            end = data.find(b"\n", i)
            end = len(data) if end < 0 else end + 1
            data[start:start] = data[start:end]
    return bytes(data)


snapshot_bytes = st.integers(0, len(SAMPLES) - 1).flatmap(
    lambda i: byte_mutants(sample_bytes(i)))


@share(1 / 3)
@given(snapshot_bytes)
def test_byte_mutants_of_the_shipped_snapshots(data):
    load_and_check(data)


@share(1)
@given(byte_mutants(PARAMS_TEXT.encode("utf-8")))
def test_byte_mutants_of_the_parameters(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # decoding is the reader's job (tests/test_bad_input.py)
    try:
        load_parameters(text, "parameters.yaml")
    except RevmechError as e:
        assert_located(e, text)


@share(1 / 2)
@given(st.sampled_from(AMENDMENTS).flatmap(lambda p: byte_mutants(p.read_bytes())))
def test_byte_mutants_of_the_shipped_amendments(data):
    fd, path = tempfile.mkstemp(suffix=".yaml")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            amended = apply(shipped(), [load_amendment(path)])
        except RevmechError as e:
            assert_located(e)
            return
    finally:
        os.unlink(path)
    evaluate(amended.ruleset, sample_snapshot(1))


# --------------------------------------------------------------------------------------
# rules generated from the grammar

NUMBER_PARAMS = ["max_experts_per_instrument", "min_reviews_performed"]
DURATION_PARAMS = ["saq_period"]
COMPARISONS = ["=", "!=", "<", "<=", ">", ">="]


def entity_fields(entity: str, kind: str) -> list[str]:
    """Fields of `entity` whose type is of `kind`: a scalar name, 'entity', 'list'."""
    out = []
    for name, spec in fields_of(entity).items():
        t = spec.type
        if (isinstance(t, Scalar) and t.name == kind or kind == "entity"
                and isinstance(t, Entity) or kind == "list" and isinstance(t, ListOf)
                and isinstance(t.item, Entity)):
            out.append(name)
    return out


class Gen:
    """Expression texts of a wanted type, in scope of some bound names (name -> entity)."""

    def __init__(self, draw, scope: dict[str, str]):
        self.draw, self.scope = draw, scope

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def path(self, kind: str) -> str | None:
        """`v.field` or `v.entity.field` of the wanted kind, from a bound name."""
        if not self.scope:
            return None
        var = self.pick(sorted(self.scope))
        entity = self.scope[var]
        prefix = var
        if self.draw(st.booleans()):
            hops = entity_fields(entity, "entity")
            if hops:
                hop = self.pick(hops)
                prefix, entity = f"{var}.{hop}", fields_of(entity)[hop].type.name
        fields = entity_fields(entity, kind)
        return f"{prefix}.{self.pick(fields)}" if fields else None

    def collection(self) -> tuple[str, str]:
        """A list of records: (its text, its entity)."""
        if self.scope and self.draw(st.booleans()):
            var = self.pick(sorted(self.scope))
            lists = entity_fields(self.scope[var], "list")
            if lists:
                name = self.pick(lists)
                return f"{var}.{name}", fields_of(self.scope[var])[name].type.item.name
        name = self.pick(sorted(GLOBAL_COLLECTIONS))
        return name, GLOBAL_COLLECTIONS[name][0].item.name

    def number(self, depth: int) -> str:
        choice = self.draw(st.integers(0, 6 if depth > 0 else 2))
        if choice == 0:
            return str(self.draw(st.integers(0, 20)))
        if choice == 1:
            return self.pick(NUMBER_PARAMS)
        if choice == 2:
            return self.path("number") or "1"
        if choice == 3:
            return f"count({self.selection(depth - 1)})"
        if choice == 4:
            op = self.pick(["+", "-", "*", "/"])
            return f"({self.number(depth - 1)} {op} {self.number(depth - 1)})"
        if choice == 5:
            return f"{self.pick(['ceil', 'floor'])}({self.number(depth - 1)})"
        return f"(if {self.boolean(depth - 1)} then {self.number(depth - 1)} else " \
               f"{self.number(depth - 1)})"

    def date(self, depth: int) -> str:
        choice = self.draw(st.integers(0, 4 if depth > 0 else 2))
        if choice == 0:
            return self.draw(st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31))).isoformat()
        if choice == 1:
            return "as_of"
        if choice == 2:
            return self.path("date") or "as_of"
        if choice == 3:
            return f"({self.date(depth - 1)} + {self.duration()})"
        return f"first_recorded({self.date(depth - 1)}, {self.date(depth - 1)})"

    def duration(self) -> str:
        if self.draw(st.booleans()):
            return self.pick(DURATION_PARAMS)
        return f"{self.draw(st.integers(0, 24))} {self.pick(['days', 'weeks', 'months', 'years'])}"

    def selection(self, depth: int) -> str:
        coll, entity = self.collection()
        var = f"x{len(self.scope)}"
        inner = Gen(self.draw, {**self.scope, var: entity})
        where = f" where {inner.boolean(max(depth, 0))}" if self.draw(st.booleans()) else ""
        return f"each {var} in {coll}{where}"

    def boolean(self, depth: int) -> str:
        choice = self.draw(st.integers(0, 8 if depth > 0 else 2))
        if choice == 0:
            return self.pick(["true", "false"])
        if choice == 1:
            p = self.path(self.pick(["date", "number", "text", "boolean"]))
            return f"({p} is {self.pick(['', 'not '])}recorded)" if p else "true"
        if choice == 2:
            return f"({self.number(0)} {self.pick(COMPARISONS)} {self.number(0)})"
        if choice == 3:
            return f"({self.date(depth - 1)} {self.pick(COMPARISONS)} {self.date(depth - 1)})"
        if choice == 4:
            return f"(not {self.boolean(depth - 1)})"
        if choice == 5:
            op = self.pick(["and", "or", "implies"])
            return f"({self.boolean(depth - 1)} {op} {self.boolean(depth - 1)})"
        if choice == 6:
            return f"{self.pick(['any', 'none'])}({self.selection(depth - 1)})"
        if choice == 7:
            text = self.path("text")
            return f"({text} = \"convention\")" if text else "true"
        return f"confirmed({self.path('boolean') or 'true'})"

    def anything(self, depth: int) -> str:
        """Any expression, typed or not: the checker must sort it out."""
        kind = self.pick(["number", "date", "boolean", "text", "list"])
        if kind == "number":
            return self.number(depth)
        if kind == "date":
            return self.date(depth)
        if kind == "boolean":
            return self.boolean(depth)
        if kind == "text":
            return self.path("text") or '"text"'
        return self.collection()[0]


@st.composite
def generated_rules(draw) -> str:
    scope: dict[str, str] = {}
    lines = ["rule gen-rule", "  cites para 19"]
    bindings = []
    for i in range(draw(st.integers(0, 2))):
        coll, entity = Gen(draw, scope).collection()
        name = f"v{i}"
        where = ""
        if draw(st.booleans()):
            where = f" where {Gen(draw, {**scope, name: entity}).boolean(1)}"
        bindings.append(f"{name} in {coll}{where}")
        scope[name] = entity
    if bindings:
        lines.append("  for each " + ", ".join(bindings))
    g = Gen(draw, scope)
    if draw(st.booleans()):
        lines.append(f"  let n = {g.number(2)}")
    if draw(st.booleans()):
        lines.append(f"  when {g.boolean(1)}")
    modality = draw(st.sampled_from(["shall", "should"]))
    kind = draw(st.sampled_from(["holds", "within", "before", "by", "ill-typed"]))
    if kind == "holds":
        lines.append(f"  {modality} {g.boolean(3)}")
    elif kind == "within":
        lines.append(f"  {modality} {g.date(1)} within {g.duration()} after {g.date(1)}")
    elif kind == "before":
        lines.append(f"  {modality} {g.date(1)} no later than {g.duration()} before "
                     f"{g.date(1)}")
    elif kind == "by":
        lines.append(f"  {modality} {g.date(1)} by {g.date(1)}")
    else:
        lines.append(f"  {modality} {g.anything(2)} {draw(st.sampled_from(COMPARISONS))} "
                     f"{g.anything(2)}")
    if draw(st.booleans()):
        lines.append(f"  unless {g.boolean(1)}")
    if draw(st.booleans()):
        shown = " ".join("{%s}" % v for v in scope)
        lines.append(f'  otherwise "generated: {shown} {{n}}"' if "let n" in "\n".join(lines)
                     else f'  otherwise "generated: {shown}"')
    return "\n".join(lines) + "\n"


@share(1 / 2)
@given(generated_rules())
def test_rules_generated_from_the_grammar(text):
    parse_rules(text, "gen.rules")  # generated from the grammar: it parses
    try:
        ruleset = build_ruleset([("gen.rules", text)], PARAMS_TEXT, "rules/parameters.yaml")
    except RevmechError as e:
        assert_located(e, text)
        return
    for index in range(len(SAMPLES)):
        snap = sample_snapshot(index)
        evaluate(ruleset, snap, keep_passed=True)
        evaluate(ruleset, judge_at(snap, snap.as_of - dt.timedelta(days=800)))


def test_most_generated_rules_check(tmp_path):
    """The generator is typed enough that most rules pass the checker and get evaluated
    (so the evaluator, not only the checker, is fuzzed)."""
    texts = []

    @settings(max_examples=40, database=None, derandomize=True)
    @given(generated_rules())
    def collect(text):
        texts.append(text)

    collect()
    ok = 0
    for text in texts:
        try:
            build_ruleset([("gen.rules", text)], PARAMS_TEXT, "rules/parameters.yaml")
            ok += 1
        except RevmechError:
            pass
    assert ok >= len(texts) // 2, ok
