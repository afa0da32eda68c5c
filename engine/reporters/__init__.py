"""Report formats for `revmech check`: each module renders a `check.Report` to text.

FORMATS maps a format's name to its render function; a module is imported only when its
format is asked for (a check pays for one reporter, not six).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping

_MODULES = {"text": "text", "json": "json_report", "junit": "junit", "sarif": "sarif",
            "github": "github", "markdown": "markdown"}


class _Formats(Mapping):
    def __getitem__(self, name: str) -> Callable:
        return importlib.import_module(f"{__name__}.{_MODULES[name]}").render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


FORMATS: Mapping[str, Callable] = _Formats()
