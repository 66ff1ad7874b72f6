"""Corrections and cancellations of the accompaniment side, and the deletion of a file created by mistake (SPEC §4.8).

Only the structure that holds the accompaniment corrects it, always with a reason. The corrected
accompaniment is checked again as a whole (planned end, extensions in decision order, exit,
follow-up) together with the person's other accompaniments (never two open, never overlapping),
and every broken rule is reported at once (`CorrectionRefused.violations`). The audit keeps what
the record was and what it became (agir.audit.record_correction). Indicators are SQL over the
tables: they follow the corrected data by themselves.
"""
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from agir.alerts import forget_badge_counts
from agir.audit import record, record_correction
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_, LazyDate, lazy_join
from agir.i18n import lazy_gettext as _l
from agir.operations.accompaniments import verdict_for
from agir.operations.locks import index_named, lock_person, violates
from agir.operations.persons import check_version, not_after_today
from agir.rules.accompaniment import AccompanimentFacts, check_accompaniment, check_person_accompaniments
from agir.rules.corrections import check_changed, check_reason
from agir.rules.path import check_job
from models import (
    Accompaniment,
    Alert,
    AuditEntry,
    Exit,
    Extension,
    FollowUp,
    Participation,
    Person,
    Referral,
)
from models.base import utcnow
from models.enums import JOB_KINDS, TRAINING_LEVELS


class CorrectionRefused(RuleViolation):
    """One or more rules refuse a correction; `violations` holds them all (field = the form's field or None)."""

    def __init__(self, violations: list[RuleViolation]):
        first = violations[0]
        super().__init__(first.code, first.message, first.field)
        self.violations = violations


def _open_for_correction(actor, accompaniment: Accompaniment, version: int | None) -> None:
    """Every correction starts here: the person's row locked (a concurrent save waits, then this reads what it
    wrote), the version the form was read at checked, and only the holding structure let through."""
    lock_person(accompaniment.person)
    check_version(accompaniment, version)
    _check_holder(actor, accompaniment)


def _check_holder(actor, accompaniment: Accompaniment) -> None:
    if accompaniment.structure_id != getattr(actor, "structure_id", None):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement peut le corriger."), None)


def _reason(reason: str | None, cancelling: bool = False) -> list[RuleViolation]:
    """The reason's rule (agir.rules.corrections, shared with the path's corrections), as a list."""
    try:
        check_reason(reason, cancel=cancelling)
    except RuleViolation as exc:
        return [exc]
    return []


def _clean(reason: str) -> str:
    return check_reason(reason)


def _unchanged(before: dict, after: dict) -> list[RuleViolation]:
    try:
        check_changed(before, after)
    except RuleViolation as exc:
        return [exc]
    return []


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def facts_of(accompaniment: Accompaniment) -> AccompanimentFacts:
    """The accompaniment as plain values."""
    exit_ = accompaniment.exit
    return AccompanimentFacts(
        id=accompaniment.id, start=accompaniment.start_on, planned_end=accompaniment.planned_end_on,
        extensions=[(e.decided_on, e.planned_end_on, e.reason) for e in accompaniment.extensions],
        exit_on=exit_.exit_on if exit_ else None, exit_reason=exit_.reason if exit_ else None,
        followup_on=exit_.followup.followup_on if exit_ and exit_.followup else None)


def _check_whole(accompaniment: Accompaniment, facts: AccompanimentFacts, fields: dict,
                 found: list[RuleViolation]) -> None:
    """Check the corrected accompaniment and the person's accompaniments; raise every violation at once.

    `fields` maps the part of the accompaniment a rule concerns (agir.rules.accompaniment) to the
    field of the form being corrected; a rule about another part is shown above the form.
    """
    max_months = accompaniment.person.department.max_months
    others = [facts_of(a) for a in accompaniment.person.accompaniments if a.id != accompaniment.id]
    broken = check_accompaniment(facts, max_months) + check_person_accompaniments(others + [facts])
    found = list(found) + [RuleViolation(v.code, v.message, fields.get(v.field)) for v in broken]
    if found:
        raise CorrectionRefused(found)


def _touch(accompaniment: Accompaniment) -> None:
    """Bump the accompaniment's version: two corrections typed at once conflict."""
    accompaniment.updated_at = utcnow()


# ---- Enrolment --------------------------------------------------------------------------------

def correct_enrolment(actor, accompaniment: Accompaniment, start_on: date | None, planned_end_on: date | None,
                      reason: str, version: int | None = None, today: date | None = None) -> Accompaniment:
    """Correct the entry date and the planned end; the eligibility verdict is taken again at the new entry."""
    _open_for_correction(actor, accompaniment, version)
    today = today or paris_today()
    found = _reason(reason)
    if start_on is None:
        found.append(RuleViolation("required", _l("La date d'entrée est obligatoire."), "start"))
    if planned_end_on is None:
        found.append(RuleViolation("required", _l("La fin prévue est obligatoire."), "planned_end"))
    if start_on is None or planned_end_on is None:
        raise CorrectionRefused(found)
    try:
        not_after_today(start_on, "start", _l("La date d'entrée"), today)
    except RuleViolation as exc:
        found.append(exc)
    person = accompaniment.person
    verdict = verdict_for(person, accompaniment.structure, start_on)
    if not verdict.eligible:
        found.append(RuleViolation(verdict.reasons[0].code, " ".join(str(r.message) for r in verdict.reasons), "start"))
    before = {"start_on": _iso(accompaniment.start_on), "planned_end_on": _iso(accompaniment.planned_end_on)}
    after = {"start_on": _iso(start_on), "planned_end_on": _iso(planned_end_on)}
    found += _unchanged(before, after)
    facts = facts_of(accompaniment)
    facts.start, facts.planned_end = start_on, planned_end_on
    _check_whole(accompaniment, facts, {
        "start": "start", "planned_end": "planned_end", "extensions.date": "start",
        "extensions.planned_end": "planned_end", "exit.date": "start", "exit.reason": "start",
        "accompaniments": "start"}, found)
    accompaniment.start_on, accompaniment.planned_end_on = start_on, planned_end_on
    accompaniment.current_end_on = facts.current_end
    accompaniment.is_eligible, accompaniment.is_priority = True, verdict.priority
    accompaniment.eligibility_reasons = verdict.codes
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, person, "enrolment", before, after, _clean(reason))
    return accompaniment


def enrolment_dependents(accompaniment: Accompaniment) -> list[str]:
    """What depends on an enrolment (French, for the refusal): extensions, exit, linked records."""
    found = []
    if accompaniment.extensions:
        found.append(N_("une prolongation"))
    if accompaniment.exit is not None:
        found.append(N_("une sortie"))
    # Any other record pointing at the accompaniment (action plan, contract, appointment…).
    for table in db.metadata.sorted_tables:
        if table.name in ("extensions", "exits"):
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "accompaniments":
                n = db.session.scalar(select(func.count()).select_from(table)
                                      .where(fk.parent == accompaniment.id))
                if n:
                    found.append(N_("des enregistrements liés"))
    return list(dict.fromkeys(found))


def cancel_enrolment(actor, accompaniment: Accompaniment, reason: str, version: int | None = None) -> Person:
    """Cancel an enrolment recorded by mistake, only while nothing depends on it (no extension, exit, link)."""
    _open_for_correction(actor, accompaniment, version)
    found = _reason(reason, cancelling=True)
    dependents = enrolment_dependents(accompaniment)
    if dependents:
        found.append(RuleViolation(
            "enrolment_has_dependents",
            _l("Cette inscription ne peut pas être annulée : elle porte %(value)s. Annulez-les d'abord, ou "
               "corrigez l'inscription.", value=lazy_join(dependents)), None))
    if found:
        raise CorrectionRefused(found)
    person = accompaniment.person
    before = {"start_on": _iso(accompaniment.start_on), "planned_end_on": _iso(accompaniment.planned_end_on),
              "kind": accompaniment.kind}
    if person.structure_id is None:
        # A file nobody opened (imported) stays with the structure that held the cancelled enrolment.
        person.structure_id = accompaniment.structure_id
    # Alerts about an accompaniment that never was go with it.
    db.session.execute(delete(Alert).where(Alert.person_id == person.id,
                                           Alert.subject_key == f"accompaniment:{accompaniment.id}"))
    forget_badge_counts(db.session)
    db.session.delete(accompaniment)
    db.session.flush()
    db.session.expire(person, ["accompaniments"])
    record_correction(actor, person, "enrolment", before, None, _clean(reason))
    return person


# ---- Extension --------------------------------------------------------------------------------

def _extension_facts(accompaniment: Accompaniment, extension: Extension, replacement) -> AccompanimentFacts:
    facts = facts_of(accompaniment)
    facts.extensions = [replacement if e is extension else (e.decided_on, e.planned_end_on, e.reason)
                        for e in accompaniment.extensions]
    facts.extensions = [e for e in facts.extensions if e is not None]
    return facts


def _extension_values(extension: Extension) -> dict:
    return {"decided_on": _iso(extension.decided_on), "planned_end_on": _iso(extension.planned_end_on),
            "reason": extension.reason}


def correct_extension(actor, extension: Extension, decided_on: date | None, planned_end_on: date | None,
                      extension_reason: str | None, reason: str, version: int | None = None,
                      today: date | None = None) -> Extension:
    """Correct an extension's decision date, new planned end or motive."""
    accompaniment = extension.accompaniment
    _open_for_correction(actor, accompaniment, version)
    found = _reason(reason)
    if decided_on is None:
        found.append(RuleViolation("required", _l("La date de décision est obligatoire."), "date"))
    if planned_end_on is None:
        found.append(RuleViolation("required", _l("La nouvelle fin prévue est obligatoire."), "planned_end"))
    if decided_on is None or planned_end_on is None:
        raise CorrectionRefused(found)
    try:
        not_after_today(decided_on, "date", _l("La date de décision"), today or paris_today())
    except RuleViolation as exc:
        found.append(exc)
    motive = (extension_reason or "").strip()
    before = _extension_values(extension)
    found += _unchanged(before, {"decided_on": _iso(decided_on), "planned_end_on": _iso(planned_end_on),
                                 "reason": motive})
    facts = _extension_facts(accompaniment, extension, (decided_on, planned_end_on, motive))
    _check_whole(accompaniment, facts, {"extensions.date": "date", "extensions.planned_end": "planned_end",
                                        "extensions.reason": "reason", "exit.date": "date"}, found)
    extension.decided_on, extension.planned_end_on, extension.reason = decided_on, planned_end_on, motive
    accompaniment.current_end_on = facts.current_end
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, accompaniment.person, "extension", before, _extension_values(extension),
                      _clean(reason))
    return extension


def cancel_extension(actor, extension: Extension, reason: str, version: int | None = None) -> Accompaniment:
    """Cancel an extension: the planned end goes back to the one before it."""
    accompaniment = extension.accompaniment
    _open_for_correction(actor, accompaniment, version)
    found = _reason(reason, cancelling=True)
    facts = _extension_facts(accompaniment, extension, None)
    _check_whole(accompaniment, facts, {}, found)
    before = _extension_values(extension)
    accompaniment.extensions.remove(extension)
    db.session.delete(extension)
    accompaniment.current_end_on = facts.current_end
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, accompaniment.person, "extension", before, None, _clean(reason))
    return accompaniment


# ---- Exit -------------------------------------------------------------------------------------

def _exit_values(exit_: Exit) -> dict:
    return {"exit_on": _iso(exit_.exit_on), "reason": exit_.reason, "job_kind": exit_.job_kind,
            "job_months": exit_.job_months, "training_level": exit_.training_level}


def _situation(job_kind, job_months, training_level) -> list[RuleViolation]:
    found = []
    if job_kind and job_kind not in JOB_KINDS:
        found.append(RuleViolation("enum", _l("Type de contrat inconnu."), "job_kind"))
    elif job_kind:
        try:
            check_job(job_kind, job_months)
        except RuleViolation as exc:
            found.append(RuleViolation(exc.code, exc.message, "months"))
    elif job_months is not None:
        found.append(RuleViolation("months_without_job", _l("Indiquez le type de contrat avant sa durée."), "job_kind"))
    if training_level and training_level not in TRAINING_LEVELS:
        found.append(RuleViolation("enum", _l("Niveau de formation inconnu."), "training_level"))
    return found


def correct_exit(actor, accompaniment: Accompaniment, exit_on: date | None, exit_reason: str | None,
                 job_kind: str | None, job_months: int | None, training_level: str | None, reason: str,
                 version: int | None = None, today: date | None = None) -> Exit:
    """Correct the exit: date, reason, situation at exit (the whole file checked again)."""
    _open_for_correction(actor, accompaniment, version)
    exit_ = accompaniment.exit
    if exit_ is None:
        raise RuleViolation("not_exited", _l("Cet accompagnement n'a pas de sortie à corriger."), None)
    found = _reason(reason)
    job_kind, training_level = job_kind or None, training_level or None
    found += _situation(job_kind, job_months, training_level)
    if exit_on is None:
        found.append(RuleViolation("required", _l("La date de sortie est obligatoire."), "date"))
        raise CorrectionRefused(found)
    try:
        not_after_today(exit_on, "date", _l("La date de sortie"), today or paris_today())
    except RuleViolation as exc:
        found.append(exc)
    before = _exit_values(exit_)
    found += _unchanged(before, {"exit_on": _iso(exit_on), "reason": exit_reason, "job_kind": job_kind,
                                 "job_months": job_months if job_kind else None, "training_level": training_level})
    facts = facts_of(accompaniment)
    facts.exit_on, facts.exit_reason = exit_on, exit_reason
    _check_whole(accompaniment, facts, {"exit.date": "date", "exit.reason": "reason", "extensions.date": "date",
                                        "followup.date": "date", "accompaniments": "date"}, found)
    exit_.exit_on, exit_.reason = exit_on, exit_reason
    exit_.job_kind, exit_.job_months, exit_.training_level = (job_kind, job_months if job_kind else None,
                                                              training_level)
    accompaniment.exit_on = exit_on
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, accompaniment.person, "exit", before, _exit_values(exit_), _clean(reason))
    return exit_


def cancel_exit(actor, accompaniment: Accompaniment, reason: str, version: int | None = None) -> Accompaniment:
    """Cancel an exit recorded by mistake: the accompaniment is open again (never two open at once)."""
    _open_for_correction(actor, accompaniment, version)
    exit_ = accompaniment.exit
    if exit_ is None:
        raise RuleViolation("not_exited", _l("Cet accompagnement n'a pas de sortie à annuler."), None)
    found = _reason(reason, cancelling=True)
    if exit_.followup is not None:
        found.append(RuleViolation(
            "exit_has_followup", _l("Un suivi à 6 mois est enregistré pour cette sortie (le %(day)s) : "
                                    "annulez-le d'abord.", day=LazyDate(exit_.followup.followup_on)), None))
    facts = facts_of(accompaniment)
    facts.exit_on = facts.exit_reason = facts.followup_on = None
    _check_whole(accompaniment, facts, {}, found)
    before = _exit_values(exit_)
    accompaniment.exit = None
    accompaniment.exit_on = None
    _touch(accompaniment)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if not violates(exc, index_named(Accompaniment, "uq_accompaniments_open_person_id")):
            raise
        # The database's own guarantee: another accompaniment opened meanwhile.
        raise RuleViolation("two_open", _l("La personne a déjà un accompagnement en cours : la sortie ne peut "
                                           "pas être annulée."), None) from None
    record_correction(actor, accompaniment.person, "exit", before, None, _clean(reason))
    return accompaniment


# ---- 6-month follow-up ------------------------------------------------------------------------

def _followup_values(followup: FollowUp) -> dict:
    return {"followup_on": _iso(followup.followup_on), "is_positive": followup.is_positive}


def correct_followup(actor, accompaniment: Accompaniment, followup_on: date | None, is_positive: bool | None,
                     reason: str, version: int | None = None, today: date | None = None) -> FollowUp:
    """Correct the 6-month follow-up's date or situation."""
    _open_for_correction(actor, accompaniment, version)
    followup = accompaniment.exit.followup if accompaniment.exit else None
    if followup is None:
        raise RuleViolation("no_followup", _l("Aucun suivi à 6 mois n'est enregistré pour cet accompagnement."), None)
    found = _reason(reason)
    if followup_on is None:
        found.append(RuleViolation("required", _l("La date du suivi est obligatoire."), "date"))
    if is_positive is None:
        found.append(RuleViolation("required", _l("Indiquez si la situation est positive."), "positive"))
    if found and (followup_on is None or is_positive is None):
        raise CorrectionRefused(found)
    try:
        not_after_today(followup_on, "date", _l("La date du suivi"), today or paris_today())
    except RuleViolation as exc:
        found.append(exc)
    before = _followup_values(followup)
    found += _unchanged(before, {"followup_on": _iso(followup_on), "is_positive": bool(is_positive)})
    facts = facts_of(accompaniment)
    facts.followup_on = followup_on
    _check_whole(accompaniment, facts, {"followup.date": "date"}, found)
    followup.followup_on, followup.is_positive = followup_on, bool(is_positive)
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, accompaniment.person, "followup", before, _followup_values(followup), _clean(reason))
    return followup


def cancel_followup(actor, accompaniment: Accompaniment, reason: str, version: int | None = None) -> Accompaniment:
    """Cancel a follow-up recorded by mistake: it is due again."""
    _open_for_correction(actor, accompaniment, version)
    followup = accompaniment.exit.followup if accompaniment.exit else None
    if followup is None:
        raise RuleViolation("no_followup", _l("Aucun suivi à 6 mois n'est enregistré pour cet accompagnement."), None)
    found = _reason(reason, cancelling=True)
    if found:
        raise CorrectionRefused(found)
    before = _followup_values(followup)
    accompaniment.exit.followup = None
    _touch(accompaniment)
    db.session.flush()
    record_correction(actor, accompaniment.person, "followup", before, None, _clean(reason))
    return accompaniment


# ---- A file created by mistake ----------------------------------------------------------------

def file_dependents(person: Person) -> list[str]:
    """What keeps a file from being deleted (French): accompaniments, referrals, participations."""
    found = []
    for model, words in ((Accompaniment, N_("un accompagnement")), (Referral, N_("une orientation")),
                         (Participation, N_("une participation à un programme"))):
        if db.session.scalar(select(func.count()).select_from(model).where(model.person_id == person.id)):
            found.append(words)
    return found


def can_delete_person(actor, person: Person) -> bool:
    """A social worker of the structure that opened the file (which then holds it: no accompaniment)."""
    return (getattr(actor, "role", None) == "social_worker" and person.structure_id is not None
            and person.structure_id == getattr(actor, "structure_id", None))


def delete_person(actor, person: Person, reason: str, version: int | None = None) -> str:
    """Delete a file created by mistake, with a reason; only while it holds no accompaniment, referral or
    participation (otherwise the file is merged with the right one). Returns the file's reference.

    The audit entry outlives the file: its person_id is emptied by the database (SET NULL), so it
    names the file by its reference and keeps the reason; never a name.
    """
    lock_person(person)
    check_version(person, version)
    if not can_delete_person(actor, person):
        raise RuleViolation("not_holder", _l("Seule la structure qui a ouvert ce dossier peut le supprimer."), None)
    found = _reason(reason, cancelling=True)
    for v in found:
        if v.code == "reason_required":
            v.message = _l("Indiquez le motif de la suppression.")
    dependents = file_dependents(person)
    if dependents:
        found.append(RuleViolation(
            "file_has_records",
            _l("Ce dossier ne peut pas être supprimé : il contient %(value)s. S'il fait doublon avec un autre "
               "dossier, fusionnez les deux dossiers au lieu de le supprimer.", value=lazy_join(dependents)), None))
    if found:
        raise CorrectionRefused(found)
    ref, person_id = person.ref, person.id
    household = person.household
    entry = record(actor, "delete_person", person=None, fields=["person"], detail=ref)
    entry.reason = _clean(reason)
    entry.changes = {"record": "person", "before": {"ref": ref, "pseudonym": person.pseudonym}, "after": None}
    db.session.delete(person)  # its path goes with it (the relationships' cascade)
    db.session.flush()
    # What the database does by itself on PostgreSQL (ON DELETE SET NULL / CASCADE), done here for
    # SQLite, which does not enforce foreign keys: the file's audit entries stay, nameless, and
    # nothing else keeps pointing at a person id that a new file could get again.
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "persons" and table.name != "persons":
                if table.name == AuditEntry.__tablename__:
                    db.session.execute(update(table).where(fk.parent == person_id).values({fk.parent.name: None}))
                else:
                    db.session.execute(delete(table).where(fk.parent == person_id))
    if household is not None and not db.session.scalar(
            select(func.count()).select_from(Person).where(Person.household_id == household.id)):
        db.session.delete(household)  # an empty household counts for nothing
        db.session.flush()
    return ref
