"""Reusable selects of the social worker's pages: the persons list (filters, sort, page) and households.

Access is never decided here: every select starts from agir.access.persons_visible_to.
The list takes one query for the page, one for the count and one per pending figure, whatever
the number of rows (no query per person).
"""
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload

from agir.access import full_file_row_condition, held_parts, held_persons, persons_visible_to
from agir.dates import add_months
from agir.extensions import db
from agir.i18n import format_date, gettext, ngettext
from agir.queries.inbox import open_alert_person_ids
from agir.rules.accompaniment import followup_due_on
from agir.rules.duplicates import phone_digits, search_words
from agir.rules.durations import clock
from models import Accompaniment, Alert, Exit, FollowUp, Household, Person, RightStep
from models.enums import BPI_STATUSES

SORTS = ("name", "start", "end", "protection", "created")
ACCOMPANIMENT_FILTERS = ("open", "closed", "none")


@dataclass
class PersonFilters:
    """What the social worker asked for on /persons/."""

    q: str = ""
    accompaniment: str = ""
    priority: bool = False
    alert: str = ""  # "" (no filter), "any", or an alert kind
    end_before: date | None = None
    sort: str = "name"
    descending: bool = False


@dataclass
class PersonRow:
    """One line of the list: the person, their latest accompaniment, its clock and what is pending."""

    person: Person
    accompaniment: Accompaniment | None
    clock: dict | None = None
    pending: list = field(default_factory=list)  # (text, level) with level in info/warning/error
    alerts: list = field(default_factory=list)  # alert kinds
    covered: set = field(default_factory=set)  # alert kinds the pending list already states


@dataclass
class Page:
    """A page of rows, with what the pagination needs."""

    rows: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """Number of pages (at least one)."""
        return max(1, -(-self.total // self.per_page))


def latest_accompaniment_id(person=Person):
    """Correlated subquery: the id of the person's latest accompaniment (the open one, if any)."""
    return (select(Accompaniment.id).where(Accompaniment.person_id == person.id)
            .order_by(Accompaniment.start_on.desc(), Accompaniment.id.desc()).limit(1)
            .correlate(person).scalar_subquery())


def _priority_condition(latest, today: date, person=Person):
    # Enrolled: the verdict kept at enrolment. Not enrolled: a BPI protected less than 12 months ago.
    cutoff = add_months(today, -12)
    return or_(and_(latest.id.is_not(None), latest.exit_on.is_(None), latest.is_priority.is_(True)),
               and_(latest.id.is_(None), person.status.in_(BPI_STATUSES), person.protection_on > cutoff,
                    person.protection_on <= today))


class KeptLatest:
    """The latest accompaniment's columns the list reads, as kept on the person's row (persons.latest_*, kept by
    the database's triggers: models/latest.py): the same names as on Accompaniment, so that the filters and the
    order read either."""

    def __init__(self, person):
        self.id = person.latest_accompaniment_id
        self.start_on = person.latest_start_on
        self.current_end_on = person.latest_end_on
        self.exit_on = person.latest_exit_on
        self.is_priority = person.latest_is_priority


def _filtered(user, part, filters: PersonFilters, today: date, kept: bool = True):
    """select(person) of one part of the user's files (agir.access.held_parts), filtered: (query, person, latest).

    kept: the latest accompaniment read from the person's row (KeptLatest: no join; what the application reads).
    Not kept: joined by its definition (latest_accompaniment_id: the tests' reference, `_persons_select`), and
    the query is select(person, latest)."""
    person = aliased(Person, part, name="person")
    latest: KeptLatest | Any  # the same columns either way (an aliased Accompaniment otherwise)
    query: Select
    if kept:
        latest = KeptLatest(person)
        query = select(person)
    else:
        latest = aliased(Accompaniment, name="latest")
        query = select(person, latest).outerjoin(latest, latest.id == latest_accompaniment_id(person))
    search = search_condition(filters.q or "", person)
    if search is not None:
        # The part's structure condition is the index condition: the ILIKE runs on the user's files only.
        query = query.where(search)
    if filters.accompaniment == "open":
        query = query.where(latest.id.is_not(None), latest.exit_on.is_(None))
    elif filters.accompaniment == "closed":
        query = query.where(latest.exit_on.is_not(None))
    elif filters.accompaniment == "none":
        query = query.where(latest.id.is_(None))
    if filters.priority:
        query = query.where(_priority_condition(latest, today, person))
    if filters.alert and getattr(user, "structure_id", None):
        kind = None if filters.alert == "any" else filters.alert
        query = query.where(person.id.in_(open_alert_person_ids(user.structure_id, kind)))
    if filters.end_before:
        query = query.where(latest.exit_on.is_(None), latest.current_end_on <= filters.end_before)
    return query, person, latest


def filtered_parts(user, filters: PersonFilters, today: date, parts: list) -> list:
    """`_filtered` of each part of agir.access.held_parts, the latest accompaniment read from the person's row."""
    return [_filtered(user, part, filters, today) for part in parts]


def _persons_select(user, filters: PersonFilters, today: date):
    """select(person, latest accompaniment) of every person the user may open, filtered and sorted: the
    whole list (the pages are its slices; `person` is Person aliased over agir.access.held_persons). The tests'
    reference for the pages that `filtered_parts` cuts and merges; the application reads the parts."""
    query, person, latest = _filtered(user, held_persons(user), filters, today, kept=False)
    return query.order_by(*_order(filters, latest, person)), person


PHONE_RE = re.compile(r"^[\d\s.()+-]+$")
BIRTH_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def search_condition(q: str, person=Person):
    """SQL condition of a search of the persons list, or None when there is nothing to search.

    A phone number in any form (« 06 12 34 56 78 », « +33612345678 ») is looked up in the phone's
    digits; a birth date typed jj/mm/aaaa in the birth dates; every other word must be found in the
    names (without accents, case or hyphens, across the usual transliterations: the normalised
    `search_text` of agir/rules/duplicates.py) or in the file reference.
    """
    q = q.strip()
    if not q:
        return None
    digits = re.sub(r"\D", "", q)
    if PHONE_RE.match(q) and len(digits) >= 6 and not BIRTH_RE.match(q):
        return or_(person.phone_key.contains(phone_digits(q), autoescape=True),
                   person.ref.ilike(f"%{q}%"))
    conditions = []
    for word in q.split():
        born = BIRTH_RE.match(word)
        if born:
            try:
                conditions.append(person.birth_on == date(int(born[3]), int(born[2]), int(born[1])))
                continue
            except ValueError:
                pass
        forms = [form for forms in search_words(word) for form in forms]
        names = [person.search_text.contains(f"{form}", autoescape=True) for form in forms]
        conditions.append(or_(*names, person.ref.ilike(f"%{word}%")))
    return and_(*conditions)


def _order_keys(filters: PersonFilters, latest, person=Person) -> list:
    """The list's order as [(expression, descending, nulls last)]: the column asked for, then the names,
    then the id (a total order: pages neither overlap nor skip)."""
    name = [(func.lower(person.last_name), filters.descending, False),
            (func.lower(person.first_name), filters.descending, False)]
    column = {"start": latest.start_on, "end": latest.current_end_on, "protection": person.protection_on,
              "created": person.created_at}.get(filters.sort)
    if column is None:  # by name
        return name + [(person.id, False, False)]
    return [(column, filters.descending, True)] + [(key, False, False) for key, _, _ in name] + \
        [(person.id, False, False)]


def _clauses(keys: list) -> list:
    """ORDER BY clauses of `_order_keys`."""
    clauses = []
    for key, descending, nulls_last in keys:
        clause = key.desc() if descending else key.asc()
        clauses.append(clause.nulls_last() if nulls_last else clause)
    return clauses


def _order(filters: PersonFilters, latest, person=Person) -> list:
    return _clauses(_order_keys(filters, latest, person))


def persons_page(user, filters: PersonFilters, page: int, per_page: int, today: date) -> Page:
    """The requested page of the persons list, each row with its clock and what is pending.

    Each part of the user's files (agir.access.held_parts: the structure's own persons, then those of its
    accompaniments it did not open) is filtered, sorted and cut after the requested page on its own, then
    the parts are merged and the page taken: sorted by name, the structure's own persons come from the index
    ix_persons_structure_name in order, and the first page reads 25 index entries instead of sorting every
    file of the structure; sorted by the latest accompaniment's planned end or start, from
    ix_persons_structure_latest_end / _start (docs/performance.md, « One million persons on PostgreSQL »). The
    filters and the order read the latest accompaniment kept on the person's row (models/latest.py). The count
    adds the parts' counts (`count_select`)."""
    parts = filtered_parts(user, filters, today, held_parts(user, db.session))
    total = db.session.scalar(count_select(parts)) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    # The page's ids first, then the rows of those ids only, with their latest accompaniment by its kept id.
    ids = list(db.session.scalars(page_ids_select(parts, filters, (page - 1) * per_page, per_page)))
    latest = aliased(Accompaniment, name="latest")
    found = {p.id: (p, a) for p, a in db.session.execute(
        select(Person, latest).outerjoin(latest, latest.id == Person.latest_accompaniment_id)
        .where(Person.id.in_(ids)).options(joinedload(Person.department))).all()} if ids else {}
    rows = [PersonRow(person=found[i][0], accompaniment=found[i][1]) for i in ids]
    _add_pending(user, rows, today)
    return Page(rows=rows, total=total, page=page, per_page=per_page)


def count_select(parts: list):
    """select() of the number of files of the parts (`filtered_parts`): on PostgreSQL, filtered or not, an
    index-only scan of the structure's entries (ix_persons_structure_name, or ix_persons_structure_latest_end that
    carries what the filters read)."""
    counts = [query.with_only_columns(person.id) for query, person, _ in parts]
    return select(func.count()).select_from(union_all(*counts).subquery() if len(counts) > 1
                                            else counts[0].subquery())


def _by_presence(filtered, keys: list, filters: PersonFilters, latest) -> list:
    """[(query, its order keys)]: the part as is, or — sorted by a date of the latest accompaniment, which is NULL
    for a file without one (last in either direction) — the files with that date, then those without; « not
    enrolled » in name order: the NULL entries of the planned end's index.

    Each is read in the order of one index, ix_persons_structure_latest_end / _start: the files with a date
    forwards or backwards (its plain direction: the NULLs it would have placed first are not there), those
    without forwards, in name order. A query with `NULLS LAST` in both directions matches no index in one of them, and
    sorting every file is what this avoids. A filter that needs an accompaniment (open, closed, planned end
    before) leaves no file without; « none » leaves no date: that side is not read."""
    if filters.accompaniment == "none" and filters.sort == "name":
        # The files without an accompaniment are the NULL entries of the planned end's index, in name order: read
        # there, not from the names' index, which would read every enrolled file to find them.
        column = latest.current_end_on
        return [(filtered.where(column.is_(None)), [(column, keys[0][1], False)] + keys)]
    if filters.sort not in ("start", "end"):
        return [(filtered, keys)]
    column, descending, _ = keys[0]
    split = []
    if filters.accompaniment != "none":
        split.append((filtered.where(column.is_not(None)), [(column, descending, False)] + keys[1:]))
    if not (filters.accompaniment in ("open", "closed") or filters.end_before):
        # Ordered by the (NULL) date first all the same: the order of that same index, whose NULL entries are
        # in name order — the names' index would read every file with a date to find those without.
        split.append((filtered.where(column.is_(None)), [(column, False, False)] + keys[1:]))
    return split


def page_ids_select(parts: list, filters: PersonFilters, offset: int, per_page: int):
    """select() of the ids of one page: each part (`_filtered`) sorted and cut after the page, then merged."""
    # PostgreSQL: each part cut on the order without its last key (the id) WITH TIES, the rows equal to the
    # last one kept, so that the index (…, names, id) read backwards serves the descending order by name too
    # (names descending, then id ascending: no index has that order).
    ties = db.session.get_bind().dialect.name == "postgresql"
    cut = []
    for filtered, person, latest in parts:
        keys = _order_keys(filters, latest, person)
        columns = [key.label(f"k{i}") for i, (key, _, _) in enumerate(keys)]
        for side, order in _by_presence(filtered, keys, filters, latest):
            query = side.with_only_columns(*columns)
            if ties:
                query = query.order_by(*_clauses(order[:-1])).fetch(offset + per_page, with_ties=True)
            else:
                query = query.order_by(*_clauses(order)).limit(offset + per_page)
            cut.append(select(query.subquery()))
    merged = union_all(*cut).subquery() if len(cut) > 1 else cut[0].subquery()
    keys = [(merged.c[f"k{i}"], descending, nulls_last) for i, (_, descending, nulls_last) in enumerate(keys)]
    return select(keys[-1][0]).order_by(*_clauses(keys)).limit(per_page).offset(offset)


def _add_pending(user, rows: list, today: date) -> None:
    """Rights waiting for an answer, follow-ups due, open alerts — three grouped queries for the page."""
    ids = [r.person.id for r in rows]
    if not ids:
        return
    requested = dict(db.session.execute(
        select(RightStep.person_id, func.count()).where(RightStep.person_id.in_(ids),
                                                        RightStep.state == "requested")
        .group_by(RightStep.person_id)).all())
    closed = [r.accompaniment.id for r in rows if r.accompaniment and r.accompaniment.exit_on]
    followed = set(db.session.scalars(
        select(Exit.accompaniment_id).join(FollowUp, FollowUp.exit_id == Exit.id)
        .where(Exit.accompaniment_id.in_(closed)))) if closed else set()
    alerts: dict[int, list] = {}
    if getattr(user, "structure_id", None):
        for person_id, kind in db.session.execute(
                select(Alert.person_id, Alert.kind).where(Alert.person_id.in_(ids), Alert.resolved_on.is_(None),
                                                          Alert.structure_id == user.structure_id)
                .order_by(Alert.kind)).all():
            alerts.setdefault(person_id, []).append(kind)
    for row in rows:
        row.pending = describe_pending(row, requested.get(row.person.id, 0), followed, today)
        # An alert already said by the pending list (same fact, same words) is not repeated.
        row.alerts = [k for k in alerts.get(row.person.id, []) if k not in row.covered]


def describe_pending(row: PersonRow, requested: int, followed: set, today: date) -> list:
    """What the social worker has to do next for this person, in the reader's language."""
    pending = []
    row.covered = set()
    acc = row.accompaniment
    if acc is not None and acc.exit_on is None:
        max_months = row.person.department.max_months
        row.clock = clock(acc.start_on, today, acc.current_end_on, max_months)
        if row.clock["over_limit"]:
            pending.append((gettext("Durée maximale dépassée"), "error"))
            row.covered.add("over_limit")
        elif row.clock["overdue"]:
            pending.append((gettext("Fin prévue dépassée"), "error"))
            row.covered.add("overdue")
        elif acc.current_end_on <= add_months(today, 1):
            pending.append((gettext("Fin prévue le %(day)s", day=format_date(acc.current_end_on)), "warning"))
    elif acc is not None and acc.id not in followed:
        due = followup_due_on(acc.exit_on)
        if due <= today:
            pending.append((gettext("Suivi à 6 mois à faire"), "warning"))
            row.covered.add("followup_due")
        else:
            pending.append((gettext("Suivi à 6 mois le %(day)s", day=format_date(due)), "info"))
    elif acc is None:
        pending.append((gettext("Pas encore inscrit·e"), "info"))
    if requested:
        pending.append((ngettext("%(num)d droit en attente de réponse", "%(num)d droits en attente de réponse",
                                 requested), "info"))
    return pending


def visible_households(user, q: str = "", limit: int = 100) -> list:
    """[(ref, visible members)] of households with a member the user may open, matching q (to join one)."""
    matching = persons_visible_to(user).join(Household, Household.id == Person.household_id)
    for word in (q or "").split():
        pattern = f"%{word}%"
        matching = matching.where(or_(Person.last_name.ilike(pattern), Person.first_name.ilike(pattern),
                                      Household.ref.ilike(pattern)))
    ids = matching.with_only_columns(Person.household_id).distinct().limit(limit)
    people = db.session.scalars(persons_visible_to(user).where(Person.household_id.in_(ids))
                                .options(joinedload(Person.household))
                                .order_by(Person.household_id, Person.birth_on)).all()
    households: dict[str, list] = {}
    for person in people:
        households.setdefault(person.household.ref, []).append(person)
    return sorted(households.items(), key=lambda item: (item[1][0].last_name.lower(), item[0]))


def household_for(user, ref: str) -> Household | None:
    """The household with this ref, when one of its members is visible to the user (else None)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    visible = persons_visible_to(user).where(Person.household_id == Household.id).exists()
    return db.session.scalar(select(Household).where(Household.ref == ref, visible))


def visible_members(user, household_id: int | None) -> list:
    """The members of a household the user may open (the others are not named): the household's index, then
    each member's visibility checked person by person (access.full_file_row_condition) — the union of
    persons_visible_to would read every file of the structure to name two or three persons (~80 ms of database
    CPU at 1,000,000 persons: docs/performance.md, « One million persons on PostgreSQL »)."""
    if household_id is None:
        return []
    return list(db.session.scalars(select(Person).where(
        Person.household_id == household_id, full_file_row_condition(user), Person.anonymised_at.is_(None))
        .order_by(Person.birth_on)))


def hidden_member_count(household_id: int | None, visible: list) -> int:
    """Members of the household the user may not open (counted, never named): those not in `visible`,
    visible_members' answer."""
    if household_id is None:
        return 0
    total = db.session.scalar(select(func.count()).select_from(Person).where(Person.household_id == household_id))
    return total - len(visible)
