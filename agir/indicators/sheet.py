"""The Annex sheet of one programme (target vs achieved), for the annual evaluation survey.

Same definitions as the department indicators, restricted to the programme: its beneficiaries
are the persons with a participation in it overlapping the period; its thematic figures are its
sessions, its participations and the events it recorded.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, distinct, func, select

from agir.extensions import db
from agir.i18n import N_
from agir.indicators import numbers as num
from agir.indicators.annex import (
    assiduous_condition,
    count_where,
    entries,
    overlaps,
    progressed_condition,
    public_figures,
)
from agir.indicators.layout import COUNT, HOURS, MONEY, SHARE
from models import Event, Participation, Programme, Referral, Session
from models.enums import LANGUAGE_THEMES

EVENT_THEMES = {
    "health": ("medical_consultation", N_("Consultations médicales enregistrées")),
    "mental_health": ("medical_consultation", N_("Consultations enregistrées")),
    "mentoring": ("mentoring_pair", N_("Binômes de parrainage formés")),
    "digital": ("digital_tool", N_("Équipements numériques fournis")),
}
PUBLIC_LABELS = (
    ("beneficiaries", N_("Bénéficiaires")), ("men", N_("dont hommes")), ("women", N_("dont femmes")),
    ("under_25", N_("dont moins de 25 ans à l'entrée")), ("bpi", N_("dont BPI")), ("non_bpi", N_("dont non BPI")),
    ("bpi_men", N_("dont BPI hommes")), ("bpi_women", N_("dont BPI femmes")),
    ("bpi_under_25", N_("dont BPI de moins de 25 ans")),
)


@dataclass
class Sheet:
    """A programme's Annex sheet: identification, public (target vs achieved), activity, finance."""

    programme: Programme
    start: date
    end: date
    # Labels are French msgids written like format strings ("80 %%"): exports.sheet_lines gives them as read.
    public: list[tuple[str, object, int]] = field(default_factory=list)   # (label, target or None, achieved)
    achievement: float | None = None
    activity: list[tuple[str, object, str]] = field(default_factory=list)   # (label, value, kind)
    finance: list[tuple[str, object, str]] = field(default_factory=list)


def default_period(programme: Programme, today: date) -> tuple[date, date]:
    """The programme's own period (to today while it has no end)."""
    end = programme.end_on or max(today, programme.start_on)
    return programme.start_on, end


def _activity(programme: Programme, start: date, end: date) -> list[tuple[str, object, str]]:
    sessions, hours = db.session.execute(
        select(func.count(Session.id), func.sum(Session.hours))
        .where(Session.programme_id == programme.id, Session.held_on >= start, Session.held_on <= end)
    ).one()
    in_programme = Participation.programme_id == programme.id
    overlapping = overlaps(Participation.start_on, Participation.end_on, start, end)
    ended = and_(Participation.end_on >= start, Participation.end_on <= end)
    participations, finished, assiduous, progressed = db.session.execute(
        select(count_where(overlapping), count_where(ended),
               _distinct_persons(and_(overlapping, assiduous_condition())),
               _distinct_persons(and_(ended, progressed_condition())))
        .where(in_programme)
    ).one()
    sent, accepted, refused = db.session.execute(
        select(count_where(and_(Referral.sent_on >= start, Referral.sent_on <= end)),
               count_where(and_(Referral.accepted_on >= start, Referral.accepted_on <= end)),
               count_where(and_(Referral.refused_on >= start, Referral.refused_on <= end)))
        .where(Referral.programme_id == programme.id)
    ).one()
    rows: list[tuple[str, object, str]] = [(N_("Séances tenues"), num.count(sessions), COUNT),
            (N_("Heures de formation dispensées"), num.as_number(num.hours(hours)), HOURS),
            (N_("Participations en cours sur la période"), num.count(participations), COUNT),
            (N_("Participations terminées sur la période"), num.count(finished), COUNT),
            (N_("Orientations reçues"), num.count(sent), COUNT),
            (N_("Orientations acceptées"), num.count(accepted), COUNT),
            (N_("Orientations refusées"), num.count(refused), COUNT)]
    if programme.theme in LANGUAGE_THEMES:
        rows += [(N_("Participants assidus (au moins 80 %% des heures prévues)"), num.count(assiduous), COUNT),
                 (N_("Participants ayant progressé d'au moins un niveau CECRL"), num.count(progressed), COUNT)]
    rows += _events(programme, start, end)
    return rows


def _distinct_persons(condition):
    """COUNT(DISTINCT person) among the participations meeting the condition."""
    return func.count(distinct(case((condition, Participation.person_id))))


def _events(programme: Programme, start: date, end: date) -> list[tuple[str, object, str]]:
    counts = dict(db.session.execute(
        select(Event.kind, func.count(Event.id)).where(Event.programme_id == programme.id, Event.event_on >= start,
                                                       Event.event_on <= end).group_by(Event.kind)
    ).all())
    distinct_events: dict[str, int] = dict(db.session.execute(
        select(Event.kind, func.count(distinct(Event.event_ref)) + count_where(Event.event_ref.is_(None)))
        .where(Event.programme_id == programme.id, Event.event_on >= start, Event.event_on <= end,
               Event.kind.in_(("sport_event", "cultural_event"))).group_by(Event.kind)
    ).all())
    rows: list[tuple[str, object, str]] = []
    if programme.theme in EVENT_THEMES:
        kind, label = EVENT_THEMES[programme.theme]
        rows.append((label, num.count(counts.get(kind)), COUNT))
    if programme.theme == "sport_culture" or distinct_events:
        rows += [(N_("Événements sportifs distincts"), num.count(distinct_events.get("sport_event")), COUNT),
                 (N_("Événements culturels distincts"), num.count(distinct_events.get("cultural_event")), COUNT)]
    return rows


def _finance(programme: Programme, beneficiaries: int) -> list[tuple[str, object, str]]:
    cost, subsidy = num.money(programme.total_cost), num.money(programme.p104_subsidy)
    per_head = (cost / beneficiaries).quantize(num.CENTS) if beneficiaries and programme.total_cost else None
    return [(N_("Coût total (€)"), num.as_number(cost) if programme.total_cost is not None else None, MONEY),
            (N_("Subvention P104 (€)"), num.as_number(subsidy) if programme.p104_subsidy is not None else None, MONEY),
            (N_("Part de la subvention P104 dans le coût"), num.share(subsidy, cost), SHARE),
            (N_("Coût par bénéficiaire (€)"), num.as_number(per_head) if per_head is not None else None, MONEY)]


def programme_sheet(programme: Programme, start: date, end: date) -> Sheet:
    """Target vs achieved for the programme over [start, end]."""
    public = public_figures(entries(start, end, accompaniments=False, programme_id=programme.id), [])
    public["non_bpi"] = public["beneficiaries"] - public["bpi"]
    target = programme.target_beneficiaries
    sheet = Sheet(programme, start, end)
    sheet.public = [(label, target if key == "beneficiaries" else None, public[key]) for key, label in PUBLIC_LABELS]
    sheet.achievement = num.share(public["beneficiaries"], target) if target else None
    sheet.activity = _activity(programme, start, end)
    sheet.finance = _finance(programme, public["beneficiaries"])
    return sheet

