"""The référent's calendar feed (issue 17 item 4): an iCalendar (RFC 5545) file at a secret URL, read back with
the icalendar library. Initials and file number only (no name, phone, address, nationality of the generated
persons), Europe/Paris times with their VTIMEZONE, stable UIDs, SEQUENCE bumped by a move, cancelled ones as
CANCELLED; the token shown once, kept hashed, revocable and regenerable (the old URL then answers 404), wrong or
malformed tokens and disabled accounts 404; another référent's appointments absent; everything audited."""
import hashlib
import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations import appointments as appointment_ops
from agir.operations.appointments import paris_now
from agir.rules import calendar_feed as rules
from models import Appointment, AuditEntry, CalendarFeed, User
from tests import factories

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FEED_URL = re.compile(r'id="feed-url" value="(http://[^"]+/agenda/feed/([A-Za-z0-9_-]+)\.ics)"')


def _at(days, hour=10, minute=0) -> datetime:
    return (paris_now() + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def _post(client, action, page="/agenda/feed"):
    token = CSRF.search(client.get(page).get_data(as_text=True)).group(1)
    return client.post(action, data={"csrf_token": token})


def _make_feed(client) -> tuple[str, str]:
    response = _post(client, "/agenda/feed/new")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    url, token = FEED_URL.search(response.get_data(as_text=True)).groups()
    return url, token


def _read(client, token) -> Calendar:
    response = client.get(f"/agenda/feed/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def _events(calendar):
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def agenda(world, client):
    world.agir.address = "12 rue Sainte-Catherine, 33000 Bordeaux"
    sw, colleague = world.users.social_worker, factories.make_user("social_worker", world.agir,
                                                                   email="colleague@example.fr")
    karimi = factories.make_person(world.department, world.agir, last_name="Karimi", first_name="Ahmad",
                                   phone="06 12 34 56 78", email="ahmad@example.org", nationality="AFG")
    tesfay = factories.make_person(world.department, world.agir, last_name="Tesfay", first_name="Meron",
                                   phone="07 98 76 54 32", nationality="ERI")
    mine = factories.make_appointment(karimi, world.agir, start=_at(3), minutes=45, status="planned",
                                      referent=sw, interpreter="prs")
    past = factories.make_appointment(tesfay, world.agir, start=_at(-10, 14), status="honoured", referent=sw)
    old = factories.make_appointment(tesfay, world.agir, start=_at(-40), status="honoured", referent=sw)
    far = factories.make_appointment(tesfay, world.agir, start=_at(200), status="planned", referent=sw)
    theirs = factories.make_appointment(karimi, world.agir, start=_at(4), status="planned", referent=colleague)
    db.session.commit()
    factories.login(client, "sw@example.fr")
    return {"sw": sw, "colleague": colleague, "karimi": karimi, "tesfay": tesfay, "mine": mine, "past": past,
            "old": old, "far": far, "theirs": theirs}


def test_the_feed_has_my_appointments_with_initials_and_file_number_only(client, agenda):
    url, token = _make_feed(client)
    assert len(token) >= 22 and url.endswith(f"/agenda/feed/{token}.ics")  # ≥ 128 bits (43 base64 characters)
    anonymous = client.application.test_client()  # a calendar application: no session
    calendar = _read(anonymous, token)
    events = _events(calendar)
    mine, past, karimi = agenda["mine"], agenda["past"], agenda["karimi"]
    assert set(events) == {f"appointment-{mine.id}@agir", f"appointment-{past.id}@agir"}
    event = events[f"appointment-{mine.id}@agir"]
    assert str(event["SUMMARY"]) == f"RDV A. K. — dossier {karimi.ref}"
    assert event["DTSTART"].dt == mine.start_at.replace(tzinfo=event["DTSTART"].dt.tzinfo)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris" and event["DTEND"].params["TZID"] == "Europe/Paris"
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=45)
    assert str(event["DTSTART"].dt.tzinfo) == "Europe/Paris"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert str(event["LOCATION"]) == "Opérateur AGIR Bordeaux, 12 rue Sainte-Catherine, 33000 Bordeaux"
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    # nothing that names the person: no name, phone, e-mail, nationality, interpreter language
    raw = anonymous.get(f"/agenda/feed/{token}.ics").get_data(as_text=True).replace("\r\n ", "")
    for person in (karimi, agenda["tesfay"]):
        for value in (person.last_name, person.first_name, person.phone, person.email):
            if value:
                assert value.lower() not in raw.lower(), value
        assert not re.search(rf"\b{person.nationality}\b", raw), person.nationality
    assert "dari" not in raw.lower() and "06 12 34" not in raw
    assert "Afghan" not in raw and "Érythr" not in raw


def test_the_token_is_stored_hashed_and_the_reading_audited_once_an_hour(client, agenda):
    _, token = _make_feed(client)
    feed = db.session.scalars(select(CalendarFeed)).one()
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in feed.token_hash
    anonymous = client.application.test_client()
    _read(anonymous, token)
    _read(anonymous, token)
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "calendar_feed_read")).all()
    assert len(reads) == 1 and reads[0].user_email == "sw@example.fr" and reads[0].detail == "2 rendez-vous"
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "calendar_feed_created")) == 1
    # the token is never shown again
    page = client.get("/agenda/feed").get_data(as_text=True)
    assert token not in page and "Lien actif depuis le" in page and "Dernière lecture" in page


def test_a_moved_appointment_keeps_its_uid_and_bumps_its_sequence_a_cancelled_one_is_cancelled(client, agenda):
    _, token = _make_feed(client)
    anonymous = client.application.test_client()
    mine, sw = agenda["mine"], agenda["sw"]
    uid = f"appointment-{mine.id}@agir"
    appointment_ops.move_appointment(sw, mine, start=_at(5, 11), minutes=30, referent_id=sw.id,
                                     reason="La personne travaille ce jour-là", version=mine.version_id)
    db.session.commit()
    event = _events(_read(anonymous, token))[uid]
    assert int(event["SEQUENCE"]) == 1 and event["DTSTART"].dt.replace(tzinfo=None) == _at(5, 11)
    appointment_ops.cancel_appointment(sw, db.session.get(Appointment, mine.id), "Sortie du dispositif",
                                       version=mine.version_id)
    db.session.commit()
    event = _events(_read(anonymous, token))[uid]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    # cancelled more than 30 days ago: no longer in the feed
    db.session.execute(Appointment.__table__.update().where(Appointment.id == mine.id)
                       .values(updated_at=datetime.utcnow() - timedelta(days=31)))
    db.session.commit()
    assert uid not in _events(_read(anonymous, token))


def test_revoke_then_the_old_url_is_404_and_regenerate_replaces_it(client, agenda):
    _, first = _make_feed(client)
    anonymous = client.application.test_client()
    assert anonymous.get(f"/agenda/feed/{first}.ics").status_code == 200
    _, second = _make_feed(client)  # regenerate
    assert second != first
    assert anonymous.get(f"/agenda/feed/{first}.ics").status_code == 404
    assert anonymous.get(f"/agenda/feed/{second}.ics").status_code == 200
    response = _post(client, "/agenda/feed/revoke")
    assert response.status_code == 302
    assert anonymous.get(f"/agenda/feed/{second}.ics").status_code == 404
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("calendar_feed_%"),
                                                                 AuditEntry.action != "calendar_feed_read")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["calendar_feed_created", "calendar_feed_regenerated", "calendar_feed_revoked"]
    assert "Vous n’avez pas de lien d’agenda actif." in client.get("/agenda/feed").get_data(as_text=True)


def test_wrong_malformed_and_disabled_tokens_are_404(client, agenda):
    _, token = _make_feed(client)
    anonymous = client.application.test_client()
    wrong = rules.new_token()
    for bad in (wrong, token[:-1], token + "A", "x" * 43 + "%2F", "../../etc/passwd", token.upper()
                if token.upper() != token else token.lower()):
        assert anonymous.get(f"/agenda/feed/{bad}.ics").status_code == 404, bad
    user = db.session.get(User, agenda["sw"].id)
    user.is_enabled = False
    db.session.commit()
    assert anonymous.get(f"/agenda/feed/{token}.ics").status_code == 404


def test_another_referents_feed_never_has_my_appointments(client, agenda):
    colleague = client.application.test_client()
    factories.login(colleague, "colleague@example.fr")
    _, token = _make_feed(colleague)
    events = _events(_read(client.application.test_client(), token))
    assert set(events) == {f"appointment-{agenda['theirs'].id}@agir"}


def test_an_unchanged_feed_answers_304_to_its_etag(client, agenda):
    _, token = _make_feed(client)
    anonymous = client.application.test_client()
    first = anonymous.get(f"/agenda/feed/{token}.ics")
    again = anonymous.get(f"/agenda/feed/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_the_panel_needs_a_signed_in_referent_and_csrf(client, world):
    anonymous = client.application.test_client()
    assert anonymous.get("/agenda/feed").status_code in (302, 401)
    factories.login(client, "sw@example.fr")
    assert client.post("/agenda/feed/new", data={}).status_code in (302, 400)
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 0
    pilot = client.application.test_client()
    factories.login(pilot, "pilot@example.fr")
    assert pilot.get("/agenda/feed").status_code in (403, 404)


def test_initials_and_status_rules():
    assert rules.initials("Ahmad", "Karimi") == "A. K." and rules.initials("éric", "d'Alembert") == "É. D."
    assert rules.initials("", "") == "?"
    assert [rules.ical_status(s) for s in ("planned", "honoured", "missed", "excused", "cancelled")] == [
        "CONFIRMED", "CONFIRMED", "CONFIRMED", "CANCELLED", "CANCELLED"]
    assert rules.well_formed(rules.new_token()) and not rules.well_formed("abc")
    assert len(rules.new_token()) == 43  # 32 bytes = 256 bits


def test_the_panel_and_the_button_in_english(client, agenda):
    token = CSRF.search(client.get("/agenda/feed").get_data(as_text=True)).group(1)
    client.post("/langue", data={"locale": "en", "csrf_token": token})
    page = client.get("/agenda/feed").get_data(as_text=True)
    assert "My agenda on my phone" in page and "Create my calendar link" in page
    assert "What the link shows, and what it does not" in page
    page = _post(client, "/agenda/feed/new").get_data(as_text=True)
    assert "Your calendar link" in page and ">Copy<" in page and "Revoke the link" in page
    page = client.get(f"/agenda/persons/{agenda['karimi'].id}").get_data(as_text=True)
    assert "Appointment letter (PDF)" in page


def test_the_uids_do_not_depend_on_the_host_name_the_feed_is_read_under(app, world):
    """fresh_eyes: the UIDs took the request's host, so a calendar reading the feed under two names (intranet name,
    public name) would show every appointment twice."""
    from blueprints.agenda.routes_feed import uid_domain

    with app.test_request_context("/", base_url="http://agir.intranet.example:8080"):
        assert uid_domain() == "agir"
    app.config["CALENDAR_UID_DOMAIN"] = "agir.gironde.example"
    try:
        with app.test_request_context("/", base_url="http://10.0.0.5"):
            assert uid_domain() == "agir.gironde.example"
    finally:
        app.config["CALENDAR_UID_DOMAIN"] = None
