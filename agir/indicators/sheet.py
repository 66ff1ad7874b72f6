"""The Annex sheet of one programme (target vs achieved), for the annual evaluation survey.

Same definitions as the department indicators, restricted to the programme: its beneficiaries
are the persons with a participation in it overlapping the period; its thematic figures are its
sessions, its participations and the events it recorded.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, distinct, func, select

from agir.extensions import db
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
    "health": ("medical_consultation", "Consultations médicales enregistrées"),
    "mental_health": ("medical_consultation", "Consultations enregistrées"),
    "mentoring": ("mentoring_pair", "Binômes de parrainage formés"),
    "digital": ("digital_tool", "Équipements numériques fournis"),
}
PUBLIC_LABELS = (
    ("beneficiaries", "Bénéficiaires"), ("men", "dont hommes"), ("women", "dont femmes"),
    ("under_25", "dont moins de 25 ans à l'entrée"), ("bpi", "dont BPI"), ("non_bpi", "dont non BPI"),
    ("bpi_men", "dont BPI hommes"), ("bpi_women", "dont BPI femmes"), ("bpi_under_25", "dont BPI de moins de 25 ans"),
)


@dataclass
class Sheet:
    """A programme's Annex sheet: identification, public (target vs achieved), activity, finance."""

    programme: Programme
    start: date
    end: date
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
    rows = [("Séances tenues", num.count(sessions), COUNT),
            ("Heures de formation dispensées", num.as_number(num.hours(hours)), HOURS),
            ("Participations en cours sur la période", num.count(participations), COUNT),
            ("Participations terminées sur la période", num.count(finished), COUNT),
            ("Orientations reçues", num.count(sent), COUNT),
            ("Orientations acceptées", num.count(accepted), COUNT),
            ("Orientations refusées", num.count(refused), COUNT)]
    if programme.theme in LANGUAGE_THEMES:
        rows += [("Participants assidus (au moins 80 % des heures prévues)", num.count(assiduous), COUNT),
                 ("Participants ayant progressé d'au moins un niveau CECRL", num.count(progressed), COUNT)]
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
    distinct_events = dict(db.session.execute(
        select(Event.kind, func.count(distinct(Event.event_ref)) + count_where(Event.event_ref.is_(None)))
        .where(Event.programme_id == programme.id, Event.event_on >= start, Event.event_on <= end,
               Event.kind.in_(("sport_event", "cultural_event"))).group_by(Event.kind)
    ).all())
    rows = []
    if programme.theme in EVENT_THEMES:
        kind, label = EVENT_THEMES[programme.theme]
        rows.append((label, num.count(counts.get(kind)), COUNT))
    if programme.theme == "sport_culture" or distinct_events:
        rows += [("Événements sportifs distincts", num.count(distinct_events.get("sport_event")), COUNT),
                 ("Événements culturels distincts", num.count(distinct_events.get("cultural_event")), COUNT)]
    return rows


def _finance(programme: Programme, beneficiaries: int) -> list[tuple[str, object, str]]:
    cost, subsidy = num.money(programme.total_cost), num.money(programme.p104_subsidy)
    per_head = (cost / beneficiaries).quantize(num.CENTS) if beneficiaries and programme.total_cost else None
    return [("Coût total (€)", num.as_number(cost) if programme.total_cost is not None else None, MONEY),
            ("Subvention P104 (€)", num.as_number(subsidy) if programme.p104_subsidy is not None else None, MONEY),
            ("Part de la subvention P104 dans le coût", num.share(subsidy, cost), SHARE),
            ("Coût par bénéficiaire (€)", num.as_number(per_head) if per_head is not None else None, MONEY)]


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

