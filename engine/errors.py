"""Errors as values: every problem revmech reports about its input has a location.

Rendered like a compiler's diagnostics::

    fixtures/cycle.yaml:41:5: error: unknown key 'nmae' in a State (did you mean 'name'?)
        nmae: Austria
        ^

The command line catches `RevmechError` (and only it), prints `render()` and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from .records import frozen

@frozen(order=True)
class Loc:
    """A position in a source file; line and column count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def loc_at(path: str, text: str, index: int) -> Loc:
    """The location of offset `index` in `text` (as pyparsing's lineno and col count)."""
    return Loc(path, text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index))


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to `name`, or None when none is close."""
    import difflib  # only when there is an error to explain

    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest candidate, or '' when none is close."""
    close = closest(name, candidates)
    return f" (did you mean '{close}'?)" if close else ""


def source_line(text: str | None, line: int) -> str | None:
    if text is None:
        return None
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else None


@frozen
class Diagnostic:
    """One located problem. `source` is the text of the file, when known, for the caret."""

    message: str
    loc: Loc | None
    source: str | None = attrs.field(default=None, repr=False, eq=False)
    severity: str = "error"

    def render(self) -> str:
        if self.loc is None:
            return f"{self.severity}: {self.message}"
        out = f"{self.loc}: {self.severity}: {self.message}"
        line = source_line(self.source, self.loc.line)
        if line is not None:
            shown = line.expandtabs(1)
            out += f"\n    {shown}\n    {' ' * (self.loc.column - 1)}^"
        return out


class RevmechError(Exception):
    """Bad input: one or more diagnostics. The only exception type revmech lets escape."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    @classmethod
    def at(cls, message: str, loc: Loc | None = None, source: str | None = None):
        return cls(Diagnostic(message, loc, source))

    @property
    def message(self) -> str:
        return self.diagnostics[0].message

    @property
    def loc(self) -> Loc | None:
        return self.diagnostics[0].loc

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class SnapshotError(RevmechError):
    """A snapshot, parameters, case or other YAML input is malformed or inconsistent."""


class RuleSyntaxError(RevmechError):
    """A rule file does not parse."""


class RuleCheckError(RevmechError):
    """A rule file parses but does not check: unknown names, type mismatches, duplicates."""


class UsageError(RevmechError):
    """The command line was given something unusable (a missing file, a bad date)."""
