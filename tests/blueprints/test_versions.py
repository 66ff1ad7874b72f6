"""Version checks (issue 13 item 3): two people open the same line, both save; the second is refused with
« modifiée par quelqu'un d'autre », keeps what they typed, writes nothing, and the first's value stays.

Each test drives two real logged-in clients (two sessions, two CSRF tokens) through the real pages: the
version each one saves with is the one its own page carried.
"""
import html as html_lib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from agir.operations import referrals as ref_ops
from models import AuditEntry, Event, HousingAccess, HousingStep, Job, Note, Participation, Training
from tests import factories
from tests.referrals_factories import client_for

TODAY = date.today()
DAY = TODAY - timedelta(days=20)
STALE = "modifiée par quelqu&#39;un d&#39;autre pendant que vous la corrigiez"


def hidden(resp, name: str) -> str:
    text = resp.get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", text):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return html_lib.unescape(found.group(1)) if found else ""
    raise AssertionError(f"no input {name}")


@pytest.fixture
def two(app, world):
    """The social worker and a colleague of the same structure, each in their own browser, and a file."""
    colleague = factories.make_user("social_worker", world.agir, email="colleague@example.fr")
    person = factories.make_person(world.department, world.agir, last_name="Partage")
    db.session.commit()
    return person, client_for(app, "sw@example.fr"), client_for(app, colleague.email)


def race(first, second, url: str, prefix: str, first_values: dict, second_values: dict):
    """Both open the page, the first saves, then the second saves from the version it read."""
    pages = [c.get(url) for c in (first, second)]
    assert all(p.status_code == 200 for p in pages)
    posts = []
    for client, page, values in ((first, pages[0], first_values), (second, pages[1], second_values)):
        data = {"csrf_token": hidden(page, "csrf_token"), f"{prefix}-version": hidden(page, f"{prefix}-version")}
        data.update({f"{prefix}-{k}": v for k, v in values.items()})
        posts.append(client.post(url, data=data))
    return posts


LINES = {
    # section: (model, add values, first save, second save, column checked, value after the first save)
    "jobs": (Job, {"kind": "cdd", "date": DAY, "months": 6},
             {"kind": "cdd", "date": DAY.isoformat(), "months": "7"},
             {"kind": "cdd", "date": DAY.isoformat(), "months": "9"}, "months", 7),
    "housing-steps": (HousingStep, {"kind": "siao_application", "date": DAY, "number": None},
                      {"kind": "siao_application", "date": DAY.isoformat(), "number": "SIAO-1"},
                      {"kind": "siao_application", "date": DAY.isoformat(), "number": "SIAO-2"}, "number", "SIAO-1"),
    "housing": (HousingAccess, {"kind": "temporary", "date": DAY},
                {"kind": "social_rental", "date": DAY.isoformat()},
                {"kind": "private_rental", "date": DAY.isoformat()}, "kind", "social_rental"),
    "trainings": (Training, {"level": "qualifying", "date": DAY},
                  {"level": "certifying", "date": DAY.isoformat()},
                  {"level": "diploma", "date": DAY.isoformat()}, "level", "certifying"),
    "events": (Event, {"kind": "sport_event", "date": DAY, "event_ref": "MATCH-1"},
               {"kind": "sport_event", "date": DAY.isoformat(), "event_ref": "MATCH-2"},
               {"kind": "sport_event", "date": DAY.isoformat(), "event_ref": "MATCH-3"}, "event_ref", "MATCH-2"),
}
KINDS = {"jobs": "job", "housing-steps": "housing_step", "housing": "housing", "trainings": "training",
         "events": "event"}


@pytest.mark.parametrize("section", LINES)
def test_the_second_of_two_corrections_is_refused_and_keeps_what_was_typed(world, two, section):
    person, first, second = two
    model, add, one, other, column, expected = LINES[section]
    item = path_ops.add_item(world.users.social_worker, person, KINDS[section], dict(add))
    db.session.commit()
    prefix = KINDS[section]
    r1, r2 = race(first, second, f"/persons/{person.id}/{section}/{item.id}/edit", prefix,
                  one | {"correction_reason": "Première correction"},
                  other | {"correction_reason": "Seconde correction, tapée longuement"})
    assert r1.status_code == 302
    assert r2.status_code == 200
    page = r2.get_data(as_text=True)
    assert STALE in page and "Rechargez" in page
    assert "Seconde correction, tapée longuement" in page  # what the second person typed is still there
    typed = other[column]
    assert f'value="{typed}" selected' in page or f'value="{typed}"' in page
    db.session.expire_all()
    assert getattr(db.session.get(model, item.id), column) == expected
    corrections = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "correct_record")).all()
    assert [e.reason for e in corrections] == ["Première correction"]


def test_a_cancellation_based_on_a_stale_version_is_refused(world, two):
    person, first, second = two
    job = path_ops.add_job(world.users.social_worker, person, kind="cdd", date=DAY, months=6)
    db.session.commit()
    edit, cancel = f"/persons/{person.id}/jobs/{job.id}/edit", f"/persons/{person.id}/jobs/{job.id}/cancel"
    cancel_page = second.get(cancel)
    assert "CDD, début le" in cancel_page.get_data(as_text=True)  # the page shows the line as it is
    edit_page = first.get(edit)
    assert first.post(edit, data={"csrf_token": hidden(edit_page, "csrf_token"),
                                  "job-version": hidden(edit_page, "job-version"), "job-kind": "cdd",
                                  "job-date": DAY.isoformat(), "job-months": "8",
                                  "job-correction_reason": "8 mois"}).status_code == 302
    refused = second.post(cancel, data={"csrf_token": hidden(cancel_page, "csrf_token"),
                                        "cancel-version": hidden(cancel_page, "cancel-version"),
                                        "cancel-correction_reason": "Doublon"})
    assert refused.status_code == 200 and STALE in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, job.id).months == 8


def test_two_corrections_of_one_note(world, app):
    author = world.users.social_worker
    person = factories.make_person(world.department, world.agir)
    note = person_ops.add_note(author, person, DAY, "Rendez-vous CAF")
    db.session.commit()
    office, laptop = client_for(app, author.email), client_for(app, author.email)  # one author, two browsers
    url = f"/persons/{person.id}/notes/{note.id}/edit"
    r1, r2 = race(office, laptop, url, "note",
                  {"date": DAY.isoformat(), "text": "Rendez-vous CAF mardi", "correction_reason": "Jour"},
                  {"date": DAY.isoformat(), "text": "Rendez-vous CAF jeudi 14 h", "correction_reason": "Heure"})
    assert r1.status_code == 302 and r2.status_code == 200
    page = r2.get_data(as_text=True)
    assert STALE in page and "Rendez-vous CAF jeudi 14 h" in page
    db.session.expire_all()
    assert db.session.get(Note, note.id).text == "Rendez-vous CAF mardi"


def test_two_referral_officers_saving_one_participation(world, app):
    school_colleague = factories.make_user("referral_officer", world.school, email="ro2@example.fr")
    person = factories.make_person(world.department, world.agir)
    part = ref_ops.create_participation(world.users.referral_officer, person, world.programme,
                                        start_on=date(2023, 1, 9), planned_hours=40.0)
    db.session.commit()
    one, other = client_for(app, "ro@example.fr"), client_for(app, school_colleague.email)
    page_url, url = f"/referrals/persons/{person.id}", f"/referrals/persons/{person.id}/participations/{part.id}"
    pages = [one.get(page_url), other.get(page_url)]
    prefix = f"p{part.id}"
    posts = []
    for client, page, hours, reason in ((one, pages[0], "45", "45 h au programme"), (other, pages[1], "50", "50 h")):
        posts.append(client.post(url, data={
            "csrf_token": hidden(page, "csrf_token"), f"{prefix}-version_id": hidden(page, f"{prefix}-version_id"),
            f"{prefix}-start_on": "2023-01-09", f"{prefix}-planned_hours": hours,
            f"{prefix}-correction_reason": reason}))
    assert posts[0].status_code == 302 and posts[1].status_code == 200
    text = posts[1].get_data(as_text=True)
    assert STALE in text and 'value="50"' in text
    db.session.expire_all()
    assert db.session.get(Participation, part.id).planned_hours == 45.0


def test_nothing_is_written_by_a_refused_save(world, two):
    """The refused save adds no correction entry and leaves the version where the first save put it."""
    person, first, second = two
    job = path_ops.add_job(world.users.social_worker, person, kind="cdd", date=DAY, months=6)
    db.session.commit()
    race(first, second, f"/persons/{person.id}/jobs/{job.id}/edit", "job",
         {"kind": "cdd", "date": DAY.isoformat(), "months": "7", "correction_reason": "a"},
         {"kind": "cdi", "date": DAY.isoformat(), "months": "", "correction_reason": "b"})
    db.session.expire_all()
    assert db.session.get(Job, job.id).version_id == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "correct_record")) == 1


# ---------------------------------------------------------------- truly simultaneous saves (a real HTTP server)

def test_two_corrections_posted_at_the_same_instant_one_is_refused(world, app):
    """Six people (six browsers) open the same job and post their corrections at the same instant through a
    threaded server: exactly one is saved, the others are refused with the message, never a 500."""
    import html as html_module
    import threading

    from werkzeug.serving import make_server

    from tests.test_races import Browser
    person = factories.make_person(world.department, world.agir)
    job = path_ops.add_job(world.users.social_worker, person, kind="cdd", date=DAY, months=6)
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        browsers = [Browser(f"http://127.0.0.1:{server.server_port}") for _ in range(6)]
        for b in browsers:
            b.login("sw@example.fr")
        url = f"/persons/{person.id}/jobs/{job.id}/edit"
        prepared = [b.hidden_fields(url) | {"job-kind": "cdd", "job-date": DAY.isoformat(), "job-months": str(7 + i),
                                            "job-correction_reason": f"Correction {i}"}
                    for i, b in enumerate(browsers)]
        barrier, results = threading.Barrier(len(browsers)), [None] * len(browsers)

        def post(i):
            barrier.wait()
            results[i] = browsers[i].open(url, prepared[i])

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(browsers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert all(status < 500 for status, _ in results), [s for s, _ in results]
    saved = [i for i, (_, page) in enumerate(results) if "La correction est enregistrée." in html_module.unescape(page)]
    refused = [i for i, (_, page) in enumerate(results)
               if "modifiée par quelqu'un d'autre pendant que vous la corrigiez" in html_module.unescape(page)]
    assert len(saved) == 1 and len(refused) == 5, [s for s, _ in results]
    db.session.remove()
    assert db.session.get(Job, job.id).months == 7 + saved[0]
    reasons = db.session.scalars(select(AuditEntry.reason).where(AuditEntry.action == "correct_record")).all()
    assert reasons == [f"Correction {saved[0]}"]
