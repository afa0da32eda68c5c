"""The snapshot loader: YAML text -> node tree -> the attrs model of `model`, strictly.

Loading is driven by the field specs of `model` (`field.metadata["spec"]`): the walker
knows types (dates, numbers, booleans, text, objects, lists, tables), not classes, so a
field added to the model is loaded, validated and judged without touching this file.
The few checks that are about meaning rather than shape (a review's year within its
phase, treaty integrity, unique ids) are listed after the walker.

Every problem is a located `Diagnostic` (file:line:col, the key path, what was found and
what was expected); the walker collects all it can find and raises one `SnapshotError`.
No yaml exception or OSError escapes, and nothing in the YAML is ever constructed as a
Python object: the node tree is built by the loader's own loop over libyaml's parser
events (`_compose_events`, several times faster than PyYAML's composer), and the walker
reads that tree. Aliases, non-standard tags and deep nesting are refused.

`load_snapshot` first tries `fastload`, which builds the same model straight from the
parser's events when the input is plainly well-formed; on anything else it gives up and
the exact path above (compose, then walk) reads the same text and words the diagnostics.

`judge_at` gives the cycle as it stood on an earlier date (`check --as-of`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import attrs
import yaml

from .calendar import Duration
from .errors import Diagnostic, Loc, SnapshotError, did_you_mean
from .gc_pause import paused_gc
from .model import ACTOR_LABELS, CLASSES, Snapshot, Spec
from .types import Actor, Entity, ListOf, MapOf, Scalar, Type

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "compose",
    "compose_plain",
    "read_text",
    "judge_at",
    "load_snapshot",
    "snapshot_from_node",
]

FORMAT = "revmech/snapshot@1"
MAX_DEPTH = 64  # lists and mappings inside each other
MAX_BYTES = 64 * 1024 * 1024  # no real snapshot comes near this

_YAML_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_CORE = "tag:yaml.org,2002:"
CORE_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "bool", "null", "float", "timestamp", "seq", "map")
)
_STR, _INT, _BOOL, _NULL_TAG = (_CORE + t for t in ("str", "int", "bool", "null"))
_FLOAT, _TIMESTAMP = _CORE + "float", _CORE + "timestamp"

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT_RE = re.compile(r"[-+]?[0-9]+")
_TRUE = ("true", "True", "TRUE")
_FALSE = ("false", "False", "FALSE")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_STATE_ID_RE = re.compile(r"[A-Z]{3}")

# Entities that are referenced by id wherever they appear, except where they are owned
# (the values of a table keyed by the entity's `key` field: `states`).
_REFERENCED = frozenset({"State"})

# The key by which a list item is named in a key path (`reviews[AUT-convention-1]`);
# other items are named by their index from 0 (`questionnaires[0]`).
_LABEL_FIELD = {"Expert": "id", "Review": "id", "Briefing": "date", "Ngo": "name"}

# Ids filled from a mapping key are validated by pattern.
_KEY_PATTERNS = {
    "State": (_STATE_ID_RE, "a State id of three upper-case letters (ISO 3166-1 alpha-3)"),
}

_PROTOCOLS = {
    "trafficking": "the Trafficking in Persons Protocol",
    "smuggling": "the Smuggling of Migrants Protocol",
    "firearms": "the Firearms Protocol",
}

# Processed first, whatever their place in the file: the date every fact is checked
# against, then the States every reference resolves to.
_SNAPSHOT_FIRST = {"format": 0, "as_of": 1, "mechanism": 2, "states": 3}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()  # no usable value (an error was reported)
_NULL = object()  # an explicit null: "not recorded"


# --------------------------------------------------------------------------------------
# field tables (built once from the model)


@attrs.frozen
class _Field:
    name: str
    spec: Spec
    nullable: bool  # the attribute's annotation admits None


def _fields(cls: type) -> dict[str, _Field]:
    got = _FIELD_CACHE.get(cls)
    if got is None:
        got = {}
        for a in attrs.fields(cls):
            spec = a.metadata.get("spec")
            if spec is None:
                continue
            annotation = a.type if isinstance(a.type, str) else repr(a.type)
            got[a.name] = _Field(a.name, spec, "None" in annotation)
        _FIELD_CACHE[cls] = got
    return got


_FIELD_CACHE: dict[type, dict[str, _Field]] = {}


def _object_plan(cls: type, walker: Any) -> tuple[dict[str, _Field], tuple[str, ...], Any]:
    """A class's fields read from YAML keys, its required ones, its `check_` method."""
    got = _PLAN_CACHE.get(cls)
    if got is None:
        fields = {n: f for n, f in _fields(cls).items() if not f.spec.key}
        required = tuple(n for n, f in fields.items() if f.spec.required)
        got = _PLAN_CACHE[cls] = (fields, required,
                                  getattr(type(walker), f"check_{cls.__name__}", None))
    return got


_PLAN_CACHE: dict[type, tuple] = {}


def _key_field(cls: type) -> str | None:
    for f in _fields(cls).values():
        if f.spec.key:
            return f.name
    return None


def _is_language(name: str, spec: Spec) -> bool:
    return name == "language" or spec.item == "language"


# --------------------------------------------------------------------------------------
# helpers


def _loc(mark: Any) -> Loc:
    return Loc(str(mark.name), mark.line + 1, mark.column + 1)


def node_loc(node: yaml.Node) -> Loc:
    """Where a node of a composed tree starts (its file is the name it was composed under)."""
    return _loc(node.start_mark)


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _got(node: yaml.Node) -> str:
    """How a node is named after 'got': a list, a mapping, null, 'x', the text 'x'."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == _NULL_TAG:
        return "null"
    if node.style in ("'", '"'):
        return f"the text '{_short(node.value)}'"
    return f"'{_short(node.value)}'"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


def _one_of(choices: tuple[str, ...]) -> str:
    return "one of " + ", ".join(f"'{c}'" for c in choices)


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start + 1


# --------------------------------------------------------------------------------------
# compose


def compose(path_or_text: str, *, name: str | None = None) -> tuple[yaml.Node, str]:
    """The YAML node tree of a file (or, with `name`, of the text so named), and its text.

    Refuses, as a located SnapshotError: an unreadable or non-UTF-8 file, a file over
    MAX_BYTES, a YAML syntax error, an empty document, more than one document, nesting
    deeper than MAX_DEPTH, and any alias (an alias can make a small file enormous).
    """
    if name is None:
        file = path_or_text
        text = read_text(file)
    else:
        file = name
        text = path_or_text
        if len(text) > MAX_BYTES:
            raise SnapshotError.at(f"{file}: {_too_big(len(text))}")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        with paused_gc():  # see gc_pause: a large tree of nodes that all stay alive
            root, problems = _compose_events(_YAML_LOADER(_named_stream(text, file)), text,
                                             file)
    except yaml.MarkedYAMLError as e:
        raise SnapshotError([_yaml_diagnostic(e, text, file)]) from None
    except yaml.reader.ReaderError as e:
        raise SnapshotError([_reader_diagnostic(e, text, file)]) from None
    except yaml.YAMLError as e:  # pragma: no cover - every yaml error is one of the above
        raise SnapshotError.at(f"{file}: invalid YAML: {e}") from None
    except UnicodeError as e:  # text given by name with lone surrogates
        raise SnapshotError.at(f"{file}: not valid Unicode text ({e.reason})") from None
    if problems:
        raise SnapshotError(problems)
    if root is None:
        raise SnapshotError.at(
            "no YAML document (the file is empty or only comments): expected a mapping",
            Loc(file, 1, 1), text)
    return root, text


def compose_plain(path_or_text: str, *, name: str | None = None
                  ) -> tuple[yaml.Node, str]:
    """`compose`, and every node checked as the snapshot walker checks its own: plain YAML
    tags only, keys that are text, no key twice in a mapping. For the small files whose
    readers take values straight from the tree (parameters, amendments)."""
    root, text = compose(path_or_text, name=name)
    problems: list[Diagnostic] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag not in CORE_TAGS:
            problems.append(Diagnostic(
                f"unsupported YAML tag '{node.tag}': expected plain YAML values (text, "
                "numbers, dates, true/false, lists, mappings)", _loc(node.start_mark), text))
            continue
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for kn, vn in node.value:
                if not isinstance(kn, yaml.ScalarNode):
                    problems.append(Diagnostic(f"expected a key name, got {_got(kn)}",
                                               _loc(kn.start_mark), text))
                elif kn.value in first:
                    problems.append(Diagnostic(
                        f"duplicate key '{_short(kn.value)}' (first at line "
                        f"{first[kn.value].start_mark.line + 1})", _loc(kn.start_mark), text))
                else:
                    first[kn.value] = kn
                stack.append(kn)
                stack.append(vn)
    if problems:
        raise SnapshotError(sorted(problems, key=lambda d: (d.loc.line, d.loc.column)))
    return root, text


def _named_stream(text: str, file: str) -> io.StringIO:
    stream = io.StringIO(text)
    stream.name = file  # marks carry it (both the C and the Python reader read .name)
    return stream


def _too_big(size: int) -> str:
    return (f"too large ({size / 2**20:.1f} MB): the limit is {MAX_BYTES // 2**20} MB; "
            "expected a snapshot of a review cycle")


def read_text(path: str, expected: str = "a YAML file") -> str:
    """The UTF-8 text of a file, or a SnapshotError saying why not (located for bad bytes)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise SnapshotError.at(f"cannot read '{path}': no such file") from None
    except IsADirectoryError:
        raise SnapshotError.at(
            f"cannot read '{path}': it is a directory, expected {expected}") from None
    except PermissionError:
        raise SnapshotError.at(f"cannot read '{path}': permission denied") from None
    except OSError as e:
        raise SnapshotError.at(f"cannot read '{path}': {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise SnapshotError.at(f"{path}: {_too_big(len(data))}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        shown = data.decode("utf-8", "replace")
        prefix = data[: e.start].decode("utf-8", "replace")
        line, column = _line_col(prefix, len(prefix))
        what = expected.split(" ", 1)[1] if expected.startswith(("a ", "an ")) else expected
        raise SnapshotError.at(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} cannot be decoded "
            f"(expected a UTF-8 encoded {what})",
            Loc(path, line, column), shown) from None



def _yaml_diagnostic(e: yaml.MarkedYAMLError, text: str, file: str) -> Diagnostic:
    problem = (e.problem or "").strip()
    context = (e.context or "").strip()
    if context == "expected a single document in the stream":
        message = "expected a single YAML document, but found another document"
    else:
        message = f"invalid YAML: {problem}" if problem else "invalid YAML"
        if context:
            where = ""
            cm = e.context_mark
            if cm is not None and e.problem_mark is not None and (
                    cm.line, cm.column) != (e.problem_mark.line, e.problem_mark.column):
                where = f" at line {cm.line + 1}, column {cm.column + 1}"
            message += f" ({context}{where})"
    mark = e.problem_mark or e.context_mark
    loc = Loc(file, mark.line + 1, mark.column + 1) if mark is not None else None
    return Diagnostic(message, loc, text)


def _reader_diagnostic(e: yaml.reader.ReaderError, text: str, file: str) -> Diagnostic:
    char = e.character
    code = char if isinstance(char, int) else ord(char) if char else None
    index = text.find(chr(code)) if code is not None else -1
    loc = Loc(file, *_line_col(text, index)) if index >= 0 else None
    shown = f"#x{code:04x}" if code is not None else "a character"
    return Diagnostic(
        f"invalid YAML: character {shown} is not allowed in YAML ({e.reason})", loc, text)


_ScalarEvent, _AliasEvent = yaml.ScalarEvent, yaml.AliasEvent
_MappingStart, _SequenceStart = yaml.MappingStartEvent, yaml.SequenceStartEvent
_CollectionEnd = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_SEQ, _MAP = _CORE + "seq", _CORE + "map"


def _compose_events(parser: Any, text: str, file: str
                    ) -> tuple[yaml.Node | None, list[Diagnostic]]:
    """The node tree of the single document in `parser`'s events, and what is refused.

    PyYAML's own composer spends most of its time resolving the tags of plain scalars
    in Python; here each distinct plain value is resolved once. Nothing is constructed,
    aliases are not followed (each is refused, so a small file cannot expand), and
    nesting is counted without recursion (deeper than MAX_DEPTH is refused). yaml
    errors (syntax, reader) propagate as raised by the parser.
    """
    resolve = parser.resolve
    tags: dict[str, str] = {}
    get = parser.get_event
    root = None
    stack: list[tuple[yaml.Node, list]] = []  # open collections, with their items
    documents = 0
    too_deep: Diagnostic | None = None
    aliases: list[Diagnostic] = []
    try:
        while True:
            event = get()
            kind = type(event)
            if kind is _ScalarEvent:
                tag = event.tag
                value = event.value
                if tag is None or tag == "!":
                    if event.implicit[0]:
                        tag = tags.get(value)
                        if tag is None:
                            tag = tags[value] = resolve(_ScalarNode, value, (True, False))
                    else:
                        tag = _STR
                node = _ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
            elif kind in _CollectionEnd:
                node, items = stack.pop()
                node.end_mark = event.end_mark
                if type(node) is _MappingNode:
                    it = iter(items)
                    node.value = list(zip(it, it))
                if stack:
                    continue
                root = node
                continue
            elif kind is _MappingStart or kind is _SequenceStart:
                tag = event.tag
                if tag is None or tag == "!":
                    tag = _MAP if kind is _MappingStart else _SEQ
                items = []
                node = (_MappingNode if kind is _MappingStart else _SequenceNode)(
                    tag, items, event.start_mark, None, event.flow_style)
                if too_deep is None and len(stack) >= MAX_DEPTH:
                    too_deep = Diagnostic(
                        f"nesting deeper than {MAX_DEPTH} levels (lists and mappings inside "
                        "each other): no revmech input is this deep",
                        _loc(event.start_mark), text)
                if stack:
                    stack[-1][1].append(node)
                stack.append((node, items))
                continue
            elif kind is _AliasEvent:
                mark = event.start_mark
                aliases.append(Diagnostic(
                    f"YAML alias '*{event.anchor}' is not allowed: write the value out in "
                    "full (aliases can make a small file expand enormously)",
                    Loc(file, mark.line + 1, mark.column + 1), text))
                node = _ScalarNode(_NULL_TAG, "", mark, event.end_mark)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise yaml.composer.ComposerError(
                        "expected a single document in the stream", None,
                        "but found another document", event.start_mark)
                continue
            elif kind is yaml.StreamEndEvent:
                break
            else:  # stream start, document end
                continue
            if stack:
                stack[-1][1].append(node)
            else:
                root = node
    finally:
        parser.dispose()
    if too_deep is not None:
        return root, [too_deep]
    return root, aliases


# --------------------------------------------------------------------------------------
# the walker


class _Walker:
    def __init__(self, file: str, source: str | None,
                 phase_years: dict[int, tuple[int, int]]):
        self.file = file
        self.source = source
        self.phase_years = phase_years
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.as_of: dt.date | None = None
        self.states: dict[str, Any] = {}
        self.bad_states: set[str] = set()  # ids whose entry failed: no cascade of errors
        self.scalars = {"date": self.scalar_date, "number": self.scalar_number,
                        "boolean": self.scalar_boolean, "text": self.scalar_text,
                        "duration": self.scalar_duration}

    # -- reporting ---------------------------------------------------------------------

    def error(self, path: str, message: str, where: Any) -> None:
        """`where`: a node, a mark or a Loc."""
        if isinstance(where, yaml.Node):
            where = where.start_mark
        loc = where if isinstance(where, Loc) else _loc(where)
        source = self.source if loc.file == self.file else None
        self.diagnostics.append(Diagnostic(_at(path, message), loc, source))

    def first_at(self, loc: Loc) -> str:
        return f"line {loc.line}" if loc.file == self.file else str(loc)

    # -- nodes -------------------------------------------------------------------------

    def enter(self, node: yaml.Node, path: str) -> bool:
        """Every node the walker reads passes here once: aliases and tags are refused."""
        if id(node) in self.seen:
            self.error(path, "the same YAML node is used twice (a YAML alias): aliases are "
                       "not allowed, write the value out in full", node)
            return False
        self.seen.add(id(node))
        if node.tag not in CORE_TAGS:
            if node.tag == _CORE + "merge":
                self.error(path, "YAML merge keys ('<<') are not supported: write the "
                           "keys out in full", node)
            else:
                self.error(path, f"unsupported YAML tag '{node.tag}': expected plain YAML "
                           "values (text, numbers, dates, true/false, lists, mappings)", node)
            return False
        return True

    def pairs(self, node: yaml.MappingNode, path: str
              ) -> list[tuple[str, yaml.Node, yaml.Node]]:
        """The (key, key node, value node) pairs of a mapping; duplicate keys are errors."""
        out = []
        first: dict[str, yaml.Node] = {}
        seen = self.seen
        for kn, vn in node.value:
            if id(kn) in seen or kn.tag not in CORE_TAGS:
                self.enter(kn, path)  # reports why not
                continue
            seen.add(id(kn))
            if not isinstance(kn, yaml.ScalarNode):
                self.error(path, f"expected a key name, got {_got(kn)}", kn)
                continue
            key = kn.value
            if key in first:
                self.error(path, f"duplicate key '{_short(key)}' (first at "
                           f"{self.first_at(_loc(first[key].start_mark))})", kn)
                continue
            first[key] = kn
            out.append((key, kn, vn))
        return out

    # -- objects -----------------------------------------------------------------------

    def obj(self, cls: type, node: yaml.Node, path: str, *, at: Any = None,
            extra: dict[str, Any] | None = None) -> Any:
        """An object of `cls` from a mapping node (already entered); _MISSING if not one."""
        if not isinstance(node, yaml.MappingNode):
            self.error(path, f"expected a mapping, got {_got(node)}", node)
            return _MISSING
        fields, required, check = _object_plan(cls, self)
        pairs = self.pairs(node, path)
        if cls is Snapshot:
            pairs.sort(key=lambda p: _SNAPSHOT_FIRST.get(p[0], len(_SNAPSHOT_FIRST)))
        values: dict[str, Any] = {}
        nodes: dict[str, yaml.Node] = {}
        for key, kn, vn in pairs:
            fd = fields.get(key)
            if fd is None:
                self.error(path, f"unknown key '{_short(key)}'{did_you_mean(key, fields)}", kn)
                continue
            nodes[key] = vn
            spec = fd.spec
            value = self.value(spec.type, spec, key, vn, f"{path}.{key}" if path else key)
            if value is _NULL:
                if spec.required and not fd.nullable:
                    self.null_item(spec.type, spec, key, vn, _join(path, key))
                continue
            if value is not _MISSING:
                values[key] = value
            if cls is Snapshot:
                self.snapshot_field(key, value)
        for name in required:
            if name not in nodes:
                self.error(path, f"missing required key '{name}'", node)
        if extra:
            values.update(extra)
        if check is not None:
            check(self, values, nodes, path, node)
        return cls(**values, loc=_loc((at if at is not None else node).start_mark))

    def snapshot_field(self, key: str, value: Any) -> None:
        if key == "as_of" and isinstance(value, dt.date):
            self.as_of = value
        elif key == "states" and isinstance(value, dict):
            self.states = value

    # -- values ------------------------------------------------------------------------

    def expected(self, t: Type, spec: Spec, name: str) -> str:
        if isinstance(t, ListOf):
            return "a list"
        if isinstance(t, MapOf):
            return "a mapping"
        if isinstance(t, Actor):
            return f"a State id or {_one_of(ACTOR_LABELS)}"
        if isinstance(t, Entity):
            return "a State id" if t.name in _REFERENCED else "a mapping"
        if t.name == "date":
            return "a date YYYY-MM-DD"
        if t.name == "number":
            return "a whole number"
        if t.name == "boolean":
            return "true or false"
        if t.name == "duration":
            return "a duration (e.g. '3 months')"
        if _is_language(name, spec):
            return "a two-letter language code (ISO 639-1, e.g. 'en')"
        if spec.choices:
            return _one_of(spec.choices)
        return "text"

    def value(self, t: Type, spec: Spec, name: str, node: yaml.Node, path: str) -> Any:
        """The value of a field (or of an item, with the field's spec): _NULL for null."""
        seen = self.seen
        if id(node) in seen or node.tag not in CORE_TAGS:
            self.enter(node, path)  # reports why not
            return _MISSING
        seen.add(id(node))  # as enter() does, inline: this runs for every node
        scalar = isinstance(node, yaml.ScalarNode)
        if scalar and node.tag == _NULL_TAG:
            return _NULL
        kind = type(t)
        if kind is Scalar:
            if not scalar:
                self.error(path, f"expected {self.expected(t, spec, name)}, got {_got(node)}",
                           node)
                return _MISSING
            return self.scalars[t.name](node, path, spec, name)
        if kind is ListOf:
            return self.list(t, spec, name, node, path)
        if kind is MapOf:
            return self.map(t, spec, name, node, path)
        if kind is Entity and t.name not in _REFERENCED:
            return self.obj(CLASSES[t.name], node, path)
        if not scalar:
            self.error(path, f"expected {self.expected(t, spec, name)}, got {_got(node)}", node)
            return _MISSING
        if kind is Actor:
            return self.actor(node, path)
        if kind is Entity:
            return self.reference(t.name, node.value, node, path)
        raise AssertionError(t)  # pragma: no cover - every type is one of the above

    def item(self, t: Type, spec: Spec, name: str, node: yaml.Node, path: str) -> Any:
        value = self.value(t, spec, name, node, path)
        if value is _NULL:
            self.error(path, f"expected {self.expected(t, spec, name)}, got null", node)
            return _MISSING
        return value

    def list(self, t: ListOf, spec: Spec, name: str, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            self.error(path, f"expected a list, got {_got(node)}", node)
            return _MISSING
        label_field = (_LABEL_FIELD.get(t.item.name) if isinstance(t.item, Entity) else None)
        out = []
        for index, child in enumerate(node.value):
            label = _node_label(child, label_field) if label_field else None
            v = self.item(t.item, spec, name, child, f"{path}[{label or index}]")
            if v is not _MISSING:
                out.append(v)
        return tuple(out)

    def map(self, t: MapOf, spec: Spec, name: str, node: yaml.Node, path: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            self.error(path, f"expected a mapping, got {_got(node)}", node)
            return _MISSING
        vt = t.value
        owned = (CLASSES[vt.name] if isinstance(vt, Entity) and vt.name in CLASSES
                 and _key_field(CLASSES[vt.name]) else None)
        noun = spec.item or "key"
        out: dict[Any, Any] = {}
        for key, kn, vn in self.pairs(node, path):
            vpath = _join(path, key)
            if owned is not None:
                # the table owns its objects: the key is the object's id (`states`)
                pattern = _KEY_PATTERNS.get(owned.__name__)
                if pattern is not None and not pattern[0].fullmatch(key):
                    self.error(path, f"expected {pattern[1]}, got '{_short(key)}'", kn)
                if not self.enter(vn, vpath):
                    self.bad_states.add(key)
                    continue
                v = self.obj(owned, vn, vpath, at=kn, extra={_key_field(owned): key})
                if v is _MISSING:
                    self.bad_states.add(key)
                    continue
                out[key] = v
                continue
            if isinstance(t.key, Entity) and t.key.name in _REFERENCED:
                k = self.reference(t.key.name, key, kn, path)
            elif spec.choices and key not in spec.choices:
                self.error(path, f"unknown {noun} '{_short(key)}'"
                           f"{did_you_mean(key, spec.choices)}: expected "
                           f"{_one_of(spec.choices)}", kn)
                k = _MISSING
            else:
                k = key
            if isinstance(vt, Entity) and vt.name not in _REFERENCED:
                # an owned object in a table: it is located at its key, like a State
                if not self.enter(vn, vpath):
                    continue
                v = (self.obj(CLASSES[vt.name], vn, vpath, at=kn)
                     if not _is_null(vn) else self.null_item(vt, spec, name, vn, vpath))
            else:
                v = self.item(vt, spec, name, vn, vpath)
            if k is not _MISSING and v is not _MISSING:
                out[k] = v
        return out

    def null_item(self, t: Type, spec: Spec, name: str, node: yaml.Node, path: str) -> Any:
        self.error(path, f"expected {self.expected(t, spec, name)}, got null", node)
        return _MISSING

    # -- references --------------------------------------------------------------------

    def reference(self, entity: str, text: str, node: yaml.Node, path: str) -> Any:
        state = self.states.get(text)
        if state is not None:
            return state
        if text not in self.bad_states:
            self.error(path, f"unknown {entity} '{_short(text)}'"
                       f"{did_you_mean(text, self.states)}", node)
        return _MISSING

    def actor(self, node: yaml.ScalarNode, path: str) -> Any:
        text = node.value
        state = self.states.get(text)
        if state is not None:
            return state
        if text in ACTOR_LABELS and node.tag == _STR:
            return text
        if text in self.bad_states:
            return _MISSING
        if _STATE_ID_RE.fullmatch(text):
            self.error(path, f"unknown State '{text}'{did_you_mean(text, self.states)}", node)
        else:
            self.error(path, f"expected a State id or {_one_of(ACTOR_LABELS)}, got "
                       f"{_got(node)}{did_you_mean(text, [*self.states, *ACTOR_LABELS])}",
                       node)
        return _MISSING

    # -- scalars -----------------------------------------------------------------------

    def scalar_date(self, node: yaml.ScalarNode, path: str, spec: Spec, name: str) -> Any:
        text = node.value
        if node.tag not in (_STR, _TIMESTAMP) or not _DATE_RE.fullmatch(text):
            self.error(path, f"expected a date YYYY-MM-DD, got {_got(node)}", node)
            return _MISSING
        year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
        try:
            date = dt.date(year, month, day)
        except ValueError:
            why = "no such month" if not 1 <= month <= 12 else "no such day"
            if year == 0:
                why = "no such year"
            self.error(path, f"expected a date YYYY-MM-DD, got '{text}' ({why})", node)
            return _MISSING
        if self.as_of is not None and date > self.as_of:
            self.error(path, f"{date} is after as_of {self.as_of}", node)
        return date

    def scalar_number(self, node: yaml.ScalarNode, path: str, spec: Spec, name: str) -> Any:
        text = node.value
        if node.tag != _INT or not _INT_RE.fullmatch(text):
            hint = (" (remove the quotes)" if node.tag == _STR and _INT_RE.fullmatch(text)
                    else "")
            self.error(path, f"expected a whole number, got {_got(node)}{hint}", node)
            return _MISSING
        try:
            number = int(text)
        except ValueError:  # more digits than Python converts (4300 by default)
            self.error(path, f"expected a whole number, got one of {len(text)} characters "
                       "(too long)", node)
            return _MISSING
        if number < 0:
            self.error(path, f"expected a whole number, got {number} (negative)", node)
            return _MISSING
        return number

    def scalar_boolean(self, node: yaml.ScalarNode, path: str, spec: Spec, name: str) -> Any:
        if node.tag == _BOOL and node.value in _TRUE:
            return True
        if node.tag == _BOOL and node.value in _FALSE:
            return False
        self.error(path, f"expected true or false, got {_got(node)}", node)
        return _MISSING

    def scalar_text(self, node: yaml.ScalarNode, path: str, spec: Spec, name: str) -> Any:
        text = node.value
        # Booleans are only true/false (YAML 1.2): `no`, `on`... are text, as are plain
        # whole numbers (article numbers may be written unquoted).
        if node.tag == _BOOL and text in _TRUE + _FALSE or node.tag in (_FLOAT, _TIMESTAMP):
            kind = {_BOOL: "", _FLOAT: "the number ", _TIMESTAMP: "the date "}[node.tag]
            self.error(path, f"expected {self.expected(spec.type, spec, name)}, got "
                       f"{kind}{text} (quote it to write it as text)", node)
            return _MISSING
        if _is_language(name, spec):
            if not _LANGUAGE_RE.fullmatch(text):
                self.error(path, "expected a two-letter language code (ISO 639-1, e.g. "
                           f"'en'), got {_got(node)}", node)
                return _MISSING
        elif spec.choices and text not in spec.choices:
            self.error(path, f"expected {_one_of(spec.choices)}, got {_got(node)}"
                       f"{did_you_mean(text, spec.choices)}", node)
            return _MISSING
        return text

    def scalar_duration(self, node: yaml.ScalarNode, path: str, spec: Spec, name: str) -> Any:
        duration = Duration.parse(node.value) if node.tag == _STR else None
        if duration is None:
            self.error(path, f"expected a duration (e.g. '3 months'), got {_got(node)}", node)
            return _MISSING
        return duration

    # -- checks of meaning -------------------------------------------------------------

    def check_State(self, values: dict, nodes: dict, path: str, node: yaml.Node) -> None:
        """UNTOC art. 37(2): only a party to the Convention can be party to a Protocol."""
        instruments = values.get("instruments") or {}
        convention = instruments.get("convention")
        if convention is not None and convention.status == "party":
            return
        for instrument, protocol in _PROTOCOLS.items():
            treaty = instruments.get(instrument)
            if treaty is not None and treaty.status == "party":
                self.error(
                    _join(_join(path, "instruments"), instrument),
                    f"party to {protocol} but not to the Convention (UNTOC art. 37(2): "
                    "only a party to the Convention can be party to a Protocol)",
                    treaty.loc)

    def check_Review(self, values: dict, nodes: dict, path: str, node: yaml.Node) -> None:
        phase, year = values.get("phase"), values.get("year")
        review_phases = sorted(p for p in self.phase_years if p >= 1)
        listed = ", ".join(map(str, review_phases))
        if year is not None and year < 1:
            self.error(_join(path, "year"),
                       f"expected a mechanism year of 1 or more, got {year}", nodes["year"])
            year = None
        if phase is None:
            return
        if phase not in review_phases:
            why = ("phase 0 is the preparatory phase, not a review phase" if phase == 0
                   else f"unknown review phase {phase}")
            self.error(_join(path, "phase"), f"{why} (review phases: {listed})",
                       nodes["phase"])
            return
        first, last = self.phase_years[phase]
        if year is not None and not first <= year <= last:
            self.error(_join(path, "year"),
                       f"year {year} is not in phase {phase} (years {first}-{last})",
                       nodes["year"])

    def check_Phase(self, values: dict, nodes: dict, path: str, node: yaml.Node) -> None:
        number = values.get("number")
        review_phases = sorted(p for p in self.phase_years if p >= 1)
        if number is not None and number not in review_phases:
            why = ("phase 0 is the preparatory phase, not a review phase" if number == 0
                   else f"unknown review phase {number}")
            self.error(_join(path, "number"),
                       f"{why} (review phases: {', '.join(map(str, review_phases))})",
                       nodes["number"])

    def check_Briefing(self, values: dict, nodes: dict, path: str, node: yaml.Node) -> None:
        self.unique(values.get("ngos", ()), _join(path, "ngos"), "name",
                    "NGO", " in this briefing")

    def check_Snapshot(self, values: dict, nodes: dict, path: str, node: yaml.Node) -> None:
        self.unique(values.get("experts", ()), "experts", "id", "expert id")
        self.unique(values.get("reviews", ()), "reviews", "id", "review id")
        self.unique(values.get("phases", ()), "phases", "number", "phase number")
        self.unique(values.get("conference_sessions", ()), "conference_sessions", "number",
                    "session number")
        briefings = values.get("briefings")
        if briefings:
            values["briefings"] = self.briefing_ids(briefings)

    def unique(self, items: tuple, path: str, attr: str, what: str, where: str = "") -> None:
        first: dict[Any, Any] = {}
        for index, item in enumerate(items):
            key = getattr(item, attr)
            if key is None:
                continue
            if key in first:
                label = _LABEL_FIELD.get(type(item).__name__)
                shown = getattr(item, label) if label else index
                shown_key = f"'{key}'" if isinstance(key, str) else str(key)
                self.error(f"{path}[{shown}]", f"duplicate {what} {shown_key}{where} (first at "
                           f"{self.first_at(first[key].loc)})", item.loc)
            else:
                first[key] = item

    def briefing_ids(self, briefings: tuple) -> tuple:
        """A briefing's id is its date, with `:working_group` when two fall on one day."""
        by_date: dict[Any, list] = {}
        for b in briefings:
            by_date.setdefault(b.date, []).append(b)
        out = []
        first: dict[tuple, Any] = {}
        for b in briefings:
            if b.date is None:
                out.append(b)
                continue
            shared = len(by_date[b.date]) > 1
            key = (b.date, b.working_group)
            if shared and key in first:
                self.error(f"briefings[{b.date}]",
                           f"duplicate briefing on {b.date} for working group "
                           f"{b.working_group} (first at {self.first_at(first[key].loc)})",
                           b.loc)
            first.setdefault(key, b)
            bid = f"{b.date}:{b.working_group}" if shared else str(b.date)
            out.append(attrs.evolve(b, id=bid))
        return tuple(out)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG


def _node_label(node: yaml.Node, key: str) -> str | None:
    """The value of `key` in a mapping node, to name a list item in a key path."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for kn, vn in node.value:
        if (isinstance(kn, yaml.ScalarNode) and kn.value == key
                and isinstance(vn, yaml.ScalarNode) and vn.tag != _NULL_TAG and vn.value):
            return _short(vn.value)
    return None


def _peek(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for kn, vn in node.value:
        if isinstance(kn, yaml.ScalarNode) and kn.value == key:
            return kn, vn
    return None


def _check_format(root: yaml.Node, source: str | None, file: str) -> None:
    def fail(message: str, node: yaml.Node) -> None:
        loc = _loc(node.start_mark)
        raise SnapshotError.at(message, loc, source if loc.file == file else None)

    if not isinstance(root, yaml.MappingNode):
        fail(f"expected a mapping at the top level (format: {FORMAT}, as_of: ..., "
             f"mechanism: ..., states: ...), got {_got(root)}", root)
    found = _peek(root, "format")
    if found is None:
        fail(f"missing required key 'format' (expected 'format: {FORMAT}')", root)
    node = found[1]
    if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
        fail(f"format: expected '{FORMAT}', got {_got(node)}", node)
    if node.value != FORMAT:
        if node.value.startswith("revmech/snapshot@"):
            fail(f"format: unsupported snapshot format version '{_short(node.value)}': "
                 f"this revmech reads '{FORMAT}'", node)
        fail(f"format: expected '{FORMAT}', got {_got(node)}", node)


# --------------------------------------------------------------------------------------
# the API


def snapshot_from_node(root: yaml.Node, source: str, *, file: str,
                       phase_years: dict[int, tuple[int, int]]) -> Snapshot:
    """The snapshot model of a composed node tree, or a SnapshotError with every problem.

    Objects are located by their nodes' marks, so nodes spliced in from another file
    point at that file; `source` (the text of `file`) is attached for the caret.
    """
    _check_format(root, source, file)
    walker = _Walker(file, source, phase_years)
    with paused_gc():  # see gc_pause: a large model that all stays alive
        walker.enter(root, "")
        snapshot = walker.obj(Snapshot, root, "", extra={"file": file})
    if walker.diagnostics:
        raise SnapshotError(sorted(
            walker.diagnostics,
            key=lambda d: (d.loc is None, d.loc or Loc("", 0, 0))))
    return snapshot


def load_snapshot(path: str, *, phase_years: dict[int, tuple[int, int]]) -> Snapshot:
    """The snapshot model of a file, or a SnapshotError with every problem.

    Well-formed input is read by the fast path (`fastload`, straight from the parser's
    events); anything else is composed and walked, which words the diagnostics.
    """
    from .fastload import fast_snapshot  # here: fastload builds on this module

    text = read_text(path)
    snapshot = fast_snapshot(text[1:] if text.startswith("\ufeff") else text, path,
                             phase_years)
    if snapshot is not None:
        return snapshot
    root, source = compose(text, name=path)  # the same text, as compose(path) reads it
    return snapshot_from_node(root, source, file=path, phase_years=phase_years)


# --------------------------------------------------------------------------------------
# judging at an earlier date


def judge_at(snapshot: Snapshot, date: dt.date) -> Snapshot:
    """The cycle as it stood on `date`: what happened after it is not yet recorded.

    A record whose own date (`dates_record`) is after `date` is removed with everything
    in it; any other date after `date` becomes None; later dates drop out of lists of
    dates. References are remapped to the rebuilt States. Unchanged objects are reused.
    """
    if date >= snapshot.as_of:
        return attrs.evolve(snapshot, as_of=date)
    judge = _Judge(date)
    for state in snapshot.states.values():
        judge.state_map[id(state)] = judge.rebuild(state)
    rebuilt = judge.rebuild(snapshot)
    return attrs.evolve(rebuilt, as_of=date)


class _Judge:
    def __init__(self, date: dt.date):
        self.date = date
        self.state_map: dict[int, Any] = {}

    def ref(self, value: Any) -> Any:
        return self.state_map.get(id(value), value)

    def rebuild(self, obj: Any) -> Any:
        """The object as of the date; None when it did not exist yet."""
        changes = {}
        for name, fd in _fields(type(obj)).items():
            old = getattr(obj, name)
            if old is None:
                continue
            t = fd.spec.type
            if isinstance(t, Scalar) and t.name == "date":
                if old > self.date:
                    if fd.spec.dates_record:
                        return None
                    changes[name] = None
                continue
            new = self.value(t, old)
            if new is not old:
                changes[name] = new
        return attrs.evolve(obj, **changes) if changes else obj

    def value(self, t: Type, old: Any) -> Any:
        if isinstance(t, Actor):
            return old if isinstance(old, str) else self.ref(old)
        if isinstance(t, Entity):
            return self.ref(old) if t.name in _REFERENCED else self.rebuild(old)
        if isinstance(t, ListOf):
            if isinstance(t.item, Scalar) and t.item.name == "date":
                new = tuple(d for d in old if d <= self.date)
            else:
                new = tuple(v for v in (self.value(t.item, x) for x in old) if v is not None)
            return old if len(new) == len(old) and all(
                a is b for a, b in zip(new, old)) else new
        if isinstance(t, MapOf):
            new_map = {}
            for k, v in old.items():
                nk = self.value(t.key, k)
                nv = self.value(t.value, v)
                if nv is not None:
                    new_map[nk] = nv
            same = len(new_map) == len(old) and all(
                nk is k and new_map[nk] is v for (k, v), nk in zip(old.items(), new_map))
            return old if same else new_map
        return old
