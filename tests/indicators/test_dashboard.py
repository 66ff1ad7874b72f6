"""The dashboard's shared statements (docs/performance.md) give exactly the figures of the separate ones.

The pilot's page reads each set of records once for several figures: the compliance list also gives
the compliance counts and the open accompaniments (window sums), the breakdown by nationality also
gives the public figures, one read of the participations gives the participants, non-BPI, assiduous
and progressed persons, and the cohort's size comes with its milestones. Each is compared here with
the plain statement it replaces, on generated data (many persons, every rule of SPEC §4). One read of the
period's records gives the breakdowns by nationality and by structure.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import distinct, func, select

from agir.extensions import db
from agir.indicators import CohortScope, Scope, annex, compute_cohort, compute_indicators, pilot
from agir.indicators import cohort as cohort_module
from models import Department, Participation, Person, Programme
from models.enums import LANGUAGE_THEMES
from tests.indicators.helpers import (
    import_generated,
    plain_by_structure,
    plain_compliance_query,
    plain_open_accompaniments,
)

TODAY = date(2024, 6, 30)


@pytest.fixture
def generated(app_ctx):
    """A few hundred generated persons in three departments."""
    import_generated(400, seed=11, today=TODAY)


def scopes() -> list[Scope]:
    """Each department and the whole country, over periods and as-of dates that give different lists."""
    departments = [None, *db.session.scalars(select(Department).order_by(Department.code))]
    return [Scope(first, last, as_of, department)
            for department in departments
            for first, last, as_of in ((date(2023, 1, 1), date(2023, 12, 31), TODAY),
                                       (date(2022, 7, 1), date(2024, 6, 30), TODAY + timedelta(days=400)),
                                       (date(2024, 1, 1), date(2024, 12, 31), date(2023, 3, 1)))]


def test_compliance_list_carries_the_compliance_counts_and_the_open_accompaniments(generated):
    checked = 0
    for scope in scopes():
        plain = annex.durations(scope)
        flagged = len(db.session.execute(plain_compliance_query(scope)).all())
        assert plain["flagged"] == flagged
        assert plain["open"] == plain_open_accompaniments(scope)
        for page in (1, 2, flagged // 3 + 5):  # first pages, and one past the end
            lines, total, limits = pilot.compliance(scope, page, 3)
            assert limits == plain, (scope, page)
            assert total == flagged
            assert len(lines) == max(0, min(3, flagged - (page - 1) * 3))
        checked += flagged > 3 and plain["open"] > plain["overdue"]
    assert checked >= 2  # lists of several pages, with open accompaniments not flagged


def test_dashboard_indicators_equal_the_indicators_computed_alone(generated):
    for scope in scopes():
        lines, total, limits = pilot.compliance(scope, 1, 20)
        by_nationality, _ = pilot.period_breakdowns(scope)
        assert compute_indicators(scope, by_nationality=by_nationality, limits=limits) == compute_indicators(scope)


def test_public_figures_are_the_sums_of_the_nationalities(generated):
    seen = 0
    for scope in scopes():
        entries = annex.entries(scope.start, scope.end, person_conditions=scope.person_conditions())
        by_nationality = annex.public_by_nationality(scope)
        assert pilot.period_breakdowns(scope)[0] == by_nationality
        assert annex.sum_public(by_nationality) == annex.public_figures(entries, scope.person_conditions())
        # The breakdown's counts and order: those of a plain GROUP BY over the entries.
        plain = db.session.execute(
            select(Person.nationality, func.count()).select_from(entries).join(Person, Person.id == entries.c.person_id)
            .group_by(Person.nationality).order_by(func.count().desc(), Person.nationality)).all()
        assert pilot.by_nationality(by_nationality) == [tuple(row) for row in plain]
        seen += len(by_nationality) > 3
    assert seen >= 3


def test_breakdown_by_structure_equals_its_plain_statements(generated):
    seen = 0
    for scope in scopes():
        got, plain = pilot.period_breakdowns(scope)[1], plain_by_structure(scope)
        # Ordered by name; two structures of one name (in two departments) may come in either order.
        assert [row[0] for row in got] == [row[0] for row in plain] and sorted(got) == sorted(plain), scope
        seen += len(got) > 3 and any(held == 0 or attended == 0 for _, _, held, attended in got)
    assert seen >= 2  # several structures, some with accompaniments only or participations only


def test_participant_figures_equal_their_plain_counts(generated):
    nonzero = set()
    for scope in scopes():
        got = annex.participants(scope)
        overlapping = annex.overlaps(Participation.start_on, Participation.end_on, scope.start, scope.end)
        ending = Participation.end_on.between(scope.start, scope.end)

        def persons(*conditions, scope=scope):
            return db.session.scalar(
                select(func.count(distinct(Participation.person_id)))
                .join(Programme, Programme.id == Participation.programme_id)
                .join(Person, Person.id == Participation.person_id)
                .where(*conditions, *scope.person_conditions()))

        language = Programme.theme.in_(LANGUAGE_THEMES)
        assert got == {
            "participant": persons(overlapping),
            "non_bpi": persons(overlapping, ~annex.is_bpi()),
            "assiduous": persons(language, overlapping, annex.assiduous_condition()),
            "progressed": persons(language, ending, annex.progressed_condition()),
        }, scope
        nonzero |= {key for key, value in got.items() if value}
    assert nonzero == {"participant", "non_bpi", "assiduous", "progressed"}


def test_cohort_size_comes_with_the_milestones(generated):
    sizes = []
    for department in [None, *db.session.scalars(select(Department))]:
        for first, last in ((date(2023, 1, 1), date(2023, 12, 31)), (date(2030, 1, 1), date(2030, 12, 31))):
            scope = CohortScope(first, last, department)
            members = cohort_module.members(scope)
            size = db.session.scalar(select(func.count()).select_from(members))
            assert compute_cohort(scope)["size"] == size
            sizes.append(size)
    assert 0 in sizes and max(sizes) > 20
