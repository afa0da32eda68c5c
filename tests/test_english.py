"""The plain-English renderer: every AST node type reads, pinned phrases, whole rules."""

from __future__ import annotations

import typing

import attrs
import pytest

from revmech.engine import ast
from revmech.engine.english import (BINARY, CALLS, Clause, Reader, explain, plain)
from revmech.engine.grammar import parse_expression, parse_rules
from revmech.engine.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="module")
def reader(ruleset):
    return Reader(ruleset.params, lets=("appointed",))


EXPR_TYPES = typing.get_args(ast.Expr)

# (expression, how it reads): at least one row for every expression node type
PHRASES = [
    ("5", "5"),  # Num
    ("0.5", "0.5"),
    ('"state"', "“state”"),  # Text
    ("true", "true"),  # Bool
    ("2021-03-01", "1 March 2021"),  # DateLit
    ("3 weeks", "3 weeks"),  # DurationLit
    ("1 month", "1 month"),
    ("nothing", "nothing (not recorded)"),  # Nothing
    ("review", "the review"),  # Name
    ("r", "r"),
    ("as_of", "the date judged"),
    ("appointed", "‘appointed’"),
    ("max_experts_per_instrument", "the max experts per instrument (5)"),
    ("review.draw.date", "the date of the draw of the review"),  # Attr
    ("state.instruments[instrument]",  # Index
     "the entry for the instrument in the instruments of the state"),
    ("-amount", "minus the amount"),  # Unary
    ("not review.voluntary", "it is not so that the voluntary of the review"),
    ("appointed <= max_experts_per_instrument",  # Binary
     "‘appointed’ is at most the max experts per instrument (5)"),
    ("review.draw.date < as_of", "the date of the draw of the review is before the date judged"),
    ("a = 1 and b = 2", "both a is 1 and b is 2"),
    ("a = 1 or b = 2 or c = 3", "at least one of these holds: a is 1; b is 2; c is 3"),
    ("a implies b", "if a, then b"),
    ("x not in xs", "x is not one of the xs"),
    ("xs subset of ys", "every item of the xs is one of the ys"),
    ("xs minus ys minus zs", "those of the xs that are in none of: the ys; the zs"),
    ("review.draw.date + consultation_period",
     "the consultation period (3 weeks) after the date of the draw of the review"),
    ("review.draw is not recorded", "the draw of the review is not recorded"),  # IsRecorded
    ("if a then 1 else 2", "1 if a, otherwise 2"),  # If
    ("[1, 2, 3]", "the list of 1, 2 and 3"),  # ListLit
    ("[]", "an empty list"),
    ("count(experts where expert.state = state)",  # Call, Selection (implicit)
     "the number of the experts where the state of the expert is the state"),
    ("count(each s in states where s.kind = \"state\")",  # Selection (named)
     "the number of the states (each called s) where the kind of s is “state”"),
    ("min(r.report.finalized for each r in reviews)",  # Selection (projection)
     "the earliest of the date the report of r was finalized, for each r in the reviews"),
    ("release.by", "the party behind the release"),
    ("expert.withdrawn is recorded", "the date the expert was withdrawn is recorded"),
    ("max(a, b)", "the largest of a, b"),
    ("phase_end(review.phase)", "the last day of the phase of the review"),
    ("phase_start(2)", "the first day of phase 2"),
    ("phase_end(review.phase + 1)", "the last day of phase (the phase of the review plus 1)"),
    ("first_recorded(review.draw.reviewers, [])",
     "the reviewers of the draw of the review (or, when that is not recorded, an empty list)"),
    ("confirmed(visit.agreed)", "the agreed of the visit is recorded as true"),
]


@pytest.mark.parametrize("source,expected", PHRASES, ids=[p[0] for p in PHRASES])
def test_phrase(reader, source, expected):
    assert reader.phrase(parse_expression(source)) == expected


def test_every_expression_node_type_has_a_reading_and_a_pinned_phrase(reader):
    covered = set()
    for source, _ in PHRASES:
        covered.update(type(n) for n in ast.walk(parse_expression(source)))
    assert covered >= set(EXPR_TYPES)
    for t in EXPR_TYPES:
        assert hasattr(Reader, "_" + t.__name__.lower()), t


def test_unknown_node_is_an_error_not_silence(reader):
    @attrs.frozen
    class Strange:
        span: ast.Span

    with pytest.raises(TypeError, match="no English reading for Strange"):
        reader.phrase(Strange(ast.Span(0, 0)))


def test_every_operator_and_function_has_a_reading():
    from revmech.engine.builtins import BUILTINS

    assert set(CALLS) == set(BUILTINS)
    assert {"=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "in", "not in", "subset of",
            "union", "intersect", "minus", "and", "or", "implies"} == set(BINARY)


RULE = '''
rule deadline-demo
  cites para 23
  for each review in reviews where review.draw is recorded
  let due = review.draw.date + consultation_period
  when review.phase >= 1
  should review.consultations.date within consultation_period after review.draw.date
  unless review.state.regional_group is not recorded
  otherwise "{review} consulted late, due {due}"
'''


def test_explain_a_whole_rule(ruleset):
    rule = parse_rules(RULE, "demo.rules").rules[0]
    assert plain(explain(rule, ruleset.params)) == "\n".join([
        "For each review in the reviews, where the draw of the review is recorded:",
        "Let ‘due’ be the consultation period (3 weeks) after the date of the draw of the "
        "review.",
        "The rule applies only when",
        "- the phase of the review is at least 1",
        "The date of the consultations of the review should fall within the consultation "
        "period (3 weeks) after the date of the draw of the review.",
        "Unless",
        "- the regional group of the state of the review is not recorded",
        "When it does not hold, the finding says: “[the review] consulted late, due "
        "[‘due’]”",
    ])


@pytest.mark.parametrize("assertion,expected", [
    ("shall x by 2020-01-01", "It must hold by 1 January 2020 that"),
    ("may x = 1", "The permission applies (and excuses) when"),
    ("shall review.draw.date no later than 3 days before as_of",
     "The date of the draw of the review must fall no later than 3 days before the date "
     "judged."),
    ("shall review.draw.date by 2020-01-01",
     "The date of the draw of the review must fall on or before 1 January 2020."),
    ("shall a and (b or c)", "It must hold that"),
    ("should false", "It should never happen: each case the rule applies to is a breach."),
])
def test_assertions(ruleset, assertion, expected):
    text = f"rule demo\n  for each x in xs, a in as, b in bs, c in cs\n  {assertion}\n"
    clauses = explain(parse_rules(text).rules[0], ruleset.params)
    assert clauses[1].text == expected


def test_nested_conditions_become_nested_lists(ruleset):
    rule = parse_rules("rule demo\n  shall a and (b or c)\n").rules[0]
    assert explain(rule, ruleset.params)[-1] == Clause("It must hold that", (
        Clause("all of these:", (Clause("a"), Clause("at least one of these:", (
            Clause("b"), Clause("c"))))),))


def test_permission_exception(ruleset):
    rule = ruleset.rule("report-confidential")
    assert "Unless the permission publish-own-report applies." in plain(
        explain(rule, ruleset.params))


def test_every_shipped_rule_reads(ruleset):
    for rule in ruleset.rules:
        text = plain(explain(rule, ruleset.params))
        assert MODAL[rule.modality] in text, rule.id


MODAL = {"shall": " must ", "should": " should ", "may": "The permission applies"}


def test_a_date_valued_let_reads_as_a_date(ruleset):
    rule = parse_rules("rule demo\n  for each r in reviews\n  let drawn = r.draw.date\n"
                       "  let late = drawn + 3 weeks\n"
                       "  shall late by as_of\n  otherwise \"{late} {drawn}\"\n").rules[0]
    clauses = explain(rule, ruleset.params)
    assert clauses[3].text == "‘late’ must fall on or before the date judged."
    # asked again, the answer is the same (the reading is worked out once)
    assert explain(rule, ruleset.params)[3].text == clauses[3].text


# ---- properties: whatever parses reads in English, and lexes -------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from revmech.engine.errors import RevmechError  # noqa: E402
from revmech.engine.lexer import RevmechLexer  # noqa: E402
from test_properties import mutated_rules, share, shipped, token_soup  # noqa: E402  (shared)


@share(1 / 6)  # whole rule files: costly to parse
@given(mutated_rules())
def test_every_mutated_rule_file_that_parses_reads_in_english_and_lexes(text):
    rule_reads_and_lexes(text)


@given(token_soup.map(lambda s: "rule r\n  shall " + s))
def test_every_rule_that_parses_reads_in_english_and_lexes(text):
    rule_reads_and_lexes(text)


def rule_reads_and_lexes(text: str) -> None:
    toks = list(RevmechLexer().get_tokens(text))
    assert "".join(v for _, v in toks) == text + ("" if text.endswith("\n") else "\n")
    try:
        parsed = parse_rules(text)
    except RevmechError:
        return
    params = shipped().params
    for rule in parsed.rules:
        assert plain(explain(rule, params))


@given(token_soup)
def test_every_expression_that_parses_reads(text):
    try:
        node = parse_expression(text)
    except RevmechError:
        return
    assert Reader({}).phrase(node)
