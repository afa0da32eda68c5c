"""Report formats for `revmech check`: each module renders a `check.Report` to text."""

from . import github, json_report, junit, markdown, sarif, text

FORMATS = {"text": text.render, "json": json_report.render, "junit": junit.render,
           "sarif": sarif.render, "github": github.render, "markdown": markdown.render}
