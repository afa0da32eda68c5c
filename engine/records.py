"""`frozen` and `define`: attrs' class decorators, with one shared `__repr__`.

attrs compiles a `__repr__` for every class it decorates; for the ~80 classes a check
imports (AST, snapshot model, findings) that was about a quarter of revmech's start-up
(~11 ms of ~45 ms of its own imports, measured). The shared one below prints the same
text as attrs' (`Name(field=value, ...)`, fields with `repr=False` left out).
"""

from __future__ import annotations

from typing import Any

import attrs


def _repr(self: Any) -> str:
    fields = ", ".join(f"{a.name}={getattr(self, a.name)!r}"
                       for a in attrs.fields(type(self)) if a.repr)
    return f"{type(self).__qualname__.rsplit('>.', 1)[-1]}({fields})"


def _with_repr(decorator):
    def decorate(maybe_cls=None, **options):
        options["repr"] = False

        def wrap(cls):
            cls = decorator(cls, **options)
            cls.__repr__ = _repr
            return cls
        return wrap if maybe_cls is None else wrap(maybe_cls)
    return decorate


frozen = _with_repr(attrs.frozen)
define = _with_repr(attrs.define)
