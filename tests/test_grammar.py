"""The grammar: source text -> AST shape, syntax errors rendered exactly, and source spans.

Shapes are written as nested tuples (see `sx`), so each table row reads like the tree:
`("or", "a", ("and", "b", "c"))` is `a or (b and c)`.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import pytest

from revmech.engine import ast
from revmech.engine.errors import RuleSyntaxError
from revmech.engine.grammar import KEYWORDS, parse_expression, parse_rules

# --------------------------------------------------------------------------------------
# shapes


def sx(node):
    """A compact, span-free shape of an AST node."""
    if node is None:
        return None
    if isinstance(node, ast.Num):
        return node.value
    if isinstance(node, ast.Bool):
        return node.value
    if type(node).__name__ == "Nothing":
        return ("nothing",)
    if isinstance(node, ast.Text):
        return ("text", node.value)
    if isinstance(node, ast.DateLit):
        return ("date", node.value.isoformat())
    if isinstance(node, ast.DurationLit):
        return ("duration", node.amount, node.unit)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attr):
        return (".", sx(node.obj), node.name)
    if isinstance(node, ast.Index):
        return ("[]", sx(node.obj), sx(node.key))
    if isinstance(node, ast.Unary):
        return (node.op, sx(node.operand))
    if isinstance(node, ast.Binary):
        return (node.op, sx(node.left), sx(node.right))
    if isinstance(node, ast.IsRecorded):
        return ("is not recorded" if node.negated else "is recorded", sx(node.operand))
    if isinstance(node, ast.If):
        return ("if", sx(node.cond), sx(node.then), sx(node.else_))
    if isinstance(node, ast.ListLit):
        return ("list",) + tuple(sx(x) for x in node.items)
    if isinstance(node, ast.Call):
        return ("call", node.func) + tuple(sx(a) for a in node.args)
    if isinstance(node, ast.Selection):
        return ("select", node.var, sx(node.source), sx(node.where), sx(node.projection))
    if isinstance(node, ast.Holds):
        return ("holds", sx(node.expr))
    if isinstance(node, ast.Deadline):
        return (node.kind, sx(node.fact), sx(node.duration), sx(node.anchor))
    if isinstance(node, ast.Unless):
        return ("permitted by", node.permission) if node.permission else ("unless", sx(node.expr))
    if isinstance(node, ast.Template):
        return tuple(p if isinstance(p, str) else sx(p) for p in node.parts)
    raise AssertionError(f"no shape for {node!r}")


def rule_shape(rule: ast.Rule) -> dict:
    return {
        "id": rule.id,
        "cites": rule.cites,
        "text": rule.text,
        "notes": rule.notes,
        "bindings": tuple((b.name, sx(b.source), sx(b.where)) for b in rule.bindings),
        "lets": tuple((let.name, sx(let.expr)) for let in rule.lets),
        "when": sx(rule.when),
        "modality": rule.modality,
        "assertion": sx(rule.assertion),
        "unless": sx(rule.unless),
        "message": sx(rule.message),
    }


DEFAULT = {
    "id": "r",
    "cites": ("para 1",),
    "text": None,
    "notes": (),
    "bindings": (),
    "lets": (),
    "when": None,
    "modality": "shall",
    "assertion": ("holds", True),
    "unless": None,
    "message": None,
}

CITES = "rule r\n  cites para 1\n"


def one_rule(src: str) -> ast.Rule:
    f = parse_rules(src, "t.rules")
    assert len(f.rules) == 1
    return f.rules[0]


# --------------------------------------------------------------------------------------
# rules: source -> shape (every field compared; unnamed fields have their DEFAULT)

RULES = [
    pytest.param("rule r\n  cites para 1\n  shall true\n", {}, id="minimal"),
    pytest.param("rule experts-cap-2\n  cites para 19\n  shall true",
                 {"id": "experts-cap-2", "cites": ("para 19",)},
                 id="dashed-id-no-final-newline"),
    pytest.param("rule r\n  cites para 19, para 53(b)\n  shall true\n",
                 {"cites": ("para 19", "para 53(b)")}, id="cites-several-paras"),
    pytest.param('rule r\n  cites para 8, "Appendix I, table 1, note b"\n  shall true\n',
                 {"cites": ("para 8", "Appendix I, table 1, note b")}, id="cites-quoted"),
    pytest.param('rule r\n  shall true\n', {"cites": ()}, id="no-cites-parses"),
    pytest.param('rule r\n  cites para 9\n  text "t"\n  cites para 8, "Appendix I"\n'
                 '  shall true\n',
                 {"cites": ("para 9", "para 8", "Appendix I"), "text": "t"},
                 id="several-cites-clauses-add-up"),
    pytest.param(CITES + '  text "Each State party shall ... appoint up to five\n'
                 '        governmental experts."\n  shall true\n',
                 {"text": "Each State party shall ... appoint up to five governmental experts."},
                 id="text-joined-across-lines"),
    pytest.param(CITES + '  text "a \\"quoted\\" word # not a comment"\n  shall true\n',
                 {"text": 'a "quoted" word # not a comment'}, id="text-escapes"),
    pytest.param(CITES + '  note "first"\n  note "second\n     reading"\n  shall true\n',
                 {"notes": ("first", "second reading")}, id="notes"),
    pytest.param('rule r\n  text "t"\n  note "n"\n  cites para 2\n  shall true\n',
                 {"cites": ("para 2",), "text": "t", "notes": ("n",)},
                 id="header-clauses-any-order"),
    pytest.param(CITES + "  for each review in reviews\n  shall true\n",
                 {"bindings": (("review", "reviews", None),)}, id="for-each"),
    pytest.param(
        CITES + '  for each state in states where state.kind = "state",\n'
        "      instrument in state.instruments,\n"
        "      phase in keys(phase_years) where phase >= 1\n  shall true\n",
        {"bindings": (
            ("state", "states", ("=", (".", "state", "kind"), ("text", "state"))),
            ("instrument", (".", "state", "instruments"), None),
            ("phase", ("call", "keys", "phase_years"), (">=", "phase", 1)),
        )}, id="for-each-several-bindings-with-where"),
    pytest.param(
        CITES + "  let a = 1\n  let b = a + 1\n  shall b = 2\n",
        {"lets": (("a", 1), ("b", ("+", "a", 1))), "assertion": ("holds", ("=", "b", 2))},
        id="lets"),
    pytest.param(
        CITES + "  let xs = each r in reviews where r.phase = 1\n  shall count(xs) = 0\n",
        {"lets": (("xs", ("select", "r", "reviews", ("=", (".", "r", "phase"), 1), None)),),
         "assertion": ("holds", ("=", ("call", "count", "xs"), 0))},
        id="let-each-selection"),
    pytest.param(
        CITES + "  let ids = r.id for each r in reviews\n  shall true\n",
        {"lets": (("ids", ("select", "r", "reviews", None, (".", "r", "id"))),)},
        id="let-projection"),
    pytest.param(
        CITES + "  let mine = experts where expert.state = s\n  shall true\n",
        {"lets": (("mine", ("select", None, "experts",
                            ("=", (".", "expert", "state"), "s"), None)),)},
        id="let-implicit-selection"),
    pytest.param(CITES + "  when x is recorded\n  shall true\n",
                 {"when": ("is recorded", "x")}, id="when"),
    pytest.param(CITES + "  should true\n", {"modality": "should"}, id="should"),
    pytest.param(CITES + "  may true\n", {"modality": "may"}, id="may"),
    pytest.param(
        CITES + "  shall review.saq.received within saq_period after review.draw.date\n",
        {"assertion": ("within", (".", (".", "review", "saq"), "received"), "saq_period",
                       (".", (".", "review", "draw"), "date"))},
        id="within-after"),
    pytest.param(
        CITES + "  shall ngo.confirmed no later than 10 days before briefing.date\n",
        {"assertion": ("no_later_than", (".", "ngo", "confirmed"), ("duration", 10, "day"),
                       (".", "briefing", "date"))},
        id="no-later-than-before"),
    pytest.param(
        CITES + "  shall finalized by phase_end(phase)\n",
        {"assertion": ("by", "finalized", None, ("call", "phase_end", "phase"))},
        id="by-date"),
    pytest.param(
        CITES + "  shall request.granted = true by request.date + access_period\n",
        {"assertion": ("by", ("=", (".", "request", "granted"), True), None,
                       ("+", (".", "request", "date"), "access_period"))},
        id="by-condition"),
    pytest.param(
        CITES + "  shall x within 3 months after y unless z\n",
        {"assertion": ("within", "x", ("duration", 3, "month"), "y"),
         "unless": ("unless", "z")},
        id="deadline-with-unless"),
    pytest.param(
        CITES + "  shall a <= b\n  unless review.draw.exceptional_circumstances\n",
        {"assertion": ("holds", ("<=", "a", "b")),
         "unless": ("unless", (".", (".", "review", "draw"), "exceptional_circumstances"))},
        id="unless-condition"),
    pytest.param(
        CITES + "  shall false\n  unless permitted by publish-own-report\n",
        {"assertion": ("holds", False), "unless": ("permitted by", "publish-own-report")},
        id="unless-permitted-by"),
    pytest.param(
        CITES + '  shall true\n  otherwise "{state} has appointed {appointed} experts;\n'
        '             the cap is {max_experts_per_instrument}"\n',
        {"message": ("state", " has appointed ", "appointed", " experts; the cap is ",
                     "max_experts_per_instrument")},
        id="otherwise-holes"),
    pytest.param(
        CITES + '  shall true\n  otherwise "braces {{literal}} and {count(xs) + 1}"\n',
        {"message": ("braces {literal} and ", ("+", ("call", "count", "xs"), 1))},
        id="otherwise-escaped-braces-and-expression-hole"),
    pytest.param(
        CITES + "  shall true\n  otherwise \"{if a then 'yes' else 'no'}!\"\n",
        {"message": (("if", "a", ("text", "yes"), ("text", "no")), "!")},
        id="otherwise-single-quotes-inside"),
    pytest.param(
        "# a comment before the rule\nrule r  # after the id\n  cites para 1  # trailing\n"
        "  # a whole line\n  shall true # after the assertion\n# after the rule\n",
        {}, id="comments-everywhere"),
    pytest.param(
        CITES + "  for each review in reviews where review.draw is recorded\n"
        "  let n = sum(values(review.draw.redraws))\n"
        "  when review.phase >= 1\n"
        "  should n <= max_redraw_requests\n"
        "  unless review.draw.exceptional_circumstances\n"
        '  otherwise "{review}: {n}"\n',
        {"bindings": (("review", "reviews",
                       ("is recorded", (".", "review", "draw"))),),
         "lets": (("n", ("call", "sum", ("call", "values",
                                        (".", (".", "review", "draw"), "redraws")))),),
         "when": (">=", (".", "review", "phase"), 1),
         "modality": "should",
         "assertion": ("holds", ("<=", "n", "max_redraw_requests")),
         "unless": ("unless", (".", (".", "review", "draw"), "exceptional_circumstances")),
         "message": ("review", ": ", "n")},
        id="every-clause"),
]


@pytest.mark.parametrize("src,fields", RULES)
def test_rule_shape(src, fields):
    assert rule_shape(one_rule(src)) == {**DEFAULT, **fields}


def test_rule_file_chapter_and_several_rules():
    f = parse_rules('chapter "IV.D" "Conduct of the country review"\n\n'
                    "rule a\n  cites para 1\n  shall true\n\n"
                    "rule b\n  cites para 2\n  should false\n", "x.rules")
    assert (f.path, f.section, f.title) == ("x.rules", "IV.D", "Conduct of the country review")
    assert [(r.id, r.modality, r.file) for r in f.rules] == [("a", "shall", "x.rules"),
                                                            ("b", "should", "x.rules")]
    assert [r.severity for r in f.rules] == ["error", "warning"]


def test_empty_and_comment_only_files():
    assert parse_rules("", "e.rules").rules == ()
    f = parse_rules("# nothing here\n\n   # still nothing\n", "e.rules")
    assert (f.rules, f.section, f.title) == ((), None, None)


def test_may_rule_severity_is_permission():
    assert one_rule(CITES + "  may true\n").severity == "permission"


def test_shipped_rule_files_parse():
    from pathlib import Path

    rules_dir = Path(__file__).resolve().parent.parent / "rules"
    paths = sorted(rules_dir.glob("*.rules"))
    assert paths
    for p in paths:
        f = parse_rules(p.read_text(encoding="utf-8"), str(p))
        assert f.rules, p


# --------------------------------------------------------------------------------------
# expressions: source -> shape

EXPRESSIONS = [
    # logic: or < and < not < comparison
    ("a or b and c", ("or", "a", ("and", "b", "c"))),
    ("a and b or c", ("or", ("and", "a", "b"), "c")),
    ("a or b or c", ("or", ("or", "a", "b"), "c")),
    ("not a and b", ("and", ("not", "a"), "b")),
    ("not not a", ("not", ("not", "a"))),
    ("not a = b", ("not", ("=", "a", "b"))),
    ("a = b or c != d", ("or", ("=", "a", "b"), ("!=", "c", "d"))),
    ("(a or b) and c", ("and", ("or", "a", "b"), "c")),
    # implies binds loosest
    ("a implies b or c", ("implies", "a", ("or", "b", "c"))),
    ("a and b implies c", ("implies", ("and", "a", "b"), "c")),
    # comparisons < set operators < + - < * /
    ("a < b + c", ("<", "a", ("+", "b", "c"))),
    ("a <= b", ("<=", "a", "b")),
    ("a >= b", (">=", "a", "b")),
    ("a > b", (">", "a", "b")),
    ("a + b * c", ("+", "a", ("*", "b", "c"))),
    ("a * b + c", ("+", ("*", "a", "b"), "c")),
    ("a - b - c", ("-", ("-", "a", "b"), "c")),
    ("a / b * c", ("*", ("/", "a", "b"), "c")),
    ("a * (b + c)", ("*", "a", ("+", "b", "c"))),
    ("-a * b", ("*", ("-", "a"), "b")),
    ("a - -b", ("-", "a", ("-", "b"))),
    ("a union b", ("union", "a", "b")),
    ("a union b minus c intersect d", ("intersect", ("minus", ("union", "a", "b"), "c"), "d")),
    ("a + b union c", ("union", ("+", "a", "b"), "c")),
    ("a union b = c", ("=", ("union", "a", "b"), "c")),
    ("x in a union b", ("in", "x", ("union", "a", "b"))),
    ("x not in a minus b", ("not in", "x", ("minus", "a", "b"))),
    ("a subset of b intersect c", ("subset of", "a", ("intersect", "b", "c"))),
    ("x in l and y not in l", ("and", ("in", "x", "l"), ("not in", "y", "l"))),
    ("a.b is recorded", ("is recorded", (".", "a", "b"))),
    ("a is not recorded or b", ("or", ("is not recorded", "a"), "b")),
    ("a + 1 is recorded", ("is recorded", ("+", "a", 1))),
    # if-then-else: the else branch takes the whole expression that follows
    ("if a then 1 else 2", ("if", "a", 1, 2)),
    ("if a then b else c or d", ("if", "a", "b", ("or", "c", "d"))),
    ("if a then if b then 1 else 2 else 3", ("if", "a", ("if", "b", 1, 2), 3)),
    ("(if a then 1 else 2) + 3", ("+", ("if", "a", 1, 2), 3)),
    # literals
    ("42", 42),
    ("1.5", Fraction(3, 2)),
    ("true", True),
    ("false", False),
    ("nothing", ("nothing",)),
    ("if a then nothing else 1", ("if", "a", ("nothing",), 1)),
    ("2021-03-10", ("date", "2021-03-10")),
    ("2024-02-29", ("date", "2024-02-29")),
    ("3 weeks", ("duration", 3, "week")),
    ("1 month", ("duration", 1, "month")),
    ("10 days", ("duration", 10, "day")),
    ("2 years", ("duration", 2, "year")),
    ("1 day", ("duration", 1, "day")),
    ("2021-03-10 + 3 months", ("+", ("date", "2021-03-10"), ("duration", 3, "month"))),
    ('"double"', ("text", "double")),
    ("'single'", ("text", "single")),
    (r'"say \"hi\""', ("text", 'say "hi"')),
    ('"# not a comment"', ("text", "# not a comment")),
    # lists
    ("[]", ("list",)),
    ("[1]", ("list", 1)),
    ("[1, 'x', 2021-01-01, 3 days]",
     ("list", 1, ("text", "x"), ("date", "2021-01-01"), ("duration", 3, "day"))),
    ("[a, [b, c]]", ("list", "a", ("list", "b", "c"))),
    # calls
    ("f()", ("call", "f")),
    ("f(a)", ("call", "f", "a")),
    ("f(a, b + 1)", ("call", "f", "a", ("+", "b", 1))),
    ("union(a)", ("call", "union", "a")),
    ("intersect(a)", ("call", "intersect", "a")),
    ("max(a, b).c", (".", ("call", "max", "a", "b"), "c")),
    # the three selection forms, as arguments
    ("count(each x in xs where x.a = 1)",
     ("call", "count", ("select", "x", "xs", ("=", (".", "x", "a"), 1), None))),
    ("count(each x in xs)", ("call", "count", ("select", "x", "xs", None, None))),
    ("sum(x.n for each x in xs where x.ok)",
     ("call", "sum", ("select", "x", "xs", (".", "x", "ok"), (".", "x", "n")))),
    ("union(clusters[i][c] for each c in workplan[p])",
     ("call", "union", ("select", "c", ("[]", "workplan", "p"), None,
                        ("[]", ("[]", "clusters", "i"), "c")))),
    ("count(experts where expert.state = state and expert.withdrawn is not recorded)",
     ("call", "count", ("select", None, "experts",
                        ("and", ("=", (".", "expert", "state"), "state"),
                         ("is not recorded", (".", "expert", "withdrawn"))), None))),
    ("count(a.b where c)", ("call", "count", ("select", None, (".", "a", "b"), "c", None))),
    ("f(a, each x in xs where x)",
     ("call", "f", "a", ("select", "x", "xs", "x", None))),
    # the three selection forms, at the top (as after `let x =`)
    ("each x in xs where x.a", ("select", "x", "xs", (".", "x", "a"), None)),
    ("x.a for each x in xs", ("select", "x", "xs", None, (".", "x", "a"))),
    ("xs where x.a", ("select", None, "xs", (".", "x", "a"), None)),
    ("each p in a union [b] where p not in c",
     ("select", "p", ("union", "a", ("list", "b")), ("not in", "p", "c"), None)),
    # attribute and index chains
    ("a.b.c", (".", (".", "a", "b"), "c")),
    ("a[b]", ("[]", "a", "b")),
    ('a.b["k"].c[d + 1]', ("[]", (".", ("[]", (".", "a", "b"), ("text", "k")), "c"),
                           ("+", "d", 1))),
    ("a[b][c]", ("[]", ("[]", "a", "b"), "c")),
    ("(a).b", (".", "a", "b")),
    ("[a, b][0]", ("[]", ("list", "a", "b"), 0)),
    ("a.if", (".", "a", "if")),  # a field may be spelled like a keyword
    # names that start with a keyword are names
    ("notes or inx and order", ("or", "notes", ("and", "inx", "order"))),
    ("rule_1 + by_2", ("+", "rule_1", "by_2")),
    # comments and line breaks
    ("a # the first\n  + b # the second\n", ("+", "a", "b")),
    ("a\n  and\n  b", ("and", "a", "b")),
]


@pytest.mark.parametrize("src,shape", EXPRESSIONS, ids=[s for s, _ in EXPRESSIONS])
def test_expression_shape(src, shape):
    assert sx(parse_expression(src)) == shape


def test_literal_values_have_python_types():
    assert parse_expression("2021-03-10").value == dt.date(2021, 3, 10)
    assert isinstance(parse_expression("7").value, int)
    assert parse_expression("0.25").value == Fraction(1, 4)


LITERAL_WORDS = ("true", "false", "nothing")


@pytest.mark.parametrize("word", [w for w in KEYWORDS if w not in LITERAL_WORDS])
def test_keywords_are_not_names(word):
    with pytest.raises(RuleSyntaxError):
        parse_expression(f"1 + {word}")
    with pytest.raises(RuleSyntaxError):
        parse_rules(f"{CITES}  let {word} = 1\n  shall true\n", "t.rules")


@pytest.mark.parametrize("word", ["true", "false"])
def test_true_and_false_are_literals(word):
    assert sx(parse_expression(f"1 + {word}")) == ("+", 1, word == "true")


# --------------------------------------------------------------------------------------
# syntax errors: the exact rendering (message line, source line, caret)


def rendered(kind: str, src: str) -> str:
    with pytest.raises(RuleSyntaxError) as info:
        if kind == "rules":
            parse_rules(src, "t.rules")
        else:
            parse_expression(src)
    assert len(info.value.diagnostics) == 1
    return info.value.render()


SYNTAX_ERRORS = [
    pytest.param(
        "rules", "rule\n",
        "t.rules:1:5: error: expected rule id (lower-case-with-dashes), found the end of "
        "the file\n    rule\n        ^",
        id="rule-without-id"),
    pytest.param(
        "rules", "rule Bad-Id\n  cites para 1\n  shall true\n",
        "t.rules:1:6: error: expected rule id (lower-case-with-dashes), found 'Bad-Id'\n"
        "    rule Bad-Id\n         ^",
        id="upper-case-rule-id"),
    pytest.param(
        "rules", "rules r\n",
        "t.rules:1:1: error: expected 'rule' or end of file, found 'rules'\n"
        "    rules r\n    ^",
        id="misspelt-rule-keyword"),
    pytest.param(
        "rules", CITES + "  must true\n",
        "t.rules:3:3: error: expected 'shall', 'should' or 'may', found 'must'\n"
        "      must true\n      ^",
        id="unknown-modality"),
    pytest.param(
        "rules", CITES + "  shall\n",
        "t.rules:3:8: error: expected an assertion, found the end of the file\n"
        "      shall\n           ^",
        id="empty-assertion"),
    pytest.param(
        "rules", CITES + "  cites para x\n  shall true\n",
        "t.rules:3:14: error: expected paragraph number, e.g. 19 or 53(b), found 'x'\n"
        "      cites para x\n                 ^",
        id="bad-paragraph"),
    pytest.param(
        "rules", "rule r\n  cites\n  shall true\n",
        "t.rules:3:3: error: expected citation (para N, or quoted text), found 'shall'\n"
        "      shall true\n      ^",
        id="cites-nothing"),
    pytest.param(
        "rules", CITES + "  text unquoted\n  shall true\n",
        "t.rules:3:8: error: expected quoted text, found 'unquoted'\n"
        "      text unquoted\n           ^",
        id="text-unquoted"),
    pytest.param(
        "rules", CITES + '  text "a"\n  note "n"\n  text "b"\n  shall true\n',
        "t.rules:5:8: error: a rule has one text clause: quote the passages it encodes in one "
        'text "..."\n      text "b"\n           ^',
        id="second-text-clause"),
    pytest.param(
        "rules", CITES + "  for x in y\n  shall true\n",
        "t.rules:3:7: error: expected 'each', found 'x'\n      for x in y\n          ^",
        id="for-without-each"),
    pytest.param(
        "rules", CITES + "  for each x in\n  shall true\n",
        "t.rules:4:3: error: expected a collection, found 'shall'\n      shall true\n      ^",
        id="binding-without-collection"),
    pytest.param(
        "rules", CITES + "  let = 3\n  shall true\n",
        "t.rules:3:7: error: expected a name, found '='\n      let = 3\n          ^",
        id="let-without-name"),
    pytest.param(
        "rules", CITES + "  let x 3\n  shall true\n",
        "t.rules:3:9: error: expected '=', found '3'\n      let x 3\n            ^",
        id="let-without-equals"),
    pytest.param(
        "rules", CITES + "  let if = 3\n  shall true\n",
        "t.rules:3:7: error: expected a name, found 'if'\n      let if = 3\n          ^",
        id="keyword-as-let-name"),
    pytest.param(
        "rules", CITES + "  shall a within 3 weeks\n",
        "t.rules:3:25: error: expected 'after', found the end of the file\n"
        "      shall a within 3 weeks\n                            ^",
        id="within-without-after"),
    pytest.param(
        "rules", CITES + "  shall a no later than 3 weeks\n",
        "t.rules:3:32: error: expected 'before', found the end of the file\n"
        "      shall a no later than 3 weeks\n                                   ^",
        id="no-later-than-without-before"),
    pytest.param(
        "rules", CITES + "  shall a by\n",
        "t.rules:3:13: error: expected a date, found the end of the file\n"
        "      shall a by\n                ^",
        id="by-without-date"),
    pytest.param(
        "rules", CITES + "  shall true\n  unless permitted by\n",
        "t.rules:4:22: error: expected rule id (lower-case-with-dashes), found the end of "
        "the file\n      unless permitted by\n                         ^",
        id="permitted-by-nothing"),
    pytest.param(
        "rules", CITES + "  shall x = 2021-02-30\n",
        "t.rules:3:13: error: no such date: 2021-02-30\n"
        "      shall x = 2021-02-30\n                ^",
        id="impossible-date"),
    pytest.param(
        "rules", CITES + "  shall 3 + * 4\n",
        "t.rules:3:13: error: expected a value, found '*'\n      shall 3 + * 4\n"
        "                ^",
        id="missing-operand"),
    pytest.param(
        "rules", CITES + "  shall a and\n",
        "t.rules:3:14: error: expected a condition, found the end of the file\n"
        "      shall a and\n                 ^",
        id="dangling-and"),
    pytest.param(
        "rules", CITES + "  shall (a and b\n",
        "t.rules:3:17: error: expected ')', found the end of the file\n"
        "      shall (a and b\n                    ^",
        id="unclosed-parenthesis"),
    pytest.param(
        "rules", CITES + "  shall [1, 2\n",
        "t.rules:3:14: error: expected ']', found the end of the file\n"
        "      shall [1, 2\n                 ^",
        id="unclosed-list"),
    pytest.param(
        "rules", CITES + "  shall f(a,)\n",
        "t.rules:3:13: error: expected an argument, found ')'\n      shall f(a,)\n"
        "                ^",
        id="trailing-comma-in-call"),
    pytest.param(
        "rules", CITES + "  shall if a then b\n",
        "t.rules:3:20: error: expected 'else', found the end of the file\n"
        "      shall if a then b\n                       ^",
        id="if-without-else"),
    pytest.param(
        "rules", CITES + "  shall a.\n",
        "t.rules:3:11: error: expected a field name, found the end of the file\n"
        "      shall a.\n              ^",
        id="dot-without-field"),
    pytest.param(
        "rules", CITES + "  shall a[1\n",
        "t.rules:3:12: error: expected ']', found the end of the file\n"
        "      shall a[1\n               ^",
        id="unclosed-index"),
    pytest.param(
        "rules", CITES + "  shall x is\n",
        "t.rules:3:13: error: expected 'recorded', found the end of the file\n"
        "      shall x is\n                ^",
        id="is-without-recorded"),
    pytest.param(
        "rules", CITES + "  shall a subset b\n",
        "t.rules:3:18: error: expected 'of', found 'b'\n      shall a subset b\n"
        "                     ^",
        id="subset-without-of"),
    pytest.param(
        "rules", CITES + "  shall count(each in y)\n",
        "t.rules:3:20: error: expected a name, found 'in'\n"
        "      shall count(each in y)\n                       ^",
        id="each-without-name"),
    pytest.param(
        "rules", CITES + '  shall true\n  otherwise "{x +}"\n',
        "t.rules:4:15: error: in the message, {x +} is not an expression\n"
        '      otherwise "{x +}"\n                  ^',
        id="bad-message-hole"),
    pytest.param(
        "rules", CITES + '  shall true\n  otherwise "unterminated\n',
        "t.rules:4:13: error: expected quoted text, found '\"unterminated'\n"
        '      otherwise "unterminated\n                ^',
        id="unterminated-message"),
    pytest.param(
        "rules", CITES + "  shall true\n garbage\n",
        "t.rules:4:2: error: expected 'rule' or end of file, found 'garbage'\n"
        "     garbage\n     ^",
        id="garbage-after-rule"),
    pytest.param(
        "rules", "rule r\n\tcites para 1\n\tshall x =\n",
        "t.rules:3:11: error: expected a value, found the end of the file\n"
        "     shall x =\n"
        "              ^",
        id="tab-indented"),
    pytest.param(
        "rules", 'chapter "I"\nrule r\n',
        "t.rules:2:1: error: expected quoted text, found 'rule'\n    rule r\n    ^",
        id="chapter-without-title"),
    pytest.param(
        "expr", "", "<expression>:1:1: error: expected an expression, found the end of the file",
        id="empty-expression"),
    pytest.param(
        "expr", "a b",
        "<expression>:1:3: error: expected end of text, found 'b'\n    a b\n      ^",
        id="two-values"),
    pytest.param(
        "expr", ")",
        "<expression>:1:1: error: expected an expression, found ')'\n    )\n    ^",
        id="lone-parenthesis"),
    pytest.param(
        "expr", "C where",
        "<expression>:1:8: error: expected a condition, found the end of the file\n"
        "    C where\n           ^",
        id="where-without-condition"),
    pytest.param(
        "expr", "x for each",
        "<expression>:1:11: error: expected a name, found the end of the file\n"
        "    x for each\n              ^",
        id="projection-without-name"),
    pytest.param(
        "expr", "a implies b implies c",
        "<expression>:1:13: error: expected end of text, found 'implies'\n"
        "    a implies b implies c\n                ^",
        id="implies-does-not-chain"),
]


@pytest.mark.parametrize("kind,src,expected", SYNTAX_ERRORS)
def test_syntax_error_rendering(kind, src, expected):
    assert rendered(kind, src) == expected


def test_syntax_error_is_located():
    with pytest.raises(RuleSyntaxError) as info:
        parse_rules(CITES + "  shall x = \n", "dir/file.rules")
    (d,) = info.value.diagnostics
    assert (d.loc.file, d.loc.line, d.loc.column) == ("dir/file.rules", 3, 12)
    assert d.message == "expected a value, found the end of the file"


def test_deep_nesting_is_a_syntax_error_not_a_crash():
    with pytest.raises(RuleSyntaxError):
        parse_expression("(" * 3000 + "a" + ")" * 3000)


# --------------------------------------------------------------------------------------
# spans: every node's span slices the source back to the node's own text


def nodes(node):
    """Every attrs node under `node` (expressions, clauses, templates), pre-order."""
    yield node
    for a in attrs.fields(type(node)):
        v = getattr(node, a.name)
        for x in (v if isinstance(v, tuple) else (v,)):
            if attrs.has(type(x)) and not isinstance(x, ast.Span):
                yield from nodes(x)


SPAN_EXPRESSIONS = [
    "a or b and not c = 1",
    "(a or b) and c",
    "x.y[z + 1].w is not recorded",
    "count(experts where expert.state = state and expert.instrument = i)",
    "sum(r.n for each r in rs where r.ok) + max(1, 2)",
    "if a then [1, 2] else []",
    "union(clusters[review.instrument][c] for each c in workplan[review.phase])",
    "each p in review.draw.reviewers union [review.state] where p not in agreed",
    "d + 3 months <= 2021-05-31 implies x",
    "a # comment\n  and b",
    "\ta\tand\t(b or\tc)",
]


@pytest.mark.parametrize("src", SPAN_EXPRESSIONS)
def test_expression_spans_reparse_to_the_same_shape(src):
    for node in nodes(parse_expression(src)):
        piece = src[node.span.start:node.span.end]
        assert piece == piece.strip(), (node, piece)
        if isinstance(node, ast.Name):  # (re-parsing every leaf would only be slow)
            assert piece == node.id
        else:
            assert sx(parse_expression(piece)) == sx(node), (node, piece)


def test_spans_slice_to_node_text():
    e = parse_expression("count(experts where expert.state = state) >= 1")
    assert isinstance(e, ast.Binary)
    call = e.left
    sel = call.args[0]
    src = "count(experts where expert.state = state) >= 1"
    cut = lambda sp: src[sp.start:sp.end]  # noqa: E731
    assert cut(e.span) == src
    assert cut(call.span) == "count(experts where expert.state = state)"
    assert cut(call.func_span) == "count"
    assert cut(sel.span) == "experts where expert.state = state"
    assert cut(sel.where.span) == "expert.state = state"
    assert cut(sel.where.left.name_span) == "state"
    assert cut(sel.where.left.obj.span) == "expert"


RULE_SRC = """\
# a header comment
rule saq-in-three-months
  cites para 26
  text "The State party under review shall provide the response within three months."
  for each review in reviews where review.draw is recorded,  # comment
      other in reviews
  let drawn = review.draw.date
  shall review.saq.received within saq_period after drawn
  unless permitted by some-permission
  otherwise "{review} answered on {review.saq.received}, due {due}"
"""


def test_rule_spans_slice_to_clause_text():
    f = parse_rules(RULE_SRC, "t.rules")
    (r,) = f.rules
    cut = lambda sp: RULE_SRC[sp.start:sp.end]  # noqa: E731
    assert cut(r.span).startswith("rule saq-in-three-months\n")
    assert cut(r.span).endswith('due {due}"')
    assert cut(r.id_span) == "saq-in-three-months"
    b0, b1 = r.bindings
    assert cut(b0.span) == "review in reviews where review.draw is recorded"
    assert cut(b0.name_span) == "review"
    assert cut(b1.span) == "other in reviews"
    (let,) = r.lets
    assert cut(let.span) == "let drawn = review.draw.date"
    assert cut(let.name_span) == "drawn"
    assert cut(let.expr.span) == "review.draw.date"
    a = r.assertion
    assert cut(a.span) == "review.saq.received within saq_period after drawn"
    assert (cut(a.fact.span), cut(a.duration.span), cut(a.anchor.span)) == (
        "review.saq.received", "saq_period", "drawn")
    assert cut(r.unless.span) == "unless permitted by some-permission"
    assert cut(r.message.span) == '"{review} answered on {review.saq.received}, due {due}"'
    holes = [p for p in r.message.parts if not isinstance(p, str)]
    assert [cut(h.span) for h in holes] == ["review", "review.saq.received", "due"]
    assert cut(holes[1].name_span) == "received"


# --------------------------------------------------------------------------------------
# the language reference keeps up with the grammar


def test_reference_lists_every_keyword_and_builtin():
    from pathlib import Path

    from revmech.engine.builtins import BUILTINS

    doc = (Path(__file__).resolve().parent.parent / "docs" / "grammar.md").read_text(
        encoding="utf-8")
    block = doc.split("* **Keywords**", 1)[1].split("```", 2)[1]
    assert sorted(block.split()) == sorted(KEYWORDS)
    for name in BUILTINS:
        assert f"`{name}(" in doc, f"docs/grammar.md does not describe {name}()"


def test_tabs_do_not_shift_spans():
    src = 'rule r\n\tcites para 1\n\tshall\tx = 1 and y\n\totherwise "{\tx} and {y}"\n'
    (r,) = parse_rules(src, "t.rules").rules
    cut = lambda sp: src[sp.start:sp.end]  # noqa: E731
    assert cut(r.span) == src.rstrip("\n")
    assert cut(r.assertion.expr.span) == "x = 1 and y"
    assert [cut(p.span) for p in r.message.parts if not isinstance(p, str)] == ["x", "y"]
    span = parse_expression("\t0").span
    assert "\t0"[span.start:span.end] == "0"


def test_forty_nested_parentheses_parse():
    """pyparsing descends through every precedence level per parenthesis: the parser
    gets room for it (with Python's default limit, 12 levels were refused)."""
    assert isinstance(parse_expression("(" * 40 + "as_of" + ")" * 40), ast.Name)
    with pytest.raises(RuleSyntaxError, match="nested too deeply"):
        parse_expression("(" * 300 + "as_of" + ")" * 300)


@pytest.mark.parametrize("text", ["١٢ > 3", "x > ١٢", "٢٠٢١-٠٣-١٠ < as_of"])
def test_digits_are_ascii(text):
    """`\\d` would take Arabic-Indic (and any Unicode) digits as numbers."""
    with pytest.raises(RuleSyntaxError):
        parse_expression(text)
