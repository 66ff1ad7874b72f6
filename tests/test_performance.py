"""The query rewrites made for speed (docs/performance.md) give exactly the answers of the plain forms.

- the persons list fetches a page's ids first, then those rows with their latest accompaniment;
- the search runs its ILIKE only on the user's files (CASE over agir.access's condition);
- the alerts job reads the last activity of the persons with an open accompaniment only;
- the cohort reads only its members' records, in one statement;
- a department's indicators read only that department's records.
The plain forms are rebuilt here and compared on generated data (many persons, every rule of SPEC §4).
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, or_, select

from agir import alerts
from agir.access import persons_visible_to
from agir.extensions import db
from agir.indicators import CohortScope, Scope, compute_cohort, compute_indicators
from agir.indicators import cohort as cohort_module
from agir.queries import persons as queries
from models import Accompaniment, Department, Person, Structure, User
from tests import factories
from tests.indicators.helpers import import_generated

TODAY = date(2024, 6, 30)


@pytest.fixture
def generated(app_ctx):
    """A few hundred generated persons in three departments (the importer writes them)."""
    import_generated(400, seed=5, today=TODAY)


def busiest_social_worker() -> User:
    """A social worker of the structure holding the most files."""
    structure_id = db.session.scalar(select(Accompaniment.structure_id).group_by(Accompaniment.structure_id)
                                     .order_by(func.count().desc(), Accompaniment.structure_id).limit(1))
    structure = db.session.get(Structure, structure_id)
    user = factories.make_user("social_worker", structure)
    db.session.commit()
    return user


FILTERS = [
    queries.PersonFilters(),
    queries.PersonFilters(sort="name", descending=True),
    queries.PersonFilters(sort="end"),
    queries.PersonFilters(sort="start", descending=True, accompaniment="open"),
    queries.PersonFilters(accompaniment="closed", sort="protection"),
    queries.PersonFilters(sort="created", descending=True),
    queries.PersonFilters(priority=True),
    queries.PersonFilters(q="a"),
    queries.PersonFilters(q="a e", sort="end", descending=True),
]


def test_pages_of_the_list_are_the_slices_of_the_whole_ordered_list(generated):
    user = busiest_social_worker()
    for filters in FILTERS:
        query, _ = queries._persons_select(user, filters, TODAY)
        whole = [(p.id, a.id if a else None) for p, a in db.session.execute(query).all()]
        assert len(whole) > 10, filters  # the generated structure really has files to page through
        per_page, seen = 7, []
        for number in range(1, -(-len(whole) // per_page) + 1):
            page = queries.persons_page(user, filters, number, per_page, TODAY)
            assert page.total == len(whole)
            seen += [(row.person.id, row.accompaniment.id if row.accompaniment else None) for row in page.rows]
        assert seen == whole, filters


def test_search_finds_the_users_files_that_match_every_word_and_no_other(generated):
    user = busiest_social_worker()
    words = ["a", "n"]
    plain = persons_visible_to(user).with_only_columns(Person.id).where(*(
        or_(Person.last_name.ilike(f"%{w}%"), Person.first_name.ilike(f"%{w}%"), Person.ref.ilike(f"%{w}%"))
        for w in words))
    query, _ = queries._persons_select(user, queries.PersonFilters(q=" ".join(words)), TODAY)
    expected = set(db.session.scalars(plain))
    assert expected and {p.id for p, _ in db.session.execute(query).all()} == expected
    everyone = {p.id for p in db.session.scalars(select(Person).where(Person.last_name.ilike("%a%")))}
    assert everyone - expected  # other structures' persons match too, and are not shown


def test_alerts_are_the_same_when_activity_is_read_for_every_person(generated, monkeypatch):
    original = alerts.last_activity_subquery

    def for_everyone(day, persons=None):
        return original(day)

    for as_of in (TODAY, TODAY - timedelta(days=200), TODAY + timedelta(days=120)):
        restricted = sorted(f.key + (f.due_on,) for f in alerts.compute_alerts(db.session, as_of))
        monkeypatch.setattr(alerts, "last_activity_subquery", for_everyone)
        everyone = sorted(f.key + (f.due_on,) for f in alerts.compute_alerts(db.session, as_of))
        monkeypatch.setattr(alerts, "last_activity_subquery", original)
        assert restricted == everyone
    assert any(key[0] == "inactive" for key in restricted) or any(key[0] == "overdue" for key in restricted)


def _cohort_one_milestone_at_a_time(scope: CohortScope) -> dict:
    """The cohort as six separate statements over every person's records (the plain form)."""
    cohort = cohort_module.members(scope)
    size = db.session.scalar(select(func.count()).select_from(cohort)) or 0
    months = cohort_module.max_months(scope)
    curves = {}
    for name in cohort_module.MILESTONES:
        reached = cohort_module.milestone_dates(name)
        month = cohort_module.months_to_reach(cohort.c.entry_on, reached.c.reached_on).label("month")
        counts = dict(db.session.execute(select(month, func.count()).select_from(cohort)
                                         .join(reached, reached.c.person_id == cohort.c.person_id)
                                         .group_by(month)).all())
        curves[name] = cohort_module.curve({int(m): int(n) for m, n in counts.items()}, size, months)
    return {"size": size, "milestones": curves}


def test_cohort_in_one_statement_equals_one_statement_per_milestone(generated):
    departments = [None, *db.session.scalars(select(Department).order_by(Department.code))]
    checked = 0
    for department in departments:
        for first, last in ((date(2023, 1, 1), date(2023, 12, 31)), (date(2022, 7, 1), date(2024, 6, 30))):
            scope = CohortScope(first, last, department)
            got = compute_cohort(scope)
            plain = _cohort_one_milestone_at_a_time(scope)
            assert got["size"] == plain["size"]
            assert got["milestones"] == plain["milestones"], (department, first)
            checked += got["size"] > 0
    assert checked >= 3


def test_department_indicators_equal_the_national_records_filtered_by_department(generated):
    """Public figures of a department are those of its persons, whichever way the records are read."""
    from agir.indicators.annex import entries, public_figures
    for department in db.session.scalars(select(Department)):
        scope = Scope(date(2023, 1, 1), date(2024, 6, 30), TODAY, department)
        national_entries = public_figures(entries(scope.start, scope.end), scope.person_conditions())
        assert compute_indicators(scope)["public"] == national_entries


def test_compliance_pages_carry_the_total_of_the_whole_list(generated):
    from agir.indicators.pilot import compliance
    from tests.indicators.helpers import plain_compliance_query as _compliance_query

    def compliance_list(scope, page, per_page):  # (lines, total) of a page
        return compliance(scope, page, per_page)[:2]
    scopes = [Scope(date(2022, 1, 1), TODAY, TODAY + timedelta(days=400), d)
              for d in db.session.scalars(select(Department).order_by(Department.code))]
    scope = max(scopes, key=lambda sc: len(db.session.execute(_compliance_query(sc)).all()))
    everything = db.session.execute(_compliance_query(scope)).all()
    assert len(everything) > 3
    lines, seen = [], 0
    for page in range(1, len(everything) // 3 + 2):
        got, total = compliance_list(scope, page, 3)
        assert total == len(everything)
        lines += got
        seen += 1
    assert len(lines) == len(everything)
    assert compliance_list(scope, seen + 5, 3) == ([], len(everything))  # past the end: no line, the same total
    empty = Scope(date(2022, 1, 1), TODAY, date(2000, 1, 1), scope.department)
    assert compliance_list(empty, 1, 3)[1] == len(db.session.execute(_compliance_query(empty)).all())

