"""`revmech docs`: golden Markdown for a few rules, the HTML site parsed (every rule, every
paragraph, every internal link), amendments marked, determinism, bad input."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from click.testing import CliRunner

from revmech.cli.docs import write_pages
from revmech.cli.main import main
from revmech.engine.amendments import load_and_apply
from revmech.engine.docsite import anchor, build
from revmech.engine.examples import packaged_cases_dir
from revmech.engine.procedures import load_registry
from revmech.engine.ruleset import load_ruleset

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "docs"
GOLDEN_RULES = ["experts-cap", "consultations-in-three-weeks", "report-confidential",
                "publish-own-report"]
AMENDMENTS = [str(ROOT / "rules" / "amendments" / n)
              for n in ("expert-cap-three.yaml", "no-mutual-review.yaml")]


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.fixture(scope="module")
def site(html_site):
    out, pages, _, _ = html_site
    return out, pages


@pytest.fixture(scope="module")
def markdown(ruleset, registry, tmp_path_factory):
    pages = build(ruleset, registry, "markdown")
    out = tmp_path_factory.mktemp("md")
    write_pages(str(out), pages)
    return out, pages


class Parsed(HTMLParser):
    """The ids, links, resources, headings and text of one page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.h1 = 0
        self.lang = None
        self.chunks: list[str] = []
        self.feed(text)
        self.text = " ".join("".join(self.chunks).split())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("link", "script", "img", "iframe", "source") and (a.get("href")
                                                                     or a.get("src")):
            self.resources.append(a.get("href") or a.get("src"))
        if tag == "h1":
            self.h1 += 1
        if tag == "html":
            self.lang = a.get("lang")

    def handle_data(self, data):
        self.chunks.append(data)


def squash(text: str) -> str:
    return " ".join(text.split())


# ---- golden Markdown -----------------------------------------------------------------


@pytest.mark.parametrize("rule_id", GOLDEN_RULES)
def test_rule_page_markdown_golden(markdown, rule_id):
    _, pages = markdown
    text = pages[f"rules/{rule_id}.md"]
    golden = GOLDEN / f"{rule_id}.md"
    if os.environ.get("REVMECH_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


# ---- the HTML site -------------------------------------------------------------------


def test_site_pages(site, ruleset):
    _, pages = site
    expected = {"index.html", "parameters.html", "trace.html", "language.html",
                "snapshot.html", "style.css"} | {f"rules/{r.id}.html" for r in ruleset.rules}
    assert set(pages) == expected


def test_every_rule_is_in_the_index_and_has_its_paragraphs(site, ruleset, registry):
    out, pages = site
    index = Parsed(pages["index.html"])
    for rule in ruleset.rules:
        assert f"rules/{rule.id}.html" in index.links, rule.id
        page = Parsed(pages[f"rules/{rule.id}.html"])
        assert f"Rule {rule.id}" in page.text
        for cite in rule.cites:
            assert squash(registry.get(cite).text) in page.text, (rule.id, cite)
        assert "In plain English" in page.text


def test_every_paragraph_is_in_the_trace_table(site, registry):
    _, pages = site
    page = Parsed(pages["trace.html"])
    for p in registry.paragraphs:
        assert anchor(p.id) in page.ids, p.id
        assert squash(p.text) in page.text, p.id
        if p.not_encoded:
            assert squash(p.not_encoded) in page.text, p.id


def test_every_parameter_is_on_the_parameters_page(site, ruleset):
    _, pages = site
    page = Parsed(pages["parameters.html"])
    for name in ruleset.params:
        assert name in page.ids


def check_links(out: Path, pages: dict[str, str]) -> int:
    """Every page has lang and one h1; every link and resource is local and resolves (its
    file exists, and its #fragment is an id there). Returns the number of links."""
    parsed = {path: Parsed(text) for path, text in pages.items() if path.endswith(".html")}
    checked = 0
    for path, page in parsed.items():
        assert page.lang == "en", path
        assert page.h1 == 1, path
        for ref in page.resources:
            assert not re.match(r"^(?:[a-z]+:)?//", ref), (path, ref)
            assert (out / path).parent.joinpath(ref).resolve().is_file(), (path, ref)
        for href in page.links:
            assert not re.match(r"^(?:[a-z]+:)?//", href), (path, href)
            target, fragment = urldefrag(href)
            target_path = os.path.normpath(os.path.join(os.path.dirname(path), unquote(target))
                                           ) if target else path
            assert target_path in parsed, (path, href)
            if fragment:
                assert fragment in parsed[target_path].ids, (path, href)
            checked += 1
    return checked


def test_every_internal_link_resolves_and_nothing_is_external(site):
    assert check_links(*site) > 500


def test_rule_source_is_highlighted_and_escaped(site):
    _, pages = site
    html = pages["rules/experts-cap.html"]
    assert '<div class="highlight">' in html
    assert 'appointed</span><span class="w"> </span><span class="o">&lt;=</span>' in html
    assert "@media print" in pages["style.css"]


def test_worked_examples_are_real_findings(site):
    _, pages = site
    page = Parsed(pages["rules/experts-cap.html"])
    assert ("violated for state PAK, instrument convention: PAK has appointed 6 governmental "
            "experts for the convention; the cap is 5") in page.text
    assert "From the rule case experts-cap-holds (fixtures/cases/conduct.yaml)" in page.text


def test_markdown_links_resolve(markdown):
    out, pages = markdown
    for path, text in pages.items():
        for href in re.findall(r"\]\(([^)\s]+)\)", text):
            target, fragment = urldefrag(href)
            target_path = os.path.normpath(os.path.join(os.path.dirname(path), target)
                                           ) if target else path
            assert target_path in pages, (path, href)
            if fragment:
                assert f'<a id="{fragment}"></a>' in pages[target_path], (path, href)


def test_same_input_same_output(ruleset, registry, site):
    assert build(ruleset, registry, "html") == site[1]


def test_cases_are_package_data():
    shipped = sorted(os.listdir(packaged_cases_dir()))
    assert shipped == sorted(os.listdir(ROOT / "fixtures" / "cases"))


# ---- amendments ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def amended_site(ruleset, registry, tmp_path_factory):
    amended = load_and_apply(ruleset, AMENDMENTS)
    pages = build(ruleset, registry, "html", amended)
    out = tmp_path_factory.mktemp("amended")
    write_pages(str(out), pages)
    assert check_links(out, pages) > 500
    return amended, pages


def test_amended_site_marks_every_change(amended_site):
    amended, pages = amended_site
    assert "amendments.html" in pages
    changes = Parsed(pages["amendments.html"])
    for c in amended.rules:
        assert f"rule-{c.id}" in changes.ids
        if c.kind != "repealed":
            page = Parsed(pages[f"rules/{c.id}.html"])
            assert f"{c.kind.capitalize()} by the amendment {c.amendment}" in page.text
    assert {c.kind for c in amended.rules} == {"added", "replaced"}
    params = Parsed(pages["parameters.html"])
    assert "amended by Cap governmental experts at three per instrument; was" in params.text
    assert '<pre class="value"><del>5</del></pre>' in pages["parameters.html"]
    cap = Parsed(pages["rules/experts-cap.html"])
    assert "the max experts per instrument (3)" in cap.text
    # the redline of a replaced rule marks removed and added lines
    html = pages["rules/redraw-repetitions.html"]
    assert "<del>- " in html and "<ins>+ " in html
    index = Parsed(pages["index.html"])
    assert "as amended" in index.text


# ---- the command ---------------------------------------------------------------------


def test_cli_writes_the_site(tmp_path):
    out = tmp_path / "site"
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "--format", "markdown"])
    assert r.exit_code == 0, r.output
    assert (out / "index.md").is_file() and (out / "rules" / "experts-cap.md").is_file()
    assert r.output == f"wrote {len(list(out.rglob('*.md')))} files to {out}; open " \
                       f"{out / 'index.md'}\n"


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: revmech/amendment@1\ntitle: x\nproposed_by: y\n"
                   "parameters:\n  max_expert_per_instrument: 3\n")
    out = tmp_path / "site"
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "-a", str(bad)])
    assert r.exit_code == 2
    assert "unknown parameter 'max_expert_per_instrument' (did you mean " \
           "'max_experts_per_instrument'?)" in r.output
    assert f"{bad}:5:3" in r.output
    assert "Traceback" not in r.output
    assert not out.exists()
    afile = tmp_path / "file"
    afile.write_text("")
    r = CliRunner().invoke(main, ["docs", "--out", str(afile)])
    assert r.exit_code == 2
    assert f"--out {afile}: exists and is not a folder" in r.output
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "--cases", str(tmp_path / "no")])
    assert r.exit_code == 2
    assert "not a folder" in r.output
    assert not out.exists()


def test_cli_other_rules_and_cases(tmp_path):
    """--rules: a rule folder of one's own; examples then come only from --cases."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "caps.rules").write_text((ROOT / "rules" / "conduct.rules").read_text())
    out = tmp_path / "site"
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "--rules", str(rules),
                                  "--format", "markdown"])
    assert r.exit_code == 0, r.output
    page = (out / "rules" / "experts-cap.md").read_text()
    assert "No rule case shows this rule yet." in page
    cases = tmp_path / "cases"
    cases.mkdir()
    text = (ROOT / "fixtures" / "cases" / "conduct.yaml").read_text()
    (cases / "conduct.yaml").write_text(
        text.replace("base: ../sample-cycle.yaml",
                     f"base: {ROOT / 'fixtures' / 'sample-cycle.yaml'}"))
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "--rules", str(rules),
                                  "--cases", str(cases), "--format", "markdown"])
    assert r.exit_code == 0, r.output
    page = (out / "rules" / "experts-cap.md").read_text()
    assert f"From the rule case `experts-cap-broken` (`{cases}/conduct.yaml`)" in page


def test_html_is_escaped(tmp_path):
    """Text from the rules is text, never markup (the templates autoescape)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "x.rules").write_text(
        'chapter "IV.D" "Conduct <i>of</i> the review"\n'
        'rule markup-demo\n  cites para 19\n  text "a <script>alert(1)</script> & b"\n'
        '  note "<b>bold</b>"\n  for each state in states\n  shall count(state.instruments) >= 0\n'
        '  otherwise "{state} <em>x</em>"\n')
    out = tmp_path / "site"
    r = CliRunner().invoke(main, ["docs", "--out", str(out), "--rules", str(rules)])
    assert r.exit_code == 0, r.output
    html = (out / "rules" / "markup-demo.html").read_text()
    assert "<script>" not in html and "<b>" not in html and "<em>" not in html
    assert "a &lt;script&gt;alert(1)&lt;/script&gt; &amp; b" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Conduct &lt;i&gt;of&lt;/i&gt; the review" in html


def test_a_repealed_rule_is_listed_not_linked(ruleset, registry, tmp_path):
    a = tmp_path / "repeal.yaml"
    a.write_text("format: revmech/amendment@1\ntitle: Drop the legal-system preference\n"
                 "proposed_by: a delegation\nrepeal: [similar-legal-system]\n")
    pages = build(ruleset, registry, "html", load_and_apply(ruleset, [str(a)]),
                  examples=False)
    assert "rules/similar-legal-system.html" not in pages
    write_pages(str(tmp_path / "site"), pages)
    check_links(tmp_path / "site", pages)
    changes = Parsed(pages["amendments.html"])
    assert "similar-legal-system: repealed by Drop the legal-system preference" in changes.text
    assert "<del>- rule similar-legal-system</del>" in pages["amendments.html"]
    # the paragraph it encoded is now encoded by the rules left, or by none
    trace_page = Parsed(pages["trace.html"])
    assert "similar-legal-system" not in trace_page.text
