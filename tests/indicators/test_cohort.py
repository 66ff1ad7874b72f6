"""Cohort progress: members, months 0..max_months, shares reached on or before start + m months."""
from datetime import date

from agir.dates import today
from tests import factories as f
from tests.indicators.helpers import (
    accompaniment,
    cohort,
    housing,
    job,
    person,
    referral,
    right,
    training,
)

ZEROS = [0.0] * 13


def test_empty_cohort_has_zero_shares_for_every_month(world):
    data = cohort("2022-07-01", "2022-09-30", "33")
    assert data["scope"] == {"entry_from": "2022-07-01", "entry_to": "2022-09-30", "department": "33",
                             "region": None, "as_of": today().isoformat()}   # contract v2: as_of defaults to today
    assert data["size"] == 0
    assert data["months"] == list(range(13))
    assert data["milestones"] == {name: ZEROS for name in ("health_insurance", "caf_benefits", "bank_account",
                                                            "permanent_housing", "job_or_training",
                                                            "language_referral")}


def test_members_are_persons_whose_earliest_accompaniment_started_in_the_entry_period(world):
    accompaniment(person(world), world.agir, date(2022, 7, 1))                               # first day
    accompaniment(person(world), world.agir, date(2022, 9, 30))                              # last day
    accompaniment(person(world), world.agir, date(2022, 6, 30))                              # before
    accompaniment(person(world), world.agir, date(2022, 10, 1))                              # after
    back = person(world)
    accompaniment(back, world.agir, date(2021, 1, 4), exit_on=date(2021, 8, 1), reason="moved_away")
    accompaniment(back, world.agir, date(2022, 8, 1))                                        # comes back: member
    assert cohort("2022-07-01", "2022-09-30")["size"] == 3


def test_milestone_reached_on_start_plus_m_months_with_the_calendar_clip(world):
    on_month_end = person(world)
    accompaniment(on_month_end, world.agir, date(2023, 1, 31))
    right(on_month_end, "health_insurance", obtained=date(2023, 2, 28))     # = 31/01 + 1 month: month 1
    day_after = person(world)
    accompaniment(day_after, world.agir, date(2023, 1, 31))
    right(day_after, "health_insurance", obtained=date(2023, 3, 1))        # after 28/02: month 2
    before = person(world)
    accompaniment(before, world.agir, date(2023, 1, 31))
    right(before, "health_insurance", obtained=date(2022, 11, 2))          # before entry: from month 0
    requested = person(world)
    accompaniment(requested, world.agir, date(2023, 1, 15))
    right(requested, "health_insurance", requested=date(2023, 1, 20))      # only requested: never
    data = cohort("2023-01-01", "2023-01-31", "33")
    assert data["size"] == 4
    assert data["milestones"]["health_insurance"] == [0.25, 0.5, 0.75] + [0.75] * 10


def test_shares_have_four_decimals(world):
    members = [person(world) for _ in range(3)]
    for p in members:
        accompaniment(p, world.agir, date(2022, 9, 1))
    right(members[0], "caf_benefits", obtained=date(2022, 9, 1))
    right(members[1], "caf_benefits", obtained=date(2022, 10, 1))
    right(members[2], "bank_account", obtained=date(2023, 9, 1))       # month 12: last month counted
    data = cohort("2022-09-01", "2022-09-30")
    assert data["milestones"]["caf_benefits"] == [0.3333] + [0.6667] * 12
    assert data["milestones"]["bank_account"] == [0.0] * 12 + [0.3333]


def test_path_milestones_housing_job_or_training_and_language_referral(world):
    health = f.make_programme(world.department, world.school, theme="health")
    pro_french = f.make_programme(world.department, world.school, theme="professional_french")
    a, b = person(world), person(world)
    for p in (a, b):
        accompaniment(p, world.agir, date(2022, 9, 15))
    housing(a, "temporary", date(2022, 9, 20))                 # not permanent
    housing(a, "social_rental", date(2022, 12, 15))           # month 3
    training(a, date(2022, 11, 16))                            # month 3 (after 15/11)
    job(a, date(2022, 10, 1))                                  # month 1: the first of job or training
    referral(b, health, date(2022, 9, 16))                     # not a language programme
    referral(b, pro_french, date(2022, 9, 15))                 # month 0
    referral(a, world.programme, date(2023, 10, 1))            # month 13: beyond the curve
    milestones = cohort("2022-09-01", "2022-09-30", "33")["milestones"]
    assert milestones["permanent_housing"] == [0.0, 0.0, 0.0] + [0.5] * 10
    assert milestones["job_or_training"] == [0.0] + [0.5] * 12
    assert milestones["language_referral"] == [0.5] * 13


def test_months_follow_the_department_or_the_largest_max_months(world):
    reunion = f.make_department(code="974", name="La Réunion", wave=2024, max_months=18)
    s = f.make_structure(reunion, "agir_operator")
    accompaniment(person(world, department=reunion, structure=s), s, date(2022, 9, 1))
    accompaniment(person(world), world.agir, date(2022, 9, 1))
    assert cohort("2022-09-01", "2022-09-30", "33")["months"] == list(range(13))
    assert cohort("2022-09-01", "2022-09-30", "33")["size"] == 1
    everyone = cohort("2022-09-01", "2022-09-30")
    assert everyone["months"] == list(range(19)) and everyone["size"] == 2
    assert everyone["scope"]["department"] is None
    assert all(len(values) == 19 for values in everyone["milestones"].values())
