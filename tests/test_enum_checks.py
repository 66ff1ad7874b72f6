"""Every enumerated column carries a named CHECK (issue 13, item 4): the database itself refuses a value
outside its enumeration, on SQLite and PostgreSQL, whatever wrote it (a script, a bulk load, a bug)."""
from datetime import date, datetime

import pytest
from sqlalchemy import CheckConstraint, text
from sqlalchemy.exc import IntegrityError

from agir.extensions import db
from models import (
    Alert,
    Appointment,
    AuditEntry,
    DiagnosticArea,
    Document,
    Event,
    Exit,
    HousingAccess,
    HousingStep,
    Job,
    Participation,
    PersonLanguage,
    PlanObjective,
    RightStep,
    Training,
    enums,
)
from models.reminder import REMINDER_CHANNELS, REMINDER_KINDS, REMINDER_STATUSES, ReminderMessage
from tests import factories
from tests.referrals_factories import make_referral

# (table, column): the enumeration its values come from.
ENUMERATED = {
    ("departments", "agir_wave"): enums.DEPARTMENT_WAVES,
    ("structures", "kind"): enums.STRUCTURE_KINDS,
    ("programmes", "theme"): enums.THEMES,
    ("persons", "sex"): enums.SEXES,
    ("persons", "status"): enums.STATUSES,
    ("persons", "hosting"): enums.HOSTINGS,
    ("persons", "language_level"): enums.LEVELS,
    ("accompaniments", "kind"): enums.ACCOMPANIMENT_KINDS,
    ("exits", "reason"): enums.EXIT_REASONS,
    ("exits", "job_kind"): enums.JOB_KINDS,
    ("exits", "training_level"): enums.TRAINING_LEVELS,
    ("right_steps", "kind"): enums.RIGHT_KINDS,
    ("right_steps", "state"): enums.RIGHT_STATES,
    ("housing_steps", "kind"): enums.HOUSING_STEP_KINDS,
    ("housing_accesses", "kind"): enums.HOUSING_KINDS,
    ("jobs", "kind"): enums.JOB_KINDS,
    ("trainings", "level"): enums.TRAINING_LEVELS,
    ("referrals", "state"): enums.REFERRAL_STATES,
    ("participations", "level_start"): enums.LEVELS,
    ("participations", "level_end"): enums.LEVELS,
    ("events", "kind"): enums.EVENT_KINDS,
    ("users", "role"): enums.ROLES,
    ("audit_entries", "role"): enums.ROLES,
    ("alerts", "kind"): enums.ALERT_KINDS,
    # Contract v2 (issue 15, migration 0011).
    ("persons", "orientation_source"): enums.ORIENTATION_SOURCES,
    ("person_languages", "level"): enums.LANGUAGE_LEVELS,
    ("appointments", "kind"): enums.APPOINTMENT_KINDS,
    ("appointments", "mode"): enums.APPOINTMENT_MODES,
    ("appointments", "status"): enums.APPOINTMENT_STATUSES,
    ("documents", "kind"): enums.DOCUMENT_KINDS,
    ("diagnostic_areas", "area"): enums.AREAS,
    ("diagnostic_areas", "need"): enums.NEEDS,
    ("plan_objectives", "area"): enums.AREAS,
    ("plan_objectives", "state"): enums.OBJECTIVE_STATES,
    # Issue 17: the reminders outbox.
    ("reminder_messages", "kind"): REMINDER_KINDS,
    ("reminder_messages", "channel"): REMINDER_CHANNELS,
    ("reminder_messages", "status"): REMINDER_STATUSES,
    # Issue 18: the virus scan of a document's bytes (migration 0018).
    ("documents", "scan_status"): enums.SCAN_STATUSES,
}
# CHECKs that bound a number rather than an enumeration.
BOUNDS = {("appointments", "ck_appointments_minutes"),
          ("session_attendances", "ck_session_attendances_hours_positive")}  # a presence is more than 0 h
# Enumerated columns of tables without an id, refused values tested in their own file: the milestones kept by the
# database (tests/test_person_milestones.py).
KEYED = {("person_milestones", "ck_person_milestones_milestone")}


def _one_row_of_every_table(world):
    """A valid row in every table holding an enumerated column; {table: id}."""
    dep, agir = world.department, world.agir
    person = factories.make_person(dep, agir, hosting="dna")
    accompaniment = factories.make_accompaniment(person, agir, exit_on=date(2023, 3, 1))
    exit_ = Exit(accompaniment=accompaniment, exit_on=date(2023, 3, 1), reason="goals_reached", job_kind="cdi",
                 training_level="qualifying")
    rows = [exit_, RightStep(person=person, kind="rsa", state="todo"),
            HousingStep(person=person, kind="siao_application", step_on=date(2022, 10, 1)),
            HousingAccess(person=person, kind="social_rental", access_on=date(2022, 11, 1)),
            Job(person=person, kind="cdd", start_on=date(2022, 12, 1), months=6),
            Training(person=person, level="diploma", start_on=date(2022, 12, 1)),
            Participation(person=person, programme=world.programme, start_on=date(2022, 9, 1), level_start="A1",
                          level_end="A2"),
            Event(person=person, kind="digital_tool", event_on=date(2022, 9, 2)),
            Alert(kind="inactive", person=person, structure=agir, due_on=date(2022, 9, 3),
                  first_seen_on=date(2022, 9, 3), last_seen_on=date(2022, 9, 3)),
            AuditEntry(role="social_worker", action="view_person", person_id=person.id),
            PersonLanguage(person=person, code="prs", level="native"),
            Appointment(person=person, structure=agir, start_at=datetime(2022, 9, 5, 10, 0), minutes=60,
                        kind="first_interview", mode="on_site", status="planned"),
            Document(person=person, structure=agir, kind="identity", document_on=date(2022, 9, 5)),
            DiagnosticArea(accompaniment=accompaniment, area="rights", need="high"),
            PlanObjective(accompaniment=accompaniment, area="housing", objective="Logement", state="open")]
    db.session.add_all(rows)
    db.session.flush()
    appointment = next(row for row in rows if isinstance(row, Appointment))
    reminder = ReminderMessage(appointment_id=appointment.id, person_id=person.id, start_at=appointment.start_at,
                               kind="two_days", channel="sms", locale="fr", recipient="33600000000", body="Rappel")
    db.session.add(reminder)
    referral = make_referral(person, world.programme)
    db.session.commit()
    ids = {"departments": dep.id, "structures": agir.id, "programmes": world.programme.id, "persons": person.id,
           "accompaniments": accompaniment.id, "referrals": referral.id, "users": world.users.social_worker.id}
    ids |= {row.__tablename__: row.id for row in rows}
    ids["reminder_messages"] = reminder.id
    return ids


def test_every_enumerated_column_has_its_named_check():
    checks = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.constraints
              if isinstance(c, CheckConstraint)}
    assert checks == {(table, f"ck_{table}_{column}") for table, column in ENUMERATED} | BOUNDS | KEYED


@pytest.mark.parametrize(("table", "column"), sorted(ENUMERATED))
def test_the_database_refuses_a_value_outside_the_enumeration(world, table, column):
    ids = _one_row_of_every_table(world)
    bad = 1999 if column == "agir_wave" else "x"  # fits every column, even sex VARCHAR(1)
    with pytest.raises(IntegrityError) as refused, db.engine.begin() as conn:
        conn.execute(text(f'UPDATE "{table}" SET "{column}" = :bad WHERE id = :id'), {"bad": bad, "id": ids[table]})
    assert f"ck_{table}_{column}" in str(refused.value) or "CHECK constraint failed" in str(refused.value)
    # Every value of the enumeration is accepted (the CHECK is not narrower than the code).
    with db.engine.begin() as conn:
        for value in ENUMERATED[(table, column)]:
            conn.execute(text(f'UPDATE "{table}" SET "{column}" = :v WHERE id = :id'), {"v": value, "id": ids[table]})


def test_an_orm_insert_with_a_bad_value_is_refused_and_nothing_is_written(world):
    person = factories.make_person(world.department, world.agir)
    db.session.commit()
    db.session.add(Job(person_id=person.id, kind="cdi_de_chantier", start_on=date(2023, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(Job).count() == 0


def test_the_enumerations_are_strenums_whose_tuples_keep_plain_values():
    assert enums.Role.SOCIAL_WORKER == "social_worker"
    assert enums.ROLES == ("social_worker", "referral_officer", "pilot", "admin", "regional_pilot", "national_pilot")
    assert enums.ReferralState("sent") is enums.ReferralState.SENT
    assert enums.RightState.OBTAINED in enums.RIGHT_STATES
    for values in ENUMERATED.values():
        assert all(type(v) in (str, int) for v in values)
    assert enums.LEVELS == ("pre_A1", "A1", "A2", "B1", "B2", "C1", "C2")  # order matters (CECRL)
