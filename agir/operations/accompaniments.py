"""Enrolment, extension, exit and 6-month follow-up of an accompaniment (SPEC §4.1, §4.2).

The rules live in agir.rules (eligibility, durations); these functions apply them, keep the
denormalised columns (current_end_on, exit_on) in step, and audit the fields touched.
"""
from datetime import date

from sqlalchemy.exc import IntegrityError

from agir.audit import record
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.operations.locks import index_named, lock_person, violates
from agir.operations.persons import check_version
from agir.rules import durations
from agir.rules.accompaniment import followup_due_on
from agir.rules.eligibility import Verdict, check_eligibility
from agir.rules.path import check_job
from agir.rules.person import not_after_today
from models import Accompaniment, Exit, Extension, FollowUp, Person
from models.base import utcnow
from models.enums import JOB_KINDS, TRAINING_LEVELS

OPEN_INDEX = index_named(Accompaniment, "uq_accompaniments_open_person_id")
USUAL_MONTHS = 12


def verdict_for(person: Person, structure, on: date) -> Verdict:
    """The eligibility verdict of enrolling the person with the structure on a date (department's AGIR start)."""
    return check_eligibility(
        status=person.status, protection_on=person.protection_on, on=on, structure_kind=structure.kind,
        agir_start=person.department.agir_start_on, prior_programme=person.prior_programme,
    )


def proposed_planned_end(start: date, max_months: int) -> date:
    """The department's usual length (12 months), held within 6..max_months."""
    return durations.default_planned_end(start, USUAL_MONTHS, max_months)


def _check_holder(actor, accompaniment: Accompaniment) -> None:
    if accompaniment.structure_id != getattr(actor, "structure_id", None):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement peut le modifier."), None)


def enrol_person(actor, person: Person, start_on: date, planned_end_on: date | None = None,
                 structure=None, today: date | None = None) -> Accompaniment:
    """Open an AGIR accompaniment or a structuring project held by the actor's structure; the verdict is kept."""
    today = today or paris_today()
    structure = structure or getattr(actor, "structure", None)
    if start_on is None:
        raise RuleViolation("required", _l("La date d'entrée est obligatoire."), "start")
    not_after_today(start_on, "start", _l("La date d'entrée"), today)
    if structure is None:
        raise RuleViolation("no_structure", _l("Votre compte n'est rattaché à aucune structure."), "start")
    verdict = verdict_for(person, structure, start_on)
    if not verdict.eligible:
        raise RuleViolation(verdict.reasons[0].code, " ".join(str(r.message) for r in verdict.reasons), "start")
    max_months = person.department.max_months
    planned_end_on = planned_end_on or proposed_planned_end(start_on, max_months)
    durations.check_planned_end(start_on, planned_end_on, max_months, field="planned_end")
    lock_person(person)  # a second enrolment sent at the same instant waits here, then sees this one
    periods = [(a.start_on, a.exit_on) for a in person.accompaniments] + [(start_on, None)]
    durations.check_no_overlap(periods)
    accompaniment = Accompaniment(
        person=person, structure=structure, kind=verdict.kind, start_on=start_on,
        planned_end_on=planned_end_on, current_end_on=planned_end_on, exit_on=None,
        is_eligible=True, is_priority=verdict.priority,
        eligibility_reasons=verdict.codes,
    )
    db.session.add(accompaniment)
    try:
        db.session.flush()
    except IntegrityError as exc:
        if not violates(exc, OPEN_INDEX):
            raise
        # The database's own guarantee (another open accompaniment): the rule's message, never a 500.
        durations.check_no_overlap([(start_on, None), (start_on, None)])
        raise
    record(actor, "enrol_person", person=person, fields=["kind", "start", "planned_end"])
    return accompaniment


def extend_accompaniment(actor, accompaniment: Accompaniment, decided_on: date, planned_end_on: date,
                         reason: str, version: int | None = None, today: date | None = None) -> Extension:
    """Move the planned end later (never beyond start + max_months), with a reason."""
    lock_person(accompaniment.person)  # then the version and the exit checked are the latest ones
    check_version(accompaniment, version)
    _check_holder(actor, accompaniment)
    if accompaniment.exit_on is not None:
        raise RuleViolation("closed", _l("Cet accompagnement est terminé : il ne peut plus être prolongé."), "date")
    if decided_on is None or planned_end_on is None:
        raise RuleViolation("required", _l("La date de décision et la nouvelle fin prévue sont obligatoires."),
                            "date" if decided_on is None else "planned_end")
    not_after_today(decided_on, "date", _l("La date de décision"), today or paris_today())
    durations.check_extension(
        start=accompaniment.start_on, current_end=accompaniment.current_end_on, decided_on=decided_on,
        new_end=planned_end_on, max_months=accompaniment.person.department.max_months, reason=reason,
        exit_on=accompaniment.exit_on,
    )
    extension = Extension(decided_on=decided_on, planned_end_on=planned_end_on, reason=reason.strip())
    accompaniment.extensions.append(extension)
    accompaniment.current_end_on = planned_end_on
    db.session.flush()
    record(actor, "extend_accompaniment", person=accompaniment.person_id, fields=["date", "planned_end", "reason"])
    return extension


def _check_situation(job_kind: str | None, job_months: int | None, training_level: str | None) -> None:
    if job_kind and job_kind not in JOB_KINDS:
        raise RuleViolation("enum", _l("Type de contrat inconnu."), "job_kind")
    if training_level and training_level not in TRAINING_LEVELS:
        raise RuleViolation("enum", _l("Niveau de formation inconnu."), "training_level")
    if job_kind:
        check_job(job_kind, job_months)
    elif job_months is not None:
        raise RuleViolation("months_without_job", _l("Indiquez le type de contrat avant sa durée."), "job_kind")


def record_exit(actor, accompaniment: Accompaniment, exit_on: date, reason: str, job_kind: str | None = None,
                job_months: int | None = None, training_level: str | None = None,
                version: int | None = None, today: date | None = None) -> Exit:
    """End the accompaniment: date, reason (early-exit reasons before 6 months), situation at exit."""
    lock_person(accompaniment.person)  # the other accompaniments checked for overlap are the latest ones
    check_version(accompaniment, version)
    _check_holder(actor, accompaniment)
    if accompaniment.exit is not None:
        raise RuleViolation("closed", _l("La sortie de cet accompagnement est déjà enregistrée."), "date")
    if exit_on is None:
        raise RuleViolation("required", _l("La date de sortie est obligatoire."), "date")
    not_after_today(exit_on, "date", _l("La date de sortie"), today or paris_today())
    durations.check_exit(accompaniment.start_on, exit_on, reason)
    last_decision = max((e.decided_on for e in accompaniment.extensions), default=None)
    if last_decision and exit_on < last_decision:
        raise RuleViolation("exit_before_extension",
                            _l("La sortie ne peut précéder la dernière prolongation (%(day)s).",
                               day=LazyDate(last_decision)), "date")
    job_kind, training_level = job_kind or None, training_level or None
    _check_situation(job_kind, job_months, training_level)
    periods = [(a.start_on, a.exit_on) for a in accompaniment.person.accompaniments if a.id != accompaniment.id]
    durations.check_no_overlap(periods + [(accompaniment.start_on, exit_on)])
    accompaniment.exit = Exit(exit_on=exit_on, reason=reason, job_kind=job_kind,
                              job_months=job_months if job_kind else None, training_level=training_level)
    accompaniment.exit_on = exit_on
    db.session.flush()
    fields = ["date", "reason"] + [n for n, v in (("job_kind", job_kind), ("months", job_months),
                                                  ("training_level", training_level)) if v is not None]
    record(actor, "record_exit", person=accompaniment.person_id, fields=fields)
    return accompaniment.exit


def record_followup(actor, accompaniment: Accompaniment, followup_on: date, is_positive: bool,
                    version: int | None = None, today: date | None = None) -> FollowUp:
    """Record (or correct) the 6-month follow-up: from exit + 6 months, never in the future."""
    check_version(accompaniment, version)
    _check_holder(actor, accompaniment)
    exit_ = accompaniment.exit
    if exit_ is None:
        raise RuleViolation("not_exited", _l("Le suivi à 6 mois suit une sortie : enregistrez d'abord la sortie."),
                            "date")
    if followup_on is None:
        raise RuleViolation("required", _l("La date du suivi est obligatoire."), "date")
    if is_positive is None:
        raise RuleViolation("required", _l("Indiquez si la situation est positive."), "positive")
    durations.check_followup(exit_.exit_on, followup_on)
    due = followup_due_on(exit_.exit_on)
    if followup_on < due:
        raise RuleViolation("followup_too_soon",
                            _l("Le suivi à 6 mois se fait au plus tôt le %(day)s (6 mois après la sortie).",
                               day=LazyDate(due)),
                            "date")
    not_after_today(followup_on, "date", _l("La date du suivi"), today or paris_today())
    if exit_.followup is None:
        exit_.followup = FollowUp(followup_on=followup_on, is_positive=bool(is_positive))
        action = "record_followup"
    else:
        exit_.followup.followup_on, exit_.followup.is_positive = followup_on, bool(is_positive)
        action = "update_followup"
    accompaniment.updated_at = utcnow()  # bumps the version: two follow-ups typed at once conflict
    db.session.flush()
    record(actor, action, person=accompaniment.person_id, fields=["date", "positive"])
    return exit_.followup
