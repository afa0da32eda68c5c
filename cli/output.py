"""Where a command's output goes: stdout, or a file written atomically (a reader never
sees half a report, and a failed run leaves the previous file in place)."""

from __future__ import annotations

import os

import click

from revmech.engine.errors import UsageError


def emit(text: str, output: str | None) -> None:
    if output is None or output == "-":
        click.echo(text, nl=False, color=True)
        return
    folder = os.path.dirname(os.path.abspath(output))
    if os.path.isdir(output):
        raise UsageError.at(f"--output: '{output}' is a directory, expected a file name")
    if not os.path.isdir(folder):
        raise UsageError.at(f"--output: cannot write '{output}': no such folder '{folder}'")
    import tempfile  # only when writing a file: it costs every run a few milliseconds
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".revmech-", suffix=".tmp")
    except OSError as e:
        raise UsageError.at(f"--output: cannot write in '{folder}': {e.strerror}") from None
    try:
        os.chmod(tmp, _mode(output))  # mkstemp makes it private; a report is not
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except OSError as e:
        os.unlink(tmp)
        raise UsageError.at(f"--output: cannot write '{output}': {e.strerror}") from None


def _mode(path: str) -> int:
    """The mode of the file being replaced, or what a new file would get (0666 less the
    umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
