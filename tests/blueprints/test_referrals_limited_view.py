"""The limited view of a person for the referral side: what it shows, what must never leak, who gets a 404."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agir.extensions import db
from models import (
    AuditEntry,
    Event,
    Exit,
    HousingAccess,
    HousingStep,
    Job,
    Note,
    Participation,
    RightStep,
    Training,
)
from tests import factories
from tests.referrals_factories import client_for, html, make_referral

TODAY = date.today()
SECRETS = {
    "note": "NOTE-CONFIDENTIELLE-Kabul-4471",
    "right_reason": "MOTIF-DROIT-CONFIDENTIEL-88",
    "housing_number": "033-22-SECRET-0001",
}


@pytest.fixture
def person(world):
    """A person of the AGIR operator with a full file (notes, rights, housing, jobs), referred to the school."""
    p = factories.make_person(world.department, world.agir, last_name="Rahimi", first_name="Zahra",
                              phone="0601020304", email="zahra@example.org", language_level="A2",
                              protection_on=TODAY - timedelta(days=300))
    acc = factories.make_accompaniment(p, world.agir, start=TODAY - timedelta(days=200),
                                       planned_end=TODAY + timedelta(days=150))
    db.session.add_all([
        Note(person=p, noted_on=TODAY, text=SECRETS["note"]),
        RightStep(person=p, kind="health_insurance", state="refused", requested_on=TODAY - timedelta(days=100),
                  refused_on=TODAY - timedelta(days=50), refusal_reason=SECRETS["right_reason"]),
        RightStep(person=p, kind="caf_benefits", state="obtained", obtained_on=TODAY - timedelta(days=40)),
        HousingStep(person=p, kind="social_housing_application", step_on=TODAY - timedelta(days=90),
                    number=SECRETS["housing_number"]),
        HousingAccess(person=p, kind="social_rental", access_on=TODAY - timedelta(days=10)),
        Job(person=p, kind="cdd", start_on=TODAY - timedelta(days=20), months=8),
        Training(person=p, level="qualifying", start_on=TODAY - timedelta(days=60)),
    ])
    db.session.flush()
    assert acc.id
    make_referral(p, world.programme, "started", sender=world.agir, sent_on=TODAY - timedelta(days=30),
                  need="Cours de français intensifs pour viser le niveau B1")
    # A referral between two other structures: none of the school's business (health data minimisation).
    clinic = factories.make_structure(world.department, "programme_operator", name="Centre de santé Bastide")
    health = factories.make_programme(world.department, clinic, theme="mental_health", name="Écoute psy", carif=None)
    make_referral(p, health, "sent", sender=world.agir, need="BESOIN-AUTRE-STRUCTURE-ecoute")
    db.session.add(Event(person=p, programme=health, kind="medical_consultation", event_on=TODAY))
    db.session.commit()
    return p


FORBIDDEN = (
    SECRETS["note"], SECRETS["right_reason"], SECRETS["housing_number"],
    "Assurance maladie", "Prestations CAF", "Demande de logement social", "Logement social",
    "CDD", "Qualifiante", "Notes", "Droits", "Logement", "Emploi",
    "BESOIN-AUTRE-STRUCTURE-ecoute", "Écoute psy", "Centre de santé Bastide",
)


def test_limited_view_shows_identity_contact_level_and_the_referral(app, world, person):
    page = html(client_for(app, "ro@example.fr").get(f"/referrals/persons/{person.id}"))
    for text in ("RAHIMI Zahra", "0601020304", "zahra@example.org", "A2", "Réfugié·e",
                 "Cours de français intensifs pour viser le niveau B1", "Français pour tous", "Démarrée"):
        assert text in page


def test_limited_view_never_leaks_notes_rights_housing_or_employment(app, world, person):
    page = html(client_for(app, "ro@example.fr").get(f"/referrals/persons/{person.id}"))
    main = page[page.index('<main'):page.index('</main>')]
    leaks = [text for text in FORBIDDEN if text in main]
    assert leaks == [], f"the limited view leaks: {leaks}"
    assert "data-event=" not in main  # the clinic's consultation is not the school's business


def test_the_leak_test_would_catch_a_leak(app, world, person):
    """Guard on the guard: the forbidden strings are really in the person's full data."""
    stored = db.session.scalars(select(Note.text)).all() + db.session.scalars(select(RightStep.refusal_reason)).all()
    assert SECRETS["note"] in stored and SECRETS["right_reason"] in stored
    assert db.session.scalar(select(HousingStep.number)) == SECRETS["housing_number"]


@pytest.mark.parametrize("email, status", [
    ("sw-other@example.fr", 404), ("pilot@example.fr", 403), ("admin@example.fr", 403), ("ro-stranger@example.fr", 404),
])
def test_anyone_else_gets_404_and_other_roles_403(app, world, person, email, status):
    stranger = factories.make_structure(world.department, "programme_operator")
    factories.make_user("referral_officer", stranger, email="ro-stranger@example.fr")
    db.session.commit()
    c = client_for(app, email)
    resp = c.get(f"/referrals/persons/{person.id}")
    assert resp.status_code == status
    assert "RAHIMI" not in html(resp)
    token = factories.csrf_token(c, "/referrals/") if status == 404 else None
    if token:
        assert c.post(f"/referrals/persons/{person.id}/events", data={"csrf_token": token}).status_code == 404


def test_a_person_not_referred_to_the_structure_is_404(app, world, person):
    unrelated = factories.make_person(world.department, world.agir)
    db.session.commit()
    assert client_for(app, "ro@example.fr").get(f"/referrals/persons/{unrelated.id}").status_code == 404
    assert client_for(app, "ro@example.fr").get("/referrals/persons/999999").status_code == 404


def test_each_view_is_audited_with_field_names_only(app, world, person):
    client_for(app, "ro@example.fr").get(f"/referrals/persons/{person.id}")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "limited_view"))
    assert entry.person_id == person.id and entry.role == "referral_officer"
    assert {"last_name", "phone", "language_level", "referrals"} <= set(entry.fields)
    assert "0601020304" not in str(entry.fields)
    assert not {"notes", "rights", "housing", "jobs"} & set(entry.fields)


def _participation_id(person):
    db.session.expire_all()
    return db.session.scalar(select(Participation.id).where(Participation.person_id == person.id))


def test_operator_records_hours_and_levels_and_sees_assiduity(app, world, person):
    db.session.add(Participation(person=person, programme=world.programme, start_on=TODAY - timedelta(days=16),
                                 level_start="A2"))
    db.session.commit()
    pid = _participation_id(person)
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/persons/{person.id}"
    page = html(ro.get(url))
    version = re.search(rf'name="p{pid}-version_id" type="hidden" value="(\d+)"', page).group(1)
    resp = ro.post(f"{url}/participations/{pid}", data={
        "csrf_token": factories.csrf_token(ro, url), f"p{pid}-version_id": version,
        f"p{pid}-start_on": (TODAY - timedelta(days=16)).isoformat(), f"p{pid}-end_on": "",
        f"p{pid}-planned_hours": "120", f"p{pid}-attended_hours": "100,5",
        f"p{pid}-level_start": "A2", f"p{pid}-level_end": "B1"})
    assert resp.status_code == 302
    db.session.expire_all()
    part = db.session.get(Participation, pid)
    assert (part.planned_hours, part.attended_hours, part.level_start, part.level_end) == (120, 100.5, "A2", "B1")
    page = html(ro.get(url))
    assert "assidu·e" in page and "100,5 h suivies sur 120 h prévues" in page


def test_a_rule_of_the_participation_is_shown_next_to_its_field(app, world, person):
    db.session.add(Participation(person=person, programme=world.programme, start_on=TODAY - timedelta(days=16)))
    db.session.commit()
    pid = _participation_id(person)
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/persons/{person.id}"
    resp = ro.post(f"{url}/participations/{pid}", data={
        "csrf_token": factories.csrf_token(ro, url), f"p{pid}-version_id": "1",
        f"p{pid}-start_on": (TODAY - timedelta(days=16)).isoformat(),
        f"p{pid}-end_on": (TODAY - timedelta(days=20)).isoformat(), f"p{pid}-attended_hours": "12"})
    page = html(resp)
    assert re.search(rf'id="p{pid}-end_on-error" class="fr-error-text">La date de fin ne peut précéder', page), \
        re.findall(r'fr-error-text">([^<]*)', page)
    assert re.search(rf'<input [^>]*name="p{pid}-attended_hours"[^>]*value="12"', page)
    assert 'aria-expanded="true" aria-controls="edit-' in page  # the form stays open on its error


def test_operator_adds_a_participation_to_its_own_programme_only(app, world, person):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/persons/{person.id}"
    data = {"csrf_token": factories.csrf_token(ro, url), "new-start_on": (TODAY - timedelta(days=3)).isoformat(),
            "new-planned_hours": "50", "new-level_start": "A2"}
    resp = ro.post(f"{url}/participations", data=data | {"new-programme_id": world.programme.id})
    assert resp.status_code == 302, re.findall(r'fr-error-text">([^<]*)', html(resp))
    assert _participation_id(person)
    other_programme = db.session.scalar(select(Event.programme_id))  # the clinic's programme
    resp = ro.post(f"{url}/participations", data=data | {"new-programme_id": other_programme})
    assert "Choisissez un programme de votre structure" in html(resp)


def test_operator_records_a_cultural_event_with_its_id(app, world, person):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/persons/{person.id}"
    resp = ro.post(f"{url}/events", data={"csrf_token": factories.csrf_token(ro, url),
                                          "programme_id": world.programme.id, "kind": "cultural_event",
                                          "event_on": TODAY.isoformat(), "event_ref": "MUSEE-AQUITAINE-2026"})
    assert resp.status_code == 302
    db.session.expire_all()
    event = db.session.scalar(select(Event).where(Event.kind == "cultural_event"))
    assert (event.programme_id, event.event_ref, event.person_id) == (world.programme.id, "MUSEE-AQUITAINE-2026",
                                                                      person.id)
    page = html(ro.get(url))
    assert "MUSEE-AQUITAINE-2026" in page and "Événement culturel" in page


def test_sport_event_without_id_is_refused_next_to_the_field(app, world, person):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/persons/{person.id}"
    resp = ro.post(f"{url}/events", data={"csrf_token": factories.csrf_token(ro, url),
                                          "programme_id": world.programme.id, "kind": "sport_event",
                                          "event_on": TODAY.isoformat(), "event_ref": ""})
    assert re.search(r'id="event_ref-error" class="fr-error-text">L&#39;identifiant de l&#39;évènement est obligatoire', html(resp))  # noqa: E501


def test_social_worker_of_the_person_may_use_the_limited_view_but_records_nothing(app, world, person):
    sw = client_for(app, "sw@example.fr")
    page = html(sw.get(f"/referrals/persons/{person.id}"))
    assert "RAHIMI Zahra" in page and "Enregistrer un événement" not in page
    assert SECRETS["note"] not in page


def test_exit_situation_is_not_shown_either(app, world, person):
    acc = person.accompaniments[0]
    db.session.add(Exit(accompaniment=acc, exit_on=TODAY, reason="goals_reached", job_kind="cdi"))
    acc.exit_on = TODAY
    db.session.commit()
    page = html(client_for(app, "ro@example.fr").get(f"/referrals/persons/{person.id}"))
    main = page[page.index('<main'):page.index('</main>')]
    assert "Objectifs atteints" not in main and "CDI" not in main
