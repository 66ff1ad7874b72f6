"""Alert conditions of SPEC §4.4 as pure functions (docs/rules.md, section "Alertes").

Each rule looks at plain dates on a day `as_of` and answers a `Due`: whether the alert holds
that day and `due_on`, the day it became due (the first day it held, everything else equal).
The nightly job and the `agir alerts` command load candidate rows with SQL and ask these rules;
no other code decides when an alert holds.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from agir.dates import add_months
from agir.rules.eligibility import is_bpi, two_year_limit

END_SOON_DAYS = 30
PERMIT_EXPIRY_DAYS = 90
REFERRAL_ANSWER_DAYS = 15
FOLLOWUP_MONTHS = 6
INACTIVE_DAYS = 60
ELIGIBILITY_CLOSING_DAYS = 30


@dataclass(frozen=True)
class Due:
    """Verdict of an alert rule: holds or not, and since when it is due."""

    holds: bool
    due_on: date | None = None

    def __bool__(self) -> bool:
        return self.holds


NO = Due(False)


def _due(condition: bool, due_on: date) -> Due:
    return Due(True, due_on) if condition else NO


def is_open_on(start: date, exit_on: date | None, as_of: date) -> bool:
    """An accompaniment is open on as_of: started on or before it, no exit on or before it."""
    return start <= as_of and (exit_on is None or exit_on > as_of)


def end_soon(start: date, current_end: date, exit_on: date | None, as_of: date) -> Due:
    """Open, and as_of within the 30 days up to the planned end (both ends included)."""
    begins = current_end - timedelta(days=END_SOON_DAYS)
    return _due(is_open_on(start, exit_on, as_of) and begins <= as_of <= current_end, begins)


def overdue(start: date, current_end: date, exit_on: date | None, as_of: date) -> Due:
    """Open, and as_of after the latest planned end; due the day after the planned end."""
    return _due(is_open_on(start, exit_on, as_of) and as_of > current_end, current_end + timedelta(days=1))


def max_end(start: date, max_months: int) -> date:
    """Last day allowed: start + max_months (calendar step clipped to the month's end)."""
    return add_months(start, max_months)


def over_limit(start: date, exit_on: date | None, max_months: int, as_of: date) -> Due:
    """Open, and as_of after start + max_months; due the day after that limit."""
    limit = max_end(start, max_months)
    return _due(is_open_on(start, exit_on, as_of) and as_of > limit, limit + timedelta(days=1))


def permit_expiry(expiry_on: date | None, as_of: date) -> Due:
    """The residence permit expires within 90 days, or has expired (even more urgent)."""
    if expiry_on is None:
        return NO
    begins = expiry_on - timedelta(days=PERMIT_EXPIRY_DAYS)
    return _due(as_of >= begins, begins)


def referral_answered_on(accepted_on: date | None, refused_on: date | None,
                         cancelled_on: date | None) -> date | None:
    """First answer to a referral (acceptance, refusal, or its cancellation by the sender)."""
    answers = [d for d in (accepted_on, refused_on, cancelled_on) if d is not None]
    return min(answers) if answers else None


def referral_unanswered(sent_on: date, answered_on: date | None, as_of: date) -> Due:
    """Still `sent` on as_of and sent more than 15 days before; due 16 days after sending."""
    due_on = sent_on + timedelta(days=REFERRAL_ANSWER_DAYS + 1)
    pending = answered_on is None or answered_on > as_of
    return _due(pending and as_of >= due_on, due_on)


def followup_due(exit_on: date | None, followup_on: date | None, as_of: date) -> Due:
    """Exit + 6 months reached on as_of and no follow-up recorded on or before as_of."""
    if exit_on is None:
        return NO
    due_on = add_months(exit_on, FOLLOWUP_MONTHS)
    missing = followup_on is None or followup_on > as_of
    return _due(missing and as_of >= due_on, due_on)


def inactive(start: date, exit_on: date | None, last_activity: date | None, as_of: date) -> Due:
    """Open, and nothing dated in the file for 60 days (the start counts as activity)."""
    last = max(start, last_activity) if last_activity and last_activity <= as_of else start
    due_on = last + timedelta(days=INACTIVE_DAYS)
    return _due(is_open_on(start, exit_on, as_of) and as_of >= due_on, due_on)


def eligibility_closing(status: str | None, protection_on: date | None, enrolled: bool,
                        agir_start: date | None, as_of: date) -> Due:
    """A BPI never enrolled, in a department with AGIR, whose two-year window ends within 30 days.

    The window ends on protection + 2 years (that day is no longer eligible): the alert holds from
    30 days before that day up to its eve, and only if AGIR starts before that day.
    """
    if not is_bpi(status) or protection_on is None or enrolled or agir_start is None:
        return NO
    limit = two_year_limit(protection_on)
    begins = limit - timedelta(days=ELIGIBILITY_CLOSING_DAYS)
    return _due(agir_start < limit and begins <= as_of < limit, begins)
