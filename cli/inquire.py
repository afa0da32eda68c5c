"""`revmech deadlines` and `revmech explain`: what falls due, and why a rule decided."""

from __future__ import annotations

import click

from revmech.engine.errors import RevmechError

from . import formats
from .options import DateType, fail_input
from .output import emit


@click.command()
@click.argument("snapshot", metavar="SNAPSHOT")
@click.option("--as-of", type=DateType(), help="Judge the cycle as it stood on this date.")
@click.option("--within", "window", default="30d", show_default=True, metavar="PERIOD",
              help="The window ahead: 30d, 4w, 2m, 1y.")
@click.option("--format", "fmt", type=click.Choice(formats.DEADLINES), default="text",
              show_default=True, help="Output format.")
@click.option("--waivers", metavar="FILE", help="Accepted findings: left off the list.")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically).")
def deadlines(snapshot, as_of, window, fmt, waivers, rules_dir, output):
    """What is overdue, and what falls due within the window, in date order.

    Each deadline with its paragraph, the review (or other subject) and the due date.
    Exit 0 when it ran, 2 on bad input."""
    from revmech.engine.check import check as run_check
    from revmech.engine.deadlines import deadlines as find_deadlines
    from revmech.engine.deadlines import parse_window
    from revmech.engine.reporters.deadlines import FORMATS as DEADLINE_FORMATS
    from revmech.engine.ruleset import load_ruleset
    try:
        period = parse_window(window)
        report = run_check(load_ruleset(rules_dir), [snapshot], as_of=as_of, waivers=waivers)
        emit(DEADLINE_FORMATS[fmt](find_deadlines(report, period), period), output)
    except RevmechError as e:
        fail_input(e)


@click.command()
@click.argument("rule", metavar="RULE")
@click.argument("snapshot", metavar="SNAPSHOT")
@click.option("--subject", metavar="ID",
              help="Only this binding: its ids joined by '/' (as in the finding id), or one id.")
@click.option("--as-of", type=DateType(), help="Judge the cycle as it stood on this date.")
@click.option("-a", "--amendment", "amendments", multiple=True, metavar="AMENDMENT",
              help="Explain under the amended rules (repeatable; applied in order).")
@click.option("--waivers", metavar="FILE", help="Accepted findings: say which are waived.")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
def explain(rule, snapshot, subject, as_of, amendments, waivers, rules_dir):
    """Why RULE held, failed or was excepted on SNAPSHOT, in words.

    The rule's paragraph, modality and reading, then for each binding (or the one asked
    for) the decisive facts, the value of every part of the rule, the parameters used and
    the snapshot lines read. Exit 0 when it ran, 2 on bad input."""
    from revmech.engine.explain import explain as run_explain
    from revmech.engine.loader import compose, judge_at, snapshot_from_node
    from revmech.engine.reporters.explain import render_text as render_explanation
    from revmech.engine.ruleset import load_ruleset
    from revmech.engine.waivers import load_waivers
    try:
        ruleset = load_ruleset(rules_dir)
        amended = None
        if amendments:
            from revmech.engine.amendments import load_and_apply
            amended = load_and_apply(ruleset, amendments)
            ruleset = amended.ruleset
        accepted = load_waivers(waivers, ruleset.rules) if waivers else ()
        root, text = compose(snapshot)  # its text too: the lines the explanation quotes
        snap = snapshot_from_node(root, text, file=snapshot, phase_years=ruleset.phase_years)
        if as_of is not None:
            snap = judge_at(snap, as_of)
        rx = run_explain(ruleset, rule, snap, subject, waivers=accepted, amended=amended)
        click.echo(render_explanation(rx, {snapshot: text}), nl=False)
    except RevmechError as e:
        fail_input(e)
