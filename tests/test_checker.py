"""The static check: exact rendered diagnostics (`file:line:col: error: ...`, the source
line, a caret) for each kind of problem, all problems of a file reported in order, and
what a clean check gives back."""

from __future__ import annotations

from pathlib import Path

import pytest

from revmech.engine import ast
from revmech.engine.checker import check_rules
from revmech.engine.errors import RevmechError, RuleCheckError
from revmech.engine.grammar import parse_rules
from revmech.engine.parameters import load_parameters
from revmech.engine.ruleset import build_ruleset

ROOT = Path(__file__).resolve().parent.parent
PARAMS_TEXT = (ROOT / "rules" / "parameters.yaml").read_text(encoding="utf-8")
PARAMS = load_parameters(PARAMS_TEXT, "rules/parameters.yaml")

H = "rule r\n  cites para 1\n"


def check(*texts: str) -> list:
    files = [parse_rules(t, f"f{i}.rules") for i, t in enumerate(texts)]
    return check_rules(files, PARAMS)


def rendered(*texts: str) -> str:
    with pytest.raises(RuleCheckError) as info:
        check(*texts)
    return info.value.render()


CASES = [
    pytest.param(
        [H + "  for each state in states\n  shall stat = 1\n"],
        "f0.rules:4:9: error: unknown name 'stat' (did you mean 'state'?)\n"
        "      shall stat = 1\n"
        "            ^",
        id="unknown-name-did-you-mean"),
    pytest.param(
        [H + "  shall coutn = 1\n"],
        "f0.rules:3:9: error: unknown name 'coutn'\n"
        "      shall coutn = 1\n"
        "            ^",
        id="unknown-name-nothing-close"),
    pytest.param(
        [H + "  shall count = 1\n"],
        "f0.rules:3:9: error: unknown name 'count' (count is a function: write count(...))\n"
        "      shall count = 1\n"
        "            ^",
        id="function-used-as-name"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.consultation is recorded\n"],
        "f0.rules:4:16: error: a Review has no field 'consultation' (did you mean "
        "'consultations'?)\n"
        "      shall review.consultation is recorded\n"
        "                   ^",
        id="unknown-field-did-you-mean"),
    pytest.param(
        [H + "  for each state in states\n  shall state.regional = 'WEOG'\n"],
        "f0.rules:4:15: error: a State has no field 'regional' (did you mean "
        "'regional_group'?)\n"
        "      shall state.regional = 'WEOG'\n"
        "                  ^",
        id="unknown-field-of-state"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.draw.reviewers.id = 1\n"],
        "f0.rules:4:31: error: a list of States has no field 'id'; to look at each item, "
        "write: each x in ... where x.id\n"
        "      shall review.draw.reviewers.id = 1\n"
        "                                  ^",
        id="field-of-a-list"),
    pytest.param(
        [H + "  for each state in states\n  shall state.instruments.convention is recorded\n"],
        "f0.rules:4:27: error: a table from texts to Treaties has no field 'convention'\n"
        "      shall state.instruments.convention is recorded\n"
        "                              ^",
        id="field-of-a-table"),
    pytest.param(
        [H + "  for each review in reviews\n  shall cuont(reviews) = 1\n"],
        "f0.rules:4:9: error: unknown function 'cuont' (did you mean 'count'?)\n"
        "      shall cuont(reviews) = 1\n"
        "            ^",
        id="unknown-function"),
    pytest.param(
        [H + "  shall count(reviews) <= max_expert_per_instrument\n"],
        "f0.rules:3:27: error: unknown name 'max_expert_per_instrument' (did you mean "
        "'max_experts_per_instrument'?)\n"
        "      shall count(reviews) <= max_expert_per_instrument\n"
        "                              ^",
        id="unknown-parameter"),
    pytest.param(
        [H + "  for each review in reviews where review.draw is recorded\n"
         "  shall review.draw.date < 3\n"],
        "f0.rules:4:9: error: '<' compares two numbers or two dates, not a date and a "
        "number\n"
        "      shall review.draw.date < 3\n"
        "            ^",
        id="date-less-than-number"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.draw.date = 3\n"],
        "f0.rules:4:9: error: cannot compare a date with a number\n"
        "      shall review.draw.date = 3\n"
        "            ^",
        id="date-equals-number"),
    pytest.param(
        [H + "  shall 1 and true\n"],
        "f0.rules:3:9: error: each side of 'and' must be a boolean, but this is a number\n"
        "      shall 1 and true\n"
        "            ^",
        id="and-on-a-number"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.phase - true = 1\n"],
        "f0.rules:4:24: error: '-' needs numbers (or a date - a duration), got a boolean\n"
        "      shall review.phase - true = 1\n"
        "                           ^",
        id="minus-on-a-boolean"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.draw.date * 2 = 1\n"],
        "f0.rules:4:9: error: '*' needs numbers, got a date\n"
        "      shall review.draw.date * 2 = 1\n"
        "            ^",
        id="times-on-a-date"),
    pytest.param(
        [H + "  shall 1 + 1\n"],
        "f0.rules:3:9: error: what 'shall' asserts must be a boolean, but this is a number\n"
        "      shall 1 + 1\n"
        "            ^",
        id="assertion-not-boolean"),
    pytest.param(
        [H + "  for each review in reviews\n"
         "  shall review.phase within 3 weeks after review.draw.date\n"],
        "f0.rules:4:9: error: a deadline is about the date something was done; this is a "
        "number\n"
        "      shall review.phase within 3 weeks after review.draw.date\n"
        "            ^",
        id="deadline-on-a-number"),
    pytest.param(
        [H + "  for each review in reviews\n"
         "  shall review.saq.received within 3 after review.draw.date\n"],
        "f0.rules:4:36: error: the period of a deadline must be a duration, but this is a "
        "number\n"
        "      shall review.saq.received within 3 after review.draw.date\n"
        "                                       ^",
        id="deadline-period-not-duration"),
    pytest.param(
        [H + "  for each review in reviews\n"
         "  shall review.saq.received within 3 weeks after 5\n"],
        "f0.rules:4:50: error: the date a deadline counts from must be a date, but this is "
        "a number\n"
        "      shall review.saq.received within 3 weeks after 5\n"
        "                                                     ^",
        id="deadline-anchor-not-date"),
    pytest.param(
        [H + "  shall count(reviews) by as_of\n"],
        "f0.rules:3:9: error: before 'by' comes a date (when it was done) or a condition "
        "(what must hold by then), not a number\n"
        "      shall count(reviews) by as_of\n"
        "            ^",
        id="by-on-a-number"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.phase[1] = 1\n"],
        "f0.rules:4:9: error: only a table can be looked up by key; this is a number\n"
        "      shall review.phase[1] = 1\n"
        "            ^",
        id="index-into-non-table"),
    pytest.param(
        [H + "  shall clusters[1] = clusters[2]\n"],
        "f0.rules:3:18: error: the keys of this table are texts, but the key given is a "
        "number\n"
        "      shall clusters[1] = clusters[2]\n"
        "                     ^",
        id="index-with-wrong-key-type"),
    pytest.param(
        [H + "  for each review in reviews\n  shall 'convention' in review.state\n"],
        "f0.rules:4:25: error: 'in' needs a list on its right, got a State\n"
        "      shall 'convention' in review.state\n"
        "                            ^",
        id="in-on-a-non-list"),
    pytest.param(
        [H + "  for each review in reviews\n  shall review.articles union [1] = []\n"],
        "f0.rules:4:9: error: cannot combine a list of texts with a list of numbers\n"
        "      shall review.articles union [1] = []\n"
        "            ^",
        id="union-of-different-lists"),
    pytest.param(
        [H + "  for each review in reviews\n  shall sum(review.articles) = 1\n"],
        "f0.rules:4:9: error: the items of sum() must be a number, got a text\n"
        "      shall sum(review.articles) = 1\n"
        "            ^",
        id="sum-of-texts"),
    pytest.param(
        [H + "  for each review in reviews\n  shall if true then 1 else 'a'\n"],
        "f0.rules:4:9: error: 'then' gives a number but 'else' gives a text\n"
        "      shall if true then 1 else 'a'\n"
        "            ^",
        id="if-branches-differ"),
    pytest.param(
        [H + "  shall count(as_of where x) = 1\n"],
        "f0.rules:3:15: error: cannot range over a date\n"
        "      shall count(as_of where x) = 1\n"
        "                  ^",
        id="selection-over-a-date"),
    pytest.param(
        [H + "  shall true\n", "rule r\n  cites para 2\n  shall true\n"],
        "f1.rules:1:6: error: duplicate rule id 'r' (first defined at f0.rules:1:6)\n"
        "    rule r\n"
        "         ^",
        id="duplicate-id-across-files"),
    pytest.param(
        [H + "  for each expert in experts\n"
         "  shall count(experts where expert.state = expert.state) = 1\n"],
        "f0.rules:4:15: error: the items of 'experts' would be called 'expert', which is "
        "already bound here; name them: each other in experts where ...\n"
        "      shall count(experts where expert.state = expert.state) = 1\n"
        "                  ^",
        id="implicit-element-name-already-bound"),
    pytest.param(
        [H + "  for each review in reviews\n"
         "  shall count(review.draw.reviewers where reviewer = review.state) = 0\n"
         "  otherwise \"{count(reviews where review.phase = 1)}\"\n"],
        "f0.rules:5:21: error: the items of 'reviews' would be called 'review', which is "
        "already bound here; name them: each other in reviews where ...\n"
        "      otherwise \"{count(reviews where review.phase = 1)}\"\n"
        "                        ^",
        id="implicit-name-bound-in-message"),
    pytest.param(
        [H + "  shall count(3 + 4 where x) = 1\n"],
        "f0.rules:3:15: error: cannot range over a number\n"
        "      shall count(3 + 4 where x) = 1\n"
        "                  ^",
        id="selection-over-a-number"),
    pytest.param(
        ["rule publish-own-report\n  cites para 38\n  may true\n\n"
         + H + "  shall false\n  unless permitted by publish-own-reprot\n"],
        "f0.rules:8:23: error: unknown permission 'publish-own-reprot' (did you mean "
        "'publish-own-report'?)\n"
        "      unless permitted by publish-own-reprot\n"
        "                          ^",
        id="unknown-permission"),
    pytest.param(
        ["rule p\n  cites para 1\n  shall true\n\n"
         + H + "  shall false\n  unless permitted by p\n"],
        "f0.rules:8:23: error: 'p' is not a permission: it says 'shall'; only a 'may' rule "
        "can permit\n"
        "      unless permitted by p\n"
        "                          ^",
        id="permitted-by-a-non-permission"),
    pytest.param(
        ["rule p\n  cites para 1\n  for each review in reviews, release in review.report.releases\n"
         "  may true\n\n"
         + H + "  for each review in reviews\n  shall false\n  unless permitted by p\n"],
        "f0.rules:10:3: error: permission 'p' ranges over 'release', which 'r' does not "
        "bind\n"
        "      unless permitted by p\n"
        "      ^",
        id="permission-binds-more"),
    pytest.param(
        ["rule r\n  shall true\n"],
        "f0.rules:1:6: error: rule 'r' cites no paragraph (add: cites para N)\n"
        "    rule r\n"
        "         ^",
        id="no-cites"),
    pytest.param(
        [H + "  may true\n  otherwise \"x\"\n"],
        "f0.rules:1:6: error: 'r' is a permission ('may'): it produces no finding, so it "
        "takes no 'unless' or 'otherwise'; other rules use it with 'unless permitted by r'\n"
        "    rule r\n"
        "         ^",
        id="may-with-otherwise"),
    pytest.param(
        [H + "  may true\n  unless false\n"],
        "f0.rules:1:6: error: 'r' is a permission ('may'): it produces no finding, so it "
        "takes no 'unless' or 'otherwise'; other rules use it with 'unless permitted by r'\n"
        "    rule r\n"
        "         ^",
        id="may-with-unless"),
    pytest.param(
        [H + "  let saq_period = 1\n  shall true\n"],
        "f0.rules:3:7: error: 'saq_period' is a parameter; choose another name\n"
        "      let saq_period = 1\n"
        "          ^",
        id="let-rebinds-parameter"),
    pytest.param(
        [H + "  for each max_redraw_requests in reviews\n  shall true\n"],
        "f0.rules:3:12: error: 'max_redraw_requests' is a parameter; choose another name\n"
        "      for each max_redraw_requests in reviews\n"
        "               ^",
        id="binding-rebinds-parameter"),
    pytest.param(
        [H + "  shall count(each working_languages in reviews) = 0\n"],
        "f0.rules:3:20: error: 'working_languages' is a parameter; choose another name\n"
        "      shall count(each working_languages in reviews) = 0\n"
        "                       ^",
        id="selection-rebinds-parameter"),
    pytest.param(
        [H + "  for each reviews in reviews\n  shall true\n"],
        "f0.rules:3:12: error: 'reviews' is a snapshot collection; choose another name\n"
        "      for each reviews in reviews\n"
        "               ^",
        id="binding-rebinds-collection"),
    pytest.param(
        [H + "  let as_of = 1\n  shall true\n"],
        "f0.rules:3:7: error: 'as_of' is a built-in value; choose another name\n"
        "      let as_of = 1\n"
        "          ^",
        id="let-rebinds-as-of"),
    pytest.param(
        [H + "  for each review in reviews\n  let review = 1\n  shall true\n"],
        "f0.rules:4:7: error: 'review' is already bound here; choose another name\n"
        "      let review = 1\n"
        "          ^",
        id="let-rebinds-binding"),
    pytest.param(
        [H + "  for each review in reviews\n  when count(reviews)\n  shall true\n"],
        "f0.rules:4:8: error: the condition after 'when' must be a boolean, but this is a "
        "number\n"
        "      when count(reviews)\n"
        "           ^",
        id="when-not-boolean"),
    pytest.param(
        [H + "  for each review in reviews\n  shall true\n  unless 3\n"],
        "f0.rules:5:10: error: the condition after 'unless' must be a boolean, but this is "
        "a number\n"
        "      unless 3\n"
        "             ^",
        id="unless-not-boolean"),
    pytest.param(
        [H + "  for each review in reviews\n  shall true\n"
         "  otherwise \"{reviw} is due {due} ({status})\"\n"],
        "f0.rules:5:15: error: unknown name 'reviw' (did you mean 'review'?)\n"
        "      otherwise \"{reviw} is due {due} ({status})\"\n"
        "                  ^",
        id="unknown-name-in-message"),
]


@pytest.mark.parametrize("texts,expected", CASES)
def test_check_error_rendering(texts, expected):
    assert rendered(*texts) == expected


def test_several_problems_in_one_file_are_all_reported_in_order():
    src = (
        "rule a\n"                                            # 1
        "  cites para 1\n"                                    # 2
        "  for each review in reviews\n"                      # 3
        "  let n = count(review.nope)\n"                      # 4
        "  when review.phase > 2021-01-01\n"                  # 5
        "  shall review.draw.date within 3 weeks after 1\n"  # 6
        "  unless permitted by nothing-here\n"                # 7
        "  otherwise \"{reviw}\"\n"                           # 8
        "\n"
        "rule b\n"                                            # 10
        "  may x\n"                                           # 11
        "  otherwise \"{y}\"\n"                               # 12
    )
    assert rendered(src) == "\n".join([
        "f0.rules:4:24: error: a Review has no field 'nope'",
        "      let n = count(review.nope)",
        "                           ^",
        "f0.rules:5:8: error: '>' compares two numbers or two dates, not a number and a date",
        "      when review.phase > 2021-01-01",
        "           ^",
        "f0.rules:6:47: error: the date a deadline counts from must be a date, but this is "
        "a number",
        "      shall review.draw.date within 3 weeks after 1",
        "                                                  ^",
        "f0.rules:7:23: error: unknown permission 'nothing-here'",
        "      unless permitted by nothing-here",
        "                          ^",
        "f0.rules:8:15: error: unknown name 'reviw' (did you mean 'review'?)",
        '      otherwise "{reviw}"',
        "                  ^",
        "f0.rules:10:6: error: rule 'b' cites no paragraph (add: cites para N)",
        "    rule b",
        "         ^",
        "f0.rules:10:6: error: 'b' is a permission ('may'): it produces no finding, so it "
        "takes no 'unless' or 'otherwise'; other rules use it with 'unless permitted by b'",
        "    rule b",
        "         ^",
        "f0.rules:11:7: error: unknown name 'x'",
        "      may x",
        "          ^",
        "f0.rules:12:15: error: unknown name 'y'",
        '      otherwise "{y}"',
        "                  ^",
    ])


def test_problems_are_sorted_by_position_not_by_discovery():
    # the may-with-otherwise problem is found after the assertion's, but sits earlier
    src = H + "  may foo\n  otherwise \"x\"\n"
    with pytest.raises(RuleCheckError) as info:
        check(src)
    assert [(d.loc.line, d.loc.column) for d in info.value.diagnostics] == [(1, 6), (3, 7)]
    assert info.value.render() == (
        "f0.rules:1:6: error: 'r' is a permission ('may'): it produces no finding, so it "
        "takes no 'unless' or 'otherwise'; other rules use it with 'unless permitted by r'\n"
        "    rule r\n"
        "         ^\n"
        "f0.rules:3:7: error: unknown name 'foo'\n"
        "      may foo\n"
        "          ^")


def test_problems_of_several_files_sorted_by_file_then_position():
    a = H + "  shall b1 = 1\n\nrule s\n  cites para 2\n  shall a1 = 1\n"
    b = "rule t\n  cites para 3\n  shall c1 = 1\n"
    with pytest.raises(RuleCheckError) as info:
        check(b, a)  # given in this order: f0 is b, f1 is a
    assert [str(d.loc) for d in info.value.diagnostics] == [
        "f0.rules:3:9", "f1.rules:3:9", "f1.rules:7:9"]


def test_one_problem_per_clause_then_the_next_clause():
    with pytest.raises(RuleCheckError) as info:
        check(H + "  for each s in states\n  let a = s.nme\n  let b = s.kind * 2\n"
              "  shall zz\n")
    assert [d.message for d in info.value.diagnostics] == [
        "a State has no field 'nme' (did you mean 'name'?)",
        "'*' needs numbers, got a text",
        "unknown name 'zz'",
    ]


def test_check_errors_are_revmech_errors_with_locations():
    with pytest.raises(RevmechError) as info:
        check(H + "  shall nope\n")
    assert isinstance(info.value, RuleCheckError)
    assert info.value.message == "unknown name 'nope'"
    assert str(info.value.loc) == "f0.rules:3:9"


# --------------------------------------------------------------------------------------
# what a clean check returns


def test_implicit_selection_gets_its_element_name():
    (r,) = check(H + "  for each state in states\n"
                 "  let n = count(experts where expert.state = state)\n"
                 "  let m = count(state.instruments where instrument = 'convention')\n"
                 "  shall n >= 0 and m >= 0\n")
    sel_n = r.lets[0].expr.args[0]
    sel_m = r.lets[1].expr.args[0]
    assert isinstance(sel_n, ast.Selection) and sel_n.var == "expert"
    assert isinstance(sel_m, ast.Selection) and sel_m.var == "instrument"


def test_by_on_a_condition_becomes_holds_by():
    (r,) = check(H + "  shall count(reviews) >= 1 by 2024-12-31\n")
    assert r.assertion.kind == "holds_by"
    (r,) = check(H + "  for each review in reviews\n  shall review.draw.date by 2024-12-31\n")
    assert r.assertion.kind == "by"


def test_permission_may_bind_fewer_names_than_the_rule():
    rules = check("rule p\n  cites para 1\n  for each review in reviews\n  may true\n\n"
                  "rule q\n  cites para 2\n  for each review in reviews, d in review.disclosures\n"
                  "  shall false\n  unless permitted by p\n")
    assert [r.id for r in rules] == ["p", "q"]


def test_name_ids_compare_with_objects_and_labels():
    check(H + "  for each review in reviews, d in review.disclosures\n"
          "  shall d.by = review.state or d.to = 'public' or d.by = 'AUT'\n")


def test_shipped_rules_check():
    texts = [(f"rules/{p.name}", p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "rules").glob("*.rules"))]
    rs = build_ruleset(texts, PARAMS_TEXT, "rules/parameters.yaml")
    assert len(rs.rules) == len(rs.compiled) >= 10
    assert len({r.id for r in rs.rules}) == len(rs.rules)
