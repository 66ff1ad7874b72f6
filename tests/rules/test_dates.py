"""Calendar arithmetic (SPEC §4.1 "Date arithmetic"): clipped month steps, month counts, ages, French dates."""
import calendar
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from agir.dates import DATE_MAX, DATE_MIN, add_months, add_years, age_on, format_fr, months_between, parse_iso

# Far enough from date.min / date.max that every step below stays representable.
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))
steps = st.integers(min_value=-600, max_value=600)
forward = st.integers(min_value=0, max_value=600)


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# --- add_months / add_years: the examples of the specification ---------------------------------

@pytest.mark.parametrize("start, months, expected", [
    (date(2023, 8, 31), 6, date(2024, 2, 29)),   # leap year: 29 February
    (date(2022, 8, 31), 6, date(2023, 2, 28)),   # SPEC: 31 Aug + 6 months = 28 Feb
    (date(2023, 3, 31), 6, date(2023, 9, 30)),   # 31 Mar + 6 = 30 Sep
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2023, 1, 30), 1, date(2023, 2, 28)),
    (date(2023, 1, 15), 12, date(2024, 1, 15)),
    (date(2023, 12, 31), 2, date(2024, 2, 29)),
    (date(2023, 3, 31), -1, date(2023, 2, 28)),
    (date(2023, 5, 17), 0, date(2023, 5, 17)),
])
def test_add_months_examples_clip_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("start, years, expected", [
    (date(2020, 2, 29), 2, date(2022, 2, 28)),   # SPEC: 29 Feb + 2 years = 28 Feb
    (date(2020, 2, 29), 1, date(2021, 2, 28)),
    (date(2020, 2, 29), 4, date(2024, 2, 29)),
    (date(2020, 2, 29), 5, date(2025, 2, 28)),
    (date(2021, 3, 1), 2, date(2023, 3, 1)),
    (date(2021, 2, 28), 3, date(2024, 2, 28)),   # 28 Feb never becomes 29 Feb
])
def test_add_years_examples(start, years, expected):
    assert add_years(start, years) == expected


# --- add_months / add_years: properties ----------------------------------------------------------

@given(days, steps)
def test_add_months_lands_in_the_target_month_never_past_its_end(day, n):
    result = add_months(day, n)
    assert month_index(result) == month_index(day) + n
    assert 1 <= result.day <= month_length(result.year, result.month)


@given(days, steps)
def test_add_months_keeps_the_day_or_clips_it_to_the_month_length(day, n):
    result = add_months(day, n)
    assert result.day == min(day.day, month_length(result.year, result.month))


@given(days, days, steps)
def test_add_months_is_monotonic_in_the_date(a, b, n):
    a, b = min(a, b), max(a, b)
    assert add_months(a, n) <= add_months(b, n)


@given(days, steps, steps)
def test_add_months_is_monotonic_in_the_number_of_months(day, m, n):
    m, n = min(m, n), max(m, n)
    assert add_months(day, m) <= add_months(day, n)
    if m < n:
        assert add_months(day, m) < add_months(day, n)


@given(days, steps)
def test_add_months_then_back_returns_the_day_when_no_clipping_happened(day, n):
    assume(day.day <= 28)
    assert add_months(add_months(day, n), -n) == day


@given(days, st.integers(min_value=-50, max_value=50))
def test_add_years_is_twelve_months_steps(day, years):
    assert add_years(day, years) == add_months(day, 12 * years)


@given(st.integers(min_value=1904, max_value=2196).filter(calendar.isleap), st.integers(min_value=1, max_value=3))
def test_add_years_from_29_february_clips_to_28_february_in_common_years(leap_year, years):
    assert add_years(date(leap_year, 2, 29), years) == date(leap_year + years, 2, 28)


# --- months_between: the clock's month count -----------------------------------------------------

@given(days, forward)
def test_months_between_a_start_and_start_plus_n_months_is_n(start, n):
    assume(start.day <= 28)
    assert months_between(start, add_months(start, n)) == n


@given(days, forward)
def test_months_between_counts_whole_clipped_months_even_from_a_month_end(start, n):
    # From 31 Jan, 28 Feb is one whole month: the count agrees with add_months' clipping.
    assert months_between(start, add_months(start, n)) == n


@given(days, days)
def test_months_between_is_the_largest_n_with_start_plus_n_not_after_end(a, b):
    start, end = min(a, b), max(a, b)
    n = months_between(start, end)
    assert add_months(start, n) <= end < add_months(start, n + 1)


@given(days, st.integers(min_value=1, max_value=5000))
def test_months_between_is_never_negative(start, gap):
    assert months_between(start, start - timedelta(days=gap)) == 0


@given(days, days, days)
def test_months_between_grows_with_the_end_date(start, a, b):
    a, b = min(a, b), max(a, b)
    assert months_between(start, a) <= months_between(start, b)


def test_months_between_examples():
    assert months_between(date(2023, 1, 31), date(2023, 2, 27)) == 0
    assert months_between(date(2023, 1, 31), date(2023, 2, 28)) == 1
    assert months_between(date(2023, 1, 15), date(2023, 2, 14)) == 0
    assert months_between(date(2023, 1, 15), date(2023, 2, 15)) == 1
    assert months_between(date(2023, 1, 15), date(2024, 7, 15)) == 18
    assert months_between(date(2023, 1, 15), date(2023, 1, 15)) == 0


# --- age_on ----------------------------------------------------------------------------------------

@given(days, st.integers(min_value=0, max_value=120))
def test_age_on_the_birthday_counts_the_new_year(birth, years):
    birthday = add_years(birth, years)
    assume(birthday <= date(2199, 12, 31))
    assert age_on(birth, birthday) == years


@given(days, st.integers(min_value=1, max_value=120))
def test_age_on_the_eve_of_the_birthday_is_one_less(birth, years):
    birthday = add_years(birth, years)
    assert age_on(birth, birthday - timedelta(days=1)) == years - 1


def test_age_under_25_boundary():
    birth = date(1998, 6, 15)
    assert age_on(birth, date(2023, 6, 14)) == 24
    assert age_on(birth, date(2023, 6, 15)) == 25


def test_age_of_a_person_born_on_29_february():
    # Same clipping as everywhere (docs/rules.md): the birthday of a common year is 28 February.
    birth = date(2000, 2, 29)
    assert age_on(birth, date(2001, 2, 27)) == 0
    assert age_on(birth, date(2001, 2, 28)) == 1
    assert age_on(birth, date(2004, 2, 28)) == 3
    assert age_on(birth, date(2004, 2, 29)) == 4


# --- parse_iso and format_fr ----------------------------------------------------------------------

@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_iso_unbounded_reads_back_any_iso_date(day):
    assert parse_iso(day.isoformat(), bounded=False) == day


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_iso_reads_back_exactly_the_dates_of_the_accepted_range(day):
    if DATE_MIN <= day <= DATE_MAX:
        assert parse_iso(day.isoformat()) == day
    else:
        with pytest.raises(ValueError):
            parse_iso(day.isoformat())


@pytest.mark.parametrize("text, accepted", [
    ("1899-12-31", False), ("1900-01-01", True), ("2199-12-31", True), ("2200-01-01", False), ("9999-12-31", False),
])
def test_parse_iso_range_boundaries(text, accepted):
    if accepted:
        assert parse_iso(text).isoformat() == text
    else:
        with pytest.raises(ValueError):
            parse_iso(text)


@given(days, st.integers(min_value=6, max_value=18))
def test_every_accepted_date_survives_the_longest_accompaniment(day, months):
    """Any date a form or the importer accepts can carry start + 18 months (the CI overflow of 9999-12-31)."""
    assert add_months(day, months) > day


@pytest.mark.parametrize("text", [
    "2023-02-30", "2023-13-01", "2023-1-01", "2023-01-1", "20230101", "2023/01/01",
    "01/02/2023", "2023-01-01T00:00", " 2023-01-01", "2023-01-01 ", "", "2023-W01-1",
    "２０２３-01-01", "0000-01-01",
])
def test_parse_iso_refuses_anything_but_a_real_yyyy_mm_dd(text):
    with pytest.raises(ValueError):
        parse_iso(text)


def test_parse_iso_refuses_a_non_string():
    with pytest.raises(ValueError):
        parse_iso(None)


@given(st.dates(min_value=date(1000, 1, 1)))
def test_format_fr_is_dd_mm_yyyy(day):
    text = format_fr(day)
    assert text == f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def test_format_fr_long_and_empty():
    assert format_fr(date(2024, 3, 1), long=True) == "1er mars 2024"
    assert format_fr(date(2024, 8, 5), long=True) == "5 août 2024"
    assert format_fr(date(2024, 2, 29)) == "29/02/2024"
    assert format_fr(None) == "—"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.integers(-240, 240))
def test_add_months_and_years_are_relativedeltas_computed_directly(day, months):
    """agir.dates computes the calendar step itself (the generator calls it millions of times): the same
    result as dateutil's relativedelta, clipped to the month's end, for any day and step."""
    from dateutil.relativedelta import relativedelta
    assert add_months(day, months) == day + relativedelta(months=months)
    assert add_years(day, months // 12) == day + relativedelta(years=months // 12)
