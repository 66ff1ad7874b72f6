"""Accompaniment durations, extensions, exits and non-overlap (SPEC §4.2)."""
from collections.abc import Iterable
from datetime import date
from itertools import pairwise

from agir.dates import add_months, months_between
from agir.errors import RuleViolation
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from models.enums import EARLY_EXIT_REASONS, EXIT_REASONS

MIN_MONTHS = 6
MAX_MONTHS_RANGE = (6, 18)


def planned_end_bounds(start: date, max_months: int) -> tuple[date, date]:
    """Earliest and latest planned end: start + 6 months .. start + max_months (both included)."""
    return add_months(start, MIN_MONTHS), add_months(start, max_months)


def default_planned_end(start: date, months: int, max_months: int) -> date:
    """The planned end proposed for a usual length, held within 6..max_months."""
    months = min(max(months, MIN_MONTHS), max_months)
    return add_months(start, months)


def check_planned_end(start: date, planned_end: date, max_months: int, field: str = "planned_end") -> None:
    """Refuse a planned end outside start + 6 .. start + max_months."""
    low, high = planned_end_bounds(start, max_months)
    if planned_end < low:
        raise RuleViolation("planned_end_too_soon",
                            _l("La fin prévue doit être au plus tôt le %(day)s (6 mois après l'entrée).",
                               day=LazyDate(low)), field)
    if planned_end > high:
        raise RuleViolation("planned_end_too_late",
                            _l("La fin prévue doit être au plus tard le %(day)s (%(max_months)s mois après "
                               "l'entrée).", day=LazyDate(high), max_months=max_months), field)


def check_extension(*, start: date, current_end: date, decided_on: date, new_end: date,
                    max_months: int, reason: str | None, exit_on: date | None = None) -> None:
    """An extension moves the planned end later, never beyond start + max_months, with a reason."""
    if not (reason or "").strip():
        raise RuleViolation("extension_reason", _l("Le motif de la prolongation est obligatoire."), "reason")
    if decided_on < start:
        raise RuleViolation("extension_before_start",
                            _l("La décision de prolongation ne peut précéder l'entrée en accompagnement."), "date")
    if exit_on is not None and decided_on > exit_on:
        raise RuleViolation("extension_after_exit",
                            _l("La décision de prolongation ne peut suivre la sortie."), "date")
    if new_end <= current_end:
        raise RuleViolation("extension_not_later",
                            _l("La nouvelle fin prévue doit être postérieure à la fin actuelle (%(day)s).",
                               day=LazyDate(current_end)),
                            "planned_end")
    limit = add_months(start, max_months)
    if new_end > limit:
        raise RuleViolation("extension_beyond_max",
                            _l("La prolongation ne peut dépasser la durée maximale de %(max_months)s mois (au "
                               "plus tard le %(day)s).", max_months=max_months, day=LazyDate(limit)), "planned_end")


def is_early_exit(start: date, exit_on: date) -> bool:
    """An exit strictly before start + 6 months."""
    return exit_on < add_months(start, MIN_MONTHS)


def check_exit(start: date, exit_on: date, reason: str) -> None:
    """Exit on or after entry; before 6 months only with an early-exit reason."""
    if exit_on < start:
        raise RuleViolation("exit_before_start", _l("La date de sortie ne peut précéder la date d'entrée."), "date")
    if not reason:
        raise RuleViolation("exit_reason_missing", _l("Le motif de sortie est obligatoire."), "reason")
    if reason not in EXIT_REASONS:
        raise RuleViolation("exit_reason_unknown", _l("Motif de sortie inconnu : %(reason)s.", reason=reason), "reason")
    if is_early_exit(start, exit_on) and reason not in EARLY_EXIT_REASONS:
        raise RuleViolation("early_exit_reason",
                            _l("Une sortie avant 6 mois d'accompagnement exige un motif de sortie anticipée "
                               "(déménagement, abandon, autonomie, décès, autre)."), "reason")


def check_followup(exit_on: date, followup_on: date) -> None:
    """The follow-up comes on or after the exit."""
    if followup_on < exit_on:
        raise RuleViolation("followup_before_exit", _l("Le suivi ne peut précéder la sortie."), "followup.date")


def check_no_overlap(periods: Iterable[tuple[date, date | None]]) -> None:
    """A person's accompaniments never overlap; at most one is open.

    Each period is (start, exit or None). A new accompaniment may start on the day the
    previous one ended (docs/rules.md).
    """
    # Same start: the shorter first (open last), so that a period closed on its first day
    # touches the next one whatever the order they come in.
    ordered = sorted(periods, key=lambda p: (p[0], p[1] or date.max))
    if sum(1 for _, end in ordered if end is None) > 1:
        raise RuleViolation("two_open", _l("La personne a déjà un accompagnement en cours."), "accompaniments")
    for (_, end), (next_start, _) in pairwise(ordered):
        if end is None or next_start < end:
            raise RuleViolation("overlap",
                                _l("Les accompagnements d'une personne ne peuvent pas se chevaucher."),
                                "accompaniments")


def clock(start: date, today: date, current_end: date, max_months: int) -> dict:
    """Where the accompaniment stands: month k of n, overdue, over limit (for the file and the list)."""
    limit = add_months(start, max_months)
    return {
        "month": months_between(start, today) + 1 if today >= start else 0,
        "of": months_between(start, current_end),
        "overdue": today > current_end,
        "over_limit": today > limit,
        "limit": limit,
    }


def check_max_months(value: int) -> None:
    """A department's maximum length stays within 6..18 months."""
    low, high = MAX_MONTHS_RANGE
    if not low <= value <= high:
        raise RuleViolation("max_months_range", _l("La durée maximale doit être comprise entre %(low)s et "
                                                   "%(high)s mois.", low=low, high=high),
                            "max_months")
