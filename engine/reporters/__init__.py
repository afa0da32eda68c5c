"""Report formats for `revmech check`: each module renders a `check.Report` to text."""

from . import json_report, text

FORMATS = {"text": text.render, "json": json_report.render}
