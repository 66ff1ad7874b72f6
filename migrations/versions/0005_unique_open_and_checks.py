"""one open accompaniment per person and one open referral per person and programme (partial unique
indexes); a named CHECK on every enumerated column

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 12:45:00

Before the indexes are built, the duplicates left by simultaneous submissions are resolved the way the
application would have (docs/rules.md, « Races, enumerations and roles »): a second open accompaniment
identical to the first (same structure, same start, nothing recorded on it) is removed; a second open
referral of a person to a programme is cancelled on the day it was sent. Each is written to the audit
log as a cancellation, with its reason. Any other conflict stops the migration with the list of files to
correct by hand (nothing is written).
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN_REFERRAL = "state IN ('sent', 'accepted', 'started')"
OPEN_ACCOMPANIMENT = "exit_on IS NULL"
LEVELS = "('pre_A1', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2')"
JOB_KINDS = "('cdi', 'cdd', 'interim', 'apprenticeship', 'subsidised', 'self_employed')"
TRAINING_LEVELS = "('pre_qualifying', 'qualifying', 'certifying', 'diploma')"
ROLES = "('social_worker', 'referral_officer', 'pilot', 'admin')"

# table: [(constraint name, condition)] — the values of models/enums.py at this revision.
CHECKS = {
    "departments": [("ck_departments_agir_wave", "agir_wave IN (2022, 2023, 2024)")],
    "structures": [("ck_structures_kind",
                    "kind IN ('agir_operator', 'project_operator', 'programme_operator', 'state_service')")],
    "persons": [
        ("ck_persons_sex", "sex IN ('F', 'M')"),
        ("ck_persons_status",
         "status IN ('refugee', 'subsidiary_protection', 'stateless', 'family', 'economic', 'other')"),
        ("ck_persons_hosting",
         "hosting IN ('dna', 'cph', 'general_shelter', 'third_party', 'homeless', 'own_housing')"),
        ("ck_persons_language_level", f"language_level IN {LEVELS}"),
    ],
    "programmes": [("ck_programmes_theme",
                    "theme IN ('employment', 'professional_french', 'language', 'health', 'mental_health', "
                    "'mobility', 'host_society', 'mentoring', 'childcare', 'digital', 'sport_culture', "
                    "'republic_values', 'global_support', 'housing', 'rights')")],
    "users": [("ck_users_role", f"role IN {ROLES}")],
    "audit_entries": [("ck_audit_entries_role", f"role IN {ROLES}")],
    "accompaniments": [("ck_accompaniments_kind", "kind IN ('agir', 'project')")],
    "exits": [
        ("ck_exits_reason", "reason IN ('goals_reached', 'max_duration', 'moved_away', 'dropped_out', "
                            "'autonomous', 'deceased', 'other')"),
        ("ck_exits_job_kind", f"job_kind IN {JOB_KINDS}"),
        ("ck_exits_training_level", f"training_level IN {TRAINING_LEVELS}"),
    ],
    "alerts": [("ck_alerts_kind",
                "kind IN ('end_soon', 'overdue', 'over_limit', 'permit_expiry', 'referral_unanswered', "
                "'followup_due', 'inactive', 'eligibility_closing')")],
    "right_steps": [
        ("ck_right_steps_kind",
         "kind IN ('health_insurance', 'complementary_health', 'caf_benefits', 'rsa', 'employment_registration', "
         "'bank_account', 'residence_permit', 'civil_status', 'driving_licence')"),
        ("ck_right_steps_state", "state IN ('todo', 'requested', 'obtained', 'refused', 'not_applicable')"),
    ],
    "housing_steps": [("ck_housing_steps_kind",
                       "kind IN ('social_housing_application', 'siao_application', 'iml_application', 'other')")],
    "housing_accesses": [("ck_housing_accesses_kind",
                          "kind IN ('social_rental', 'private_rental', 'iml_mandate', 'iml_sublet', 'temporary')")],
    "jobs": [("ck_jobs_kind", f"kind IN {JOB_KINDS}")],
    "trainings": [("ck_trainings_level", f"level IN {TRAINING_LEVELS}")],
    "referrals": [("ck_referrals_state", "state IN ('sent', 'accepted', 'refused', 'started', 'completed', "
                                         "'dropped_out', 'cancelled')")],
    "participations": [
        ("ck_participations_level_start", f"level_start IN {LEVELS}"),
        ("ck_participations_level_end", f"level_end IN {LEVELS}"),
    ],
    "events": [("ck_events_kind", "kind IN ('medical_consultation', 'mentoring_pair', 'digital_tool', "
                                  "'sport_event', 'cultural_event')")],
}

DUPLICATE_REASON = "Doublon créé par deux enregistrements simultanés (migration 0005)."


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _audit(conn, person_id: int, record: str, before: dict) -> None:
    conn.execute(sa.text(
        "INSERT INTO audit_entries (at, person_id, action, fields, detail, reason, changes) "
        "VALUES (:at, :person_id, 'cancel_record', :fields, :detail, :reason, :changes)").bindparams(
        sa.bindparam("fields", type_=sa.JSON), sa.bindparam("changes", type_=sa.JSON)),
        {"at": _now(), "person_id": person_id, "fields": sorted(before), "detail": record,
         "reason": DUPLICATE_REASON, "changes": {"record": record, "before": before, "after": None}})


def _resolve_duplicates(conn) -> None:
    """Remove the exact duplicates of open accompaniments, cancel the second open referrals, or stop."""
    rows = conn.execute(sa.text(
        f"SELECT id, person_id, structure_id, start_on, planned_end_on FROM accompaniments WHERE {OPEN_ACCOMPANIMENT} "
        "ORDER BY person_id, id")).all()
    first: dict[int, tuple] = {}
    conflicts, duplicates = [], []
    for id_, person_id, structure_id, start_on, planned_end_on in rows:
        if person_id not in first:
            first[person_id] = (structure_id, start_on)
            continue
        recorded = conn.execute(sa.text("SELECT count(*) FROM extensions WHERE accompaniment_id = :id"),
                                {"id": id_}).scalar()
        if first[person_id] != (structure_id, start_on) or recorded:
            conflicts.append(person_id)
        else:
            duplicates.append((id_, person_id, structure_id, start_on, planned_end_on))
    if conflicts:  # checked before anything is written
        raise RuntimeError(
            "Migration 0005 : ces personnes ont plusieurs accompagnements ouverts qui ne sont pas de simples "
            "doublons ; enregistrez la sortie ou supprimez l'accompagnement en trop, puis relancez la migration "
            f"(persons.id : {sorted(set(conflicts))}).")
    for id_, person_id, structure_id, start_on, planned_end_on in duplicates:
        conn.execute(sa.text("DELETE FROM accompaniments WHERE id = :id"), {"id": id_})
        _audit(conn, person_id, "accompaniment",
               {"start": str(start_on), "planned_end": str(planned_end_on), "structure_id": structure_id})
    rows = conn.execute(sa.text(
        f"SELECT id, person_id, programme_id, state, sent_on FROM referrals WHERE {OPEN_REFERRAL} "
        "ORDER BY person_id, programme_id, sent_on, id")).all()
    seen = set()
    for id_, person_id, programme_id, state, sent_on in rows:
        if (person_id, programme_id) not in seen:
            seen.add((person_id, programme_id))
            continue
        conn.execute(sa.text("UPDATE referrals SET state = 'cancelled', cancelled_on = sent_on, "
                             "accepted_on = NULL, started_on = NULL WHERE id = :id"), {"id": id_})
        _audit(conn, person_id, "referral", {"state": state, "sent_on": str(sent_on), "programme_id": programme_id})


def upgrade():
    conn = op.get_bind()
    _resolve_duplicates(conn)
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, condition in checks:
                batch.create_check_constraint(op.f(name), condition)
    op.create_index("uq_accompaniments_open_person_id", "accompaniments", ["person_id"], unique=True,
                    sqlite_where=sa.text(OPEN_ACCOMPANIMENT), postgresql_where=sa.text(OPEN_ACCOMPANIMENT))
    op.create_index("uq_referrals_open_person_id_programme_id", "referrals", ["person_id", "programme_id"],
                    unique=True, sqlite_where=sa.text(OPEN_REFERRAL), postgresql_where=sa.text(OPEN_REFERRAL))


def downgrade():
    op.drop_index("uq_referrals_open_person_id_programme_id", table_name="referrals")
    op.drop_index("uq_accompaniments_open_person_id", table_name="accompaniments")
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(checks):
                batch.drop_constraint(op.f(name), type_="check")
