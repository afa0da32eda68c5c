"""The snapshot model: one attrs class per kind of record in a review-cycle snapshot.

Each field carries its schema in its metadata (`spec`): its revmech type, whether the key
is required, the allowed labels, the element name rules may use for its items, and
whether its date *is* the record (a record whose own date falls after the date the cycle
is judged at did not exist yet; see `loader.judge_at`). The loader, the checker and the
snapshot reference in the docs all read this one description.

Objects compare by identity (`eq=False`): references are resolved by the loader, so
`expert.state = state` compares the same State object. Every object remembers its `loc`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from .errors import Loc
from .records import frozen
from .types import ACTOR, BOOLEAN, DATE, NUMBER, TEXT, Entity, ListOf, MapOf, Type

INSTRUMENTS = ("convention", "trafficking", "smuggling", "firearms")
REGIONAL_GROUPS = ("African", "Asia-Pacific", "Eastern European", "GRULAC", "WEOG")
WORKING_GROUPS = (
    "international_cooperation",
    "technical_assistance",
    "trafficking",
    "smuggling",
    "firearms",
)
TREATY_STATUSES = ("party", "signatory")
ACTOR_LABELS = ("secretariat", "public")


@frozen
class Spec:
    type: Type
    required: bool = False
    doc: str = ""
    choices: tuple[str, ...] | None = None
    item: str | None = None  # the name a rule may give each element: `experts where expert...`
    dates_record: bool = False  # this date is when the record came to exist
    key: bool = False  # filled from the mapping key (State ids), not from a YAML key


_UNSET: Any = object()


def f(type_: Type, doc: str = "", *, required=False, choices=None, item=None,
      dates_record=False, key=False, default: Any = _UNSET):
    spec = Spec(type_, required, doc, choices, item, dates_record, key)
    if default is _UNSET:  # lists default to empty; an explicit None means "not recorded"
        default = () if isinstance(type_, ListOf) else None
    return attrs.field(default=default, metadata={"spec": spec}, kw_only=True)


def loc_field():
    return attrs.field(kw_only=True, default=None, repr=False)


def obj(cls):
    """Decorator: a frozen, identity-compared, slotted snapshot record."""
    return frozen(eq=False, slots=True)(cls)


def E(name: str) -> Entity:
    return Entity(name)


def _labelled(fmt: str):
    """Give a record without an id a readable one, used in finding subjects and ids."""

    def decorate(cls):
        cls.label = lambda self: fmt.format(**{
            a.name: _show(getattr(self, a.name)) for a in attrs.fields(cls)})
        return cls
    return decorate


def _show(v):
    return getattr(v, "id", v)


@obj
class Treaty:
    """A State's status under a treaty: an instrument of the mechanism, or UNCAC."""

    status: str = f(TEXT, "party or signatory", required=True, choices=TREATY_STATUSES)
    since: dt.date = f(DATE, "date of ratification or accession (party) or signature",
                       required=True, dates_record=True)
    loc: Loc = loc_field()


@obj
class FocalPoint:
    name: str = f(TEXT, "the person or office")
    listed: dt.date = f(DATE, "date the Secretariat listed the focal point (para 13)",
                        required=True, dates_record=True)
    loc: Loc = loc_field()


@obj
class State:
    id: str = f(TEXT, "ISO 3166-1 alpha-3 code (EUU for the European Union)", key=True)
    name: str = f(TEXT, "name", required=True)
    kind: str = f(TEXT, "state, or organization (a regional economic integration organization)",
                  choices=("state", "organization"), default="state")
    regional_group: str | None = f(TEXT, "UN regional group; null when it has none",
                                   required=True, choices=REGIONAL_GROUPS)
    legal_system: str | None = f(TEXT, "free label; equal labels are 'similar' (para 20)")
    uncac: Treaty | None = f(E("Treaty"), "status under the Convention against Corruption")
    instruments: dict[str, Treaty] = f(MapOf(TEXT, E("Treaty")),
                                       "instruments the State is party to or signed",
                                       required=True, item="instrument", default={},
                                       choices=INSTRUMENTS)
    focal_point: FocalPoint | None = f(E("FocalPoint"), "focal point (para 12)")
    loc: Loc = loc_field()


@obj
class Expert:
    id: str = f(TEXT, "unique id", required=True)
    state: State = f(E("State"), "State that appointed the expert", required=True)
    instrument: str = f(TEXT, "instrument", required=True, choices=INSTRUMENTS)
    name: str | None = f(TEXT, "name")
    background: str | None = f(TEXT, "professional background")
    position: str | None = f(TEXT, "current position")
    offices: str | None = f(TEXT, "relevant offices held and activities carried out")
    expertise: tuple[str, ...] = f(ListOf(TEXT), "areas of expertise", item="area")
    listed: dt.date = f(DATE, "date listed by the Secretariat", required=True, dates_record=True)
    withdrawn: dt.date | None = f(DATE, "date the expert left the list")
    loc: Loc = loc_field()


@obj
class Questionnaire:
    instrument: str = f(TEXT, "instrument", required=True, choices=INSTRUMENTS)
    cluster: str = f(TEXT, "cluster of articles", required=True)
    finalized: dt.date = f(DATE, "date the working group finalized it", dates_record=True)
    loc: Loc = loc_field()


@_labelled("{instrument} on {date}")
@obj
class Allotment:
    instrument: str = f(TEXT, "instrument", required=True, choices=INSTRUMENTS)
    date: dt.date = f(DATE, "date of the para 11 drawing of lots", required=True,
                      dates_record=True)
    loc: Loc = loc_field()


@obj
class Phase:
    number: int = f(NUMBER, "review phase", required=True)
    allotments: tuple[Allotment, ...] = f(ListOf(E("Allotment")),
                                          "para 11 drawings allotting States to years",
                                          item="allotment")
    loc: Loc = loc_field()


@obj
class Meeting:
    working_groups: tuple[str, ...] = f(ListOf(TEXT), "working groups that held it",
                                        choices=WORKING_GROUPS, item="working_group")
    intersessional: bool | None = f(BOOLEAN, "an intersessional meeting")
    open_to_all: bool | None = f(BOOLEAN, "open to all States parties")
    loc: Loc = loc_field()


@obj
class Draw:
    date: dt.date = f(DATE, "date of the final drawing of lots (para 20)", required=True,
                      dates_record=True)
    meeting: Meeting | None = f(E("Meeting"), "the meeting that drew the lots (para 22)")
    reviewers: tuple[State, ...] = f(ListOf(E("State")), "the reviewing States",
                                     item="reviewer")
    redraws: dict[State, int] = f(MapOf(E("State"), NUMBER),
                                  "repetitions requested, per requesting State",
                                  item="requester", default={})
    exceptional_circumstances: bool | None = f(BOOLEAN, "exceptional circumstances recorded")
    loc: Loc = loc_field()


@obj
class Consultations:
    date: dt.date = f(DATE, "date consultations were undertaken (para 23)", required=True,
                      dates_record=True)
    languages: tuple[str, ...] = f(ListOf(TEXT), "working languages selected (ISO 639-1)",
                                   item="language")
    agreed_by: tuple[State, ...] = f(ListOf(E("State")), "States that agreed",
                                     item="party")
    loc: Loc = loc_field()


@obj
class Saq:
    received: dt.date = f(DATE, "date the response was received", required=True,
                          dates_record=True)
    complete: bool | None = f(BOOLEAN, "whether the response arrived complete")
    completed: dt.date | None = f(DATE, "date an incomplete response was completed")
    supplementary: tuple[dt.date, ...] = f(ListOf(DATE),
                                           "dates supplementary information was received",
                                           item="received")
    loc: Loc = loc_field()


@obj
class DeskReview:
    submitted: dt.date = f(DATE, "date the desk review outcome was submitted", required=True,
                           dates_record=True)
    loc: Loc = loc_field()


@obj
class CountryVisit:
    date: dt.date = f(DATE, "date of the visit", required=True, dates_record=True)
    agreed_by_state: bool | None = f(BOOLEAN, "agreed to by the State under review")
    funding: str | None = f(TEXT, "free label; compliant value: voluntary")
    loc: Loc = loc_field()


@_labelled("{what} by {by} to {to} on {date}")
@obj
class Disclosure:
    what: str = f(TEXT, "what was passed on", required=True)
    by: State | str = f(ACTOR, "who passed it on: a State or 'secretariat'", required=True)
    to: State | str = f(ACTOR, "to whom: a State or 'public'", required=True)
    date: dt.date = f(DATE, "date", required=True, dates_record=True)
    loc: Loc = loc_field()


@_labelled("by {by} to {to} on {date}")
@obj
class Release:
    by: State | str = f(ACTOR, "who released the report", required=True)
    to: State | str = f(ACTOR, "'public' or a State", required=True)
    date: dt.date = f(DATE, "date", required=True, dates_record=True)
    loc: Loc = loc_field()


@_labelled("by {by} on {date}")
@obj
class AccessRequest:
    by: State = f(E("State"), "requesting State", required=True)
    date: dt.date = f(DATE, "date of the request", required=True, dates_record=True)
    granted: bool | None = f(BOOLEAN, "whether access was granted")
    answered: dt.date | None = f(DATE, "date the request was answered")
    loc: Loc = loc_field()


@_labelled("into {language} for {requested_by}")
@obj
class Translation:
    language: str = f(TEXT, "language (ISO 639-1)", required=True)
    requested_by: State = f(E("State"), "State that requested it", required=True)
    funding_sought: bool | None = f(BOOLEAN, "the Secretariat sought voluntary contributions")
    loc: Loc = loc_field()


@obj
class Report:
    draft: dt.date | None = f(DATE, "date of the draft report")
    finalized: dt.date | None = f(DATE, "date the report was finalized")
    agreed_by: tuple[State, ...] = f(ListOf(E("State")), "States that agreed the report",
                                     item="party")
    communicated: dt.date | None = f(DATE, "date communicated to the Secretariat")
    contents: tuple[str, ...] = f(ListOf(TEXT), "parts the report includes", item="part")
    summary_languages: tuple[str, ...] = f(ListOf(TEXT),
                                           "languages of the executive summary",
                                           item="language")
    summary_issued: dt.date | None = f(DATE, "date the executive summary was issued")
    releases: tuple[Release, ...] = f(ListOf(E("Release")), "releases of the report",
                                      item="release")
    access_requests: tuple[AccessRequest, ...] = f(ListOf(E("AccessRequest")),
                                                   "requests for access (para 39)",
                                                   item="request")
    translations: tuple[Translation, ...] = f(ListOf(E("Translation")),
                                              "translations requested (para 46)",
                                              item="translation")
    loc: Loc = loc_field()


@_labelled("{submitted}")
@obj
class FollowUp:
    submitted: dt.date = f(DATE, "date follow-up information was submitted", required=True,
                           dates_record=True)
    loc: Loc = loc_field()


@obj
class Review:
    id: str = f(TEXT, "unique id", required=True)
    state: State = f(E("State"), "State under review", required=True)
    instrument: str = f(TEXT, "instrument", required=True, choices=INSTRUMENTS)
    phase: int = f(NUMBER, "review phase", required=True)
    year: int = f(NUMBER, "mechanism year allotted by the para 11 drawing", required=True)
    voluntary: bool = f(BOOLEAN, "a signatory taking part voluntarily (para 52)",
                        default=False)
    articles: tuple[str, ...] | None = f(ListOf(TEXT), "articles under review",
                                         item="article", default=None)
    draw: Draw | None = f(E("Draw"), "the drawing of lots for the reviewers (para 20)")
    consultations: Consultations | None = f(E("Consultations"), "para 23 consultations")
    saq: Saq | None = f(E("Saq"), "self-assessment questionnaire response")
    desk_review: DeskReview | None = f(E("DeskReview"), "desk review outcome (para 29)")
    country_visit: CountryVisit | None = f(E("CountryVisit"), "country visit (para 31)")
    disclosures: tuple[Disclosure, ...] = f(ListOf(E("Disclosure")),
                                            "information passed outside the review",
                                            item="disclosure")
    report: Report | None = f(E("Report"), "the country review report")
    follow_up: tuple[FollowUp, ...] = f(ListOf(E("FollowUp")), "follow-up (para 41)",
                                        item="submission")
    loc: Loc = loc_field()


@_labelled("{state} year {year} as {role}")
@obj
class Deferral:
    state: State = f(E("State"), "deferring State", required=True)
    year: int = f(NUMBER, "mechanism year deferred", required=True)
    role: str = f(TEXT, "the role deferred", required=True,
                  choices=("reviewer", "under_review"))
    instrument: str | None = f(TEXT, "instrument; absent: all", choices=INSTRUMENTS)
    loc: Loc = loc_field()


@obj
class ConferenceDecision:
    decision: str = f(TEXT, "what was decided", required=True)
    phase: int | None = f(NUMBER, "phase concerned")
    date: dt.date = f(DATE, "date", required=True, dates_record=True)
    loc: Loc = loc_field()


@obj
class ConferenceSession:
    number: int = f(NUMBER, "session number", required=True)
    opened: dt.date = f(DATE, "date the session opened", required=True, dates_record=True)
    loc: Loc = loc_field()


@obj
class NgoSummary:
    submitted_as: str | None = f(TEXT, "free label; compliant value: conference_room_paper")
    loc: Loc = loc_field()


@obj
class Objection:
    raised: bool = f(BOOLEAN, "an objection was raised", required=True)
    bureau_decision: str | None = f(TEXT, "admitted or refused")
    loc: Loc = loc_field()


@obj
class Ngo:
    name: str = f(TEXT, "name (its id within the briefing)", required=True)
    status: str | None = f(TEXT, "ecosoc (consultative status) or other",
                           choices=("ecosoc", "other"))
    admitted_session: int | None = f(NUMBER, "Conference session it was admitted to")
    invited: bool | None = f(BOOLEAN, "invited by the Secretariat")
    attended: bool | None = f(BOOLEAN, "attended the briefing")
    confirmed: dt.date | None = f(DATE, "date it confirmed attendance")
    summary: NgoSummary | None = f(E("NgoSummary"), "summary it prepared")
    objection: Objection | None = f(E("Objection"), "objection to its participation")
    loc: Loc = loc_field()


@obj
class Briefing:
    id: str = f(TEXT, "its date, with the working group when two fall on one day", key=True)
    date: dt.date = f(DATE, "date", required=True, dates_record=True)
    working_group: str = f(TEXT, "working group", required=True, choices=WORKING_GROUPS)
    margins_of_meeting: bool | None = f(BOOLEAN, "on the margins of a working group meeting")
    convened_by: tuple[str, ...] = f(ListOf(TEXT), "secretariat, bureau", item="convener")
    requested_by_president: bool | None = f(BOOLEAN, "at the President's request")
    open_to: tuple[str, ...] = f(ListOf(TEXT), "member_states, intergovernmental_organizations",
                                 item="audience")
    mentions_country: bool | None = f(BOOLEAN, "a specific country situation was mentioned")
    ngos: tuple[Ngo, ...] = f(ListOf(E("Ngo")), "NGOs", item="ngo")
    loc: Loc = loc_field()


@obj
class Mechanism:
    year_one: int = f(NUMBER, "calendar year that is year 1 of the mechanism", required=True)
    loc: Loc = loc_field()


@obj
class Snapshot:
    format: str = f(TEXT, "revmech/snapshot@1", required=True)
    as_of: dt.date = f(DATE, "no fact may be dated after it", required=True)
    mechanism: Mechanism = f(E("Mechanism"), "the mechanism's calendar", required=True)
    states: dict[str, State] = f(MapOf(TEXT, E("State")), "States, by id", item="state",
                                 default={})
    experts: tuple[Expert, ...] = f(ListOf(E("Expert")), "governmental experts",
                                    item="expert")
    questionnaires: tuple[Questionnaire, ...] = f(ListOf(E("Questionnaire")),
                                                  "self-assessment questionnaires",
                                                  item="questionnaire")
    phases: tuple[Phase, ...] = f(ListOf(E("Phase")), "review phases", item="phase")
    reviews: tuple[Review, ...] = f(ListOf(E("Review")), "reviews", item="review")
    deferrals: tuple[Deferral, ...] = f(ListOf(E("Deferral")), "deferrals (para 21)",
                                        item="deferral")
    conference_decisions: tuple[ConferenceDecision, ...] = f(
        ListOf(E("ConferenceDecision")), "decisions of the Conference", item="decision")
    conference_sessions: tuple[ConferenceSession, ...] = f(
        ListOf(E("ConferenceSession")), "sessions of the Conference", item="session")
    briefings: tuple[Briefing, ...] = f(ListOf(E("Briefing")), "civil society briefings",
                                        item="briefing")
    file: str = attrs.field(default="", kw_only=True)
    loc: Loc = loc_field()


CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Treaty, FocalPoint, State, Expert, Questionnaire, Allotment, Phase, Meeting,
                Draw, Consultations, Saq, DeskReview, CountryVisit, Disclosure, Release,
                AccessRequest, Translation, Report, FollowUp, Review, Deferral,
                ConferenceDecision, ConferenceSession, NgoSummary, Objection, Ngo, Briefing,
                Mechanism, Snapshot)
}


def fields_of(entity: str) -> dict[str, Spec]:
    """The rule-visible fields of a snapshot class, with their specs."""
    cls = CLASSES[entity]
    return {a.name: a.metadata["spec"] for a in attrs.fields(cls) if "spec" in a.metadata}
