"""Where a command's output goes: stdout, or a file written atomically (a reader never
sees half a report, and a failed run leaves the previous file in place)."""

from __future__ import annotations

import os

import click

from revmech.engine.errors import UsageError
from revmech.engine.files import write_atomically


def emit(text: str, output: str | None) -> None:
    if output is None or output == "-":
        click.echo(text, nl=False, color=True)
        return
    folder = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        raise UsageError.at(f"--output: '{output}' is a directory, expected a file name")
    if not os.path.isdir(folder):
        raise UsageError.at(f"--output: cannot write '{output}': no such folder '{folder}'")
    write_atomically(output, text, error=lambda e, where: UsageError.at(
        f"--output: cannot write in '{where}': {e.strerror}" if where is not None
        else f"--output: cannot write '{output}': {e.strerror}"))
