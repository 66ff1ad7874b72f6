"""Rights, housing, jobs, trainings and events as recorded from the file: rules of SPEC §4.3 refused
with French messages next to their field, nothing half-written, audit with field names only."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import path as ops
from models import AuditEntry, Event, HousingAccess, HousingStep, Job, RightStep, Training
from tests import factories

TODAY = date(2024, 6, 15)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def person(world):
    return factories.make_person(world.department, world.agir)


def test_a_right_goes_from_requested_to_obtained(world, person):
    actor = world.users.social_worker
    step = ops.set_right(actor, person, "health_insurance", "requested", requested=date(2024, 3, 1), version=0,
                         today=TODAY)
    assert (step.state, step.requested_on, step.obtained_on) == ("requested", date(2024, 3, 1), None)
    ops.set_right(actor, person, "health_insurance", "obtained", requested=date(2024, 3, 1),
                  obtained=date(2024, 4, 2), version=step.version_id, today=TODAY)
    assert (step.state, step.obtained_on) == ("obtained", date(2024, 4, 2))
    assert count(RightStep) == 1  # one line per kind
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "set_right")
                                 .order_by(AuditEntry.id)).all()
    assert entries[0].fields == ["health_insurance.requested_on", "health_insurance.state"]
    assert entries[1].fields == ["health_insurance.obtained_on", "health_insurance.state"]


@pytest.mark.parametrize("state, dates, reason, field, message", [
    ("requested", {}, None, "requested", "date de demande est requise"),
    ("obtained", {"requested": date(2024, 3, 2), "obtained": date(2024, 3, 1)}, None, "obtained", "précéder"),
    ("todo", {"requested": date(2024, 3, 1)}, None, "requested", "ne va pas avec cet état"),
    ("refused", {"refused": date(2024, 3, 1)}, None, "reason", "motif du refus est obligatoire"),
    ("obtained", {"obtained": date(2024, 6, 16)}, None, "obtained", "postérieure à aujourd'hui"),
    ("granted", {}, None, "state", "État inconnu"),
])
def test_a_right_with_dates_that_do_not_match_its_state_is_refused(world, person, state, dates, reason, field,
                                                                    message):
    with pytest.raises(RuleViolation) as refused:
        ops.set_right(world.users.social_worker, person, "caf_benefits", state, reason=reason, today=TODAY, **dates)
    assert refused.value.field == field and message in refused.value.message
    assert count(RightStep) == 0


def test_a_refused_right_keeps_its_reason_until_it_is_requested_again(world, person):
    actor = world.users.social_worker
    step = ops.set_right(actor, person, "bank_account", "refused", requested=date(2024, 2, 1),
                         refused=date(2024, 3, 1), reason=" Pièce manquante ", today=TODAY)
    assert step.refusal_reason == "Pièce manquante"
    with pytest.raises(RuleViolation) as refused:  # a new request cannot be dated before the refusal
        ops.set_right(actor, person, "bank_account", "requested", requested=date(2024, 2, 1), reason="Pièce manquante",
                      version=step.version_id, today=TODAY)
    assert refused.value.field == "requested"
    ops.set_right(actor, person, "bank_account", "requested", requested=date(2024, 4, 1), reason="Pièce manquante",
                  version=step.version_id, today=TODAY)
    assert (step.state, step.requested_on, step.refused_on, step.refusal_reason) == ("requested", date(2024, 4, 1),
                                                                                     None, None)


def test_a_right_never_moves_backwards(world, person):
    actor = world.users.social_worker
    step = ops.set_right(actor, person, "rsa", "obtained", obtained=date(2024, 3, 1), today=TODAY)
    with pytest.raises(RuleViolation) as refused:
        ops.set_right(actor, person, "rsa", "not_applicable", version=step.version_id, today=TODAY)
    assert refused.value.field == "state" and step.state == "obtained"
    with pytest.raises(RuleViolation, match="utilisez « Corriger », avec un motif") as refused:
        ops.set_right(actor, person, "rsa", "obtained", obtained=date(2024, 3, 2), version=step.version_id,
                      today=TODAY)  # a recorded date is changed by a correction, with its reason
    assert refused.value.field == "obtained" and step.obtained_on == date(2024, 3, 1)


def test_a_right_changed_since_the_form_was_loaded_is_refused(world, person):
    actor = world.users.social_worker
    step = ops.set_right(actor, person, "rsa", "requested", requested=date(2024, 3, 1), version=0, today=TODAY)
    # A second form, loaded when the line did not exist yet, carries version 0.
    with pytest.raises(StaleRecord):
        ops.set_right(actor, person, "rsa", "not_applicable", version=0, today=TODAY)
    # A form loaded before the last save carries the previous version.
    seen = step.version_id
    ops.set_right(actor, person, "rsa", "refused", requested=date(2024, 3, 1), refused=date(2024, 4, 1),
                  reason="x", version=seen, today=TODAY)
    with pytest.raises(StaleRecord):
        ops.set_right(actor, person, "rsa", "obtained", requested=date(2024, 3, 1), obtained=date(2024, 4, 1),
                      version=seen, today=TODAY)
    assert step.state == "refused"


def test_an_unknown_kind_of_right_is_refused(world, person):
    with pytest.raises(RuleViolation, match="Droit inconnu"):
        ops.set_right(world.users.social_worker, person, "pension", "todo", today=TODAY)


def test_housing_steps_and_accesses_are_added_corrected_and_deleted(world, person):
    actor = world.users.social_worker
    step = ops.add_housing_step(actor, person, kind="social_housing_application", date=date(2024, 3, 1),
                                number=" 033-24-0001 ")
    assert (step.kind, step.step_on, step.number) == ("social_housing_application", date(2024, 3, 1), "033-24-0001")
    access = ops.record_housing_access(actor, person, kind="social_rental", date=date(2024, 5, 1))
    assert access.is_permanent
    ops.correct_item(actor, access, {"kind": "iml_sublet", "date": date(2024, 5, 2)}, "Sous-location, pas un bail",
                     version=access.version_id, today=TODAY)
    assert (access.kind, access.access_on, access.is_permanent) == ("iml_sublet", date(2024, 5, 2), False)
    ops.cancel_item(actor, step, "Saisie en double", version=step.version_id)
    assert count(HousingStep) == 0 and count(HousingAccess) == 1
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.person_id == person.id)
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["add_housing_step", "add_housing", "correct_record", "cancel_record"]
    update = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "correct_record")).one()
    assert sorted(update.fields) == ["date", "kind"]


@pytest.mark.parametrize("item_kind, values, field", [
    ("housing_step", {"kind": "lottery", "date": date(2024, 3, 1)}, "kind"),
    ("housing_step", {"kind": "siao_application", "date": None}, "date"),
    ("housing", {"kind": "social_rental", "date": date(2024, 6, 16)}, "date"),
    ("job", {"kind": "cdi", "date": date(2024, 3, 1), "months": 12}, "months"),
    ("job", {"kind": "cdd", "date": date(2024, 3, 1), "months": 0}, "months"),
    ("training", {"level": "master", "date": date(2024, 3, 1)}, "level"),
    ("event", {"kind": "sport_event", "date": date(2024, 3, 1), "event_ref": " "}, "event_ref"),
    ("event", {"kind": "medical_consultation", "date": None}, "date"),
])
def test_invalid_lines_of_the_path_are_refused_next_to_their_field(world, person, item_kind, values, field):
    models = (HousingStep, HousingAccess, Job, Training, Event)
    before = [count(m) for m in models]
    with pytest.raises(RuleViolation) as refused:
        ops.add_item(world.users.social_worker, person, item_kind, values, today=TODAY)
    assert refused.value.field == field
    assert [count(m) for m in models] == before


def test_jobs_trainings_and_events_are_recorded(world, person):
    actor = world.users.social_worker
    job = ops.add_job(actor, person, kind="cdd", date=date(2024, 3, 1), months=8)
    cdi = ops.add_job(actor, person, kind="cdi", date=date(2024, 5, 1), months=None)
    training = ops.add_training(actor, person, level="qualifying", date=date(2024, 4, 1))
    sport = ops.add_event(actor, person, kind="sport_event", date=date(2024, 4, 5), event_ref=" EV-42 ")
    consult = ops.add_event(actor, person, kind="medical_consultation", date=date(2024, 4, 6), event_ref="ignored")
    assert (job.months, cdi.months, training.level) == (8, None, "qualifying")
    assert (sport.event_ref, consult.event_ref) == ("EV-42", None)  # only sport and culture carry an id


def test_correcting_a_line_checks_it_again(world, person):
    actor = world.users.social_worker
    job = ops.add_job(actor, person, kind="cdd", date=date(2024, 3, 1), months=8)
    with pytest.raises(RuleViolation, match="CDI n'a pas de durée"):
        ops.correct_item(actor, job, {"kind": "cdi", "date": date(2024, 3, 1), "months": 8}, "CDI", today=TODAY)
    ops.correct_item(actor, job, {"kind": "cdi", "date": date(2024, 3, 1), "months": None}, "CDI", today=TODAY)
    assert (job.kind, job.months) == ("cdi", None)
