"""What the commands share: the date option, colour, and how bad input ends a command."""

from __future__ import annotations

import datetime as dt
import os
import sys

import click

from revmech.engine.errors import RevmechError


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a date YYYY-MM-DD, got {value!r}", param, ctx)


def fail_input(e: RevmechError):
    click.echo(e.render(), err=True)
    sys.exit(2)


def use_color() -> bool:
    return sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
