"""Public of the Annex: beneficiaries, sex, under 25 on the entry date, BPI — hand-computed at the edges."""
from datetime import date

from tests import factories as f
from tests.indicators.helpers import accompaniment, indicators, participation, person


def test_every_key_is_present_and_zero_or_null_when_nothing_to_count(world):
    data = indicators()
    assert data["public"] == {"beneficiaries": 0, "men": 0, "women": 0, "under_25": 0, "bpi": 0, "bpi_men": 0,
                              "bpi_women": 0, "bpi_under_25": 0}
    assert data["employment"]["average_duration_months"] is None
    assert data["compliance"]["non_bpi_share"] is None
    assert set(data) == {"scope", "public", "employment", "housing", "language", "health", "digital", "mentoring",
                         "sport_culture", "republic_values", "finance", "compliance", "exit_outcomes", "entry",
                         "appointments"}
    assert data["scope"] == {"from": "2022-01-01", "to": "2022-12-31", "department": None, "structure": None,
                             "as_of": "2030-01-01", "region": None}


def test_period_bounds_are_inclusive_for_accompaniments_and_participations(world):
    starts_on_last_day = person(world)
    accompaniment(starts_on_last_day, world.agir, date(2022, 12, 31))
    exits_on_first_day = person(world)
    accompaniment(exits_on_first_day, world.agir, date(2021, 6, 1), exit_on=date(2022, 1, 1))
    participation_ends_first_day = person(world)
    participation(participation_ends_first_day, world.programme, date(2021, 10, 1), date(2022, 1, 1))
    participation_starts_last_day = person(world)
    participation(participation_starts_last_day, world.programme, date(2022, 12, 31))
    # Outside: starts the day after, exits / ends the day before.
    accompaniment(person(world), world.agir, date(2023, 1, 1))
    accompaniment(person(world), world.agir, date(2021, 1, 4), exit_on=date(2021, 12, 31))
    participation(person(world), world.programme, date(2021, 9, 1), date(2021, 12, 31))
    participation(person(world), world.programme, date(2023, 1, 1), date(2023, 3, 1))
    assert indicators()["public"]["beneficiaries"] == 4


def test_open_accompaniment_started_long_before_counts(world):
    accompaniment(person(world), world.agir, date(2019, 3, 1))  # never exited, long past its planned end
    assert indicators()["public"]["beneficiaries"] == 1


def test_a_person_with_overlapping_accompaniment_and_participations_counts_once(world):
    p = person(world, sex="M")
    accompaniment(p, world.agir, date(2022, 2, 1))
    participation(p, world.programme, date(2022, 3, 1), date(2022, 6, 1))
    participation(p, world.programme, date(2022, 7, 1), date(2022, 9, 1))
    public = indicators()["public"]
    assert public["beneficiaries"] == 1 and public["men"] == 1 and public["women"] == 0


def test_age_25_on_the_entry_day_is_not_under_25(world):
    accompaniment(person(world, birth_on=date(1997, 9, 1)), world.agir, date(2022, 9, 1))   # 25 that day
    accompaniment(person(world, birth_on=date(1997, 9, 2)), world.agir, date(2022, 9, 1))   # 25 tomorrow
    assert indicators()["public"]["under_25"] == 1


def test_born_29_february_is_25_on_28_february_of_a_common_year(world):
    accompaniment(person(world, birth_on=date(2000, 2, 29)), world.agir, date(2025, 2, 28))
    accompaniment(person(world, birth_on=date(2000, 2, 29)), world.agir, date(2025, 2, 27))
    assert indicators("2025-01-01", "2025-12-31")["public"]["under_25"] == 1


def test_entry_date_is_the_earliest_start_among_overlapping_records_only(world):
    # Entry 15/08/2022 (participation) at 24, although the accompaniment starts at 25: under 25.
    young = person(world, birth_on=date(1997, 8, 20))
    participation(young, world.programme, date(2022, 8, 15), date(2022, 12, 1))
    accompaniment(young, world.agir, date(2022, 9, 1))
    # An older accompaniment that does not overlap the period is no entry: 26 on the 2022 entry.
    older = person(world, birth_on=date(1996, 1, 10))
    accompaniment(older, world.agir, date(2018, 3, 1), exit_on=date(2019, 3, 1))
    participation(older, world.programme, date(2022, 3, 1), date(2022, 6, 1))
    public = indicators()["public"]
    assert public["beneficiaries"] == 2 and public["under_25"] == 1


def test_bpi_breakdown_by_sex_and_age(world):
    accompaniment(person(world, sex="F", status="refugee", birth_on=date(2000, 1, 1)), world.agir, date(2022, 9, 1))
    accompaniment(person(world, sex="M", status="subsidiary_protection"), world.agir, date(2022, 9, 1))
    accompaniment(person(world, sex="M", status="stateless", birth_on=date(2001, 5, 5)), world.agir, date(2022, 9, 1))
    # Non-BPI primo-arrivants (in a programme only).
    participation(person(world, sex="F", status="family", protection_on=None, first_permit_on=date(2021, 1, 1),
                         birth_on=date(2003, 1, 1)), world.programme, date(2022, 5, 1))
    participation(person(world, sex="M", status="economic", protection_on=None, first_permit_on=date(2021, 1, 1)),
                  world.programme, date(2022, 5, 1))
    assert indicators()["public"] == {"beneficiaries": 5, "men": 3, "women": 2, "under_25": 3, "bpi": 3,
                                      "bpi_men": 2, "bpi_women": 1, "bpi_under_25": 2}


def test_persons_of_another_department_are_out_of_a_department_scope(world):
    other = f.make_department(code="2A", name="Corse-du-Sud")
    agir_2a = f.make_structure(other, "agir_operator")
    accompaniment(person(world, department=other, structure=agir_2a), agir_2a, date(2022, 9, 1))
    accompaniment(person(world), world.agir, date(2022, 9, 1))
    assert indicators(department="33")["public"]["beneficiaries"] == 1
    assert indicators(department="2A")["public"]["beneficiaries"] == 1
    assert indicators()["public"]["beneficiaries"] == 2
