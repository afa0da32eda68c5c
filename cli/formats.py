"""The names of each command's output formats, known without importing the reporters
(a check of a small file should not pay for importing every format); a test keeps them
equal to the reporters' own tables."""

CHECK = ("text", "json", "junit", "sarif", "github", "markdown")
AGGREGATE = ("text", "markdown", "json")
IMPACT = ("text", "json", "markdown")
TRACE = ("text", "markdown", "json")
DEADLINES = ("text", "json")
DOCS = ("html", "markdown")
