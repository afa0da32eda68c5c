"""The static check: every rule is type-checked against the snapshot model and the
parameters before any snapshot is evaluated.

Reports unknown names and fields (with a did-you-mean), type mismatches, unknown
parameters and functions, duplicate rule ids and misplaced permissions, each located at
`file:line:col` with the source line and a caret. Returns the rules with the element
names of implicit selections (`experts where expert...`) filled in from the schema.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from . import ast
from .ast import Span
from .builtins import BUILTINS, TypeProblem
from .errors import Diagnostic, Loc, RuleCheckError, did_you_mean, loc_at
from .model import fields_of
from .parameters import Parameter
from .records import define
from .types import (ANY, BOOLEAN, DATE, DURATION, NUMBER, TEXT, Actor, Entity, ListOf, MapOf,
                    Type, Unknown, comparable, element, plural, unify)

# Snapshot collections rules range over, with their element names (`states` yields States).
GLOBAL_COLLECTIONS: dict[str, tuple[Type, str | None]] = {}
for _name, _spec in fields_of("Snapshot").items():
    if isinstance(_spec.type, ListOf):
        GLOBAL_COLLECTIONS[_name] = (_spec.type, _spec.item)
    elif isinstance(_spec.type, MapOf) and _name == "states":
        GLOBAL_COLLECTIONS[_name] = (ListOf(_spec.type.value), _spec.item)
GLOBAL_VALUES: dict[str, Type] = {"as_of": DATE}


class _Problem(Exception):
    def __init__(self, message: str, span: Span):
        self.message, self.span = message, span


@define
class Scope:
    names: dict[str, Type]
    kinds: dict[str, str]  # name -> binding | let | parameter | collection | value | message

    def child(self) -> "Scope":
        return Scope(dict(self.names), dict(self.kinds))

    def bind(self, name: str, t: Type, kind: str, span: Span):
        if name in self.names:
            what = {"parameter": "a parameter", "collection": "a snapshot collection",
                    "value": "a built-in value"}.get(self.kinds[name], "already bound here")
            raise _Problem(f"'{name}' is {what}; choose another name", span)
        self.names[name] = t
        self.kinds[name] = kind


class Checker:
    def __init__(self, params: dict[str, Parameter], source: str, path: str,
                 permissions: dict[str, ast.Rule], rules: dict[str, ast.Rule] | None = None):
        self.params = params
        self.source = source
        self.path = path
        self.permissions = permissions
        self.rules = rules if rules is not None else permissions  # every rule, by id
        self.used_params: set[str] = set()
        self._specs: dict = {}

    # -- locations ------------------------------------------------------------------

    def loc(self, span: Span) -> Loc:
        return loc_at(self.path, self.source, span.start)

    def diag(self, p: _Problem) -> Diagnostic:
        return Diagnostic(p.message, self.loc(p.span), self.source)

    # -- scopes ---------------------------------------------------------------------

    def global_scope(self) -> Scope:
        s = Scope({}, {})
        for name, (t, _) in GLOBAL_COLLECTIONS.items():
            s.names[name], s.kinds[name] = t, "collection"
        for name, t in GLOBAL_VALUES.items():
            s.names[name], s.kinds[name] = t, "value"
        for name, p in self.params.items():
            s.names[name], s.kinds[name] = p.type, "parameter"
        return s

    # -- expressions ----------------------------------------------------------------

    def expr(self, node, scope: Scope) -> tuple[Type, object]:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, scope)

    def want(self, node, scope: Scope, want: Type, what: str):
        t, node = self.expr(node, scope)
        if not isinstance(t, Unknown) and t != want:
            raise _Problem(f"{what} must be {want.describe()}, but this is {t.describe()}",
                           node.span)
        return node

    def _num(self, n, scope):
        return NUMBER, n

    def _text(self, n, scope):
        return TEXT, n

    def _bool(self, n, scope):
        return BOOLEAN, n

    def _datelit(self, n, scope):
        return DATE, n

    def _durationlit(self, n, scope):
        return DURATION, n

    def _nothing(self, n, scope):
        return ANY, n

    def _name(self, n: ast.Name, scope):
        if n.id not in scope.names:
            hint = did_you_mean(n.id, scope.names)
            if not hint and n.id in BUILTINS:
                hint = f" ({n.id} is a function: write {n.id}(...))"
            raise _Problem(f"unknown name '{n.id}'{hint}", n.span)
        if scope.kinds.get(n.id) == "parameter":
            self.used_params.add(n.id)
        return scope.names[n.id], n

    def _attr(self, n: ast.Attr, scope):
        t, obj = self.expr(n.obj, scope)
        n = attrs.evolve(n, obj=obj)
        if isinstance(t, Unknown):
            return ANY, n
        if isinstance(t, Actor):
            t = Entity("State")  # a label has no fields: its fields read as not recorded
        if not isinstance(t, Entity):
            extra = ""
            if isinstance(t, ListOf):
                extra = "; to look at each item, write: each x in ... where x." + n.name
            raise _Problem(f"{t.describe()} has no field '{n.name}'{extra}", n.name_span)
        fields = fields_of(t.name)
        if n.name not in fields:
            raise _Problem(f"{t.describe()} has no field '{n.name}'"
                           + did_you_mean(n.name, fields), n.name_span)
        self._specs[n.span] = fields[n.name]
        return fields[n.name].type, n

    def _index(self, n: ast.Index, scope):
        t, obj = self.expr(n.obj, scope)
        kt, key = self.expr(n.key, scope)
        n = attrs.evolve(n, obj=obj, key=key)
        if isinstance(t, Unknown):
            return ANY, n
        if not isinstance(t, MapOf):
            raise _Problem(f"only a table can be looked up by key; this is {t.describe()}",
                           n.span)
        if not comparable(kt, t.key):
            raise _Problem(f"the keys of this table are {plural(t.key)}, "
                           f"but the key given is {kt.describe()}", key.span)
        return t.value, n

    def _unary(self, n: ast.Unary, scope):
        if n.op == "not":
            return BOOLEAN, attrs.evolve(n, operand=self.want(n.operand, scope, BOOLEAN,
                                                              "the operand of 'not'"))
        return NUMBER, attrs.evolve(n, operand=self.want(n.operand, scope, NUMBER,
                                                          "the operand of '-'"))

    def _binary(self, n: ast.Binary, scope):
        op = n.op
        if op in ("and", "or", "implies"):
            left = self.want(n.left, scope, BOOLEAN, f"each side of '{op}'")
            right = self.want(n.right, scope, BOOLEAN, f"each side of '{op}'")
            return BOOLEAN, attrs.evolve(n, left=left, right=right)
        lt, left = self.expr(n.left, scope)
        rt, right = self.expr(n.right, scope)
        n = attrs.evolve(n, left=left, right=right)
        if op in ("=", "!="):
            if not comparable(lt, rt):
                raise _Problem(f"cannot compare {lt.describe()} with {rt.describe()}", n.span)
            return BOOLEAN, n
        if op in ("<", "<=", ">", ">="):
            if not (lt == rt and lt in (NUMBER, DATE) or isinstance(lt, Unknown)
                    or isinstance(rt, Unknown)):
                raise _Problem(f"'{op}' compares two numbers or two dates, not "
                               f"{lt.describe()} and {rt.describe()}", n.span)
            return BOOLEAN, n
        if op in ("in", "not in"):
            if isinstance(rt, Unknown):
                return BOOLEAN, n
            item = element(rt)
            if item is None:
                raise _Problem(f"'{op}' needs a list on its right, got {rt.describe()}",
                               right.span)
            if not comparable(lt, item):
                raise _Problem(f"{lt.describe()} can never be in {rt.describe()}", n.span)
            return BOOLEAN, n
        if op in ("subset of", "union", "intersect", "minus"):
            for t, side in ((lt, left), (rt, right)):
                if not isinstance(t, (ListOf, Unknown)):
                    raise _Problem(f"'{op}' works on lists, got {t.describe()}", side.span)
            u = unify(lt, rt)
            if u is None:
                raise _Problem(f"cannot combine {lt.describe()} with {rt.describe()}", n.span)
            return (BOOLEAN if op == "subset of" else u), n
        if op == "+" and TEXT in (lt, rt):
            return TEXT, n  # joining text, e.g. in messages: 'finalized on ' + date
        if op in ("+", "-"):
            if lt == DATE and rt == DURATION:
                return DATE, n
            if op == "+" and lt == DURATION and rt == DATE:
                return DATE, n
        if op in ("+", "-", "*", "/"):
            for t, side in ((lt, left), (rt, right)):
                if not isinstance(t, Unknown) and t != NUMBER:
                    dates = f" (or a date {op} a duration)" if op in ("+", "-") else ""
                    raise _Problem(f"'{op}' needs numbers{dates}, got {t.describe()}",
                                   side.span)
            return NUMBER, n
        raise _Problem(f"unknown operator '{op}'", n.span)  # pragma: no cover (grammar)

    def _isrecorded(self, n: ast.IsRecorded, scope):
        _, operand = self.expr(n.operand, scope)
        return BOOLEAN, attrs.evolve(n, operand=operand)

    def _if(self, n: ast.If, scope):
        cond = self.want(n.cond, scope, BOOLEAN, "the condition of 'if'")
        tt, then = self.expr(n.then, scope)
        et, else_ = self.expr(n.else_, scope)
        u = unify(tt, et)
        if u is None:
            raise _Problem(f"'then' gives {tt.describe()} but 'else' gives {et.describe()}",
                           n.span)
        return u, attrs.evolve(n, cond=cond, then=then, else_=else_)

    def _listlit(self, n: ast.ListLit, scope):
        item: Type = ANY
        out = []
        for x in n.items:
            t, x = self.expr(x, scope)
            u = unify(item, t)
            if u is None:
                raise _Problem(f"a list mixes {item.describe()} and {t.describe()}", x.span)
            item = u
            out.append(x)
        return ListOf(item), attrs.evolve(n, items=tuple(out))

    def _selection(self, n: ast.Selection, scope):
        st, source = self.expr(n.source, scope)
        item = element(st)
        if item is None:
            raise _Problem(f"cannot range over {st.describe()}", source.span)
        var, var_span = n.var, n.var_span
        if var is None:
            var = self.element_name(source)
            var_span = source.span
            if var is None:
                raise _Problem("name the items: write 'each x in ... where ...'", source.span)
            if var in scope.names:
                raise _Problem(
                    f"the items of '{self.text(source.span)}' would be called '{var}', which "
                    f"is already bound here; name them: each other in "
                    f"{self.text(source.span)} where ...", source.span)
        inner = scope.child()
        inner.bind(var, item, "binding", var_span)
        where = self.want(n.where, inner, BOOLEAN, "the condition after 'where'") \
            if n.where is not None else None
        result = item
        projection = None
        if n.projection is not None:
            result, projection = self.expr(n.projection, inner)
        return ListOf(result), attrs.evolve(n, var=var, var_span=var_span, source=source,
                                            where=where, projection=projection)

    def element_name(self, source) -> str | None:
        if isinstance(source, ast.Name) and source.id in GLOBAL_COLLECTIONS:
            return GLOBAL_COLLECTIONS[source.id][1]
        if isinstance(source, ast.Attr):
            return getattr(self._attr_spec(source), "item", None)
        return None

    def _attr_spec(self, node: ast.Attr):
        return self._specs.get(node.span)  # recorded when the field was resolved

    def _call(self, n: ast.Call, scope):
        b = BUILTINS.get(n.func)
        if b is None:
            raise _Problem(f"unknown function '{n.func}'" + did_you_mean(n.func, BUILTINS),
                           n.func_span)
        types, args = [], []
        for a in n.args:
            t, a = self.expr(a, scope)
            types.append(t)
            args.append(a)
        try:
            result = b.typer(types)
        except TypeProblem as e:
            raise _Problem(str(e), n.span) from None
        return result, attrs.evolve(n, args=tuple(args))

    def text(self, span: Span) -> str:
        return self.source[span.start:span.end]

    # -- rules ----------------------------------------------------------------------

    def rule(self, r: ast.Rule) -> tuple[ast.Rule, list[Diagnostic]]:
        problems: list[Diagnostic] = []
        self.used_params = set()
        self._specs = {}
        scope = self.global_scope()

        def attempt(f, *args):
            try:
                return f(*args)
            except _Problem as p:
                problems.append(self.diag(p))
                return None

        if not r.cites:
            problems.append(Diagnostic(f"rule '{r.id}' cites no paragraph (add: cites para N)",
                                       self.loc(r.id_span), self.source))
        bindings = []
        for b in r.bindings:
            nb = attempt(self.binding, b, scope)
            bindings.append(nb or b)
            if nb is None:  # keep going with the name unknown-typed
                scope.names.setdefault(b.name, ANY)
                scope.kinds.setdefault(b.name, "binding")
        lets = []
        for let in r.lets:
            t_node = attempt(self.expr, let.expr, scope)
            t, e = t_node if t_node else (ANY, let.expr)
            attempt(scope.bind, let.name, t, "let", let.name_span)
            lets.append(attrs.evolve(let, expr=e))
        when = r.when
        if when is not None:
            when = attempt(self.want, when, scope, BOOLEAN, "the condition after 'when'") or when
        assertion = attempt(self.assertion, r.assertion, scope) or r.assertion
        unless = r.unless
        if unless is not None:
            if unless.permission is not None:
                attempt(self.permission, unless, r)
            else:
                e = attempt(self.want, unless.expr, scope, BOOLEAN, "the condition after 'unless'")
                unless = attrs.evolve(unless, expr=e or unless.expr)
        message = r.message
        if message is not None:
            mscope = scope.child()
            mscope.names.update({"due": DATE, "status": TEXT})
            mscope.kinds.update({"due": "message", "status": "message"})
            parts = []
            for p in message.parts:
                if isinstance(p, str):
                    parts.append(p)
                else:
                    tn = attempt(self.expr, p, mscope)
                    parts.append(tn[1] if tn else p)
            message = attrs.evolve(message, parts=tuple(parts))
        if r.modality == "may" and (r.message is not None or r.unless is not None):
            problems.append(Diagnostic(
                f"'{r.id}' is a permission ('may'): it produces no finding, so it takes "
                f"no 'unless' or 'otherwise'; other rules use it with 'unless permitted by "
                f"{r.id}'", self.loc(r.id_span), self.source))
        checked = attrs.evolve(r, bindings=tuple(bindings), lets=tuple(lets), when=when,
                               assertion=assertion, unless=unless, message=message)
        return checked, problems

    def binding(self, b: ast.Binding, scope: Scope) -> ast.Binding:
        t, source = self.expr(b.source, scope)
        item = element(t)
        if item is None:
            raise _Problem(f"'for each {b.name} in ...' needs a list, got {t.describe()}",
                           source.span)
        scope.bind(b.name, item, "binding", b.name_span)
        where = None
        if b.where is not None:
            where = self.want(b.where, scope, BOOLEAN, "the condition after 'where'")
        return attrs.evolve(b, source=source, where=where)

    def assertion(self, a, scope: Scope):
        if isinstance(a, ast.Holds):
            return attrs.evolve(a, expr=self.want(a.expr, scope, BOOLEAN, "what 'shall' asserts"))
        ft, fact = self.expr(a.fact, scope)
        if a.kind == "by":
            if ft not in (DATE, BOOLEAN) and not isinstance(ft, Unknown):
                raise _Problem("before 'by' comes a date (when it was done) or a condition "
                               f"(what must hold by then), not {ft.describe()}", fact.span)
            anchor = self.want(a.anchor, scope, DATE, "the deadline after 'by'")
            kind = "holds_by" if ft == BOOLEAN else "by"  # a condition is pending until then
            return attrs.evolve(a, kind=kind, fact=fact, anchor=anchor)
        if ft != DATE and not isinstance(ft, Unknown):
            raise _Problem(f"a deadline is about the date something was done; this is "
                           f"{ft.describe()}", fact.span)
        duration = self.want(a.duration, scope, DURATION, "the period of a deadline")
        anchor = self.want(a.anchor, scope, DATE, "the date a deadline counts from")
        return attrs.evolve(a, fact=fact, duration=duration, anchor=anchor)

    def permission(self, unless: ast.Unless, r: ast.Rule):
        target = self.permissions.get(unless.permission)
        start = self.source.rfind(unless.permission, unless.span.start, unless.span.end)
        at = Span(start, start + len(unless.permission)) if start >= 0 else unless.span
        if target is None:
            other = self.rules.get(unless.permission)
            if other is not None:
                raise _Problem(f"'{other.id}' is not a permission: it says '{other.modality}'; "
                               f"only a 'may' rule can permit", at)
            raise _Problem(f"unknown permission '{unless.permission}'"
                           + did_you_mean(unless.permission, self.permissions), at)
        bound = {b.name for b in r.bindings}
        for b in target.bindings:
            if b.name not in bound:
                raise _Problem(f"permission '{target.id}' ranges over '{b.name}', which "
                               f"'{r.id}' does not bind", unless.span)


def check_rules(files: Sequence[ast.RuleFile], params: dict[str, Parameter]) -> list[ast.Rule]:
    """Check every rule of every file; raise RuleCheckError with all problems found."""
    return check_rule_list([r for f in files for r in f.rules],
                           {f.path: f.source for f in files}, params)


def check_rule_list(rules: Sequence[ast.Rule], sources: dict[str, str],
                    params: dict[str, Parameter]) -> list[ast.Rule]:
    """Check rules that may come from several files (an amended rule set); `sources` maps
    each rule's file to its text, for locations."""
    problems: list[Diagnostic] = []
    seen: dict[str, ast.Rule] = {}
    for r in rules:
        if r.id in seen:
            first = seen[r.id]
            src, here = sources[first.file], sources[r.file]
            problems.append(Diagnostic(
                f"duplicate rule id '{r.id}' (first defined at "
                f"{loc_at(first.file, src, first.id_span.start)})",
                loc_at(r.file, here, r.id_span.start), here))
        else:
            seen[r.id] = r
    permissions = {r.id: r for r in seen.values() if r.modality == "may"}
    checkers: dict[str, Checker] = {}
    out: list[ast.Rule] = []
    for r in rules:
        checker = checkers.get(r.file)
        if checker is None:
            checker = checkers[r.file] = Checker(params, sources[r.file], r.file, permissions,
                                                 seen)
        checked, p = checker.rule(r)
        problems.extend(p)
        out.append(checked)
    if problems:
        raise RuleCheckError(sorted(problems, key=lambda d: (d.loc.file, d.loc.line,
                                                               d.loc.column)))
    return out
