"""Alert conditions of SPEC §4.4 as pure functions (docs/rules.md, section "Alertes").

Each rule looks at plain dates on a day `as_of` and answers a `Due`: whether the alert holds
that day and `due_on`, the day it became due (the first day it held, everything else equal).
The nightly job and the `agir alerts` command load candidate rows with SQL and ask these rules;
no other code decides when an alert holds.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from agir.dates import add_months
from agir.rules.accompaniment import followup_due_on
from agir.rules.eligibility import is_bpi, two_year_limit

END_SOON_DAYS = 30
PERMIT_EXPIRY_DAYS = 90
REFERRAL_ANSWER_DAYS = 15
INACTIVE_DAYS = 60
ELIGIBILITY_CLOSING_DAYS = 30
FIRST_INTERVIEW_MONTHS = 1
DOCUMENT_EXPIRY_DAYS = 90
# Appointment statuses (SPEC §4.6): those that say nothing about the person's coming (ignored), and those
# of an appointment that did not take place as planned.
APPOINTMENT_IGNORED = ("cancelled", "excused")
APPOINTMENT_NOT_HELD = ("missed", "planned")


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


def followup_due(exit_on: date | None, followup_on: date | None, as_of: date,
                 exit_reason: str | None = None) -> Due:
    """Exit + 6 months reached on as_of and no follow-up recorded on or before as_of (never after a death)."""
    if exit_on is None or exit_reason == "deceased":
        return NO
    due_on = followup_due_on(exit_on)
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


# --- Second version of the contract (INTERCHANGE.md « Alerts of the second version ») ---------------------

def path_over(ended: bool, open_now: bool) -> bool:
    """The path is over on as_of: an accompaniment ended on or before as_of, and none is open that day."""
    return ended and not open_now


def first_interview_late(oriented_on: date | None, interviewed_on: date | None, over: bool, as_of: date) -> Due:
    """Oriented on O, no honoured first interview dated from O to as_of, and as_of > O + 1 month.

    `interviewed_on` is the earliest honoured `first_interview` appointment dated on or after O (at any
    structure), or None; one dated after as_of is not yet known on as_of. Due O + 1 month + 1 day; not
    raised once the path is over.
    """
    if oriented_on is None or over:
        return NO
    limit = add_months(oriented_on, FIRST_INTERVIEW_MONTHS)
    seen = interviewed_on is not None and oriented_on <= interviewed_on <= as_of
    return _due(not seen and as_of > limit, limit + timedelta(days=1))


def appointment_missed(last_on: date | None, last_status: str | None, planned_ahead: bool, as_of: date) -> Due:
    """The latest appointment at a structure dated before as_of (cancelled and excused ones aside) is
    `missed` or still `planned`, and nothing is planned there from as_of on. Due the day after it."""
    if last_on is None or last_on >= as_of or last_status in APPOINTMENT_IGNORED:
        return NO
    return _due(last_status in APPOINTMENT_NOT_HELD and not planned_ahead, last_on + timedelta(days=1))


def document_expiry(expires_on: date | None, superseded: bool, followed: bool, as_of: date) -> Due:
    """A document expires within 90 days (or has expired), no document of its kind expires later, and
    the person is followed on as_of. Due E − 90 days; it stays after the expiry, like the permit's."""
    if expires_on is None or superseded or not followed:
        return NO
    begins = expires_on - timedelta(days=DOCUMENT_EXPIRY_DAYS)
    return _due(as_of >= begins, begins)


def appointment_rank(status: str) -> int:
    """Among appointments starting at the same minute, the one that decides: honoured, then missed, then
    planned (a person seen at that minute was not absent)."""
    return {"honoured": 0, "missed": 1}.get(status, 2)
