"""The comparison of departments (issue 19): each department's figures equal its own indicators and cohort
(`agir indicators --department X`, `agir cohort --department X`), the scope's total equals the region's
(or the country's), and the published table hides small counts so that no subtraction finds them."""
from datetime import date

import pytest
from sqlalchemy import select

from agir.extensions import db
from agir.indicators import build_cohort_scope, build_scope, compare, compute_cohort, compute_indicators
from agir.rules.masking import is_small
from models import Region
from tests.indicators.helpers import import_generated

TODAY = date(2025, 3, 1)
YEAR = 2024


@pytest.fixture
def generated(app_ctx):
    """Generated persons over nine departments of six regions (two of them with one department only)."""
    import_generated(700, seed=19, today=TODAY, departments=9)


def expected(code: str | None, region: str | None = None) -> dict:
    """The figures of the comparison as the per-department (or regional) indicators and cohort give them."""
    start, end = f"{YEAR}-01-01", f"{YEAR}-12-31"
    data = compute_indicators(build_scope(start, end, code, as_of=end, region=region))
    cohort = compute_cohort(build_cohort_scope(start, end, code, region=region, as_of=end))
    outcomes, entry = data["exit_outcomes"], data["entry"]
    return {
        "exits": outcomes["exits"], "permanent_housing": outcomes["permanent_housing"],
        "housing_share": outcomes["housing_share"], "employment_or_training": outcomes["employment_or_training"],
        "employment_share": outcomes["employment_share"], "agir_positive": outcomes["agir_positive"],
        "agir_positive_share": outcomes["agir_positive_share"], "orientations": entry["orientations"],
        "first_interview_within_month": entry["first_interview_within_month"],
        "median_days_to_first_interview": entry["median_days_to_first_interview"],
        "average_duration_months": data["employment"]["average_duration_months"],
        "overdue": data["compliance"]["overdue"], "over_limit": data["compliance"]["over_limit"],
        "cohort_size": cohort["size"], "median_months": cohort["median_months"],
    }


def comparable(row: dict) -> dict:
    return {key: row[key] for key in ("exits", "permanent_housing", "housing_share", "employment_or_training",
                                      "employment_share", "agir_positive", "agir_positive_share", "orientations",
                                      "first_interview_within_month", "median_days_to_first_interview",
                                      "average_duration_months", "overdue", "over_limit", "cohort_size",
                                      "median_months")}


def test_every_department_and_the_national_total_equal_their_own_indicators(generated):
    result = compare.compute_unmasked(compare.for_year(YEAR, None, TODAY))
    assert len(result["departments"]) == 9
    assert sum(row["exits"] for row in result["departments"]) > 50  # the data say something
    for row in result["departments"]:
        assert comparable(row) == expected(row["department"]), row["department"]
        assert row["within_month_share"] == (round(row["first_interview_within_month"] / row["orientations"], 4)
                                             if row["orientations"] else None)
    assert comparable(result["total"]) == expected(None)


def test_a_region_compares_its_departments_only_and_its_total_is_the_regions(generated):
    region = db.session.scalar(select(Region).where(Region.code == "75"))  # Gironde, Vienne
    result = compare.compute_unmasked(compare.for_year(YEAR, region, TODAY))
    assert [row["department"] for row in result["departments"]] == ["33", "86"]
    for row in result["departments"]:
        assert comparable(row) == expected(row["department"])
    assert comparable(result["total"]) == expected(None, region="75")


def test_every_departments_cohort_month_by_month_equals_its_own_cohort(generated):
    """Not only the medians: every figure of every month (size, reached, observed, at risk, events)."""
    from agir.indicators import cohort
    from agir.indicators.scope import CohortScope
    comparison = compare.for_year(YEAR, None, TODAY)
    found = compare.departments(comparison)
    last = max(department.max_months for department in found)
    rows = compare.cohort_rows(comparison, last)
    checked = 0
    for department in found:
        scope = CohortScope(comparison.start, comparison.end, department, as_of=comparison.as_of)
        own = cohort.monthly_counts(cohort.members(scope, cte=True), scope.as_of, department.max_months)
        mine = {name: series[:department.max_months + 1] for name, series in rows.get(department.id, {}).items()}
        assert mine == own, department.code
        checked += bool(own)
    assert checked >= 5


def test_the_published_comparison_hides_exactly_what_the_masking_rule_says(generated):
    raw = compare.compute_unmasked(compare.for_year(YEAR, None, TODAY))
    published = compare.compute(compare.for_year(YEAR, None, TODAY))
    for before, after in zip(raw["departments"], published["departments"], strict=True):
        for column in compare.COUNTS:
            if is_small(before[column]):
                assert after[column] is None and column in after["masked"]
            if after[column] is not None:
                assert after[column] == before[column]
        for share, sources in compare.DERIVED.items():
            if any(source in after["masked"] for source in sources):
                assert share in after["masked"] and compare.value_of(after, share) is None
    assert "interviewed" not in published["total"]


def test_only_closed_calendar_years_are_compared():
    assert compare.years(date(2026, 12, 5))[0] == 2025 and compare.years(date(2026, 12, 5))[-1] == 2022
    with pytest.raises(ValueError):
        compare.for_year(2026, None, date(2026, 12, 5))
    assert compare.for_year(2025, None, date(2026, 12, 5)).as_of == date(2025, 12, 31)
