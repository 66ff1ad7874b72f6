"""The scope of the indicators: a period, optionally a region, a department and/or a structure, an as-of date.

Arguments come as text (command line, query string); a bad one raises ScopeError with a French
message, which the CLI prints (exit 1) and the API returns (400).
"""
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, overload

from flask import current_app
from sqlalchemy import exists, select, text
from sqlalchemy.orm import aliased

from agir.dates import parse_iso
from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.indicators.sql import any_of
from models import Accompaniment, Department, Participation, Person, Programme, Region, Structure


class ScopeError(ValueError):
    """A bad argument of the indicators or of the cohort, with its French message."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Scope:
    """Period [start, end] (both inclusive), as-of date, optional department, structure and region."""

    start: date
    end: date
    as_of: date
    department: Department | None = None
    structure: Structure | None = None
    region: Region | None = None

    def as_json(self) -> dict:
        """The "scope" object of the indicators JSON."""
        return {
            "from": self.start.isoformat(), "to": self.end.isoformat(),
            "department": self.department.code if self.department else None,
            "structure": self.structure.ref if self.structure else None,
            "as_of": self.as_of.isoformat(),
            "region": self.region.code if self.region else None,
        }

    def person_conditions(self) -> list:
        """Conditions on Person: the persons whose figures count (INTERCHANGE.md)."""
        conditions = []
        if self.department is not None:
            conditions.append(Person.department_id == self.department.id)
        if self.region is not None:
            conditions.append(Person.department_id.in_(region_departments(self.region.id)))
        if self.structure is not None:
            # Aliases: the outer query may itself select from these tables (no accidental correlation).
            acc, part, prog = aliased(Accompaniment), aliased(Participation), aliased(Programme)
            held = exists().where(acc.person_id == Person.id, acc.structure_id == self.structure.id)
            attends = exists().where(part.person_id == Person.id, part.programme_id == prog.id,
                                     prog.structure_id == self.structure.id)
            conditions.append(held | attends)
        return conditions

    def person_ids_first(self, whatever_share: bool = False) -> bool:
        """True when a department's records are best read by their persons' ids (`records_of`): a department's
        scope on PostgreSQL, the department holding a small share of the persons (`ids_first`; `whatever_share`:
        whatever its share — a table whose other way in is no cheaper). A structure's or a region's scope, and
        SQLite, join the persons as before."""
        if self.department is None or self.structure is not None or self.region is not None:
            return False
        return ids_first(None if whatever_share else self.department.id)

    def records_of(self, person_id) -> list:
        """Conditions on a record's person_id column: the record belongs to a person of the scope.

        A department's records read by their persons' ids (`any_of`: the department's persons once, then each
        table's person_id index), not the country's records of the period joined to the department's persons:
        at 1,000,000 persons a department holds a few per cent of them (docs/performance.md, « Department
        dashboard at 1,000,000 persons »). [] for the whole country."""
        conditions = self.person_conditions()
        if not conditions:
            return []
        return [any_of(person_id, select(Person.id).where(*conditions).scalar_subquery())]

    def programme_conditions(self) -> list:
        """Conditions on Programme: the programmes whose figures count."""
        conditions = []
        if self.department is not None:
            conditions.append(Programme.department_id == self.department.id)
        if self.region is not None:
            conditions.append(Programme.department_id.in_(region_departments(self.region.id)))
        if self.structure is not None:
            conditions.append(Programme.structure_id == self.structure.id)
        return conditions


def of_scope(query, person_id, scope: Scope, person_joined: bool = False, whatever_share: bool = False):
    """`query` (FROM a table of records, `person_id` its person column) restricted to the scope's persons.

    A department on PostgreSQL: by the persons' ids (`Scope.records_of`: the department's records through the
    table's person_id index, not the country's records of the period); otherwise the persons are joined with
    the scope's conditions (every record has its person), unless `person_joined` (the caller joined them
    already, for their columns: the conditions alone are added; on PostgreSQL the ids as well, so that the
    records are still fetched by person). The whole country: unchanged."""
    conditions = scope.person_conditions()
    if not conditions:
        return query
    ids = scope.records_of(person_id) if scope.person_ids_first(whatever_share) else []
    if person_joined:
        return query.where(*ids, *conditions)
    if ids:
        return query.where(*ids)
    return query.join(Person, Person.id == person_id).where(*conditions)


def ids_first(department_id: int | None = None) -> bool:
    """True when a department's records are read by their persons' ids (`any_of`): on PostgreSQL, for a
    department holding at most INDICATORS_IDS_FIRST_SHARE of the persons (10 %: `department_id`; None: whatever
    its share).

    Each table is then read through its person_id index, one descent per person of the department: at
    1,000,000 persons a department of 30,000 costs half of reading the country's records of the period; a
    department of a fifth of the persons (the 100,000-person benchmark) costs more that way, and one holding
    all of them (a deployment of one department) would pay a descent per person of the country in every
    table (docs/performance.md). The share is the
    department's persons over PostgreSQL's estimate of all the persons, taken once per request (kept in the
    session's `info`, which lives as long as the request's session)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    if department_id is None:
        return True
    shares = db.session.info.setdefault("department_shares", {})  # the request's session: taken once per request
    if department_id not in shares:
        mine, everyone = db.session.execute(text(
            "SELECT (SELECT count(*) FROM persons WHERE department_id = :department),"
            " (SELECT reltuples FROM pg_class WHERE oid = 'persons'::regclass)"), {"department": department_id}).one()
        # reltuples: -1 before the first ANALYZE; the department's own count is a floor of the whole.
        shares[department_id] = mine / max(everyone or 0, mine, 1)
    return shares[department_id] <= current_app.config.get("INDICATORS_IDS_FIRST_SHARE", 0.1)


def department_records(person_id, department_id: int):
    """Condition on a record's person_id column: its person is of the department, by the department's persons'
    ids (`any_of`; see Scope.records_of)."""
    return any_of(person_id, select(Person.id).where(Person.department_id == department_id).scalar_subquery())


def region_departments(region_id: int):
    """select the ids of the departments of a region."""
    return select(Department.id).where(Department.region_id == region_id).scalar_subquery()


@dataclass(frozen=True)
class CohortScope:
    """Entry period [entry_from, entry_to], optional department or region, and the as-of date of a cohort
    (the day up to which its members are observed: today unless told)."""

    entry_from: date
    entry_to: date
    department: Department | None = None
    region: Region | None = None
    as_of: date = field(default_factory=paris_today)

    def as_json(self) -> dict:
        """The "scope" object of the cohort JSON."""
        return {"entry_from": self.entry_from.isoformat(), "entry_to": self.entry_to.isoformat(),
                "department": self.department.code if self.department else None,
                "region": self.region.code if self.region else None, "as_of": self.as_of.isoformat()}


@overload
def parse_date(value: str | None, name: str, required: Literal[True] = True) -> date: ...
@overload
def parse_date(value: str | None, name: str, required: bool) -> date | None: ...
def parse_date(value: str | None, name: str, required: bool = True) -> date | None:
    """A strict ISO date, or ScopeError naming the argument."""
    if value is None or value == "":
        if required:
            raise ScopeError(_l("L'argument %(name)s est obligatoire (date au format AAAA-MM-JJ).", name=name), name)
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ScopeError(_l("Date invalide pour %(name)s : « %(value)s » (format attendu AAAA-MM-JJ).", name=name,
                            value=value), name) from None


def find_department(code: str | None) -> Department | None:
    """The department of that INSEE code, or ScopeError when unknown."""
    if code is None or code == "":
        return None
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise ScopeError(_l("Département inconnu : « %(code)s ».", code=code), "department")
    return department


def find_structure(ref: str | None) -> Structure | None:
    """The structure of that reference, or ScopeError when unknown."""
    if ref is None or ref == "":
        return None
    structure = db.session.scalar(select(Structure).where(Structure.ref == ref))
    if structure is None:
        raise ScopeError(_l("Structure inconnue : « %(ref)s ».", ref=ref), "structure")
    return structure


def check_department_in_region(department: Department | None, region: Region | None) -> None:
    """A department given with a region must be one of its departments (else ScopeError)."""
    if department is None or region is None:
        return
    if department.region_id != region.id:
        raise ScopeError(_l("Le département %(code)s n'appartient pas à la région %(code2)s.", code=department.code,
                            code2=region.code), "department")


def build_scope(start: str | None, end: str | None, department: str | None = None,
                structure: str | None = None, as_of: str | None = None, today: date | None = None,
                region: str | None = None) -> Scope:
    """Check the text arguments of `indicators` and return the scope."""
    first = parse_date(start, "--from")
    last = parse_date(end, "--to")
    if first > last:
        raise ScopeError(_l("La date de début (%(value)s) est postérieure à la date de fin (%(value2)s).",
                            value=first.isoformat(), value2=last.isoformat()), "--from")
    on = parse_date(as_of, "--as-of", required=False) or today or paris_today()
    found_department, found_region = find_department(department), find_region(region)
    check_department_in_region(found_department, found_region)
    return Scope(first, last, on, found_department, find_structure(structure), found_region)


def find_region(code: str | None) -> Region | None:
    """The INSEE region of that code, or ScopeError when unknown."""
    if code is None or code == "":
        return None
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise ScopeError(_l("Région inconnue : « %(code)s ».", code=code), "region")
    return region


def build_cohort_scope(entry_from: str | None, entry_to: str | None, department: str | None = None,
                       region: str | None = None, as_of: str | None = None, today: date | None = None) -> CohortScope:
    """Check the text arguments of `cohort` and return its scope (a department given with a region must be
    one of its departments)."""
    first = parse_date(entry_from, "--entry-from")
    last = parse_date(entry_to, "--entry-to")
    if first > last:
        raise ScopeError(_l("La date de début (%(value)s) est postérieure à la date de fin (%(value2)s).",
                            value=first.isoformat(), value2=last.isoformat()), "--entry-from")
    on = parse_date(as_of, "--as-of", required=False) or today or paris_today()
    found_department, found_region = find_department(department), find_region(region)
    check_department_in_region(found_department, found_region)
    return CohortScope(first, last, found_department, found_region, on)
