"""A whole accompaniment checked at once, and a person's accompaniments together (SPEC §4.2, §4.8).

Used when a recorded fact is corrected or cancelled: the rules of the durations module are applied
again to the accompaniment as it would become, and every broken rule is returned (not only the first),
each with the part of the accompaniment it concerns (`start`, `planned_end`, `extensions.date`,
`extensions.planned_end`, `extensions.reason`, `exit.date`, `exit.reason`, `followup.date`,
`accompaniments`).
"""
from dataclasses import dataclass, field
from datetime import date

from agir.dates import add_months
from agir.errors import RuleViolation
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.rules import durations

FOLLOWUP_MONTHS = 6


def followup_due_on(exit_on: date) -> date:
    """The day the 6-month follow-up becomes due."""
    return add_months(exit_on, FOLLOWUP_MONTHS)


@dataclass
class AccompanimentFacts:
    """Plain values of one accompaniment (as it is, or as a correction would make it)."""

    id: int | None
    start: date
    planned_end: date
    # (decided_on, new planned end, reason), in any order.
    extensions: list[tuple[date, date, str]] = field(default_factory=list)
    exit_on: date | None = None
    exit_reason: str | None = None
    followup_on: date | None = None

    @property
    def current_end(self) -> date:
        """The planned end after the latest extension (by decision date)."""
        ordered = sorted(self.extensions, key=lambda e: e[0])
        return ordered[-1][1] if ordered else self.planned_end


def _violation(exc: RuleViolation, where: str) -> RuleViolation:
    return RuleViolation(exc.code, exc.message, where)


def check_accompaniment(facts: AccompanimentFacts, max_months: int) -> list[RuleViolation]:
    """Every rule of one accompaniment: planned end, extensions in decision order, exit, follow-up."""
    found: list[RuleViolation] = []
    try:
        durations.check_planned_end(facts.start, facts.planned_end, max_months, field="planned_end")
    except RuleViolation as exc:
        found.append(exc)
    current = facts.planned_end
    for decided_on, new_end, reason in sorted(facts.extensions, key=lambda e: e[0]):
        # durations.check_extension stops at the first broken rule: a broken motive or decision date is
        # set aside (a stand-in that passes) and the check run again, so that every error comes at once.
        checked_on, checked_reason = decided_on, reason
        for _ in range(3):
            try:
                durations.check_extension(start=facts.start, current_end=current, new_end=new_end,
                                          max_months=max_months, exit_on=facts.exit_on,
                                          decided_on=checked_on, reason=checked_reason)
                break
            except RuleViolation as exc:
                found.append(_violation(exc, f"extensions.{exc.field}"))
                if exc.field == "reason":
                    checked_reason = "-"
                elif exc.field == "date":
                    checked_on = facts.start
                else:
                    break
        current = new_end
    if facts.exit_on is not None:
        try:
            durations.check_exit(facts.start, facts.exit_on, facts.exit_reason or "")
        except RuleViolation as exc:
            found.append(_violation(exc, "exit.reason" if exc.field == "reason" else "exit.date"))
    if facts.followup_on is not None:
        if facts.exit_on is None:
            found.append(RuleViolation("not_exited", _l("Le suivi à 6 mois suit une sortie."), "followup.date"))
        else:
            due = followup_due_on(facts.exit_on)
            if facts.followup_on < due:
                found.append(RuleViolation(
                    "followup_too_soon",
                    _l("Le suivi à 6 mois enregistré le %(day)s précéderait la date de suivi (%(day2)s, 6 mois "
                       "après la sortie).", day=LazyDate(facts.followup_on), day2=LazyDate(due)), "followup.date"))
    return found


def check_person_accompaniments(all_facts: list[AccompanimentFacts]) -> list[RuleViolation]:
    """A person's accompaniments never overlap and at most one is open (with the dates that clash)."""
    found: list[RuleViolation] = []
    open_ones = [f for f in all_facts if f.exit_on is None]
    if len(open_ones) > 1:
        starts = ", ".join(f"{f.start:%d/%m/%Y}" for f in sorted(open_ones, key=lambda f: f.start))
        found.append(RuleViolation("two_open", _l("La personne aurait deux accompagnements en cours (entrées le "
                                                  "%(starts)s).", starts=starts), "accompaniments"))
    ordered = sorted(all_facts, key=lambda f: (f.start, f.exit_on or date.max))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.exit_on is not None and after.start < before.exit_on:
            found.append(RuleViolation(
                "overlap", _l("Les accompagnements se chevaucheraient : l'un se termine le %(day)s, l'autre "
                              "commence le %(day2)s.", day=LazyDate(before.exit_on), day2=LazyDate(after.start)),
                                  "accompaniments"))
        elif before.exit_on is None and len(open_ones) <= 1:
            found.append(RuleViolation(
                "overlap", _l("Les accompagnements se chevaucheraient : celui entré le %(day)s est encore en "
                              "cours quand l'autre commence le %(day2)s.", day=LazyDate(before.start),
                                  day2=LazyDate(after.start)), "accompaniments"))
    return found
