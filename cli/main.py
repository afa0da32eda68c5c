"""The `revmech` command line: parse options, call the engine, print, set the exit code.

Exit codes: 0 no failing finding at or above --fail-on; 1 some; 2 bad input or usage.
"""

from __future__ import annotations

import errno
import os
import re
import sys

import click

from revmech.engine.errors import RevmechError, UsageError

from . import formats
from .options import DateType, fail_input, use_color
from .output import emit

# Engine modules are imported inside the commands that use them: start-up is paid on every
# run, and a check should not import the case runner, the docs or the impact report.


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="revmech")
def main():
    """Rules-as-code for the UNTOC review mechanism."""


@main.command()
@click.argument("snapshots", nargs=-1, required=True, metavar="SNAPSHOT...")
@click.option("--as-of", type=DateType(), help="Judge the cycle as it stood on this date.")
@click.option("--format", "fmt", type=click.Choice(formats.CHECK), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", metavar="FILE",
              help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
              show_default=True, help="Exit 1 when a failing finding is at or above this.")
@click.option("--all", "keep_passed", is_flag=True, help="List passed findings too.")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
@click.option("-a", "--amendment", "amendments", multiple=True, metavar="AMENDMENT",
              help="Apply an amendment (repeatable; applied in order).")
@click.option("--waivers", metavar="FILE",
              help="Accepted findings (format revmech/waivers@1): reported as waived.")
@click.option("--aggregate", is_flag=True,
              help="Briefing summary: counts per paragraph and rule, no State named "
                   "(formats text, markdown, json).")
@click.option("--min-count", type=click.IntRange(min=1), default=3, show_default=True,
              help="With --aggregate: show counts below this as 'fewer than N'.")
@click.option("--docs-url", metavar="URL",
              help="With --format sarif: the absolute URL where the `revmech docs` site is "
                   "published, for each rule's help link.")
def check(snapshots, as_of, fmt, output, fail_on, keep_passed, rules_dir, amendments,
          waivers, aggregate, min_count, docs_url):
    """Check review-cycle snapshots against the rules."""
    from revmech.engine.check import check as run_check
    from revmech.engine.ruleset import load_ruleset
    try:
        if docs_url is not None and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", docs_url):
            raise UsageError.at(f"--docs-url: expected an absolute URL such as "
                                f"https://example.org/revmech/, got {docs_url!r}")
        if aggregate and fmt not in formats.AGGREGATE:
            raise UsageError.at(f"--aggregate: format '{fmt}' names States; use one of "
                                f"{', '.join(formats.AGGREGATE)}")
        ruleset = load_ruleset(rules_dir)
        amended = None
        if amendments:
            from revmech.engine.amendments import load_and_apply
            amended = load_and_apply(ruleset, amendments)
        report = run_check(ruleset, snapshots, as_of=as_of, keep_passed=keep_passed,
                           amended=amended, waivers=waivers)
        if aggregate:
            from revmech.engine.aggregate import aggregate as summarize
            from revmech.engine.reporters.aggregate import FORMATS as AGGREGATE_FORMATS
            out = AGGREGATE_FORMATS[fmt](summarize(report, min_count))
        else:
            from revmech.engine.reporters import FORMATS
            extra = {"docs_url": docs_url} if fmt == "sarif" else {}
            out = FORMATS[fmt](report, color=use_color() and fmt == "text"
                               and output in (None, "-"), **extra)
        emit(out, output)
    except RevmechError as e:
        fail_input(e)
    sys.exit(1 if report.failing_at(fail_on) else 0)


@main.command()
@click.argument("snapshots", nargs=-1, required=True, metavar="SNAPSHOT...")
@click.option("-a", "--amendment", "amendments", multiple=True, required=True,
              metavar="AMENDMENT", help="An amendment file (repeatable; applied in order).")
@click.option("--as-of", type=DateType(), help="Judge the cycles as they stood on this date.")
@click.option("--format", "fmt", type=click.Choice(formats.IMPACT), default="text",
              show_default=True, help="Output format.")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
def amend(snapshots, amendments, as_of, fmt, rules_dir):
    """What amendments would change: parameters, rules, and findings on real cycles.

    Exit 0 when it ran (the impact is information, not failure), 2 on bad input."""
    from revmech.engine.amendments import load_and_apply
    from revmech.engine.impact import impact
    from revmech.engine.reporters.impact import FORMATS as IMPACT_FORMATS
    from revmech.engine.ruleset import load_ruleset
    try:
        amended = load_and_apply(load_ruleset(rules_dir), amendments)
        out = IMPACT_FORMATS[fmt](impact(amended, snapshots, as_of=as_of))
    except RevmechError as e:
        fail_input(e)
    click.echo(out, nl=False)


@main.command()
@click.option("--rules", "rules_dir", type=click.Path(),
              help="Rule folder (default: shipped); its procedures.yaml, if any, is the "
                   "registry of paragraphs.")
@click.option("--format", "fmt", type=click.Choice(formats.TRACE), default="text",
              show_default=True, help="Output format.")
def trace(rules_dir, fmt):
    """Trace the draft's paragraphs to the rules that encode them.

    Lists every paragraph of the draft with the rules citing it, or the reason it is not
    encoded. Exit 1 when a paragraph is unaccounted for, a citation does not resolve, or a
    paragraph is both encoded and given a reason.
    """
    from revmech.engine.procedures import registry_for
    from revmech.engine.procedures import trace as run_trace
    from revmech.engine.reporters.trace import FORMATS as TRACE_FORMATS
    from revmech.engine.ruleset import load_ruleset
    try:
        registry = registry_for(rules_dir)
        result = run_trace(load_ruleset(rules_dir), registry)
        out = TRACE_FORMATS[fmt](result, color=use_color() and fmt == "text")
    except RevmechError as e:
        fail_input(e)
    click.echo(out, nl=False, color=True)
    sys.exit(0 if result.ok else 1)


@main.command("test")
@click.argument("folder", required=False, metavar="[DIR]", type=click.Path())
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
def run_tests(folder, rules_dir):
    """Run the rule cases under DIR and report each rule's coverage.

    DIR defaults to fixtures/cases in the current folder. Prints each failing case with
    what was missing and what was unexpected, then a table of the rules (holds: some case
    expects it passed or excepted; broken: some case expects it violated, late or
    overdue), then `N passed, M failed`. Exit 0 when every case passes and every rule has
    a holding and a failing case, 1 otherwise, 2 on bad input.
    """
    from revmech.engine.cases import default_cases_dir, run_cases
    from revmech.engine.ruleset import load_ruleset
    try:
        ruleset = load_ruleset(rules_dir)
        result = run_cases(folder if folder is not None else default_cases_dir(), ruleset)
    except RevmechError as e:
        fail_input(e)
    click.echo(result.render(), nl=False)
    sys.exit(0 if result.ok else 1)


from .docs import docs  # noqa: E402  (commands of their own modules)
from .draw import draw  # noqa: E402
from .inquire import deadlines, explain  # noqa: E402

main.add_command(deadlines)
main.add_command(docs)
main.add_command(draw)
main.add_command(explain)



_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def console() -> None:
    """The `revmech` program: `main`, then a hard exit once the output is flushed.

    Everything a command writes is written and closed before it returns; what is left is
    the interpreter freeing a checked cycle's objects one by one (~0.04 s on the
    real-size cycle, for nothing). `main` itself stays an ordinary click command, which
    the tests invoke in-process."""
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    except BrokenPipeError:  # the reader went away (`revmech check ... | head`)
        code = 120
    except OSError as e:  # the output cannot be written: a full disk, a failing device
        if e.errno not in _OUTPUT_ERRORS:
            raise
        try:
            print(f"error: cannot write the output: {e.strerror}", file=sys.stderr)
        except (OSError, ValueError, AttributeError):
            pass
        code = 2
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, exit status 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # None when the program was started with it closed
                stream.flush()
        except (OSError, ValueError):  # a closed pipe: what was not read is lost anyway
            code = code or 120
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
