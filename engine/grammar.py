"""The grammar of the revmech rule language (pyparsing), building `ast` nodes.

The BNF is in docs/grammar.md. This module knows nothing of the checker or the
evaluator: `parse_rules(text, path)` returns a `RuleFile` or raises `RuleSyntaxError`,
and `parse_expression(text)` parses one expression (for tests and message templates).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys

import pyparsing as pp

from . import ast
from .ast import Span
from .errors import Diagnostic, Loc, RuleSyntaxError, loc_at
from .keywords import DATE_PATTERN, KEYWORDS, RULE_ID_PATTERN

pp.ParserElement.enable_packrat()
pp.ParserElement.set_default_whitespace_chars(" \t\r\n")

K = {w: pp.Keyword(w).set_name(f"'{w}'") for w in KEYWORDS}
COMMENT = pp.Regex(r"#[^\n]*").set_name("comment")


def located(expr: pp.ParserElement, factory, name: str | None = None) -> pp.ParserElement:
    """Wrap `expr` so its parse action gets the source span and the named results."""

    def action(s, loc, toks):
        if len(toks) == 1:  # a results name on the Located wraps its triple once more
            toks = toks[0]
        start, value, end = toks[0], toks[1], toks[2]
        while start < end and s[start].isspace():  # Located may include blanks at its ends
            start += 1
        while end > start and s[end - 1].isspace():
            end -= 1
        return factory(Span(start, end), value)

    wrapped = pp.Located(expr).set_parse_action(action)
    return wrapped.set_name(name) if name else wrapped


def _one(t, name: str):
    """The node under results name `name`, or None (a lone token comes wrapped)."""
    if name not in t:
        return None
    v = t[name]
    return v[0] if isinstance(v, pp.ParseResults) and len(v) == 1 else v


class Tok:
    """A token's text with its span, for names whose position the AST keeps."""

    __slots__ = ("text", "span")

    def __init__(self, text: str, span: Span):
        self.text, self.span = text, span


def token(expr: pp.ParserElement) -> pp.ParserElement:
    def action(s, loc, t):
        start = s.find(t[0], loc)  # `loc` may sit before the blanks that precede the token
        return Tok(t[0], Span(start, start + len(t[0])))

    return expr.copy().add_parse_action(action)


def fold_left(span, toks):
    """`a op b op c` -> Binary(Binary(a, op, b), op, c); a lone operand passes through."""
    items = list(toks)
    node = items[0]
    for i in range(1, len(items), 2):
        op, right = items[i], items[i + 1]
        node = ast.make_binary(Span(node.span.start, right.span.end), op, node, right)
    return node


def need(element: pp.ParserElement, what: str) -> pp.ParserElement:
    """`element`, or a syntax error saying `what` was expected (instead of its first token)."""

    def fail(s, loc, toks):
        raise pp.ParseFatalException(s, loc, f"Expected {what}")

    return (element | pp.Empty().set_parse_action(fail)).set_name(what)


# ---- tokens --------------------------------------------------------------------------

# One regex (not `~keyword + name`), so that a keyword where a name belongs reads
# "expected a name, found 'in'" rather than pyparsing's list of unwanted tokens.
IDENT = pp.Regex(r"(?!(?:" + "|".join(KEYWORDS) + r")(?![A-Za-z0-9_]))[A-Za-z_][A-Za-z0-9_]*"
                 ).set_name("a name")
FIELD = pp.Regex(r"[A-Za-z_][A-Za-z0-9_]*").set_name("field name")
RULE_ID = pp.Regex(RULE_ID_PATTERN).set_name("rule id (lower-case-with-dashes)")
STRING = pp.QuotedString('"', esc_char="\\", multiline=True, unquote_results=False).set_name(
    "quoted text")
SINGLE = pp.QuotedString("'", esc_char="\\", multiline=True, unquote_results=False).set_name(
    "quoted text")  # handy inside messages, which are double-quoted
INTEGER = pp.Regex(r"[0-9]+(?:\.[0-9]+)?(?![-0-9])").set_name("number")
DATE_TOKEN = pp.Regex(DATE_PATTERN).set_name("date (YYYY-MM-DD)")
DURATION_TOKEN = pp.Regex(r"([0-9]+)\s+(days?|weeks?|months?|years?)\b").set_name(
    "duration (e.g. 3 weeks)")
PARA_REF = pp.Regex(r"[0-9]+(?:\([a-z]\))?").set_name("paragraph number, e.g. 19 or 53(b)")


def _respan(node, span: Span):
    import attrs

    return attrs.evolve(node, span=span)


def unquote(token: str) -> str:
    """The value of a quoted string; a line break and its indentation read as one space."""
    body = token[1:-1]
    body = re.sub(r"\s*\n\s*", " ", body)
    return re.sub(r"\\(.)", r"\1", body)


def _check_date(s, loc, toks):
    try:
        dt.date.fromisoformat(toks[0])
    except ValueError:
        raise pp.ParseFatalException(s, s.find(toks[0], loc), f"no such date: {toks[0]}") \
            from None


DATE_TOKEN.add_parse_action(_check_date)


def _check_number(s, loc, toks):
    try:
        int(toks[0].replace(".", ""))
    except ValueError:  # more digits than Python converts (4300 by default)
        raise pp.ParseFatalException(
            s, loc, f"number too long ({len(toks[0])} characters)") from None


INTEGER.add_parse_action(_check_number)
DURATION_TOKEN.add_parse_action(lambda s, loc, toks: _check_number(s, loc, toks[0].split()))

# ---- expressions ---------------------------------------------------------------------

expr = pp.Forward().set_name("expression")
arg = pp.Forward().set_name("argument")

number = located(INTEGER, lambda sp, t: ast.make_num(sp, t[0])).set_name("number")
date = located(DATE_TOKEN, lambda sp, t: ast.make_date(sp, t[0])).set_name("date")
duration = located(
    DURATION_TOKEN,
    lambda sp, t: ast.make_duration(sp, *re.match(r"([0-9]+)\s+(\w+)", t[0]).groups()),
).set_name("duration")
text_lit = located(STRING | SINGLE, lambda sp, t: ast.make_text(sp, unquote(t[0]))).set_name("text")
boolean = located(K["true"] | K["false"], lambda sp, t: ast.make_bool(sp, t[0])).set_name(
    "true or false")
nothing = located(K["nothing"], lambda sp, t: ast.make_nothing(sp)).set_name("nothing")
name = located(IDENT, lambda sp, t: ast.make_name(sp, t[0])).set_name("name")
def comma_list(item: pp.ParserElement, what: str) -> pp.ParserElement:
    """`item, item, ...`: after a comma another item must follow."""
    return item + pp.ZeroOrMore(pp.Suppress(",") - need(item, what))


def closing(char: str) -> pp.ParserElement:
    return need(pp.Suppress(char), f"'{char}'")


list_lit = located(
    pp.Suppress("[") - pp.Optional(comma_list(expr, "a value")) - closing("]"),
    lambda sp, t: ast.make_list(sp, list(t)),
).set_name("list")
call = located(
    token(IDENT | K["union"] | K["intersect"])("func") + pp.Suppress("(")
    - pp.Group(pp.Optional(comma_list(arg, "an argument")))("args") - closing(")"),
    lambda sp, t: ast.make_call(sp, _one(t, "func").text, list(t.args), _one(t, "func").span),
).set_name("function call")
if_expr = located(
    K["if"] - need(expr, "a condition")("cond") - K["then"] - need(expr, "a value")("then")
    - K["else"] - need(expr, "a value")("else_"),
    lambda sp, t: ast.make_if(sp, _one(t, "cond"), _one(t, "then"), _one(t, "else_")),
).set_name("if-then-else")
# A parenthesized expression is its inner node with a span that takes in the parentheses,
# so that `(a or b) and c` spans from its `(` (and a witness label reads as written).
paren = located(pp.Suppress("(") - need(expr, "an expression") - closing(")"),
                lambda sp, t: _respan(t[0], sp), "parenthesized expression")

atom = (date | duration | number | text_lit | boolean | nothing | if_expr | call | name | list_lit
        | paren).set_name("value")

attr_suffix = pp.Group(pp.Suppress(".") - need(token(FIELD)("field"), "a field name")
                       ).set_name(".field")
index_suffix = pp.Group(pp.Located(pp.Suppress("[") - need(expr, "a key")("key")
                                   - closing("]"))("index")).set_name("[key]")


def _postfix(span, toks):
    node = toks[0]
    for suffix in toks[1:]:
        if "field" in suffix:
            f = _one(suffix, "field")
            node = ast.make_attr(Span(node.span.start, f.span.end), node, f.text, f.span)
        else:
            key = suffix.index[1][0]
            node = ast.make_index(Span(node.span.start, suffix.index[2]), node, key)
    return node


postfix = located(atom + pp.ZeroOrMore(attr_suffix | index_suffix), _postfix).set_name("value")

unary = pp.Forward().set_name("value")
unary <<= (located(pp.Literal("-") + unary, lambda sp, t: ast.make_unary(sp, "-", t[1]),
                   "negation") | postfix).set_name("a value")

term = located(unary + pp.ZeroOrMore(pp.one_of("* /") - need(unary, "a value")), fold_left, "term")
arith = located(term + pp.ZeroOrMore(pp.one_of("+ -") - need(term, "a value")), fold_left, "sum")
set_op = (K["union"] | K["intersect"] | K["minus"]).set_name("set operator")
set_expr = located(arith + pp.ZeroOrMore(set_op - need(arith, "a value")), fold_left, "set expression")

comp_op = pp.one_of("= != <= >= < >").set_name("comparison operator")
not_in = (K["not"] + K["in"]).set_parse_action(lambda: "not in").set_name("'not in'")
subset_of = (K["subset"] - K["of"]).set_parse_action(lambda: "subset of").set_name("'subset of'")
recorded = pp.Group(K["is"] - pp.Optional(K["not"])("negated") - K["recorded"])(
    "recorded").set_name("'is recorded'")


def _comparison(span, toks):
    if len(toks) == 1:
        return toks[0]
    if "recorded" in toks:
        return ast.make_is_recorded(span, toks[0], bool(toks.recorded.negated))
    return ast.make_binary(span, toks[1], toks[0], toks[2])


comparison = located(
    set_expr + pp.Optional(
        recorded | ((comp_op | not_in | K["in"] | subset_of) - need(set_expr, "a value"))),
    _comparison,
).set_name("comparison")

not_expr = pp.Forward().set_name("condition")
not_expr <<= (located(K["not"] + not_expr, lambda sp, t: ast.make_unary(sp, "not", t[1]),
                      "'not' condition") | comparison).set_name("an expression")
and_expr = located(not_expr + pp.ZeroOrMore(K["and"] - need(not_expr, "a condition")), fold_left, "condition")
or_expr = located(and_expr + pp.ZeroOrMore(K["or"] - need(and_expr, "a condition")), fold_left, "condition")
expr <<= located(or_expr + pp.Optional(K["implies"] - need(or_expr, "a condition")), fold_left, "expression")

# Selections: `each x in C where P`, `E for each x in C where P`, `C where P`.
var = token(IDENT)("var")
where_clause = pp.Optional(K["where"] - need(expr, "a condition")("where"))
each_selection = located(
    K["each"] - var - K["in"] - need(expr, "a collection")("source") - where_clause,
    lambda sp, t: ast.make_selection(sp, _one(t, "var").text, _one(t, "source"), _one(t, "where"), None,
                                     _one(t, "var").span),
).set_name("selection")


def _arg(span, toks):
    if "var" in toks:  # projection
        return ast.make_selection(span, _one(toks, "var").text, _one(toks, "source"), _one(toks, "where"),
                                  _one(toks, "value"), _one(toks, "var").span)
    if "where" in toks:
        return ast.make_selection(span, None, _one(toks, "value"), _one(toks, "where"), None)
    return _one(toks, "value")


arg <<= each_selection | located(
    expr("value") + pp.Optional(
        (K["for"] - K["each"] - var - K["in"] - need(expr, "a collection")("source") - where_clause)
        | (K["where"] - need(expr, "a condition")("where"))),
    _arg, "argument",
)

# ---- rules ---------------------------------------------------------------------------

citation = ((K["para"] + PARA_REF).set_parse_action(lambda t: f"para {t[1]}")
            | STRING.copy().set_parse_action(lambda t: unquote(t[0]))).set_name(
    "citation (para N, or quoted text)")
# Several `cites` clauses add up; a second `text` clause is an error (see _rule).
cites = (K["cites"] - pp.Group(pp.DelimitedList(citation))("cites*")).set_name("cites clause")
text_clause = (K["text"] - token(STRING)("text*")).set_name("text clause")
note = (K["note"] - STRING).set_name("note clause")
header = pp.ZeroOrMore(cites | text_clause | pp.Group(note)("notes*"))

binding = located(
    token(IDENT)("name") + K["in"] - need(expr, "a collection")("source") + where_clause,
    lambda sp, t: ast.make_binding(sp, _one(t, "name").text, _one(t, "source"), _one(t, "where"),
                                   _one(t, "name").span),
).set_name("binding (name in collection)")
for_clause = (K["for"] - K["each"] - pp.Group(pp.DelimitedList(binding))("bindings")).set_name(
    "for each clause")
let_value = (each_selection | arg).set_name("an expression")
let = located(
    K["let"] - token(IDENT)("name") - pp.Suppress("=") - need(let_value, "an expression")("value"),
    lambda sp, t: ast.make_let(sp, _one(t, "name").text, _one(t, "value"), _one(t, "name").span),
).set_name("let clause")
when = (K["when"] - need(expr, "a condition")("when")).set_name("when clause")
modality = (K["shall"] | K["should"] | K["may"]).set_name("'shall', 'should' or 'may'")


def _assertion(span, t):
    if "within" in t:
        return ast.make_deadline(span, "within", _one(t, "fact"), _one(t, "duration"), _one(t, "anchor"))
    if "no_later" in t:
        return ast.make_deadline(span, "no_later_than", _one(t, "fact"), _one(t, "duration"), _one(t, "anchor"))
    if "by" in t:
        return ast.make_deadline(span, "by", _one(t, "fact"), None, _one(t, "anchor"))
    return ast.make_holds(span, _one(t, "fact"))


assertion = located(
    expr("fact") + pp.Optional(
        (K["within"]("within") - need(expr, "a duration")("duration") - K["after"]
         - need(expr, "a date")("anchor"))
        | (pp.Group(K["no"] + K["later"] + K["than"])("no_later") - need(expr, "a duration")("duration")
           - K["before"] - need(expr, "a date")("anchor"))
        | (K["by"]("by") - need(expr, "a date")("anchor"))),
    _assertion,
).set_name("assertion")
unless = located(
    K["unless"] - ((K["permitted"] - K["by"] - RULE_ID("permission")) | need(expr, "a condition")("cond")),
    lambda sp, t: ast.make_unless(sp, _one(t, "cond"), t.get("permission")),
).set_name("unless clause")
otherwise = (K["otherwise"] - token(STRING)("message")).set_name("otherwise clause")


def _rule(span, t):
    texts = list(t.text) if "text" in t else []
    if len(texts) > 1:
        raise pp.ParseFatalException(
            "", texts[1].span.start,
            "a rule has one text clause: quote the passages it encodes in one text \"...\"")
    message = None
    if "message" in t:
        message = parse_template(_one(t, "message").text, _one(t, "message").span.start)
    return ast.make_rule(
        span, _one(t, "id").span,
        id=_one(t, "id").text,
        cites=tuple(c for clause in t.cites for c in clause) if "cites" in t else (),
        text=unquote(texts[0].text) if texts else None,
        notes=tuple(unquote(n[1]) for n in t.get("notes", [])),
        bindings=tuple(t.bindings) if "bindings" in t else (),
        lets=tuple(t.lets) if "lets" in t else (),
        when=_one(t, "when"),
        modality=t.modality,
        assertion=_one(t, "assertion"),
        unless=_one(t, "unless"),
        message=message,
    )


rule = located(
    K["rule"] - token(RULE_ID)("id") - header - pp.Optional(for_clause)
    - pp.Group(pp.ZeroOrMore(let))("lets") - pp.Optional(when) - modality("modality")
    - need(assertion, "an assertion")("assertion") - pp.Optional(unless("unless")) - pp.Optional(otherwise),
    _rule,
).set_name("rule")
chapter = (K["chapter"] - STRING("section") - STRING("title")).set_name("chapter line")
rule_file = (pp.Optional(chapter) + pp.Group(pp.ZeroOrMore(rule))("rules")
             + pp.StringEnd().set_name("'rule' or end of file"))
rule_file.ignore(COMMENT)
expr.ignore(COMMENT)
# Built once: `ignore` on a new expression adds the comment to every sub-element again, so
# building these per call made each parse slower than the last.
rule_file.parse_with_tabs()  # pyparsing would expand tabs, and spans would not be offsets
whole_expression = (let_value + pp.StringEnd()).ignore(COMMENT).parse_with_tabs()
template_hole = (expr + pp.StringEnd()).parse_with_tabs()

# ---- message templates ---------------------------------------------------------------

_HOLE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def parse_template(token: str, offset: int) -> ast.Template:
    """`"{state} has {appointed} experts"` -> Template(("", Name(state), " has ", ...))."""
    body = token[1:-1]
    parts: list = []
    pos = 0
    literal = ""
    for m in _HOLE.finditer(body):
        literal += body[pos:m.start()]
        pos = m.end()
        if m.group(0) in ("{{", "}}"):
            literal += m.group(0)[0]
            continue
        parts.append(unquote('"' + literal + '"'))
        literal = ""
        hole_offset = offset + 1 + m.start(1)
        try:
            node = template_hole.parse_string(
                m.group(1), parse_all=True)[0]
        except pp.ParseBaseException as e:
            raise pp.ParseFatalException(
                "", hole_offset, f"in the message, {{{m.group(1)}}} is not an expression"
            ) from e
        parts.append(_shift(node, hole_offset))
    parts.append(unquote('"' + literal + body[pos:] + '"'))
    return ast.make_template(Span(offset, offset + len(token)), [p for p in parts if p != ""])


def _shift(node, offset: int):
    """Move a node parsed from a fragment to its place in the whole file."""
    import attrs

    changes = {}
    for a in attrs.fields(type(node)):
        v = getattr(node, a.name)
        if isinstance(v, Span):
            changes[a.name] = Span(v.start + offset, v.end + offset)
        elif isinstance(v, tuple):
            changes[a.name] = tuple(_shift(x, offset) if attrs.has(type(x)) else x for x in v)
        elif attrs.has(type(v)):
            changes[a.name] = _shift(v, offset)
    return attrs.evolve(node, **changes)


# ---- entry points --------------------------------------------------------------------


def _syntax_error(e: pp.ParseBaseException, text: str, path: str) -> RuleSyntaxError:
    at = min(e.loc, len(text.rstrip()))  # "the end of the file" is the end of its last line
    loc = Loc(path, pp.lineno(at, text), pp.col(at, text))
    msg = e.msg
    if msg.startswith("Expected "):
        found = text[at:at + 20].split()[0] if text[at:].strip() else ""
        msg = "expected " + msg[len("Expected "):]
        msg += f", found '{found}'" if found else ", found the end of the file"
    return RuleSyntaxError(Diagnostic(msg, loc, text))


@contextlib.contextmanager
def _recursion_room(limit: int = 8000):
    """pyparsing descends through every precedence level for each parenthesis: with
    Python's default limit (1000), 12 nested parentheses were refused. Python-to-Python
    calls do not grow the C stack, so a higher limit while parsing is safe; 300 levels are
    still refused, cleanly ("nested too deeply")."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(before)


def parse_rules(text: str, path: str = "<rules>") -> ast.RuleFile:
    """Parse one rule file."""
    try:
        # with tabs kept: pyparsing would otherwise expand them, and spans would no
        # longer be offsets into `text`
        with _recursion_room():
            res = rule_file.parse_string(text, parse_all=True)
    except pp.ParseBaseException as e:
        raise _syntax_error(e, text, path) from None
    except RecursionError:
        raise RuleSyntaxError(Diagnostic("rules nested too deeply", Loc(path, 1, 1), text)) \
            from None
    for rule in res.rules:
        _check_depth(rule, text, path)
    section = unquote(res.section) if "section" in res else None
    title = unquote(res.title) if "title" in res else None
    return ast.make_rule_file(path, text, section, title, list(res.rules))


MAX_DEPTH = 100  # levels of expression inside expression; the shipped rules use at most 12


def _check_depth(node, text: str, path: str) -> None:
    """Refuse an expression nested deeper than MAX_DEPTH: the checker, the evaluator and
    the docs walk expressions recursively. A chain of 500 `or`s parses without recursion
    (pyparsing folds it), but is 500 levels deep."""
    stack = [(node, 0)]
    first = None  # the leftmost node too deep: where the reader should look
    while stack:
        n, depth = stack.pop()
        if depth > MAX_DEPTH:
            first = n.span.start if first is None else min(first, n.span.start)
            continue
        stack.extend((c, depth + 1) for c in ast.children(n))
    if first is not None:
        raise RuleSyntaxError(Diagnostic(
            f"expression nested more than {MAX_DEPTH} levels deep: split it with `let`",
            loc_at(path, text, first), text))


def parse_expression(text: str, path: str = "<expression>"):
    """Parse one expression (or selection), as in a `let` (tests use this)."""
    try:
        with _recursion_room():
            node = whole_expression.parse_string(text, parse_all=True)[0]
    except pp.ParseBaseException as e:
        raise _syntax_error(e, text, path) from None
    except RecursionError:
        raise RuleSyntaxError(Diagnostic("expression nested too deeply", Loc(path, 1, 1), text)) \
            from None
    _check_depth(node, text, path)
    return node
