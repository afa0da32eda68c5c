"""`revmech draw`: the drawing of lots for reviewers (paras 18, 20, 21), a repetition on
request, or whether any valid draw exists."""

from __future__ import annotations

import sys

import click

from revmech.engine.errors import RevmechError, UsageError

from .options import fail_input

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.command()
@click.argument("snapshot", metavar="SNAPSHOT")
@click.option("--phase", type=int, help="Review phase.")
@click.option("--instrument", help="convention, trafficking, smuggling or firearms.")
@click.option("--year", type=int, help="Mechanism year whose reviews are drawn.")
@click.option("--seed", help="The seed of the lots (any text); the same seed gives the "
                             "same draw.")
@click.option("--date", "date", type=DATE, help="Date of the drawing (default: as_of).")
@click.option("-a", "--amendment", "amendments", multiple=True, metavar="AMENDMENT",
              help="Apply an amendment (repeatable; applied in order).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Write the snapshot with the draws recorded to this file.")
@click.option("--repeat", "repeat", metavar="REVIEW",
              help="Repeat the drawing for this review (para 20).")
@click.option("--requested-by", metavar="STATE", help="The State requesting the repetition.")
@click.option("--exceptional", is_flag=True,
              help="Record exceptional circumstances for a repetition beyond the limit.")
@click.option("--feasible", is_flag=True,
              help="Say, for every instrument and phase, whether a valid draw exists.")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
def draw(snapshot, phase, instrument, year, seed, date, amendments, out, repeat,
         requested_by, exceptional, feasible, rules_dir):
    """Draw reviewers by lot, repeat a lot on request, or prove no valid draw exists.

    Exit 0 when the lots were drawn (or every phase is feasible); 1 when no valid draw
    exists or a repetition is refused; 2 on bad input or usage.
    """
    date = date.date() if date is not None else None
    # imported here: every other command would pay for networkx at start-up otherwise
    from revmech.engine.amendments import load_and_apply
    from revmech.engine.draw import NoValidDraw, Refused, draw_year, repeat_draw
    from revmech.engine.feasibility import feasibility
    from revmech.engine.loader import compose, snapshot_from_node
    from revmech.engine.reporters import transcript as report
    from revmech.engine.ruleset import load_ruleset
    from revmech.engine.snapshot_edit import record, write_snapshot
    try:
        ruleset = load_ruleset(rules_dir)
        if amendments:
            ruleset = load_and_apply(ruleset, amendments).ruleset
        _check_options(phase, instrument, year, seed, out, repeat, requested_by,
                       exceptional, feasible)
        root, text = compose(snapshot)
        snap = snapshot_from_node(root, text, file=snapshot, phase_years=ruleset.phase_years)
        if feasible:
            results = feasibility(snap, ruleset.params, ruleset.phase_years, date)
            click.echo(report.verdicts(results), nl=False)
            sys.exit(0 if all(v.feasible for v in results) else 1)
        if repeat is not None:
            outcome = repeat_draw(snap, ruleset.params, ruleset.phase_years,
                                  review_id=repeat, requested_by=requested_by, seed=seed,
                                  exceptional=exceptional, date=date)
        else:
            outcome = draw_year(snap, ruleset.params, ruleset.phase_years,
                                instrument=instrument, phase=phase, year=year, seed=seed,
                                date=date)
        if out is not None:
            meetings = {r.id: r.draw.meeting for r in snap.reviews if r.draw is not None}
            write_snapshot(out, record(text, root, outcome.draws, meetings, outcome.as_of),
                           ruleset.phase_years)
    except RevmechError as e:
        fail_input(e)
    except NoValidDraw as e:
        click.echo(report.certificate(e.what, e.certificate), nl=False)
        sys.exit(1)
    except Refused as e:
        click.echo(str(e), err=True)
        sys.exit(1)
    click.echo(report.transcript(outcome), nl=False)


def _check_options(phase, instrument, year, seed, out, repeat, requested_by, exceptional,
                   feasible):
    if feasible:
        extra = [name for name, v in (("--phase", phase), ("--instrument", instrument),
                                      ("--year", year), ("--seed", seed), ("--out", out),
                                      ("--repeat", repeat), ("--requested-by", requested_by))
                 if v is not None] + (["--exceptional"] if exceptional else [])
        if extra:
            raise UsageError.at(f"--feasible takes only SNAPSHOT, --date, -a and --rules, "
                                f"not {', '.join(extra)}")
        return
    if repeat is not None:
        extra = [n for n, v in (("--phase", phase), ("--instrument", instrument),
                                ("--year", year)) if v is not None]
        if extra:
            raise UsageError.at(f"--repeat takes the phase, instrument and year of its "
                                f"review, not {', '.join(extra)}")
        missing = [n for n, v in (("--requested-by", requested_by), ("--seed", seed))
                   if v is None]
    else:
        if requested_by is not None or exceptional:
            raise UsageError.at("--requested-by and --exceptional go with --repeat REVIEW")
        missing = [n for n, v in (("--phase", phase), ("--instrument", instrument),
                                  ("--year", year), ("--seed", seed)) if v is None]
    if missing:
        raise UsageError.at(f"missing {', '.join(missing)}")
