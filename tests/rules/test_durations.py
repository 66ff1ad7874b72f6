"""Accompaniment durations, extensions, exits, follow-up, non-overlap and the clock (SPEC §4.2)."""
import random
from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from agir.dates import add_months
from agir.errors import RuleViolation
from agir.rules.durations import (
    check_exit,
    check_extension,
    check_followup,
    check_max_months,
    check_no_overlap,
    check_planned_end,
    clock,
    default_planned_end,
    is_early_exit,
    planned_end_bounds,
)
from models.enums import EARLY_EXIT_REASONS, EXIT_REASONS

DAY = timedelta(days=1)
START = date(2023, 1, 15)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
max_months = st.integers(min_value=6, max_value=18)


def refused(code, func, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as exc:
        func(*args, **kwargs)
    assert exc.value.code == code
    assert exc.value.message and str(exc.value) == exc.value.message
    return exc.value


# --- planned end between start + 6 and start + max_months -----------------------------------------

@pytest.mark.parametrize("start, low, high", [
    (date(2023, 1, 15), date(2023, 7, 15), date(2024, 1, 15)),
    (date(2022, 8, 31), date(2023, 2, 28), date(2023, 8, 31)),   # 31 Aug + 6 = 28 Feb
    (date(2023, 8, 31), date(2024, 2, 29), date(2024, 8, 31)),   # leap year
    (date(2023, 3, 31), date(2023, 9, 30), date(2024, 3, 31)),   # 31 Mar + 6 = 30 Sep
])
def test_planned_end_bounds_are_calendar_months_clipped(start, low, high):
    assert planned_end_bounds(start, 12) == (low, high)
    check_planned_end(start, low, 12)
    check_planned_end(start, high, 12)
    error = refused("planned_end_too_soon", check_planned_end, start, low - DAY, 12)
    assert error.field == "planned_end" and low.strftime("%d/%m/%Y") in error.message
    error = refused("planned_end_too_late", check_planned_end, start, high + DAY, 12)
    assert error.field == "planned_end" and high.strftime("%d/%m/%Y") in error.message and "12 mois" in error.message


def test_planned_end_of_a_2024_wave_department_may_reach_18_months():
    check_planned_end(START, date(2024, 7, 15), 18)
    refused("planned_end_too_late", check_planned_end, START, date(2024, 7, 16), 18)
    refused("planned_end_too_late", check_planned_end, START, date(2024, 7, 15), 12)


def test_planned_end_field_name_can_be_chosen():
    assert refused("planned_end_too_soon", check_planned_end, START, START, 12, field="x").field == "x"


@given(start=days, months=max_months, planned_end=days)
def test_planned_end_is_accepted_exactly_between_its_bounds(start, months, planned_end):
    low, high = add_months(start, 6), add_months(start, months)
    try:
        check_planned_end(start, planned_end, months)
        accepted = True
    except RuleViolation:
        accepted = False
    assert accepted is (low <= planned_end <= high)


@given(start=days, usual=st.integers(min_value=0, max_value=30), months=max_months)
def test_default_planned_end_is_always_acceptable(start, usual, months):
    end = default_planned_end(start, usual, months)
    check_planned_end(start, end, months)


def test_default_planned_end_examples():
    assert default_planned_end(START, 12, 12) == date(2024, 1, 15)
    assert default_planned_end(START, 12, 9) == date(2023, 10, 15)
    assert default_planned_end(START, 3, 12) == date(2023, 7, 15)


@pytest.mark.parametrize("value, ok", [(5, False), (6, True), (12, True), (18, True), (19, False), (0, False)])
def test_a_department_max_months_stays_within_6_to_18(value, ok):
    if ok:
        check_max_months(value)
    else:
        assert refused("max_months_range", check_max_months, value).field == "max_months"


# --- extensions ------------------------------------------------------------------------------------

def extension(**overrides):
    values = dict(start=START, current_end=date(2023, 12, 15), decided_on=date(2023, 11, 1),
                  new_end=date(2024, 1, 15), max_months=12, reason="Attente d'un logement", exit_on=None)
    values.update(overrides)
    return check_extension(**values)


def test_an_extension_up_to_start_plus_max_months_is_accepted():
    extension()
    extension(new_end=date(2023, 12, 16))


@pytest.mark.parametrize("reason", (None, "", "   \n"))
def test_an_extension_needs_a_reason(reason):
    assert refused("extension_reason", extension, reason=reason).field == "reason"


@pytest.mark.parametrize("new_end", (date(2023, 12, 15), date(2023, 12, 1)))
def test_an_extension_must_move_the_planned_end_strictly_later(new_end):
    error = refused("extension_not_later", extension, new_end=new_end)
    assert error.field == "planned_end" and "15/12/2023" in error.message


def test_an_extension_beyond_max_months_is_refused():
    error = refused("extension_beyond_max", extension, new_end=date(2024, 1, 16))
    assert error.field == "planned_end" and "15/01/2024" in error.message and "12 mois" in error.message
    extension(new_end=date(2024, 7, 15), max_months=18)
    refused("extension_beyond_max", extension, new_end=date(2024, 7, 16), max_months=18)


def test_an_extension_from_a_month_end_clips_its_limit():
    # 31 Aug 2022 + 18 months = 29 Feb 2024 (the end of February of a leap year).
    start = date(2022, 8, 31)
    extension(start=start, current_end=date(2023, 8, 31), decided_on=date(2023, 8, 1),
              new_end=date(2024, 2, 29), max_months=18)
    refused("extension_beyond_max", extension, start=start, current_end=date(2023, 8, 31),
            decided_on=date(2023, 8, 1), new_end=date(2024, 3, 1), max_months=18)


def test_an_extension_cannot_be_decided_before_the_start():
    extension(decided_on=START)
    assert refused("extension_before_start", extension, decided_on=START - DAY).field == "date"


def test_an_extension_cannot_be_decided_after_the_exit():
    extension(exit_on=date(2023, 11, 1))
    assert refused("extension_after_exit", extension, exit_on=date(2023, 10, 31)).field == "date"


@given(start=days, months=max_months, data=st.data())
def test_an_accepted_extension_never_passes_the_limit(start, months, data):
    current_end = data.draw(st.dates(min_value=add_months(start, 6), max_value=add_months(start, months)))
    new_end = data.draw(st.dates(min_value=start, max_value=add_months(start, 24)))
    try:
        check_extension(start=start, current_end=current_end, decided_on=start, new_end=new_end,
                        max_months=months, reason="motif")
        accepted = True
    except RuleViolation:
        accepted = False
    assert accepted is (current_end < new_end <= add_months(start, months))


# --- exits ----------------------------------------------------------------------------------------

def test_early_exit_is_strictly_before_start_plus_six_months():
    six = date(2023, 7, 15)
    assert is_early_exit(START, six - DAY)
    assert not is_early_exit(START, six)
    assert is_early_exit(date(2022, 8, 31), date(2023, 2, 27))
    assert not is_early_exit(date(2022, 8, 31), date(2023, 2, 28))


@pytest.mark.parametrize("reason", EARLY_EXIT_REASONS)
def test_an_early_exit_accepts_the_early_exit_reasons(reason):
    check_exit(START, date(2023, 7, 14), reason)
    check_exit(START, START, reason)


@pytest.mark.parametrize("reason", ("goals_reached", "max_duration"))
def test_an_early_exit_refuses_the_ordinary_reasons(reason):
    error = refused("early_exit_reason", check_exit, START, date(2023, 7, 14), reason)
    assert error.field == "reason" and "avant 6 mois" in error.message


@pytest.mark.parametrize("reason", EXIT_REASONS)
def test_an_exit_from_six_months_accepts_every_reason(reason):
    check_exit(START, date(2023, 7, 15), reason)
    check_exit(START, date(2025, 1, 1), reason)


def test_the_exit_reason_sets():
    assert set(EARLY_EXIT_REASONS) == {"moved_away", "dropped_out", "autonomous", "deceased", "other"}
    assert set(EXIT_REASONS) == set(EARLY_EXIT_REASONS) | {"goals_reached", "max_duration"}


def test_an_exit_before_the_start_is_refused():
    assert refused("exit_before_start", check_exit, START, START - DAY, "moved_away").field == "date"


@pytest.mark.parametrize("reason", (None, ""))
def test_an_exit_needs_a_reason(reason):
    error = refused("exit_reason_missing", check_exit, START, date(2023, 9, 1), reason)
    assert error.field == "reason" and error.message == "Le motif de sortie est obligatoire."


def test_an_unknown_exit_reason_is_refused():
    assert refused("exit_reason_unknown", check_exit, START, date(2023, 9, 1), "married").field == "reason"


@given(start=days, exit_on=days, reason=st.sampled_from(EXIT_REASONS))
def test_an_exit_is_accepted_exactly_by_the_rules(start, exit_on, reason):
    try:
        check_exit(start, exit_on, reason)
        accepted = True
    except RuleViolation:
        accepted = False
    expected = exit_on >= start and (exit_on >= add_months(start, 6) or reason in EARLY_EXIT_REASONS)
    assert accepted is expected


# --- follow-up ------------------------------------------------------------------------------------

def test_the_follow_up_comes_on_or_after_the_exit():
    exit_on = date(2023, 9, 1)
    check_followup(exit_on, exit_on)
    check_followup(exit_on, date(2024, 3, 1))
    assert refused("followup_before_exit", check_followup, exit_on, exit_on - DAY).field == "followup.date"


# --- non-overlap ----------------------------------------------------------------------------------

A = (date(2022, 1, 1), date(2022, 6, 30))


def test_periods_that_touch_do_not_overlap():
    check_no_overlap([A, (date(2022, 6, 30), date(2023, 1, 31))])
    check_no_overlap([A, (date(2022, 6, 30), None)])
    check_no_overlap([(date(2022, 6, 30), None), A])


def test_periods_that_share_a_day_overlap():
    refused("overlap", check_no_overlap, [A, (date(2022, 6, 29), date(2023, 1, 31))])
    refused("overlap", check_no_overlap, [A, (date(2022, 3, 1), date(2022, 4, 1))])
    error = refused("overlap", check_no_overlap, [(date(2022, 3, 1), None), A])
    assert error.field == "accompaniments"


def test_two_open_accompaniments_are_refused():
    error = refused("two_open", check_no_overlap, [(date(2022, 1, 1), None), (date(2023, 1, 1), None)])
    assert error.field == "accompaniments"


def test_a_single_or_no_accompaniment_is_fine():
    check_no_overlap([])
    check_no_overlap([(date(2022, 1, 1), None)])
    check_no_overlap([A])


def test_an_accompaniment_closed_on_its_first_day_touches_the_next_whatever_the_order():
    same_day = (date(2022, 6, 30), date(2022, 6, 30))
    following = (date(2022, 6, 30), date(2023, 1, 31))
    check_no_overlap([same_day, following])
    check_no_overlap([following, same_day])
    check_no_overlap([(date(2022, 6, 30), None), same_day])


# Starts and lengths drawn from a small range, so that shared starts and touching ends are frequent.
periods = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10), st.one_of(st.none(), st.integers(min_value=0, max_value=8))).map(
        lambda p: (START + timedelta(days=p[0]), None if p[1] is None else START + timedelta(days=p[0] + p[1]))),
    max_size=5,
)


def _accepted(items) -> bool:
    try:
        check_no_overlap(items)
        return True
    except RuleViolation:
        return False


def _share_a_day(a, b) -> bool:
    # Periods run [start, exit): touching (one ends the day the other starts) is allowed,
    # an open period runs forever.
    (s1, e1), (s2, e2) = a, b
    return s1 < (e2 or date.max) and s2 < (e1 or date.max)


@given(periods)
@example([(START, START + timedelta(days=3)), (START, START)])
def test_no_overlap_agrees_with_the_pairwise_definition(items):
    opened = sum(1 for _, end in items if end is None)
    clash = any(_share_a_day(a, b) for i, a in enumerate(items) for b in items[i + 1:])
    assert _accepted(items) is (opened <= 1 and not clash)


@given(periods, st.randoms(use_true_random=False))
@example([(START, START), (START, START + timedelta(days=3))], random.Random(0))
def test_no_overlap_does_not_depend_on_the_order(items, rnd):
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert _accepted(items) is _accepted(shuffled) is _accepted(items[::-1])


# --- the clock ------------------------------------------------------------------------------------

def test_clock_on_the_first_day_is_month_1_of_n():
    c = clock(START, START, date(2024, 1, 15), 12)
    assert c == {"month": 1, "of": 12, "overdue": False, "over_limit": False, "limit": date(2024, 1, 15)}


def test_clock_before_the_start_is_month_0():
    assert clock(START, START - DAY, date(2024, 1, 15), 12)["month"] == 0


def test_clock_overdue_the_day_after_the_planned_end_and_over_limit_the_day_after_the_limit():
    end = date(2023, 9, 15)
    assert not clock(START, end, end, 12)["overdue"]
    assert clock(START, end + DAY, end, 12)["overdue"]
    assert not clock(START, end + DAY, end, 12)["over_limit"]
    limit = date(2024, 1, 15)
    assert not clock(START, limit, end, 12)["over_limit"]
    assert clock(START, limit + DAY, end, 12)["over_limit"]
    assert clock(START, limit + DAY, limit, 18)["over_limit"] is False


@given(start=days, k=st.integers(min_value=0, max_value=30), n=st.integers(min_value=6, max_value=18))
def test_clock_month_k_starts_k_calendar_months_after_entry(start, k, n):
    assume(start.day <= 28)
    end = add_months(start, n)
    at = add_months(start, k)
    assert clock(start, at, end, 18)["month"] == k + 1
    assert clock(start, at - DAY, end, 18)["month"] == (k if k else 0)
    assert clock(start, at, end, 18)["of"] == n


@given(start=days, a=days, b=days, n=max_months)
def test_clock_month_never_goes_back(start, a, b, n):
    a, b = min(a, b), max(a, b)
    end = add_months(start, n)
    assert clock(start, a, end, n)["month"] <= clock(start, b, end, n)["month"]
