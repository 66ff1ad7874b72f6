"""Who may see what: the one place where access to persons is decided (SPEC §1).

Every query of persons goes through `persons_visible_to` (full file) or `persons_referred_to`
(referral officer's limited view). Views turn "not visible" into a 404.
"""
from sqlalchemy import Select, exists, false, or_, select, true, union, union_all
from sqlalchemy.orm import aliased

from models import Accompaniment, Department, Participation, Person, Programme, Referral
from models.enums import Role

FULL, LIMITED = "full", "limited"


def _held_by(structure_id: int):
    """Persons opened by, or with an accompaniment (now or before) held by, the structure.

    Written as `persons.id IN (the structure's persons UNION the persons of its accompaniments)`: two index
    scans (ix_persons_structure_id, ix_accompaniments_structure_id), then the persons by primary key. The
    former `structure_id = X OR EXISTS (…)` could use no index and read every person of the database at each
    request (linear in the whole database, ~0.3 s a statement at 1,000,000 persons: docs/performance.md)."""
    opened = aliased(Person)
    return Person.id.in_(union(select(opened.id).where(opened.structure_id == structure_id),
                               select(Accompaniment.person_id).where(Accompaniment.structure_id == structure_id)))


def _referred_with(structure_id: int):
    """Persons referred to a programme of the structure, or from it, or participating in one of its programmes."""
    to_programme = exists().where(
        Referral.person_id == Person.id, Referral.programme_id == Programme.id,
        Programme.structure_id == structure_id,
    )
    from_structure = exists().where(Referral.person_id == Person.id, Referral.sender_structure_id == structure_id)
    participates = exists().where(
        Participation.person_id == Person.id, Participation.programme_id == Programme.id,
        Programme.structure_id == structure_id,
    )
    return or_(to_programme, from_structure, participates)


def full_file_condition(user):
    """SQL condition on Person for the full file (social workers of the holding structure only)."""
    if user is None or not user.is_authenticated or user.role != Role.SOCIAL_WORKER or not user.structure_id:
        return false()
    return _held_by(user.structure_id)


def limited_view_condition(user):
    """SQL condition on Person for the limited view (referral officers, and social workers who referred)."""
    if user is None or not user.is_authenticated or not user.structure_id:
        return false()
    if user.role == Role.REFERRAL_OFFICER:
        return _referred_with(user.structure_id)
    if user.role == Role.SOCIAL_WORKER:
        return _held_by(user.structure_id)
    return false()


def persons_visible_to(user) -> Select:
    """select(Person) restricted to the files the user may open in full."""
    return select(Person).where(full_file_condition(user), Person.anonymised_at.is_(None))


def held_parts(user, session=None) -> list:
    """The persons `persons_visible_to` gives, as disjoint subqueries of persons' columns (alias each with
    `aliased(Person, part)`): the persons the structure opened, then the persons of its accompaniments it
    did not open (its accompaniments' persons EXCEPT its own: a person held both ways is in the first only).

    The persons list reads each part sorted and cut at the page, then merges them: the structure's own
    persons come in name order from the index ix_persons_structure_name (the first page reads 25 index
    entries, not every file of the structure: docs/performance.md, « One million persons on PostgreSQL »).
    With a session, the second part's ids are read first (one statement, index-only scans), and the part
    is those ids (none: no second part): the planner then knows it holds a few persons, not thousands."""
    if user is None or not user.is_authenticated or user.role != Role.SOCIAL_WORKER or not user.structure_id:
        return [persons_visible_to(user).subquery("held")]  # nobody (full_file_condition is false)
    structure_id = user.structure_id
    opened = select(Person).where(Person.structure_id == structure_id, Person.anonymised_at.is_(None))
    others = (select(Accompaniment.person_id).where(Accompaniment.structure_id == structure_id)
              .except_(opened.with_only_columns(Person.id)))
    ids = others if session is None else session.scalars(others).all()
    if session is not None and not ids:
        return [opened.subquery("held")]
    return [opened.subquery("held"),
            select(Person).where(Person.id.in_(ids), Person.anonymised_at.is_(None)).subquery("held_too")]


def held_persons(user):
    """`held_parts` as one subquery (UNION ALL of the parts): the whole list, each person once."""
    parts = [select(part) for part in held_parts(user)]
    return union_all(*parts).subquery("held") if len(parts) > 1 else parts[0].subquery("held")


def persons_referred_to(user) -> Select:
    """select(Person) restricted to the persons the user sees in the limited view."""
    return select(Person).where(limited_view_condition(user), Person.anonymised_at.is_(None))


def _holds(structure_id: int):
    """`_held_by` written for each person row: the person's own structure, or one of its accompaniments held by
    the structure (ix_accompaniments_person_id_start_on). Same persons as `_held_by`, for a few persons already
    found by an index (one person by its primary key, a household's members): the union of `_held_by` reads
    every file of the structure to answer for them (~80 ms at 1,000,000 persons: docs/performance.md, « One
    million persons on PostgreSQL »)."""
    return or_(Person.structure_id == structure_id,
               exists().where(Accompaniment.person_id == Person.id, Accompaniment.structure_id == structure_id))


def full_file_row_condition(user):
    """full_file_condition, checked person by person: for a query that already narrows the persons by an index
    (a primary key, a household); on a whole list, full_file_condition's union is the faster form."""
    if user is None or not user.is_authenticated or user.role != Role.SOCIAL_WORKER or not user.structure_id:
        return false()
    return _holds(user.structure_id)


def view_level(user, person_id: int, session) -> str | None:
    """FULL, LIMITED or None (= 404) for a person id (one primary-key read, then index lookups)."""
    if session.scalar(select(Person.id).where(Person.id == person_id, full_file_row_condition(user),
                                              Person.anonymised_at.is_(None))):
        return FULL
    if _role(user) == Role.SOCIAL_WORKER:  # a social worker's limited view is the full file's condition
        return None
    if session.scalar(select(Person.id).where(Person.id == person_id, limited_view_condition(user),
                                              Person.anonymised_at.is_(None))):
        return LIMITED
    return None


# ---------------------------------------------------------------- what each role may do
# The templates ask these predicates (exposed as `access` to every template by agir.web.templating)
# instead of comparing role names; tests/test_access_templates.py holds their table.

def _role(user) -> str | None:
    return getattr(user, "role", None)


def holds_files(user) -> bool:
    """Social workers keep persons' full files (« Mes personnes », a person's name links to the file)."""
    return _role(user) == Role.SOCIAL_WORKER


def can_edit_file(user) -> bool:
    """Only social workers write to the full file."""
    return _role(user) == Role.SOCIAL_WORKER


def can_edit_catalogue(user) -> bool:
    """Referral officers and admins edit the programme catalogue."""
    return _role(user) in (Role.REFERRAL_OFFICER, Role.ADMIN)


def reads_catalogue(user) -> bool:
    """The programme catalogue is read by those who refer and by admins."""
    return _role(user) in (Role.SOCIAL_WORKER, Role.REFERRAL_OFFICER, Role.ADMIN)


def can_refer(user) -> bool:
    """Social workers and referral officers send referrals (and follow them in « Orientations »)."""
    return _role(user) in (Role.SOCIAL_WORKER, Role.REFERRAL_OFFICER)


def answers_for_programmes(user) -> bool:
    """Referral officers answer the referrals their structure's programmes receive: their queue and their
    alerts are about referrals, not about accompaniments."""
    return _role(user) == Role.REFERRAL_OFFICER


def takes_attendance(user, programme) -> bool:
    """The attendance grid of a programme's sessions (issue 17): the referral officers of the structure that
    operates the programme, nobody else (not an admin, not another structure: it lists the participants)."""
    return _role(user) == Role.REFERRAL_OFFICER and bool(getattr(user, "structure_id", None)) \
        and user.structure_id == programme.structure_id


def sees_alerts(user) -> bool:
    """Social workers (their files) and referral officers (unanswered referrals) have alerts."""
    return _role(user) in (Role.SOCIAL_WORKER, Role.REFERRAL_OFFICER)


def sees_aggregates(user) -> bool:
    """Pilots see the department's aggregates (never a name)."""
    return _role(user) == Role.PILOT


def is_admin(user) -> bool:
    """Platform administrators manage accounts and reference data, not files."""
    return _role(user) == Role.ADMIN


def sees_all_departments(user) -> bool:
    """Admins work across departments (the catalogue shows and filters by department); others see their own."""
    return _role(user) == Role.ADMIN


def may_receive_digest(user) -> bool:
    """Everyone but administrators may receive the morning digest of their alerts (regional and national
    pilots not yet: their digest comes with their comparison pages)."""
    return _role(user) is not None and _role(user) not in (Role.ADMIN, Role.REGIONAL_PILOT, Role.NATIONAL_PILOT)


# ---------------------------------------------------------------- pilots above the department (issue 15)

def sees_scope(user) -> bool:
    """Regional and national pilots: aggregates only, for the departments of their region or of the whole
    country (SPEC §1); never a person file, never a department pilot's pages."""
    return _role(user) in (Role.REGIONAL_PILOT, Role.NATIONAL_PILOT)


def scope_departments_condition(user):
    """SQL condition on Department: the departments whose aggregates the user may see (a department pilot's
    own, a regional pilot's region's, every department for a national pilot; none for the other roles)."""
    role = _role(user)
    if role == Role.NATIONAL_PILOT:
        return true()
    if role == Role.REGIONAL_PILOT and getattr(user, "region_id", None):
        return Department.region_id == user.region_id
    if role == Role.PILOT and getattr(user, "department_id", None):
        return Department.id == user.department_id
    return false()


def compares_every_region(user) -> bool:
    """National pilots compare the departments of the whole country, or of any region they choose (issue 19)."""
    return _role(user) == Role.NATIONAL_PILOT


def compared_region(user):
    """The region a regional pilot compares (their own; None for every other role)."""
    return user.region if _role(user) == Role.REGIONAL_PILOT else None


def may_compare_region(user, region_code: str | None) -> bool:
    """A region's figures (None: the whole country): a national pilot any; a regional pilot their own only."""
    if _role(user) == Role.NATIONAL_PILOT:
        return True
    own = compared_region(user)
    return own is not None and region_code is not None and region_code == own.code
