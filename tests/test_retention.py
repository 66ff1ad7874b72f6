"""The retention job: files without activity for RETENTION_YEARS after the end of their last accompaniment
are anonymised (statistics kept), never an open one; idempotent, audited; old audit entries purged."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from agir import jobs, scheduler
from agir.dates import add_months
from agir.extensions import db
from agir.indicators import build_scope, compute_indicators
from agir.interchange.exporter import iter_export_lines
from agir.interchange.importer import import_lines
from agir.privacy import ANONYMISED_FIELDS, ANONYMOUS, ERASED
from agir.retention import run_retention
from models import (
    Accompaniment,
    AuditEntry,
    Event,
    Exit,
    Extension,
    FollowUp,
    HousingStep,
    Note,
    Participation,
    Person,
    Referral,
    RightStep,
)
from tests import factories

AS_OF = date(2026, 3, 15)


def closed_file(world, exit_on: date, start: date = date(2022, 9, 1), **person):
    """A person whose accompaniment ended on exit_on, with notes, free texts, rights and a referral."""
    values = dict(phone="06 12 34 56 78", email="amina@example.org", birth_on=date(1998, 11, 20),
                  prior_programme="HOPE 2021")
    values.update(person)
    p = factories.make_person(world.department, world.agir, **values)
    acc = factories.make_accompaniment(p, world.agir, start=start, planned_end=add_months(start, 10),
                                       current_end=add_months(start, 12), exit_on=exit_on)
    acc.exit = Exit(exit_on=exit_on, reason="goals_reached", job_kind="cdi")
    acc.extensions.append(Extension(decided_on=start + timedelta(days=100), planned_end_on=add_months(start, 12),
                                    reason="Attente d'un logement après le décès du conjoint"))
    db.session.add_all([
        Note(person=p, noted_on=start, text="Entretien : situation familiale difficile"),
        RightStep(person=p, kind="caf_benefits", state="refused", requested_on=start, refused_on=start,
                  refusal_reason="Dossier incomplet (pièce d'identité de M. Dupont)"),
        RightStep(person=p, kind="health_insurance", state="obtained", requested_on=start, obtained_on=start),
        HousingStep(person=p, kind="social_housing_application", step_on=start, number="033-2022-1234567"),
        Referral(person=p, programme=world.programme, sender_structure=world.agir, state="completed",
                 need="Cours du soir, garde des enfants le mercredi", sent_on=start, accepted_on=start,
                 started_on=start, completed_on=start + timedelta(days=30)),
        Participation(person=p, programme=world.programme, start_on=start, end_on=start + timedelta(days=30),
                      planned_hours=100.0, attended_hours=90.0, level_start="A1", level_end="A2"),
    ])
    db.session.flush()
    return p


def anonymised_ids() -> set[int]:
    return set(db.session.scalars(select(Person.id).where(Person.anonymised_at.is_not(None))))


def counts() -> dict[str, int]:
    """Rows of the statistical tables (they must survive anonymisation)."""
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Accompaniment, Exit, Extension, RightStep, HousingStep, Referral, Participation, Event)}


def test_an_expired_file_is_anonymised_and_its_statistics_kept(world):
    person = closed_file(world, exit_on=date(2024, 3, 14))
    old_ref, old_pseudonym, person_id = person.ref, person.pseudonym, person.id
    db.session.commit()
    before = counts()

    result = run_retention(AS_OF)
    db.session.commit()

    assert result.anonymised == [person_id]
    p = db.session.get(Person, person_id)
    assert (p.last_name, p.first_name, p.phone, p.email, p.prior_programme) == (ANONYMOUS, ANONYMOUS, None, None, None)
    assert p.birth_on == date(1998, 1, 1)
    assert p.anonymised_at is not None
    assert p.ref != old_ref and p.ref.startswith("ANON-") and p.pseudonym != old_pseudonym
    assert db.session.scalar(select(func.count(Note.id))) == 0
    assert counts() == before
    assert db.session.scalar(select(Referral.need)) is None
    assert set(db.session.scalars(select(Extension.reason))) == {ERASED}
    assert db.session.scalar(select(RightStep.refusal_reason).where(RightStep.kind == "caf_benefits")) == ERASED
    assert db.session.scalar(select(HousingStep.number)) is None
    # What the statistics read is untouched.
    acc = db.session.scalar(select(Accompaniment))
    assert (acc.start_on, acc.exit_on, acc.exit.job_kind, acc.kind) == (date(2022, 9, 1), date(2024, 3, 14), "cdi",
                                                                        "agir")
    assert db.session.scalar(select(Participation.attended_hours)) == 90.0
    assert (p.status, p.sex, p.nationality, p.protection_on) == ("refugee", "F", "AFG", date(2022, 3, 1))


@pytest.mark.parametrize("exit_on, expected", [
    (date(2024, 3, 15), True),   # exactly two years before as_of: the day is reached
    (date(2024, 3, 16), False),  # one day short
])
def test_the_retention_period_is_counted_in_calendar_years(world, exit_on, expected):
    person = closed_file(world, exit_on=exit_on, start=date(2023, 9, 1))
    db.session.commit()
    assert (person.id in run_retention(AS_OF).anonymised) is expected


@pytest.mark.parametrize("as_of, expected", [(date(2026, 2, 27), False), (date(2026, 2, 28), True)])
def test_a_29_february_exit_is_two_years_old_on_28_february(world, as_of, expected):
    person = closed_file(world, exit_on=date(2024, 2, 29), start=date(2023, 9, 1))
    db.session.commit()
    assert (person.id in run_retention(as_of).anonymised) is expected


def test_an_open_accompaniment_is_never_anonymised(world):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir, start=date(2015, 1, 1), planned_end=date(2015, 12, 31))
    db.session.commit()
    assert run_retention(date(2040, 1, 1)).anonymised == []
    assert db.session.get(Person, person.id).last_name != ANONYMOUS


def test_a_closed_accompaniment_then_a_new_open_one_is_kept(world):
    person = closed_file(world, exit_on=date(2019, 6, 30), start=date(2019, 1, 2))
    factories.make_accompaniment(person, world.agir, start=date(2025, 1, 6), planned_end=date(2025, 12, 31))
    db.session.commit()
    assert run_retention(date(2040, 1, 1)).anonymised == []


@pytest.mark.parametrize("late_record", ["note", "followup", "referral", "event", "participation_end"])
def test_activity_after_the_exit_moves_the_retention_on(world, late_record):
    person = closed_file(world, exit_on=date(2023, 6, 30), start=date(2022, 9, 1))
    late = date(2024, 6, 1)
    acc = person.accompaniments[0]
    db.session.add({
        "note": lambda: Note(person=person, noted_on=late, text="Nouvelles"),
        "followup": lambda: FollowUp(exit=acc.exit, followup_on=late, is_positive=True),
        "referral": lambda: Referral(person=person, programme=world.programme, sent_on=late, state="sent"),
        "event": lambda: Event(person=person, kind="medical_consultation", event_on=late),
        "participation_end": lambda: Participation(person=person, programme=world.programme,
                                                   start_on=date(2023, 1, 1), end_on=late),
    }[late_record]())
    db.session.commit()
    assert run_retention(date(2026, 5, 31)).anonymised == []
    assert run_retention(date(2026, 6, 1)).anonymised == [person.id]


def test_a_file_never_enrolled_expires_after_its_last_activity_or_its_creation(world):
    empty = factories.make_person(world.department, world.agir)
    empty.created_at = datetime(2021, 5, 4, 10, 0)
    referred = factories.make_person(world.department, world.agir)
    referred.created_at = datetime(2021, 5, 4, 10, 0)
    db.session.add(Referral(person=referred, programme=world.programme, sent_on=date(2025, 1, 10), state="sent"))
    db.session.commit()
    assert run_retention(date(2023, 5, 3)).anonymised == []
    assert run_retention(date(2023, 5, 4)).anonymised == [empty.id]
    assert run_retention(date(2027, 1, 10)).anonymised == [referred.id]


def test_the_run_is_idempotent_and_audited_once_per_person_without_values(world):
    first = closed_file(world, exit_on=date(2023, 1, 31), last_name="Haidari", first_name="Amina")
    second = closed_file(world, exit_on=date(2022, 12, 31), last_name="Karimi", first_name="Omid")
    db.session.commit()
    assert sorted(run_retention(AS_OF).anonymised) == sorted([first.id, second.id])
    db.session.commit()
    snapshot = {(p.id, p.ref, p.pseudonym, p.version_id) for p in db.session.scalars(select(Person))}

    again = run_retention(AS_OF)
    db.session.commit()

    assert again.anonymised == []
    assert {(p.id, p.ref, p.pseudonym, p.version_id) for p in db.session.scalars(select(Person))} == snapshot
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "anonymise")).all()
    assert sorted(e.person_id for e in entries) == sorted([first.id, second.id])
    for entry in entries:
        assert entry.fields == sorted(ANONYMISED_FIELDS)
        text = f"{entry.fields} {entry.detail}"
        for value in ("Haidari", "Amina", "Karimi", "Omid", "06 12", "amina@example.org", "1998"):
            assert value not in text


def test_the_retention_years_come_from_the_configuration(world, app):
    person = closed_file(world, exit_on=date(2023, 6, 30))
    db.session.commit()
    app.config["RETENTION_YEARS"] = 3
    try:
        assert run_retention(AS_OF).anonymised == []
        assert run_retention(date(2026, 6, 30)).anonymised == [person.id]
    finally:
        app.config["RETENTION_YEARS"] = 2


def _entry(at: datetime, action="view_person"):
    entry = AuditEntry(at=at, action=action, fields=[])
    db.session.add(entry)
    return entry


def test_audit_entries_older_than_a_year_are_purged(world):
    old = _entry(datetime(2025, 3, 14, 23, 59))          # 365 days and a minute before as_of
    kept = _entry(datetime(2025, 3, 15, 0, 0))           # exactly 365 days: kept
    recent = _entry(datetime(2026, 3, 1, 12, 0))
    db.session.commit()
    ids = (old.id, kept.id, recent.id)

    result = run_retention(AS_OF)
    db.session.commit()

    assert result.audit_purged == 1
    left = set(db.session.scalars(select(AuditEntry.id).where(AuditEntry.id.in_(ids))))
    assert left == {kept.id, recent.id}


def test_the_audit_retention_comes_from_the_configuration(world, app):
    _entry(datetime(2026, 1, 1))
    db.session.commit()
    app.config["AUDIT_RETENTION_DAYS"] = 30
    try:
        assert run_retention(AS_OF).audit_purged == 1
    finally:
        app.config["AUDIT_RETENTION_DAYS"] = 365


def test_the_indicators_of_the_period_do_not_change(world):
    for day in (date(2023, 5, 31), date(2023, 8, 31), date(2023, 12, 1)):
        closed_file(world, exit_on=day, birth_on=date(1990, 7, 14))
    db.session.commit()
    scope = build_scope("2022-01-01", "2023-12-31", department="33", as_of="2024-01-01")
    before = compute_indicators(scope)
    assert len(run_retention(AS_OF).anonymised) == 3
    db.session.commit()
    assert compute_indicators(scope) == before


def test_an_export_with_anonymised_files_still_imports(world, app):
    closed_file(world, exit_on=date(2023, 5, 31))
    db.session.commit()
    run_retention(AS_OF)
    db.session.commit()
    lines = list(iter_export_lines())
    _empty_database(app)
    result = import_lines(lines)
    assert result.errors == []
    assert db.session.scalar(select(Person.last_name)) == ANONYMOUS


def _empty_database(app):
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def test_the_command_dry_run_changes_nothing(world, runner):
    person = closed_file(world, exit_on=date(2023, 5, 31))
    _entry(datetime(2020, 1, 1))
    db.session.commit()
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    result = runner.invoke(args=["agir", "retention", "--as-of", "2026-03-15", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 dossier(s) seraient anonymisé(s)" in result.output
    assert "1 entrée(s) du journal d'audit seraient supprimée(s)" in result.output
    db.session.expire_all()
    assert anonymised_ids() == set()
    assert db.session.get(Person, person.id).last_name != ANONYMOUS
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries


def test_the_command_anonymises_and_reports(world, runner):
    person = closed_file(world, exit_on=date(2023, 5, 31))
    db.session.commit()
    result = runner.invoke(args=["agir", "retention", "--as-of", "2026-03-15"])
    assert result.exit_code == 0, result.output
    assert "1 dossier(s) ont été anonymisé(s)" in result.output
    db.session.expire_all()
    assert anonymised_ids() == {person.id}
    again = runner.invoke(args=["agir", "retention", "--as-of", "2026-03-15"])
    assert "0 dossier(s) ont été anonymisé(s)" in again.output


def test_the_command_refuses_a_bad_date(runner, app_ctx):
    result = runner.invoke(args=["agir", "retention", "--as-of", "2026-02-30"])
    assert result.exit_code == 1
    assert "date invalide" in result.output


def test_the_nightly_job_commits_and_does_not_run_twice_at_once(world):
    person = closed_file(world, exit_on=date(2023, 5, 31))
    db.session.commit()
    holder = jobs.acquire_lock(jobs.RETENTION_LOCK)
    try:
        assert jobs.run_retention_job(AS_OF) is None
    finally:
        jobs.release_lock(jobs.RETENTION_LOCK, holder)
    assert jobs.run_retention_job(AS_OF) == {"anonymised": 1, "audit_purged": 0, "orphans_deleted": 0}
    db.session.rollback()
    assert anonymised_ids() == {person.id}


def test_the_scheduler_runs_the_retention_job_at_night(world, app, monkeypatch):
    person = closed_file(world, exit_on=date(2023, 5, 31))
    db.session.commit()
    job = next(j for j in scheduler.JOBS if j["id"] == "nightly_retention")
    assert (job["trigger"], job["hour"]) == ("cron", 3)
    monkeypatch.setattr("agir.jobs.paris_today", lambda: AS_OF)
    monkeypatch.setattr(scheduler, "_app", app)
    scheduler.nightly_retention()
    db.session.expire_all()
    assert anonymised_ids() == {person.id}


def test_an_anonymised_file_leaves_the_lists_and_its_page_is_404(world, client, login):
    person = closed_file(world, exit_on=date(2023, 5, 31))
    db.session.commit()
    login("sw@example.fr")
    assert client.get(f"/persons/{person.id}").status_code == 200
    run_retention(AS_OF)
    db.session.commit()
    assert client.get(f"/persons/{person.id}").status_code == 404
    assert client.get(f"/privacy/persons/{person.id}.json").status_code == 404
    assert ANONYMOUS not in client.get("/persons/?accompaniment=closed").get_data(as_text=True)


def test_the_corrections_audit_loses_its_values_and_reason_with_the_identity(world):
    """A correction's audit entry kept the name before and after and the typed reason (the fourth session's closing
    note): anonymisation keeps the entry (who corrected which field, when) and erases the values and the reason."""
    from agir.audit import record_correction

    person = closed_file(world, exit_on=date(2023, 1, 31), last_name="Haidari", first_name="Amina")
    kept = closed_file(world, exit_on=date(2025, 12, 31), last_name="Karimi", first_name="Omid")
    for who in (person, kept):
        record_correction(world.users.social_worker, who, "person", {"last_name": "Haidary"},
                          {"last_name": who.last_name}, f"Nom mal orthographié par l'OFII ({who.first_name})")
    db.session.commit()

    assert run_retention(AS_OF).anonymised == [person.id]
    db.session.commit()

    entries = {e.person_id: e for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "correct_record"))}
    erased = entries[person.id]
    assert erased.fields == ["last_name"] and erased.detail == "person"
    assert erased.changes is None and erased.reason == ERASED
    assert "Haidar" not in f"{erased.changes} {erased.reason}" and "Amina" not in str(erased.reason)
    untouched = entries[kept.id]
    assert untouched.changes["after"] == {"last_name": "Karimi"} and "Omid" in untouched.reason
