"""Referral views through the test client with real forms and CSRF tokens: sending, the queue, every step."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agir.extensions import db
from models import AuditEntry, Referral
from tests import factories
from tests.referrals_factories import client_for, html, make_referral

TODAY = date.today()


def stored_referral(referral_id: int) -> Referral:
    """The referral as the database holds it now (the requests ran in other sessions)."""
    db.session.expire_all()
    return db.session.get(Referral, referral_id)


def ids_in_queue(resp) -> list[int]:
    return [int(x) for x in re.findall(r'data-referral="(\d+)"', html(resp))]


@pytest.fixture
def person(world):
    world.programme.end_on = TODAY + timedelta(days=365)  # still running: one may refer to it
    p = factories.make_person(world.department, world.agir, protection_on=TODAY - timedelta(days=400),
                              phone="0601020304")
    factories.make_accompaniment(p, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    db.session.commit()
    return p


# ---------------------------------------------------------------- sending

def test_social_worker_refers_through_the_form(app, world, person):
    sw = client_for(app, "sw@example.fr")
    url = f"/referrals/new?person_id={person.id}"
    page = html(sw.get(url))
    assert "Aucune information médicale" in page and "Français pour tous" in page
    token = factories.csrf_token(sw, url)
    resp = sw.post(url, data={"csrf_token": token, "programme_id": world.programme.id,
                              "need": "Cours de français pour préparer un emploi", "sent_on": TODAY.isoformat()})
    assert resp.status_code == 302
    referral = db.session.scalar(select(Referral))
    assert resp.headers["Location"].endswith(f"/referrals/{referral.id}")
    assert (referral.state, referral.sender_structure_id, referral.sent_on) == ("sent", world.agir.id, TODAY)
    shown = html(sw.get(f"/referrals/{referral.id}"))
    assert "Orientation envoyée" in shown and "Cours de français pour préparer un emploi" in shown


def test_medical_need_is_refused_next_to_the_field_and_typed_values_kept(app, world, person):
    sw = client_for(app, "sw@example.fr")
    url = f"/referrals/new?person_id={person.id}"
    resp = sw.post(url, data={"csrf_token": factories.csrf_token(sw, url), "programme_id": world.programme.id,
                              "need": "Suivi de son hépatite C", "sent_on": TODAY.isoformat()})
    page = html(resp)
    assert resp.status_code == 200
    assert re.search(r'id="need-error" class="fr-error-text">[^<]*aucune information médicale', page)
    assert "Suivi de son hépatite C</textarea>" in page
    assert db.session.scalar(select(Referral.id)) is None


def test_post_without_csrf_token_is_refused(app, world, person):
    sw = client_for(app, "sw@example.fr")
    resp = sw.post(f"/referrals/new?person_id={person.id}",
                   data={"programme_id": world.programme.id, "need": "Cours", "sent_on": TODAY.isoformat()})
    assert resp.status_code == 400
    assert db.session.scalar(select(Referral.id)) is None


def test_five_year_window_warns_on_the_form_and_after_sending(app, world, person):
    old = factories.make_person(world.department, world.agir, protection_on=date(2015, 1, 10))
    db.session.commit()
    sw = client_for(app, "sw@example.fr")
    url = f"/referrals/new?person_id={old.id}"
    assert "Limite de cinq ans" in html(sw.get(url))
    resp = sw.post(url, data={"csrf_token": factories.csrf_token(sw, url), "programme_id": world.programme.id,
                              "need": "Cours de français", "sent_on": TODAY.isoformat()}, follow_redirects=True)
    page = html(resp)
    assert "Orientation envoyée" in page and "au-delà de la limite de cinq ans" in page
    assert db.session.scalar(select(Referral.state)) == "sent"  # a warning, never a refusal


@pytest.mark.parametrize("email, status", [("sw-other@example.fr", 404), ("pilot@example.fr", 403),
                                           ("admin@example.fr", 403)])
def test_refer_a_person_one_may_not_see(app, world, person, email, status):
    c = client_for(app, email)
    assert c.get(f"/referrals/new?person_id={person.id}").status_code == status


def test_unknown_person_is_404_and_audited(app, world):
    sw = client_for(app, "sw@example.fr")
    assert sw.get("/referrals/new?person_id=999999").status_code == 404
    assert sw.get("/referrals/new").status_code == 404
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "access_refused"))


# ---------------------------------------------------------------- the queue

def test_queue_puts_unanswered_first_oldest_first_with_age(app, world, person):
    # One open referral per person and programme (issue 13): the three open ones are three persons'.
    second, third = (factories.make_person(world.department, world.agir) for _ in range(2))
    started = make_referral(person, world.programme, "started", sender=world.agir, sent_on=TODAY - timedelta(days=90))
    sent_new = make_referral(second, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=3))
    done = make_referral(person, world.programme, "completed", sender=world.agir, sent_on=TODAY - timedelta(days=99))
    sent_old = make_referral(third, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=20))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    resp = ro.get("/referrals/")
    assert ids_in_queue(resp) == [sent_old.id, sent_new.id, started.id, done.id]
    page = html(resp)
    assert "20 jours" in page and "3 jours" in page
    assert "1 orientation sans réponse depuis plus de 15 jours" in page
    assert "Envoyée : 2" in page and "Démarrée : 1" in page


def test_queue_filters_by_state_theme_programme_and_direction(app, world, person):
    health = factories.make_programme(world.department, world.school, theme="health", name="Bilan santé", carif=None)
    lang = make_referral(person, world.programme, "sent", sender=world.agir)
    hlth = make_referral(person, health, "accepted", sender=world.agir)
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    assert ids_in_queue(ro.get("/referrals/?state=accepted")) == [hlth.id]
    assert ids_in_queue(ro.get("/referrals/?theme=language")) == [lang.id]
    assert ids_in_queue(ro.get(f"/referrals/?programme={health.id}")) == [hlth.id]
    assert ids_in_queue(ro.get("/referrals/?direction=out")) == []
    assert sorted(ids_in_queue(ro.get("/referrals/?direction=in"))) == sorted([lang.id, hlth.id])


def test_queue_is_paginated(app, world, person):
    for i in range(30):
        make_referral(person, world.programme, "completed", sender=world.agir, sent_on=TODAY - timedelta(days=i))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    first, second = ro.get("/referrals/"), ro.get("/referrals/?page=2")
    assert len(ids_in_queue(first)) == 25 and len(ids_in_queue(second)) == 5
    assert "fr-pagination" in html(first) and "Page suivante" in html(first)
    assert not set(ids_in_queue(first)) & set(ids_in_queue(second))


def test_social_worker_sees_their_outgoing_referrals_only(app, world, person):
    mine = make_referral(person, world.programme, "sent", sender=world.agir)
    stranger = factories.make_person(world.department, world.other)
    make_referral(stranger, world.programme, "sent", sender=world.other)
    db.session.commit()
    sw = client_for(app, "sw@example.fr")
    assert ids_in_queue(sw.get("/referrals/")) == [mine.id]
    other = client_for(app, "sw-other@example.fr")
    assert mine.id not in ids_in_queue(other.get("/referrals/"))


@pytest.mark.parametrize("url", ["/referrals/", "/referrals/programmes", "/referrals/new?person_id=1"])
def test_pilot_gets_403(app, world, url):
    assert client_for(app, "pilot@example.fr").get(url).status_code == 403


def test_anonymous_is_sent_to_login(app, world):
    resp = app.test_client().get("/referrals/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


# ---------------------------------------------------------------- steps

def _step(c, referral_id, step, on, **extra):
    url = f"/referrals/{referral_id}"
    page = html(c.get(url))
    token = factories.CSRF_RE.search(page).group(1)
    version = re.search(rf'id="{step}-version_id" name="{step}-version_id" type="hidden" value="(\d+)"', page)
    data = {"csrf_token": token, f"{step}-on": on.isoformat(),
            f"{step}-version_id": version.group(1) if version else "1"}
    data.update({f"{step}-{k}": v for k, v in extra.items()})
    return c.post(f"{url}/{step}", data=data)


def test_referral_officer_accepts_starts_and_completes_through_forms(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    page = html(ro.get(f"/referrals/{r.id}"))
    assert "Accepter" in page and "Refuser" in page and "Annuler l&#39;orientation" not in page
    assert _step(ro, r.id, "accepted", TODAY - timedelta(days=8)).status_code == 302
    assert _step(ro, r.id, "started", TODAY - timedelta(days=5)).status_code == 302
    assert _step(ro, r.id, "completed", TODAY).status_code == 302
    stored = stored_referral(r.id)
    assert (stored.state, stored.accepted_on, stored.started_on, stored.completed_on) == (
        "completed", TODAY - timedelta(days=8), TODAY - timedelta(days=5), TODAY)
    # Both sides see every state.
    sw_page = html(client_for(app, "sw@example.fr").get(f"/referrals/{r.id}"))
    for text in ("Acceptée", "Démarrée", "Terminée", "Envoyée"):
        assert text in sw_page


def test_a_refused_transition_is_explained(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    resp = _step(ro, r.id, "completed", TODAY)
    assert resp.status_code == 200
    assert "Une orientation envoyée ne peut pas devenir terminée" in html(resp)
    assert stored_referral(r.id).state == "sent"


def test_a_step_before_the_previous_one_is_shown_next_to_the_date(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    resp = _step(ro, r.id, "accepted", TODAY - timedelta(days=11))
    assert re.search(r'id="accepted-on-error" class="fr-error-text">'
                     r'La date d&#39;acceptation ne peut précéder la date d&#39;envoi', html(resp))


def test_refusal_needs_a_reason_shown_next_to_the_field(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    resp = _step(ro, r.id, "refused", TODAY)
    assert re.search(r'id="refused-reason-error" class="fr-error-text">Indiquez le motif du refus', html(resp))
    assert _step(ro, r.id, "refused", TODAY, reason="Groupe complet jusqu'en septembre").status_code == 302
    sw_page = html(client_for(app, "sw@example.fr").get(f"/referrals/{r.id}"))
    assert "Groupe complet jusqu&#39;en septembre" in sw_page and "Refusée" in sw_page


def test_sender_cancels_while_sent(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    sw = client_for(app, "sw@example.fr")
    page = html(sw.get(f"/referrals/{r.id}"))
    assert "Annuler l&#39;orientation" in page and "Accepter" not in page
    assert _step(sw, r.id, "cancelled", TODAY).status_code == 302
    assert stored_referral(r.id).state == "cancelled"


def test_the_sender_cannot_accept_by_posting(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    sw = client_for(app, "sw@example.fr")
    resp = _step(sw, r.id, "accepted", TODAY)
    assert "Seule la structure qui porte le programme" in html(resp)
    assert stored_referral(r.id).state == "sent"


def test_a_stale_form_is_refused_with_the_reload_message(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/{r.id}"
    token = factories.csrf_token(ro, url)
    r.state, r.accepted_on = "accepted", TODAY  # someone else answered meanwhile
    db.session.commit()
    resp = ro.post(f"{url}/refused", data={"csrf_token": token, "refused-on": TODAY.isoformat(),
                                           "refused-reason": "Complet", "refused-version_id": "1"})
    assert "modifié par quelqu&#39;un d&#39;autre" in html(resp)
    assert stored_referral(r.id).state == "accepted"


def test_referral_of_another_structure_is_404(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir)
    db.session.commit()
    assert client_for(app, "sw-other@example.fr").get(f"/referrals/{r.id}").status_code == 404
    stranger_school = factories.make_structure(world.department, "programme_operator")
    factories.make_user("referral_officer", stranger_school, email="ro2@example.fr")
    db.session.commit()
    ro2 = client_for(app, "ro2@example.fr")
    assert ro2.get(f"/referrals/{r.id}").status_code == 404
    assert ro2.post(f"/referrals/{r.id}/accepted", data={"csrf_token": factories.csrf_token(ro2, "/referrals/")}
                    ).status_code == 404


def test_viewing_a_referral_is_audited_with_field_names(app, world, person):
    r = make_referral(person, world.programme, "sent", sender=world.agir, need="Cours du soir")
    db.session.commit()
    client_for(app, "ro@example.fr").get(f"/referrals/{r.id}")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral_viewed"))
    assert entry.person_id == person.id and "need" in entry.fields
    assert "Cours du soir" not in str(entry.fields) + (entry.detail or "")
