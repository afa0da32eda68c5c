"""Writing a file atomically: a reader never sees half of it, and a failure leaves the
previous file in place."""

from __future__ import annotations

import os
from collections.abc import Callable


def write_atomically(path: str, data: str | bytes, *, private: bool = False,
                     fsync: bool = False, prefix: str = ".revmech-", suffix: str = ".tmp",
                     error: Callable[[OSError, str | None], Exception] | None = None) -> None:
    """Write `data` (text as UTF-8, newlines as given) to a temporary file beside `path`,
    then rename it over `path`; the temporary file is removed on any failure.

    The file gets the mode of the one it replaces, or 0666 less the umask when there is
    none; with `private`, the owner's only (as mkstemp makes it). `fsync`: flush
    the data to the disk before the rename. On an OSError, raises `error(e, folder)` when
    no temporary file could be made in `folder`, `error(e, None)` when writing or renaming
    failed; without `error`, the OSError itself.
    """
    import tempfile  # only when writing a file: it costs every run a few milliseconds

    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=suffix)
    except OSError as e:
        if error is None:
            raise
        raise error(e, folder) from None
    try:
        if isinstance(data, str):
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
        else:
            fh = os.fdopen(fd, "wb")
        with fh:
            if not private:
                os.chmod(tmp, _mode(path))
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if error is None or not isinstance(e, OSError):
            raise
        raise error(e, None) from None


def _mode(path: str) -> int:
    """The mode of the file being replaced, or what a new file would get (0666 less the
    umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
