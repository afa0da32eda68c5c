"""The registry of the draft's paragraphs (rules/procedures.yaml) and the trace of the rule
set against it.

The registry lists, in the draft's order, every paragraph of the annex of the draft
procedures, its lettered subparagraphs, its footnotes and the items of its appendices,
each with its section, its text and, when no rule encodes it, the reason why
(`not_encoded`). An encoded paragraph may say what its rules leave out (`partly`).

    format: revmech/procedures@1
    procedures:
      - id: "para 19"
        section: "IV.D Conduct of the country review"
        text: "Each State party shall ..."
        partly: "..."

An id is the citation form the rules use: `para 8`, `para 53(b)` (a lettered
subparagraph), `para 19, note a` (a footnote of the annex), `Appendix I, table 1` and
`Appendix I, table 1, note b`. A paragraph with lettered subparagraphs has an entry of its
own, under the bare number, for its chapeau: a rule citing `para 53` encodes the chapeau.

Loading is strict: unknown keys, missing or empty fields, malformed or duplicate ids, an
entry out of the draft's order, a subparagraph or note whose paragraph or table is not
listed, `partly` beside `not_encoded`: each is a `SnapshotError` located at file:line:col.

`trace(ruleset, registry)` pairs each entry with the rules citing it and lists the
problems: an entry neither encoded nor given a reason, a rule (or parameter) citing an id
the registry does not have (with a did-you-mean), and an entry both encoded and given a
not_encoded reason.
"""

from __future__ import annotations

import os
import re

import attrs
import yaml

from .errors import Diagnostic, Loc, SnapshotError, UsageError, did_you_mean, loc_at
from .loader import compose, node_loc
from .ruleset import ROMAN, packaged_rules

FORMAT = "revmech/procedures@1"
PACKAGED = "procedures.yaml"
PACKAGED_NAME = "rules/procedures.yaml"  # how the shipped registry is named in messages

FIELDS = ("id", "section", "text", "not_encoded", "partly")
REQUIRED = ("id", "section", "text")
TOP = ("format", "procedures")

_STR = "tag:yaml.org,2002:str"
_PARA = re.compile(r"para (?P<n>[1-9][0-9]{0,5})(?:\((?P<sub>[a-z])\))?(?:, note (?P<note>[a-z]))?")
_APPX = re.compile(r"Appendix (?P<app>[IVX]+)(?:, table (?P<table>[1-9][0-9]{0,5})"
                   r"(?:, note (?P<note>[a-z]))?)?")
ID_FORMS = "'para N', 'para N(x)', 'para N, note x', 'Appendix I', 'Appendix I, table N' " \
           "or 'Appendix I, table N, note x'"
_CITES = re.compile(r"\bcites\b")


# --------------------------------------------------------------------------------------
# ids


def parse_id(pid: str) -> tuple | None:
    """The draft-order key of a citation id, or None when it is not a citation form.

    Annex paragraphs come before the appendices; a chapeau before its subparagraphs; a
    footnote right after its paragraph; a table's notes right after the table.
    """
    m = _PARA.fullmatch(pid)
    if m:
        return (0, int(m["n"]), m["sub"] or "", m["note"] or "")
    m = _APPX.fullmatch(pid)
    if m and m["app"] in ROMAN:
        return (1, ROMAN[m["app"]], int(m["table"] or 0), m["note"] or "")
    return None


def parent_id(pid: str) -> str | None:
    """The entry a subparagraph, footnote or table note belongs to: `para 53(b)` ->
    `para 53`, `para 19, note a` -> `para 19`, `Appendix I, table 1, note b` ->
    `Appendix I, table 1`; None for a paragraph or table of its own."""
    m = _PARA.fullmatch(pid)
    if m and (m["sub"] or m["note"]):
        return f"para {m['n']}" + (f"({m['sub']})" if m["sub"] and m["note"] else "")
    m = _APPX.fullmatch(pid)
    if m and m["note"]:
        return f"Appendix {m['app']}, table {m['table']}"
    return None


# --------------------------------------------------------------------------------------
# the registry


@attrs.frozen
class Paragraph:
    """One entry of the registry."""

    id: str
    section: str
    text: str
    not_encoded: str | None = None
    partly: str | None = None
    loc: Loc | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Registry:
    file: str
    paragraphs: tuple[Paragraph, ...]
    source: str | None = attrs.field(default=None, eq=False, repr=False)
    _by_id: dict[str, Paragraph] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {p.id: p for p in self.paragraphs})

    def get(self, pid: str) -> Paragraph | None:
        return self._by_id.get(pid)

    def __contains__(self, pid: str) -> bool:
        return pid in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(p.id for p in self.paragraphs)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "null"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return f"the number {node.value}"
    if node.tag == "tag:yaml.org,2002:bool":
        return f"the yes/no value {node.value}"
    if node.tag == "tag:yaml.org,2002:timestamp":
        return f"the date {node.value}"
    return f"'{node.value}'"


def _sorted_error(errors: list[Diagnostic]) -> SnapshotError:
    return SnapshotError(sorted(errors, key=lambda d: (d.loc.line, d.loc.column)))


def parse_registry(text: str, file: str) -> Registry:
    """The registry in `text` (named `file` in messages); errors are located SnapshotErrors."""
    root, text = compose(text, name=file)
    errors: list[Diagnostic] = []

    def err(message: str, node: yaml.Node | None) -> None:
        errors.append(Diagnostic(message, node_loc(node) if node is not None
                                 else Loc(file, 1, 1), text))

    if not isinstance(root, yaml.MappingNode):
        err(f"expected a mapping with 'format: {FORMAT}' and 'procedures:', "
            f"got {_describe(root)}", root)
        raise _sorted_error(errors)
    top: dict[str, yaml.Node] = {}
    for k, v in root.value:
        key = k.value if isinstance(k, yaml.ScalarNode) else None
        if key not in TOP:
            err(f"unknown key '{key}' at the top of the registry" + did_you_mean(str(key), TOP)
                + "; expected 'format' and 'procedures'", k)
        elif key in top:
            err(f"duplicate key '{key}'", k)
        else:
            top[key] = v
    fmt = top.get("format")
    if fmt is None:
        err(f"missing 'format: {FORMAT}'", root)
    elif not isinstance(fmt, yaml.ScalarNode) or fmt.value != FORMAT:
        err(f"format: expected '{FORMAT}', got {_describe(fmt)}", fmt)
    body = top.get("procedures")
    if body is None:
        err("missing 'procedures:', the list of the draft's paragraphs", root)
        raise _sorted_error(errors)
    if not isinstance(body, yaml.SequenceNode):
        err(f"procedures: expected a list of entries, got {_describe(body)}", body)
        raise _sorted_error(errors)

    paragraphs: list[Paragraph] = []
    first_at: dict[str, Loc] = {}
    previous: tuple[str, tuple] | None = None
    for index, entry in enumerate(body.value, start=1):
        path = f"procedures[{index}]"
        where, label = path, ""
        if not isinstance(entry, yaml.MappingNode):
            err(f"{where}: expected a mapping with {', '.join(REQUIRED)}, "
                f"got {_describe(entry)}", entry)
            continue
        fields: dict[str, str] = {}
        nodes: dict[str, yaml.Node] = {}
        id_node = next((v for k, v in entry.value if isinstance(k, yaml.ScalarNode)
                        and k.value == "id" and isinstance(v, yaml.ScalarNode)), None)
        if id_node is not None and id_node.value.strip():
            label = f" ({' '.join(id_node.value.split())})"
            where = path + label
        for k, v in entry.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else str(_describe(k))
            if key not in FIELDS:
                err(f"{where}: unknown key '{key}'" + did_you_mean(key, FIELDS)
                    + f"; expected {', '.join(FIELDS)}", k)
                continue
            if key in nodes:
                err(f"{where}: duplicate key '{key}'", k)
                continue
            nodes[key] = v
            if not isinstance(v, yaml.ScalarNode) or v.tag != _STR:
                err(f"{path}.{key}{label}: expected text, got {_describe(v)}", v)
                continue
            if not v.value.strip():
                err(f"{path}.{key}{label}: empty text", v)
                continue
            fields[key] = v.value.strip() if key == "text" else " ".join(v.value.split())
        pid = fields.get("id")
        missing = [k for k in REQUIRED if k not in nodes]
        for k in missing:
            err(f"{where}: missing '{k}'", entry)
        if "not_encoded" in fields and "partly" in fields:
            err(f"{where}: 'partly' is for a paragraph its rules encode in part; this one has "
                "'not_encoded' (keep one)", nodes["partly"])
        if pid is None:
            continue
        order = parse_id(pid)
        if order is None:
            err(f"{where}: id '{pid}' is not a citation form: expected {ID_FORMS}", nodes["id"])
            continue
        if pid in first_at:
            err(f"{where}: duplicate id '{pid}' (first at line {first_at[pid].line})",
                nodes["id"])
            continue
        first_at[pid] = node_loc(nodes["id"])
        parent = parent_id(pid)
        if parent is not None and parent not in first_at:
            err(f"{where}: '{parent}', which '{pid}' belongs to, is not listed before it",
                nodes["id"])
        if previous is not None and order < previous[1]:
            err(f"{where}: '{pid}' is out of the draft's order: it is listed after "
                f"'{previous[0]}'", nodes["id"])
        previous = (pid, order)
        if missing or len(fields) < len(nodes):
            continue
        paragraphs.append(Paragraph(pid, fields["section"], fields["text"],
                                    fields.get("not_encoded"), fields.get("partly"),
                                    first_at[pid]))
    if not body.value:
        err("procedures: the list is empty", body)
    if errors:
        raise _sorted_error(errors)
    return Registry(file, tuple(paragraphs), text)


def load_registry(path: str | None = None) -> Registry:
    """The shipped registry (package data of `revmech.rules`), or the file at `path`."""
    if path is None:
        with open(os.path.join(packaged_rules(), PACKAGED), encoding="utf-8") as fh:
            text = fh.read()
        return parse_registry(text, PACKAGED_NAME)
    if os.path.isdir(path):
        raise UsageError.at(f"cannot read '{path}': it is a folder, expected a YAML file")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise UsageError.at(f"cannot read '{path}': {e.strerror or e}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SnapshotError.at(f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} at "
                               f"offset {e.start})") from None
    return parse_registry(text, path)


def registry_for(rules_dir: str | None) -> Registry:
    """The registry that goes with a rule folder: its own procedures.yaml when it has one,
    else the shipped registry."""
    if rules_dir is not None:
        own = os.path.join(rules_dir, PACKAGED)
        if os.path.exists(own):
            return load_registry(own)
    return load_registry()


# --------------------------------------------------------------------------------------
# the trace


@attrs.frozen
class TraceEntry:
    paragraph: Paragraph
    rules: tuple[str, ...]  # ids of the rules citing it, in rule order
    modalities: tuple[str, ...] = attrs.field(eq=False)  # the rules' modalities, in step

    @property
    def status(self) -> str:
        """encoded | not_encoded | unaccounted | conflict (rules and a not_encoded reason)."""
        if self.rules:
            return "conflict" if self.paragraph.not_encoded else "encoded"
        return "not_encoded" if self.paragraph.not_encoded else "unaccounted"


@attrs.frozen
class TraceProblem:
    kind: str  # unaccounted | unknown-citation | encoded-and-not-encoded
    message: str
    paragraph: str | None = None
    rule: str | None = None
    parameter: str | None = None
    loc: Loc | None = None
    source: str | None = attrs.field(default=None, eq=False, repr=False)

    def render(self) -> str:
        return Diagnostic(self.message, self.loc, self.source).render()


@attrs.frozen
class Trace:
    registry: Registry
    entries: tuple[TraceEntry, ...]
    problems: tuple[TraceProblem, ...]
    rule_count: int

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, int]:
        count = {s: 0 for s in ("encoded", "not_encoded", "unaccounted", "conflict")}
        for e in self.entries:
            count[e.status] += 1
        return {"entries": len(self.entries), **count, "problems": len(self.problems)}


def _citation_loc(rule, sources: dict[str, str], cite: str) -> tuple[Loc | None, str | None]:
    """Where `rule` writes the citation `cite`: in its `cites` clause when it can be found,
    else at the rule's start."""
    source = sources.get(rule.file)
    if source is None:
        return None, None
    start, end = rule.span.start, rule.span.end
    at = start
    m = _CITES.search(source, start, end)
    if m:
        found = source.find(cite, m.end(), end)
        at = found if found >= 0 else m.start()
    return loc_at(rule.file, source, at), source


def _real(loc: Loc | None) -> Loc | None:
    """A location that names a file (a parameter parsed from a string may carry the
    stream's name, such as '<unicode string>', instead)."""
    return loc if loc is not None and not loc.file.startswith("<") else None


def trace(ruleset, registry: Registry) -> Trace:
    """Each registry entry, in the draft's order, with the rules citing it; and the problems."""
    citing: dict[str, list] = {pid: [] for pid in registry.ids}
    problems: list[TraceProblem] = []
    sources = ruleset.sources
    ids = registry.ids
    for rule in ruleset.rules:
        for cite in dict.fromkeys(rule.cites):
            if cite in citing:
                citing[cite].append(rule)
                continue
            loc, source = _citation_loc(rule, sources, cite)
            problems.append(TraceProblem(
                "unknown-citation",
                f"rule {rule.id} cites '{cite}', which is not in the registry of the draft's "
                f"paragraphs ({registry.file})" + did_you_mean(cite, ids),
                rule=rule.id, loc=loc, source=source))
    for name, param in sorted(ruleset.params.items(), key=lambda kv: (
            kv[1].loc is None, kv[1].loc or Loc("", 0, 0), kv[0])):
        for cite in dict.fromkeys(param.cites):
            if cite not in citing:
                problems.append(TraceProblem(
                    "unknown-citation",
                    f"parameter {name} (parameters.yaml) cites '{cite}', which is not in the "
                    f"registry of the draft's paragraphs ({registry.file})"
                    + did_you_mean(cite, ids),
                    parameter=name, loc=_real(param.loc)))
    entries: list[TraceEntry] = []
    for p in registry.paragraphs:
        rules = citing[p.id]
        entry = TraceEntry(p, tuple(r.id for r in rules), tuple(r.modality for r in rules))
        entries.append(entry)
        if entry.status == "unaccounted":
            problems.append(TraceProblem(
                "unaccounted",
                f"{p.id} ({p.section}) is neither encoded by a rule nor given a "
                "not_encoded reason",
                paragraph=p.id, loc=p.loc, source=registry.source))
        elif entry.status == "conflict":
            problems.append(TraceProblem(
                "encoded-and-not-encoded",
                f"{p.id} is encoded by {', '.join(entry.rules)} but has a not_encoded reason "
                "(remove the reason, or say what the rules leave out with 'partly')",
                paragraph=p.id, loc=p.loc, source=registry.source))
    order = {"unknown-citation": 0, "unaccounted": 1, "encoded-and-not-encoded": 1}
    problems.sort(key=lambda q: (order[q.kind], q.loc is None, q.loc or Loc("", 0, 0)))
    return Trace(registry, tuple(entries), tuple(problems), len(ruleset.rules))
