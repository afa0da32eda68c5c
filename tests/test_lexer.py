"""The Pygments lexer of the rule language."""

from __future__ import annotations

import glob
import os

import pytest
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from revmech.engine.grammar import KEYWORDS
from revmech.engine.lexer import RevmechLexer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tokens(text):
    return [(t, v) for t, v in RevmechLexer().get_tokens(text) if v.strip()]


def test_every_shipped_rule_file_lexes_without_errors_and_round_trips():
    for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.rules"))):
        text = open(path, encoding="utf-8").read()
        toks = list(RevmechLexer().get_tokens(text))
        assert not [v for t, v in toks if t in Error], path
        assert "".join(v for _, v in toks) == text, path


@pytest.mark.parametrize("word", KEYWORDS)
def test_every_keyword_of_the_grammar_is_highlighted_as_one(word):
    (t, v), = tokens(word)
    assert v == word and (t in Keyword or t in Operator.Word), (word, t)


def test_token_kinds():
    text = ('rule experts-cap  # a comment\n  cites para 19\n'
            '  shall count(xs) <= 5 by 2020-01-01\n  unless permitted by other-rule\n'
            '  otherwise "{state} has {n}"\n')
    got = tokens(text)
    assert (Name.Function, "experts-cap") in got
    assert (Comment.Single, "# a comment") in got
    assert (Name.Builtin, "count") in got
    assert (Number.Other, "2020-01-01") in got
    assert (Number.Integer, "5") in got or (Number, "5") in got
    assert (Name.Function, "other-rule") in got
    assert (String.Interpol, "{state}") in got
    assert (Operator, "<=") in got
    # a name that begins with a keyword is a name
    assert tokens("notes") == [(Name, "notes")]


def test_registered_with_pygments():
    assert isinstance(get_lexer_by_name("revmech"), RevmechLexer)
    assert isinstance(get_lexer_for_filename("conduct.rules"), RevmechLexer)
