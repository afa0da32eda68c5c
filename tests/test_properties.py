"""Properties (hypothesis): the parser fails only with located RevmechErrors, evaluation
never crashes on valid snapshots, and deadlines judged later never move backwards.

Profiles are in conftest.py ("ci" by default; HYPOTHESIS_PROFILE=long for 2000 examples).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from revmech.engine import ast
from revmech.engine.check import evaluate
from revmech.engine.checker import check_rules
from revmech.engine.errors import RevmechError
from revmech.engine.findings import STATUSES
from revmech.engine.grammar import KEYWORDS, parse_expression, parse_rules
from revmech.engine.loader import compose, judge_at, snapshot_from_node
from revmech.engine.model import INSTRUMENTS, REGIONAL_GROUPS, WORKING_GROUPS
from revmech.engine.parameters import load_parameters
from revmech.engine.ruleset import build_ruleset, load_ruleset

PACKAGED = importlib.resources.files("revmech.rules")
PARAMS_TEXT = (PACKAGED / "parameters.yaml").read_text(encoding="utf-8")
RULE_TEXTS = sorted((p.name, p.read_text(encoding="utf-8")) for p in PACKAGED.iterdir()
                    if p.name.endswith(".rules"))


@functools.lru_cache(maxsize=None)
def params():
    return load_parameters(PARAMS_TEXT, "rules/parameters.yaml")


@functools.lru_cache(maxsize=None)
def shipped():
    return load_ruleset()


# --------------------------------------------------------------------------------------
# (a) the parser raises only RevmechError, located inside the text

TOKENS = (
    KEYWORDS
    + ["(", ")", "[", "]", ",", ".", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/",
       "{", "}", "#", "# comment\n", "\n", "  ", "\t", '"', "'", "\\"]
    + ["x", "review", "reviews", "state", "states", "count", "union", "f", "a_b", "R1"]
    + ["0", "1", "53", "1.5", "19(b)", "2021-03-10", "2021-02-30", "0000-01-01", "3 weeks",
       "1 month", "10 days", "2 years", "99999999999999999999 years"]
    + ['"text"', "'text'", '"{state} has {n}"', '"{x +}"', '"{}"', '"{{"', '"\\"q\\""',
       '"line\n  two"', "para 19", "para 53(b)", "rule-id", "experts-cap"]
)
token_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join)
tight_soup = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@st.composite
def mutated_rules(draw):
    """A shipped rule file with a few tokens deleted, inserted or replaced."""
    _, text = draw(st.sampled_from(RULE_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 30)))
        text = text[:i] + draw(st.sampled_from(TOKENS + [""])) + text[j:]
    return text


def assert_located(e: RevmechError, text: str):
    assert e.diagnostics
    for d in e.diagnostics:
        rendered = d.render()
        assert isinstance(rendered, str) and rendered
        if d.loc is not None:
            assert d.loc.line >= 1 and d.loc.column >= 1
            assert d.loc.line <= text.count("\n") + 2, (d.loc, text)


def parse_and_check(text: str):
    try:
        f = parse_rules(text, "gen.rules")
    except RevmechError as e:
        assert_located(e, text)
        return
    for r in f.rules:  # spans are offsets into the text (tabs included)
        assert 0 <= r.span.start <= r.id_span.start < r.id_span.end <= r.span.end <= len(text)
        assert text[r.id_span.start:r.id_span.end] == r.id
    try:
        check_rules([f], params())
    except RevmechError as e:
        assert_located(e, text)


@given(st.text())
def test_parse_rules_on_any_text(text):
    parse_and_check(text)


@given(token_soup)
def test_parse_rules_on_token_soup(text):
    parse_and_check(text)


@given(st.builds(lambda body: "rule r\n  cites para 1\n" + body, token_soup))
def test_parse_rules_on_a_rule_with_a_soup_body(text):
    parse_and_check(text)


def share(fraction: float):
    """A share of the profile's examples, for the costly properties (whole rule files,
    whole rule sets): the fast profile stays fast, the long one still goes deep."""
    return settings(max_examples=max(5, int(settings.default.max_examples * fraction)))


@share(1 / 6)
@given(mutated_rules())
def test_parse_and_check_mutated_shipped_rules(text):
    parse_and_check(text)


@given(st.one_of(st.text(), token_soup, tight_soup))
def test_parse_expression_on_any_text(text):
    try:
        node = parse_expression(text)
    except RevmechError as e:
        assert_located(e, text)
        return
    for n in ast.walk(node):  # whatever parses has sane spans
        assert 0 <= n.span.start <= n.span.end <= len(text)


# --------------------------------------------------------------------------------------
# generated snapshots: small, valid, every optional part sometimes present

STATE_IDS = ["AUT", "BRA", "CHN", "DEU", "EGY", "FRA", "IND", "EUU"]
LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es", "de"]
ARTICLES = ["2", "5", "6", "8", "9", "10", "12", "13", "15", "23", "24", "3", "11"]
PHASE_YEARS = {1: (3, 6), 2: (7, 10)}


def maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def snapshots(draw):
    year_one = draw(st.integers(2012, 2020))
    as_of = draw(st.dates(dt.date(year_one, 1, 1), dt.date(year_one + 11, 12, 31)))
    events = st.dates(dt.date(year_one - 1, 1, 1), as_of)
    ever = st.dates(dt.date(1995, 1, 1), as_of)

    def d(strategy=events):
        return draw(strategy)

    def opt(value_fn, p=True):
        return value_fn() if draw(st.booleans()) and p else None

    ids = draw(st.lists(st.sampled_from(STATE_IDS), min_size=1, max_size=5, unique=True))
    states = {}
    for sid in ids:
        conv = draw(st.sampled_from(["party", "signatory", None]))
        instruments = {}
        if conv:
            instruments["convention"] = {"status": conv, "since": d(ever)}
        for inst in INSTRUMENTS[1:]:
            status = draw(st.sampled_from(["party", "signatory", None] if conv == "party"
                                          else ["signatory", None]))
            if status:
                instruments[inst] = {"status": status, "since": d(ever)}
        s = {"name": f"State {sid}",
             "kind": "organization" if sid == "EUU" else draw(st.sampled_from(["state", None])),
             "regional_group": None if sid == "EUU" else draw(
                 st.sampled_from(list(REGIONAL_GROUPS) + [None])),
             "instruments": instruments}
        if draw(st.booleans()):
            s["legal_system"] = draw(st.sampled_from(["civil law", "common law"]))
        if draw(st.booleans()):
            s["uncac"] = {"status": draw(st.sampled_from(["party", "signatory"])),
                          "since": d(ever)}
        if draw(st.booleans()):
            s["focal_point"] = {"name": "office", "listed": d()}
        states[sid] = {k: v for k, v in s.items() if v is not None or k == "regional_group"}

    some_states = st.lists(st.sampled_from(ids), max_size=3, unique=True)
    actor = st.sampled_from(ids + ["secretariat", "public"])

    experts = []
    for k in range(draw(st.integers(0, 8))):
        e = {"id": f"e{k}", "state": draw(st.sampled_from(ids)),
             "instrument": draw(st.sampled_from(INSTRUMENTS)), "listed": d()}
        if draw(st.booleans()):
            e["withdrawn"] = d()
        if draw(st.booleans()):
            e["expertise"] = ["mutual legal assistance"]
        experts.append(e)

    phases = []
    for number in draw(st.lists(st.sampled_from([1, 2]), max_size=2, unique=True)):
        phases.append({"number": number, "allotments": [
            {"instrument": draw(st.sampled_from(INSTRUMENTS)), "date": d()}
            for _ in range(draw(st.integers(0, 2)))]})

    reviews = []
    for k in range(draw(st.integers(0, 6))):
        phase = draw(st.sampled_from([1, 2]))
        r = {"id": f"r{k}", "state": draw(st.sampled_from(ids)),
             "instrument": draw(st.sampled_from(INSTRUMENTS)), "phase": phase,
             "year": draw(st.integers(*PHASE_YEARS[phase])),
             "voluntary": draw(st.booleans())}
        if draw(st.booleans()):
            r["articles"] = draw(st.lists(st.sampled_from(ARTICLES), max_size=8, unique=True))
        if draw(st.booleans()):
            draw_ = {"date": d(), "reviewers": draw(some_states)}
            if draw(st.booleans()):
                draw_["redraws"] = {s: draw(st.integers(0, 4)) for s in draw(some_states)}
            if draw(st.booleans()):
                draw_["exceptional_circumstances"] = draw(st.booleans())
            if draw(st.booleans()):
                draw_["meeting"] = {
                    "working_groups": draw(st.lists(st.sampled_from(WORKING_GROUPS),
                                                    max_size=2, unique=True)),
                    "intersessional": draw(st.booleans()), "open_to_all": draw(st.booleans())}
            r["draw"] = draw_
        if draw(st.booleans()):
            r["consultations"] = {
                "date": d(), "languages": draw(st.lists(st.sampled_from(LANGUAGES),
                                                        max_size=3, unique=True)),
                "agreed_by": draw(some_states)}
        if draw(st.booleans()):
            saq = {"received": d()}
            if draw(st.booleans()):
                saq["complete"] = draw(st.booleans())
            if draw(st.booleans()):
                saq["completed"] = d()
            saq["supplementary"] = draw(st.lists(events, max_size=2))
            r["saq"] = saq
        if draw(st.booleans()):
            r["desk_review"] = {"submitted": d()}
        if draw(st.booleans()):
            r["country_visit"] = {"date": d(), "agreed_by_state": draw(st.booleans()),
                                  "funding": draw(st.sampled_from(["voluntary", "regular"]))}
        r["disclosures"] = [{"what": "saq", "by": draw(actor), "to": draw(actor), "date": d()}
                            for _ in range(draw(st.integers(0, 2)))]
        if draw(st.booleans()):
            rep = {}
            for key in ("draft", "finalized", "communicated", "summary_issued"):
                if draw(st.booleans()):
                    rep[key] = d()
            rep["agreed_by"] = draw(some_states)
            rep["contents"] = draw(st.lists(st.sampled_from(
                ["executive_summary", "successes", "challenges"]), max_size=3, unique=True))
            rep["summary_languages"] = draw(st.lists(st.sampled_from(LANGUAGES), max_size=6,
                                                     unique=True))
            rep["releases"] = [{"by": draw(actor), "to": draw(actor), "date": d()}
                               for _ in range(draw(st.integers(0, 2)))]
            reqs = []
            for _ in range(draw(st.integers(0, 2))):
                q = {"by": draw(st.sampled_from(ids)), "date": d()}
                if draw(st.booleans()):
                    q["granted"] = draw(st.booleans())
                if draw(st.booleans()):
                    q["answered"] = d()
                reqs.append(q)
            rep["access_requests"] = reqs
            rep["translations"] = [{"language": draw(st.sampled_from(LANGUAGES)),
                                    "requested_by": draw(st.sampled_from(ids)),
                                    "funding_sought": draw(st.booleans())}
                                   for _ in range(draw(st.integers(0, 1)))]
            r["report"] = rep
        r["follow_up"] = [{"submitted": d()} for _ in range(draw(st.integers(0, 1)))]
        reviews.append(r)

    deferrals = []
    for _ in range(draw(st.integers(0, 2))):
        df = {"state": draw(st.sampled_from(ids)), "year": draw(st.integers(1, 10)),
              "role": draw(st.sampled_from(["reviewer", "under_review"]))}
        if draw(st.booleans()):
            df["instrument"] = draw(st.sampled_from(INSTRUMENTS))
        deferrals.append(df)

    decisions = [{"decision": "launch_before_completion", "phase": draw(st.sampled_from([1, 2])),
                  "date": d()} for _ in range(draw(st.integers(0, 1)))]
    sessions = [{"number": n, "opened": d()}
                for n in draw(st.lists(st.integers(1, 12), max_size=2, unique=True))]

    briefings = []
    for date in draw(st.lists(events, max_size=2, unique=True)):
        ngos = []
        for name in draw(st.lists(st.sampled_from(["Alpha", "Beta", "Gamma"]), max_size=2,
                                  unique=True)):
            n = {"name": name}
            if draw(st.booleans()):
                n["status"] = draw(st.sampled_from(["ecosoc", "other"]))
            if draw(st.booleans()):
                n["admitted_session"] = draw(st.integers(1, 12))
            for key in ("invited", "attended"):
                if draw(st.booleans()):
                    n[key] = draw(st.booleans())
            if draw(st.booleans()):
                n["confirmed"] = d()
            if draw(st.booleans()):
                n["summary"] = {"submitted_as": "conference_room_paper"}
            if draw(st.booleans()):
                n["objection"] = {"raised": draw(st.booleans()), "bureau_decision": "admitted"}
            ngos.append(n)
        b = {"date": date, "working_group": draw(st.sampled_from(WORKING_GROUPS)),
             "convened_by": ["secretariat"], "open_to": ["member_states"], "ngos": ngos}
        for key in ("margins_of_meeting", "requested_by_president", "mentions_country"):
            if draw(st.booleans()):
                b[key] = draw(st.booleans())
        briefings.append(b)

    doc = {"format": "revmech/snapshot@1", "as_of": as_of, "mechanism": {"year_one": year_one},
           "states": states, "experts": experts, "questionnaires": [
               {"instrument": "convention", "cluster": "criminalization", "finalized": d()}],
           "phases": phases, "reviews": reviews, "deferrals": deferrals,
           "conference_decisions": decisions, "conference_sessions": sessions,
           "briefings": briefings}
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    root, source = compose(text, name="gen.yaml")
    # a generated snapshot must load: a SnapshotError here is a bug of the generator
    return snapshot_from_node(root, source, file="gen.yaml", phase_years=shipped().phase_years)


def check_findings(result, snap):
    for f in result.findings:
        assert f.status in STATUSES
        assert f.severity in ("error", "warning")
        assert isinstance(f.message, str) and f.message
        assert f.id.split("/")[0] == f.rule
        f.to_json()
    assert result.as_of == snap.as_of


@share(1 / 3)
@given(snapshots())
def test_evaluation_never_crashes(snap):
    result = evaluate(shipped(), snap, keep_passed=True)
    check_findings(result, snap)


@share(1 / 3)
@given(snapshots(), st.data())
def test_evaluation_never_crashes_at_earlier_dates(snap, data):
    date = data.draw(st.dates(dt.date(snap.mechanism.year_one - 2, 1, 1),
                              snap.as_of + dt.timedelta(days=800)))
    judged = judge_at(snap, date)
    check_findings(evaluate(shipped(), judged, keep_passed=True), judged)


# --------------------------------------------------------------------------------------
# (c) monotonicity: judged later, a deadline never moves backwards

EXTRA_DEADLINES = """\
rule saq-within
  cites para 26
  for each review in reviews
  shall review.saq.received within saq_period after review.draw.date

rule desk-review-within
  cites para 29
  for each review in reviews
  shall review.desk_review.submitted within desk_review_period after review.saq.received

rule draft-within
  cites para 33
  for each review in reviews
  should review.report.draft within draft_report_period after review.draw.date

rule consultations-before
  cites para 23
  for each review in reviews
  shall review.draw.date no later than 3 weeks before review.consultations.date

rule ngo-confirms
  cites para 53(e)
  for each briefing in briefings, ngo in briefing.ngos
  shall ngo.confirmed no later than ngo_confirmation_period before briefing.date

rule finalized-by-phase-end
  cites para 21
  for each review in reviews
  shall review.report.finalized by phase_end(review.phase)

rule summary-by
  cites para 36
  for each review in reviews
  should review.report.summary_issued by 2022-06-30
"""


@functools.lru_cache(maxsize=None)
def extra():
    return build_ruleset([("extra.rules", EXTRA_DEADLINES)], PARAMS_TEXT,
                         "rules/parameters.yaml")


def deadline_statuses(snap) -> dict[str, tuple[str, str | None]]:
    """(status, due date) of every deadline finding, keyed by rule set and finding id."""
    out = {}
    for rs in (shipped(), extra()):
        deadline_rules = {r.id for r in rs.rules if isinstance(r.assertion, ast.Deadline)}
        for f in evaluate(rs, snap, keep_passed=True).findings:
            if f.rule in deadline_rules:
                out[f"{'extra' if rs is extra() else 'shipped'}:{f.id}"] = (f.status, f.due)
    return out


@share(1 / 3)
@given(snapshots(), st.data())
def test_deadlines_are_monotone_in_the_date_judged(snap, data):
    """Judged later, a deadline never moves backwards: met stays met, overdue does not
    become pending, late stays late.

    This holds while the deadline's clock stays where it was: a rule may restart its clock
    when a later fact arrives (desk-review-in-one-month counts from the last supplementary
    information), and then an overdue desk review is rightly pending again. So findings
    are compared when their due date is the same at both dates; for the rules of
    EXTRA_DEADLINES, whose clocks start at a recorded date that never changes, it must
    always be the same once set.
    """
    lo = dt.date(snap.mechanism.year_one - 1, 1, 1)
    hi = snap.as_of + dt.timedelta(days=800)
    d1 = data.draw(st.dates(lo, hi), label="d1")
    d2 = data.draw(st.dates(d1, hi), label="d2")
    early = deadline_statuses(judge_at(snap, d1))
    late = deadline_statuses(judge_at(snap, d2))
    for fid in early.keys() & late.keys():
        (before, due1), (after, due2) = early[fid], late[fid]
        if fid.startswith("extra:") and due1 is not None:
            assert due2 == due1, (fid, d1, d2, due1, due2)
        if due1 != due2:
            continue
        if before == "passed":
            assert after not in ("late", "overdue"), (fid, d1, d2, before, after)
        if before == "overdue":
            assert after != "pending", (fid, d1, d2, before, after)
        if before == "late":
            assert after in ("late", "excepted"), (fid, d1, d2, before, after)


def test_the_generator_reaches_every_deadline_status():
    """A sanity check of the generator: deadlines of every outcome do come out."""
    seen: set[str] = set()

    @given(snapshots())
    def collect(snap):
        seen.update(status for status, _ in deadline_statuses(snap).values())

    collect()
    assert {"passed", "pending"} <= seen
    assert seen & {"late", "overdue"}


@pytest.mark.parametrize("name,text", RULE_TEXTS)
def test_shipped_rule_files_reparse_from_their_own_spans(name, text):
    """Every rule of a shipped file parses alone from the text its span covers."""
    f = parse_rules(text, name)
    for r in f.rules:
        (again,) = parse_rules(text[r.span.start:r.span.end], name).rules
        assert again.id == r.id and again.modality == r.modality


# --------------------------------------------------------------------------------------
# (e) the reports: `explain` agrees with `check`, and every format renders every report


@share(1 / 6)
@given(snapshots())
def test_explain_gives_the_finding_check_gives(snap):
    from revmech.engine.explain import explain
    from revmech.engine.reporters.explain import render_text

    result = evaluate(shipped(), snap)
    shown = [f for f in result.findings if f.status != "passed"][:12]
    for f in shown:
        subject = "/".join(str(v) for _, v in f.subject)
        rx = explain(shipped(), f.rule, snap, subject)
        assert f in [e.finding for e in rx.bindings if e.applies], f.id
        render_text(rx, {})


@share(1 / 6)
@given(snapshots())
def test_every_format_renders_every_report(snap):
    import json
    import xml.etree.ElementTree as ET

    from revmech.engine.aggregate import aggregate
    from revmech.engine.check import Report
    from revmech.engine.deadlines import deadlines, parse_window
    from revmech.engine.reporters import FORMATS
    from revmech.engine.reporters.aggregate import FORMATS as AGGREGATE
    from revmech.engine.reporters.deadlines import FORMATS as DEADLINES

    report = Report(shipped(), (evaluate(shipped(), snap, keep_passed=True),), True)
    for name, render in FORMATS.items():
        out = render(report)
        assert out.endswith("\n")
        if name in ("json", "sarif"):
            json.loads(out)
        elif name == "junit":
            ET.fromstring(out.encode())
    for render in AGGREGATE.values():
        render(aggregate(report))
    window = parse_window("1y")
    for render in DEADLINES.values():
        render(deadlines(report, window), window)
