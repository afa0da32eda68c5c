"""The snapshot loader: strict, located diagnostics; the model it builds; judge_at."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
import yaml

from revmech.engine import loader
from revmech.engine.errors import Loc, SnapshotError
from revmech.engine.loader import compose, judge_at, load_snapshot, snapshot_from_node
from revmech.engine.model import State

PHASE_YEARS = {0: (1, 2), 1: (3, 6), 2: (7, 10)}
NAME = "snap.yaml"

# A small valid snapshot: four States and the European Union, one review recorded in
# full (design.md's example), one only allotted. Error cases are small edits of it.
BASE = """\
format: revmech/snapshot@1
as_of: 2026-10-01
mechanism:
  year_one: 2019

states:
  AUT:
    name: Austria
    kind: state
    regional_group: WEOG
    legal_system: civil law
    uncac: {status: party, since: 2006-01-11}
    instruments:
      convention: {status: party, since: 2004-09-23}
      trafficking: {status: party, since: 2005-11-15}
      firearms: {status: signatory, since: 2001-11-15}
    focal_point: {name: "Federal Ministry of Justice", listed: 2020-02-01}
  DEU:
    name: Germany
    regional_group: WEOG
    legal_system: civil law
    instruments:
      convention: {status: party, since: 2006-06-14}
  EGY:
    name: Egypt
    regional_group: African
    legal_system: civil law
    instruments:
      convention: {status: party, since: 2004-03-05}
  FRA:
    name: France
    regional_group: WEOG
    instruments:
      convention: {status: party, since: 2002-10-29}
  EUU:
    name: European Union
    kind: organization
    regional_group: null
    instruments:
      convention: {status: party, since: 2004-05-21}

experts:
  - id: AUT-c-1
    state: AUT
    instrument: convention
    name: "A. Expert"
    expertise: [mutual legal assistance]
    listed: 2020-02-01
    withdrawn: 2025-06-30
  - id: DEU-c-1
    state: DEU
    instrument: convention
    listed: 2020-03-01

questionnaires:
  - {instrument: convention, cluster: criminalization, finalized: 2020-10-15}

phases:
  - number: 1
    allotments:
      - {instrument: convention, date: 2021-01-20}

reviews:
  - id: AUT-convention-1
    state: AUT
    instrument: convention
    phase: 1
    year: 3
    voluntary: false
    articles: ["2", "5", "6", 10, 12]
    draw:
      date: 2021-03-10
      meeting:
        working_groups: [international_cooperation, technical_assistance]
        intersessional: true
        open_to_all: true
      reviewers: [DEU, EGY]
      redraws: {AUT: 1}
      exceptional_circumstances: false
    consultations: {date: 2021-03-25, languages: [en, fr], agreed_by: [AUT, DEU, EGY]}
    saq: {received: 2021-06-01, complete: true, supplementary: [2021-06-20, 2022-01-10]}
    desk_review: {submitted: 2021-07-15}
    country_visit: {date: 2021-09-14, agreed_by_state: true, funding: voluntary}
    disclosures:
      - {what: saq, by: DEU, to: FRA, date: 2021-07-01}
    report:
      draft: 2021-08-30
      finalized: 2021-12-01
      agreed_by: [AUT, DEU, EGY]
      communicated: 2021-12-03
      contents: [executive_summary, successes, good_practices, challenges, observations]
      summary_languages: [ar, zh, en, fr, ru, es]
      summary_issued: 2022-02-15
      releases:
        - {by: AUT, to: public, date: 2022-02-01}
      access_requests:
        - {by: FRA, date: 2022-03-01, granted: true, answered: 2022-03-10}
      translations: [{language: de, requested_by: AUT, funding_sought: true}]
    follow_up: [{submitted: 2024-05-02}]
  - id: DEU-convention-1
    state: DEU
    instrument: convention
    phase: 1
    year: 4

deferrals:
  - {state: DEU, year: 4, role: reviewer, instrument: convention}

conference_decisions:
  - {decision: launch_before_completion, phase: 2, date: 2024-10-15}

conference_sessions:
  - {number: 10, opened: 2020-10-12}
  - {number: 11, opened: 2022-10-17}

briefings:
  - date: 2022-06-01
    working_group: trafficking
    margins_of_meeting: true
    convened_by: [secretariat, bureau]
    requested_by_president: true
    open_to: [member_states, intergovernmental_organizations]
    mentions_country: false
    ngos:
      - {name: "Alpha Watch", status: ecosoc, admitted_session: 10, invited: true,
         attended: true, confirmed: 2022-05-15, summary: {submitted_as: conference_room_paper}}
      - {name: "Beta Forum", status: other, admitted_session: 10, invited: true,
         attended: true, confirmed: 2022-05-20, objection: {raised: true, bureau_decision: admitted}}
"""


def edited(edits: list[tuple[str, str]]) -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    return text


def load(text: str, name: str = NAME):
    root, source = compose(text, name=name)
    return snapshot_from_node(root, source, file=name, phase_years=PHASE_YEARS)


def errors(text: str, name: str = NAME) -> list[str]:
    """The first line of each rendered diagnostic."""
    with pytest.raises(SnapshotError) as info:
        load(text, name)
    return [d.render().splitlines()[0] for d in info.value.diagnostics]


# --------------------------------------------------------------------------------------
# error cases: an edit of BASE and the first diagnostic it must produce, exactly

ERROR_CASES = [
    pytest.param(
        [('    name: Austria\n', '    nmae: Austria\n')],
        "snap.yaml:8:5: error: states.AUT: unknown key 'nmae' (did you mean 'name'?)",
        id='unknown-key'),
    pytest.param(
        [('deferrals:\n', 'deferals:\n')],
        "snap.yaml:106:1: error: unknown key 'deferals' (did you mean 'deferrals'?)",
        id='unknown-top-key'),
    pytest.param(
        [('    listed: 2020-03-01\n', '')],
        "snap.yaml:50:5: error: experts[DEU-c-1]: missing required key 'listed'",
        id='missing-required'),
    pytest.param(
        [('as_of: 2026-10-01\n', '')],
        "snap.yaml:1:1: error: missing required key 'as_of'",
        id='missing-as-of'),
    pytest.param(
        [('  year_one: 2019\n', '  year_zero: 2019\n')],
        "snap.yaml:4:3: error: mechanism: unknown key 'year_zero' (did you mean 'year_one'?)",
        id='missing-year-one'),
    pytest.param(
        [('mechanism:\n  year_one: 2019\n', '')],
        "snap.yaml:1:1: error: missing required key 'mechanism'",
        id='missing-mechanism'),
    pytest.param(
        [('consultations: {date: 2021-03-25', 'consultations: {date: 2021-02-30')],
        "snap.yaml:80:27: error: reviews[AUT-convention-1].consultations.date: expected a date YYYY-MM-DD, got '2021-02-30' (no such day)",
        id='no-such-day'),
    pytest.param(
        [('consultations: {date: 2021-03-25', "consultations: {date: '2021-13-01'")],
        "snap.yaml:80:27: error: reviews[AUT-convention-1].consultations.date: expected a date YYYY-MM-DD, got '2021-13-01' (no such month)",
        id='no-such-month'),
    pytest.param(
        [('      date: 2021-03-10\n', '      date: 2021-3-10\n')],
        "snap.yaml:72:13: error: reviews[AUT-convention-1].draw.date: expected a date YYYY-MM-DD, got '2021-3-10'",
        id='malformed-date'),
    pytest.param(
        [('      date: 2021-03-10\n', '      date: 2021-03-10 10:00:00\n')],
        "snap.yaml:72:13: error: reviews[AUT-convention-1].draw.date: expected a date YYYY-MM-DD, got '2021-03-10 10:00:00'",
        id='datetime'),
    pytest.param(
        [('    listed: 2020-03-01\n', '    listed: 2020\n')],
        "snap.yaml:53:13: error: experts[DEU-c-1].listed: expected a date YYYY-MM-DD, got '2020'",
        id='date-number'),
    pytest.param(
        [('    year: 3\n', '    year: "3"\n')],
        "snap.yaml:68:11: error: reviews[AUT-convention-1].year: expected a whole number, got the text '3' (remove the quotes)",
        id='quoted-number'),
    pytest.param(
        [('    year: 3\n', '    year: 3.5\n')],
        "snap.yaml:68:11: error: reviews[AUT-convention-1].year: expected a whole number, got '3.5'",
        id='float-number'),
    pytest.param(
        [('    year: 3\n', '    year: true\n')],
        "snap.yaml:68:11: error: reviews[AUT-convention-1].year: expected a whole number, got 'true'",
        id='bool-number'),
    pytest.param(
        [('redraws: {AUT: 1}', 'redraws: {AUT: -1}')],
        'snap.yaml:78:22: error: reviews[AUT-convention-1].draw.redraws.AUT: expected a whole number, got -1 (negative)',
        id='negative-number'),
    pytest.param(
        [('  year_one: 2019\n', '  year_one: 0x7e3\n')],
        "snap.yaml:4:13: error: mechanism.year_one: expected a whole number, got '0x7e3'",
        id='hex-number'),
    pytest.param(
        [('    voluntary: false\n', '    voluntary: yes\n')],
        "snap.yaml:69:16: error: reviews[AUT-convention-1].voluntary: expected true or false, got 'yes'",
        id='yes-boolean'),
    pytest.param(
        [('    voluntary: false\n', '    voluntary: "false"\n')],
        "snap.yaml:69:16: error: reviews[AUT-convention-1].voluntary: expected true or false, got the text 'false'",
        id='quoted-boolean'),
    pytest.param(
        [('    name: Austria\n', '    name: true\n')],
        'snap.yaml:8:11: error: states.AUT.name: expected text, got true (quote it to write it as text)',
        id='bool-text'),
    pytest.param(
        [('    name: Austria\n', '    name: 1.5\n')],
        'snap.yaml:8:11: error: states.AUT.name: expected text, got the number 1.5 (quote it to write it as text)',
        id='float-text'),
    pytest.param(
        [('    name: Austria\n', '    name: [Austria]\n')],
        'snap.yaml:8:11: error: states.AUT.name: expected text, got a list',
        id='list-text'),
    pytest.param(
        [('    kind: state\n', '    kind: stat\n')],
        "snap.yaml:9:11: error: states.AUT.kind: expected one of 'state', 'organization', got 'stat' (did you mean 'state'?)",
        id='choice'),
    pytest.param(
        [('    regional_group: African\n', '    regional_group: Africa\n')],
        "snap.yaml:26:21: error: states.EGY.regional_group: expected one of 'African', 'Asia-Pacific', 'Eastern European', 'GRULAC', 'WEOG', got 'Africa' (did you mean 'African'?)",
        id='choice-group'),
    pytest.param(
        [('working_groups: [international_cooperation,', 'working_groups: [international_coperation,')],
        "snap.yaml:74:26: error: reviews[AUT-convention-1].draw.meeting.working_groups[0]: expected one of 'international_cooperation', 'technical_assistance', 'trafficking', 'smuggling', 'firearms', got 'international_coperation' (did you mean 'international_cooperation'?)",
        id='choice-in-list'),
    pytest.param(
        [('languages: [en, fr]', 'languages: [en, FR]')],
        "snap.yaml:80:55: error: reviews[AUT-convention-1].consultations.languages[1]: expected a two-letter language code (ISO 639-1, e.g. 'en'), got 'FR'",
        id='language'),
    pytest.param(
        [('language: de,', 'language: deu,')],
        "snap.yaml:98:33: error: reviews[AUT-convention-1].report.translations[0].language: expected a two-letter language code (ISO 639-1, e.g. 'en'), got 'deu'",
        id='language-translation'),
    pytest.param(
        [('  - id: DEU-convention-1\n    state: DEU\n', '  - id: DEU-convention-1\n    state: XYZ\n')],
        "snap.yaml:101:12: error: reviews[DEU-convention-1].state: unknown State 'XYZ'",
        id='unknown-state'),
    pytest.param(
        [('reviewers: [DEU, EGY]', 'reviewers: [DEU, EGX]')],
        "snap.yaml:77:24: error: reviews[AUT-convention-1].draw.reviewers[1]: unknown State 'EGX' (did you mean 'EGY'?)",
        id='unknown-reviewer'),
    pytest.param(
        [('redraws: {AUT: 1}', 'redraws: {AUX: 1}')],
        "snap.yaml:78:17: error: reviews[AUT-convention-1].draw.redraws: unknown State 'AUX' (did you mean 'AUT'?)",
        id='unknown-redraw-state'),
    pytest.param(
        [('to: public,', 'to: pubic,')],
        "snap.yaml:95:25: error: reviews[AUT-convention-1].report.releases[0].to: expected a State id or one of 'secretariat', 'public', got 'pubic' (did you mean 'public'?)",
        id='actor-label'),
    pytest.param(
        [('to: public,', 'to: null,')],
        "snap.yaml:95:25: error: reviews[AUT-convention-1].report.releases[0].to: expected a State id or one of 'secretariat', 'public', got null",
        id='actor-null'),
    pytest.param(
        [('  FRA:\n', '  Fra:\n')],
        "snap.yaml:30:3: error: states: expected a State id of three upper-case letters (ISO 3166-1 alpha-3), got 'Fra'",
        id='state-id'),
    pytest.param(
        [('      trafficking: {status: party', '      trafficing: {status: party')],
        "snap.yaml:15:7: error: states.AUT.instruments: unknown instrument 'trafficing' (did you mean 'trafficking'?): expected one of 'convention', 'trafficking', 'smuggling', 'firearms'",
        id='unknown-instrument'),
    pytest.param(
        [('  - id: DEU-convention-1\n    state: DEU\n', '  - id: DEU-convention-1\n    state: null\n')],
        'snap.yaml:101:12: error: reviews[DEU-convention-1].state: expected a State id, got null',
        id='null-required'),
    pytest.param(
        [('reviewers: [DEU, EGY]', 'reviewers: [DEU, ~]')],
        'snap.yaml:77:24: error: reviews[AUT-convention-1].draw.reviewers[1]: expected a State id, got null',
        id='null-item'),
    pytest.param(
        [('    desk_review: {submitted: 2021-07-15}\n', '    desk_review: 2021-07-15\n')],
        "snap.yaml:82:18: error: reviews[AUT-convention-1].desk_review: expected a mapping, got '2021-07-15'",
        id='mapping-expected'),
    pytest.param(
        [('    expertise: [mutual legal assistance]\n', '    expertise: mutual legal assistance\n')],
        "snap.yaml:47:16: error: experts[AUT-c-1].expertise: expected a list, got 'mutual legal assistance'",
        id='list-expected'),
    pytest.param(
        [('      exceptional_circumstances: false\n', '      exceptional_circumstance: false\n')],
        "snap.yaml:79:7: error: reviews[AUT-convention-1].draw: unknown key 'exceptional_circumstance' (did you mean 'exceptional_circumstances'?)",
        id='nested-unknown-key'),
    pytest.param(
        [('    legal_system: civil law\n    uncac:', '    legal_system: civil law\n    name: Österreich\n    uncac:')],
        "snap.yaml:12:5: error: states.AUT: duplicate key 'name' (first at line 8)",
        id='duplicate-key'),
    pytest.param(
        [('  EUU:\n', '  FRA:\n')],
        "snap.yaml:35:3: error: states: duplicate key 'FRA' (first at line 30)",
        id='duplicate-state-key'),
    pytest.param(
        [('  - id: DEU-c-1\n', '  - id: AUT-c-1\n')],
        "snap.yaml:50:5: error: experts[AUT-c-1]: duplicate expert id 'AUT-c-1' (first at line 43)",
        id='duplicate-expert'),
    pytest.param(
        [('  - id: DEU-convention-1\n', '  - id: AUT-convention-1\n')],
        "snap.yaml:100:5: error: reviews[AUT-convention-1]: duplicate review id 'AUT-convention-1' (first at line 64)",
        id='duplicate-review'),
    pytest.param(
        [('    allotments:\n      - {instrument: convention, date: 2021-01-20}\n', '    allotments:\n      - {instrument: convention, date: 2021-01-20}\n  - number: 1\n')],
        'snap.yaml:62:5: error: phases[1]: duplicate phase number 1 (first at line 59)',
        id='duplicate-phase'),
    pytest.param(
        [('{number: 11, opened', '{number: 10, opened')],
        'snap.yaml:114:5: error: conference_sessions[1]: duplicate session number 10 (first at line 113)',
        id='duplicate-session'),
    pytest.param(
        [('name: "Beta Forum"', 'name: "Alpha Watch"')],
        "snap.yaml:127:9: error: briefings[2022-06-01].ngos[Alpha Watch]: duplicate NGO 'Alpha Watch' in this briefing (first at line 125)",
        id='duplicate-ngo'),
    pytest.param(
        [('briefings:\n', 'briefings:\n  - {date: 2022-06-01, working_group: trafficking}\n')],
        'snap.yaml:118:5: error: briefings[2022-06-01]: duplicate briefing on 2022-06-01 for working group trafficking (first at line 117)',
        id='duplicate-briefing'),
    pytest.param(
        [('reviewers: [DEU, EGY]', 'reviewers: &r [DEU, EGY]'), ('agreed_by: [AUT, DEU, EGY]}', 'agreed_by: *r}')],
        "snap.yaml:80:71: error: YAML alias '*r' is not allowed: write the value out in full (aliases can make a small file expand enormously)",
        id='alias'),
    pytest.param(
        [('    name: Austria\n', '    name: &n Austria\n'), ('    name: Germany\n', '    name: *n\n')],
        "snap.yaml:19:11: error: YAML alias '*n' is not allowed: write the value out in full (aliases can make a small file expand enormously)",
        id='scalar-alias'),
    pytest.param(
        [('    follow_up: [{submitted: 2024-05-02}]\n', '    follow_up: [{<<: {submitted: 2024-05-02}}]\n')],
        "snap.yaml:99:17: error: reviews[AUT-convention-1].follow_up[0]: missing required key 'submitted'",
        id='merge-key'),
    pytest.param(
        [('    name: Austria\n', '    name: !foo Austria\n')],
        "snap.yaml:8:11: error: states.AUT.name: unsupported YAML tag '!foo': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)",
        id='custom-tag'),
    pytest.param(
        [('    name: Austria\n', '    name: !!python/object/apply:os.system [ls]\n')],
        "snap.yaml:8:11: error: states.AUT.name: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)",
        id='python-tag'),
    pytest.param(
        [('    name: Austria\n', '    name: !!binary aGVsbG8=\n')],
        "snap.yaml:8:11: error: states.AUT.name: unsupported YAML tag 'tag:yaml.org,2002:binary': expected plain YAML values (text, numbers, dates, true/false, lists, mappings)",
        id='binary-tag'),
    pytest.param(
        [('      date: 2021-03-10\n', '      date: 2027-01-05\n')],
        'snap.yaml:72:13: error: reviews[AUT-convention-1].draw.date: 2027-01-05 is after as_of 2026-10-01',
        id='after-as-of'),
    pytest.param(
        [('supplementary: [2021-06-20, 2022-01-10]', 'supplementary: [2021-06-20, 2026-10-02]')],
        'snap.yaml:81:77: error: reviews[AUT-convention-1].saq.supplementary[1]: 2026-10-02 is after as_of 2026-10-01',
        id='after-as-of-list'),
    pytest.param(
        [('focal_point: {name: "Federal Ministry of Justice", listed: 2020-02-01}', 'focal_point: {name: "Federal Ministry of Justice", listed: 2026-12-01}')],
        'snap.yaml:17:64: error: states.AUT.focal_point.listed: 2026-12-01 is after as_of 2026-10-01',
        id='after-as-of-state'),
    pytest.param(
        [('    year: 3\n', '    year: 7\n')],
        'snap.yaml:68:11: error: reviews[AUT-convention-1].year: year 7 is not in phase 1 (years 3-6)',
        id='year-outside-phase'),
    pytest.param(
        [('    year: 3\n', '    year: 0\n')],
        'snap.yaml:68:11: error: reviews[AUT-convention-1].year: expected a mechanism year of 1 or more, got 0',
        id='year-zero'),
    pytest.param(
        [('    phase: 1\n    year: 3\n', '    phase: 0\n    year: 3\n')],
        'snap.yaml:67:12: error: reviews[AUT-convention-1].phase: phase 0 is the preparatory phase, not a review phase (review phases: 1, 2)',
        id='phase-zero'),
    pytest.param(
        [('    phase: 1\n    year: 3\n', '    phase: 3\n    year: 3\n')],
        'snap.yaml:67:12: error: reviews[AUT-convention-1].phase: unknown review phase 3 (review phases: 1, 2)',
        id='phase-unknown'),
    pytest.param(
        [('  - number: 1\n', '  - number: 4\n')],
        'snap.yaml:59:13: error: phases[0].number: unknown review phase 4 (review phases: 1, 2)',
        id='phase-record-unknown'),
    pytest.param(
        [('      convention: {status: party, since: 2004-03-05}\n', '      convention: {status: signatory, since: 2000-12-13}\n      smuggling: {status: party, since: 2005-03-05}\n')],
        'snap.yaml:30:7: error: states.EGY.instruments.smuggling: party to the Smuggling of Migrants Protocol but not to the Convention (UNTOC art. 37(2): only a party to the Convention can be party to a Protocol)',
        id='treaty-integrity'),
    pytest.param(
        [('      convention: {status: party, since: 2002-10-29}\n', '      firearms: {status: party, since: 2019-05-28}\n')],
        'snap.yaml:34:7: error: states.FRA.instruments.firearms: party to the Firearms Protocol but not to the Convention (UNTOC art. 37(2): only a party to the Convention can be party to a Protocol)',
        id='treaty-integrity-absent'),
    pytest.param(
        [('format: revmech/snapshot@1\n', 'format: revmech/snapshot@2\n')],
        "snap.yaml:1:9: error: format: unsupported snapshot format version 'revmech/snapshot@2': this revmech reads 'revmech/snapshot@1'",
        id='format-version'),
    pytest.param(
        [('format: revmech/snapshot@1\n', 'format: revmech/cases@1\n')],
        "snap.yaml:1:9: error: format: expected 'revmech/snapshot@1', got 'revmech/cases@1'",
        id='format-other'),
    pytest.param(
        [('format: revmech/snapshot@1\n', '')],
        "snap.yaml:1:1: error: missing required key 'format' (expected 'format: revmech/snapshot@1')",
        id='format-missing'),
    pytest.param(
        [('format: revmech/snapshot@1\n', 'format: 1\n')],
        "snap.yaml:1:9: error: format: expected 'revmech/snapshot@1', got '1'",
        id='format-number'),
    pytest.param(
        [('    working_group: trafficking\n', '    working_group: trafficking_wg\n')],
        "snap.yaml:118:20: error: briefings[2022-06-01].working_group: expected one of 'international_cooperation', 'technical_assistance', 'trafficking', 'smuggling', 'firearms', got 'trafficking_wg' (did you mean 'trafficking'?)",
        id='briefing-wg'),
]


@pytest.mark.parametrize("edits, first", ERROR_CASES)
def test_error_case(edits, first):
    assert errors(edited(edits))[0] == first


def test_unknown_key_reports_the_missing_required_key_too():
    assert errors(edited([("    name: Austria\n", "    nmae: Austria\n")])) == [
        "snap.yaml:8:5: error: states.AUT: unknown key 'nmae' (did you mean 'name'?)",
        "snap.yaml:8:5: error: states.AUT: missing required key 'name'",
    ]


def test_all_errors_are_collected_and_sorted_by_location():
    text = edited([
        ("    year: 3\n", "    year: 7\n"),  # line 68
        ("    name: Austria\n", "    name: [Austria]\n"),  # line 8
        ("      date: 2021-03-10\n", "      date: 2027-01-05\n"),  # line 72
        ("  - id: DEU-c-1\n", "  - id: AUT-c-1\n"),  # line 50
    ])
    assert errors(text) == [
        "snap.yaml:8:11: error: states.AUT.name: expected text, got a list",
        "snap.yaml:50:5: error: experts[AUT-c-1]: duplicate expert id 'AUT-c-1' "
        "(first at line 43)",
        "snap.yaml:68:11: error: reviews[AUT-convention-1].year: year 7 is not in phase 1 "
        "(years 3-6)",
        "snap.yaml:72:13: error: reviews[AUT-convention-1].draw.date: 2027-01-05 is after "
        "as_of 2026-10-01",
    ]


def test_a_bad_state_entry_does_not_cascade_into_unknown_references():
    # FRA's entry is not a mapping: the references to FRA are not reported again
    text = edited([("  FRA:\n    name: France\n    regional_group: WEOG\n    instruments:\n"
                    "      convention: {status: party, since: 2002-10-29}\n",
                    "  FRA: France\n")])
    assert errors(text) == ["snap.yaml:30:8: error: states.FRA: expected a mapping, "
                            "got 'France'"]


def test_diagnostic_renders_source_line_and_caret():
    text = edited([("consultations: {date: 2021-03-25", "consultations: {date: 2021-02-30")])
    with pytest.raises(SnapshotError) as info:
        load(text)
    assert info.value.render() == (
        "snap.yaml:80:27: error: reviews[AUT-convention-1].consultations.date: expected a "
        "date YYYY-MM-DD, got '2021-02-30' (no such day)\n"
        "        consultations: {date: 2021-02-30, languages: [en, fr], agreed_by: [AUT, DEU, "
        "EGY]}\n"
        "                              ^")


def test_wrong_format_version_stops_before_anything_else():
    text = edited([("format: revmech/snapshot@1\n", "format: revmech/snapshot@2\n"),
                   ("    name: Austria\n", "    nmae: Austria\n")])
    assert errors(text) == [
        "snap.yaml:1:9: error: format: unsupported snapshot format version "
        "'revmech/snapshot@2': this revmech reads 'revmech/snapshot@1'"]


@pytest.mark.parametrize("text, first", [
    pytest.param("- a\n- b\n", "x.yaml:1:1: error: expected a mapping at the top level "
                 "(format: revmech/snapshot@1, as_of: ..., mechanism: ..., states: ...), "
                 "got a list", id="list"),
    pytest.param("just text\n", "x.yaml:1:1: error: expected a mapping at the top level "
                 "(format: revmech/snapshot@1, as_of: ..., mechanism: ..., states: ...), "
                 "got 'just text'", id="scalar"),
])
def test_top_level_must_be_a_mapping(text, first):
    assert errors(text, "x.yaml")[0] == first


# --------------------------------------------------------------------------------------
# compose: reading and parsing errors never escape as yaml or OS exceptions

@pytest.mark.parametrize("text, first", [
    pytest.param("a: [1, 2\nb: 3\n",
                 "x.yaml:2:2: error: invalid YAML: did not find expected ',' or ']' "
                 "(while parsing a flow sequence at line 1, column 4)", id="flow"),
    pytest.param("a: b: c\n", "x.yaml:1:5: error: invalid YAML: mapping values are not "
                 "allowed in this context", id="mapping-values"),
    pytest.param("a: 1\n---\nb: 2\n", "x.yaml:2:1: error: expected a single YAML "
                 "document, but found another document", id="two-documents"),
    pytest.param("", "x.yaml:1:1: error: no YAML document (the file is empty or only "
                 "comments): expected a mapping", id="empty"),
    pytest.param("# nothing\n", "x.yaml:1:1: error: no YAML document (the file is empty "
                 "or only comments): expected a mapping", id="only-comments"),
    pytest.param('a: "x\0"\n', "x.yaml:1:6: error: invalid YAML: character #x0000 is not "
                 "allowed in YAML (control characters are not allowed)", id="control-char"),
    pytest.param("a:\n  b: " + "[" * 70 + "]" * 70 + "\n",
                 "x.yaml:2:68: error: nesting deeper than 64 levels (lists and mappings "
                 "inside each other): no revmech input is this deep", id="deep"),
    pytest.param("a: &x [1, 2]\nb: *x\n",
                 "x.yaml:2:4: error: YAML alias '*x' is not allowed: write the value out in "
                 "full (aliases can make a small file expand enormously)", id="alias"),
])
def test_compose_errors(text, first):
    with pytest.raises(SnapshotError) as info:
        compose(text, name="x.yaml")
    assert info.value.diagnostics[0].render().splitlines()[0] == first


def test_compose_accepts_64_levels():
    root, _ = compose("a: " + "[" * 63 + "]" * 63 + "\n", name="x.yaml")
    assert isinstance(root, yaml.MappingNode)


def test_alias_bomb_is_refused_quickly():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 12)]
    with pytest.raises(SnapshotError) as info:
        compose("\n".join(lines) + "\n", name="bomb.yaml")
    assert len(info.value.diagnostics) == 99
    assert info.value.diagnostics[0].message.startswith("YAML alias '*a0' is not allowed")


def test_compose_reads_files(tmp_path):
    path = tmp_path / "cycle.yaml"
    path.write_text(BASE, encoding="utf-8")
    root, source = compose(str(path))
    assert source == BASE
    assert root.start_mark.name == str(path)
    snapshot = load_snapshot(str(path), phase_years=PHASE_YEARS)
    assert snapshot.file == str(path)
    assert snapshot.states["AUT"].loc == Loc(str(path), 7, 3)


def test_compose_strips_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    _, source = compose(str(path))
    assert source == BASE


@pytest.mark.parametrize("setup, message", [
    pytest.param(lambda p: None, "cannot read '{p}': no such file", id="missing"),
    pytest.param(lambda p: p.mkdir(), "cannot read '{p}': it is a directory, expected a "
                 "YAML file", id="directory"),
])
def test_compose_file_errors(tmp_path, setup, message):
    path = tmp_path / "cycle.yaml"
    setup(path)
    with pytest.raises(SnapshotError) as info:
        compose(str(path))
    assert info.value.render() == "error: " + message.format(p=path)


def test_compose_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"format: x\nname: caf\xe9\n")
    with pytest.raises(SnapshotError) as info:
        compose(str(path))
    assert info.value.diagnostics[0].render().splitlines()[0] == (
        f"{path}:2:10: error: not UTF-8 text: byte 0xe9 cannot be decoded (expected a UTF-8 "
        "encoded YAML file)")


def test_compose_too_large(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(SnapshotError) as info:
        compose(str(path))
    assert "too large" in info.value.message
    with pytest.raises(SnapshotError):
        compose("a: " + "x" * 200 + "\n", name="big.yaml")


def test_compose_falls_back_to_the_python_loader(monkeypatch):
    monkeypatch.setattr(loader, "_YAML_LOADER", yaml.SafeLoader)
    snapshot = load(BASE)
    assert snapshot.reviews[0].loc == Loc(NAME, 64, 5)
    with pytest.raises(SnapshotError) as info:
        compose("a: " + "[" * 2000 + "]" * 2000 + "\n", name="x.yaml")
    assert "nest" in info.value.message


def test_walker_refuses_a_node_reached_twice():
    # a tree patched in memory (as rule cases do) may share a node without any alias
    root, source = compose(BASE, name=NAME)
    review = _value(root, "reviews").value[0]
    draw = _value(review, "draw")
    reviewers = _value(draw, "reviewers")
    consultations = _value(review, "consultations")
    consultations.value = [(k, reviewers if k.value == "agreed_by" else v)
                           for k, v in consultations.value]
    with pytest.raises(SnapshotError) as info:
        snapshot_from_node(root, source, file=NAME, phase_years=PHASE_YEARS)
    assert info.value.diagnostics[0].render().splitlines()[0] == (
        "snap.yaml:77:18: error: reviews[AUT-convention-1].consultations.agreed_by: the same "
        "YAML node is used twice (a YAML alias): aliases are not allowed, write the value "
        "out in full")


# --------------------------------------------------------------------------------------
# the model built from a valid snapshot

def _value(mapping: yaml.MappingNode, key: str) -> yaml.Node:
    return next(v for k, v in mapping.value if k.value == key)


@pytest.fixture(scope="module")
def snapshot():
    return load(BASE)


def test_top_level(snapshot):
    assert snapshot.format == "revmech/snapshot@1"
    assert snapshot.as_of == dt.date(2026, 10, 1)
    assert snapshot.mechanism.year_one == 2019
    assert snapshot.file == NAME
    assert snapshot.loc == Loc(NAME, 1, 1)
    assert list(snapshot.states) == ["AUT", "DEU", "EGY", "FRA", "EUU"]  # YAML order


def test_states(snapshot):
    aut = snapshot.states["AUT"]
    assert isinstance(aut, State)
    assert (aut.id, aut.name, aut.kind, aut.regional_group, aut.legal_system) == (
        "AUT", "Austria", "state", "WEOG", "civil law")
    assert aut.loc == Loc(NAME, 7, 3)  # the key `AUT:`
    assert aut.uncac.status == "party" and aut.uncac.since == dt.date(2006, 1, 11)
    assert list(aut.instruments) == ["convention", "trafficking", "firearms"]
    assert aut.instruments["firearms"].status == "signatory"
    assert aut.instruments["trafficking"].loc == Loc(NAME, 15, 7)  # its key
    assert aut.uncac.loc == Loc(NAME, 12, 12)  # the mapping
    assert aut.focal_point.listed == dt.date(2020, 2, 1)
    assert snapshot.states["DEU"].kind == "state"  # default
    assert snapshot.states["FRA"].legal_system is None and snapshot.states["FRA"].uncac is None
    euu = snapshot.states["EUU"]
    assert euu.kind == "organization" and euu.regional_group is None


def test_references_are_the_state_objects(snapshot):
    states = snapshot.states
    review = snapshot.reviews[0]
    assert review.state is states["AUT"]
    assert review.draw.reviewers == (states["DEU"], states["EGY"])
    assert all(a is b for a, b in zip(review.draw.reviewers, (states["DEU"], states["EGY"])))
    [(requester, count)] = review.draw.redraws.items()
    assert requester is states["AUT"] and count == 1
    assert [s.id for s in review.consultations.agreed_by] == ["AUT", "DEU", "EGY"]
    assert review.consultations.agreed_by[1] is states["DEU"]
    disclosure = review.disclosures[0]
    assert disclosure.by is states["DEU"] and disclosure.to is states["FRA"]
    release = review.report.releases[0]
    assert release.by is states["AUT"] and release.to == "public"
    assert review.report.access_requests[0].by is states["FRA"]
    assert review.report.translations[0].requested_by is states["AUT"]
    assert snapshot.experts[0].state is states["AUT"]
    assert snapshot.deferrals[0].state is states["DEU"]


def test_review_fields(snapshot):
    review, allotted = snapshot.reviews
    assert review.id == "AUT-convention-1" and review.loc == Loc(NAME, 64, 5)
    assert (review.instrument, review.phase, review.year, review.voluntary) == (
        "convention", 1, 3, False)
    assert review.articles == ("2", "5", "6", "10", "12")  # unquoted numbers become text
    assert review.draw.date == dt.date(2021, 3, 10) and review.draw.loc == Loc(NAME, 72, 7)
    assert review.draw.meeting.working_groups == (
        "international_cooperation", "technical_assistance")
    assert review.draw.meeting.intersessional is True
    assert review.draw.exceptional_circumstances is False
    assert review.consultations.languages == ("en", "fr")
    assert review.saq.supplementary == (dt.date(2021, 6, 20), dt.date(2022, 1, 10))
    assert review.saq.completed is None
    assert review.country_visit.funding == "voluntary"
    assert review.report.summary_languages == ("ar", "zh", "en", "fr", "ru", "es")
    assert review.report.access_requests[0].answered == dt.date(2022, 3, 10)
    assert review.follow_up[0].submitted == dt.date(2024, 5, 2)
    # absent optional facts: not recorded; lists default to empty; voluntary to false
    assert allotted.draw is None and allotted.report is None and allotted.saq is None
    assert allotted.disclosures == () and allotted.follow_up == ()
    assert allotted.articles is None  # not recorded, unlike an empty list
    assert allotted.voluntary is False


def test_other_records(snapshot):
    assert [e.id for e in snapshot.experts] == ["AUT-c-1", "DEU-c-1"]
    assert snapshot.experts[0].withdrawn == dt.date(2025, 6, 30)
    assert snapshot.experts[1].expertise == ()
    assert snapshot.questionnaires[0].cluster == "criminalization"
    assert snapshot.phases[0].number == 1
    assert snapshot.phases[0].allotments[0].date == dt.date(2021, 1, 20)
    assert snapshot.conference_decisions[0].decision == "launch_before_completion"
    assert [s.number for s in snapshot.conference_sessions] == [10, 11]
    briefing = snapshot.briefings[0]
    assert briefing.id == "2022-06-01"
    assert briefing.convened_by == ("secretariat", "bureau")
    assert [n.name for n in briefing.ngos] == ["Alpha Watch", "Beta Forum"]
    assert briefing.ngos[0].summary.submitted_as == "conference_room_paper"
    assert briefing.ngos[1].objection.raised is True


def test_null_means_absent():
    snapshot = load(edited([
        ("    kind: state\n", "    kind: ~\n"),
        ("    voluntary: false\n", "    voluntary:\n"),
        ("    withdrawn: 2025-06-30\n", "    withdrawn: null\n"),
        ("    expertise: [mutual legal assistance]\n", "    expertise: null\n"),
    ]))
    assert snapshot.states["AUT"].kind == "state"
    assert snapshot.reviews[0].voluntary is False
    assert snapshot.experts[0].withdrawn is None and snapshot.experts[0].expertise == ()


def test_text_accepts_yaml11_words_and_quoted_forms():
    snapshot = load(edited([
        ("funding: voluntary}", "funding: no}"),
        ("    name: Austria\n", "    name: 'true'\n"),
        ("consultations: {date: 2021-03-25", "consultations: {date: '2021-03-25'"),
    ]))
    assert snapshot.reviews[0].country_visit.funding == "no"
    assert snapshot.states["AUT"].name == "true"
    assert snapshot.reviews[0].consultations.date == dt.date(2021, 3, 25)


def test_briefings_on_one_day_are_told_apart_by_working_group():
    snapshot = load(edited([("briefings:\n", "briefings:\n"
                             "  - {date: 2022-06-01, working_group: smuggling}\n"
                             "  - {date: 2023-06-01, working_group: smuggling}\n")]))
    assert [b.id for b in snapshot.briefings] == [
        "2022-06-01:smuggling", "2023-06-01", "2022-06-01:trafficking"]


def test_spliced_nodes_keep_their_own_file():
    root, source = compose(BASE, name=NAME)
    patch, _ = compose("desk_review: {submitted: 2021-07-20}\n", name="case.yaml")
    review = _value(root, "reviews").value[0]
    new = _value(patch, "desk_review")
    review.value = [(k, new if k.value == "desk_review" else v) for k, v in review.value]
    snapshot = snapshot_from_node(root, source, file=NAME, phase_years=PHASE_YEARS)
    desk = snapshot.reviews[0].desk_review
    assert desk.submitted == dt.date(2021, 7, 20)
    assert desk.loc == Loc("case.yaml", 1, 14)
    assert snapshot.reviews[0].loc == Loc(NAME, 64, 5)

    bad, _ = compose("desk_review: {submitted: 2021-02-30}\n", name="case.yaml")
    root, source = compose(BASE, name=NAME)
    review = _value(root, "reviews").value[0]
    new = _value(bad, "desk_review")
    review.value = [(k, new if k.value == "desk_review" else v) for k, v in review.value]
    with pytest.raises(SnapshotError) as info:
        snapshot_from_node(root, source, file=NAME, phase_years=PHASE_YEARS)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.loc == Loc("case.yaml", 1, 26)
    assert diagnostic.source is None  # not the snapshot's text
    assert diagnostic.message == (
        "reviews[AUT-convention-1].desk_review.submitted: expected a date YYYY-MM-DD, "
        "got '2021-02-30' (no such day)")


def test_diagnostics_carry_the_source_of_their_file():
    with pytest.raises(SnapshotError) as info:
        load(edited([("    year: 3\n", "    year: 7\n")]))
    assert info.value.diagnostics[0].source == edited([("    year: 3\n", "    year: 7\n")])


# --------------------------------------------------------------------------------------
# judge_at

def test_judge_at_a_later_date_only_moves_as_of(snapshot):
    later = judge_at(snapshot, dt.date(2027, 1, 1))
    assert later.as_of == dt.date(2027, 1, 1)
    assert later.reviews is snapshot.reviews and later.states is snapshot.states
    same = judge_at(snapshot, snapshot.as_of)
    assert same.reviews is snapshot.reviews


def test_judge_at_removes_later_facts(snapshot):
    judged = judge_at(snapshot, dt.date(2021, 12, 2))
    assert judged.as_of == dt.date(2021, 12, 2)
    assert snapshot.as_of == dt.date(2026, 10, 1)  # the original is untouched
    review = judged.reviews[0]
    report = review.report
    assert report.finalized == dt.date(2021, 12, 1)  # on or before: kept
    assert report.communicated is None and report.summary_issued is None  # after: None
    assert report.releases == () and report.access_requests == ()  # records: removed
    assert len(report.translations) == 1  # undated: kept
    assert review.saq.supplementary == (dt.date(2021, 6, 20),)  # later dates dropped
    assert review.follow_up == ()
    assert review.draw is snapshot.reviews[0].draw  # unchanged objects are reused
    assert judged.experts[0].withdrawn is None
    assert len(judged.experts) == 2
    assert judged.conference_decisions == () and judged.briefings == ()
    assert [s.number for s in judged.conference_sessions] == [10]
    # no State changed: the very same objects
    assert all(judged.states[k] is snapshot.states[k] for k in snapshot.states)
    assert review.state is judged.states["AUT"]


def test_judge_at_rebuilds_states_and_keeps_references_consistent(snapshot):
    judged = judge_at(snapshot, dt.date(2005, 12, 31))
    aut, deu = judged.states["AUT"], judged.states["DEU"]
    assert aut is not snapshot.states["AUT"]
    assert aut.uncac is None and aut.focal_point is None
    assert list(aut.instruments) == ["convention", "trafficking", "firearms"]
    assert deu.instruments == {}  # party since 2006-06-14
    assert judged.states["EGY"] is snapshot.states["EGY"]  # unchanged
    assert snapshot.states["AUT"].uncac is not None  # the original is untouched
    # every reference points into the new snapshot's States
    assert judged.reviews[0].state is aut and judged.reviews[1].state is deu
    assert judged.reviews[0].draw is None and judged.reviews[0].saq is None
    report = judged.reviews[0].report  # not a dated record: kept, with its dates unset
    assert report.draft is None and report.finalized is None and report.releases == ()
    assert report.agreed_by[0] is aut and report.translations[0].requested_by is aut
    assert judged.deferrals[0].state is deu
    assert judged.experts == () and judged.phases[0].allotments == ()
    assert judged.questionnaires == ()


def test_judge_at_remaps_references_everywhere():
    # FRA's focal point is listed after the date: FRA is rebuilt, references follow
    snapshot = load(edited([("      convention: {status: party, since: 2002-10-29}\n",
                             "      convention: {status: party, since: 2002-10-29}\n"
                             "    focal_point: {listed: 2022-03-08}\n")]))
    judged = judge_at(snapshot, dt.date(2022, 3, 5))
    fra = judged.states["FRA"]
    assert fra is not snapshot.states["FRA"] and fra.focal_point is None
    review = judged.reviews[0]
    assert review.disclosures[0].to is fra  # an actor field
    request = review.report.access_requests[0]
    assert request.by is fra and request.answered is None  # answered 2022-03-10
    assert review.report.releases[0].to == "public"


def test_judge_at_is_generic_over_the_model():
    # every attrs field with a spec is visited: nothing references an old State
    snapshot = load(BASE)
    judged = judge_at(snapshot, dt.date(2005, 12, 31))
    old = {id(s) for s in snapshot.states.values()} - {id(s) for s in judged.states.values()}

    def walk(value):
        if isinstance(value, (tuple, list)):
            for v in value:
                yield from walk(v)
        elif isinstance(value, dict):
            for k, v in value.items():
                yield from walk(k)
                yield from walk(v)
        elif attrs.has(type(value)):
            yield value
            for a in attrs.fields(type(value)):
                if "spec" in a.metadata:
                    yield from walk(getattr(value, a.name))

    assert old  # some States were rebuilt
    assert not [v for v in walk(judged) if id(v) in old]
