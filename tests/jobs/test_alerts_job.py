"""The alerts computed from the database, `agir alerts` JSON, and the nightly sync of the alerts table."""
import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from agir import alerts, jobs
from agir.extensions import db
from agir.queries import inbox
from models import Alert, FollowUp, Person
from tests.jobs import scenario


def _open_alerts():
    return {(a.kind, a.person.ref, a.structure.ref if a.structure else None): a
            for a in db.session.scalars(select(Alert).where(Alert.resolved_on.is_(None)))}


def test_every_alert_of_the_scenario_and_no_other(world):
    scenario.build(world)
    found = alerts.compute_alerts(db.session, scenario.AS_OF)
    assert alerts.as_interchange(db.session, found) == scenario.EXPECTED


def test_cli_prints_the_interchange_json(world, runner):
    scenario.build(world)
    result = runner.invoke(args=["agir", "alerts", "--as-of", "2023-06-15"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == scenario.EXPECTED


def test_cli_is_read_only_and_defaults_to_today(world, runner):
    scenario.build(world)
    result = runner.invoke(args=["agir", "alerts"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert all(set(item) == {"kind", "person", "structure", "date"} for item in items)
    assert db.session.scalar(select(Alert.id)) is None


def test_cli_refuses_a_bad_date(runner, app_ctx):
    result = runner.invoke(args=["agir", "alerts", "--as-of", "15/06/2023"])
    assert result.exit_code == 1
    assert "date invalide" in result.output


def test_an_anonymised_person_raises_no_alert(world):
    people = scenario.build(world)
    people.f.anonymised_at = people.f.created_at
    db.session.commit()
    kinds = {(a["kind"], a["person"]) for a in alerts.as_interchange(
        db.session, alerts.compute_alerts(db.session, scenario.AS_OF))}
    assert ("inactive", "P-F") not in kinds and ("overdue", "P-B") in kinds


def test_any_dated_action_keeps_the_file_active(world):
    people = scenario.build(world)
    from models import RightStep
    db.session.add(RightStep(person=people.f, kind="bank_account", state="requested", requested_on=date(2023, 5, 1)))
    db.session.commit()
    found = {(x.kind, x.person_id): x for x in alerts.compute_alerts(db.session, scenario.AS_OF)}
    assert ("inactive", people.f.id) not in found
    later = {(x.kind, x.person_id): x for x in alerts.compute_alerts(db.session, date(2023, 6, 30))}
    assert later[("inactive", people.f.id)].due_on == date(2023, 6, 30)


def test_run_jobs_fills_the_table_and_a_second_run_changes_nothing(world, runner):
    scenario.build(world)
    result = runner.invoke(args=["agir", "run-jobs", "--as-of", "2023-06-15", "--only", "alerts"])
    assert result.exit_code == 0, result.output
    assert "new 11" in result.output
    db.session.expire_all()
    first = {k: (a.id, a.due_on, a.first_seen_on) for k, a in _open_alerts().items()}
    assert len(first) == 11
    again = jobs.run_alerts(scenario.AS_OF)
    assert again == {"new": 0, "kept": 11, "reopened": 0, "resolved": 0, "open": 11}
    db.session.expire_all()
    assert {k: (a.id, a.due_on, a.first_seen_on) for k, a in _open_alerts().items()} == first


def test_an_alert_keeps_its_first_seen_date_from_night_to_night(world):
    scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    jobs.run_alerts(scenario.AS_OF + timedelta(days=1))
    db.session.expire_all()
    overdue = _open_alerts()[("overdue", "P-B", "S-AGIR")]
    assert overdue.first_seen_on == scenario.AS_OF
    assert overdue.last_seen_on == scenario.AS_OF + timedelta(days=1)
    assert overdue.due_on == date(2023, 5, 1)


def test_a_night_with_nothing_new_writes_no_alert_row_by_row(world):
    """The open alerts seen again are moved to today by one statement; none is updated one by one (263,652
    UPDATEs a night at 1,000,000 persons before)."""
    from tests.indicators.test_sqlite_plans import sent_statements
    scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    sent = sent_statements(lambda: jobs.run_alerts(scenario.AS_OF + timedelta(days=1)))
    updates = [(sql, params) for sql, params in sent if re.match(r"\s*UPDATE alerts\b", sql)]
    assert len(updates) == 1 and "WHERE alerts.resolved_on IS NULL" in updates[0][0], updates
    db.session.expire_all()
    assert {a.last_seen_on for a in _open_alerts().values()} == {scenario.AS_OF + timedelta(days=1)}
    assert scenario.AS_OF in {a.first_seen_on for a in _open_alerts().values()}


def test_an_alert_is_resolved_when_it_no_longer_holds_and_comes_back_as_new(world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    exit_row = people.e_acc.exit
    exit_row.followup = FollowUp(followup_on=date(2023, 6, 16), is_positive=True)
    db.session.commit()
    counts = jobs.run_alerts(date(2023, 6, 16))
    assert counts["resolved"] >= 1
    db.session.expire_all()
    row = db.session.scalar(select(Alert).where(Alert.kind == "followup_due"))
    assert row.resolved_on == date(2023, 6, 16) and row.first_seen_on == scenario.AS_OF
    assert ("followup_due", "P-E", "S-AGIR") not in _open_alerts()

    db.session.delete(db.session.get(FollowUp, exit_row.followup.id))
    db.session.commit()
    counts = jobs.run_alerts(date(2023, 6, 20))
    assert counts["reopened"] == 1
    db.session.expire_all()
    back = _open_alerts()[("followup_due", "P-E", "S-AGIR")]
    assert back.id == row.id and back.resolved_on is None and back.first_seen_on == date(2023, 6, 20)


def test_a_renewed_permit_resolves_the_old_alert(world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    person = db.session.get(Person, people.c.id)
    person.permit_expiry_on = date(2033, 7, 31)
    db.session.commit()
    jobs.run_alerts(scenario.AS_OF + timedelta(days=1))
    db.session.expire_all()
    assert ("permit_expiry", "P-C", "S-AGIR") not in _open_alerts()


def test_persons_list_filter_selects_persons_with_open_alerts(world):
    people = scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    ids = set(db.session.scalars(inbox.open_alert_person_ids(world.agir.id)))
    assert ids == {people.a.id, people.b.id, people.c.id, people.d.id, people.e.id, people.f.id, people.g.id}
    assert set(db.session.scalars(inbox.open_alert_person_ids(world.agir.id, "overdue"))) == {people.b.id}
    assert set(db.session.scalars(inbox.open_alert_person_ids(world.other.id))) == {people.x.id}


def test_department_counts_for_the_pilot(world):
    scenario.build(world)
    jobs.run_alerts(scenario.AS_OF)
    counts = inbox.department_counts(db.session, world.department.id)
    assert counts["overdue"] == 1 and counts["inactive"] == 2 and counts["referral_unanswered"] == 1
    assert counts["eligibility_closing"] == 2 and set(counts) == set(alerts.ALERT_KINDS)
