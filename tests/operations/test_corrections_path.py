"""Corrections and cancellations of the path (SPEC §4.8, issue 13 item 1): a reason always, only by the
structure that recorded the line, the rules of §4 checked again, before/after kept in the audit,
a stale version refused with nothing written."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleLine, StaleRecord
from agir.extensions import db
from agir.operations import path as ops
from agir.operations import persons as person_ops
from agir.operations import referrals as ref_ops
from models import AuditEntry, Event, Job, Note, Participation, Referral, RightStep
from tests import factories
from tests.referrals_factories import make_referral

TODAY = date(2024, 6, 15)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def corrections(person):
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.person_id == person.id, AuditEntry.action.in_(("correct_record", "cancel_record")))
        .order_by(AuditEntry.id)).all()


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(p, world.agir, start=date(2023, 9, 1), planned_end=date(2024, 8, 31))
    db.session.commit()
    return p


@pytest.fixture
def job(world, person):
    line = ops.add_job(world.users.social_worker, person, kind="cdd", date=date(2024, 3, 1), months=6)
    db.session.commit()
    return line


# ---------------------------------------------------------------- lines of the file

def test_a_corrected_job_keeps_before_and_after_and_the_reason(world, person, job):
    ops.correct_item(world.users.social_worker, job, {"kind": "cdd", "date": date(2024, 3, 4), "months": 8},
                     "  Contrat signé le lundi,\n8 mois  ", version=job.version_id, today=TODAY)
    assert (job.start_on, job.months, job.version_id) == (date(2024, 3, 4), 8, 2)
    entry, = corrections(person)
    assert entry.action == "correct_record" and entry.detail == "job"
    assert entry.reason == "Contrat signé le lundi, 8 mois"
    assert entry.changes == {"record": "job", "before": {"kind": "cdd", "date": "2024-03-01", "months": 6},
                             "after": {"kind": "cdd", "date": "2024-03-04", "months": 8}}
    assert entry.fields == ["date", "months"]


def test_a_cancelled_job_is_deleted_and_the_audit_keeps_what_it_was(world, person, job):
    ops.cancel_item(world.users.social_worker, job, "Emploi d'un autre membre du ménage", version=job.version_id)
    assert count(Job) == 0
    entry, = corrections(person)
    assert (entry.action, entry.reason) == ("cancel_record", "Emploi d'un autre membre du ménage")
    assert entry.changes == {"record": "job", "before": {"kind": "cdd", "date": "2024-03-01", "months": 6},
                             "after": None}


@pytest.mark.parametrize("values, reason, field", [
    ({"kind": "cdi", "date": date(2024, 3, 1), "months": 6}, "CDI", "months"),          # §4.3 checked again
    ({"kind": "cdd", "date": date(2024, 6, 16), "months": 6}, "Date", "date"),          # never in the future
    ({"kind": "cdd", "date": None, "months": 6}, "Date", "date"),
    ({"kind": "cdd", "date": date(2024, 3, 2), "months": 6}, "   ", "correction_reason"),          # a reason, always
    ({"kind": "cdd", "date": date(2024, 3, 2), "months": 6}, "x" * 501, "correction_reason"),
    ({"kind": "cdd", "date": date(2024, 3, 1), "months": 6}, "Rien", None),             # nothing changed
])
def test_a_wrong_correction_is_refused_and_nothing_is_written(world, person, job, values, reason, field):
    with pytest.raises(RuleViolation) as refused:
        ops.correct_item(world.users.social_worker, job, values, reason, version=job.version_id, today=TODAY)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(Job, job.id).months == 6 and corrections(person) == []


def test_a_cancellation_needs_its_reason(world, person, job):
    with pytest.raises(RuleViolation, match="motif de l'annulation") as refused:
        ops.cancel_item(world.users.social_worker, job, "", version=job.version_id)
    assert refused.value.field == "correction_reason"


def test_every_kind_of_line_is_corrected_and_cancelled(world, person):
    actor = world.users.social_worker
    lines = {
        "housing_step": ({"kind": "siao_application", "date": date(2024, 2, 1), "number": None},
                         {"kind": "siao_application", "date": date(2024, 2, 2), "number": None}),
        "housing": ({"kind": "temporary", "date": date(2024, 2, 1)},
                    {"kind": "social_rental", "date": date(2024, 2, 1)}),
        "training": ({"level": "qualifying", "date": date(2024, 2, 1)},
                     {"level": "certifying", "date": date(2024, 2, 1)}),
        "event": ({"kind": "sport_event", "date": date(2024, 2, 1), "event_ref": "EV-1"},
                  {"kind": "sport_event", "date": date(2024, 2, 1), "event_ref": "EV-2"}),
    }
    for kind, (first, corrected) in lines.items():
        item = ops.add_item(actor, person, kind, first, today=TODAY)
        ops.correct_item(actor, item, corrected, "Erreur de saisie", version=item.version_id, today=TODAY)
        ops.cancel_item(actor, item, "Saisie en double", version=item.version_id)
    details = [(e.action, e.detail) for e in corrections(person)]
    assert details == [(a, k) for k in lines for a in ("correct_record", "cancel_record")]


def test_only_the_structure_that_recorded_a_line_corrects_it(world, person, job):
    # The other operator takes the file over (a later accompaniment): it sees the file, but the job is not its own.
    person.accompaniments[0].exit_on = date(2023, 12, 1)
    factories.make_accompaniment(person, world.other, start=date(2024, 1, 2), planned_end=date(2024, 12, 31))
    db.session.refresh(person)
    other = world.users.other_social_worker
    with pytest.raises(RuleViolation, match="Seule la structure qui a enregistré"):
        ops.correct_item(other, job, {"kind": "cdd", "date": date(2024, 3, 1), "months": 7}, "x", today=TODAY)
    with pytest.raises(RuleViolation, match="Seule la structure qui a enregistré"):
        ops.cancel_item(other, job, "x")
    assert not ops.may_correct(other, person, job) and ops.may_correct(world.users.social_worker, person, job)
    # A line without a recording structure (imported) belongs to the structure holding the file now.
    imported = Job(person_id=person.id, kind="cdi", start_on=date(2024, 2, 1))
    db.session.add(imported)
    db.session.flush()
    assert ops.may_correct(other, person, imported) and not ops.may_correct(world.users.social_worker, person,
                                                                            imported)
    ops.cancel_item(other, imported, "Import erroné")


def test_a_stale_version_is_refused_and_nothing_is_written(world, person, job):
    seen = job.version_id
    ops.correct_item(world.users.social_worker, job, {"kind": "cdd", "date": date(2024, 3, 1), "months": 7},
                     "7 mois", version=seen, today=TODAY)
    with pytest.raises(StaleLine, match="modifiée par quelqu'un d'autre pendant que vous la corrigiez") as refused:
        ops.correct_item(world.users.social_worker, job, {"kind": "cdd", "date": date(2024, 3, 1), "months": 9},
                         "9 mois", version=seen, today=TODAY)
    assert isinstance(refused.value, StaleRecord) and "Rechargez" in refused.value.message
    with pytest.raises(StaleLine):
        ops.cancel_item(world.users.social_worker, job, "x", version=seen)
    assert job.months == 7 and count(Job) == 1 and len(corrections(person)) == 1


# ---------------------------------------------------------------- rights

def test_a_right_recorded_obtained_by_mistake_goes_back_to_requested(world, person):
    actor = world.users.social_worker
    step = ops.set_right(actor, person, "caf_benefits", "obtained", requested=date(2024, 3, 1),
                         obtained=date(2024, 4, 1), version=0, today=TODAY)
    assert step.structure_id == world.agir.id
    with pytest.raises(RuleViolation, match="ne peut pas revenir"):  # the ordinary update only moves forward
        ops.set_right(actor, person, "caf_benefits", "requested", requested=date(2024, 3, 1),
                      version=step.version_id, today=TODAY)
    ops.correct_right(actor, step, "requested", requested=date(2024, 3, 1), reason="Attestation pas encore reçue",
                      version=step.version_id, today=TODAY)
    assert (step.state, step.obtained_on) == ("requested", None)
    entry, = corrections(person)
    assert entry.changes["before"]["state"] == "obtained" and entry.changes["after"]["state"] == "requested"
    assert entry.changes["after"]["kind"] == "caf_benefits" and entry.detail == "right"
    assert sorted(entry.fields) == ["obtained_on", "state"]


@pytest.mark.parametrize("state, dates, field", [
    ("obtained", {"requested": date(2024, 3, 1), "obtained": date(2024, 2, 1)}, "obtained"),  # backwards
    ("refused", {"requested": date(2024, 3, 1), "refused": date(2024, 3, 2)}, "reason"),      # refusal reason
    ("requested", {"requested": date(2024, 7, 1)}, "requested"),                              # future
    ("requested", {}, "requested"),
])
def test_a_corrected_right_is_checked_again(world, person, state, dates, field):
    step = ops.set_right(world.users.social_worker, person, "rsa", "requested", requested=date(2024, 3, 1),
                         version=0, today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        ops.correct_right(world.users.social_worker, step, state, reason="Erreur", version=step.version_id,
                          today=TODAY, **dates)
    assert refused.value.field == field


def test_a_right_line_is_cancelled_back_to_todo(world, person):
    step = ops.set_right(world.users.social_worker, person, "rsa", "requested", requested=date(2024, 3, 1),
                         version=0, today=TODAY)
    with pytest.raises(StaleLine):
        ops.cancel_right(world.users.social_worker, step, "Droit d'un autre membre", version=step.version_id + 1)
    ops.cancel_right(world.users.social_worker, step, "Droit d'un autre membre", version=step.version_id)
    assert count(RightStep) == 0
    assert corrections(person)[0].changes["before"]["requested_on"] == "2024-03-01"


# ---------------------------------------------------------------- notes

def test_a_corrected_note_is_audited_without_its_text(world, person):
    actor = world.users.social_worker
    note = person_ops.add_note(actor, person, date(2024, 6, 1), "Rendez-vous CAF", today=TODAY)
    person_ops.correct_note(actor, note, date(2024, 6, 2), "Rendez-vous CAF annulé", "Mauvais jour",
                            version=note.version_id, today=TODAY)
    entry, = corrections(person)
    assert entry.changes["before"] == {"date": "2024-06-01", "text": "15 caractères"}
    assert entry.changes["after"] == {"date": "2024-06-02", "text": "texte corrigé, 22 caractères"}
    assert "CAF" not in repr(entry.changes) and entry.reason == "Mauvais jour"
    with pytest.raises(StaleLine):
        person_ops.correct_note(actor, note, date(2024, 6, 2), "autre", "x", version=1, today=TODAY)
    with pytest.raises(RuleViolation, match="Rien n'a changé"):
        person_ops.correct_note(actor, note, date(2024, 6, 2), "Rendez-vous CAF annulé", "x",
                                version=note.version_id, today=TODAY)


def test_a_note_of_a_disabled_author_is_cancelled_by_a_colleague_of_their_structure(world, person):
    author, colleague = world.users.social_worker, factories.make_user("social_worker", world.agir)
    note = person_ops.add_note(author, person, date(2024, 6, 1), "Texte", today=TODAY)
    assert not person_ops.may_correct_note(colleague, note)
    author.is_enabled = False
    assert person_ops.may_correct_note(colleague, note)
    assert not person_ops.may_correct_note(world.users.other_social_worker, note)
    person_ops.cancel_note(colleague, note, "Écrite sur le mauvais dossier", version=note.version_id)
    assert count(Note) == 0


# ---------------------------------------------------------------- referral steps, participations, events

@pytest.fixture
def referral(world, person):
    return make_referral(person, world.programme, state="sent", sender=world.agir, sent_on=date(2023, 1, 2))


def test_a_wrong_acceptance_is_undone_by_the_programme_only(world, person, referral):
    ro, sw = world.users.referral_officer, world.users.social_worker
    ref_ops.move_referral(ro, referral, "accepted", date(2023, 1, 5), today=TODAY)
    with pytest.raises(RuleViolation, match="qui porte le programme"):
        ref_ops.undo_referral_step(sw, referral, "x", referral.version_id)
    ref_ops.undo_referral_step(ro, referral, "Acceptée par erreur : session complète", referral.version_id)
    assert (referral.state, referral.accepted_on) == ("sent", None)
    entry, = corrections(person)
    assert entry.changes["before"]["state"] == "accepted" and entry.changes["after"]["accepted_on"] is None
    with pytest.raises(RuleViolation, match="rien à reprendre"):
        ref_ops.undo_referral_step(ro, referral, "x", referral.version_id)


def test_a_cancellation_is_undone_by_the_sender_only(world, person, referral):
    ro, sw = world.users.referral_officer, world.users.social_worker
    ref_ops.move_referral(sw, referral, "cancelled", date(2023, 1, 5), today=TODAY)
    with pytest.raises(RuleViolation, match="qui a envoyé"):
        ref_ops.undo_referral_step(ro, referral, "x", referral.version_id)
    ref_ops.undo_referral_step(sw, referral, "Mauvais bouton", referral.version_id)
    assert referral.state == "sent"


def test_undoing_a_refusal_cannot_leave_two_open_referrals(world, person, referral):
    ro = world.users.referral_officer
    ref_ops.move_referral(ro, referral, "refused", date(2023, 1, 5), reason="Complet", today=TODAY)
    ref_ops.send_referral(world.users.social_worker, person, world.programme, "Cours du soir", date(2023, 1, 9),
                          today=TODAY)
    with pytest.raises(RuleViolation, match="ne peut pas redevenir ouverte"):
        ref_ops.undo_referral_step(ro, referral, "Refus par erreur", referral.version_id)
    assert referral.state == "refused"


def test_undoing_a_start_and_an_end_follows_the_participation(world, person, referral):
    ro = world.users.referral_officer
    ref_ops.move_referral(ro, referral, "accepted", date(2023, 1, 5), today=TODAY)
    ref_ops.move_referral(ro, referral, "started", date(2023, 1, 9), today=TODAY)
    ref_ops.move_referral(ro, referral, "completed", date(2023, 3, 1), today=TODAY)
    part = db.session.scalars(select(Participation)).one()
    assert part.end_on == date(2023, 3, 1)
    ref_ops.undo_referral_step(ro, referral, "Pas encore terminé", referral.version_id)
    assert (referral.state, part.end_on) == ("started", None)
    ref_ops.undo_referral_step(ro, referral, "Pas encore commencé", referral.version_id)
    assert referral.state == "accepted" and count(Participation) == 0  # opened by the start, nothing in it
    assert [e.detail for e in corrections(person)] == ["referral", "participation", "referral", "participation"]


def test_the_date_of_a_step_is_corrected_within_its_neighbours(world, person, referral):
    ro, sw = world.users.referral_officer, world.users.social_worker
    ref_ops.move_referral(ro, referral, "accepted", date(2023, 1, 5), today=TODAY)
    ref_ops.move_referral(ro, referral, "started", date(2023, 1, 9), today=TODAY)
    with pytest.raises(RuleViolation, match="ne peut précéder") as refused:
        ref_ops.correct_referral_date(ro, referral, "accepted", date(2023, 1, 1), "x", referral.version_id,
                                      today=TODAY)
    assert refused.value.field == "on"
    with pytest.raises(RuleViolation, match="ne peut précéder"):
        ref_ops.correct_referral_date(ro, referral, "accepted", date(2023, 1, 10), "x", referral.version_id,
                                      today=TODAY)
    with pytest.raises(RuleViolation, match="qui a envoyé"):
        ref_ops.correct_referral_date(ro, referral, "sent", date(2023, 1, 3), "x", referral.version_id, today=TODAY)
    ref_ops.correct_referral_date(sw, referral, "sent", date(2023, 1, 3), "Envoyée le 3", referral.version_id,
                                  today=TODAY)
    ref_ops.correct_referral_date(ro, referral, "started", date(2023, 1, 16), "Premier cours le 16",
                                  referral.version_id, today=TODAY)
    part = db.session.scalars(select(Participation)).one()
    assert (referral.sent_on, referral.started_on, part.start_on) == (date(2023, 1, 3), date(2023, 1, 16),
                                                                       date(2023, 1, 16))
    with pytest.raises(StaleLine):
        ref_ops.correct_referral_date(ro, referral, "started", date(2023, 1, 17), "x", referral.version_id - 1,
                                      today=TODAY)


def test_a_recorded_participation_value_is_changed_only_with_a_reason(world, person):
    ro = world.users.referral_officer
    part = ref_ops.create_participation(ro, person, world.programme, start_on=date(2023, 1, 9))
    ref_ops.update_participation(ro, part, part.version_id, start_on=date(2023, 1, 9), planned_hours=40.0)
    assert corrections(person) == []  # filling a blank is plain entry
    db.session.commit()
    with pytest.raises(RuleViolation, match="motif de la correction") as refused:
        ref_ops.update_participation(ro, part, part.version_id, start_on=date(2023, 1, 9), planned_hours=45.0)
    assert refused.value.field == "correction_reason"
    db.session.rollback()
    part = db.session.get(Participation, part.id)
    ref_ops.update_participation(ro, part, part.version_id, reason="45 heures au programme",
                                 start_on=date(2023, 1, 9), planned_hours=45.0)
    entry, = corrections(person)
    assert (entry.changes["before"]["planned_hours"], entry.changes["after"]["planned_hours"]) == (40.0, 45.0)
    with pytest.raises(RuleViolation):
        ref_ops.cancel_participation(world.users.social_worker, part, "x", part.version_id)
    ref_ops.cancel_participation(ro, part, "Personne jamais venue", part.version_id)
    assert count(Participation) == 0


def test_an_event_of_a_programme_is_cancelled_by_its_structure_with_a_reason(world, person):
    ro = world.users.referral_officer
    event = ref_ops.record_event(ro, person, world.programme, "digital_tool", date(2023, 3, 1), today=TODAY)
    assert event.structure_id == world.school.id
    assert not ops.may_correct(world.users.social_worker, person, event)  # the file side cannot touch it
    with pytest.raises(RuleViolation, match="motif"):
        ref_ops.cancel_event(ro, event, " ", event.version_id)
    ref_ops.cancel_event(ro, event, "Atelier d'une autre personne", event.version_id)
    assert count(Event) == 0 and corrections(person)[0].changes["before"]["kind"] == "digital_tool"


def test_an_event_of_a_programme_is_corrected_by_its_structure_and_checked_again(world, person):
    ro = world.users.referral_officer
    event = ref_ops.record_event(ro, person, world.programme, "sport_event", date(2023, 3, 1), "MATCH-1",
                                 today=TODAY)
    with pytest.raises(RuleViolation):
        ref_ops.correct_event(world.users.social_worker, event, "sport_event", date(2023, 3, 2), "MATCH-1", "x",
                              event.version_id, today=TODAY)
    with pytest.raises(RuleViolation) as refused:  # the id is required for a sport event, and the reason: both
        ref_ops.correct_event(ro, event, "sport_event", date(2023, 3, 2), " ", "", event.version_id, today=TODAY)
    assert {v.field for v in refused.value.violations} == {"event_ref", "correction_reason"}
    ref_ops.correct_event(ro, event, "cultural_event", date(2023, 3, 2), "EXPO-1", "Exposition, pas un match",
                          event.version_id, today=TODAY)
    entry, = corrections(person)
    assert entry.changes["before"]["kind"] == "sport_event" and entry.changes["after"]["event_ref"] == "EXPO-1"
    with pytest.raises(StaleLine):
        ref_ops.correct_event(ro, event, "cultural_event", date(2023, 3, 3), "EXPO-1", "x", 1, today=TODAY)


def test_a_referral_sent_by_mistake_is_withdrawn_by_its_sender_before_any_answer(world, person, referral):
    ro, sw = world.users.referral_officer, world.users.social_worker
    assert ref_ops.may_withdraw(sw, referral) and not ref_ops.may_withdraw(ro, referral)
    with pytest.raises(RuleViolation, match="qui a envoyé"):
        ref_ops.withdraw_referral(ro, referral, "x", referral.version_id)
    with pytest.raises(RuleViolation, match="motif de l'annulation"):
        ref_ops.withdraw_referral(sw, referral, " ", referral.version_id)
    ref_ops.move_referral(ro, referral, "accepted", date(2023, 1, 5), today=TODAY)
    with pytest.raises(RuleViolation, match="déjà répondu"):
        ref_ops.withdraw_referral(sw, referral, "Mauvaise personne", referral.version_id)
    ref_ops.undo_referral_step(ro, referral, "Acceptée par erreur", referral.version_id)
    ref_ops.withdraw_referral(sw, referral, "Mauvaise personne", referral.version_id)
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
    entry = corrections(person)[-1]
    assert (entry.action, entry.detail, entry.changes["before"]["need"]) == ("cancel_record", "referral",
                                                                            "Cours de français")
