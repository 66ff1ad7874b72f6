"""Session series of a programme (issue 17, item 5): the dates of a recurring series and its checks.

A referral officer describes « every Monday and Thursday from 5 January to 30 June, 3 hours » instead of typing
88 single sessions. Pure functions over plain values: the form's preview, the operation that creates the
sessions and the tests share them. Every broken rule is returned at once (field = the form's field).

Exceptions are typed one per line: a day (« 25/12/2026 ») or a period (« 20/12/2026 - 04/01/2027 »); French
public holidays are skipped when asked, computed by the `holidays` library (Alsace-Moselle and the overseas
departments have their own).
"""
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import holidays as holidays_lib

from agir.errors import RuleViolation
from agir.i18n import LazyDate, reader_is_english
from agir.i18n import lazy_gettext as _l

# Monday (0) to Saturday (5): programmes do not meet on Sundays.
WEEKDAYS = (0, 1, 2, 3, 4, 5)
MAX_OCCURRENCES = 200
MAX_HOURS = 24.0
MAX_EXCEPTION_LINES = 100
# Departments with public holidays of their own (the `holidays` library's subdivisions of France).
_SUBDIVISIONS = {"57": "57", "67": "6AE", "68": "6AE", "971": "971", "972": "972", "973": "973", "974": "974",
                 "976": "976"}
_DAY_RE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
_LINE_RE = re.compile(rf"^\s*{_DAY_RE}\s*(?:(?:-|–|au|à|to)\s*{_DAY_RE})?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Skip:
    """One line of the exceptions: the days from `first` to `last` (one day when equal), its line number."""
    line: int
    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass
class Plan:
    """What the series would create: the dates kept, and the dates skipped with why (holiday name or line)."""
    dates: list[date] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def _parse_day(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_exceptions(text: str | None) -> tuple[list[Skip], list[RuleViolation]]:
    """The exception lines typed by the user (blank lines ignored), and every line refused, with its number:
    unreadable, a period ending before it starts, or overlapping an earlier line."""
    found: list[Skip] = []
    errors: list[RuleViolation] = []
    lines = (text or "").splitlines()
    if len(lines) > MAX_EXCEPTION_LINES:
        errors.append(RuleViolation("series_exceptions_many", _l("%(max)s lignes d'exceptions au plus.",
                                                                  max=MAX_EXCEPTION_LINES), "exceptions"))
        return found, errors
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        match = _LINE_RE.match(raw)
        first = _parse_day(match.group(1)) if match else None
        last = (_parse_day(match.group(2)) if match.group(2) else first) if match else None
        if first is None or last is None:
            errors.append(RuleViolation(
                "series_exception_unreadable",
                _l("Ligne %(line)s : « %(text)s » n'est ni une date (jj/mm/aaaa) ni une période "
                   "(jj/mm/aaaa - jj/mm/aaaa).", line=number, text=raw.strip()[:40]), "exceptions"))
            continue
        if last < first:
            errors.append(RuleViolation(
                "series_exception_backwards",
                _l("Ligne %(line)s : la période se termine avant de commencer.", line=number), "exceptions"))
            continue
        clash = next((e for e in found if e.first <= last and first <= e.last), None)
        if clash is not None:
            errors.append(RuleViolation(
                "series_exception_overlap",
                _l("Ligne %(line)s : cette exception chevauche celle de la ligne %(other)s.",
                   line=number, other=clash.line), "exceptions"))
            continue
        found.append(Skip(number, first, last))
    return found, errors


def public_holidays(first: date, last: date, department_code: str | None = None) -> dict[date, str]:
    """French public holidays from `first` to `last` (with the department's own: Alsace-Moselle, overseas),
    named in the reader's language (French outside a request)."""
    if last < first:
        return {}
    subdiv = _SUBDIVISIONS.get(department_code or "")
    language = "en_US" if reader_is_english() else "fr"
    calendar = holidays_lib.country_holidays("FR", subdiv=subdiv, years=range(first.year, last.year + 1),
                                             language=language)
    return {day: name for day, name in sorted(calendar.items()) if first <= day <= last}


def series_plan(first_on: date, last_on: date, weekdays: Iterable[int], exceptions: Sequence[Skip] = (),
                holidays: dict[date, str] | None = None) -> Plan:
    """The days from first_on to last_on falling on one of the weekdays, minus the holidays and the exceptions
    (those skipped are listed with the holiday's name or the exception's line)."""
    plan = Plan()
    chosen = set(weekdays)
    holidays = holidays or {}
    day = first_on
    while day <= last_on:
        if day.weekday() in chosen:
            rule = next((e for e in exceptions if e.covers(day)), None)
            if day in holidays:
                plan.skipped.append((day, holidays[day]))
            elif rule is not None:
                plan.skipped.append((day, str(_l("exception ligne %(line)s", line=rule.line))))
            else:
                plan.dates.append(day)
        day += timedelta(days=1)
    return plan


def series_violations(first_on: date | None, last_on: date | None, weekdays: Iterable[int], hours: float | None,
                      programme_start: date, programme_end: date | None, exceptions_text: str | None = None,
                      holidays: dict[date, str] | None = None) -> tuple[Plan, list[RuleViolation]]:
    """Check a series and compute its dates; every broken rule at once (the plan is empty when a date is missing
    or backwards)."""
    errors: list[RuleViolation] = []
    chosen = sorted(set(weekdays))
    if first_on is None:
        errors.append(RuleViolation("series_first_required", _l("La date de début de la série est requise."),
                                    "first_on"))
    if last_on is None:
        errors.append(RuleViolation("series_last_required", _l("La date de fin de la série est requise."),
                                    "last_on"))
    if not chosen:
        errors.append(RuleViolation("series_no_weekday", _l("Cochez au moins un jour de la semaine."), "weekdays"))
    elif any(day not in WEEKDAYS for day in chosen):
        errors.append(RuleViolation("series_weekday_unknown", _l("Jour de la semaine inconnu."), "weekdays"))
    if hours is None or not hours > 0 or hours > MAX_HOURS:
        errors.append(RuleViolation("series_hours", _l("La durée d'une séance est comprise entre 0 (exclu) et 24 "
                                                       "heures."), "hours"))
    exceptions, refused = parse_exceptions(exceptions_text)
    errors.extend(refused)
    plan = Plan()
    if first_on is not None and last_on is not None:
        if last_on < first_on:
            errors.append(RuleViolation("series_backwards",
                                        _l("La date de fin de la série ne peut précéder sa date de début."),
                                        "last_on"))
            return plan, errors
        if first_on < programme_start:
            errors.append(RuleViolation(
                "series_before_programme",
                _l("La série commence avant le programme (qui débute le %(day)s).", day=LazyDate(programme_start)),
                "first_on"))
        if programme_end is not None and last_on > programme_end:
            errors.append(RuleViolation(
                "series_after_programme",
                _l("La série se termine après le programme (qui finit le %(day)s).", day=LazyDate(programme_end)),
                "last_on"))
        errors.extend(RuleViolation(
            "series_exception_outside",
            _l("Ligne %(line)s : cette exception tombe hors des dates de la série.", line=rule.line), "exceptions")
            for rule in exceptions if rule.last < first_on or rule.first > last_on)
        if chosen and all(day in WEEKDAYS for day in chosen):
            plan = series_plan(first_on, last_on, chosen, exceptions, holidays)
            if not plan.dates:
                errors.append(RuleViolation("series_empty", _l("Aucune séance : aucun des jours cochés ne tombe "
                                                               "dans la période, hors exceptions."), "weekdays"))
            elif len(plan.dates) > MAX_OCCURRENCES:
                errors.append(RuleViolation(
                    "series_too_many",
                    _l("La série compterait %(n)s séances : %(max)s au plus. Raccourcissez la période.",
                       n=len(plan.dates), max=MAX_OCCURRENCES), "last_on"))
    return plan, errors


def weekdays_text(weekdays: Iterable[int]) -> str:
    """How a series stores its weekdays: "0,3" (Monday and Thursday)."""
    return ",".join(str(day) for day in sorted(set(weekdays)))


# ---------------------------------------------------------------- attendance grid

@dataclass(frozen=True)
class Mark:
    """One row of a session's attendance grid as posted: the hours shown when the grid was loaded (`was`, None:
    absent) and the hours wanted now (None: absent)."""
    participation_id: int
    was: float | None
    now: float | None

    @property
    def changed(self) -> bool:
        return not same_hours(self.was, self.now)


def same_hours(a: float | None, b: float | None) -> bool:
    """Hours compared to the hundredth (a float typed 1,5 and stored 1.5 are the same)."""
    if a is None or b is None:
        return a is None and b is None
    return round(a, 2) == round(b, 2)


def read_mark(participation_id: int, present: bool, hours: float | None, hours_invalid: bool, was: float | None,
              session_hours: float) -> tuple[Mark | None, RuleViolation | None]:
    """A posted row: present with the session's hours (blank) or fewer; refused when the hours are unreadable,
    0 or beyond the session's hours (field « hours-<id> »)."""
    name = f"hours-{participation_id}"
    if not present:
        return Mark(participation_id, was, None), None
    if hours_invalid:
        return None, RuleViolation("attendance_hours_invalid", _l("Nombre invalide (exemple : 1,5)."), name)
    if hours is None:
        hours = session_hours
    if not hours > 0 or hours > session_hours + 1e-9:
        return None, RuleViolation(
            "attendance_hours", _l("Les heures suivies sont comprises entre 0 (exclu) et la durée de la séance "
                                   "(%(hours)s h).", hours=f"{session_hours:g}".replace(".", ",")), name)
    return Mark(participation_id, was, float(hours)), None


def attendance_too_early(held_on: date, today: date) -> RuleViolation | None:
    """Who came is known once the session is held: no presence is recorded before its day (docs/rules.md)."""
    if held_on > today:
        return RuleViolation("attendance_future", _l("Cette séance n'a pas encore eu lieu (%(day)s) : les présences "
                                                     "se notent à partir de son jour.", day=LazyDate(held_on)), None)
    return None


def check_series(*args, **kwargs) -> Plan:
    """series_violations, raising the first violation carrying all of them (a form shows every error at once)."""
    plan, errors = series_violations(*args, **kwargs)
    if errors:
        first = errors[0]
        first.violations = list(errors)
        raise first
    return plan
