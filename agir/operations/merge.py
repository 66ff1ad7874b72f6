"""Merging two files of one person held by one structure (SPEC §4.8): every record kept, the rules checked.

`merge_persons(actor, keep, gone)` moves every record of `gone` into `keep` (accompaniments with their
extensions, exits and follow-ups, rights, housing steps and accesses, jobs, trainings, referrals,
participations, events, notes, and any other table that points at a person), fills the identity
fields `keep` leaves empty from `gone`, checks SPEC §4 on the merged file, writes the audit on both
files and deletes `gone`. It flushes and never commits: the caller's transaction makes it all or nothing.
"""
from datetime import date

from sqlalchemy import delete, func, select, update

from agir import access, dates
from agir.alerts import forget_badge_counts
from agir.audit import record
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.operations.persons import PERSON_FIELDS, check_person
from agir.rules.durations import check_no_overlap
from models import Alert, AuditEntry, Person
from models.enums import OPEN_REFERRAL_STATES

# A right's line kept when both files hold one for the same kind: the furthest state (docs/rules.md).
RIGHT_RANK = {"obtained": 4, "refused": 3, "requested": 2, "todo": 1, "not_applicable": 0}
# Identity fields filled from the merged-away file when the surviving file leaves them empty.
FILLABLE = ("protection_on", "first_permit_on", "arrival_on", "cir_on", "permit_expiry_on", "hosting",
            "language_level", "prior_programme", "phone", "email",
            # Contract v2: the interpreter language and the orientation (its three columns go together: a
            # file has all three or none).
            "interpreter", "oriented_on", "orientation_source", "orientation_structure_id")


class MergeRefused(RuleViolation):
    """Every reason the two files cannot be merged (all given at once)."""

    def __init__(self, violations: list[RuleViolation]):
        super().__init__("merge_refused", " ".join(str(v.message) for v in violations), None)
        self.violations = violations


def merge_violations(actor, keep: Person, gone: Person) -> list[RuleViolation]:
    """What forbids the merge, in French; empty when it may be done."""
    found = []
    if keep.id == gone.id:
        return [RuleViolation("same_file", _l("Choisissez deux dossiers différents."), None)]
    for person in (keep, gone):
        if access.view_level(actor, person.id, db.session) != access.FULL or not access.can_edit_file(actor):
            found.append(RuleViolation("not_held", _l("Le dossier %(ref)s n'est pas suivi par votre structure : "
                                                      "seuls deux dossiers de votre structure peuvent être "
                                                      "fusionnés.", ref=person.ref),
                                       None))
    if keep.department_id != gone.department_id:
        found.append(RuleViolation("other_department", _l("Les deux dossiers ne sont pas du même département."), None))
    open_accs = [a for a in list(keep.accompaniments) + list(gone.accompaniments) if a.exit_on is None]
    if len(open_accs) > 1:
        found.append(RuleViolation(
            "two_open", _l("Les deux dossiers ont chacun un accompagnement en cours : enregistrez d'abord la "
                           "sortie de l'un d'eux (ou annulez l'inscription faite par erreur), puis fusionnez."), None))
    else:
        try:
            check_no_overlap([(a.start_on, a.exit_on) for a in list(keep.accompaniments) + list(gone.accompaniments)])
        except RuleViolation:
            found.append(RuleViolation(
                "overlap", _l("Les accompagnements des deux dossiers se chevauchent : corrigez leurs dates "
                              "avant de fusionner (une personne n'a qu'un accompagnement à la fois)."), None))
    open_referrals = {}
    for referral in list(keep.referrals) + list(gone.referrals):
        if referral.state in OPEN_REFERRAL_STATES:
            if referral.programme_id in open_referrals:
                found.append(RuleViolation(
                    "referral_open", _l("Les deux dossiers ont chacun une orientation en cours vers « %(name)s "
                                        "» : clôturez ou annulez l'une d'elles d'abord.",
                                            name=referral.programme.name), None))
            open_referrals[referral.programme_id] = referral
    try:
        check_person(merged_identity(keep, gone), dates.today())
    except RuleViolation as exc:
        found.append(RuleViolation(exc.code, _l("L'identité fusionnée est refusée : %(message)s",
                                                message=exc.message), None))
    return found


def merged_identity(keep: Person, gone: Person) -> dict:
    """The identity of the merged file: the surviving file's, its empty fields filled from the other."""
    values = {name: getattr(keep, name) for name in PERSON_FIELDS}
    for name in FILLABLE:
        if values.get(name) in (None, "") and getattr(gone, name) not in (None, ""):
            values[name] = getattr(gone, name)
    return values


def _merge_rights(keep: Person, gone: Person) -> list[str]:
    """One line per kind: the furthest state wins (the surviving file's on a tie); the kinds whose line of
    the merged-away file was dropped."""
    mine = {r.kind: r for r in keep.rights}
    dropped = []
    for right in list(gone.rights):
        other = mine.get(right.kind)
        if other is None:
            continue
        if RIGHT_RANK.get(right.state, 0) > RIGHT_RANK.get(other.state, 0):
            db.session.delete(other)  # the merged-away file's line is further along: it is kept
        else:
            db.session.delete(right)
        dropped.append(right.kind)
    db.session.flush()
    return dropped


def _merge_languages(keep: Person, gone: Person) -> None:
    """One line per language (unique per person): the surviving file's level is kept for a language on both."""
    mine = {language.code for language in keep.languages}
    for language in list(gone.languages):
        if language.code in mine:
            db.session.delete(language)
    db.session.flush()


def merge_persons(actor, keep: Person, gone: Person, today: date | None = None) -> Person:
    """Merge `gone` into `keep` (both files of the actor's structure); returns `keep`. Refused with every
    reason at once (MergeRefused) when SPEC §4 would not hold on the merged file."""
    found = merge_violations(actor, keep, gone)
    if found:
        raise MergeRefused(found)
    keep_id, gone_id, gone_ref, gone_household = keep.id, gone.id, gone.ref, gone.household_id
    filled = [name for name in FILLABLE if getattr(keep, name) in (None, "") and getattr(gone, name) not in (None, "")]
    for name in filled:
        setattr(keep, name, getattr(gone, name))
    dropped = _merge_rights(keep, gone)
    _merge_languages(keep, gone)
    household = _merge_household(keep, gone)
    # Every other record follows the person: each table pointing at persons (a table added later too).
    db.session.flush()
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "persons" or table.name == "persons":
                continue
            if table.name == AuditEntry.__tablename__:
                continue  # the history of each file stays as it was written (append-only)
            if table.name == Alert.__tablename__:
                db.session.execute(delete(table).where(fk.parent == gone_id))  # computed again each night
                forget_badge_counts(db.session)
                continue
            db.session.execute(update(table).where(fk.parent == gone_id).values({fk.parent.name: keep_id}))
    detail = f"dossier {gone_ref} fusionné dans {keep.ref}"
    record(actor, "merge_person", person=gone_id, fields=["person"], detail=detail)
    entry = record(actor, "merge_person", person=keep_id,
                   fields=["person"] + filled + [f"{kind}.state" for kind in dropped]
                   + (["household"] if household else []), detail=detail)
    entry.changes = {"record": "person", "before": {"merged": gone_ref, "rights_dropped": dropped,
                                                    "filled": filled}, "after": {"ref": keep.ref}}
    db.session.flush()
    db.session.expire_all()  # the records moved by the statements above are read again from the database
    db.session.expunge(gone)
    db.session.execute(delete(Person.__table__).where(Person.__table__.c.id == gone_id))
    # The history of the merged-away file stays, nameless (as the database does on PostgreSQL: SET NULL);
    # the surviving file's history says which file was merged into it.
    db.session.execute(update(AuditEntry.__table__).where(AuditEntry.__table__.c.person_id == gone_id)
                       .values(person_id=None))
    _drop_empty_household(gone_household)
    db.session.flush()
    return db.session.get(Person, keep_id)


def _merge_household(keep: Person, gone: Person) -> bool:
    """The merged file stays in its household, unless it lives alone there and the other file's household has
    other members: then it joins them (the family recorded on the other file is kept). True when it moved."""
    if gone.household_id is None or gone.household_id == keep.household_id:
        return False

    def members(household_id):
        return db.session.scalar(select(func.count()).select_from(Person).where(Person.household_id == household_id))

    if keep.household_id is None or (members(keep.household_id) == 1 and members(gone.household_id) > 1):
        previous = keep.household_id
        keep.household_id = gone.household_id
        db.session.flush()
        _drop_empty_household(previous)
        return True
    return False


def _drop_empty_household(household_id: int | None) -> None:
    from models import Household
    if household_id is None:
        return
    if not db.session.scalar(select(func.count()).select_from(Person).where(Person.household_id == household_id)):
        db.session.execute(delete(Household.__table__).where(Household.__table__.c.id == household_id))

