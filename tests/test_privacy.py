"""Right of access (GDPR art. 15): the holder's social worker exports a person's whole file as JSON and as a
printable page; the same data as the interchange export; audited; nobody else reaches it."""
import json
from datetime import date

import pytest
from sqlalchemy import select

from agir.extensions import db
from agir.interchange.exporter import iter_export_lines
from agir.privacy import anonymise_person
from models import AuditEntry, Event, Exit, FollowUp, HousingAccess, Job, Note, Referral, RightStep
from tests import factories


@pytest.fixture
def file_(world):
    """A person held by world.agir with something in every section of the path."""
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Amina",
                                   phone="06 12 34 56 78", email="amina.h@example.org", birth_on=date(1996, 4, 2))
    acc = factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1), planned_end=date(2023, 8, 31),
                                       exit_on=date(2023, 6, 30))
    acc.exit = Exit(exit_on=date(2023, 6, 30), reason="goals_reached", job_kind="cdd", job_months=8)
    acc.exit.followup = FollowUp(followup_on=date(2024, 1, 5), is_positive=True)
    db.session.add_all([
        Note(person=person, noted_on=date(2022, 9, 2), text="Premier entretien, très motivée.\nSuite le 15."),
        RightStep(person=person, kind="health_insurance", state="obtained", requested_on=date(2022, 9, 5),
                  obtained_on=date(2022, 10, 1)),
        RightStep(person=person, kind="caf_benefits", state="refused", requested_on=date(2022, 9, 5),
                  refused_on=date(2022, 11, 1), refusal_reason="Pièce manquante"),
        HousingAccess(person=person, kind="social_rental", access_on=date(2023, 3, 1)),
        Job(person=person, kind="cdd", start_on=date(2023, 6, 1), months=8),
        Referral(person=person, programme=world.programme, sender_structure=world.agir, state="accepted",
                 need="Cours du soir", sent_on=date(2022, 9, 10), accepted_on=date(2022, 9, 20)),
        Event(person=person, kind="medical_consultation", event_on=date(2022, 12, 1)),
    ])
    db.session.commit()
    return person


def export_line_of(ref: str) -> dict:
    """The person's record in the interchange export of the whole database."""
    for line in iter_export_lines():
        record = json.loads(line)
        if record["type"] == "person" and record["ref"] == ref:
            return record
    raise AssertionError(f"{ref} not exported")


def test_the_holder_downloads_the_whole_file_as_json(client, login, file_):
    login("sw@example.fr")
    response = client.get(f"/privacy/persons/{file_.id}.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="agir-droit-acces-{file_.ref}.json"; filename*=UTF-8\'\'agir-droit-acces-{file_.ref}.json')  # noqa: E501
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    # Exactly what the interchange export holds about the person (the same serialisation) …
    assert data["person"] == export_line_of(file_.ref)
    assert data["person"]["notes"] == [{"date": "2022-09-02", "text": "Premier entretien, très motivée.\nSuite le 15."}]
    assert data["person"]["accompaniments"][0]["exit"]["followup"] == {"date": "2024-01-05", "positive": True}
    # … plus what the export leaves out, and the information art. 15 asks for.
    assert data["pseudonym"] == file_.pseudonym
    assert data["eligibility"] == [{"start": "2022-09-01", "kind": "agir", "eligible": True, "priority": False,
                                    "reasons": []}]
    assert data["references"]["programmes"] == {"PR-LANG": {"name": "Français pour tous", "theme": "language"}}
    assert data["references"]["structures"]["S-AGIR"]["name"] == "Opérateur AGIR Bordeaux"
    assert "6-1-e" in data["processing"]["legal_basis"] and "9-2-g" in data["processing"]["legal_basis"]
    assert "2 ans" in data["processing"]["retention"] and "365 jours" in data["processing"]["retention"]


def test_the_readable_page_shows_every_section_ready_to_print(client, login, file_):
    login("sw@example.fr")
    response = client.get(f"/privacy/persons/{file_.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Vos données personnelles dans AGIR", "Amina Haidari", "02/04/1996", "06 12 34 56 78",
                 "amina.h@example.org", "Opérateur AGIR Bordeaux", "entrée le 01/09/2022", "Sortie le 30/06/2023",
                 "CDD de 8 mois", "Suivi à 6 mois le 05/01/2024 : situation positive", "Assurance maladie",
                 "Pièce manquante", "Logement social depuis le 01/03/2023", "Français pour tous",
                 "Besoin exprimé : Cours du soir", "acceptée le 20/09/2022", "Consultation médicale le 01/12/2022",
                 "Premier entretien, très motivée.", "Base légale", "data-action=\"print\"",
                 f"/privacy/persons/{file_.id}.json", "Éligibilité à l’entrée : oui", file_.pseudonym):
        assert text in html, text


@pytest.mark.parametrize("path", ["", ".json"])
def test_each_export_is_audited_without_any_value(client, login, file_, path):
    login("sw@example.fr")
    client.get(f"/privacy/persons/{file_.id}{path}")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_person")).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.person_id, entry.user_email, entry.role) == (file_.id, "sw@example.fr", "social_worker")
    assert entry.detail == f"droit d'accès ({'json' if path else 'html'})"
    assert entry.ip == "127.0.0.1"
    assert "Haidari" not in f"{entry.fields} {entry.detail}"


@pytest.mark.parametrize("path", ["", ".json"])
def test_a_social_worker_of_another_structure_gets_404(client, login, file_, path):
    login("sw-other@example.fr")
    assert client.get(f"/privacy/persons/{file_.id}{path}").status_code == 404
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "export_person")) is None
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "access_refused")) == \
        f"GET /privacy/persons/{file_.id}{path}"


@pytest.mark.parametrize("email", ["ro@example.fr", "pilot@example.fr", "admin@example.fr"])
def test_other_roles_are_refused(client, login, file_, email):
    # The referral officer sees this person in the limited view (referred to the school), never the whole file.
    login(email)
    for path in ("", ".json"):
        assert client.get(f"/privacy/persons/{file_.id}{path}").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, file_):
    response = client.get(f"/privacy/persons/{file_.id}.json")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_anonymised_file_is_not_found(client, login, file_):
    anonymise_person(None, file_)
    db.session.commit()
    login("sw@example.fr")
    assert client.get(f"/privacy/persons/{file_.id}.json").status_code == 404


def test_a_file_with_an_empty_path_still_exports(client, login, world):
    person = factories.make_person(world.department, world.agir, household=None)
    db.session.commit()
    login("sw@example.fr")
    data = client.get(f"/privacy/persons/{person.id}.json").get_json()
    assert data["person"]["accompaniments"] == [] and data["eligibility"] == []
    assert data["references"]["structures"] == {} and data["references"]["programmes"] == {}
    html = client.get(f"/privacy/persons/{person.id}").get_data(as_text=True)
    assert "Aucun accompagnement." in html and "Aucune note." in html


def test_the_file_links_to_the_right_of_access_page(client, login, file_):
    login("sw@example.fr")
    page = client.get(f"/persons/{file_.id}").get_data(as_text=True)
    assert f'href="/privacy/persons/{file_.id}"' in page
