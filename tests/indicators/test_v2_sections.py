"""The AGIR results of the indicators JSON (INTERCHANGE.md, second version): exit_outcomes, entry and
appointments at the boundaries of their definitions, and the --region scope (SQLite and PostgreSQL)."""
import json
from datetime import date, datetime

import pytest

from agir.extensions import db
from agir.indicators import ScopeError, build_scope
from tests import factories as f
from tests.indicators.helpers import accompaniment, housing, indicators, person

EMPTY = {
    "exit_outcomes": {"exits": 0, "permanent_housing": 0, "employment_or_training": 0, "agir_positive": 0,
                      "housing_share": None, "employment_share": None, "agir_positive_share": None},
    "entry": {"orientations": 0, "first_interview_within_month": 0, "median_days_to_first_interview": None,
              "contracts_signed": 0, "contract_within_month": 0},
    "appointments": {"honoured": 0, "missed": 0, "missed_share": None},
}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def oriented(world, on: date, *interviews, structure=None, **kw):
    """A person of the world oriented on a day, with honoured first interviews at the given moments."""
    p = person(world, **kw)
    f.orient(p, structure or world.agir, on=on)
    for moment in interviews:
        f.make_appointment(p, world.agir, start=moment)
    return p


# --- every key, nulls -------------------------------------------------------------------------------

def test_every_key_is_present_with_0_and_null_on_an_empty_scope(world):
    data = indicators()
    for section, figures in EMPTY.items():
        assert data[section] == figures, section
    assert data["scope"]["region"] is None


# --- exit_outcomes ----------------------------------------------------------------------------------

def test_permanent_housing_dated_on_the_exit_counts_one_day_after_does_not(world):
    same_day, day_after, temporary = person(world), person(world), person(world)
    for p, kind, on in ((same_day, "social_rental", date(2022, 6, 30)), (day_after, "private_rental", date(2022, 7, 1)),
                        (temporary, "iml_sublet", date(2022, 3, 1))):
        accompaniment(p, world.agir, date(2022, 1, 3), exit_on=date(2022, 6, 30), job="cdi")
        housing(p, kind, on)
    figures = indicators()["exit_outcomes"]
    assert figures["exits"] == 3 and figures["permanent_housing"] == 1
    assert figures["employment_or_training"] == 3
    assert figures["agir_positive"] == 1
    assert figures["housing_share"] == 0.3333 and figures["employment_share"] == 1.0
    assert figures["agir_positive_share"] == 0.3333


def test_iml_mandate_before_the_exit_is_permanent_housing(world):
    p = person(world)
    accompaniment(p, world.agir, date(2022, 1, 3), exit_on=date(2022, 6, 30))
    housing(p, "iml_mandate", date(2021, 12, 1))
    figures = indicators()["exit_outcomes"]
    assert figures["permanent_housing"] == 1 and figures["employment_or_training"] == 0
    assert figures["agir_positive"] == 0 and figures["employment_share"] == 0.0


@pytest.mark.parametrize(("job", "months", "training", "positive"), [
    ("cdd", 6, None, True), ("cdd", 5, None, False), ("interim", 12, None, True), ("cdi", None, None, True),
    (None, None, "qualifying", True), (None, None, "certifying", True), (None, None, "diploma", True),
    (None, None, "pre_qualifying", False), ("cdd", 5, "pre_qualifying", False), ("cdd", 5, "diploma", True),
])
def test_agir_positive_needs_a_cdi_six_months_or_a_qualifying_training(world, job, months, training, positive):
    p = person(world)
    accompaniment(p, world.agir, date(2022, 1, 3), exit_on=date(2022, 6, 30), job=job, job_months=months,
                  training=training)
    housing(p, "social_rental", date(2022, 5, 1))
    figures = indicators()["exit_outcomes"]
    assert figures["agir_positive"] == int(positive)
    assert figures["agir_positive_share"] == (1.0 if positive else 0.0)
    assert figures["employment_or_training"] == 1


def test_agir_positive_without_housing_is_not_positive_and_exits_are_those_of_employment(world):
    p = person(world)
    accompaniment(p, world.agir, date(2021, 1, 4), exit_on=date(2021, 12, 31), job="cdi")   # before the period
    housing(p, "social_rental", date(2021, 6, 1))
    q = person(world)
    accompaniment(q, world.agir, date(2022, 1, 3), exit_on=date(2022, 12, 31), job="cdi")   # no housing
    data = indicators()
    assert data["exit_outcomes"]["exits"] == data["employment"]["exits"] == 1
    assert data["exit_outcomes"]["employment_or_training"] == data["employment"]["positive_exits"] == 1
    assert data["exit_outcomes"]["permanent_housing"] == 0 and data["exit_outcomes"]["agir_positive"] == 0


def test_shares_have_four_decimals_half_away_from_zero(world):
    # 1 / 8 = 0.125 exactly; 2 / 3 = 0.66666… ; with 8 exits, 5 housed = 0.625
    for n in range(8):
        p = person(world)
        accompaniment(p, world.agir, date(2022, 1, 3), exit_on=date(2022, 6, 30), job="cdd" if n == 0 else None,
                      job_months=8 if n == 0 else None)
        if n < 5:
            housing(p, "social_rental", date(2022, 2, 1))
    figures = indicators()["exit_outcomes"]
    assert figures["employment_share"] == 0.125 and figures["housing_share"] == 0.625
    assert figures["agir_positive_share"] == 0.125


def test_exit_share_rounds_half_up(world):
    # 1 / 16 = 0.0625 -> 0.0625; 1 / 32 = 0.03125 -> 0.0313 (half away from zero, not to even)
    for n in range(32):
        p = person(world)
        accompaniment(p, world.agir, date(2022, 1, 3), exit_on=date(2022, 6, 30),
                      training="qualifying" if n == 0 else None)
    assert indicators()["exit_outcomes"]["employment_share"] == 0.0313


# --- entry ------------------------------------------------------------------------------------------

def test_first_interview_on_orientation_plus_one_month_clipped_at_the_end_of_february(world):
    oriented(world, date(2022, 1, 31), at(date(2022, 2, 28), 17, 30))     # 31 Jan + 1 month = 28 Feb: within
    oriented(world, date(2022, 1, 31), at(date(2022, 3, 1), 8))           # 1 Mar: late
    oriented(world, date(2022, 1, 30), at(date(2022, 2, 28)))             # 30 Jan + 1 month = 28 Feb: within
    entry = indicators()["entry"]
    assert entry["orientations"] == 3 and entry["first_interview_within_month"] == 2
    assert entry["median_days_to_first_interview"] == 29.0                # 28, 29, 29


def test_leap_year_february_29_is_the_limit(world):
    oriented(world, date(2024, 1, 31), at(date(2024, 2, 29)))
    oriented(world, date(2024, 1, 31), at(date(2024, 3, 1)))
    entry = indicators("2024-01-01", "2024-12-31")["entry"]
    assert entry["orientations"] == 2 and entry["first_interview_within_month"] == 1


def test_first_interview_exactly_on_the_limit_counts_the_day_after_does_not(world):
    oriented(world, date(2022, 3, 15), at(date(2022, 4, 15), 18))
    oriented(world, date(2022, 3, 15), at(date(2022, 4, 16), 8))
    entry = indicators()["entry"]
    assert entry["first_interview_within_month"] == 1
    assert entry["median_days_to_first_interview"] == 31.5                # 31 and 32: mean of the two


def test_an_interview_before_the_orientation_does_not_count_the_earliest_after_it_does(world):
    oriented(world, date(2022, 3, 15), at(date(2022, 3, 14)), at(date(2022, 4, 20)), at(date(2022, 4, 10)))
    oriented(world, date(2022, 3, 15), at(date(2022, 3, 1)))              # only before: no first interview
    oriented(world, date(2022, 3, 15), at(date(2022, 3, 15), 9))          # the orientation day itself: 0 days
    entry = indicators()["entry"]
    assert entry["orientations"] == 3 and entry["first_interview_within_month"] == 2
    assert entry["median_days_to_first_interview"] == 13.0                # 0 and 26 over those who had one


def test_only_honoured_first_interviews_count_at_any_structure(world):
    p = oriented(world, date(2022, 3, 1))
    for status in ("planned", "missed", "excused", "cancelled"):
        f.make_appointment(p, world.agir, start=at(date(2022, 3, 2)), status=status)
    f.make_appointment(p, world.agir, start=at(date(2022, 3, 3)), kind="diagnostic")
    f.make_appointment(p, world.other, start=at(date(2022, 3, 20)))       # honoured, at another structure
    entry = indicators(structure="S-AGIR")["entry"]
    assert entry["orientations"] == 0                                       # the person is not S-AGIR's
    accompaniment(p, world.agir, date(2022, 3, 25))
    entry = indicators(structure="S-AGIR")["entry"]
    assert entry["orientations"] == 1 and entry["first_interview_within_month"] == 1
    assert entry["median_days_to_first_interview"] == 19.0


def test_orientations_are_dated_in_the_period_interviews_may_fall_after_it(world):
    oriented(world, date(2021, 12, 31), at(date(2022, 1, 5)))             # oriented before the period
    oriented(world, date(2022, 12, 20), at(date(2023, 1, 10)))            # interview after the period: counts
    oriented(world, date(2023, 1, 1))
    entry = indicators()["entry"]
    assert entry["orientations"] == 1 and entry["first_interview_within_month"] == 1
    assert entry["median_days_to_first_interview"] == 21.0


def test_median_of_an_odd_and_an_even_number_of_delays(world):
    for days in (3, 40, 10):
        oriented(world, date(2022, 5, 1), at(date.fromordinal(date(2022, 5, 1).toordinal() + days)))
    assert indicators()["entry"]["median_days_to_first_interview"] == 10.0
    oriented(world, date(2022, 5, 1), at(date(2022, 5, 12)))              # 3, 10, 11, 40 -> (10 + 11) / 2
    oriented(world, date(2022, 5, 2))                                       # no interview: not a delay
    entry = indicators()["entry"]
    assert entry["median_days_to_first_interview"] == 10.5
    assert entry["orientations"] == 5 and entry["first_interview_within_month"] == 3


def test_contracts_signed_in_the_period_within_start_plus_one_month(world):
    cases = ((date(2022, 1, 31), date(2022, 2, 28)),   # start + 1 month clipped: within
             (date(2022, 1, 31), date(2022, 3, 1)),    # after
             (date(2022, 3, 10), date(2022, 4, 10)),   # exactly start + 1 month: within
             (date(2022, 3, 10), date(2022, 4, 11)),   # the day after: not
             (date(2022, 11, 20), date(2023, 1, 2)))   # signed after the period: not counted
    for start, signed in cases:
        a = accompaniment(person(world), world.agir, start)
        f.sign_contract(a, on=signed)
    accompaniment(person(world), world.agir, date(2022, 5, 1))             # no contract
    entry = indicators()["entry"]
    assert entry["contracts_signed"] == 4 and entry["contract_within_month"] == 2


# --- appointments -----------------------------------------------------------------------------------

def test_appointments_by_status_in_the_period_others_ignored(world):
    p, q = person(world), person(world, structure=world.other)
    for status in ("honoured", "honoured", "missed", "planned", "excused", "cancelled"):
        f.make_appointment(p, world.agir, start=at(date(2022, 6, 1)), kind="follow_up", status=status)
    f.make_appointment(p, world.agir, start=at(date(2022, 1, 1), 0, 0), status="missed")     # first minute
    f.make_appointment(p, world.agir, start=at(date(2022, 12, 31), 23, 59), status="honoured")  # last minute
    f.make_appointment(p, world.agir, start=at(date(2021, 12, 31), 23, 59), status="missed")
    f.make_appointment(p, world.agir, start=at(date(2023, 1, 1), 0, 0), status="missed")
    f.make_appointment(q, world.other, start=at(date(2022, 6, 2)), status="missed")
    accompaniment(q, world.other, date(2022, 1, 3))
    assert indicators()["appointments"] == {"honoured": 3, "missed": 3, "missed_share": 0.5}
    # With --structure: the scope's persons (here p, held by S-AGIR) and all their appointments.
    accompaniment(p, world.agir, date(2022, 1, 3))
    f.make_appointment(p, world.other, start=at(date(2022, 7, 1)), status="missed")
    assert indicators(structure="S-AGIR")["appointments"] == {"honoured": 3, "missed": 3, "missed_share": 0.5}
    assert indicators(structure="S-OTHER")["appointments"] == {"honoured": 0, "missed": 1, "missed_share": 1.0}


def test_missed_share_four_decimals(world):
    p = person(world)
    for status in ("missed", "honoured", "honoured"):
        f.make_appointment(p, world.agir, start=at(date(2022, 6, 1)), kind="follow_up", status=status)
    assert indicators()["appointments"]["missed_share"] == 0.3333


# --- region -----------------------------------------------------------------------------------------

@pytest.fixture
def regions(world):
    """33 (Nouvelle-Aquitaine, 75) from the world, 24 (same region) and 2A (Corse, 94), a person and an exit each."""
    dordogne = f.make_department(code="24", name="Dordogne")
    corse = f.make_department(code="2A", name="Corse-du-Sud")
    for dep in (world.department, dordogne, corse):
        s = f.make_structure(dep)
        p = f.make_person(dep, s)
        accompaniment(p, s, date(2022, 1, 3), exit_on=date(2022, 6, 30), job="cdi")
        f.orient(p, s, on=date(2022, 1, 3))
        f.make_appointment(p, s, start=at(date(2022, 1, 10)))
        f.make_programme(dep, s, theme="employment", total_cost=1000.0, p104_subsidy=500.0)
    db.session.commit()
    return world


def test_region_counts_the_persons_and_programmes_of_its_departments(regions):
    region = indicators(region="75")
    department = indicators(department="33")
    national = indicators()
    assert region["scope"]["region"] == "75" and region["scope"]["department"] is None
    assert region["exit_outcomes"]["exits"] == 2 and department["exit_outcomes"]["exits"] == 1
    assert national["exit_outcomes"]["exits"] == 3
    assert region["entry"]["orientations"] == 2 and region["appointments"]["honoured"] == 2
    assert region["public"]["beneficiaries"] == 2
    assert region["finance"]["total_cost"] == 10000 + 1000 + 1000     # the world's programme, 33's and 24's
    assert department["finance"]["total_cost"] == 10000 + 1000
    assert indicators(region="94")["finance"]["total_cost"] == 1000
    assert indicators(region="94")["exit_outcomes"]["exits"] == 1
    both = indicators(region="75", department="24")
    assert both["exit_outcomes"]["exits"] == 1 and both["scope"]["department"] == "24"


def test_region_scope_errors_are_french(regions):
    with pytest.raises(ScopeError, match="Région inconnue"):
        build_scope("2022-01-01", "2022-12-31", region="99")
    with pytest.raises(ScopeError, match="n'appartient pas à la région 75"):
        build_scope("2022-01-01", "2022-12-31", department="2A", region="75")


def test_indicators_command_region(runner, regions):
    result = runner.invoke(args=["agir", "indicators", "--from", "2022-01-01", "--to", "2022-12-31",
                                 "--region", "75", "--as-of", "2023-01-31"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["scope"] == {"from": "2022-01-01", "to": "2022-12-31", "department": None, "structure": None,
                                "as_of": "2023-01-31", "region": "75"}
    assert printed["exit_outcomes"]["exits"] == 2 and printed["exit_outcomes"]["agir_positive"] == 0
    assert printed["entry"]["orientations"] == 2 and printed["entry"]["median_days_to_first_interview"] == 7.0
    for args in (["--region", "99"], ["--region", "75", "--department", "2A"]):
        result = runner.invoke(args=["agir", "indicators", "--from", "2022-01-01", "--to", "2022-12-31", *args])
        assert result.exit_code == 1 and result.stdout == "", args
        assert "Erreur" in result.stderr and "région" in result.stderr.lower(), args


def test_plus_months_in_sql_is_the_clipped_calendar_step(app_ctx):
    from sqlalchemy import Date, literal, select, union_all

    from agir.dates import add_months
    from agir.indicators.sql import plus_months
    days = [date(year, month, day) for year in (2023, 2024) for month in range(1, 13) for day in (1, 15, 28, 29, 30, 31)
            if day <= (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days]
    for months in (1, 2, 13):
        rows = db.session.execute(union_all(*(
            select(literal(n).label("n"), plus_months(literal(d, Date), months).label("day"))
            for n, d in enumerate(days)))).all()
        got = {n: (value if isinstance(value, date) else date.fromisoformat(value)) for n, value in rows}
        assert got == {n: add_months(d, months) for n, d in enumerate(days)}, months
