"""The generated site in a real browser: headless Chromium opens the index and a rule page
from file://, offline; the page shows the rule's paragraph text, logs no console error or
warning and loads every resource. Screenshots are saved as CI artefacts under
.ci/artifacts/ (or $REVMECH_ARTIFACTS).

Skipped only when no Chromium is installed; .ci/run installs Debian's `chromium` and sets
REVMECH_REQUIRE_CHROMIUM, so that in CI a missing browser is an error, not a skip."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cdp import Browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next((p for p in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                             shutil.which("chromium-browser")) if p), None)

if CHROMIUM is None and os.environ.get("REVMECH_REQUIRE_CHROMIUM"):
    raise RuntimeError("REVMECH_REQUIRE_CHROMIUM is set (as .ci/run does) but there is no "
                       "chromium on PATH")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (install Debian's chromium package, as "
                             ".ci/run does, or set CHROMIUM)")


@pytest.fixture(scope="module")
def site(html_site):
    out, _, ruleset, registry = html_site
    return out, ruleset, registry


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    b = Browser(CHROMIUM, str(tmp_path_factory.mktemp("chromium-profile")))
    yield b
    b.close()


def artifacts() -> Path:
    out = Path(os.environ.get("REVMECH_ARTIFACTS", ROOT / ".ci" / "artifacts"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def squash(text: str) -> str:
    return " ".join(text.split())


def test_index_opens_clean(site, browser):
    out, ruleset, _ = site
    page = browser.open((out / "index.html").as_uri())
    text = squash(page.evaluate("document.body.innerText"))
    assert "Rules of the UNTOC review mechanism" in text
    for rule in ruleset.rules:
        assert rule.id in text
    # the stylesheet was applied (a local file, loaded from file://)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    assert page.problems() == []
    shot = artifacts() / "docs-index.png"
    page.screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_rule_page_shows_its_paragraph(site, browser):
    out, ruleset, registry = site
    page = browser.open((out / "rules" / "experts-cap.html").as_uri())
    text = squash(page.evaluate("document.body.innerText"))
    assert squash(registry.get("para 19").text) in text
    assert "PAK has appointed 6 governmental experts for the convention; the cap is 5" in text
    # the rule source is highlighted: the keyword `shall` is styled apart from plain text
    colour = page.evaluate("getComputedStyle(document.querySelector('.highlight .k')).color")
    plain = page.evaluate("getComputedStyle(document.querySelector('.highlight')).color")
    assert colour != plain
    assert page.problems() == []
    shot = artifacts() / "docs-rule-experts-cap.png"
    page.screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


@pytest.mark.parametrize("page_path", ["index.html", "rules/experts-cap.html",
                                       "parameters.html", "trace.html"])
def test_usable_on_a_phone(site, browser, page_path):
    """On a screen 390 pixels wide nothing makes the page scroll sideways (wide tables
    and code scroll within themselves)."""
    out, _, _ = site
    page = browser.open((out / page_path).as_uri())
    page.set_width(390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.problems() == []


def test_printed_without_navigation(site, browser):
    out, _, _ = site
    page = browser.open((out / "rules" / "experts-cap.html").as_uri())
    nav = "getComputedStyle(document.querySelector('header nav')).display"
    assert page.evaluate(nav) != "none"
    page.emulate_media("print")
    assert page.evaluate(nav) == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.highlight pre'))"
                         ".whiteSpace") == "pre-wrap"


def test_a_broken_page_is_caught(tmp_path, browser):
    """The check can fail: a missing stylesheet and a console error are reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>x</title>'
                   '<link rel="stylesheet" href="missing.css"></head><body><p>x</p>'
                   '<script>console.error("boom")</script></body></html>')
    problems = browser.open(bad.as_uri()).problems()
    assert "console.error: boom" in problems
    assert any("ERR_FILE_NOT_FOUND" in p and "missing.css" in p for p in problems)
