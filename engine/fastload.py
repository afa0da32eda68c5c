"""The fast path of `loader.load_snapshot`: the snapshot model built straight from
libyaml's parser events, without a node tree and without a second pass.

It reads only what the exact path (`loader.compose`, then the walker) accepts without a
word, and builds the very same objects (same values, same `loc`). Anything else, a
problem the exact path would report or merely something unusual (an explicit tag, an
alias, keys in an order that needs the walker's reordering, a YAML error), makes it give
up: `fast_snapshot` returns None and `load_snapshot` runs the exact path on the same
text, which finds and words the diagnostics. So this module never reports anything.

Reading is guided by the walker's own field plans (`loader._object_plan`); the checks
of meaning (`check_State`, `check_Review`, unique ids, briefing ids) are the walker's,
run by a walker whose every error means "give up". Recursion follows the model, not
the input: a collection where the model has none is given up on, so the depth is
bounded by the model's (six levels, well under MAX_DEPTH). Aliases are never followed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from .calendar import Duration
from .errors import Loc
from .gc_pause import paused_gc
from .loader import (
    _BOOL, _DATE_RE, _FLOAT, _INT, _INT_RE, _KEY_PATTERNS, _LANGUAGE_RE, _NULL_TAG,
    _REFERENCED, _STR, _TIMESTAMP, _YAML_LOADER, CORE_TAGS, FORMAT, _FALSE, _TRUE,
    _is_language, _key_field, _named_stream, _object_plan, _Walker,
)
from .model import ACTOR_LABELS, CLASSES, Snapshot
from .types import Actor, Entity, ListOf, MapOf, Scalar, Type

__all__ = ["fast_snapshot"]

_ScalarEvent = yaml.ScalarEvent
_MappingStart, _MappingEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStart, _SequenceEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent

# The resolver's tag strings mapped to these constants, so that tags compare with `is`.
_CANONICAL = {t: t for t in (_STR, _INT, _BOOL, _NULL_TAG, _FLOAT, _TIMESTAMP)}
_TEXT_TAGS = frozenset({_STR, _INT})  # a plain whole number is text where text is due
_TRUE_FALSE = frozenset(_TRUE + _FALSE)


class _GiveUp(Exception):
    """The input is not plainly well-formed: the exact path decides."""


_NULL = object()  # an explicit null: the field is not recorded


class _AnyNode(dict):
    """The `nodes` the walker's checks locate errors with: none here (errors give up)."""

    def __missing__(self, key: str) -> None:
        return None


_NO_NODES = _AnyNode()


class _Checks(_Walker):
    """The walker's checks of meaning; any error they find means giving up."""

    def error(self, path: str, message: str, where: Any) -> None:
        raise _GiveUp


def fast_snapshot(text: str, file: str, phase_years: dict[int, tuple[int, int]]
                  ) -> Snapshot | None:
    """The snapshot model of `text` (named `file`), or None when the exact path must
    decide (the text is not plainly well-formed, or has something unusual)."""
    parser = _YAML_LOADER(_named_stream(text, file))
    try:
        with paused_gc():  # see gc_pause: a large model that all stays alive
            return _Reader(parser, file, phase_years).document()
    except (_GiveUp, yaml.YAMLError, UnicodeError):
        return None
    finally:
        parser.dispose()


# --------------------------------------------------------------------------------------
# reading plans: per class, per field, the reader of its value


def _plan(cls: type, checks: _Walker) -> tuple[dict, tuple[str, ...], Any]:
    """(key -> (reader, its argument, whether null is allowed)), required keys, check."""
    got = _PLANS.get(cls)
    if got is None:
        fields, required, check = _object_plan(cls, checks)
        readers = {}
        for name, fd in fields.items():
            spec = fd.spec
            if cls is Snapshot and name == "as_of":
                reader = (_Reader.read_as_of, None)  # no date to compare it with yet
            else:
                reader = _reader(spec.type, spec, name)
            readers[name] = (*reader, not (spec.required and not fd.nullable))
        got = _PLANS[cls] = (readers, required, check)
    return got


_PLANS: dict[type, tuple] = {}


def _reader(t: Type, spec: Any, name: str) -> tuple[Any, Any]:
    """The reader of a value of type `t` (a field's, or an item's with the field's spec):
    a `_Reader` method and its argument."""
    kind = type(t)
    if kind is Scalar:
        if t.name == "text":
            language = _is_language(name, spec)
            choices = frozenset(spec.choices) if spec.choices and not language else None
            return _Reader.read_text, (language, choices)
        return getattr(_Reader, "read_" + t.name), None  # date, number, boolean, duration
    if kind is Actor:
        return _Reader.read_actor, None
    if kind is Entity:
        if t.name in _REFERENCED:
            return _Reader.read_reference, None
        return _Reader.read_entity, CLASSES[t.name]
    if kind is ListOf:
        return _Reader.read_sequence, _reader(t.item, spec, name)
    if kind is MapOf:
        return _Reader.read_table, _table_plan(t, spec, name)
    raise AssertionError(t)  # pragma: no cover - every type is one of the above


def _table_plan(t: MapOf, spec: Any, name: str) -> tuple:
    """How a table's keys and values are read, as the walker's `map` reads them:
    ("owned", class, key field, id pattern), ("objects", keys, class) or
    ("values", keys, reader); keys: ("reference" | "choices" | "text", choices)."""
    vt = t.value
    owned = (CLASSES[vt.name] if isinstance(vt, Entity) and vt.name in CLASSES
             and _key_field(CLASSES[vt.name]) else None)
    if owned is not None:  # the table owns its objects, keyed by their id (`states`)
        pattern = _KEY_PATTERNS.get(owned.__name__)
        return ("owned", owned, _key_field(owned), pattern[0] if pattern else None)
    if isinstance(t.key, Entity) and t.key.name in _REFERENCED:
        keys = ("reference", None)
    elif spec.choices:
        keys = ("choices", frozenset(spec.choices))
    else:
        keys = ("text", None)
    if isinstance(vt, Entity) and vt.name not in _REFERENCED:
        return ("objects", keys, CLASSES[vt.name])  # located at their keys
    return ("values", keys, _reader(vt, spec, name))


# --------------------------------------------------------------------------------------
# the reader


class _Reader:
    def __init__(self, parser: Any, file: str, phase_years: dict[int, tuple[int, int]]):
        self.get = parser.get_event
        self.resolve = parser.resolve
        self.name = file  # the snapshot's `file`, as given
        self.file = str(file)  # of every Loc, as the walker names marks
        self.checks = _Checks(file, None, phase_years)
        self.tags: dict[str, str] = {}  # plain value -> its resolved tag
        self.dates: dict[str, dt.date] = {}  # text -> date, for the well-formed ones
        self.as_of: dt.date | None = None
        self.states: dict[str, Any] = {}

    def document(self) -> Snapshot:
        get = self.get
        if (type(get()) is not yaml.StreamStartEvent
                or type(get()) is not yaml.DocumentStartEvent):
            raise _GiveUp  # an empty stream
        root = get()
        if type(root) is not _MappingStart or root.tag is not None:
            raise _GiveUp
        snapshot = self.obj(Snapshot, root.start_mark, {"file": self.name})
        if (type(get()) is not yaml.DocumentEndEvent
                or type(get()) is not yaml.StreamEndEvent):
            raise _GiveUp  # another document
        if snapshot.format != FORMAT:
            raise _GiveUp
        return snapshot

    def plain_tag(self, value: str) -> str:
        tag = self.tags.get(value)
        if tag is None:
            tag = self.resolve(yaml.ScalarNode, value, (True, False))
            tag = self.tags[value] = _CANONICAL.get(tag, tag)
        return tag

    # -- objects -----------------------------------------------------------------------

    def obj(self, cls: type, mark: Any, extra: dict | None = None) -> Any:
        """An object of `cls` from the mapping just started (located at `mark`)."""
        readers, required, check = _plan(cls, self.checks)
        get = self.get
        values: dict[str, Any] = {}
        nulls = False
        snapshot = cls is Snapshot
        while True:
            e = get()
            if type(e) is not _ScalarEvent:
                if type(e) is _MappingEnd:
                    break
                raise _GiveUp  # a key that is a collection, an alias
            key = e.value
            if e.tag is not None or key in values:
                raise _GiveUp
            entry = readers.get(key)
            if entry is None:
                raise _GiveUp  # an unknown key
            reader, arg, null_ok = entry
            value = reader(self, get(), arg)
            if value is _NULL:
                if not null_ok:
                    raise _GiveUp
                nulls = True
            values[key] = value
            if snapshot:  # what later values are checked against (read first)
                if key == "as_of" and isinstance(value, dt.date):
                    self.as_of = value
                elif key == "states" and isinstance(value, dict):
                    self.states = value
        for name in required:
            if name not in values:
                raise _GiveUp
        if nulls:
            values = {k: v for k, v in values.items() if v is not _NULL}
        if extra:
            values.update(extra)
        if check is not None:
            check(self.checks, values, _NO_NODES, "", None)
        return cls(**values, loc=Loc(self.file, mark.line + 1, mark.column + 1))

    def read_entity(self, e: Any, cls: type) -> Any:
        if type(e) is _MappingStart and e.tag is None:
            return self.obj(cls, e.start_mark)
        return self.null(e)

    # -- collections -------------------------------------------------------------------

    def read_sequence(self, e: Any, item: tuple[str, Any]) -> Any:
        if type(e) is not _SequenceStart or e.tag is not None:
            return self.null(e)
        read, arg = item
        get = self.get
        out = []
        while True:
            e = get()
            if type(e) is _SequenceEnd:
                return tuple(out)
            value = read(self, e, arg)
            if value is _NULL:
                raise _GiveUp
            out.append(value)

    def read_table(self, e: Any, plan: tuple) -> Any:
        if type(e) is not _MappingStart or e.tag is not None:
            return self.null(e)
        get = self.get
        out: dict[Any, Any] = {}
        texts: set[str] = set()
        while True:
            e = get()
            if type(e) is not _ScalarEvent:
                if type(e) is _MappingEnd:
                    return out
                raise _GiveUp  # a key that is a collection, an alias
            key = e.value
            if e.tag is not None or key in texts or (
                    e.implicit[0] and self.plain_tag(key) not in CORE_TAGS):
                raise _GiveUp
            texts.add(key)
            k, v = self.entry(plan, key, e.start_mark)
            out[k] = v

    def entry(self, plan: tuple, key: str, mark: Any) -> tuple[Any, Any]:
        """A table's key and value (whose events come next), as the walker's `map`."""
        kind = plan[0]
        if kind == "owned":  # States: the key is the object's id
            _, cls, key_field, pattern = plan
            if pattern is not None and not pattern.fullmatch(key):
                raise _GiveUp
            return key, self.owned(cls, mark, {key_field: key})
        _, (keys, choices), value = plan
        if keys == "reference":
            k = self.states.get(key)
            if k is None:
                raise _GiveUp
        elif keys == "choices" and key not in choices:
            raise _GiveUp
        else:
            k = key
        if kind == "objects":
            return k, self.owned(value, mark)
        read, arg = value
        v = read(self, self.get(), arg)
        if v is _NULL:
            raise _GiveUp
        return k, v

    def owned(self, cls: type, mark: Any, extra: dict | None = None) -> Any:
        """An object in a table, located at its key (`mark`): a mapping, never null."""
        e = self.get()
        if type(e) is not _MappingStart or e.tag is not None:
            raise _GiveUp
        return self.obj(cls, mark, extra)

    def null(self, e: Any) -> Any:
        """_NULL for a plain null where a collection was due; anything else gives up."""
        if (type(e) is _ScalarEvent and e.tag is None and e.implicit[0]
                and self.plain_tag(e.value) is _NULL_TAG):
            return _NULL
        raise _GiveUp

    # -- scalars -----------------------------------------------------------------------

    def scalar(self, e: Any) -> tuple[str, str]:
        """The text of a scalar and the tag `compose` gives it."""
        if type(e) is not _ScalarEvent or e.tag is not None:
            raise _GiveUp
        value = e.value
        return value, (self.tags.get(value) or self.plain_tag(value)) if e.implicit[0] else _STR

    # The most frequent readers take the scalar's text and tag inline, as `scalar`
    # does: a call fewer per value.

    def read_text(self, e: Any, arg: tuple) -> Any:
        if type(e) is not _ScalarEvent or e.tag is not None:
            raise _GiveUp
        value = e.value
        tag = (self.tags.get(value) or self.plain_tag(value)) if e.implicit[0] else _STR
        if tag not in _TEXT_TAGS:
            if tag is _NULL_TAG:
                return _NULL
            # YAML 1.1 booleans other than true/false (`no`, `on`) are text
            if tag is not _BOOL or value in _TRUE_FALSE:
                raise _GiveUp
        language, choices = arg
        if language:
            if not _LANGUAGE_RE.fullmatch(value):
                raise _GiveUp
        elif choices is not None and value not in choices:
            raise _GiveUp
        return value

    def read_as_of(self, e: Any, arg: None) -> Any:
        value, tag = self.scalar(e)
        if tag is _NULL_TAG:
            return _NULL
        return self.date(value, tag)

    def read_date(self, e: Any, arg: None) -> Any:
        if type(e) is not _ScalarEvent or e.tag is not None:
            raise _GiveUp
        # a text read as a date before is one, plain or quoted: no tag to resolve
        date = self.dates.get(e.value)
        if date is None:
            value, tag = self.scalar(e)
            if tag is _NULL_TAG:
                return _NULL
            date = self.date(value, tag)
        as_of = self.as_of
        if as_of is None or date > as_of:
            raise _GiveUp  # after as_of; or as_of is later in the file, or missing
        return date

    def date(self, value: str, tag: str) -> dt.date:
        if tag is not _STR and tag is not _TIMESTAMP:
            raise _GiveUp
        date = self.dates.get(value)
        if date is None:
            if not _DATE_RE.fullmatch(value):
                raise _GiveUp
            try:
                date = dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                raise _GiveUp from None
            self.dates[value] = date
        return date

    def read_number(self, e: Any, arg: None) -> Any:
        value, tag = self.scalar(e)
        if tag is not _INT:
            if tag is _NULL_TAG:
                return _NULL
            raise _GiveUp
        if not _INT_RE.fullmatch(value):
            raise _GiveUp
        try:
            number = int(value)
        except ValueError:  # over Python's limit of digits: the exact path's to decide
            raise _GiveUp from None
        if number < 0:
            raise _GiveUp
        return number

    def read_boolean(self, e: Any, arg: None) -> Any:
        value, tag = self.scalar(e)
        if tag is _BOOL:
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
        elif tag is _NULL_TAG:
            return _NULL
        raise _GiveUp

    def read_duration(self, e: Any, arg: None) -> Any:
        value, tag = self.scalar(e)
        if tag is _NULL_TAG:
            return _NULL
        duration = Duration.parse(value) if tag is _STR else None
        if duration is None:
            raise _GiveUp
        return duration

    def read_reference(self, e: Any, arg: None) -> Any:
        if type(e) is not _ScalarEvent or e.tag is not None:
            raise _GiveUp
        value = e.value
        tag = (self.tags.get(value) or self.plain_tag(value)) if e.implicit[0] else _STR
        if tag is _NULL_TAG:
            return _NULL
        state = self.states.get(value)
        if state is None or tag not in CORE_TAGS:
            raise _GiveUp
        return state

    def read_actor(self, e: Any, arg: None) -> Any:
        value, tag = self.scalar(e)
        if tag is _NULL_TAG:
            return _NULL
        if tag not in CORE_TAGS:
            raise _GiveUp
        state = self.states.get(value)
        if state is not None:
            return state
        if value in ACTOR_LABELS and tag is _STR:
            return value
        raise _GiveUp
