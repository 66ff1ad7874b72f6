"""Correcting and cancelling the accompaniment side, and deleting a file, through the real pages (CSRF, French
errors next to their field, every error at once, nothing half-written)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.dates import add_months
from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from models import Accompaniment, AuditEntry, Exit, Person
from tests import factories

TODAY = date.today()


def html(response):
    return response.get_data(as_text=True)


def form_post(client, url, data):
    """Post the page's own form: its CSRF token and version as served."""
    page = html(client.get(url))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    version = re.search(r'name="version"[^>]*value="([^"]*)"', page)
    return client.post(url, data={"csrf_token": token, "version": version.group(1) if version else "", **data})


def other_worker(client):
    """A browser of the social worker of the other AGIR operator."""
    other = client.application.test_client()
    factories.login(other, "sw-other@example.fr")
    return other


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return world


def person_with_exit(world, exit_on=None, start=None, **kw):
    """Enrolled 8 months ago in my structure, exited 10 days ago (goals reached, CDD of 3 months)."""
    start = start or add_months(TODAY, -8)
    person = factories.make_person(world.department, world.agir, protection_on=start - timedelta(days=30), **kw)
    acc = factories.make_accompaniment(person, world.agir, start=start, planned_end=add_months(start, 12))
    acc_ops.record_exit(world.users.social_worker, acc, exit_on or TODAY - timedelta(days=10), "goals_reached",
                        job_kind="cdd", job_months=3)
    db.session.commit()
    return person, acc


def test_the_file_offers_to_correct_or_cancel_the_exit_to_the_holding_structure_only(client, sw):
    person, acc = person_with_exit(sw)
    page = html(client.get(f"/persons/{person.id}"))
    assert f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct" in page and "Corriger la sortie" in page
    assert f"/persons/{person.id}/accompaniments/{acc.id}/exit/cancel" in page
    other = other_worker(client)
    assert other.get(f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct").status_code == 404


def test_an_exit_typed_wrongly_is_corrected_from_its_page(client, sw):
    person, acc = person_with_exit(sw)
    url = f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct"
    page = html(client.get(url))
    # Prefilled with what is recorded.
    assert f'value="{(TODAY - timedelta(days=10)).isoformat()}"' in page and 'value="3"' in page
    right_day = TODAY - timedelta(days=5)
    response = form_post(client, url, {"date": f"{right_day:%d/%m/%Y}", "reason": "goals_reached", "job_kind": "cdi",
                                       "months": "", "training_level": "",
                                       "correction_reason": "Date de sortie mal saisie"})
    assert response.status_code == 302, html(response)
    db.session.expire_all()
    acc = db.session.get(Accompaniment, acc.id)
    assert acc.exit_on == right_day and acc.exit.job_kind == "cdi" and acc.exit.job_months is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "correct_record")).one()
    assert entry.reason == "Date de sortie mal saisie" and entry.changes["record"] == "exit"


def test_a_correction_shows_every_error_at_once_next_to_its_field_and_writes_nothing(client, sw):
    person, acc = person_with_exit(sw)
    url = f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct"
    response = form_post(client, url, {"date": "31/02/2020", "reason": "goals_reached", "job_kind": "",
                                       "months": "4", "training_level": "", "correction_reason": ""})
    page = html(response)
    assert response.status_code == 200
    assert "Indiquez le motif de la correction." in page
    assert "Indiquez le type de contrat avant sa durée." in page
    assert 'id="date-error"' in page  # the unreadable date, next to its field
    assert 'value="31/02/2020"' in page  # kept as typed
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).exit.job_kind == "cdd"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "correct_record")) == 0


def test_a_corrected_exit_date_that_overlaps_the_next_accompaniment_is_refused_next_to_the_date(client, sw):
    person, acc = person_with_exit(sw, exit_on=TODAY - timedelta(days=60))
    factories.make_accompaniment(db.session.get(Person, person.id), sw.agir, start=TODAY - timedelta(days=30),
                                 planned_end=add_months(TODAY, 6))
    db.session.commit()
    url = f"/persons/{person.id}/accompaniments/{acc.id}/exit/correct"
    response = form_post(client, url, {"date": f"{TODAY - timedelta(days=20):%d/%m/%Y}", "reason": "goals_reached",
                                       "job_kind": "", "months": "", "training_level": "",
                                       "correction_reason": "erreur"})
    page = html(response)
    assert response.status_code == 200
    assert re.search(r'id="date-error"[^>]*>Les accompagnements se chevaucheraient', page)


def test_cancelling_an_exit_asks_for_a_reason_then_reopens_the_accompaniment(client, sw):
    person, acc = person_with_exit(sw)
    url = f"/persons/{person.id}/accompaniments/{acc.id}/exit/cancel"
    page = html(client.get(url))
    assert "Annuler la sortie" in page and "Confirmer l’annulation" in page
    refused = form_post(client, url, {"correction_reason": ""})
    assert "Indiquez le motif de l&#39;annulation." in html(refused)
    assert form_post(client, url, {"correction_reason": "Sortie saisie dans le mauvais dossier"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).is_open
    assert db.session.scalar(select(func.count()).select_from(Exit)) == 0


def test_an_enrolment_is_corrected_and_cancelled_from_the_file(client, sw):
    start = TODAY - timedelta(days=20)
    person = factories.make_person(sw.department, sw.agir, protection_on=TODAY - timedelta(days=100))
    acc = factories.make_accompaniment(person, sw.agir, start=start, planned_end=add_months(start, 12))
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}"))
    assert "Corriger l’inscription" in page and "Annuler l’inscription" in page
    url = f"/persons/{person.id}/accompaniments/{acc.id}/correct"
    too_late = form_post(client, url, {"start": f"{start:%d/%m/%Y}", "planned_end": f"{add_months(start, 13):%d/%m/%Y}",
                                       "correction_reason": "fin prévue"})
    assert re.search(r'id="planned_end-error"[^>]*>La fin prévue doit être au plus tard', html(too_late))
    new_start = start + timedelta(days=3)
    assert form_post(client, url, {"start": f"{new_start:%d/%m/%Y}",
                                   "planned_end": f"{add_months(new_start, 12):%d/%m/%Y}",
                                   "correction_reason": "Entrée saisie trois jours trop tôt"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).start_on == new_start
    cancel = f"/persons/{person.id}/accompaniments/{acc.id}/enrolment/cancel"
    assert form_post(client, cancel, {"correction_reason": "Inscrit par erreur"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Accompaniment)) == 0


def test_an_enrolment_with_an_exit_is_not_cancelled(client, sw):
    person, acc = person_with_exit(sw)
    url = f"/persons/{person.id}/accompaniments/{acc.id}/enrolment/cancel"
    page = html(form_post(client, url, {"correction_reason": "erreur"}))
    assert "ne peut pas être annulée" in page
    assert db.session.scalar(select(func.count()).select_from(Accompaniment)) == 1


def test_a_file_created_by_mistake_is_deleted_after_confirmation(client, sw):
    person = factories.make_person(sw.department, sw.agir, ref="P-DOUBLE")
    db.session.commit()
    assert "Supprimer ce dossier" in html(client.get(f"/persons/{person.id}"))
    url = f"/persons/{person.id}/delete"
    assert "Supprimer définitivement le dossier" in html(client.get(url))
    response = form_post(client, url, {"correction_reason": "Créé deux fois"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/persons/")
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "delete_person")).one()
    assert (entry.detail, entry.reason) == ("P-DOUBLE", "Créé deux fois")


def test_a_file_with_an_accompaniment_is_not_deleted_and_the_page_says_to_merge(client, sw):
    person, _ = person_with_exit(sw)
    page = html(form_post(client, f"/persons/{person.id}/delete", {"correction_reason": "doublon"}))
    assert "fusionnez" in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_another_structure_cannot_delete_a_file_and_a_post_without_csrf_is_refused(client, sw):
    person = factories.make_person(sw.department, sw.agir)
    db.session.commit()
    assert client.post(f"/persons/{person.id}/delete", data={"correction_reason": "x"}).status_code in (200, 400)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    assert other_worker(client).get(f"/persons/{person.id}/delete").status_code == 404


def test_a_recorded_followup_is_corrected_only_with_a_reason(client, sw):
    person, acc = person_with_exit(sw, exit_on=add_months(TODAY, -7), start=add_months(TODAY, -14))
    acc_ops.record_followup(sw.users.social_worker, db.session.get(Accompaniment, acc.id), TODAY - timedelta(days=3),
                            False)
    db.session.commit()
    # The follow-up's own page no longer changes it silently: it leads to the correction.
    old = client.get(f"/persons/{person.id}/accompaniments/{acc.id}/followup")
    assert old.status_code == 302 and old.headers["Location"].endswith(f"/accompaniments/{acc.id}/followup/correct")
    url = f"/persons/{person.id}/accompaniments/{acc.id}/followup/correct"
    response = form_post(client, url, {"date": f"{TODAY - timedelta(days=3):%d/%m/%Y}", "positive": "yes",
                                       "correction_reason": "Situation mal cochée : elle est en formation"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).exit.followup.is_positive is True
    cancel = f"/persons/{person.id}/accompaniments/{acc.id}/followup/cancel"
    assert form_post(client, cancel, {"correction_reason": "Suivi saisi dans le mauvais dossier"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).exit.followup is None


def test_cancelling_an_exit_while_a_new_enrolment_is_sent_never_leaves_two_open_accompaniments(world, app):
    """Real concurrent requests (threaded server): one colleague cancels the exit, another enrols the person at
    the same instant, three times each; one of them wins, the other gets the rule's French message."""
    import threading

    from werkzeug.serving import make_server

    from tests.test_races import Browser

    person, acc = person_with_exit(world)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        browsers = [Browser(base) for _ in range(6)]
        for b in browsers:
            b.login("sw@example.fr")
        cancel, enrol = (f"/persons/{person.id}/accompaniments/{acc.id}/exit/cancel", f"/persons/{person.id}/enrol")
        forms = [(cancel, b.hidden_fields(cancel) | {"correction_reason": "Sortie saisie par erreur"})
                 if i % 2 == 0 else (enrol, b.hidden_fields(enrol) | {"enrol-start": f"{TODAY:%d/%m/%Y}",
                                                                       "enrol-planned_end": ""})
                 for i, b in enumerate(browsers)]
        barrier = threading.Barrier(len(browsers))
        results = [None] * len(browsers)

        def post(i):
            barrier.wait()
            results[i] = browsers[i].open(*forms[i])

        threads = [threading.Thread(target=post, args=(i,)) for i in range(len(browsers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert all(status < 500 for status, _ in results), [status for status, _ in results]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Accompaniment).where(
        Accompaniment.person_id == person.id, Accompaniment.exit_on.is_(None))) == 1


def test_cancelling_the_enrolment_of_a_file_opened_by_another_structure_returns_to_the_list(client, sw):
    """The other operator opened the file, my structure enrolled the person by mistake: once cancelled, the file is
    the other operator's again — my worker lands on their list, not on a page they may no longer open."""
    start = TODAY - timedelta(days=20)
    person = factories.make_person(sw.department, sw.other, protection_on=TODAY - timedelta(days=100))
    acc = factories.make_accompaniment(person, sw.agir, start=start, planned_end=add_months(start, 12))
    db.session.commit()
    url = f"/persons/{person.id}/accompaniments/{acc.id}/enrolment/cancel"
    response = form_post(client, url, {"correction_reason": "Inscrite dans la mauvaise structure"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/persons/")
    assert client.get(f"/persons/{person.id}").status_code == 404
    assert other_worker(client).get(f"/persons/{person.id}").status_code == 200
