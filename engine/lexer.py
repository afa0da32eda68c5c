"""A Pygments lexer for the revmech rule language, for the docs' highlighted rule source.

Its keywords, built-in function names and token patterns come from `keywords`, which the
grammar uses too (and the built-ins check their names against), so the highlighting cannot
drift from the language. Registered as the Pygments lexer `revmech` (entry point
`pygments.lexers`), so any Pygments user imports it: it must not import the grammar.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (Comment, Keyword, Name, Number, Operator, Punctuation, String,
                            Text, Whitespace)

from .keywords import BUILTIN_NAMES, DATE_PATTERN, KEYWORDS, RULE_ID_PATTERN

# Keywords that open a clause of a rule (the rest are operators and values in expressions).
CLAUSE_KEYWORDS = ("rule", "chapter", "cites", "para", "text", "note", "for", "each", "let",
                   "when", "shall", "should", "may", "unless", "permitted", "otherwise",
                   "within", "after", "no", "later", "than", "before", "by")
CONSTANTS = ("true", "false", "nothing")
assert set(CLAUSE_KEYWORDS) <= set(KEYWORDS) and set(CONSTANTS) <= set(KEYWORDS)
WORD_OPERATORS = tuple(k for k in KEYWORDS if k not in CLAUSE_KEYWORDS + CONSTANTS)


class RevmechLexer(RegexLexer):
    """The revmech rule language (`rules/*.rules`)."""

    name = "revmech"
    aliases = ["revmech", "rules"]
    filenames = ["*.rules"]
    mimetypes = ["text/x-revmech"]

    tokens = {
        "root": [
            (r"[ \t\r\n]+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r"(rule|permitted by)(\s+)(" + RULE_ID_PATTERN + ")",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r'"', String.Double, "string"),
            (r"'(?:\\.|[^'\\])*'", String.Single),
            (DATE_PATTERN, Number.Other),  # a date
            (r"[0-9]+(?:\.[0-9]+)?", Number),
            (words(CLAUSE_KEYWORDS, suffix=r"(?![A-Za-z0-9_])"), Keyword),
            (words(CONSTANTS, suffix=r"(?![A-Za-z0-9_])"), Keyword.Constant),
            (words(WORD_OPERATORS, suffix=r"(?![A-Za-z0-9_])"), Operator.Word),
            (words(BUILTIN_NAMES, suffix=r"(?=\s*\()"), Name.Builtin),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
            (r"!=|<=|>=|[=<>+\-*/]", Operator),
            (r"[()\[\],.]", Punctuation),
            (r".", Text),
        ],
        "string": [  # a message or quoted passage; {holes} are expressions
            (r'\\.', String.Escape),
            (r"\{\{|\}\}", String.Escape),
            (r"\{[^{}\"]*\}", String.Interpol),
            (r'[^"\\{]+', String.Double),
            (r"\{", String.Double),
            (r'"', String.Double, "#pop"),
        ],
    }
