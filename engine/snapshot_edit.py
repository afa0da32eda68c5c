"""Record new draws in a snapshot's own text, and write it atomically.

The file is edited in place rather than dumped again, so its comments, order and layout
survive and the change reads as a small diff: a `draw:` entry is added to each review
drawn (or replaces the one a repetition supersedes), and `as_of` moves to the drawing's
date when that is later. The result is loaded again with the strict loader before
anything is written, and written to a temporary file renamed over the target, so a
failure never leaves half a snapshot.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence

import yaml

from .draw import NewDraw
from .errors import UsageError
from .files import write_atomically
from .loader import _peek as _pair, compose, snapshot_from_node
from .model import Meeting

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, dt.date)):
        return str(v)
    s = str(v)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]*", s) and s.lower() not in _YAML_WORDS:
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(pairs: Sequence[tuple[str, object]]) -> str:
    parts = []
    for k, v in pairs:
        if isinstance(v, (list, tuple)) and not (v and isinstance(v[0], tuple)):
            text = "[" + ", ".join(_scalar(x) for x in v) + "]"
        elif isinstance(v, (list, tuple)):
            text = _flow(v)
        else:
            text = _scalar(v)
        parts.append(f"{k}: {text}")
    return "{" + ", ".join(parts) + "}"


def draw_text(d: NewDraw, meeting: Meeting | None) -> str:
    pairs: list[tuple[str, object]] = [("date", d.date)]
    if d.meeting is not None:
        pairs.append(("meeting", (("working_groups", d.meeting), ("intersessional", True),
                                  ("open_to_all", True))))
    elif meeting is not None:
        m: list[tuple[str, object]] = [("working_groups", meeting.working_groups)]
        if meeting.intersessional is not None:
            m.append(("intersessional", meeting.intersessional))
        if meeting.open_to_all is not None:
            m.append(("open_to_all", meeting.open_to_all))
        pairs.append(("meeting", tuple(m)))
    pairs.append(("reviewers", d.reviewers))
    if d.redraws:
        pairs.append(("redraws", tuple(d.redraws)))
    if d.exceptional:
        pairs.append(("exceptional_circumstances", True))
    return _flow(pairs)


def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    pair = _pair(mapping, key)
    return pair[1] if pair else None


def _end(node: yaml.Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies at the next token,
    past any comments in between, so descend to its last scalar or flow collection."""
    while not getattr(node, "flow_style", True) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


def _trim(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    return end


def record(text: str, root: yaml.Node, draws: Sequence[NewDraw], meetings: dict,
           as_of: dt.date) -> str:
    """The snapshot text with `draws` recorded and `as_of` set."""
    edits: list[tuple[int, int, str]] = []
    node = _value(root, "as_of")
    if node is not None and node.value != str(as_of):
        edits.append((node.start_mark.index, node.end_mark.index, str(as_of)))
    wanted = {d.review: d for d in draws}
    reviews = _value(root, "reviews")
    for item in (reviews.value if isinstance(reviews, yaml.SequenceNode) else ()):
        idn = _value(item, "id") if isinstance(item, yaml.MappingNode) else None
        d = wanted.get(idn.value) if idn is not None else None
        if d is None:
            continue
        entry = draw_text(d, meetings.get(d.review))
        old = _pair(item, "draw")
        if old is not None:  # a repetition: the new drawing replaces the old, key and all
            end = _trim(text, _end(old[1]))
            edits.append((old[0].start_mark.index, end, f"draw: {entry}"))
        elif item.flow_style:
            end = _trim(text, item.end_mark.index - 1)
            edits.append((end, end, f", draw: {entry}"))
        else:
            end = _trim(text, _end(item.value[-1][1]))
            nl = text.find("\n", end)
            nl = len(text) if nl < 0 else nl
            indent = " " * item.value[0][0].start_mark.column
            edits.append((nl, nl, f"\n{indent}draw: {entry}"))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out


def write_snapshot(path: str, text: str, phase_years) -> None:
    """Check `text` loads as a snapshot, then write it to `path` atomically."""
    root, _ = compose(text, name=path)
    snapshot_from_node(root, text, file=path, phase_years=phase_years)
    write_atomically(path, text, fsync=True, suffix=".yaml", error=lambda e, _: UsageError.at(
        f"cannot write '{path}': {e.strerror or e}"))
