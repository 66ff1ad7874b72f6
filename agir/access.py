"""Who may see what: the one place where access to persons is decided (SPEC §1).

Every query of persons goes through `persons_visible_to` (full file) or `persons_referred_to`
(referral officer's limited view). Views turn "not visible" into a 404.
"""
from sqlalchemy import Select, exists, false, or_, select

from models import Accompaniment, Participation, Person, Programme, Referral

FULL, LIMITED = "full", "limited"


def _held_by(structure_id: int):
    """Persons opened by, or with an accompaniment (now or before) held by, the structure."""
    held = exists().where(Accompaniment.person_id == Person.id, Accompaniment.structure_id == structure_id)
    return or_(Person.structure_id == structure_id, held)


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
    if user is None or not user.is_authenticated or user.role != "social_worker" or not user.structure_id:
        return false()
    return _held_by(user.structure_id)


def limited_view_condition(user):
    """SQL condition on Person for the limited view (referral officers, and social workers who referred)."""
    if user is None or not user.is_authenticated or not user.structure_id:
        return false()
    if user.role == "referral_officer":
        return _referred_with(user.structure_id)
    if user.role == "social_worker":
        return _held_by(user.structure_id)
    return false()


def persons_visible_to(user) -> Select:
    """select(Person) restricted to the files the user may open in full."""
    return select(Person).where(full_file_condition(user), Person.anonymised_at.is_(None))


def persons_referred_to(user) -> Select:
    """select(Person) restricted to the persons the user sees in the limited view."""
    return select(Person).where(limited_view_condition(user), Person.anonymised_at.is_(None))


def view_level(user, person_id: int, session) -> str | None:
    """FULL, LIMITED or None (= 404) for a person id."""
    if session.scalar(select(Person.id).where(Person.id == person_id, full_file_condition(user),
                                              Person.anonymised_at.is_(None))):
        return FULL
    if session.scalar(select(Person.id).where(Person.id == person_id, limited_view_condition(user),
                                              Person.anonymised_at.is_(None))):
        return LIMITED
    return None


def can_edit_file(user) -> bool:
    """Only social workers write to the full file."""
    return getattr(user, "role", None) == "social_worker"


def can_edit_catalogue(user) -> bool:
    """Referral officers and admins edit the programme catalogue."""
    return getattr(user, "role", None) in ("referral_officer", "admin")


def can_refer(user) -> bool:
    """Social workers and referral officers send referrals."""
    return getattr(user, "role", None) in ("social_worker", "referral_officer")


def sees_aggregates(user) -> bool:
    """Pilots see the department's aggregates (never a name)."""
    return getattr(user, "role", None) == "pilot"


def is_admin(user) -> bool:
    """Platform administrators manage accounts and reference data, not files."""
    return getattr(user, "role", None) == "admin"
