"""Employment exits (3.2): exits dated in the period, duration, positive, training, durable, follow-up."""
from datetime import date, timedelta

from tests.indicators.helpers import accompaniment, indicators, person


def test_exits_on_the_period_bounds_count_and_outside_do_not(world):
    for exit_on in (date(2022, 1, 1), date(2022, 12, 31), date(2021, 12, 31), date(2023, 1, 1)):
        accompaniment(person(world), world.agir, exit_on - timedelta(days=200), exit_on=exit_on)
    accompaniment(person(world), world.agir, date(2022, 3, 1))  # still open: no exit
    assert indicators()["employment"]["exits"] == 2


def test_exit_with_both_a_job_and_a_training_counts_once_as_positive_and_in_training(world):
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1), job="cdd", job_months=8,
                  training="qualifying")
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1), training="certifying")
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1), job="interim")
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1))  # no situation
    employment = indicators()["employment"]
    assert employment["exits"] == 4
    assert employment["positive_exits"] == 3
    assert employment["in_training"] == 2


def test_a_cdd_of_exactly_6_months_is_not_durable(world):
    for kind, months in (("cdd", 6), ("cdd", 7), ("cdi", None), ("interim", None), ("apprenticeship", 24)):
        accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 9, 1), job=kind,
                      job_months=months)
    employment = indicators()["employment"]
    assert employment["durable_employment"] == 3  # CDD 7, CDI, apprenticeship 24
    assert employment["positive_exits"] == 5


def test_followup_positive_negative_and_missing(world):
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 3, 1), job="cdi",
                  followup=(date(2022, 9, 1), True))
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 3, 1), job="cdi",
                  followup=(date(2022, 9, 2), False))
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2022, 3, 1), reason="moved_away")
    employment = indicators()["employment"]
    assert employment["positive_at_6_months"] == 1
    assert employment["followup_missing"] == 1


def test_average_duration_in_months_of_30_4375_days_one_decimal(world):
    # 181 days and 365 days: mean 273 days = 8.969… months → 9.0
    accompaniment(person(world), world.agir, date(2022, 9, 1), exit_on=date(2023, 3, 1))
    accompaniment(person(world), world.agir, date(2022, 6, 1), exit_on=date(2023, 6, 1))
    employment = indicators("2023-01-01", "2023-12-31")["employment"]
    assert employment["average_duration_months"] == 9.0


def test_average_duration_rounds_half_away_from_zero_on_the_exact_value(world):
    # 64 exits, 487 days in all: 487 / (64 × 30.4375) = 0.25 exactly → 0.3 (a float round would give 0.2).
    for n in range(64):
        days = 46 if n == 0 else 7
        accompaniment(person(world), world.agir, date(2022, 5, 1), exit_on=date(2022, 5, 1) + timedelta(days=days),
                      reason="dropped_out")
    employment = indicators()["employment"]
    assert employment["exits"] == 64
    assert employment["average_duration_months"] == 0.3


def test_no_exit_in_the_period_gives_a_null_mean(world):
    accompaniment(person(world), world.agir, date(2022, 1, 3), exit_on=date(2023, 2, 1))
    employment = indicators()["employment"]
    assert employment["exits"] == 0 and employment["average_duration_months"] is None
