"""The evaluator: checked rules compiled once into closures, then run on snapshots.

Each expression becomes a function `(env, ctx) -> value`: `env` maps the names in scope
(collections, parameters, bindings, lets) to values, `ctx` holds what is built once per
snapshot (the mechanism calendar, indexes, memoized aggregates). The only operations
are those below, and every loop ranges over a finite snapshot collection.

These closures are the reference: `explain` records their values, and they build every
finding. On snapshots of FAST_FROM records or more, each rule's bindings are judged by a
Python function generated from the same checked rule (`codegen`), which computes the same
values in the same order, with the same memo keys and indexes.

Cost stays linear in the snapshot: a selection over a snapshot collection whose condition
compares an item's field with an outer value (`experts where expert.state = state`), or
tests membership (`state in review.draw.reviewers`), is answered from an index built once
per snapshot; an aggregate is computed once per distinct value of the outer names it uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from fractions import Fraction
from typing import Any, Callable

import attrs

from . import ast
from . import values as V
from .builtins import BUILTINS
from .calendar import Duration, MechanismCalendar
from .checker import GLOBAL_COLLECTIONS
from .findings import FAILING, Finding
from .model import Snapshot, State
from .parameters import Parameter

Fn = Callable[[dict, "Context"], Any]


@attrs.define
class Context:
    """What is built once per snapshot."""

    snapshot: Snapshot
    calendar: MechanismCalendar
    globals: dict
    indexes: dict = attrs.Factory(dict)
    memo: dict = attrs.Factory(dict)
    fast: bool = False  # rules run as generated code (codegen), see FAST_FROM
    keys: dict = attrs.Factory(dict)  # a record -> its V.key (codegen)

    @property
    def as_of(self) -> dt.date:
        return self.snapshot.as_of

    def index(self, collection: str, paths: tuple[tuple[str, ...], ...], member: bool) -> dict:
        k = (collection, paths, member)
        idx = self.indexes.get(k)
        if idx is None:
            idx = self.indexes[k] = _build_index(self.globals[collection], paths, member)
        return idx


_PLAIN = frozenset([str, int, dt.date])  # types that are their own key (values.key)


def _build_index(items, paths: tuple[tuple[str, ...], ...], member: bool) -> dict:
    idx: dict = {}
    key = V.key
    for item in items:
        if member:
            for m in V.items(_path(item, paths[0]) or ()):
                idx.setdefault(key(m), []).append(item)
            continue
        keys = []
        for p in paths:
            v = _path(item, p)
            if v is None:  # not recorded: the item is in no bucket
                break
            keys.append(v if type(v) in _PLAIN else key(v))
        else:
            k = tuple(keys)
            bucket = idx.get(k)
            if bucket is None:
                idx[k] = [item]
            else:
                bucket.append(item)
    return idx


def _path(obj: Any, path: tuple[str, ...]) -> Any:
    if len(path) == 1:
        return None if obj is None else getattr(obj, path[0], None)
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


# Records in a snapshot from which its rules run as generated code: compiling them costs
# about as much as evaluating a snapshot of ~600 records with the closures.
FAST_FROM = 500


def make_context(snapshot: Snapshot, params: dict[str, Parameter],
                 phase_years: dict[int, tuple[int, int]]) -> Context:
    g: dict[str, Any] = {name: p.value for name, p in params.items()}
    records = 0
    for name in GLOBAL_COLLECTIONS:
        value = getattr(snapshot, name)
        g[name] = tuple(value.values()) if isinstance(value, dict) else value
        records += len(g[name] or ())
    g["as_of"] = snapshot.as_of
    return Context(snapshot, MechanismCalendar(snapshot.mechanism.year_one, phase_years), g,
                   fast=records >= FAST_FROM)


# ---- expressions ---------------------------------------------------------------------


def _and(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _or(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _not(a):
    return None if a is None else not a


def _guarded(f):
    """Values the checker could not type (e.g. mixed table values) give unknown, not a crash;
    so does a date pushed beyond the calendar."""
    def g(a, b):
        try:
            return f(a, b)
        except (TypeError, ValueError, OverflowError):
            return None
    return g


def _arith(op):
    @_guarded
    def f(a, b):
        if a is None or b is None:
            return None
        if op == "+" and (isinstance(a, str) or isinstance(b, str)):
            return V.to_text(a) + V.to_text(b)
        if isinstance(a, dt.date) and isinstance(b, Duration):
            return b.after(a) if op == "+" else b.before(a)
        if isinstance(a, Duration) and isinstance(b, dt.date):
            return a.after(b)
        if op == "+":
            return V.number(a + b)
        if op == "-":
            return V.number(a - b)
        if op == "*":
            return V.number(a * b)
        return None if b == 0 else V.number(Fraction(a) / Fraction(b))
    return f


def _order(op):
    @_guarded
    def f(a, b):
        if a is None or b is None:
            return None
        return compare(a, b)
    compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]
    return f


def _set_op(op):
    def f(a, b):
        if a is None or b is None:
            return None
        if op == "subset of":
            return V.key_set(a) <= V.key_set(b)
        if op == "union":
            ak = V.key_set(a)
            return tuple(V.items(a)) + tuple([x for x, k in zip(V.items(b), V.item_keys(b))
                                              if k not in ak])
        bk = V.key_set(b)
        if not bk:  # `minus []` is common (`scope minus exempt`)
            return tuple(V.items(a)) if op == "minus" else ()
        keep = op == "intersect"
        return tuple([x for x, k in zip(V.items(a), V.item_keys(a)) if (k in bk) == keep])
    return f


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "=": V.equal,
    "!=": lambda a, b: _not(V.equal(a, b)),
    "in": lambda a, b: V.contains(b, a),
    "not in": lambda a, b: _not(V.contains(b, a)),
    **{op: _arith(op) for op in "+-*/"},
    **{op: _order(op) for op in ("<", "<=", ">", ">=")},
    **{op: _set_op(op) for op in ("subset of", "union", "intersect", "minus")},
}


def conjuncts(node) -> list:
    return ast.chain(node, "and") if node is not None else []


def names_in(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def outer_paths(node, local: set[str]) -> list:
    """The largest `name.field...` chains (or bare names) in `node` rooted at a name of
    `local`: what an expression reads from its surroundings."""
    out: list = []

    def visit(n):
        root = n
        while isinstance(root, ast.Attr):
            root = root.obj
        if isinstance(n, (ast.Attr, ast.Name)) and isinstance(root, ast.Name) \
                and root.id in local:
            if n not in out:
                out.append(n)
            return
        for c in ast.children(n):
            visit(c)

    visit(node)
    return out


def path_from(node, var: str) -> tuple[str, ...] | None:
    """`var.a.b` -> ("a", "b"); anything else -> None."""
    out: list[str] = []
    while isinstance(node, ast.Attr):
        out.append(node.name)
        node = node.obj
    if isinstance(node, ast.Name) and node.id == var and out:
        return tuple(reversed(out))
    return None


def index_plan(n: ast.Selection, local: set[str]):
    """How a selection's candidates are found: `(None, tests)` to range over its whole
    source, or `((equalities, membership), tests)` to take them from an index, where
    equalities are `(path, other expression)` (`item.a.b = other`) and membership is
    `(path, expression)` (`expression in item.a.b`) or None. `tests` are the conditions
    left to test on each candidate (all of them when both kinds of index serve: whichever
    index gives the smaller bucket, the other tests still apply)."""
    parts = conjuncts(n.where)
    if not (isinstance(n.source, ast.Name) and n.source.id in GLOBAL_COLLECTIONS
            and n.source.id not in local and n.where is not None):
        return None, parts
    eq: list = []
    member = None
    rest = []
    for c in parts:
        if isinstance(c, ast.Binary) and c.op == "=":
            for mine, other in ((c.left, c.right), (c.right, c.left)):
                p = path_from(mine, n.var)
                if p is not None and n.var not in names_in(other):
                    eq.append((p, other))
                    break
            else:
                rest.append(c)
        elif (isinstance(c, ast.Binary) and c.op == "in" and member is None
              and path_from(c.right, n.var) is not None and n.var not in names_in(c.left)):
            member = (path_from(c.right, n.var), c.left)
        else:
            rest.append(c)
    if not eq and member is None:
        return None, parts
    return (eq, member), (parts if eq and member is not None else rest)


class Compiler:
    """Compiles one checked rule's expressions; `local` are its bindings and lets."""

    def __init__(self, local: set[str]):
        self.local = local

    def __call__(self, node) -> Fn:
        return getattr(self, "_" + type(node).__name__.lower())(node)

    def _num(self, n):
        v = n.value
        return lambda env, ctx: v

    _text = _bool = _datelit = _num

    def _nothing(self, n):
        return lambda env, ctx: None

    def _durationlit(self, n):
        d = Duration(n.amount, n.unit)
        return lambda env, ctx: d

    def _name(self, n):
        name = n.id
        return lambda env, ctx: env[name]

    def _attr(self, n):
        names = [n.name]
        root = n.obj
        while isinstance(root, ast.Attr):
            names.append(root.name)
            root = root.obj
        if isinstance(root, ast.Name):
            # `a.b.c`: one function walks the chain (the commonest expression there is)
            var = root.id
            names.reverse()
            if len(names) == 1:
                (first,) = names

                def f1(env, ctx):
                    o = env[var]
                    return None if o is None or isinstance(o, str) else getattr(o, first, None)
                return f1

            def fn(env, ctx):
                o = env[var]
                for name in names:
                    if o is None or isinstance(o, str):
                        return None
                    o = getattr(o, name, None)
                return o
            return fn
        obj, name = self(n.obj), n.name

        def f(env, ctx):
            o = obj(env, ctx)
            return None if o is None or isinstance(o, str) else getattr(o, name, None)
        return f

    def _index(self, n):
        obj, key = self(n.obj), self(n.key)

        def f(env, ctx):
            m, k = obj(env, ctx), key(env, ctx)
            return None if m is None or k is None else V.lookup(m, k)
        return f

    def _unary(self, n):
        operand = self(n.operand)
        if n.op == "not":
            return lambda env, ctx: _not(operand(env, ctx))

        def neg(env, ctx):
            v = operand(env, ctx)
            return None if v is None else -v
        return neg

    def _binary(self, n):
        left, right = self(n.left), self(n.right)
        if n.op == "and":
            def f_and(env, ctx):
                a = left(env, ctx)
                return False if a is False else _and(a, right(env, ctx))
            return f_and
        if n.op == "or":
            def f_or(env, ctx):
                a = left(env, ctx)
                return True if a is True else _or(a, right(env, ctx))
            return f_or
        if n.op == "implies":
            def f_implies(env, ctx):
                a = left(env, ctx)
                return True if a is False else _or(_not(a), right(env, ctx))
            return f_implies
        op = BINARY[n.op]
        return lambda env, ctx: op(left(env, ctx), right(env, ctx))

    def _isrecorded(self, n):
        operand, negated = self(n.operand), n.negated
        return lambda env, ctx: (operand(env, ctx) is None) == negated

    def _if(self, n):
        cond, then, else_ = self(n.cond), self(n.then), self(n.else_)

        def f(env, ctx):
            c = cond(env, ctx)
            return None if c is None else then(env, ctx) if c else else_(env, ctx)
        return f

    def _listlit(self, n):
        items = [self(x) for x in n.items]
        return lambda env, ctx: tuple(i(env, ctx) for i in items)

    def _selection(self, n: ast.Selection):
        var = n.var
        outer = self.local
        self.local = outer | {var}  # inner aggregates memoize on this item too
        try:
            project = self(n.projection) if n.projection is not None else None
            candidates, rest = self._candidates(n)
            tests = [self(c) for c in rest]
        finally:
            self.local = outer

        def f(env, ctx):
            pool = candidates(env, ctx)
            if pool is None:
                return None
            out = []
            for item in pool:
                env[var] = item
                for t in tests:
                    if t(env, ctx) is not True:
                        break
                else:
                    out.append(project(env, ctx) if project else item)
            env.pop(var, None)
            return tuple(out)
        return self._memoized(n, f)

    def _candidates(self, n: ast.Selection):
        """The items a selection must test, from an index when its condition allows."""
        plan, tests = index_plan(n, self.local)
        if plan is None:
            source = self(n.source)
            return (lambda env, ctx: (lambda s: None if s is None else V.items(s))(
                source(env, ctx))), tests
        eq_nodes, member_node = plan
        eq = [(p, self(other)) for p, other in eq_nodes]
        member = (member_node[0], self(member_node[1])) if member_node is not None else None
        name = n.source.id
        paths = tuple(p for p, _ in eq)
        getters = [g for _, g in eq]

        def by_index(env, ctx):
            """The smaller of the buckets the equality and the membership indexes give."""
            best = None
            if eq:
                vals = [g(env, ctx) for g in getters]
                if any(v is None for v in vals):
                    return ()
                best = ctx.index(name, paths, False).get(tuple(V.key(v) for v in vals), ())
            if member is not None:
                v = member[1](env, ctx)
                if v is None:
                    return ()
                bucket = ctx.index(name, (member[0],), True).get(V.key(v), ())
                if best is None or len(bucket) < len(best):
                    best = bucket
            return best
        return by_index, tests

    def _call(self, n: ast.Call):
        b = BUILTINS[n.func]
        args = [self(a) for a in n.args]
        impl = b.impl

        def f(env, ctx):
            return impl(ctx, *[a(env, ctx) for a in args])
        if len(args) == 1:
            (a0,) = args

            def f(env, ctx):  # noqa: F811 - the common case, without building a list
                return impl(ctx, a0(env, ctx))
        if not any(isinstance(a, ast.Selection) for a in n.args):
            return f
        return self._memoized(n, f)

    def _memoized(self, n, f: Fn) -> Fn:
        """Memoize `f` on the values `n` reads from outside (`review.instrument`, not
        `review`), so that it is computed once per distinct key, not once per binding."""
        getters = [self(p) for p in outer_paths(n, self.local)]
        memo_key = id(n)

        key = V.key
        if len(getters) == 1:
            (g0,) = getters

            def memoized1(env, ctx):
                k = (memo_key, key(g0(env, ctx)))
                memo = ctx.memo
                if k in memo:
                    return memo[k]
                v = memo[k] = f(env, ctx)
                return v
            return memoized1

        def memoized(env, ctx):
            k = (memo_key, tuple([key(g(env, ctx)) for g in getters]))
            memo = ctx.memo
            if k in memo:
                return memo[k]
            v = memo[k] = f(env, ctx)
            return v
        return memoized


# ---- rules ---------------------------------------------------------------------------


@attrs.frozen
class CompiledRule:
    rule: ast.Rule
    index: int
    source: str
    bindings: tuple[tuple[str, Fn, Fn | None], ...]
    lets: tuple[tuple[str, Fn], ...]
    when: Fn | None
    assertion: Any  # see _compile_assertion
    unless: Fn | None
    message: tuple | None
    witness_exprs: tuple[tuple[str, Fn], ...]
    params: tuple[str, ...]
    references: tuple[bool, ...]  # per binding: not over `states` (its States are refs)
    fast: Any = None  # FastRule: the function deciding each binding's status

    def text(self, node) -> str:
        return _text(self.source, node.span.start, node.span.end)


@functools.lru_cache(maxsize=4096)
def _text(source: str, start: int, end: int) -> str:
    """A node's text on one line (remembered: each finding's message quotes its rule)."""
    return " ".join(source[start:end].split())


class FastRule:
    """A rule's generated function (codegen), generated and compiled when first needed:
    only checks of snapshots large enough to gain from it pay for it (and import it)."""

    def __init__(self, rule: ast.Rule, params):
        self.rule, self.params = rule, params
        self._fn, self._done = None, False

    def function(self):
        if not self._done:
            from .codegen import compile_fast

            self._fn, self._done = compile_fast(self.rule, self.params), True
        return self._fn


def compile_rule(rule: ast.Rule, index: int, source: str, params: dict[str, Parameter],
                 permissions: dict[str, "CompiledRule"],
                 compiler: Callable[[set[str]], Compiler] = Compiler) -> CompiledRule:
    """`compiler` makes the expression compiler (explain passes one that records values);
    with the plain one, the rule is also translated for the fast evaluator (codegen)."""
    local = {b.name for b in rule.bindings} | {let.name for let in rule.lets}
    c = compiler(local)
    text = lambda node: _text(source, node.span.start, node.span.end)  # noqa: E731
    bindings = tuple((b.name, c(b.source), c(b.where) if b.where is not None else None)
                     for b in rule.bindings)
    lets = tuple((let.name, c(let.expr)) for let in rule.lets)
    a = rule.assertion
    if isinstance(a, ast.Holds):
        assertion = ("holds", c(a.expr))
        shown = _compared(a.expr)
    else:
        assertion = (a.kind, c(a.fact), c(a.duration) if a.duration is not None else None,
                     c(a.anchor))
        shown = [a.fact, a.anchor] + ([a.duration] if a.duration is not None else [])
    witness = []
    seen = set(local)
    for node in shown:
        label = text(node)
        if label not in seen and not isinstance(node, (ast.Num, ast.Text, ast.Bool,
                                                       ast.DateLit, ast.DurationLit)):
            seen.add(label)
            witness.append((label, c(node)))
    used = sorted({n.id for node in _rule_exprs(rule) for n in ast.walk(node)
                   if isinstance(n, ast.Name) and n.id in params and n.id not in local})
    unless = None
    if rule.unless is not None:
        if rule.unless.permission is not None:
            perm = permissions[rule.unless.permission]
            unless = lambda env, ctx: perm_holds(perm, env, ctx)  # noqa: E731
        else:
            unless = c(rule.unless.expr)
    message = None
    if rule.message is not None:
        # a message also reads `due` and `status`, which change per finding: memo keys
        # of aggregates in it include them
        cm = compiler(local | {"due", "status"})
        message = tuple(p if isinstance(p, str) else cm(p) for p in rule.message.parts)
    references = tuple(not (isinstance(b.source, ast.Name) and b.source.id == "states")
                       for b in rule.bindings)
    fast = None
    if compiler is Compiler and rule.modality != "may":
        fast = FastRule(rule, params)
    return CompiledRule(rule, index, source, bindings, lets,
                        c(rule.when) if rule.when is not None else None, assertion, unless,
                        message, tuple(witness), tuple(used), references, fast)


def _compared(expr) -> list:
    """The operands worth showing in a witness: those of the comparisons in an `and`."""
    out = []
    for part in conjuncts(expr)[:8]:
        if isinstance(part, ast.Binary) and part.op not in ("and", "or", "implies"):
            out.extend([part.left, part.right])
        elif isinstance(part, ast.Unary) and isinstance(part.operand, ast.Binary):
            out.extend([part.operand.left, part.operand.right])
    return out


def _rule_exprs(rule: ast.Rule) -> list:
    out = [b.source for b in rule.bindings] + [b.where for b in rule.bindings if b.where]
    out += [let.expr for let in rule.lets]
    if rule.when is not None:
        out.append(rule.when)
    a = rule.assertion
    out += [a.expr] if isinstance(a, ast.Holds) else [x for x in (a.fact, a.duration, a.anchor)
                                                      if x is not None]
    if rule.unless is not None and rule.unless.expr is not None:
        out.append(rule.unless.expr)
    return out


def perm_holds(perm: CompiledRule, env: dict, ctx: Context) -> bool:
    """Does the permission `perm` hold for the bindings in `env` (matched by name)?"""
    inner = dict(env)
    for name, _source, where in perm.bindings:
        if where is not None and where(inner, ctx) is not True:
            return False
    for name, f in perm.lets:
        inner[name] = f(inner, ctx)
    if perm.when is not None and perm.when(inner, ctx) is not True:
        return False
    return perm.assertion[1](inner, ctx) is True


def judge(cr: CompiledRule, env: dict, ctx: Context):
    """(status, due, values) for one binding; values feed the default message."""
    kind = cr.assertion[0]
    if kind == "holds":
        r = cr.assertion[1](env, ctx)
        return ("passed" if r is True else "violated" if r is False else "pending"), None, {}
    fact = cr.assertion[1](env, ctx)
    anchor = cr.assertion[3](env, ctx)
    duration = cr.assertion[2](env, ctx) if cr.assertion[2] is not None else None
    return decide(kind, fact, anchor, duration, ctx.as_of)


def decide(kind: str, fact, anchor, duration, as_of: dt.date):
    """(status, due, values) of a deadline from the values of its parts."""
    if anchor is None or (kind not in ("by", "holds_by") and duration is None):
        return "pending", None, {"unstarted": True}
    try:
        due = anchor if kind in ("by", "holds_by") else duration.after(anchor) \
            if kind == "within" else duration.before(anchor)
    except (ValueError, OverflowError):
        return "pending", None, {"unstarted": True}
    if kind == "holds_by":
        if fact is True:
            return "passed", due, {}
        return ("pending" if as_of <= due else "violated"), due, {"condition": True}
    if fact is None:
        return ("overdue" if as_of > due else "pending"), due, {"anchor": anchor,
                                                               "duration": duration}
    if kind == "within" and fact < anchor:  # done before the clock started: out of order
        return "violated", due, {"anchor": anchor, "duration": duration, "fact": fact,
                                 "early": True}
    return (("passed" if fact <= due else "late"), due,
            {"anchor": anchor, "duration": duration, "fact": fact})


def evaluate_rule(cr: CompiledRule, ctx: Context, keep_passed: bool = False,
                  owns: Callable[[tuple], bool] | None = None) -> tuple[list[Finding], int]:
    """The findings of one rule (passed ones only with `keep_passed`), and how many passed.
    With `owns`, only the bindings whose subject it accepts count (a dated amendment
    judges each review by the rules that govern it): the others build no finding."""
    rule = cr.rule
    if rule.modality == "may":
        return [], 0
    out: list[Finding] = []
    passed = 0
    owned_passed = 0
    env = dict(ctx.globals)
    names = [b[0] for b in cr.bindings]
    see_passed = keep_passed or owns is not None

    def record(status, due, info):
        subject = None
        if owns is not None:
            subject = _subject(env, names)
            if not owns(subject):
                return
            if status == "passed":
                nonlocal owned_passed
                owned_passed += 1
                if not keep_passed:
                    return
        out.append(judged_finding(cr, env, ctx, status, due, info, names, subject))

    fast = cr.fast.function() if cr.fast is not None and ctx.fast else None
    if fast is not None:
        def finish(done, status, due, info):
            """A binding the fast function did not count as passed: its finding."""
            env.update(zip(names, done[0]))
            env.update(zip([name for name, _ in cr.lets], done[1]))
            record(status, due, info)
        passed = fast(ctx, ctx.globals, see_passed, finish)
        return out, owned_passed if owns is not None else passed

    def leaf():
        for name, f in cr.lets:
            env[name] = f(env, ctx)
        if cr.when is not None and cr.when(env, ctx) is not True:
            return
        status, due, info = judge(cr, env, ctx)
        if status == "passed":
            nonlocal passed
            passed += 1
            if not see_passed:
                return
        record(status, due, info)

    for_each_binding(cr, ctx, env, leaf)
    return out, owned_passed if owns is not None else passed


def for_each_binding(cr: CompiledRule, ctx: Context, env: dict,
                     visit: Callable[[], None]) -> None:
    """Call `visit` with `env` bound to each combination the rule ranges over (its
    `where`s hold)."""
    bindings = cr.bindings

    def loop(i: int):
        if i == len(bindings):
            visit()
            return
        name, source, where = bindings[i]
        coll = source(env, ctx)
        if coll is None:
            return
        for item in V.items(coll):
            env[name] = item
            if where is not None and where(env, ctx) is not True:
                continue
            loop(i + 1)

    loop(0)


def excused(cr: CompiledRule, env: dict, ctx: Context) -> str | None:
    """Why a failing binding is excepted (its `unless` holds, or its permission does),
    or None."""
    if cr.unless is None or cr.unless(env, ctx) is not True:
        return None
    u = cr.rule.unless
    return f"permitted by {u.permission}" if u.permission else f"unless {cr.text(u.expr)}"


def judged_finding(cr: CompiledRule, env, ctx, status, due, info, names,
                   subject: tuple | None = None) -> Finding:
    """The finding of a binding judged `status`: excepted when its `unless` or permission
    holds."""
    reason = excused(cr, env, ctx) if status in FAILING else None
    if reason is not None:
        status = "excepted"
    return _finding(cr, env, ctx, status, due, info, reason, names, subject)


def _subject(env: dict, names: list) -> tuple:
    return tuple((n, V.to_json(V.ident(env[n]))) for n in names)


def _finding(cr: CompiledRule, env, ctx, status, due, info, reason, names,
             subject: tuple | None = None) -> Finding:
    rule = cr.rule
    if subject is None:
        subject = _subject(env, names)
    witness: list[tuple[str, Any]] = [(name, V.to_json(env[name])) for name, _ in cr.lets]
    for label, f in cr.witness_exprs:
        witness.append((label, V.to_json(f(env, ctx))))
    shown = {label for label, _ in witness}
    for p in cr.params:  # a parameter compared in the assertion is already shown
        if p not in shown:
            witness.append((p, V.to_json(env[p])))
    if due is not None:
        witness.append(("due", due.isoformat()))
    location = None
    for n, outside in zip(reversed(names), reversed(cr.references)):
        if outside and isinstance(env[n], State):
            continue  # a State reached through another record: point at that record
        location = getattr(env[n], "loc", None)
        if location is not None:
            break
    message = _message(cr, env, ctx, status, due, info, reason)
    return Finding(rule.id, rule.cites, rule.severity, status, subject, message,
                   tuple(witness), location, ctx.snapshot.file, cr.index,
                   due.isoformat() if due is not None else None, reason)


def _message(cr: CompiledRule, env, ctx, status, due, info, reason) -> str:
    rule = cr.rule
    a = rule.assertion
    failing_text = None
    judged_later = status == "pending" and isinstance(a, ast.Holds)
    if cr.message is not None and (status in FAILING + ("excepted",) or judged_later):
        env = dict(env, due=due, status=status)
        failing_text = "".join(p if isinstance(p, str) else V.to_text(p(env, ctx))
                               for p in cr.message)
    if isinstance(a, ast.Holds):
        default = {
            "violated": f"not met: {cr.text(a.expr)}",
            "pending": f"cannot be judged yet: a fact that {cr.text(a.expr)} needs is "
                       f"not recorded",
            "passed": f"met: {cr.text(a.expr)}",
        }
        status_for_text = "violated" if status == "excepted" else status
        text = failing_text or default[status_for_text]
        if judged_later and failing_text:
            text = f"not yet judged: {failing_text}"
    else:
        fact_text = cr.text(a.fact)
        when = (f"by {due}" if a.kind in ("by", "holds_by") else
                f"by {due} ({V.to_text(info.get('duration'))} "
                f"{'after' if a.kind == 'within' else 'before'} {cr.text(a.anchor)}, "
                f"{V.to_text(info.get('anchor'))})") if due is not None else ""
        lets = ", ".join(f"{name} = {V.to_text(env[name])}" for name, _ in cr.lets)
        lets = f" ({lets})" if lets else ""
        if info.get("early"):
            text = failing_text or (f"out of order: {fact_text} is {V.to_text(info['fact'])}, "
                                    f"before {cr.text(a.anchor)} "
                                    f"({V.to_text(info.get('anchor'))})")
        elif info.get("unstarted"):
            text = f"not yet due: {cr.text(a.anchor)} is not recorded"
        elif info.get("condition"):
            text = failing_text or {
                "passed": f"met: {fact_text}",
                "pending": f"pending until {due}: {fact_text}{lets}",
                "violated": f"not met {when}: {fact_text}{lets}",
            }["violated" if status == "excepted" else status]
        else:
            text = failing_text or {
                "passed": f"met: {fact_text} {when}",
                "pending": f"not yet due: {fact_text} is due {when}",
                "overdue": f"{fact_text} is not recorded as of {ctx.as_of}; it was due {when}",
                "late": f"{fact_text} is {V.to_text(info.get('fact'))}; it was due {when}",
            }["overdue" if status == "excepted" and "fact" not in info else
              "late" if status == "excepted" else status]
    if status == "excepted":
        return f"excepted ({reason}): {text}"
    return text
