"""`revmech docs`: write the human-readable documentation of the rules (engine/docsite.py)."""

from __future__ import annotations

import os

import click

from revmech.engine.errors import RevmechError, UsageError

from . import formats
from .options import fail_input


def write_pages(out: str, pages: dict[str, str]) -> None:
    """Write every page under `out` (created if needed); a folder that cannot be written is
    a usage error. The pages are all built before this is called."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError.at(f"--out {out}: exists and is not a folder")
    try:
        for path, text in pages.items():
            target = os.path.join(out, *path.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    except OSError as e:
        raise UsageError.at(f"cannot write the documentation to {out}: "
                            f"{e.strerror or e}") from None


@click.command()
@click.option("--out", "out", required=True, type=click.Path(), metavar="DIR",
              help="The folder to write to (created if needed).")
@click.option("--format", "fmt", type=click.Choice(formats.DOCS), default="html",
              show_default=True, help="A static site (entry page DIR/index.html) or Markdown.")
@click.option("-a", "--amendment", "amendments", multiple=True, metavar="AMENDMENT",
              help="Document the rules as amended (repeatable; applied in order).")
@click.option("--rules", "rules_dir", type=click.Path(), help="Rule folder (default: shipped).")
@click.option("--cases", "cases_dir", type=click.Path(), metavar="DIR",
              help="The rule cases the worked examples come from (default: the shipped "
                   "ones; with --rules, none unless given).")
def docs(out, fmt, amendments, rules_dir, cases_dir):
    """Write the rules as documentation: paragraph, rule, plain English, examples.

    One page per rule, an index by chapter, the parameters, every paragraph with the rules
    encoding it, and references of the rule language and the snapshot format. Exit 0 when
    written, 2 on bad input (nothing is written then)."""
    from revmech.engine.amendments import load_and_apply
    from revmech.engine.docsite import build
    from revmech.engine.procedures import registry_for
    from revmech.engine.ruleset import load_ruleset
    try:
        ruleset = load_ruleset(rules_dir)
        amended = load_and_apply(ruleset, amendments) if amendments else None
        # the shipped cases are written for the shipped rules: another rule folder gets
        # examples only from the cases given with it
        pages = build(ruleset, registry_for(rules_dir), fmt, amended, cases_dir,
                      examples=rules_dir is None or cases_dir is not None)
        write_pages(out, pages)
    except RevmechError as e:
        fail_input(e)
    entry = "index.html" if fmt == "html" else "index.md"
    click.echo(f"wrote {len(pages)} files to {out}; open {os.path.join(out, entry)}")
