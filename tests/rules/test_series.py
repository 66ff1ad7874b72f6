"""Session series (issue 17, item 5): the dates of a series and its checks, every error at once."""
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from agir.rules import series as rules

P_START, P_END = date(2026, 1, 1), date(2026, 12, 31)
days = st.dates(min_value=P_START, max_value=P_END)
weekday_sets = st.sets(st.sampled_from(rules.WEEKDAYS), min_size=1)


def codes(errors):
    return sorted(e.code for e in errors)


def test_mondays_and_thursdays_skip_french_public_holidays():
    holidays = rules.public_holidays(date(2026, 5, 1), date(2026, 5, 31))
    plan = rules.series_plan(date(2026, 5, 1), date(2026, 5, 31), {0, 3}, holidays=holidays)
    # Ascension (Thursday 14 May) and Whit Monday (25 May) are skipped, with their French names.
    assert date(2026, 5, 14) not in plan.dates and date(2026, 5, 25) not in plan.dates
    assert (date(2026, 5, 14), "Ascension") in plan.skipped
    assert plan.dates == [date(2026, 5, 4), date(2026, 5, 7), date(2026, 5, 11), date(2026, 5, 18),
                          date(2026, 5, 21), date(2026, 5, 28)]


def test_alsace_moselle_has_good_friday_and_saint_stephen():
    assert date(2026, 4, 3) in rules.public_holidays(date(2026, 1, 1), date(2026, 12, 31), "67")
    assert date(2026, 12, 26) in rules.public_holidays(date(2026, 1, 1), date(2026, 12, 31), "57")
    assert date(2026, 4, 3) not in rules.public_holidays(date(2026, 1, 1), date(2026, 12, 31), "75")


def test_typed_exceptions_days_and_periods():
    found, errors = rules.parse_exceptions("02/03/2026\n\n09/03/2026 - 13/03/2026\n2026-04-20 au 2026-04-24")
    assert not errors
    plan = rules.series_plan(date(2026, 3, 1), date(2026, 4, 30), {0}, found)
    assert date(2026, 3, 2) not in plan.dates and date(2026, 3, 9) not in plan.dates
    assert date(2026, 4, 20) not in plan.dates and date(2026, 3, 16) in plan.dates
    assert (date(2026, 3, 9), "exception ligne 3") in plan.skipped


def test_bad_exceptions_are_refused_with_their_line_all_at_once():
    found, errors = rules.parse_exceptions("demain\n10/03/2026 - 05/03/2026\n01/04/2026 - 10/04/2026\n"
                                           "05/04/2026\n31/02/2026")
    assert codes(errors) == ["series_exception_backwards", "series_exception_overlap",
                             "series_exception_unreadable", "series_exception_unreadable"]
    messages = [str(e.message) for e in errors]
    assert messages[0].startswith("Ligne 1 :") and "Ligne 4 : cette exception chevauche celle de la ligne 3." \
        in messages


def test_every_error_at_once_in_french():
    plan, errors = rules.series_violations(date(2026, 6, 1), date(2026, 5, 1), [], 0, P_START, P_END,
                                           "n'importe quoi")
    assert codes(errors) == ["series_backwards", "series_exception_unreadable", "series_hours",
                             "series_no_weekday"]
    assert not plan.dates
    fields = {e.code: e.field for e in errors}
    assert fields == {"series_backwards": "last_on", "series_exception_unreadable": "exceptions",
                      "series_hours": "hours", "series_no_weekday": "weekdays"}
    assert "Cochez au moins un jour de la semaine." in [str(e.message) for e in errors]


def test_a_series_beyond_the_programme_is_refused():
    _plan, errors = rules.series_violations(date(2025, 12, 1), date(2027, 1, 15), [0], 2, P_START, P_END)
    assert codes(errors) == ["series_after_programme", "series_before_programme"]
    assert "La série se termine après le programme (qui finit le 31/12/2026)." in [str(e.message) for e in errors]


def test_too_many_occurrences():
    _plan, errors = rules.series_violations(P_START, P_END, rules.WEEKDAYS, 2, P_START, P_END)
    assert codes(errors) == ["series_too_many"]


def test_no_date_left_after_exceptions():
    _plan, errors = rules.series_violations(date(2026, 5, 14), date(2026, 5, 14), [3], 2, P_START, P_END,
                                            holidays={date(2026, 5, 14): "Ascension"})
    assert codes(errors) == ["series_empty"]


@settings(max_examples=150, deadline=None)
@given(days, days, weekday_sets, st.lists(days, max_size=6))
def test_dates_fall_on_chosen_weekdays_within_the_period_never_on_an_exception(a, b, weekdays, skipped):
    first, last = min(a, b), max(a, b)
    text = "\n".join(d.strftime("%d/%m/%Y") for d in sorted(set(skipped)))
    exceptions, errors = rules.parse_exceptions(text)
    assert not errors
    plan = rules.series_plan(first, last, weekdays, exceptions)
    assert plan.dates == sorted(set(plan.dates))
    for day in plan.dates:
        assert first <= day <= last and day.weekday() in weekdays and day not in skipped
    # Nothing forgotten: every chosen weekday of the period is either kept or skipped.
    expected = [first + timedelta(n) for n in range((last - first).days + 1)
                if (first + timedelta(n)).weekday() in weekdays]
    assert sorted(plan.dates + [d for d, _ in plan.skipped]) == expected


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), days), st.one_of(st.none(), days), st.sets(st.integers(-1, 7)),
       st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)), st.text(max_size=60))
def test_no_input_makes_the_check_crash_and_a_clean_series_is_within_bounds(first, last, weekdays, hours, text):
    plan, errors = rules.series_violations(first, last, weekdays, hours, P_START, P_END, text)
    if not errors:
        assert 1 <= len(plan.dates) <= rules.MAX_OCCURRENCES
        assert 0 < hours <= rules.MAX_HOURS
        assert all(P_START <= d <= P_END for d in plan.dates)
    for error in errors:
        assert str(error.message) and error.field in ("first_on", "last_on", "weekdays", "hours", "exceptions")
