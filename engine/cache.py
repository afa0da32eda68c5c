"""A cache of parsed and checked rules, by content hash, so a run does not re-parse them.

Parsing the shipped rules with pyparsing takes most of a second; a check of a small
snapshot otherwise spends nearly all its time there. An entry is keyed by a SHA-256 of
everything its value depends on: the texts (and names) of the rule files, the parameters
and the amendment blocks it was built from, the revmech code that builds it (the size
and modification time of every engine module, so an edited checkout is never served a
stale entry) and the Python version. It lives in the user's cache folder
(`REVMECH_CACHE_DIR` overrides it): deleting it is always safe, an entry that cannot be
read back (corrupt, truncated, from another version) is ignored and rebuilt, and entries
are written to a temporary file and renamed, so a reader never sees half of one; only
the newest KEEP entries of each kind are kept. When the folder cannot be written, the run
simply goes without.

Entries are pickles: the folder is the user's own, as for any per-user cache. The
fast evaluator's generated code is kept the same way (`compiled`), as marshalled code
objects keyed by the source text and the Python version.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from types import CodeType
from typing import Any, TypeVar

from .files import write_atomically

T = TypeVar("T")

ENV = "REVMECH_CACHE_DIR"
KEEP = 32  # entries of each kind kept: the newest; edits of rules would otherwise pile up
KEEP_CODE = 1024  # compiled rules: one entry per rule (56 shipped), amended variants too
_FORMAT = b"revmech-cache-1"
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


def cache_dir() -> str:
    """`REVMECH_CACHE_DIR`, else the platform's per-user cache folder + revmech."""
    override = os.environ.get(ENV)
    if override:
        return override
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "revmech")


def _code_signature() -> bytes:
    parts = []
    for name in sorted(os.listdir(_ENGINE_DIR)):
        if name.endswith(".py"):
            st = os.stat(os.path.join(_ENGINE_DIR, name))
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "big") + p)
    return h.hexdigest()


def key(kind: str, parts: Iterable[str]) -> str:
    return _digest([_FORMAT, sys.version.encode(), _code_signature(), kind.encode(),
                    *(part.encode("utf-8", "surrogatepass") for part in parts)])


def memo(kind: str, parts: Iterable[str], build: Callable[[], T]) -> T:
    """`build()`, or what it returned before for the same `parts`.

    Only values are cached: when `build` raises, the error propagates and nothing is
    written, so a bad input is reported (with its location) on every run.
    """
    path = os.path.join(cache_dir(), f"{kind}-{key(kind, parts)}.pickle")
    found = _read(path, pickle.loads)
    if found is not None:
        return found
    value = build()
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - the cached values are plain attrs trees
        return value
    _store(path, data, kind, KEEP)
    return value


def compiled(source: str, filename: str) -> CodeType:
    """`compile(source, filename, "exec")`, remembered across runs.

    Compiling the generated source of the 53 shipped rules takes ~33 ms and reading the
    results back ~3 ms. A code object depends only on the text, the file name and the
    Python version (not on revmech's modules: the generated text already reflects them),
    so the key is a hash of those."""
    digest = _digest([_FORMAT, sys.version.encode(), b"code", filename.encode(),
                      source.encode("utf-8", "surrogatepass")])
    path = os.path.join(cache_dir(), f"code-{digest}.marshal")
    code = _read(path, marshal.loads)
    if isinstance(code, CodeType):
        return code
    code = compile(source, filename, "exec")
    _store(path, marshal.dumps(code), "code", KEEP_CODE)
    return code


def _read(path: str, loads: Callable[[bytes], Any]) -> Any:
    """The value of an entry, or None when it is missing, corrupt or foreign (a miss,
    never an error)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if not data.startswith(_FORMAT):
        return None
    try:
        return loads(data[len(_FORMAT):])
    except Exception:
        return None


def _store(path: str, data: bytes, kind: str, keep: int) -> None:
    """Write an entry (then prune its kind); a read-only or full disk: run without."""
    folder = os.path.dirname(path)
    suffix = os.path.splitext(path)[1]
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomically(path, _FORMAT + data, private=True, prefix=".tmp-", suffix=suffix)
    except OSError:
        return
    _prune(folder, kind, keep, suffix)


def _prune(folder: str, kind: str, keep: int, suffix: str) -> None:
    """Keep the `keep` newest entries of `kind` (another process may be pruning too)."""
    try:
        entries = [e for e in os.scandir(folder)
                   if e.name.startswith(kind + "-") and e.name.endswith(suffix)]
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for e in entries[keep:]:
            os.unlink(e.path)
    except OSError:
        pass
