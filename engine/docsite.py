"""The human-readable documentation of a rule set (`revmech docs`): a static site or the
same pages as Markdown, generated from the rules, the paragraph registry, the parameters,
the rule cases and the snapshot model, so that it cannot drift from what is checked.

`build(...)` returns the pages as {relative path: text}, in a fixed order; nothing is
written until every page is built. Pages are Jinja2 templates (package data under
engine/templates/{html,markdown}); HTML is autoescaped.
"""

from __future__ import annotations

import difflib
import re
from itertools import groupby

import attrs
import jinja2
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter

from . import ast, english
from .amendments import Amended, _written
from .builtins import BUILTINS
from .examples import excusing, parameters_used, worked_examples
from .findings import STATUSES
from .keywords import KEYWORDS
from .procedures import Registry, trace
from .reporters.common import esc
from .lexer import RevmechLexer
from .ruleset import RuleSet
from .schema_doc import INTRO as SNAPSHOT_INTRO
from .schema_doc import snapshot_rows
from .values import to_json

FORMATS = ("html", "markdown")
EXT = {"html": ".html", "markdown": ".md"}

# What each status means, for the language reference (design.md, "JSON report").
STATUS_MEANING = {
    "violated": "the rule does not hold",
    "late": "done, but after the due date",
    "overdue": "not done, and past the due date",
    "pending": "not yet due, or only judgeable at a later date",
    "excepted": "an exception or a permission applies",
    "waived": "a recorded waiver accepts it (a waivers file)",
    "passed": "the rule holds",
}
assert set(STATUS_MEANING) == set(STATUSES)

CLAUSES = (
    ("rule ID", "names the rule (lower-case words joined by dashes)"),
    ("cites para N, ...", "the paragraphs of the procedures it encodes"),
    ("text \"...\"", "the passage it encodes, quoted"),
    ("note \"...\"", "how the passage is read (repeatable)"),
    ("for each x in C where P, ...", "what it ranges over: one finding for each combination"),
    ("let name = E", "names a value (repeatable)"),
    ("when P", "the rule applies only when P holds"),
    ("shall | should | may", "the modality: must, should, may"),
    ("ASSERTION", "P; or F within D after A; F no later than D before A; F by DATE"),
    ("unless P | unless permitted by RULE", "an exception, or a permission that excuses"),
    ("otherwise \"...{E}...\"", "the finding's message, with values in braces"),
)


def anchor(pid: str) -> str:
    """`para 53(b)` -> `para-53b`; `Appendix I, table 1, note b` -> `appendix-i-table-1-note-b`."""
    return re.sub(r"[^a-z0-9]+", "-", pid.lower().replace("(", "").replace(")", "")).strip("-")


def show_value(value) -> str:
    """A parameter value as a reader sees it: a scalar as text, a list joined, a table as
    indented lines."""
    v = to_json(value)
    if isinstance(v, list) and all(not isinstance(x, (list, dict)) for x in v):
        return ", ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "\n".join(_table_lines(v, 0))
    return str(v)


def _table_lines(d: dict, depth: int) -> list[str]:
    out = []
    for k, v in d.items():
        if isinstance(v, dict):
            out.append("  " * depth + f"{k}:")
            out.extend(_table_lines(v, depth + 1))
        else:
            shown = ", ".join(str(x) for x in v) if isinstance(v, list) else str(v)
            out.append("  " * depth + f"{k}: {shown}")
    return out


@attrs.frozen
class RuleDoc:
    rule: object
    chapter: tuple
    source: str
    english: list
    params: tuple
    examples: tuple
    excuses: tuple[str, ...]  # for a permission: the rules it excuses
    change: object | None  # the amendment's RuleChange, when amended


def _redline(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """(mark, line) pairs: ' ' kept, '-' removed, '+' added."""
    lines = difflib.ndiff((before or "").splitlines(), (after or "").splitlines())
    return [(ln[0], ln[2:]) for ln in lines if ln[:1] in " -+"]


def _environment(fmt: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("revmech.engine", f"templates/{fmt}"),
        autoescape=fmt == "html", trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["anchor"] = anchor
    env.filters["md"] = esc
    env.filters["mdlinks"] = _md_links
    env.filters["mdcell"] = _md_cell
    return env


def _md_cell(text: str) -> str:
    """A value of several lines (a table) in one Markdown table cell: lines joined by
    <br>, their indentation kept."""
    return "<br>".join("&nbsp;" * (len(ln) - len(ln.lstrip())) + esc(ln)
                       for ln in str(text).split("\n"))


def _md_links(text: str) -> Markup:
    """Markdown links `[T](#a)` (in the snapshot model's type names) as HTML links."""
    escaped = str(Markup.escape(text))
    return Markup(re.sub(r"\[([^\]]+)\]\((#[a-z0-9-]+)\)", r'<a href="\2">\1</a>', escaped))


def build(ruleset: RuleSet, registry: Registry, fmt: str = "html",
          amended: Amended | None = None, cases_dir: str | None = None,
          examples: bool = True) -> dict[str, str]:
    """Every page of the documentation, {relative path: text}. The worked examples come
    from the rule cases under `cases_dir` (default: the shipped ones); none when
    `examples` is false."""
    base = ruleset
    if amended is not None:
        ruleset = amended.ruleset
    ext = EXT[fmt]
    changes = {c.id: c for c in amended.rules} if amended is not None else {}
    param_changes = {c.name: c for c in amended.parameters} if amended is not None else {}
    worked = worked_examples(ruleset, cases_dir, case_ruleset=base) if examples else {}
    tr = trace(ruleset, registry)
    formatter = HtmlFormatter(cssclass="highlight", nowrap=False)
    lexer = RevmechLexer()

    docs = []
    for rule in ruleset.rules:
        source = _written(rule, ruleset.sources)
        shown = Markup(highlight(source, lexer, formatter)) if fmt == "html" else source
        docs.append(RuleDoc(rule, ruleset.chapter_of(rule), shown,
                            english.explain(rule, ruleset.params),
                            parameters_used(rule, ruleset.params), worked.get(rule.id, ()),
                            excusing(ruleset, rule.id) if rule.modality == "may" else (),
                            changes.get(rule.id)))
    chapters: list[tuple[tuple, list[RuleDoc]]] = [
        (chapter, list(group)) for chapter, group in groupby(docs, key=lambda d: d.chapter)]
    used_by: dict[str, list[str]] = {}
    for d in docs:
        for p in d.params:
            used_by.setdefault(p, []).append(d.rule.id)

    common = dict(
        ext=ext, chapters=chapters, registry=registry, params=ruleset.params,
        show_value=show_value, modality=ast.MODALITY,
        modality_meaning=english.MODALITY_MEANING, amended=amended, changes=changes,
        param_changes=param_changes, title="Rules of the UNTOC review mechanism")
    env = _environment(fmt)
    pages: dict[str, str] = {}

    def render(path: str, template: str, **context) -> None:
        root = "../" * path.count("/")
        pages[path] = env.get_template(template).render(root=root, page=path, **common,
                                                        **context)

    redlines = ({c.id: _redline(c.before, c.after) for c in amended.rules}
                if amended is not None else {})
    render(f"index{ext}", "index.j2", trace=tr)
    for d in docs:
        render(f"rules/{d.rule.id}{ext}", "rule.j2", d=d,
               redline=redlines[d.rule.id] if d.change else None)
    render(f"parameters{ext}", "parameters.j2", used_by=used_by)
    render(f"trace{ext}", "trace.j2", trace=tr, sections=_sections(tr))
    render(f"language{ext}", "language.j2", keywords=KEYWORDS, clauses=CLAUSES,
           binary=english.BINARY, date_binary=english.DATE_BINARY, unary=english.UNARY,
           builtins=BUILTINS, calls=english.CALLS, statuses=STATUS_MEANING)
    render(f"snapshot{ext}", "snapshot.j2", intro=SNAPSHOT_INTRO, classes=snapshot_rows())
    if amended is not None:
        render(f"amendments{ext}", "amendments.j2", redlines=redlines)
    if fmt == "html":
        pages["style.css"] = _stylesheet(env, formatter)
    else:
        pages = {path: _tidy_markdown(text) for path, text in pages.items()}
    return dict(sorted(pages.items()))


def _tidy_markdown(text: str) -> str:
    """At most one blank line in a row outside code blocks (templates leave some)."""
    out: list[str] = []
    fenced = False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def _sections(tr) -> list[tuple[str, list]]:
    return [(section, list(group))
            for section, group in groupby(tr.entries, key=lambda e: e.paragraph.section)]


def _stylesheet(env: jinja2.Environment, formatter: HtmlFormatter) -> str:
    """The site's stylesheet, from the HTML environment (its CSS is not to be escaped)."""
    return env.get_template("style.css").render(
        pygments=Markup(formatter.get_style_defs(".highlight")))
