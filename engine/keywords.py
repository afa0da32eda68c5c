"""The words and token patterns of the revmech rule language, shared by the grammar and the
Pygments lexer.

No imports: the lexer is a Pygments entry point, imported by any Pygments user, and must not
pay for building the grammar (pyparsing) or the built-ins.
"""

KEYWORDS = """rule chapter cites para text note for each in where let when shall should may
    unless permitted by otherwise and or not implies if then else is recorded within after
    no later than before true false nothing union intersect minus subset of""".split()

# The names of the built-in functions (`builtins.BUILTINS` asserts it has exactly these).
BUILTIN_NAMES = ("count", "any", "all", "none", "distinct", "first", "sum", "min", "max",
                 "union", "keys", "values", "confirmed", "ceil", "floor", "first_recorded",
                 "phase_start", "phase_end", "year_start", "year_end", "phase_of_year",
                 "mechanism_year")

RULE_ID_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"  # lower-case-with-dashes
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9-])"  # YYYY-MM-DD, not part of a longer number
