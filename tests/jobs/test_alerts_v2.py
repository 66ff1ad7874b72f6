"""Alerts of the contract's second version (INTERCHANGE.md « Alerts of the second version », SPEC §4.4):
first_interview_late, appointment_missed, document_expiry at their boundaries, followup_due never after a
death, inactive counting the new dated facts; through `agir alerts`, the nightly job, the inbox, the badge,
the digest and the pilot's counts; and a property: the SQL verdicts equal a plain Python reading of the
definitions over random files."""
import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import select

from agir import alerts, jobs
from agir.dates import add_months
from agir.extensions import db
from agir.indicators.pilot import alert_counts
from agir.queries import inbox
from agir.rules import alerts as rules
from models import Alert, Appointment, Document, OutboxMessage, PlanObjective
from tests import factories as f
from tests.jobs import scenario

D = timedelta(days=1)
V2_KINDS = ("first_interview_late", "appointment_missed", "document_expiry")


# --- helpers ------------------------------------------------------------------------------------------

def appointment(person, structure, day, status="planned", kind="follow_up", at=time(10, 0)):
    row = Appointment(person=person, structure=structure, start_at=datetime.combine(day, at), minutes=60,
                      kind=kind, mode="on_site", status=status)
    db.session.add(row)
    db.session.flush()
    return row


def document(person, structure, kind="identity", expires=None, day=date(2022, 6, 1)):
    row = Document(person=person, structure=structure, kind=kind, document_on=day, expires_on=expires)
    db.session.add(row)
    db.session.flush()
    return row


def oriented(world, on, structure="agir", **kw):
    """A person oriented on `on` to a structure of the world (or to none)."""
    target = getattr(world, structure) if structure else None
    return f.make_person(world.department, world.agir, oriented_on=on, orientation_source="ofii",
                         orientation_structure=target, **kw)


def found(as_of, kind=None):
    """`agir alerts` items on as_of (optionally of one kind)."""
    items = alerts.as_interchange(db.session, alerts.compute_alerts(db.session, as_of))
    return [i for i in items if kind is None or i["kind"] == kind]


def dates_of(kind, as_of, person=None):
    return [i["date"] for i in found(as_of, kind) if person is None or i["person"] == person.ref]


# --- first_interview_late -----------------------------------------------------------------------------

def test_first_interview_late_from_the_day_after_orientation_plus_one_month(world):
    person = oriented(world, date(2023, 1, 15))
    assert found(date(2023, 2, 15), "first_interview_late") == []          # O + 1 month: not late yet
    assert found(date(2023, 2, 16), "first_interview_late") == [
        {"kind": "first_interview_late", "person": person.ref, "structure": "S-AGIR", "date": "2023-02-16"}]
    assert dates_of("first_interview_late", date(2023, 9, 1)) == ["2023-02-16"]  # stays, same due date


@pytest.mark.parametrize("oriented_on, limit", [
    (date(2023, 1, 31), date(2023, 2, 28)),   # clipped to the end of February
    (date(2024, 1, 30), date(2024, 2, 29)),   # leap year
    (date(2023, 3, 31), date(2023, 4, 30)),
    (date(2023, 12, 31), date(2024, 1, 31)),  # across the year
])
def test_first_interview_late_clips_at_month_ends(world, oriented_on, limit):
    oriented(world, oriented_on)
    assert found(limit, "first_interview_late") == []
    assert dates_of("first_interview_late", limit + D) == [(limit + D).isoformat()]


def test_an_honoured_first_interview_at_another_structure_clears_it(world):
    person = oriented(world, date(2023, 1, 15))
    appointment(person, world.other, date(2023, 2, 10), status="honoured", kind="first_interview")
    assert found(date(2023, 3, 1), "first_interview_late") == []


def test_the_first_interview_on_the_orientation_day_counts(world):
    person = oriented(world, date(2023, 1, 15))
    appointment(person, world.agir, date(2023, 1, 15), status="honoured", kind="first_interview", at=time(8, 0))
    assert found(date(2023, 3, 1), "first_interview_late") == []


def test_a_first_interview_before_the_orientation_does_not_clear_it(world):
    person = oriented(world, date(2023, 1, 15))
    appointment(person, world.agir, date(2023, 1, 14), status="honoured", kind="first_interview", at=time(23, 30))
    assert dates_of("first_interview_late", date(2023, 3, 1)) == ["2023-02-16"]


@pytest.mark.parametrize("status, kind, day", [
    ("missed", "first_interview", date(2023, 2, 1)),     # not honoured
    ("planned", "first_interview", date(2023, 2, 1)),
    ("excused", "first_interview", date(2023, 2, 1)),
    ("honoured", "diagnostic", date(2023, 2, 1)),        # honoured, but not a first interview
    ("honoured", "first_interview", date(2023, 3, 2)),   # honoured after as_of: not known that day
])
def test_only_an_honoured_first_interview_dated_up_to_as_of_clears_it(world, status, kind, day):
    person = oriented(world, date(2023, 1, 15))
    appointment(person, world.agir, day, status=status, kind=kind)
    assert dates_of("first_interview_late", date(2023, 3, 1)) == ["2023-02-16"]


def test_the_first_interview_on_as_of_itself_clears_it(world):
    person = oriented(world, date(2023, 1, 15))
    appointment(person, world.agir, date(2023, 3, 1), status="honoured", kind="first_interview", at=time(17, 0))
    assert found(date(2023, 3, 1), "first_interview_late") == []


def test_first_interview_late_is_not_raised_once_the_path_is_over(world):
    over = oriented(world, date(2023, 1, 15))
    f.make_accompaniment(over, world.agir, start=date(2023, 2, 1), planned_end=date(2023, 8, 31),
                         exit_on=date(2023, 3, 1))
    going_on = oriented(world, date(2023, 1, 15))   # a second accompaniment open on as_of
    f.make_accompaniment(going_on, world.agir, start=date(2022, 7, 1), planned_end=date(2023, 1, 31),
                         exit_on=date(2023, 1, 31))
    f.make_accompaniment(going_on, world.other, start=date(2023, 2, 1), planned_end=date(2023, 8, 31))
    exits_later = oriented(world, date(2023, 1, 15))  # the exit comes after as_of: not over yet
    f.make_accompaniment(exits_later, world.agir, start=date(2023, 2, 1), planned_end=date(2023, 8, 31),
                         exit_on=date(2023, 3, 2))
    assert {i["person"] for i in found(date(2023, 3, 1), "first_interview_late")} == {going_on.ref, exits_later.ref}
    assert over.ref in {i["person"] for i in found(date(2023, 2, 28), "first_interview_late")}  # open then
    # The exit on as_of itself ends the path that day.
    assert exits_later.ref not in {i["person"] for i in found(date(2023, 3, 2), "first_interview_late")}


def test_first_interview_late_goes_to_the_orientations_structure_or_none(world):
    to_other = oriented(world, date(2023, 1, 15), structure="other")
    nowhere = oriented(world, date(2023, 1, 15), structure=None)
    items = {i["person"]: i["structure"] for i in found(date(2023, 3, 1), "first_interview_late")}
    assert items == {to_other.ref: "S-OTHER", nowhere.ref: None}


# --- appointment_missed -------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["planned", "missed"])
def test_appointment_missed_the_day_after_a_missed_or_still_planned_appointment(world, status):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 10), status=status)
    assert found(date(2023, 3, 10), "appointment_missed") == []   # its own day: not yet before as_of
    assert found(date(2023, 3, 11), "appointment_missed") == [
        {"kind": "appointment_missed", "person": person.ref, "structure": "S-AGIR", "date": "2023-03-11"}]
    assert dates_of("appointment_missed", date(2023, 6, 1)) == ["2023-03-11"]


def test_an_honoured_latest_appointment_is_no_alert(world):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    appointment(person, world.agir, date(2023, 3, 10), status="honoured")
    assert found(date(2023, 3, 20), "appointment_missed") == []


@pytest.mark.parametrize("ignored", ["excused", "cancelled"])
def test_an_excused_or_cancelled_latest_appointment_is_ignored(world, ignored):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    appointment(person, world.agir, date(2023, 3, 10), status=ignored)
    assert dates_of("appointment_missed", date(2023, 3, 20)) == ["2023-03-02"]
    lone = f.make_person(world.department, world.agir)
    appointment(lone, world.agir, date(2023, 3, 10), status=ignored)
    assert dates_of("appointment_missed", date(2023, 3, 20), lone) == []


def test_a_later_planned_appointment_at_that_structure_clears_it(world):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    appointment(person, world.agir, date(2023, 3, 20), status="planned", at=time(9, 0))
    assert found(date(2023, 3, 20), "appointment_missed") == []    # planned on as_of itself: not missed yet
    assert found(date(2023, 3, 15), "appointment_missed") == []
    # The next day that one is past and still planned: it is the latest, and missed in its turn.
    assert dates_of("appointment_missed", date(2023, 3, 21)) == ["2023-03-21"]


@pytest.mark.parametrize("where, status", [("other", "planned"), ("agir", "cancelled"), ("agir", "excused")])
def test_what_does_not_clear_a_missed_appointment(world, where, status):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    appointment(person, getattr(world, where), date(2023, 4, 1), status=status)
    assert [(i["structure"], i["date"]) for i in found(date(2023, 3, 15), "appointment_missed")] == \
        [("S-AGIR", "2023-03-02")]


def test_appointments_are_read_per_structure(world):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    appointment(person, world.other, date(2023, 3, 5), status="honoured")
    appointment(person, world.other, date(2023, 3, 8), status="planned")
    items = [(i["structure"], i["date"]) for i in found(date(2023, 3, 15), "appointment_missed")]
    assert items == [("S-AGIR", "2023-03-02"), ("S-OTHER", "2023-03-09")]


def test_at_the_same_minute_an_honoured_appointment_decides(world):
    person = f.make_person(world.department, world.agir)
    appointment(person, world.agir, date(2023, 3, 1), status="honoured")
    appointment(person, world.agir, date(2023, 3, 1), status="missed")
    assert found(date(2023, 3, 15), "appointment_missed") == []
    # Later that day, a missed one is the latest.
    appointment(person, world.agir, date(2023, 3, 1), status="missed", at=time(15, 0))
    assert dates_of("appointment_missed", date(2023, 3, 15)) == ["2023-03-02"]


# --- document_expiry ----------------------------------------------------------------------------------

def test_document_expiry_from_ninety_days_before_the_expiry(world):
    person = f.make_person(world.department, world.agir)
    expires = date(2023, 9, 30)
    document(person, world.agir, "residence_permit", expires)
    assert found(expires - timedelta(days=91), "document_expiry") == []
    assert found(expires - timedelta(days=90), "document_expiry") == [
        {"kind": "document_expiry", "person": person.ref, "structure": "S-AGIR", "date": "2023-07-02"}]
    assert dates_of("document_expiry", expires + timedelta(days=200)) == ["2023-07-02"]  # expired: stays


def test_a_later_expiring_document_of_the_same_kind_clears_it_whatever_its_date(world):
    person = f.make_person(world.department, world.agir)
    document(person, world.agir, "identity", date(2023, 9, 30))
    as_of = date(2023, 8, 1)
    assert dates_of("document_expiry", as_of) == ["2023-07-02"]
    document(person, world.agir, "identity", date(2033, 9, 30), day=date(2023, 12, 1))  # dated after as_of
    assert found(as_of, "document_expiry") == []


@pytest.mark.parametrize("kind, expires", [
    ("residence_permit", date(2033, 9, 30)),   # another kind
    ("identity", None),                         # no expiry date: not later
    ("identity", date(2023, 9, 29)),            # expires earlier
])
def test_what_does_not_clear_a_document_expiry(world, kind, expires):
    person = f.make_person(world.department, world.agir)
    document(person, world.agir, "identity", date(2023, 9, 30))
    document(person, world.agir, kind, expires)
    assert "2023-07-02" in dates_of("document_expiry", date(2023, 8, 1))


def test_document_expiry_only_for_persons_followed_on_as_of(world):
    as_of = date(2023, 8, 1)
    never = f.make_person(world.department, world.agir)                    # never enrolled: the document's
    document(never, world.school, "caf", date(2023, 9, 30))
    held = f.make_person(world.department, world.agir)                     # open: its structure
    f.make_accompaniment(held, world.other, start=date(2023, 1, 1), planned_end=date(2023, 12, 31))
    document(held, world.agir, "caf", date(2023, 9, 30))
    closed = f.make_person(world.department, world.agir)                   # exited: not followed
    f.make_accompaniment(closed, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 8, 31),
                         exit_on=date(2023, 8, 1))
    document(closed, world.agir, "caf", date(2023, 9, 30))
    later = f.make_person(world.department, world.agir)                    # enrolled after as_of only
    f.make_accompaniment(later, world.agir, start=date(2023, 8, 2), planned_end=date(2024, 7, 31))
    document(later, world.other, "caf", date(2023, 9, 30))
    items = {i["person"]: i["structure"] for i in found(as_of, "document_expiry")}
    assert items == {never.ref: "S-LANG", held.ref: "S-OTHER", later.ref: "S-OTHER"}


def test_two_documents_of_a_kind_expiring_the_same_day_both_alert(world):
    person = f.make_person(world.department, world.agir)
    document(person, world.agir, "identity", date(2023, 9, 30))
    document(person, world.agir, "identity", date(2023, 9, 30))
    assert dates_of("document_expiry", date(2023, 8, 1)) == ["2023-07-02", "2023-07-02"]


# --- followup_due and inactive ------------------------------------------------------------------------

def test_followup_due_is_never_raised_after_a_death(world):
    dead = f.make_person(world.department, world.agir)
    acc = f.make_accompaniment(dead, world.agir, start=date(2022, 7, 1), planned_end=date(2023, 6, 30))
    scenario.exit_(acc, date(2022, 11, 30), reason="deceased")
    moved = f.make_person(world.department, world.agir)
    acc = f.make_accompaniment(moved, world.agir, start=date(2022, 7, 1), planned_end=date(2023, 6, 30))
    scenario.exit_(acc, date(2022, 11, 30), reason="moved_away")
    db.session.flush()
    assert [i["person"] for i in found(date(2023, 6, 15), "followup_due")] == [moved.ref]


def _activity(kind, person, acc, world, day):
    if kind == "orientation":
        person.oriented_on, person.orientation_source = day, "ofii"
    elif kind == "honoured_appointment":
        appointment(person, world.agir, day, status="honoured", at=time(16, 0))
    elif kind == "document":
        document(person, world.agir, "lease", None, day=day)
    elif kind == "diagnostic":
        acc.diagnostic_on = day
    elif kind == "contract":
        acc.contract_signed_on, acc.contract_language = day, "prs"
    elif kind == "plan_objective_closed":
        db.session.add(PlanObjective(accompaniment=acc, area="housing", objective="Logement", state="done",
                                     closed_on=day))
    elif kind == "missed_appointment":
        appointment(person, world.agir, day, status="missed")
    elif kind == "plan_objective_due":
        db.session.add(PlanObjective(accompaniment=acc, area="housing", objective="Logement", state="open",
                                     due_on=day))
    db.session.flush()


@pytest.mark.parametrize("kind", ["orientation", "honoured_appointment", "document", "diagnostic", "contract",
                                  "plan_objective_closed"])
def test_inactive_counts_the_new_dated_facts(world, kind):
    person = f.make_person(world.department, world.agir)
    acc = f.make_accompaniment(person, world.agir, start=date(2023, 1, 2), planned_end=date(2023, 12, 31))
    assert dates_of("inactive", date(2023, 6, 15), person) == ["2023-03-03"]
    _activity(kind, person, acc, world, date(2023, 5, 1))
    assert dates_of("inactive", date(2023, 6, 15), person) == []
    assert dates_of("inactive", date(2023, 6, 30), person) == ["2023-06-30"]   # 1 May + 60 days
    assert dates_of("inactive", date(2023, 4, 30), person) == ["2023-03-03"]   # not yet on 30 April


@pytest.mark.parametrize("kind", ["missed_appointment", "plan_objective_due"])
def test_a_missed_appointment_or_an_objectives_due_date_is_no_activity(world, kind):
    person = f.make_person(world.department, world.agir)
    acc = f.make_accompaniment(person, world.agir, start=date(2023, 1, 2), planned_end=date(2023, 12, 31))
    _activity(kind, person, acc, world, date(2023, 5, 1))
    assert dates_of("inactive", date(2023, 6, 15), person) == ["2023-03-03"]


# --- the pure rules (agir.rules.alerts) ---------------------------------------------------------------

def test_the_pure_rules_at_their_boundaries():
    o = date(2023, 1, 31)
    assert not rules.first_interview_late(o, None, False, date(2023, 2, 28))
    assert rules.first_interview_late(o, None, False, date(2023, 3, 1)) == rules.Due(True, date(2023, 3, 1))
    assert not rules.first_interview_late(o, o, False, date(2023, 3, 1))                 # seen on O
    assert rules.first_interview_late(o, o - D, False, date(2023, 3, 1))                 # before O
    assert rules.first_interview_late(o, date(2023, 3, 2), False, date(2023, 3, 1))      # after as_of
    assert not rules.first_interview_late(o, None, True, date(2023, 3, 1))               # path over
    assert not rules.first_interview_late(None, None, False, date(2023, 3, 1))
    assert rules.path_over(True, False) and not rules.path_over(True, True) and not rules.path_over(False, False)
    day = date(2023, 3, 10)
    assert not rules.appointment_missed(day, "missed", False, day)
    assert rules.appointment_missed(day, "missed", False, day + D) == rules.Due(True, day + D)
    assert rules.appointment_missed(day, "planned", False, day + D)
    assert not rules.appointment_missed(day, "missed", True, day + D)
    assert not rules.appointment_missed(day, "honoured", False, day + D)
    assert not rules.appointment_missed(day, "excused", False, day + D)
    assert not rules.appointment_missed(None, None, False, day)
    assert [rules.appointment_rank(s) for s in ("honoured", "missed", "planned")] == [0, 1, 2]
    e = date(2023, 9, 30)
    assert not rules.document_expiry(e, False, True, e - timedelta(days=91))
    assert rules.document_expiry(e, False, True, e - timedelta(days=90)) == rules.Due(True, date(2023, 7, 2))
    assert rules.document_expiry(e, False, True, e + timedelta(days=400))
    assert not rules.document_expiry(e, True, True, e)
    assert not rules.document_expiry(e, False, False, e)
    assert not rules.document_expiry(None, False, True, e)
    assert not rules.followup_due(date(2022, 11, 30), None, date(2023, 6, 15), "deceased")
    assert rules.followup_due(date(2022, 11, 30), None, date(2023, 6, 15), "moved_away")


# --- the command, the job, the inbox, the badge, the digest, the pilot --------------------------------

def _three(world):
    """One alert of each new kind on 2023-06-15, all for S-AGIR."""
    late = oriented(world, date(2023, 5, 1), last_name="Lima")
    missed = f.make_person(world.department, world.agir, last_name="Mike")
    appointment(missed, world.agir, date(2023, 6, 1), status="missed")
    expiring = f.make_person(world.department, world.agir, last_name="Delta")
    document(expiring, world.agir, "residence_permit", date(2023, 9, 1))
    db.session.commit()
    return late, missed, expiring


def test_cli_prints_the_new_kinds(world, runner):
    late, missed, expiring = _three(world)
    result = runner.invoke(args=["agir", "alerts", "--as-of", "2023-06-15"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"kind": "first_interview_late", "person": late.ref, "structure": "S-AGIR", "date": "2023-06-02"},
        {"kind": "appointment_missed", "person": missed.ref, "structure": "S-AGIR", "date": "2023-06-02"},
        {"kind": "document_expiry", "person": expiring.ref, "structure": "S-AGIR", "date": "2023-06-03"},
    ]


def test_the_nightly_job_keeps_them_and_resolves_them(world):
    late, missed, expiring = _three(world)
    assert jobs.run_alerts(date(2023, 6, 15))["new"] == 3
    db.session.expire_all()
    rows = {(a.kind, a.person_id): a for a in db.session.scalars(select(Alert))}
    assert rows[("first_interview_late", late.id)].subject_key == "orientation:2023-05-01"
    assert rows[("document_expiry", expiring.id)].due_on == date(2023, 6, 3)
    appointment(missed, world.agir, date(2023, 6, 20), status="planned")
    db.session.commit()
    counts = jobs.run_alerts(date(2023, 6, 16))
    assert counts == {"new": 0, "kept": 2, "reopened": 0, "resolved": 1, "open": 2}


def test_the_inbox_and_the_badge_show_them(client, world):
    _three(world)
    jobs.run_alerts(date(2023, 6, 15))
    f.login(client, "sw@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    for text in ("Premier entretien en retard", "Rendez-vous manqué", "Document expirant",
                 "Orientation du 01/05/2023 : premier entretien attendu au plus tard le 01/06/2023",
                 "Rendez-vous du 01/06/2023 manqué, aucun nouveau rendez-vous fixé",
                 "Titre de séjour : expiré le 01/09/2023",  # seen today, long after 2023
                 "Fixer le premier entretien, ou enregistrer celui qui a eu lieu"):
        assert text in html
    badge = html.split('id="alerts-badge"', 1)[1].split("</a>", 1)[0]
    assert ">3</span>" in badge
    assert '<option value="document_expiry" selected>' in client.get("/alerts/?kind=document_expiry").get_data(
        as_text=True)


def test_the_inbox_says_when_an_appointment_was_left_planned(client, world):
    person = f.make_person(world.department, world.agir, last_name="November")
    appointment(person, world.agir, date(2023, 6, 5), status="planned")
    db.session.commit()
    jobs.run_alerts(date(2023, 6, 15))
    f.login(client, "sw@example.fr")
    html = client.get("/alerts/").get_data(as_text=True)
    assert str(escape("Rendez-vous du 05/06/2023 toujours « prévu » : indiquer s'il a eu lieu")) in html
    assert "Indiquer si la personne est venue, ou fixer un nouveau rendez-vous" in html


def test_the_inbox_in_english(client, world):
    _three(world)
    jobs.run_alerts(date(2023, 6, 15))
    f.login(client, "sw@example.fr")
    client.post("/langue", data={"locale": "en", "csrf_token": f.csrf_token(client, "/alerts/")})
    html = client.get("/alerts/").get_data(as_text=True)
    for text in ("First interview overdue", "Missed appointment", "Document expiring",
                 "Residence permit: expired on", "Schedule the first interview",
                 "Appointment of 1 Jun 2023 missed, no new appointment scheduled"):
        assert text in html


def test_the_digest_and_the_pilot_count_them(world, app):
    _three(world)
    jobs.run_alerts(date(2023, 6, 15))
    world.users.social_worker.wants_digest = True
    db.session.commit()
    jobs.send_digests(date(2023, 6, 15), dict(app.config, SMTP_HOST=None))
    body = db.session.scalars(select(OutboxMessage.body)).one()
    for line in ("- Premier entretien en retard : 1 alerte(s) (dont 1 nouvelle(s))",
                 "- Rendez-vous manqué : 1 alerte(s) (dont 1 nouvelle(s))",
                 "- Document expirant : 1 alerte(s) (dont 1 nouvelle(s))"):
        assert line in body
    counts = inbox.department_counts(db.session, world.department.id)
    assert {k: counts[k] for k in V2_KINDS} == dict.fromkeys(V2_KINDS, 1)
    assert {k: alert_counts(world.department.id)[k] for k in V2_KINDS} == dict.fromkeys(V2_KINDS, 1)


# --- property: the SQL equals a plain reading of the definitions --------------------------------------

BASE = date(2023, 1, 1)
offsets = st.integers(min_value=0, max_value=200)
days = st.integers(min_value=0, max_value=100)   # appointments and orientations close to as_of: they meet
APPOINTMENTS = st.lists(st.tuples(st.sampled_from(["agir", "other"]), days, st.sampled_from([9, 14]),
                                  st.sampled_from(["first_interview", "follow_up"]),
                                  st.sampled_from(["planned", "honoured", "missed", "excused", "cancelled"])),
                        max_size=6)
DOCUMENTS = st.lists(st.tuples(st.sampled_from(["identity", "caf"]), offsets, st.one_of(st.none(), offsets),
                               st.sampled_from(["agir", "school"])), max_size=4)
ACCOMPANIMENTS = st.sampled_from(["none", "open", "closed", "future", "closed_then_open"])


def _plain(person_ref, orientation, appointments, documents, accompaniments, as_of):
    """The three definitions of INTERCHANGE.md read literally, over one person's plain records: orientation
    (day, structure), appointments (structure, start, kind, status), documents (kind, day, expiry, structure),
    accompaniments (start, structure, exit day); structures by ref."""
    out = []
    opened = [a for a in accompaniments if a[0] <= as_of and (a[2] is None or a[2] > as_of)]
    ended = [a for a in accompaniments if a[2] is not None and a[2] <= as_of]
    if orientation is not None:
        o, structure = orientation
        seen = any(k == "first_interview" and s == "honoured" and o <= at.date() <= as_of
                   for _, at, k, s in appointments)
        if not seen and as_of > add_months(o, 1) and not (ended and not opened):
            out.append(("first_interview_late", person_ref, structure, add_months(o, 1) + D))
    for structure in {a[0] for a in appointments}:
        past = [a for a in appointments if a[0] == structure and a[1].date() < as_of
                and a[3] not in ("cancelled", "excused")]
        rank = {"honoured": 0, "missed": 1}
        past.sort(key=lambda a: (a[1], -rank.get(a[3], 2)))
        ahead = any(a[0] == structure and a[1].date() >= as_of and a[3] == "planned" for a in appointments)
        if past and past[-1][3] in ("missed", "planned") and not ahead:
            out.append(("appointment_missed", person_ref, structure, past[-1][1].date() + D))
    followed_by = opened[0][1] if opened else None
    never = not [a for a in accompaniments if a[0] <= as_of]
    for kind, _day, expires, structure in documents:
        if expires is None or expires - timedelta(days=90) > as_of:
            continue
        if any(k == kind and e is not None and e > expires for k, _, e, _ in documents):
            continue
        if followed_by or never:
            out.append(("document_expiry", person_ref, followed_by or structure, expires - timedelta(days=90)))
    return sorted(out)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(orientation=st.one_of(st.none(), st.tuples(days, st.sampled_from(["agir", "other", None]))),
       appointments=APPOINTMENTS, documents=DOCUMENTS, accompaniment=ACCOMPANIMENTS,
       as_of_offset=st.integers(min_value=20, max_value=130))
def test_property_sql_equals_the_plain_definitions(world, orientation, appointments, documents, accompaniment,
                                                   as_of_offset):
    as_of = BASE + timedelta(days=as_of_offset)
    refs = {"agir": "S-AGIR", "other": "S-OTHER", "school": "S-LANG", None: None}
    try:
        person = f.make_person(world.department, world.agir)
        o = None
        if orientation is not None:
            o = (BASE + timedelta(days=orientation[0]), orientation[1])
            person.oriented_on, person.orientation_source = o[0], "ofii"
            person.orientation_structure = getattr(world, orientation[1]) if orientation[1] else None
        plain_appointments = []
        for where, day, hour, kind, status in appointments:
            at = datetime.combine(BASE + timedelta(days=day), time(hour))
            appointment(person, getattr(world, where), at.date(), status=status, kind=kind, at=at.time())
            plain_appointments.append((where, at, kind, status))
        plain_documents = []
        for kind, day, expires, where in documents:
            expiry = BASE + timedelta(days=expires) if expires is not None else None
            document(person, getattr(world, where), kind, expiry, day=BASE + timedelta(days=day))
            plain_documents.append((kind, BASE + timedelta(days=day), expiry, where))
        plans = {"none": [], "open": [(date(2023, 2, 1), "agir", None)],
                 "closed": [(date(2022, 9, 1), "agir", date(2023, 3, 1))],
                 "future": [(date(2023, 9, 1), "other", None)],
                 "closed_then_open": [(date(2022, 9, 1), "agir", date(2023, 3, 1)), (date(2023, 4, 1), "other", None)]}
        for start, where, exit_on in plans[accompaniment]:
            f.make_accompaniment(person, getattr(world, where), start=start, planned_end=add_months(start, 11),
                                 exit_on=exit_on)
        db.session.flush()
        got = sorted((x.kind, person.ref, refs[{world.agir.id: "agir", world.other.id: "other",
                                                world.school.id: "school"}.get(x.structure_id)], x.due_on)
                     for x in alerts.compute_alerts(db.session, as_of) if x.kind in V2_KINDS)
        named = [(start, refs[where], exit_on) for start, where, exit_on in plans[accompaniment]]
        assert got == _plain(person.ref, o and (o[0], refs[o[1]]), [(refs[a[0]],) + a[1:] for a in plain_appointments],
                             [d[:3] + (refs[d[3]],) for d in plain_documents], named, as_of)
    finally:
        db.session.rollback()


def test_generated_data_gives_the_alerts_of_the_plain_definitions(app_ctx):
    """On the generator's files (v2 data: orientations, appointments, documents), on several days."""
    from sqlalchemy.orm import selectinload

    from models import Person, Structure
    from tests.indicators.helpers import import_generated
    today = date(2024, 6, 30)
    import_generated(300, seed=15, today=today)
    persons = db.session.scalars(select(Person).options(
        selectinload(Person.appointments), selectinload(Person.documents), selectinload(Person.accompaniments),
        selectinload(Person.orientation_structure))).all()
    refs = {p.id: p.ref for p in persons}
    structures = dict(db.session.execute(select(Structure.id, Structure.ref)).all())
    seen = set()
    for as_of in (today, today - timedelta(days=200), today + timedelta(days=60)):
        got = sorted((x.kind, refs[x.person_id], structures.get(x.structure_id) if x.structure_id else None,
                      x.due_on) for x in alerts.compute_alerts(db.session, as_of) if x.kind in V2_KINDS)
        plain = sorted(item for p in persons for item in _plain(
            p.ref, (p.oriented_on, p.orientation_structure.ref if p.orientation_structure else None)
            if p.oriented_on else None,
            [(a.structure.ref, a.start_at, a.kind, a.status) for a in p.appointments],
            [(d.kind, d.document_on, d.expires_on, d.structure.ref) for d in p.documents],
            [(a.start_on, a.structure.ref, a.exit_on) for a in p.accompaniments], as_of))
        assert got == plain, as_of
        seen |= {kind for kind, *_ in got}
    assert seen == set(V2_KINDS), "the generated files raise every v2 alert (issue 15, item 6)"
