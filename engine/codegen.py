"""The fast evaluator: each checked rule translated once into the source of one Python
function, compiled, and run as straight-line code instead of a tree of closures.

The function ranges over the rule's bindings, computes its lets, `when` and assertion,
counts the bindings that pass and hands every other one to `finish` (evaluator), which
builds the finding with the closures of the reference evaluator (`evaluator.Compiler`).
It computes exactly what those closures compute, in the same order (the same
short-circuits, the same memo keys in `ctx.memo`, the same indexes), so the two give the
same findings; tests/test_codegen.py compares them on every shipped snapshot and on
generated ones.

Rules come from amendment files written by delegations, so no text of a rule reaches the
generated source: every literal, name and function is passed in the constants table `C`
and read by index; a field name is written as the repr of a string checked to be a plain
identifier. Every other identifier is our own (`t1`, `v2`, `g3`, ...).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import keyword

import attrs

from . import ast, cache, model
from . import values as V
from .builtins import BUILTINS
from .calendar import Duration
from .checker import GLOBAL_COLLECTIONS
from .evaluator import BINARY, index_plan, outer_paths

# Types whose `V.key` is the value itself, and for which `V.equal` is `==` and ordering
# cannot raise when both sides have the same one: compared inline.
_PLAIN_KEYS = frozenset([str, int, bool, dt.date, type(None)])
_FAST_EQUAL = frozenset([str, int, dt.date])
_FAST_ORDER = frozenset([int, dt.date])
_CALENDAR_KEYS = frozenset([int, dt.date])
_ORDER = frozenset(["<", "<=", ">", ">="])


# Built-ins written inline (each as its implementation in builtins computes it).
_INLINE = {  # (name, number of arguments) -> the expression
    ("count", 1): "None if {a} is None else _len({a}) if _type({a}) is _tuple "
                  "else {impl}(ctx, {a})",
    ("keys", 1): "None if {a} is None else _tuple({a})",
    ("confirmed", 1): "{a} is True",
    ("first_recorded", 2): "{a} if {a} is not None else {b}",
}

# The snapshot's records: compared by identity, so their keys can be remembered by object.
_RECORDS = frozenset(c for c in vars(model).values() if isinstance(c, type) and attrs.has(c)
                     and c.__eq__ is object.__eq__ and c.__hash__ is object.__hash__)

_HELPERS = {"_key": V.key, "_equal": V.equal, "_items": V.items,
            "_contains": V.contains_key, "_lookup": V.lookup, "_isinstance": isinstance,
            "_getattr": getattr,
            "_type": type, "_len": len, "_tuple": tuple, "_str": str,
            "_PLAIN_KEYS": _PLAIN_KEYS, "_CALENDAR_KEYS": _CALENDAR_KEYS, "_RECORDS": _RECORDS,
            "_FAST_EQUAL": _FAST_EQUAL, "_FAST_ORDER": _FAST_ORDER}


def _field(name: str) -> str:
    """A field name as a literal of the generated source: only plain identifiers."""
    if not (isinstance(name, str) and name.isidentifier() and name.isascii()
            and not keyword.iskeyword(name)):
        raise _Unsupported(name)
    return repr(name)


class _Unsupported(Exception):
    """Something the generator does not translate: the rule keeps its closures."""


class _Gen:
    def __init__(self, local: set[str], global_names: set[str]):
        self.local = local  # as Compiler.local: the names memo keys are read from
        self.global_names = global_names
        self.consts: list = []
        self.known: dict[str, object] = {}  # a constant's variable -> its value
        self.lines: list[str] = []
        self.depth = 1
        self.n = 0
        self.scope: dict[str, str] = {}  # a rule's name -> our local variable
        self.hoisted: dict[str, str] = {}  # a global name -> our local variable
        self.indexes: dict = {}  # (collection, paths, member) -> our local variable
        self.calendar: dict[str, str] = {}  # a calendar function -> its values' dict
        # Values already computed where the code being written runs: an attribute step or
        # a key, by (what, input, field) -> variable; one dict per enclosing block.
        self.done: list[dict] = [{}]

    # -- output -----------------------------------------------------------------------

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    @contextlib.contextmanager
    def block(self, header: str | None = None):
        """An indented block; what is computed in it is not reused after it."""
        if header is not None:
            self.emit(header)
        self.depth += 1
        self.done.append({})
        try:
            yield
        finally:
            self.done.pop()
            self.depth -= 1

    def reuse(self, what: tuple) -> str | None:
        return next((d[what] for d in reversed(self.done) if what in d), None)

    def tmp(self, prefix: str = "t") -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value) -> str:
        """A variable holding `value` (read from the constants table once per run)."""
        self.consts.append(value)
        v = f"c{len(self.consts) - 1}"
        self.known[v] = value
        return v

    def maybe_none(self, atom: str) -> bool:
        return atom == "None" or (atom not in self.known and atom not in ("True", "False"))

    def none_test(self, *atoms: str) -> str:
        """`a is None or b is None`, without the atoms known not to be None."""
        return " or ".join(f"{a} is None" for a in atoms if self.maybe_none(a)) or "False"

    def key(self, v: str) -> str:
        """The variable holding `V.key(v)`, computed once per block."""
        done = self.reuse(("key", v))
        if done is None:
            done = self.tmp("k")
            self.emit(f"{done} = {v} if _type({v}) in _PLAIN_KEYS else "
                      f"rkeys.get({v}, _MISSING) if _type({v}) in _RECORDS else _key({v})")
            self.emit(f"if {done} is _MISSING:")
            self.emit(f"    {done} = rkeys[{v}] = _key({v})")
            self.done[-1][("key", v)] = done
        return done

    # -- expressions: each returns an atom (a variable or a literal) ----------------------

    def __call__(self, node) -> str:
        method = getattr(self, "_" + type(node).__name__.lower(), None)
        if method is None:
            raise _Unsupported(type(node).__name__)
        return method(node)

    def _num(self, n):
        v = n.value
        if v is True or v is False or v is None:
            return repr(v)
        return self.const(v)  # not a literal: `5 is None` would be a SyntaxWarning

    _text = _bool = _datelit = _num

    def _nothing(self, n):
        return "None"

    def _durationlit(self, n):
        return self.const(Duration(n.amount, n.unit))

    def _name(self, n):
        if n.id in self.scope:
            return self.scope[n.id]
        if n.id in self.global_names:
            if n.id not in self.hoisted:
                self.hoisted[n.id] = f"g{len(self.hoisted)}"
            return self.hoisted[n.id]
        t = self.tmp()
        self.emit(f"{t} = G[{self.const(n.id)}]")
        return t

    def _attr(self, n):
        names = []
        root = n
        while isinstance(root, ast.Attr):
            names.append(root.name)
            root = root.obj
        t = self(root)
        for name in reversed(names):  # each step once per block: `review.draw` is common
            done = self.reuse(("attr", t, name))
            if done is None:
                done = self.tmp()
                if name.startswith("_") or hasattr(str, name) or hasattr(None, name):
                    self.emit(f"{done} = None if {t} is None or _isinstance({t}, _str) "
                              f"else _getattr({t}, {_field(name)}, None)")
                else:  # the same: neither None nor a text (the loader's str) has it
                    self.emit(f"{done} = _getattr({t}, {_field(name)}, None)")
                self.done[-1][("attr", t, name)] = done
            t = done
        return t

    def _index(self, n):
        m, k = self(n.obj), self(n.key)
        t = self.reuse(("index", m, k))
        if t is None:
            t = self.tmp()
            self.emit(f"{t} = None if {self.none_test(m, k)} else "
                      f"{m}[{k}] if {k} in {m} else _lookup({m}, {k})")
            self.done[-1][("index", m, k)] = t
        return t

    def _unary(self, n):
        a = self(n.operand)
        t = self.tmp()
        op = "not " if n.op == "not" else "-"
        self.emit(f"{t} = None if {a} is None else {op}{a}")
        return t

    def _binary(self, n):
        op = n.op
        if op in ("and", "or", "implies"):
            return self._logic(n)
        a = self(n.left)
        b = self(n.right)
        t = self.tmp()
        none = self.none_test(a, b)
        if op in ("=", "!="):
            text = next((x for x in (a, b) if type(self.known.get(x)) is str), None)
            if text is not None:  # against a text: `==` unless the other is a record
                other = b if text == a else a
                self.emit(f"{t} = None if {none} else ({a} == {b}) if _type({other}) is _str "
                          f"else _equal({a}, {b})")
            else:
                self.emit(f"{t} = None if {none} else True if {a} is {b} else ({a} == {b}) "
                          f"if _type({a}) is _type({b}) and _type({a}) in _FAST_EQUAL "
                          f"else _equal({a}, {b})")
        elif op in ("in", "not in"):
            self.emit(f"if {none}:")
            self.emit(f"    {t} = None")
            with self.block("else:"):  # the item's key only when both are recorded
                self.emit(f"{t} = _contains({b}, {self.key(a)})")
        elif op in _ORDER:
            self.emit(f"{t} = None if {none} else ({a} {op} {b}) "
                      f"if _type({a}) is _type({b}) and _type({a}) in _FAST_ORDER "
                      f"else {self.const(BINARY[op])}({a}, {b})")
        elif op in BINARY:
            self.emit(f"{t} = {self.const(BINARY[op])}({a}, {b})")
        else:
            raise _Unsupported(op)
        if op in ("!=", "not in"):
            self.emit(f"{t} = None if {t} is None else not {t}")
        return t

    def _logic(self, n):
        """Kleene's and/or/implies; the right side only when the left does not decide."""
        a = self(n.left)
        t = self.tmp()
        decided = {"and": f"{a} is False", "or": f"{a} is True",
                   "implies": f"{a} is False"}[n.op]
        self.emit(f"if {decided}:")
        self.emit(f"    {t} = {n.op != 'and'}")
        with self.block("else:"):
            b = self(n.right)
            if n.op == "and":
                self.emit(f"{t} = False if {b} is False else None if {a} is None "
                          f"or {b} is None else True")
            else:
                if n.op == "implies":  # not a, then or
                    na = self.tmp()
                    self.emit(f"{na} = None if {a} is None else not {a}")
                    a = na
                self.emit(f"{t} = True if {a} is True or {b} is True else None if {a} is None "
                          f"or {b} is None else False")
        return t

    def _isrecorded(self, n):
        a = self(n.operand)
        t = self.tmp()
        self.emit(f"{t} = {a} is None" if n.negated else f"{t} = {a} is not None")
        return t

    def _if(self, n):
        c = self(n.cond)
        t = self.tmp()
        self.emit(f"if {c} is None:")
        self.emit(f"    {t} = None")
        for test, branch in ((f"elif {c}:", n.then), ("else:", n.else_)):
            with self.block(test):
                self.emit(f"{t} = {self(branch)}")
        return t

    def _listlit(self, n):
        items = [self(x) for x in n.items]
        t = self.tmp()
        self.emit(f"{t} = ({''.join(i + ', ' for i in items)})")
        return t

    def _selection(self, n: ast.Selection):
        return self._memoized(n, lambda: self._select(n))

    def _select(self, n: ast.Selection) -> str:
        var = n.var
        if var is None:
            raise _Unsupported("unnamed selection")
        outer = self.local
        self.local = outer | {var}  # inner aggregates memoize on this item too
        try:
            plan, tests = index_plan(n, self.local)
            pool = self._pool(n, plan)
            t = self.tmp()
            v = self.tmp("v")
            self.emit(f"if {pool} is None:")
            self.emit(f"    {t} = None")
            with self.block("else:"):
                out = self.tmp("o")
                self.emit(f"{out} = []")
                with self.block(f"for {v} in {pool}:"):
                    self.scope[var] = v
                    try:
                        for c in tests:
                            self.emit(f"if {self(c)} is not True:")
                            self.emit("    continue")
                        item = self(n.projection) if n.projection is not None else v
                    finally:
                        del self.scope[var]
                    self.emit(f"{out}.append({item})")
                self.emit(f"{t} = _tuple({out})")
            return t
        finally:
            self.local = outer

    def _pool(self, n: ast.Selection, plan) -> str:
        """The candidates, as evaluator.Compiler._candidates finds them."""
        pool = self.tmp("p")
        if plan is None:
            s = self(n.source)
            self.emit(f"{pool} = None if {s} is None else _items({s})")
            return pool
        eq, member = plan
        name = n.source.id
        with contextlib.ExitStack() as blocks:
            if eq:
                vals = [self(other) for _, other in eq]
                self.emit(f"if {self.none_test(*vals)}:")
                self.emit(f"    {pool} = ()")
                blocks.enter_context(self.block("else:"))
                index = self._index_var(name, tuple(p for p, _ in eq), False)
                keys = [self.key(v) for v in vals]
                self.emit(f"{pool} = {index}.get(({''.join(k + ', ' for k in keys)}), ())")
            if member is not None:
                v = self(member[1])
                self.emit(f"if {v} is None:")
                self.emit(f"    {pool} = ()")
                with self.block("else:"):
                    index = self._index_var(name, (member[0],), True)
                    bucket = f"{index}.get({self.key(v)}, ())"
                    if eq:
                        b = self.tmp("b")
                        self.emit(f"{b} = {bucket}")
                        self.emit(f"if _len({b}) < _len({pool}):")
                        self.emit(f"    {pool} = {b}")
                    else:
                        self.emit(f"{pool} = {bucket}")
        return pool

    def _index_var(self, name: str, paths: tuple, member: bool) -> str:
        """The index, fetched from the context once per run, when first needed."""
        k = (name, paths, member)
        if k not in self.indexes:
            self.indexes[k] = (f"x{len(self.indexes)}", self.const(k))
        x, c = self.indexes[k]
        self.emit(f"if {x} is None:")
        self.emit(f"    {x} = ctx.index(*{c})")
        return x

    def _call(self, n: ast.Call):
        b = BUILTINS.get(n.func)
        if b is None:
            raise _Unsupported(n.func)
        impl = self.const(b.impl)

        def call():
            args = [self(a) for a in n.args]
            t = self.tmp()
            inline = _INLINE.get((n.func, len(args)))
            if inline is not None:
                self.emit(f"{t} = " + inline.format(**dict(zip("ab", args)), impl=impl))
            elif b.calendar and len(args) == 1:
                # a function of the snapshot's calendar: remembered per run, by a key of
                # one exact type (1 and True, equal as keys, may not read the same)
                (x,) = args
                if n.func not in self.calendar:
                    self.calendar[n.func] = f"y{len(self.calendar)}"
                y = self.calendar[n.func]
                self.emit(f"{t} = {y}.get({x}, _MISSING) if _type({x}) in _CALENDAR_KEYS "
                          f"else _MISSING")
                with self.block(f"if {t} is _MISSING:"):
                    self.emit(f"{t} = {impl}(ctx, {x})")
                    self.emit(f"if _type({x}) in _CALENDAR_KEYS:")
                    self.emit(f"    {y}[{x}] = {t}")
            else:
                self.emit(f"{t} = {impl}(ctx, {''.join(a + ', ' for a in args)})")
            return t
        if not any(isinstance(a, ast.Selection) for a in n.args):
            return call()
        return self._memoized(n, call)

    def _memoized(self, n, body) -> str:
        """As Compiler._memoized: the same keys in `ctx.memo`, so either evaluator may
        find what the other computed."""
        keys = [self.key(self(p)) for p in outer_paths(n, self.local)]
        k = self.tmp("m")
        node = self.const(id(n))  # a constant, so that the source does not vary by process
        if len(keys) == 1:
            self.emit(f"{k} = ({node}, {keys[0]})")
        else:
            self.emit(f"{k} = ({node}, ({''.join(key + ', ' for key in keys)}))")
        t = self.tmp()
        self.emit(f"{t} = memo.get({k}, _MISSING)")
        with self.block(f"if {t} is _MISSING:"):
            self.emit(f"{t} = memo[{k}] = {body()}")
        return t


def generate(rule: ast.Rule, params) -> tuple[str, list]:
    """The source of the function that evaluates `rule`, and its constants."""
    bindings = [b.name for b in rule.bindings]
    lets = [let.name for let in rule.lets]
    g = _Gen(set(bindings) | set(lets), set(params) | set(GLOBAL_COLLECTIONS) | {"as_of"})
    if not rule.bindings:
        g.emit("for _ in (0,):")
        g.depth += 1
    values = []
    for b in rule.bindings:
        s = g(b.source)
        v = g.tmp("v")
        g.emit(f"if {s} is not None:")
        g.emit(f"  for {v} in _items({s}):")
        g.depth += 1
        g.done.append({})  # what is computed per item of this binding
        g.scope[b.name] = v
        values.append(v)
        if b.where is not None:
            g.emit(f"if {g(b.where)} is not True:")
            g.emit("    continue")
    let_values = []
    for let in rule.lets:
        v = g(let.expr)
        lv = g.tmp("l")
        g.emit(f"{lv} = {v}")
        g.scope[let.name] = lv
        let_values.append(lv)
    if rule.when is not None:
        g.emit(f"if {g(rule.when)} is not True:")
        g.emit("    continue")
    a = rule.assertion
    done = f"(({''.join(v + ', ' for v in values)}), ({''.join(v + ', ' for v in let_values)}))"
    if isinstance(a, ast.Holds):
        r = g(a.expr)
        g.emit(f"if {r} is True:")
        g.emit("    passed += 1")
        g.emit("    if not keep:")
        g.emit("        continue")
        g.emit(f"finish({done}, 'passed' if {r} is True else 'violated' if {r} is False "
               f"else 'pending', None, {{}})")
    else:
        fact = g(a.fact)
        anchor = g(a.anchor)
        duration = g(a.duration) if a.duration is not None else "None"
        kind = g.const(a.kind)
        g.emit(f"st, due, info = _decide({kind}, {fact}, {anchor}, {duration}, as_of)")
        g.emit("if st == 'passed':")
        g.emit("    passed += 1")
        g.emit("    if not keep:")
        g.emit("        continue")
        g.emit(f"finish({done}, st, due, info)")
    head = ["def make(C, H):"]
    head += [f"    {name} = H[{name!r}]" for name in sorted(_HELPERS)]
    head += ["    _MISSING = H['_MISSING']", "    _decide = H['_decide']",
             "    def run(ctx, G, keep, finish):", "        memo = ctx.memo",
             "        rkeys = ctx.keys",
             "        as_of = ctx.as_of", "        passed = 0"]
    hoisted = [f"        {v} = G[{g.const(name)}]" for name, v in g.hoisted.items()]
    head += [f"        c{i} = C[{i}]" for i in range(len(g.consts))] + hoisted
    head += [f"        {x} = None" for x, _ in g.indexes.values()]
    head += [f"        {y} = {{}}" for y in g.calendar.values()]
    body = ["    " + line for line in g.lines]
    tail = ["        return passed", "    return run"]
    return "\n".join(head + body + tail) + "\n", g.consts


def compile_fast(rule: ast.Rule, params):
    """The fast function of `rule`, `run(ctx, globals, keep_passed, finish) -> passed`,
    or None when the rule is left to the closures (a construct not translated, or nesting
    deeper than Python compiles)."""
    from .evaluator import decide

    try:
        source, consts = generate(rule, params)
        code = cache.compiled(source, "<revmech rule>")
    except (_Unsupported, SyntaxError, RecursionError, MemoryError):
        return None
    namespace: dict = {}
    exec(code, namespace)  # our own source: see the module's docstring
    helpers = dict(_HELPERS, _MISSING=object(), _decide=decide)
    return namespace["make"](tuple(consts), helpers)
