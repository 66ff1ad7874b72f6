"""The agenda (issue 17, items 1 and 6): appointments booked, moved, cancelled and given their outcome through the
real forms (CSRF on); every bad input refused next to its field, nothing written; the views of a référent and of
the structure; the alerts leading to the person's agenda."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations.appointments import paris_now
from models import Appointment, AuditEntry
from tests import factories

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _future(days=3, hour=10, minute=0) -> datetime:
    return (paris_now() + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def setup(world, client, login):
    person = factories.make_person(world.department, world.agir, first_name="Amina", last_name="Rahimi")
    colleague = factories.make_user("social_worker", world.agir, email="colleague@example.fr")
    db.session.commit()
    login("sw@example.fr")
    return world, person, colleague


def _token(client, url):
    page = client.get(url).get_data(as_text=True)
    return CSRF.search(page).group(1)


def _book(client, person, start, minutes="60", referent=None, interpreter="", kind="first_interview",
          mode="on_site", world=None):
    url = f"/agenda/persons/{person.id}"
    data = {"csrf_token": _token(client, url), "appointment-start": start, "appointment-minutes": minutes,
            "appointment-kind": kind, "appointment-mode": mode,
            "appointment-referent": str(referent), "appointment-interpreter": interpreter}
    return client.post(url, data=data)


def _count():
    return db.session.scalar(select(func.count(Appointment.id)))


def test_book_an_appointment_shows_it_on_the_file_and_the_agenda(setup, client):
    world, person, _ = setup
    start = _future()
    response = _book(client, person, start.strftime("%d/%m/%Y %H:%M"), referent=world.users.social_worker.id,
                     interpreter="prs")
    assert response.status_code == 302
    appointment = db.session.scalars(select(Appointment)).one()
    assert (appointment.start_at, appointment.minutes, appointment.status, appointment.interpreter) == (
        start, 60, "planned", "prs")
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "add_appointment")) == 1
    week = client.get(f"/agenda/?view=week&day={start.date().isoformat()}").get_data(as_text=True)
    assert "RAHIMI" in week and start.strftime("%H:%M") in week
    assert "Interprète : dari" in week.replace("Dari", "dari")
    day = client.get(f"/agenda/?view=day&day={start.date().isoformat()}&scope=structure").get_data(as_text=True)
    assert "RAHIMI" in day
    listing = client.get(f"/agenda/?view=list&day={paris_now().date().isoformat()}").get_data(as_text=True)
    assert "RAHIMI" in listing
    file_page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert start.strftime("%d/%m/%Y %H:%M") in file_page
    assert f'href="/agenda/persons/{person.id}"' in file_page and "interprète dari" in file_page.lower()


def test_every_bad_input_refused_next_to_its_field_nothing_written(setup, client):
    world, person, _ = setup
    past = (paris_now() - timedelta(days=1)).strftime("%d/%m/%Y %H:%M")
    response = _book(client, person, past, minutes="600", interpreter="xyz", referent=world.users.social_worker.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ne peut pas être fixé dans le passé" in page
    assert "La durée est de 5 à 480 minutes" in page
    assert "Langue inconnue" in page
    assert _count() == 0
    response = _book(client, person, _future().strftime("%d/%m/%Y %H:%M"), minutes="0",
                     referent=world.users.social_worker.id)
    assert "La durée est de 5 à 480 minutes" in response.get_data(as_text=True) and _count() == 0
    response = _book(client, person, "31/02/2030 10:00", referent=world.users.social_worker.id)
    assert "Date et heure invalides" in response.get_data(as_text=True) and _count() == 0
    # each message next to its field
    assert re.search(r'id="appointment-minutes-error"[^>]*>[^<]*La durée est de 5 à 480', page)
    assert re.search(r'id="appointment-interpreter-error"[^>]*>[^<]*Langue inconnue', page)
    assert re.search(r'id="appointment-start-error"[^>]*>[^<]*passé', page)


def test_two_planned_appointments_of_one_referent_never_overlap(setup, client):
    world, person, colleague = setup
    other = factories.make_person(world.department, world.agir)
    db.session.commit()
    start = _future(hour=10)
    me = world.users.social_worker.id
    assert _book(client, person, start.strftime("%d/%m/%Y %H:%M"), referent=me).status_code == 302
    clash = _book(client, other, (start + timedelta(minutes=30)).strftime("%d/%m/%Y %H:%M"), referent=me)
    assert clash.status_code == 422
    assert "déjà un rendez-vous prévu" in clash.get_data(as_text=True)
    assert _count() == 1
    # right after it ends, or with another référent at the same time: accepted
    assert _book(client, other, (start + timedelta(minutes=60)).strftime("%d/%m/%Y %H:%M"),
                 referent=me).status_code == 302
    assert _book(client, other, start.strftime("%d/%m/%Y %H:%M"), referent=colleague.id).status_code == 302
    assert _count() == 3


def test_move_keeps_history_and_checks_overlap_cancel_frees_the_slot(setup, client):
    world, person, _ = setup
    me = world.users.social_worker.id
    first, second = _future(hour=9), _future(hour=14)
    _book(client, person, first.strftime("%d/%m/%Y %H:%M"), referent=me)
    _book(client, person, second.strftime("%d/%m/%Y %H:%M"), referent=me)
    a1, a2 = db.session.scalars(select(Appointment).order_by(Appointment.start_at)).all()
    url = f"/agenda/appointments/{a1.id}/move"
    data = {"csrf_token": _token(client, url), "move-version": str(a1.version_id), "move-referent": str(me),
            "move-start": (second + timedelta(minutes=15)).strftime("%d/%m/%Y %H:%M"), "move-minutes": "30",
            "move-correction_reason": ""}
    refused = client.post(url, data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "déjà un rendez-vous prévu" in page and "Indiquez le motif" in page
    db.session.expire_all()
    assert db.session.get(Appointment, a1.id).start_at == first
    data["move-start"] = (first + timedelta(days=1)).strftime("%d/%m/%Y %H:%M")
    data["move-correction_reason"] = "La personne travaille ce jour-là"
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, a1.id).start_at == first + timedelta(days=1)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "correct_record")).one()
    assert entry.changes["before"]["start_at"] == first.isoformat(timespec="minutes")
    assert entry.changes["after"]["start_at"] == (first + timedelta(days=1)).isoformat(timespec="minutes")
    assert entry.reason == "La personne travaille ce jour-là"
    history = client.get(f"/persons/{person.id}/history").get_data(as_text=True)
    assert "rendez-vous" in history and "date et heure" in history
    # cancel with a reason: the slot is free again
    url = f"/agenda/appointments/{a2.id}/cancel"
    assert client.post(url, data={"csrf_token": _token(client, url), "cancel-version": str(a2.version_id),
                                  "cancel-correction_reason": ""}).status_code == 422
    assert client.post(url, data={"csrf_token": _token(client, url), "cancel-version": str(a2.version_id),
                                  "cancel-correction_reason": "Demande de la personne"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, a2.id).status == "cancelled"
    assert _book(client, person, second.strftime("%d/%m/%Y %H:%M"), referent=me).status_code == 302


def test_outcome_in_one_click_from_the_agenda(setup, client):
    world, person, _ = setup
    past = factories.make_appointment(person, world.agir, start=paris_now() - timedelta(hours=2), status="planned",
                                      referent=world.users.social_worker)
    ahead = factories.make_appointment(person, world.agir, start=_future(), status="planned",
                                       referent=world.users.social_worker)
    db.session.commit()
    url = f"/agenda/?view=day&day={past.start_at.date().isoformat()}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="/agenda/appointments/{past.id}/outcome"' in page and 'value="honoured"' in page
    token = CSRF.search(page).group(1)
    response = client.post(f"/agenda/appointments/{past.id}/outcome",
                           data={"csrf_token": token, "outcome": "honoured", "next": url})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    # a future appointment cannot be honoured yet; without the token nothing changes
    client.post(f"/agenda/appointments/{ahead.id}/outcome", data={"csrf_token": token, "outcome": "honoured"})
    client.post(f"/agenda/appointments/{ahead.id}/outcome", data={"outcome": "excused"})
    db.session.expire_all()
    assert db.session.get(Appointment, past.id).status == "honoured"
    assert db.session.get(Appointment, ahead.id).status == "planned"
    client.post(f"/agenda/appointments/{ahead.id}/outcome", data={"csrf_token": token, "outcome": "excused"})
    db.session.expire_all()
    assert db.session.get(Appointment, ahead.id).status == "excused"


def test_another_structure_sees_nothing(setup, app):
    world, person, _ = setup
    appointment = factories.make_appointment(person, world.agir, start=_future(), status="planned",
                                             referent=world.users.social_worker)
    db.session.commit()
    client = app.test_client()
    factories.login(client, "sw-other@example.fr")
    assert client.get(f"/agenda/persons/{person.id}").status_code == 404
    assert client.get(f"/agenda/appointments/{appointment.id}/move").status_code == 404
    page = client.get(f"/agenda/?view=week&day={appointment.start_at.date().isoformat()}&scope=structure")
    assert person.last_name.upper() not in page.get_data(as_text=True)


def test_appointment_alerts_lead_to_the_persons_agenda(setup, client):
    """Item 6: first_interview_late and appointment_missed open the person's agenda, where the next one is booked."""
    from agir import jobs
    world, person, _ = setup
    today = paris_now().date()
    person.oriented_on, person.orientation_source = today - timedelta(days=60), "ofii"
    person.orientation_structure_id = world.agir.id
    missed = factories.make_person(world.department, world.agir, last_name="Absente")
    factories.make_appointment(missed, world.agir, start=paris_now() - timedelta(days=3), status="missed",
                               kind="follow_up")
    db.session.commit()
    jobs.run_alerts(today)
    page = client.get("/alerts/").get_data(as_text=True)
    assert page.count(f'href="/agenda/persons/{person.id}"') >= 1
    assert f'href="/agenda/persons/{missed.id}"' in page
    assert "Ouvrir l&#39;agenda de la personne" in page or "Ouvrir l'agenda de la personne" in page


def test_an_honoured_appointment_is_activity_for_the_inactive_alert(world):
    from agir import alerts
    today = paris_now().date()
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir, start=today - timedelta(days=200),
                                 planned_end=today + timedelta(days=100))
    db.session.commit()
    kinds = {f.kind for f in alerts.compute_alerts(db.session, today) if f.person_id == person.id}
    assert "inactive" in kinds
    factories.make_appointment(person, world.agir, start=paris_now() - timedelta(days=10), status="honoured",
                               kind="follow_up")
    db.session.commit()
    kinds = {f.kind for f in alerts.compute_alerts(db.session, today) if f.person_id == person.id}
    assert "inactive" not in kinds


def test_opt_out_and_the_structures_coordinates(setup, client):
    world, person, _ = setup
    url = f"/agenda/persons/{person.id}"
    token = _token(client, url)
    assert client.post(f"{url}/reminders", data={"opt_out": "1"}).status_code in (302, 400)
    db.session.expire_all()
    assert person.reminders_opt_out is False  # no CSRF token: nothing changed
    client.post(f"{url}/reminders", data={"csrf_token": token, "opt_out": "1"})
    db.session.expire_all()
    assert person.reminders_opt_out is True
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "reminders_opt_out")) == 1
    page = client.get("/agenda/reminders")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Aucun fournisseur de SMS n&#39;est configuré" in text.replace("'", "&#39;")
    token = CSRF.search(text).group(1)
    bad = client.post("/agenda/reminders", data={"csrf_token": token, "phone": "appelez-nous", "address": ""})
    assert bad.status_code == 422 and "Numéro de téléphone invalide" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert world.agir.phone is None
    client.post("/agenda/reminders", data={"csrf_token": token, "phone": "05 56 00 00 00",
                                           "address": "12 rue Sainte-Catherine, Bordeaux"})
    db.session.expire_all()
    assert (world.agir.phone, world.agir.address) == ("05 56 00 00 00", "12 rue Sainte-Catherine, Bordeaux")


def test_the_admin_page_says_reminders_are_kept_unsent_without_a_provider(world, app):
    client = app.test_client()
    assert factories.login(client, "admin@example.fr").status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="reminders-not-sent"' in page and "AGIR_SMS_PROVIDER" in page
    app.config.update(SMS_PROVIDER="brevo", SMS_API_KEY="k", SMTP_HOST="smtp.example.org")
    try:
        assert 'data-testid="reminders-not-sent"' not in client.get("/admin/").get_data(as_text=True)
    finally:
        app.config.update(SMS_PROVIDER=None, SMS_API_KEY=None, SMTP_HOST=None)
