"""The demo: Gironde at every stage of the path relative to today, one account per role, --if-empty idempotent."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.access import persons_visible_to
from agir.dates import add_months, add_years
from agir.demo.demo import DEFAULT_PASSWORD, load_demo
from agir.extensions import db
from models import Accompaniment, Alert, Department, Exit, Person, Referral, User
from tests import factories

EMAILS = {
    "social_worker": "referente.parcours@demo.example.org",
    "referral_officer": "charge.orientation@demo.example.org",
    "pilot": "pilote.gironde@demo.example.org",
    "admin": "admin@demo.example.org",
    "regional_pilot": "pilote.nouvelle-aquitaine@demo.example.org",
    "national_pilot": "pilote.national@demo.example.org",
}


def counts() -> tuple[int, int]:
    """(persons, users) in the database."""
    return db.session.scalar(select(func.count(Person.id))), db.session.scalar(select(func.count(User.id)))


def test_demo_loads_gironde_and_prints_one_account_per_role(runner, app_ctx):
    result = runner.invoke(args=["agir", "demo"])
    assert result.exit_code == 0, result.output
    for email in EMAILS.values():
        assert email in result.output
    assert DEFAULT_PASSWORD in result.output and len(DEFAULT_PASSWORD) >= 12
    department = db.session.scalar(select(Department).where(Department.code == "33"))
    assert (department.name, department.agir_start_on, department.agir_wave, department.max_months) == \
        ("Gironde", date(2022, 7, 1), 2022, 12)
    users = {u.role: u for u in db.session.scalars(select(User))}
    assert set(users) == set(EMAILS)
    assert users["social_worker"].structure.kind == "agir_operator"
    assert users["referral_officer"].structure.kind == "programme_operator"
    assert users["pilot"].department.code == "33"
    assert users["admin"].structure is None
    assert users["regional_pilot"].region.code == "75" == department.region.code  # Gironde's region
    assert (users["national_pilot"].region_id, users["national_pilot"].department_id) == (None, None)
    persons, _ = counts()
    assert 30 <= persons <= 100


def test_each_demo_account_signs_in_with_the_printed_password(app, runner):
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    for email in EMAILS.values():
        assert factories.login(app.test_client(), email, "not the demo password").status_code == 200
        client = app.test_client()
        response = factories.login(client, email, DEFAULT_PASSWORD)
        assert response.status_code == 302, email
        home = client.get("/")  # straight to the role's space: a demo password is not a provisional one
        assert home.status_code == 302 and not home.headers["Location"].endswith("/account"), email


def test_if_empty_does_nothing_once_the_demo_is_there(runner, app_ctx):
    assert runner.invoke(args=["agir", "demo", "--if-empty"]).exit_code == 0
    before = counts()
    again = runner.invoke(args=["agir", "demo", "--if-empty"])
    assert again.exit_code == 0
    assert "démo non chargée" in again.output
    db.session.expire_all()
    assert counts() == before


def test_if_empty_does_nothing_when_only_an_account_exists(runner, app_ctx):
    factories.make_user("admin", email="first-admin@example.fr")
    db.session.commit()
    result = runner.invoke(args=["agir", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert counts() == (0, 1)


def test_if_empty_does_nothing_when_department_33_exists(runner, app_ctx):
    factories.make_department()
    db.session.commit()
    result = runner.invoke(args=["agir", "demo", "--if-empty"])
    assert result.exit_code == 0
    assert counts() == (0, 0)


def test_demo_twice_without_if_empty_fails_and_writes_nothing(runner, app_ctx):
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    before = counts()
    result = runner.invoke(args=["agir", "demo"])
    assert result.exit_code == 1
    assert "existe déjà" in result.output
    db.session.expire_all()
    assert counts() == before


def test_demo_shows_every_stage_relative_to_today(app_ctx):
    today = date.today()
    assert load_demo() is not None
    accs = db.session.scalars(select(Accompaniment)).all()
    open_ = [a for a in accs if a.exit_on is None]
    assert any(a.start_on >= today.replace(day=1) for a in open_)  # enrolled this month
    assert any(today <= a.current_end_on <= today + timedelta(days=30) for a in open_)  # end_soon
    assert any(a.current_end_on < today <= add_months(a.start_on, 12) for a in open_)  # overdue only
    assert any(add_months(a.start_on, 12) < today for a in open_)  # over limit
    assert any(a.extensions for a in accs)
    exits = db.session.scalars(select(Exit)).all()
    due = [x for x in exits if x.followup is None and add_months(x.exit_on, 6) <= today]
    assert any(x.job_kind == "cdd" and x.job_months == 8 for x in due)  # follow-up due after a CDD of 8 months
    assert any(x.reason in ("moved_away", "dropped_out", "autonomous", "deceased", "other") for x in exits)
    assert any(x.followup is not None and x.followup.is_positive for x in exits)
    assert any(x.training_level for x in exits)
    persons = db.session.scalars(select(Person)).all()
    assert any(p.permit_expiry_on and today <= p.permit_expiry_on <= today + timedelta(days=90) for p in persons)
    closing = [p for p in persons if p.is_bpi and not p.accompaniments and p.protection_on
               and today < add_years(p.protection_on, 2) <= today + timedelta(days=30)]
    assert closing
    unanswered = db.session.scalars(select(Referral).where(Referral.state == "sent",
                                                           Referral.sent_on <= today - timedelta(days=16))).all()
    assert unanswered and all(r.sender_structure_id for r in unanswered)
    assert any(not p.is_bpi and p.participations for p in persons)
    assert any(not p.accompaniments and p.is_bpi and p.protection_on > today - timedelta(days=60) for p in persons)


def test_the_social_worker_sees_the_files_opened_but_not_yet_enrolled(app_ctx):
    load_demo()
    worker = db.session.scalar(select(User).where(User.role == "social_worker"))
    visible = db.session.scalars(persons_visible_to(worker)).all()
    assert any(not p.accompaniments for p in visible)
    assert all(p.structure_id == worker.structure_id or
               any(a.structure_id == worker.structure_id for a in p.accompaniments) for p in visible)
    # Another AGIR operator holds some of the background files: not everyone is visible.
    assert len(visible) < db.session.scalar(select(func.count(Person.id)))


def test_the_alerts_command_finds_every_kind_of_alert_in_the_demo(runner, app_ctx):
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    result = runner.invoke(args=["agir", "alerts"])
    assert result.exit_code == 0, result.output
    kinds = {alert["kind"] for alert in json.loads(result.stdout)}
    assert {"end_soon", "overdue", "over_limit", "permit_expiry", "referral_unanswered", "followup_due",
            "eligibility_closing"} <= kinds


def test_the_alerts_are_computed_with_the_demo(app_ctx):
    load_demo()
    kinds = set(db.session.scalars(select(Alert.kind).where(Alert.resolved_on.is_(None))))
    assert {"end_soon", "overdue", "over_limit", "permit_expiry", "referral_unanswered", "followup_due",
            "eligibility_closing"} <= kinds


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2028, 2, 29), date(2027, 8, 31), date(2026, 12, 31)])
def test_demo_loads_whatever_the_day(app_ctx, today):
    accounts = load_demo(today=today)
    assert {a.role for a in accounts} == set(EMAILS)
    assert db.session.scalar(select(func.count(Person.id))) >= 30


# ---------------------------------------------------------------- contract v2 (issue 15, item 6)

def test_the_demo_pilots_above_the_department_land_on_their_scope(app_ctx, runner):
    from agir.operations import totp
    app = app_ctx
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    for role in ("regional_pilot", "national_pilot"):
        # Every pilot needs a second factor (issue 20): enrolled here as its holder would be at the first sign-in.
        user = db.session.scalar(select(User).where(User.email == EMAILS[role]))
        totp.enrol_for_tests_or_demo(user, factories.TOTP_SECRET)
        db.session.commit()
        client = app.test_client()
        assert factories.login(client, EMAILS[role], DEFAULT_PASSWORD).status_code == 302
        home = client.get("/")
        assert home.headers["Location"].endswith("/pilot/scope"), role
        assert "33 — Gironde" in client.get("/pilot/scope", follow_redirects=True).get_data(as_text=True)


def test_the_demo_files_carry_the_v2_fields(runner, app_ctx):
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    persons = [json.loads(line) for line in runner.invoke(args=["agir", "export"]).stdout.splitlines()]
    persons = [p for p in persons if p["type"] == "person"]
    by_name = {(p["first_name"], p["last_name"]): p for p in persons}
    assert all(p["languages"] for p in persons)
    assert {x["code"] for x in by_name["Jawad", "Karimi"]["languages"]} & {"prs", "pus"}
    assert {x["code"] for x in by_name["Senait", "Tesfay"]["languages"]} & {"tir", "tig"}
    assert any(p["interpreter"] for p in persons)
    enrolled = [p for p in persons if p["accompaniments"]]
    assert all(p["orientation"] and p["orientation"]["date"] <= p["accompaniments"][0]["start"] for p in enrolled)
    assert any(a["diagnostic"] and a["plan"] and a["contract"] for p in enrolled for a in p["accompaniments"])
    statuses = {x["status"] for p in persons for x in p["appointments"]}
    assert {"planned", "honoured", "missed", "excused"} <= statuses
    naweed = by_name["Naweed", "Safi"]
    assert [d["expires"] for d in naweed["documents"] if d["kind"] == "residence_permit"] == [naweed["permit_expiry"]]


def test_every_new_figure_cohort_field_and_alert_is_non_zero_on_the_demo(runner, app_ctx):
    assert runner.invoke(args=["agir", "demo"]).exit_code == 0
    today = date.today()
    result = runner.invoke(args=["agir", "indicators", "--from", add_months(today, -12).isoformat(),
                                 "--to", today.isoformat()])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    for section in ("exit_outcomes", "entry", "appointments"):
        zero = [key for key, value in figures[section].items() if not value]
        assert zero == [], (section, zero)
    result = runner.invoke(args=["agir", "cohort", "--entry-from", add_months(today, -12).isoformat(),
                                 "--entry-to", today.isoformat()])
    assert result.exit_code == 0, result.output
    cohort = json.loads(result.stdout)
    assert cohort["observed"][0] == cohort["size"] > 0
    assert all(any(v for v in values if v) for values in cohort["observed_shares"].values())
    assert all(any(v for v in values if v) for values in cohort["km"].values())
    assert any(m is not None for m in cohort["median_months"].values())
    kinds = {alert["kind"] for alert in json.loads(runner.invoke(args=["agir", "alerts"]).stdout)}
    assert {"first_interview_late", "appointment_missed", "document_expiry"} <= kinds
    # The nightly job's computation at load time finds them too (the inbox and the badge).
    stored = set(db.session.scalars(select(Alert.kind).where(Alert.resolved_on.is_(None))))
    assert {"first_interview_late", "appointment_missed", "document_expiry"} <= stored


def test_the_demo_social_worker_holds_the_operators_appointments_and_the_console_says_what_to_expect(runner, app_ctx):
    """fresh_eyes on a fresh clone: the social worker's week view and calendar feed were empty (no appointment named a
    référent), and the console did not say that the administrator and the pilots enrol a second factor."""
    from models import Appointment

    result = runner.invoke(args=["agir", "demo"])
    assert result.exit_code == 0, result.output
    assert "second facteur" in result.output
    worker = db.session.scalar(select(User).where(User.email == EMAILS["social_worker"]))
    held = db.session.scalars(select(Appointment).where(Appointment.structure_id == worker.structure_id)).all()
    assert held and all(a.referent_id == worker.id for a in held)


def test_the_services_command_says_what_degrades_without_each_outside_service(runner, app):
    result = runner.invoke(args=["agir", "services"])
    assert result.exit_code == 0, result.output
    for words in ("E-mails : aucun serveur SMTP", "SMS : aucun fournisseur", "ProConnect : non configuré",
                  "Antivirus :"):  # whether a clamd answers depends on the tests run before
        assert words in result.output
    app.config.update(SMTP_HOST="smtp.example.org")
    try:
        assert "serveur SMTP smtp.example.org" in runner.invoke(args=["agir", "services"]).output
    finally:
        app.config.update(SMTP_HOST=None)
