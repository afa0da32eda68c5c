"""A rule set: the rule files of one folder (by default the shipped `revmech.rules`) and
their parameters, parsed, checked and compiled once, in the order of the procedures.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

import attrs

from . import ast, cache
from .checker import check_rule_list, check_rules
from .errors import UsageError
from .evaluator import CompiledRule, compile_rule
from .loader import read_text
from .parameters import Parameter, load_parameters, phase_years
from .records import frozen

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
         "X": 10}


def section_key(section: str | None):
    """Order of the draft's sections: I < ... < IV.A < IV.B < ... < IX < Appendix I < II."""
    if not section:
        return (999, "")
    m = re.match(r"Appendix\s+([IVX]+)", section)
    if m:
        return (100 + ROMAN.get(m.group(1), 0), "")
    m = re.match(r"([IVX]+)(?:\.([A-Z]))?", section)
    if m:
        return (ROMAN.get(m.group(1), 50), m.group(2) or "")
    return (500, section)


@frozen
class RuleSet:
    files: tuple[ast.RuleFile, ...]  # the base rule files, as parsed
    rules: tuple[ast.Rule, ...]  # checked, in order
    params: dict[str, Parameter] = attrs.field(eq=False)
    compiled: tuple[CompiledRule, ...] = attrs.field(eq=False)
    amendments: tuple
    raw: tuple[ast.Rule, ...]  # as parsed, in order: what amendments start from
    sources: dict[str, str] = attrs.field(eq=False)  # rule file -> its text
    chapters: dict[str, tuple[str | None, str | None]] = attrs.field(eq=False)

    @property
    def phase_years(self) -> dict[int, tuple[int, int]]:
        return phase_years(self.params)

    def chapter_of(self, rule: ast.Rule) -> tuple[str | None, str | None]:
        return self.chapters.get(rule.id, (None, None))

    def source_of(self, rule: ast.Rule) -> str:
        """The rule as written (its text in its file)."""
        return self.sources[rule.file][rule.span.start:rule.span.end]

    def rule(self, rule_id: str) -> ast.Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def build_ruleset(texts: Iterable[tuple[str, str]], params_text: str,
                  params_path: str) -> RuleSet:
    """Parse, check and compile rule files given as (path, text); the parsed and checked
    rules come from the cache (`cache`) when these texts were built before."""
    texts = list(texts)
    params = load_parameters(params_text, params_path)

    def parse_and_check() -> tuple[tuple[ast.RuleFile, ...], tuple[ast.Rule, ...]]:
        from .grammar import parse_rules  # pyparsing is only needed on a cache miss

        files = sorted((parse_rules(text, path) for path, text in texts),
                       key=lambda f: (section_key(f.section), f.path))
        return tuple(files), tuple(check_rules(files, params))

    parts = [params_path, params_text, *(s for path, text in texts for s in (path, text))]
    files, checked = cache.memo("ruleset", parts, parse_and_check)
    chapters = {r.id: (f.section, f.title) for f in files for r in f.rules}
    return assemble(files, [r for f in files for r in f.rules],
                    {f.path: f.source for f in files}, params, chapters, checked=checked)


def assemble(files, raw: list[ast.Rule], sources: dict[str, str],
             params: dict[str, Parameter], chapters: dict, amendments: tuple = (),
             checked: Sequence[ast.Rule] | None = None) -> RuleSet:
    """Check (unless `checked` is given) and compile rules (in order) against parameters."""
    if checked is None:
        checked = check_rule_list(raw, sources, params)
    permissions: dict[str, CompiledRule] = {}
    # permissions first, so that rules citing them can call them
    order = sorted(range(len(checked)), key=lambda i: checked[i].modality != "may")
    by_index: dict[int, CompiledRule] = {}
    for i in order:
        r = checked[i]
        cr = compile_rule(r, i, sources[r.file], params, permissions)
        by_index[i] = cr
        if r.modality == "may":
            permissions[r.id] = cr
    compiled = [by_index[i] for i in range(len(checked))]
    return RuleSet(tuple(files), tuple(checked), params, tuple(compiled), tuple(amendments),
                   tuple(raw), dict(sources), dict(chapters))


def load_ruleset(rules_dir: str | None = None) -> RuleSet:
    """The shipped rules, or those of `rules_dir` (with its parameters.yaml if it has one)."""
    packaged = packaged_rules()
    if rules_dir is None:
        texts = [(f"rules/{n}", _read(os.path.join(packaged, n)))
                 for n in sorted(os.listdir(packaged)) if n.endswith(".rules")]
        return build_ruleset(texts, _read(os.path.join(packaged, "parameters.yaml")),
                             "rules/parameters.yaml")
    if not os.path.isdir(rules_dir):
        raise UsageError.at(f"--rules {rules_dir}: not a folder")
    names = sorted(n for n in os.listdir(rules_dir) if n.endswith(".rules"))
    texts = [(path, read_text(path, "a rule file"))
             for path in (os.path.join(rules_dir, n) for n in names)]
    own = os.path.join(rules_dir, "parameters.yaml")
    if os.path.exists(own):
        return build_ruleset(texts, read_text(own, "a parameters file"), own)
    return build_ruleset(texts, _read(os.path.join(packaged, "parameters.yaml")),
                         "rules/parameters.yaml")


def packaged_rules() -> str:
    """The folder of the shipped rules. The package's own folder rather than
    importlib.resources, whose import (pathlib, zipfile, tempfile) costs every run ~10 ms;
    revmech is installed as files, never run from a zip."""
    import revmech.rules

    return os.path.dirname(os.path.abspath(revmech.rules.__file__))


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()
