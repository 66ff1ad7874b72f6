"""Finance and compliance: programme sums, shares (four decimals, half up), unreferenced, overdue, over limit."""
from datetime import date

from tests import factories as f
from tests.indicators.helpers import accompaniment, extend, indicators, participation, person


def test_finance_sums_programmes_overlapping_the_period(world):
    # world.programme: 2022-01-01..2023-12-31, cost 10 000, P104 8 000.
    dep, school = world.department, world.school
    f.make_programme(dep, school, start=date(2021, 1, 1), end=date(2022, 1, 1), total_cost=1000.10, p104_subsidy=500.2)
    f.make_programme(dep, school, start=date(2022, 12, 31), end=None, total_cost=2000.20, p104_subsidy=0.1)
    f.make_programme(dep, school, start=date(2021, 1, 1), end=date(2021, 12, 31), total_cost=99999, p104_subsidy=1)
    f.make_programme(dep, school, start=date(2023, 1, 1), end=None, total_cost=99999, p104_subsidy=1)
    assert indicators()["finance"] == {"total_cost": 13000.3, "p104_subsidy": 8500.3}


def test_employment_subsidy_share_rounds_half_up_at_four_decimals(world):
    world.programme.p104_subsidy = 96875.0   # language
    f.make_programme(world.department, world.school, theme="employment", p104_subsidy=1000.0)
    f.make_programme(world.department, world.school, theme="professional_french", p104_subsidy=1125.0)
    f.make_programme(world.department, world.school, theme="global_support", p104_subsidy=1000.0)
    # (1000 + 1125 + 1000) / 100 000 = 0.03125 → 0.0313
    assert indicators()["compliance"]["employment_subsidy_share"] == 0.0313


def test_employment_subsidy_share_is_null_without_subsidy(world):
    world.programme.p104_subsidy = 0.0
    assert indicators()["compliance"]["employment_subsidy_share"] is None
    assert indicators("2030-01-01", "2030-12-31")["compliance"]["employment_subsidy_share"] is None


def test_non_bpi_share_among_distinct_participants_of_the_period(world):
    lang = world.programme
    for _ in range(2):
        participation(person(world), lang, date(2022, 2, 1), date(2022, 5, 1))
    migrant = person(world, status="family", protection_on=None, first_permit_on=date(2021, 6, 1))
    participation(migrant, lang, date(2022, 2, 1), date(2022, 5, 1))
    participation(migrant, lang, date(2022, 6, 1), date(2022, 9, 1))            # same person, once
    participation(person(world, status="economic", protection_on=None, first_permit_on=date(2021, 6, 1)),
                  lang, date(2021, 2, 1), date(2021, 5, 1))                     # not in the period
    accompaniment(person(world, status="refugee"), world.agir, date(2022, 3, 1))  # no participation: not counted
    assert indicators()["compliance"]["non_bpi_share"] == 0.3333


def test_language_programmes_without_carif_oref_reference(world):
    dep, school = world.department, world.school
    f.make_programme(dep, school, theme="language", carif=None)
    f.make_programme(dep, school, theme="professional_french", carif="")
    f.make_programme(dep, school, theme="employment", carif=None)                     # not a language programme
    f.make_programme(dep, school, theme="language", carif=None, start=date(2023, 1, 1))  # not in the period
    assert indicators()["compliance"]["language_programmes_unreferenced"] == 2


def test_overdue_is_after_the_latest_planned_end_on_as_of(world):
    a = accompaniment(person(world), world.agir, date(2022, 8, 31), planned_end=date(2023, 2, 28))
    assert indicators(as_of="2023-02-28")["compliance"]["overdue"] == 0
    assert indicators(as_of="2023-03-01")["compliance"]["overdue"] == 1
    extend(a, date(2023, 2, 1), date(2023, 5, 31))
    assert indicators(as_of="2023-05-31")["compliance"]["overdue"] == 0
    assert indicators(as_of="2023-06-01")["compliance"]["overdue"] == 1


def test_over_limit_is_after_start_plus_max_months_clipped(world):
    accompaniment(person(world), world.agir, date(2022, 8, 31), planned_end=date(2023, 8, 31))
    accompaniment(person(world), world.agir, date(2024, 2, 29), planned_end=date(2025, 2, 28))
    # 31/08/2022 + 12 months = 31/08/2023; 29/02/2024 + 12 months = 28/02/2025.
    assert indicators(as_of="2023-08-31")["compliance"]["over_limit"] == 0
    assert indicators(as_of="2023-09-01")["compliance"]["over_limit"] == 1
    assert indicators(as_of="2025-02-28")["compliance"]["over_limit"] == 1
    assert indicators(as_of="2025-03-01")["compliance"]["over_limit"] == 2


def test_over_limit_uses_the_max_months_of_the_persons_department(world):
    wave_2024 = f.make_department(code="974", name="La Réunion", wave=2024, max_months=18)
    agir_974 = f.make_structure(wave_2024, "agir_operator")
    p = person(world, department=wave_2024, structure=agir_974)
    accompaniment(p, agir_974, date(2022, 8, 31), planned_end=date(2024, 2, 29))
    assert indicators(as_of="2024-02-29")["compliance"]["over_limit"] == 0   # 31/08/2022 + 18 = 29/02/2024
    assert indicators(as_of="2024-03-01")["compliance"]["over_limit"] == 1


def test_only_accompaniments_open_on_as_of_are_overdue(world):
    accompaniment(person(world), world.agir, date(2022, 1, 3), planned_end=date(2022, 7, 3), exit_on=date(2023, 6, 1))
    accompaniment(person(world), world.agir, date(2022, 1, 3), planned_end=date(2022, 7, 3), exit_on=date(2023, 6, 2))
    accompaniment(person(world), world.agir, date(2023, 6, 2), planned_end=date(2023, 12, 2))  # starts later
    # Both are past their planned end (03/07/2022) and their limit (03/01/2023) while open.
    compliance = indicators(as_of="2023-06-01")["compliance"]
    assert (compliance["overdue"], compliance["over_limit"]) == (1, 1)
    compliance = indicators(as_of="2023-05-31")["compliance"]
    assert (compliance["overdue"], compliance["over_limit"]) == (2, 2)


def test_ineligible_enrolments_overlapping_the_period(world):
    accompaniment(person(world), world.agir, date(2022, 3, 1), is_eligible=False)
    accompaniment(person(world), world.agir, date(2020, 3, 1), exit_on=date(2021, 3, 1), is_eligible=False)
    accompaniment(person(world), world.agir, date(2022, 3, 1))
    assert indicators()["compliance"]["ineligible_enrolments"] == 1
