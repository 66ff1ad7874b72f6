"""Finding 5 of issue 13: every read of personal data is audited — a form shown again after a refused POST
(it shows the person's data) and a page of a search or list of persons, one entry per page shown."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from models import AuditEntry
from tests import factories
from tests.referrals_factories import make_referral


def _count(action: str, person_id: int | None = None, user: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    if person_id is not None:
        query = query.where(AuditEntry.person_id == person_id)
    if user is not None:
        query = query.where(AuditEntry.user_email == user)
    db.session.expire_all()
    return db.session.scalar(query)


@pytest.fixture
def file_(world):
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Zahra")
    accompaniment = factories.make_accompaniment(person, world.agir, start=date(2022, 9, 1))
    db.session.commit()
    return person, accompaniment


FORMS = ["{p}/edit", "{p}/household", "{p}/rights/health_insurance", "{p}/housing-steps/new", "{p}/jobs/new",
         "{p}/notes/new", "{p}/accompaniments/{a}/extend", "{p}/accompaniments/{a}/exit"]


@pytest.mark.parametrize("form", FORMS)
def test_a_form_shown_again_after_a_refused_post_is_an_audited_read(client, file_, form):
    person, accompaniment = file_
    url = "/persons/" + form.format(p=person.id, a=accompaniment.id)
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, url)  # the GET is a read too
    before = _count("view_person", person.id)
    response = client.post(url, data={"csrf_token": token, "last_name": "", "note-date": "32/13/2022",
                                      "extend-date": "x", "exit-date": "x", "date": "x", "state": "nonsense",
                                      "right-health_insurance-state": "nonsense"})
    assert response.status_code == 200
    assert "Haidari" in response.get_data(as_text=True) or "Zahra" in response.get_data(as_text=True)
    assert _count("view_person", person.id) == before + 1


def test_a_refused_post_writes_nothing_but_the_audit_entry(client, file_):
    person, _ = file_
    factories.login(client, "sw@example.fr")
    token = factories.csrf_token(client, f"/persons/{person.id}/edit")
    client.post(f"/persons/{person.id}/edit", data={"csrf_token": token, "last_name": "", "first_name": "Autre"})
    db.session.expire_all()
    assert db.session.get(type(person), person.id).first_name == "Zahra"


def test_the_limited_view_shown_again_after_a_refused_post_is_audited(client, world, file_):
    person, _ = file_
    make_referral(person, world.programme, state="started", sender=world.agir)
    db.session.commit()
    factories.login(client, "ro@example.fr")
    token = factories.csrf_token(client, f"/referrals/persons/{person.id}")
    before = _count("limited_view", person.id)
    response = client.post(f"/referrals/persons/{person.id}/participations",
                           data={"csrf_token": token, "new-programme_id": str(world.programme.id),
                                 "new-start_on": "pas une date"})
    assert response.status_code == 200 and "Haidari" in response.get_data(as_text=True)
    assert _count("limited_view", person.id) == before + 1


@pytest.mark.parametrize("query", ["?q=haidari", "?q=zahra&sort=name", "", "?accompaniment=open"])
def test_each_page_of_the_persons_list_is_one_audited_read(client, file_, query):
    factories.login(client, "sw@example.fr")
    before = _count("persons_list_viewed", user="sw@example.fr")
    response = client.get(f"/persons/{query}")
    assert response.status_code == 200 and "Haidari" in response.get_data(as_text=True).replace("HAIDARI", "Haidari")
    assert _count("persons_list_viewed", user="sw@example.fr") == before + 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "persons_list_viewed")
                               .order_by(AuditEntry.id.desc())).first()
    assert "haidari" not in (entry.detail or "").lower() and "zahra" not in (entry.detail or "").lower()
    assert entry.person_id is None


def test_a_search_that_finds_nobody_shows_no_data_and_writes_nothing(client, file_):
    factories.login(client, "sw@example.fr")
    before = _count("persons_list_viewed")
    client.get("/persons/?q=personne-de-ce-nom")
    assert _count("persons_list_viewed") == before


def test_the_alerts_inbox_listing_persons_is_one_audited_read(client, world, file_):
    from agir.jobs import run_alerts
    run_alerts(as_of=date(2026, 1, 1))
    db.session.commit()
    factories.login(client, "sw@example.fr")
    before = _count("alerts_viewed", user="sw@example.fr")
    response = client.get("/alerts/")
    assert response.status_code == 200 and "Haidari" in response.get_data(as_text=True).replace("HAIDARI", "Haidari")
    assert _count("alerts_viewed", user="sw@example.fr") == before + 1
