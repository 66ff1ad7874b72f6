"""Who may open what: roles × URLs of the persons blueprint.

Another structure's social worker gets a 404 on every page and sub-resource of a file (never a hint
that it exists); pilots, admins and referral officers get a 403 on the whole blueprint; anonymous
visitors are sent to the login page. Every refusal leaves the file untouched.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from models import AuditEntry, Job, Note, Person, RightStep
from tests import factories

TODAY = date.today()


@pytest.fixture
def file_(world):
    """A file of my structure with something in every section, and the ids of its sub-resources."""
    sw = world.users.social_worker
    person = factories.make_person(world.department, world.agir, last_name="Secretname",
                                   protection_on=TODAY - timedelta(days=400))
    closed = acc_ops.enrol_person(sw, person, TODAY - timedelta(days=390))
    acc_ops.record_exit(sw, closed, TODAY - timedelta(days=200), "goals_reached", job_kind="cdd", job_months=8)
    current = acc_ops.enrol_person(sw, person, TODAY - timedelta(days=100))
    job = path_ops.add_job(sw, person, kind="cdd", date=TODAY - timedelta(days=50), months=8)
    step = path_ops.add_housing_step(sw, person, kind="siao_application", date=TODAY - timedelta(days=40))
    note = person_ops.add_note(sw, person, TODAY, "Texte secret")
    path_ops.set_right(sw, person, "rsa", "requested", requested=TODAY - timedelta(days=30))
    db.session.commit()
    return {"p": person.id, "closed": closed.id, "acc": current.id, "job": job.id, "step": step.id,
            "note": note.id}


GETS = [
    "/persons/{p}", "/persons/{p}/edit", "/persons/{p}/household", "/persons/{p}/summary", "/persons/{p}/history",
    "/persons/{p}/enrol", "/persons/{p}/accompaniments/{acc}/extend", "/persons/{p}/accompaniments/{acc}/exit",
    "/persons/{p}/accompaniments/{closed}/followup", "/persons/{p}/rights/rsa", "/persons/{p}/jobs/new",
    "/persons/{p}/jobs/{job}/edit", "/persons/{p}/housing-steps/{step}/edit", "/persons/{p}/notes/new",
    "/persons/{p}/notes/{note}/edit", "/persons/{p}/jobs/{job}/cancel", "/persons/{p}/notes/{note}/cancel",
    "/persons/{p}/rights/rsa/correct", "/persons/{p}/rights/rsa/cancel",
]
POSTS = [
    ("/persons/{p}/edit", {"last_name": "Changed"}),
    ("/persons/{p}/household", {"household_choice": "new"}),
    ("/persons/{p}/enrol", {"enrol-start": TODAY.isoformat()}),
    ("/persons/{p}/accompaniments/{acc}/extend", {"date": TODAY.isoformat(), "planned_end": "2099-01-01",
                                                  "reason": "x"}),
    ("/persons/{p}/accompaniments/{acc}/exit", {"date": TODAY.isoformat(), "reason": "moved_away"}),
    ("/persons/{p}/accompaniments/{closed}/followup", {"followup-date": TODAY.isoformat(),
                                                       "followup-positive": "yes"}),
    ("/persons/{p}/rights/rsa", {"right-rsa-state": "not_applicable"}),
    ("/persons/{p}/jobs/new", {"job-kind": "cdi", "job-date": TODAY.isoformat()}),
    ("/persons/{p}/jobs/{job}/edit", {"job-kind": "cdi", "job-date": TODAY.isoformat()}),
    ("/persons/{p}/jobs/{job}/cancel", {"cancel-correction_reason": "intrus"}),
    ("/persons/{p}/housing-steps/{step}/cancel", {"cancel-correction_reason": "intrus"}),
    ("/persons/{p}/rights/rsa/correct", {"correct-rsa-state": "todo", "correct-rsa-correction_reason": "intrus"}),
    ("/persons/{p}/rights/rsa/cancel", {"cancel-correction_reason": "intrus"}),
    ("/persons/{p}/notes/new", {"note-date": TODAY.isoformat(), "note-text": "intrus"}),
    ("/persons/{p}/notes/{note}/edit", {"note-date": TODAY.isoformat(), "note-text": "intrus"}),
    ("/persons/{p}/notes/{note}/cancel", {"cancel-correction_reason": "intrus"}),
]
BLUEPRINT_GETS = ["/persons/", "/persons/new", "/persons/eligibility?status=refugee&protection_on=2024-01-01"]


def snapshot():
    """What a refused request must not change."""
    return (db.session.scalar(select(func.count()).select_from(Job)),
            db.session.scalar(select(func.count()).select_from(Note)),
            tuple(db.session.execute(select(RightStep.state, RightStep.version_id)).all()),
            tuple(db.session.execute(select(Person.last_name, Person.version_id)).all()))


ROLES = {"pilot@example.fr": "/pilot/", "admin@example.fr": "/admin/", "ro@example.fr": "/referrals/"}
# The URLs are looped over inside each test (one login and one file per role): the same roles × URLs
# matrix as one test per pair, at a fraction of the set-up cost.


def test_another_structures_social_worker_gets_404_on_every_page_of_the_file(client, world, file_):
    factories.login(client, "sw-other@example.fr")
    for url in GETS:
        refusals = db.session.scalar(select(func.count()).where(AuditEntry.action == "access_refused"))
        response = client.get(url.format(**file_))
        assert response.status_code == 404, url
        assert "SECRETNAME" not in response.get_data(as_text=True), url
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "access_refused")) == refusals + 1


def test_another_structures_social_worker_gets_404_on_every_change_and_nothing_changes(client, world, file_):
    factories.login(client, "sw-other@example.fr")
    token = factories.csrf_token(client, "/persons/")
    before = snapshot()
    for url, data in POSTS:
        response = client.post(url.format(**file_), data={"csrf_token": token, **data})
        assert response.status_code == 404, url
        db.session.expire_all()
        assert snapshot() == before, url


@pytest.mark.parametrize("role_email", ROLES)
def test_other_roles_get_403_on_every_persons_page_and_change(client, world, file_, role_email):
    factories.login(client, role_email)
    for url in BLUEPRINT_GETS + GETS:
        response = client.get(url.format(**file_))
        assert response.status_code == 403, url
        assert "SECRETNAME" not in response.get_data(as_text=True)
    token = factories.csrf_token(client, ROLES[role_email])
    before = snapshot()
    for url, data in POSTS + [("/persons/new", {"last_name": "X"})]:
        assert client.post(url.format(**file_), data={"csrf_token": token, **data}).status_code == 403, url
    db.session.expire_all()
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login_page(client, world, file_):
    for url in BLUEPRINT_GETS + GETS:
        response = client.get(url.format(**file_))
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_a_sub_resource_of_another_file_is_404_even_through_my_own_file(client, world, file_):
    mine = factories.make_person(world.department, world.agir)
    db.session.commit()
    factories.login(client, "sw@example.fr")
    for url in (f"/persons/{mine.id}/jobs/{file_['job']}/edit", f"/persons/{mine.id}/notes/{file_['note']}/edit",
                f"/persons/{mine.id}/accompaniments/{file_['acc']}/exit", f"/persons/{mine.id}/rights/unknown",
                f"/persons/{mine.id}/pets/new"):
        assert client.get(url).status_code == 404, url
    token = factories.csrf_token(client, "/persons/")
    assert client.post(f"/persons/{mine.id}/jobs/{file_['job']}/cancel",
                       data={"csrf_token": token, "cancel-correction_reason": "x"}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_file_held_before_by_my_structure_stays_visible_after_it_moved(client, world):
    sw, other = world.users.social_worker, world.users.other_social_worker
    person = factories.make_person(world.department, world.other, last_name="Moved",
                                   protection_on=TODAY - timedelta(days=300))
    acc = acc_ops.enrol_person(sw, person, TODAY - timedelta(days=290))
    acc_ops.record_exit(sw, acc, TODAY - timedelta(days=200), "moved_away")
    acc_ops.enrol_person(other, person, TODAY - timedelta(days=100))
    db.session.commit()
    factories.login(client, "sw@example.fr")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "MOVED" in page and "seule cette structure peut le prolonger" in page
    assert client.get(f"/persons/{person.id}/accompaniments/{person.open_accompaniment.id}/exit").status_code == 200
    token = factories.csrf_token(client, "/persons/")
    refused = client.post(f"/persons/{person.id}/accompaniments/{person.open_accompaniment.id}/exit",
                          data={"csrf_token": token, "date": TODAY.isoformat(), "reason": "moved_away"})
    assert "Seule la structure qui porte" in refused.get_data(as_text=True)
