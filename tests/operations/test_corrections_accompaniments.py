"""Corrections and cancellations of enrolments, extensions, exits and follow-ups, and the deletion of a
file created by mistake (SPEC §4.8): the whole file checked again, every error at once, before/after audited."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import corrections as ops
from agir.operations import referrals as referral_ops
from models import Accompaniment, Alert, AuditEntry, Exit, Extension, FollowUp, Household, Person, RightStep
from tests import factories

TODAY = date(2025, 6, 15)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def person(world):
    """A refugee protected on 2024-01-10 (AGIR until 2026-01-09), opened by the AGIR operator."""
    return factories.make_person(world.department, world.agir, protection_on=date(2024, 1, 10))


def enrol(world, person, start=date(2024, 2, 1), planned_end=date(2024, 12, 1)):
    return acc_ops.enrol_person(world.users.social_worker, person, start, planned_end, today=TODAY)


def exited(world, person, exit_on=date(2024, 12, 20), reason="goals_reached", **kw):
    acc = enrol(world, person)
    acc_ops.record_exit(world.users.social_worker, acc, exit_on, reason, today=TODAY, **kw)
    return acc


def corrections():
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(("correct_record", "cancel_record")))
                              .order_by(AuditEntry.id)).all()


def refused(call, *args, **kwargs) -> list[tuple]:
    with pytest.raises(ops.CorrectionRefused) as exc:
        call(*args, **kwargs)
    db.session.rollback()
    return [(v.field, v.code) for v in exc.value.violations]


# ---- Exit ---------------------------------------------------------------------------------------

def test_an_exit_typed_wrongly_is_corrected_with_its_reason_and_the_audit_keeps_before_and_after(world, person):
    acc = exited(world, person, exit_on=date(2024, 12, 20), job_kind="cdd", job_months=3)
    ops.correct_exit(world.users.social_worker, acc, date(2025, 1, 20), "goals_reached", "cdi", None, None,
                     "Date de sortie mal saisie (janvier, pas décembre)", version=acc.version_id, today=TODAY)
    db.session.commit()
    acc = db.session.get(Accompaniment, acc.id)
    assert acc.exit_on == acc.exit.exit_on == date(2025, 1, 20)
    assert (acc.exit.job_kind, acc.exit.job_months) == ("cdi", None)
    entry = corrections()[-1]
    assert entry.action == "correct_record" and entry.person_id == person.id
    assert entry.reason == "Date de sortie mal saisie (janvier, pas décembre)"
    assert entry.changes["record"] == "exit"
    assert entry.changes["before"]["exit_on"] == "2024-12-20" and entry.changes["after"]["exit_on"] == "2025-01-20"
    assert entry.changes["before"]["job_months"] == 3 and entry.changes["after"]["job_months"] is None
    assert set(entry.fields) == {"exit_on", "job_kind", "job_months"}


def test_a_corrected_exit_date_must_not_make_two_accompaniments_overlap(world, person):
    first = exited(world, person, exit_on=date(2024, 9, 1), reason="moved_away")
    acc_ops.enrol_person(world.users.social_worker, person, date(2024, 10, 1), date(2025, 4, 1), today=TODAY)
    db.session.commit()
    found = refused(ops.correct_exit, world.users.social_worker, first, date(2024, 11, 1), "moved_away", None, None,
                    None, "erreur de saisie", today=TODAY)
    assert ("date", "overlap") in found
    assert db.session.get(Accompaniment, first.id).exit_on == date(2024, 9, 1)
    assert corrections() == []


def test_a_corrected_exit_gets_every_error_at_once(world, person):
    acc = exited(world, person)
    db.session.commit()
    found = refused(ops.correct_exit, world.users.social_worker, acc, date(2024, 3, 1), "goals_reached", None, 4,
                    None, "  ", today=TODAY)
    # Reason missing, early exit without an early-exit reason, a length without a contract: all three.
    assert ("correction_reason", "reason_required") in found
    assert ("reason", "early_exit_reason") in found
    assert ("job_kind", "months_without_job") in found


def test_an_exit_cannot_be_moved_into_the_future_or_before_an_extension_or_after_its_followup(world, person):
    acc = enrol(world, person)
    acc_ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 11, 1), date(2025, 1, 15), "Logement",
                                 today=TODAY)
    acc_ops.record_exit(world.users.social_worker, acc, date(2024, 12, 15), "goals_reached", today=TODAY)
    acc_ops.record_followup(world.users.social_worker, acc, date(2025, 6, 15), True, today=TODAY)
    db.session.commit()
    assert ("date", "date_in_future") in refused(ops.correct_exit, world.users.social_worker, acc, date(2025, 7, 1),
                                                 "goals_reached", None, None, None, "x", today=TODAY)
    assert ("date", "extension_after_exit") in refused(ops.correct_exit, world.users.social_worker, acc,
                                                       date(2024, 10, 1), "goals_reached", None, None, None, "x",
                                                       today=TODAY)
    # The follow-up of 15/06/2025 would come before exit + 6 months.
    assert ("date", "followup_too_soon") in refused(ops.correct_exit, world.users.social_worker, acc,
                                                    date(2025, 1, 10), "goals_reached", None, None, None, "x",
                                                    today=TODAY)


def test_cancelling_an_exit_reopens_the_accompaniment(world, person):
    acc = exited(world, person, job_kind="cdi")
    db.session.commit()
    ops.cancel_exit(world.users.social_worker, acc, "Sortie enregistrée dans le mauvais dossier",
                    version=acc.version_id)
    db.session.commit()
    acc = db.session.get(Accompaniment, acc.id)
    assert acc.exit is None and acc.exit_on is None and acc.is_open and count(Exit) == 0
    entry = corrections()[-1]
    assert entry.action == "cancel_record" and entry.changes["after"] is None
    assert entry.changes["before"]["job_kind"] == "cdi" and entry.reason.startswith("Sortie enregistrée")


def test_cancelling_an_exit_must_not_leave_two_open_accompaniments(world, person):
    first = exited(world, person, exit_on=date(2024, 9, 1), reason="moved_away")
    acc_ops.enrol_person(world.users.social_worker, person, date(2024, 10, 1), date(2025, 4, 1), today=TODAY)
    db.session.commit()
    found = refused(ops.cancel_exit, world.users.social_worker, first, "erreur")
    assert (None, "two_open") in found
    assert db.session.get(Accompaniment, first.id).exit_on == date(2024, 9, 1)


def test_an_exit_with_a_followup_is_cancelled_only_after_the_followup(world, person):
    acc = exited(world, person)
    acc_ops.record_followup(world.users.social_worker, acc, date(2025, 6, 20), False, today=date(2025, 6, 20))
    db.session.commit()
    assert (None, "exit_has_followup") in refused(ops.cancel_exit, world.users.social_worker, acc, "erreur")
    ops.cancel_followup(world.users.social_worker, acc, "Suivi saisi dans le mauvais dossier")
    ops.cancel_exit(world.users.social_worker, acc, "Sortie saisie dans le mauvais dossier")
    db.session.commit()
    assert count(FollowUp) == 0 and count(Exit) == 0
    assert [e.changes["record"] for e in corrections()] == ["followup", "exit"]


def test_only_the_holding_structure_corrects_and_a_stale_form_is_refused(world, person):
    acc = exited(world, person)
    db.session.commit()
    with pytest.raises(RuleViolation) as other:
        ops.correct_exit(world.users.other_social_worker, acc, date(2025, 1, 2), "goals_reached", None, None, None,
                         "x", today=TODAY)
    assert other.value.code == "not_holder"
    with pytest.raises(StaleRecord):
        ops.cancel_exit(world.users.social_worker, acc, "x", version=acc.version_id - 1)


# ---- Enrolment ----------------------------------------------------------------------------------

def test_an_enrolment_is_corrected_and_its_verdict_taken_again(world, person):
    acc = enrol(world, person)
    db.session.commit()
    ops.correct_enrolment(world.users.social_worker, acc, date(2024, 3, 1), date(2025, 3, 1),
                          "Entrée saisie un mois trop tôt", version=acc.version_id, today=TODAY)
    db.session.commit()
    acc = db.session.get(Accompaniment, acc.id)
    assert (acc.start_on, acc.planned_end_on, acc.current_end_on) == (date(2024, 3, 1), date(2025, 3, 1),
                                                                      date(2025, 3, 1))
    assert acc.is_priority is True
    entry = corrections()[-1]
    assert entry.changes == {"record": "enrolment",
                             "before": {"start_on": "2024-02-01", "planned_end_on": "2024-12-01"},
                             "after": {"start_on": "2024-03-01", "planned_end_on": "2025-03-01"}}


def test_a_corrected_enrolment_keeps_the_planned_end_within_6_to_max_months_and_stays_eligible(world, person):
    acc = enrol(world, person)
    db.session.commit()
    found = refused(ops.correct_enrolment, world.users.social_worker, acc, date(2024, 2, 1), date(2025, 6, 1),
                    "x", today=TODAY)
    assert found == [("planned_end", "planned_end_too_late")]
    found = refused(ops.correct_enrolment, world.users.social_worker, acc, date(2023, 12, 1), date(2024, 12, 1),
                    "", today=TODAY)
    # Before the protection date, and no reason: both at once.
    assert ("start", "before_protection") in found and ("correction_reason", "reason_required") in found


def test_a_corrected_entry_stays_before_its_extensions_and_exit(world, person):
    acc = enrol(world, person)
    acc_ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 8, 1), date(2025, 1, 1), "Emploi",
                                 today=TODAY)
    db.session.commit()
    found = refused(ops.correct_enrolment, world.users.social_worker, acc, date(2024, 9, 1), date(2025, 3, 1),
                    "x", today=TODAY)
    assert ("start", "extension_before_start") in found


def test_an_enrolment_is_cancelled_while_nothing_depends_on_it(world, person):
    acc = enrol(world, person)
    db.session.add(Alert(kind="overdue", person_id=person.id, structure_id=world.agir.id,
                         subject_key=f"accompaniment:{acc.id}", due_on=TODAY, first_seen_on=TODAY,
                         last_seen_on=TODAY))
    db.session.commit()
    ops.cancel_enrolment(world.users.social_worker, acc, "Inscrite par erreur (homonyme)", version=acc.version_id)
    db.session.commit()
    assert count(Accompaniment) == 0 and count(Alert) == 0
    entry = corrections()[-1]
    assert entry.action == "cancel_record" and entry.changes["record"] == "enrolment"
    assert entry.changes["before"]["start_on"] == "2024-02-01" and entry.person_id == person.id


def test_an_enrolment_with_an_extension_or_an_exit_cannot_be_cancelled(world, person):
    acc = exited(world, person)
    db.session.commit()
    found = refused(ops.cancel_enrolment, world.users.social_worker, acc, "erreur")
    assert found == [(None, "enrolment_has_dependents")]
    assert count(Accompaniment) == 1


# ---- Extension ----------------------------------------------------------------------------------

def test_an_extension_is_corrected_and_cancelled_and_the_planned_end_follows(world, person):
    acc = enrol(world, person)
    ext = acc_ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 11, 1), date(2025, 1, 1),
                                       "Logement en vue", today=TODAY)
    db.session.commit()
    ops.correct_extension(world.users.social_worker, ext, date(2024, 11, 2), date(2025, 2, 1), "Logement en vue",
                          "Fin prévue mal saisie", version=acc.version_id, today=TODAY)
    db.session.commit()
    assert db.session.get(Accompaniment, acc.id).current_end_on == date(2025, 2, 1)
    ops.cancel_extension(world.users.social_worker, db.session.get(Extension, ext.id), "Prolongation non décidée")
    db.session.commit()
    acc = db.session.get(Accompaniment, acc.id)
    assert acc.extensions == [] and acc.current_end_on == date(2024, 12, 1)
    assert [(e.action, e.changes["record"]) for e in corrections()] == [("correct_record", "extension"),
                                                                      ("cancel_record", "extension")]


def test_a_corrected_extension_stays_after_the_start_and_within_the_maximum(world, person):
    acc = enrol(world, person)
    ext = acc_ops.extend_accompaniment(world.users.social_worker, acc, date(2024, 12, 1), date(2025, 1, 31),
                                       "Emploi", today=TODAY)
    db.session.commit()
    found = refused(ops.correct_extension, world.users.social_worker, ext, date(2024, 1, 1), date(2025, 9, 1),
                    "", "x", today=TODAY)
    assert ("date", "extension_before_start") in found
    assert ("reason", "extension_reason") in found


# ---- Follow-up ----------------------------------------------------------------------------------

def test_a_followup_is_corrected_with_a_reason(world, person):
    acc = exited(world, person)
    acc_ops.record_followup(world.users.social_worker, acc, date(2025, 6, 20), False, today=date(2025, 6, 20))
    db.session.commit()
    ops.correct_followup(world.users.social_worker, acc, date(2025, 6, 21), True, "Situation mal cochée",
                         today=date(2025, 6, 25))
    db.session.commit()
    followup = db.session.scalars(select(FollowUp)).one()
    assert (followup.followup_on, followup.is_positive) == (date(2025, 6, 21), True)
    assert corrections()[-1].changes["before"] == {"followup_on": "2025-06-20", "is_positive": False}


# ---- A file created by mistake ------------------------------------------------------------------

def test_a_file_created_by_mistake_is_deleted_and_the_audit_entry_survives(world):
    person = factories.make_person(world.department, world.agir, ref="P-MISTAKE")
    person.rights.append(RightStep(kind="rsa", state="todo"))
    db.session.flush()
    from agir.audit import record
    record(world.users.social_worker, "view_person", person=person)
    db.session.commit()
    household_id = person.household_id
    assert ops.delete_person(world.users.social_worker, person, "Dossier créé deux fois",
                             version=person.version_id) == "P-MISTAKE"
    db.session.commit()
    assert count(Person) == 0 and count(RightStep) == 0 and db.session.get(Household, household_id) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete_person")).one()
    assert entry.detail == "P-MISTAKE" and entry.reason == "Dossier créé deux fois" and entry.person_id is None
    # The file's earlier entries stay in the log, no longer attached to a person id.
    assert db.session.scalar(select(AuditEntry.person_id).where(AuditEntry.action == "view_person")) is None


def test_a_file_with_an_accompaniment_or_a_referral_is_not_deleted_merge_instead(world, person):
    enrol(world, person)
    other = factories.make_person(world.department, world.agir)
    referral_ops.send_referral(world.users.social_worker, other, world.programme, "Cours de français",
                               date(2023, 6, 5), today=TODAY)
    db.session.commit()
    for p in (person, other):
        with pytest.raises(ops.CorrectionRefused) as exc:
            ops.delete_person(world.users.social_worker, p, "doublon")
        assert exc.value.code == "file_has_records" and "fusionnez" in exc.value.message
        db.session.rollback()
    assert count(Person) == 2


def test_only_the_structure_that_opened_the_file_deletes_it_and_a_reason_is_required(world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    with pytest.raises(RuleViolation) as exc:
        ops.delete_person(world.users.other_social_worker, person, "erreur")
    assert exc.value.code == "not_holder"
    with pytest.raises(ops.CorrectionRefused) as exc:
        ops.delete_person(world.users.social_worker, person, " ")
    assert exc.value.message == "Indiquez le motif de la suppression."


def test_a_correction_that_changes_nothing_is_refused(world, person):
    acc = exited(world, person)
    db.session.commit()
    found = refused(ops.correct_exit, world.users.social_worker, acc, date(2024, 12, 20), "goals_reached", None, None,
                    None, "rien", today=TODAY)
    assert found == [(None, "nothing_changed")]
