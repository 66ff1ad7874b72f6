"""Alert rules of SPEC §4.4 at their boundaries: the day before, the day itself, the day after."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agir.rules import alerts as rules

D = timedelta(days=1)
START = date(2022, 9, 1)
END = date(2023, 8, 31)


# --- open on as_of ----------------------------------------------------------------------------------

@pytest.mark.parametrize("as_of, exit_on, expected", [
    (START - D, None, False),          # not started yet
    (START, None, True),               # the first day counts
    (date(2023, 1, 1), date(2023, 1, 1), False),   # exit on as_of: closed that day
    (date(2023, 1, 1), date(2023, 1, 2), True),    # exit tomorrow: still open
    (date(2023, 1, 1), date(2022, 12, 31), False),
])
def test_accompaniment_is_open_from_start_until_the_day_before_exit(as_of, exit_on, expected):
    assert rules.is_open_on(START, exit_on, as_of) is expected


# --- end_soon ---------------------------------------------------------------------------------------

def test_end_soon_starts_30_days_before_the_planned_end():
    begins = END - timedelta(days=30)
    assert not rules.end_soon(START, END, None, begins - D)
    assert rules.end_soon(START, END, None, begins) == rules.Due(True, begins)
    assert rules.end_soon(START, END, None, begins + D).due_on == begins


def test_end_soon_holds_on_the_planned_end_and_stops_the_day_after():
    assert rules.end_soon(START, END, None, END)
    assert not rules.end_soon(START, END, None, END + D)


def test_end_soon_needs_an_open_accompaniment():
    assert not rules.end_soon(START, END, END - timedelta(days=5), END - timedelta(days=2))
    assert rules.end_soon(START, END, END, END - D)  # the exit is still ahead


# --- overdue ----------------------------------------------------------------------------------------

def test_overdue_the_day_after_the_planned_end():
    assert not rules.overdue(START, END, None, END - D)
    assert not rules.overdue(START, END, None, END)
    assert rules.overdue(START, END, None, END + D) == rules.Due(True, END + D)
    assert rules.overdue(START, END, None, END + timedelta(days=40)).due_on == END + D


def test_overdue_ends_with_the_exit():
    assert not rules.overdue(START, END, END + timedelta(days=3), END + timedelta(days=3))
    assert rules.overdue(START, END, END + timedelta(days=3), END + timedelta(days=2))


# --- over_limit -------------------------------------------------------------------------------------

def test_over_limit_the_day_after_start_plus_max_months():
    limit = date(2023, 9, 1)  # 1 Sep 2022 + 12 months
    assert not rules.over_limit(START, None, 12, limit - D)
    assert not rules.over_limit(START, None, 12, limit)
    assert rules.over_limit(START, None, 12, limit + D) == rules.Due(True, limit + D)


def test_over_limit_clips_to_the_end_of_the_month():
    start = date(2022, 8, 31)
    limit = date(2023, 2, 28)  # 31 Aug + 6 months
    assert not rules.over_limit(start, None, 6, limit)
    assert rules.over_limit(start, None, 6, date(2023, 3, 1)).due_on == date(2023, 3, 1)


def test_over_limit_follows_the_department_maximum():
    as_of = date(2023, 12, 1)
    assert rules.over_limit(START, None, 12, as_of)
    assert not rules.over_limit(START, None, 18, as_of)


def test_over_limit_is_silent_once_exited():
    assert not rules.over_limit(START, date(2023, 9, 2), 12, date(2023, 9, 2))


# --- permit_expiry ----------------------------------------------------------------------------------

def test_permit_expiry_starts_90_days_before_expiry():
    expiry = date(2024, 6, 30)
    begins = expiry - timedelta(days=90)
    assert not rules.permit_expiry(expiry, begins - D)
    assert rules.permit_expiry(expiry, begins) == rules.Due(True, begins)
    assert rules.permit_expiry(expiry, expiry)


def test_an_expired_permit_stays_an_alert():
    expiry = date(2024, 6, 30)
    assert rules.permit_expiry(expiry, expiry + D)
    assert rules.permit_expiry(expiry, expiry + timedelta(days=400)).due_on == expiry - timedelta(days=90)


def test_no_permit_date_no_alert():
    assert not rules.permit_expiry(None, date(2024, 1, 1))


# --- referral_unanswered ----------------------------------------------------------------------------

def test_referral_unanswered_after_more_than_15_days():
    sent = date(2023, 3, 1)
    assert not rules.referral_unanswered(sent, None, sent + timedelta(days=15))
    assert rules.referral_unanswered(sent, None, sent + timedelta(days=16)) == rules.Due(True, date(2023, 3, 17))
    assert rules.referral_unanswered(sent, None, sent + timedelta(days=17))


def test_referral_answered_on_or_before_as_of_is_no_alert():
    sent = date(2023, 3, 1)
    as_of = sent + timedelta(days=20)
    assert not rules.referral_unanswered(sent, as_of, as_of)
    assert not rules.referral_unanswered(sent, as_of - D, as_of)
    assert rules.referral_unanswered(sent, as_of + D, as_of)  # answered later: still pending that day


def test_the_first_answer_counts():
    assert rules.referral_answered_on(None, None, None) is None
    assert rules.referral_answered_on(date(2023, 3, 5), None, None) == date(2023, 3, 5)
    assert rules.referral_answered_on(None, date(2023, 3, 9), date(2023, 3, 4)) == date(2023, 3, 4)


# --- followup_due -----------------------------------------------------------------------------------

def test_followup_due_from_exit_plus_six_months():
    exit_on = date(2023, 8, 31)
    due = date(2024, 2, 29)  # clipped, leap year
    assert not rules.followup_due(exit_on, None, due - D)
    assert rules.followup_due(exit_on, None, due) == rules.Due(True, due)
    assert rules.followup_due(exit_on, None, due + D)


def test_followup_recorded_resolves_it_but_not_a_later_one():
    exit_on, as_of = date(2023, 1, 10), date(2023, 8, 1)
    assert not rules.followup_due(exit_on, date(2023, 7, 15), as_of)
    assert not rules.followup_due(exit_on, as_of, as_of)
    assert rules.followup_due(exit_on, as_of + D, as_of)


def test_no_exit_no_followup_due():
    assert not rules.followup_due(None, None, date(2030, 1, 1))


# --- inactive ---------------------------------------------------------------------------------------

def test_inactive_60_days_after_the_last_dated_action():
    last = date(2023, 1, 10)
    due = last + timedelta(days=60)
    assert not rules.inactive(START, None, last, due - D)
    assert rules.inactive(START, None, last, due) == rules.Due(True, due)
    assert rules.inactive(START, None, last, due + D)


def test_inactive_counts_from_the_start_when_nothing_is_dated():
    assert not rules.inactive(START, None, None, START + timedelta(days=59))
    assert rules.inactive(START, None, None, START + timedelta(days=60)).due_on == START + timedelta(days=60)
    # an action dated before the start does not push the clock back
    assert rules.inactive(START, None, START - timedelta(days=30), START + timedelta(days=60)).due_on == \
        START + timedelta(days=60)


def test_an_action_after_as_of_is_ignored():
    assert rules.inactive(START, None, START + timedelta(days=100), START + timedelta(days=60))


def test_inactive_needs_an_open_accompaniment():
    assert not rules.inactive(START, START + timedelta(days=61), None, START + timedelta(days=61))


# --- eligibility_closing ----------------------------------------------------------------------------

PROTECTION = date(2022, 3, 15)
LIMIT = date(2024, 3, 15)  # first day no longer eligible
AGIR = date(2022, 7, 1)


def test_eligibility_closing_in_the_30_days_before_protection_plus_two_years():
    begins = LIMIT - timedelta(days=30)
    assert not rules.eligibility_closing("refugee", PROTECTION, False, AGIR, begins - D)
    assert rules.eligibility_closing("refugee", PROTECTION, False, AGIR, begins) == rules.Due(True, begins)
    assert rules.eligibility_closing("refugee", PROTECTION, False, AGIR, LIMIT - D)
    assert not rules.eligibility_closing("refugee", PROTECTION, False, AGIR, LIMIT)


def test_eligibility_closing_clips_a_29_february():
    limit = date(2026, 2, 28)
    begins = limit - timedelta(days=30)
    assert rules.eligibility_closing("stateless", date(2024, 2, 29), False, AGIR, begins).due_on == begins
    assert not rules.eligibility_closing("stateless", date(2024, 2, 29), False, AGIR, limit)


@pytest.mark.parametrize("status, protection_on, enrolled, agir_start", [
    ("family", PROTECTION, False, AGIR),              # not a BPI
    ("refugee", None, False, AGIR),                   # no protection date
    ("refugee", PROTECTION, True, AGIR),              # already enrolled
    ("refugee", PROTECTION, False, None),             # AGIR not in the department
    ("refugee", PROTECTION, False, LIMIT),            # AGIR comes too late for this person
])
def test_eligibility_closing_only_for_a_bpi_who_can_still_enter(status, protection_on, enrolled, agir_start):
    assert not rules.eligibility_closing(status, protection_on, enrolled, agir_start, LIMIT - timedelta(days=5))


# --- properties -------------------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(start=days, length=st.integers(min_value=180, max_value=550), offset=st.integers(-400, 800))
def test_an_open_accompaniment_is_never_both_end_soon_and_overdue(start, length, offset):
    end = start + timedelta(days=length)
    as_of = start + timedelta(days=offset)
    assert not (rules.end_soon(start, end, None, as_of) and rules.overdue(start, end, None, as_of))


@given(start=days, months=st.integers(6, 18), offset=st.integers(0, 800))
def test_over_limit_implies_overdue_when_the_planned_end_respects_the_maximum(start, months, offset):
    from agir.dates import add_months
    as_of = start + timedelta(days=offset)
    end = add_months(start, months)
    if rules.over_limit(start, None, months, as_of):
        assert rules.overdue(start, end, None, as_of)


@given(expiry=days, as_of=days)
def test_a_rule_that_holds_is_due_on_or_before_as_of(expiry, as_of):
    verdict = rules.permit_expiry(expiry, as_of)
    assert not verdict or verdict.due_on <= as_of
