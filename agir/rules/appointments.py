"""Rules of the agenda (issue 17, SPEC §4.6): a new or moved appointment, the référent's overlaps, the outcome,
and when a reminder is due. Pure functions over plain values; every broken rule is returned at once
(field = the form's field), so that the form shows them all next to their fields."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from agir import languages
from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l
from agir.rules.entry import paris_local_time_exists
from models.enums import APPOINTMENT_KINDS, APPOINTMENT_MINUTES, APPOINTMENT_MODES

LOW, HIGH = APPOINTMENT_MINUTES
# The outcomes recorded from the agenda in one click; honoured and missed only once the appointment began.
OUTCOMES = ("honoured", "missed", "excused")
AFTER_START = ("honoured", "missed")
# Reminders are sent to people only in the daytime, Paris time: from 08:00 to 20:00.
DAY_STARTS, DAY_ENDS = time(8, 0), time(20, 0)
REMINDER_DAYS_BEFORE = {"two_days": 2, "morning": 0}


@dataclass(frozen=True)
class Slot:
    """An appointment already in the référent's agenda."""
    id: int
    start: datetime
    minutes: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


def overlaps(start: datetime, minutes: int, other: Slot) -> bool:
    """Two appointments overlap when each starts before the other ends (10:00–11:00 and 11:00–12:00 do not)."""
    return start < other.end and other.start < start + timedelta(minutes=minutes)


def _hm(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y} {moment:%H:%M}"


def check_appointment_input(start: datetime | None, minutes: int | None, kind: str | None, mode: str | None,
                            interpreter: str | None, now: datetime, others: Sequence[Slot] = (),
                            new: bool = True) -> list[RuleViolation]:
    """Every broken rule of a new (or moved) appointment, at once. `now` is the Paris wall-clock time; `others`
    are the référent's other planned appointments around that time."""
    found = []
    if start is None:
        found.append(RuleViolation("appointment_start_missing",
                                   _l("La date et l'heure du rendez-vous sont obligatoires."), "start"))
    elif not paris_local_time_exists(start):
        found.append(RuleViolation("appointment_time_skipped",
                                   _l("Cette heure n'existe pas à Paris ce jour-là (passage à l'heure d'été)."),
                                   "start"))
    elif new and start < now:
        found.append(RuleViolation("appointment_past",
                                   _l("Un nouveau rendez-vous ne peut pas être fixé dans le passé : choisissez une "
                                      "date et une heure à venir."), "start"))
    if minutes is None or not LOW <= minutes <= HIGH:
        found.append(RuleViolation("appointment_minutes",
                                   _l("La durée est de %(low)s à %(high)s minutes (8 heures).", low=LOW, high=HIGH),
                                   "minutes"))
    if kind not in APPOINTMENT_KINDS:
        found.append(RuleViolation("appointment_kind", _l("Choisissez le type de rendez-vous dans la liste."), "kind"))
    if mode not in APPOINTMENT_MODES:
        found.append(RuleViolation("appointment_mode", _l("Choisissez le mode de rendez-vous dans la liste."), "mode"))
    if interpreter and not languages.is_iso639_3(interpreter):
        found.append(RuleViolation("appointment_language",
                                   _l("Langue inconnue : choisissez la langue de l'interprète dans la liste "
                                      "(code ISO 639-3, par exemple prs pour le dari)."), "interpreter"))
    if start is not None and minutes is not None and LOW <= minutes <= HIGH:
        clash = sorted((o for o in others if overlaps(start, minutes, o)), key=lambda o: o.start)
        if clash:
            first = clash[0]
            found.append(RuleViolation(
                "appointment_overlap",
                _l("Le ou la référent·e a déjà un rendez-vous prévu de %(start)s à %(end)s : deux rendez-vous "
                   "prévus d'un·e même référent·e ne peuvent pas se chevaucher.", start=_hm(first.start),
                   end=f"{first.end:%H:%M}"), "start"))
    return found


def check_outcome(status: str, outcome: str, start: datetime, now: datetime) -> None:
    """The outcome of a planned appointment: honoured or missed once it began, excused at any time."""
    if outcome not in OUTCOMES:
        raise RuleViolation("appointment_outcome", _l("Issue inconnue : honoré, manqué ou excusé."), "outcome")
    if status != "planned":
        raise RuleViolation("appointment_not_planned",
                            _l("Ce rendez-vous n'est plus prévu : son issue est déjà enregistrée ou il est annulé."),
                            "outcome")
    if outcome in AFTER_START and start > now:
        raise RuleViolation("appointment_outcome_future",
                            _l("Un rendez-vous à venir ne peut pas être déjà honoré ou manqué."), "outcome")


def check_still_planned(status: str) -> None:
    """Only a planned appointment is moved or cancelled."""
    if status != "planned":
        raise RuleViolation("appointment_not_planned",
                            _l("Seul un rendez-vous prévu peut être déplacé ou annulé."), None)


def reminder_due(kind: str, start: datetime, now: datetime) -> bool:
    """True when the reminder `kind` of an appointment starting at `start` may be sent at `now` (Paris wall
    clock): on its day (two days before, or the appointment's own day), in the daytime (08:00–20:00), and
    before the appointment begins. Never at night; a reminder whose day has passed is not sent late."""
    day = start.date() - timedelta(days=REMINDER_DAYS_BEFORE[kind])
    return now.date() == day and DAY_STARTS <= now.time() < DAY_ENDS and now < start


def reminder_days(today: date) -> dict[str, date]:
    """The appointment day each reminder kind looks at today."""
    return {kind: today + timedelta(days=days) for kind, days in REMINDER_DAYS_BEFORE.items()}
