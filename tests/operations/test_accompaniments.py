"""Enrolment, extension, exit and follow-up: the rules of SPEC §4.1–4.2 applied, verdict kept,
denormalised columns maintained, refusals in French with nothing written."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import accompaniments as ops
from models import Accompaniment, AuditEntry, Exit, Extension, FollowUp
from tests import factories

TODAY = date(2024, 6, 15)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def person(world):
    """A refugee protected on 2024-01-10 (priority until 2025-01-10, AGIR until 2026-01-09)."""
    return factories.make_person(world.department, world.agir, protection_on=date(2024, 1, 10))


def enrol(world, person, start=date(2024, 2, 1), planned_end=None, actor=None):
    return ops.enrol_person(actor or world.users.social_worker, person, start, planned_end, today=TODAY)


def test_enrolment_opens_an_agir_accompaniment_held_by_the_actors_structure(world, person):
    acc = enrol(world, person)
    assert acc.structure_id == world.agir.id and acc.kind == "agir"
    assert acc.is_eligible is True and acc.is_priority is True and acc.eligibility_reasons == []
    # Proposed at the usual 12 months; the denormalised columns follow.
    assert acc.planned_end_on == acc.current_end_on == date(2025, 2, 1) and acc.exit_on is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "enrol_person")).one()
    assert entry.person_id == person.id and set(entry.fields) == {"kind", "start", "planned_end"}


def test_proposed_planned_end_is_held_within_the_departments_maximum(world):
    assert ops.proposed_planned_end(date(2024, 8, 31), 18) == date(2025, 8, 31)
    assert ops.proposed_planned_end(date(2024, 8, 31), 10) == date(2025, 6, 30)
    assert ops.proposed_planned_end(date(2024, 8, 31), 6) == date(2025, 2, 28)


def test_enrolment_after_two_years_of_protection_is_refused_with_the_rules_message(world):
    late = factories.make_person(world.department, world.agir, protection_on=date(2022, 3, 1))
    audits = count(AuditEntry)
    with pytest.raises(RuleViolation) as refused:
        enrol(world, late, start=date(2024, 3, 1))
    assert refused.value.code == "two_years_passed" and refused.value.field == "start"
    # The rule's own French message, as agir.rules.eligibility words it.
    verdict = ops.verdict_for(late, world.agir, date(2024, 3, 1))
    assert refused.value.message == verdict.reasons[0].message and "01/03/2024" in refused.value.message
    assert count(Accompaniment) == 0 and count(AuditEntry) == audits


def test_the_day_before_the_second_anniversary_is_still_eligible(world):
    p = factories.make_person(world.department, world.agir, protection_on=date(2022, 3, 1))
    assert enrol(world, p, start=date(2024, 2, 29)).is_eligible


def test_a_non_bpi_is_refused_by_an_agir_operator(world):
    p = factories.make_person(world.department, world.agir, status="family", protection_on=None,
                              first_permit_on=date(2024, 1, 1))
    with pytest.raises(RuleViolation, match="pas bénéficiaire de la protection"):
        enrol(world, p)


def test_a_structuring_project_requires_only_bpi_status(world):
    project = factories.make_structure(world.department, "project_operator")
    worker = factories.make_user("social_worker", project)
    p = factories.make_person(world.department, project, protection_on=date(2020, 1, 1))
    acc = enrol(world, p, start=date(2024, 3, 1), actor=worker)
    assert acc.kind == "project" and acc.structure_id == project.id and acc.is_priority is False


def test_a_programme_operator_cannot_hold_an_accompaniment(world, person):
    with pytest.raises(RuleViolation, match="ne peut pas porter"):
        ops.enrol_person(world.users.referral_officer, person, date(2024, 2, 1), today=TODAY)


def test_enrolment_before_agir_starts_in_the_department_is_refused(world):
    p = factories.make_person(world.department, world.agir, protection_on=date(2022, 1, 1))
    with pytest.raises(RuleViolation, match="déploiement d'AGIR"):
        enrol(world, p, start=date(2022, 6, 30))


@pytest.mark.parametrize("planned_end, code", [
    (date(2024, 7, 31), "planned_end_too_soon"),  # start + 6 months is 2024-08-01
    (date(2025, 2, 2), "planned_end_too_late"),   # start + 12 months is 2025-02-01
])
def test_planned_end_outside_6_to_max_months_is_refused(world, person, planned_end, code):
    with pytest.raises(RuleViolation) as refused:
        enrol(world, person, planned_end=planned_end)
    assert refused.value.code == code and refused.value.field == "planned_end"
    assert count(Accompaniment) == 0


def test_planned_end_on_the_bounds_is_accepted(world, person):
    assert enrol(world, person, planned_end=date(2024, 8, 1)).current_end_on == date(2024, 8, 1)


def test_a_second_open_accompaniment_is_refused(world, person):
    enrol(world, person)
    other_worker = world.users.other_social_worker
    with pytest.raises(RuleViolation, match="déjà un accompagnement en cours"):
        ops.enrol_person(other_worker, person, date(2024, 3, 1), today=TODAY)
    assert count(Accompaniment) == 1


def test_a_new_accompaniment_may_start_the_day_the_previous_one_ended(world, person):
    acc = enrol(world, person)
    ops.record_exit(world.users.social_worker, acc, date(2024, 3, 1), "moved_away", today=TODAY)
    again = enrol(world, person, start=date(2024, 3, 1))
    assert again.id != acc.id and count(Accompaniment) == 2


def test_an_enrolment_in_the_future_is_refused(world, person):
    with pytest.raises(RuleViolation, match="postérieure à aujourd'hui"):
        enrol(world, person, start=date(2024, 6, 16))


def test_extension_moves_the_current_end_and_keeps_the_decision(world, person):
    acc = enrol(world, person, planned_end=date(2024, 12, 1))
    version = acc.version_id
    ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 6, 1), date(2025, 2, 1),
                             " Recherche de logement ", version=version, today=TODAY)
    assert acc.current_end_on == date(2025, 2, 1) and acc.planned_end_on == date(2024, 12, 1)
    assert [(e.planned_end_on, e.reason) for e in acc.extensions] == [(date(2025, 2, 1), "Recherche de logement")]
    assert acc.version_id == version + 1


@pytest.mark.parametrize("new_end, reason, message", [
    (date(2025, 2, 2), "motif", "durée maximale de 12 mois"),
    (date(2024, 11, 1), "motif", "postérieure à la fin actuelle"),
    (date(2025, 1, 1), "  ", "motif de la prolongation est obligatoire"),
])
def test_extension_rules_are_enforced(world, person, new_end, reason, message):
    acc = enrol(world, person, planned_end=date(2024, 12, 1))
    with pytest.raises(RuleViolation, match=message):
        ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 6, 1), new_end, reason, today=TODAY)
    assert count(Extension) == 0 and acc.current_end_on == date(2024, 12, 1)


def test_only_the_holding_structure_extends_or_exits(world, person):
    acc = enrol(world, person)
    colleague_elsewhere = world.users.other_social_worker
    with pytest.raises(RuleViolation, match="Seule la structure"):
        ops.extend_accompaniment(colleague_elsewhere, acc, date(2024, 6, 1), date(2025, 1, 1), "x", today=TODAY)
    with pytest.raises(RuleViolation, match="Seule la structure"):
        ops.record_exit(colleague_elsewhere, acc, date(2024, 6, 1), "goals_reached", today=TODAY)


def test_an_extension_from_a_stale_form_is_refused(world, person):
    acc = enrol(world, person, planned_end=date(2024, 12, 1))
    seen = acc.version_id
    ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 6, 1), date(2025, 1, 1), "a", version=seen,
                             today=TODAY)
    with pytest.raises(StaleRecord):
        ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 6, 2), date(2025, 1, 15), "b",
                                 version=seen, today=TODAY)
    assert count(Extension) == 1


def test_exit_with_a_cdd_of_8_months_records_the_situation(world, person):
    acc = enrol(world, person)
    exit_ = ops.record_exit(world.users.social_worker, acc, date(2024, 8, 1), "goals_reached", job_kind="cdd",
                            job_months=8, version=acc.version_id, today=date(2024, 9, 1))
    assert acc.exit_on == date(2024, 8, 1) and not acc.is_open
    assert (exit_.reason, exit_.job_kind, exit_.job_months, exit_.training_level) == ("goals_reached", "cdd", 8, None)
    assert exit_.is_positive
    assert ops.followup_due_on(acc.exit_on) == date(2025, 2, 1)


def test_an_early_exit_needs_an_early_exit_reason(world, person):
    acc = enrol(world, person)  # start 2024-02-01: before 2024-08-01 an exit is early
    with pytest.raises(RuleViolation) as refused:
        ops.record_exit(world.users.social_worker, acc, date(2024, 6, 1), "max_duration", today=TODAY)
    assert refused.value.code == "early_exit_reason" and refused.value.field == "reason"
    assert count(Exit) == 0 and acc.exit_on is None
    ops.record_exit(world.users.social_worker, acc, date(2024, 6, 1), "autonomous", today=TODAY)
    assert acc.exit.reason == "autonomous"


@pytest.mark.parametrize("job_kind, months, training, field", [
    ("cdi", 12, None, "months"), (None, 8, None, "job_kind"), ("cdd", 0, None, "months"),
    ("freelance", None, None, "job_kind"), (None, None, "phd", "training_level"),
])
def test_the_situation_at_exit_is_checked(world, person, job_kind, months, training, field):
    acc = enrol(world, person)
    with pytest.raises(RuleViolation) as refused:
        ops.record_exit(world.users.social_worker, acc, date(2024, 6, 1), "dropped_out", job_kind=job_kind,
                        job_months=months, training_level=training, today=TODAY)
    assert refused.value.field == field and count(Exit) == 0


def test_exit_dates_are_checked(world, person):
    acc = enrol(world, person, planned_end=date(2024, 12, 1))
    ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 5, 1), date(2025, 1, 1), "x", today=TODAY)
    for day, message in ((date(2024, 1, 31), "précéder la date d'entrée"), (date(2024, 4, 30), "dernière prolongation"),
                         (date(2024, 6, 16), "postérieure à aujourd'hui")):
        with pytest.raises(RuleViolation, match=message):
            ops.record_exit(world.users.social_worker, acc, day, "moved_away", today=TODAY)
    ops.record_exit(world.users.social_worker, acc, date(2024, 5, 1), "moved_away", today=TODAY)
    with pytest.raises(RuleViolation, match="déjà enregistrée"):
        ops.record_exit(world.users.social_worker, acc, date(2024, 5, 2), "moved_away", today=TODAY)


def test_followup_is_recorded_from_six_months_after_the_exit(world, person):
    acc = enrol(world, person)
    ops.record_exit(world.users.social_worker, acc, date(2024, 2, 29),
                    "moved_away", today=TODAY)
    # 29 Feb + 6 months = 29 Aug: not yet due on TODAY.
    with pytest.raises(RuleViolation) as refused:
        ops.record_followup(world.users.social_worker, acc, date(2024, 6, 1), True, today=date(2024, 9, 1))
    assert refused.value.code == "followup_too_soon" and "29/08/2024" in refused.value.message
    version = acc.version_id
    followup = ops.record_followup(world.users.social_worker, acc, date(2024, 8, 29), True, version=version,
                                   today=date(2024, 9, 1))
    assert followup.is_positive is True and acc.version_id == version + 1
    ops.record_followup(world.users.social_worker, acc, date(2024, 8, 30), False, version=acc.version_id,
                        today=date(2024, 9, 1))
    assert count(FollowUp) == 1 and acc.exit.followup.is_positive is False
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("%followup"))).all()
    assert actions == ["record_followup", "update_followup"]


def test_followup_needs_an_exit_and_a_past_date(world, person):
    acc = enrol(world, person)
    with pytest.raises(RuleViolation, match="enregistrez d'abord la sortie"):
        ops.record_followup(world.users.social_worker, acc, date(2024, 6, 1), True, today=TODAY)
    ops.record_exit(world.users.social_worker, acc, date(2024, 3, 1), "moved_away", today=TODAY)
    with pytest.raises(RuleViolation, match="postérieure à aujourd'hui"):
        ops.record_followup(world.users.social_worker, acc, date(2024, 9, 2), True, today=date(2024, 9, 1))
    assert count(FollowUp) == 0
