"""Corrections and cancellations of the path through the real pages (SPEC §4.8, issue 13 item 1): the page shows
the line as it is, the reason is required next to its field, every error at once, only the structure that
recorded the line corrects it, and the file's history keeps before and after."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from agir.operations import referrals as ref_ops
from models import AuditEntry, Event, Job, Note, Participation, Referral, RightStep
from tests import factories
from tests.referrals_factories import client_for, html, make_referral

TODAY = date.today()
DAY = TODAY - timedelta(days=20)


def hidden(text: str, name: str) -> str:
    for tag in re.findall(r"<input[^>]*>", text):
        if f'name="{name}"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise AssertionError(f"no input {name}")


def submit(client, url, data, page_url=None):
    """Open the page, then post it with its CSRF token (and the versions it carries, unless given)."""
    page = html(client.get(page_url or url))
    return client.post(url, data={"csrf_token": hidden(page, "csrf_token"), **data})


def corrections():
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("correct_record", "cancel_record"))).order_by(AuditEntry.id)).all()


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir, last_name="Haidari",
                              protection_on=TODAY - timedelta(days=400))
    factories.make_accompaniment(p, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    db.session.commit()
    return p


@pytest.fixture
def sw(app, world):
    return client_for(app, "sw@example.fr")


@pytest.fixture
def job(world, person):
    line = path_ops.add_job(world.users.social_worker, person, kind="cdd", date=DAY, months=6)
    db.session.commit()
    return line


def test_the_correction_page_shows_the_line_and_asks_for_the_reason(sw, person, job):
    url = f"/persons/{person.id}/jobs/{job.id}/edit"
    page = html(sw.get(url))
    assert "Enregistré aujourd’hui" in page and f"CDD, début le {DAY:%d/%m/%Y}, 6 mois" in page
    assert 'name="job-version" type="hidden" value="1"' in page or 'value="1"' in page
    assert "Motif de la correction" in page
    # Every error at once: the reason missing and the rule of the line (a CDI has no length), typed values kept.
    resp = submit(sw, url, {"job-version": "1", "job-kind": "cdi", "job-date": DAY.isoformat(), "job-months": "6",
                            "job-correction_reason": ""})
    text = html(resp)
    assert resp.status_code == 200
    assert "Indiquez le motif de la correction." in text and "CDI n&#39;a pas de durée" in text
    assert re.search(r'id="job-correction_reason-error"', text)
    db.session.expire_all()
    assert db.session.get(Job, job.id).kind == "cdd" and corrections() == []
    resp = submit(sw, url, {"job-version": "1", "job-kind": "cdd", "job-date": DAY.isoformat(), "job-months": "8",
                            "job-correction_reason": "Avenant : 8 mois"})
    assert resp.status_code == 302
    entry, = corrections()
    assert entry.reason == "Avenant : 8 mois" and entry.changes["before"]["months"] == 6
    assert entry.changes["after"]["months"] == 8


def test_a_job_is_cancelled_with_a_reason_from_the_file(sw, person, job):
    file_page = html(sw.get(f"/persons/{person.id}"))
    cancel_url = f"/persons/{person.id}/jobs/{job.id}/cancel"
    assert cancel_url in file_page  # the file links to the cancellation page (no more one-click deletion)
    page = html(sw.get(cancel_url))
    assert "Ce qui sera annulé" in page and "CDD, début le" in page
    refused = submit(sw, cancel_url, {"cancel-version": "1", "cancel-correction_reason": "  "})
    assert refused.status_code == 200 and "Indiquez le motif de l&#39;annulation." in html(refused)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    done = submit(sw, cancel_url, {"cancel-version": "1", "cancel-correction_reason": "Emploi du conjoint"})
    assert done.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    entry, = corrections()
    assert (entry.action, entry.reason, entry.detail) == ("cancel_record", "Emploi du conjoint", "job")


def test_a_structure_that_did_not_record_the_line_cannot_correct_it(app, world, person, job):
    # The file moves to the other AGIR operator: it now holds the file but did not record the job.
    acc = person.accompaniments[0]
    acc_ops.record_exit(world.users.social_worker, acc, TODAY - timedelta(days=10), "moved_away")
    factories.make_accompaniment(person, world.other, start=TODAY - timedelta(days=5),
                                 planned_end=TODAY + timedelta(days=300))
    db.session.commit()
    other = client_for(app, "sw-other@example.fr")
    file_page = html(other.get(f"/persons/{person.id}"))
    assert f"/jobs/{job.id}/edit" not in file_page and "enregistré par une autre structure" in file_page
    url = f"/persons/{person.id}/jobs/{job.id}/edit"
    assert "Seule la structure qui a enregistré cette ligne" in html(other.get(url))
    resp = submit(other, url, {"job-version": "1", "job-kind": "cdd", "job-date": DAY.isoformat(),
                               "job-months": "9", "job-correction_reason": "x"})
    assert resp.status_code == 200 and "Seule la structure qui a enregistré cette ligne" in html(resp)
    db.session.expire_all()
    assert db.session.get(Job, job.id).months == 6


def test_a_right_obtained_by_mistake_is_corrected_back_to_requested(world, sw, person):
    step = path_ops.set_right(world.users.social_worker, person, "caf_benefits", "obtained",
                              requested=DAY, obtained=DAY + timedelta(days=5))
    db.session.commit()
    assert f"/persons/{person.id}/rights/caf_benefits/correct" in html(sw.get(f"/persons/{person.id}"))
    url = f"/persons/{person.id}/rights/caf_benefits/correct"
    page = html(sw.get(url))
    assert "Enregistré aujourd’hui" in page and "obtenu le" in page
    resp = submit(sw, url, {"correct-caf_benefits-version": str(step.version_id),
                            "correct-caf_benefits-state": "requested",
                            "correct-caf_benefits-requested": DAY.isoformat(),
                            "correct-caf_benefits-correction_reason": "L'attestation n'est pas arrivée"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(RightStep, step.id).state == "requested"
    resp = submit(sw, f"/persons/{person.id}/rights/caf_benefits/cancel",
                  {"cancel-version": "2", "cancel-correction_reason": "Droit du conjoint"})
    assert resp.status_code == 302 and db.session.scalar(select(func.count()).select_from(RightStep)) == 0
    assert [e.action for e in corrections()] == ["correct_record", "cancel_record"]


def test_a_note_is_corrected_then_cancelled_with_reasons(world, sw, person):
    note = person_ops.add_note(world.users.social_worker, person, DAY, "Rendez-vous CAF")
    db.session.commit()
    url = f"/persons/{person.id}/notes/{note.id}/edit"
    refused = submit(sw, url, {"note-version": "1", "note-date": DAY.isoformat(), "note-text": "Rendez-vous CPAM"})
    assert refused.status_code == 200 and "Indiquez le motif de la correction." in html(refused)
    assert "Rendez-vous CPAM" in html(refused)  # what was typed is kept
    assert submit(sw, url, {"note-version": "1", "note-date": DAY.isoformat(), "note-text": "Rendez-vous CPAM",
                            "note-correction_reason": "CPAM, pas CAF"}).status_code == 302
    assert submit(sw, f"/persons/{person.id}/notes/{note.id}/cancel",
                  {"cancel-version": "2", "cancel-correction_reason": "Mauvais dossier"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Note)) == 0
    assert "CPAM" not in repr([e.changes for e in corrections()])  # the audit never copies a note's text


def test_the_history_of_the_file_holds_the_corrections(world, sw, person, job):
    submit(sw, f"/persons/{person.id}/jobs/{job.id}/cancel", {"cancel-version": "1",
                                                              "cancel-correction_reason": "Doublon de saisie"})
    entry, = corrections()
    assert entry.person_id == person.id and entry.user_id == world.users.social_worker.id and entry.ip


# ---------------------------------------------------------------- the referral side

@pytest.fixture
def referral(world, person):
    world.programme.end_on = TODAY + timedelta(days=365)
    r = make_referral(person, world.programme, "accepted", sender=world.agir, sent_on=TODAY - timedelta(days=10))
    db.session.commit()
    return r


def test_the_programme_takes_back_a_wrong_acceptance_through_the_page(app, referral):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/{referral.id}"
    page = html(ro.get(url))
    assert "Corriger une étape enregistrée par erreur" in page and "Reprendre la dernière étape" in page
    refused = ro.post(f"{url}/undo", data={"csrf_token": hidden(page, "csrf_token"),
                                           "undo-version_id": hidden(page, "undo-version_id"),
                                           "undo-correction_reason": ""})
    assert refused.status_code == 200 and "Indiquez le motif de l&#39;annulation." in html(refused)
    done = ro.post(f"{url}/undo", data={"csrf_token": hidden(page, "csrf_token"),
                                        "undo-version_id": hidden(page, "undo-version_id"),
                                        "undo-correction_reason": "Acceptée sur la mauvaise session"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).state == "sent"
    # The sender sees no undo of the programme's answer, only the date of its own sending.
    sender_page = html(client_for(app, "sw@example.fr").get(url))
    assert "Reprendre la dernière étape" not in sender_page and 'data-step-date="sent"' in sender_page
    assert 'data-step-date="accepted"' not in sender_page


def test_a_step_date_before_the_previous_step_is_refused_next_to_the_date(app, referral):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/{referral.id}"
    page = html(ro.get(url))
    resp = ro.post(f"{url}/steps/accepted/date", data={
        "csrf_token": hidden(page, "csrf_token"), "date-accepted-version_id": hidden(page, "date-accepted-version_id"),
        "date-accepted-on": (referral.sent_on - timedelta(days=1)).isoformat(),
        "date-accepted-correction_reason": ""})
    text = html(resp)
    assert resp.status_code == 200
    assert "ne peut précéder" in text and "Indiquez le motif de la correction." in text  # both at once
    assert 'id="date-accepted-on-error"' in text


def test_participation_hours_changed_need_a_reason_and_a_participation_is_cancelled(app, world, person):
    ro_user = world.users.referral_officer
    part = ref_ops.create_participation(ro_user, person, world.programme, start_on=DAY, planned_hours=40.0)
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    page_url = f"/referrals/persons/{person.id}"
    page = html(ro.get(page_url))
    p = f"p{part.id}"
    data = {"csrf_token": hidden(page, "csrf_token"), f"{p}-version_id": "1", f"{p}-start_on": DAY.isoformat(),
            f"{p}-planned_hours": "45"}
    refused = ro.post(f"{page_url}/participations/{part.id}", data=data)
    assert refused.status_code == 200 and "Indiquez le motif de la correction." in html(refused)
    assert ro.post(f"{page_url}/participations/{part.id}",
                   data=data | {f"{p}-correction_reason": "45 heures prévues"}).status_code == 302
    page = html(ro.get(page_url))
    assert ro.post(f"{page_url}/participations/{part.id}/cancel", data={
        "csrf_token": hidden(page, "csrf_token"), f"cp{part.id}-version_id": hidden(page, f"cp{part.id}-version_id"),
        f"cp{part.id}-correction_reason": "Jamais venue"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0


def test_an_event_of_a_programme_is_cancelled_with_a_reason(app, world, person, referral):
    event = ref_ops.record_event(world.users.referral_officer, person, world.programme, "digital_tool", DAY)
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    page_url = f"/referrals/persons/{person.id}"
    page = html(ro.get(page_url))
    url = f"{page_url}/events/{event.id}/cancel"
    assert url in page
    refused = ro.post(url, data={"csrf_token": hidden(page, "csrf_token"), f"ce{event.id}-version_id": "1",
                                 f"ce{event.id}-correction_reason": ""})
    assert refused.status_code == 200 and db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert ro.post(url, data={"csrf_token": hidden(page, "csrf_token"), f"ce{event.id}-version_id": "1",
                              f"ce{event.id}-correction_reason": "Atelier d'une autre personne"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_an_event_of_a_programme_is_corrected_through_the_limited_view(app, world, person, referral):
    event = ref_ops.record_event(world.users.referral_officer, person, world.programme, "sport_event", DAY,
                                 "MATCH-1")
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    page_url = f"/referrals/persons/{person.id}"
    page = html(ro.get(page_url))
    url = f"{page_url}/events/{event.id}/correct"
    assert url in page
    p = f"fe{event.id}"
    data = {"csrf_token": hidden(page, "csrf_token"), f"{p}-version_id": hidden(page, f"{p}-version_id"),
            f"{p}-kind": "cultural_event", f"{p}-event_on": DAY.isoformat(), f"{p}-event_ref": "EXPO-1"}
    refused = ro.post(url, data=data)
    assert refused.status_code == 200 and "Indiquez le motif de la correction." in html(refused)
    assert ro.post(url, data=data | {f"{p}-correction_reason": "Exposition"}).status_code == 302
    db.session.expire_all()
    assert (db.session.get(Event, event.id).kind, db.session.get(Event, event.id).event_ref) == ("cultural_event",
                                                                                                  "EXPO-1")


def test_the_files_history_shows_the_path_corrections_with_before_and_after(world, sw, person, job):
    actor = world.users.social_worker
    path_ops.correct_item(actor, job, {"kind": "cdd", "date": DAY, "months": 8}, "Avenant signé",
                          version=job.version_id)
    step = path_ops.set_right(actor, person, "rsa", "obtained", requested=DAY, obtained=DAY + timedelta(days=3))
    path_ops.correct_right(actor, step, "requested", requested=DAY, reason="Pas encore versé",
                           version=step.version_id)
    note = person_ops.add_note(actor, person, DAY, "Texte confidentiel")
    person_ops.cancel_note(actor, note, "Mauvais dossier", version=note.version_id)
    db.session.commit()
    page = html(sw.get(f"/persons/{person.id}/history"))
    assert "Correction : emploi" in page and "Avenant signé" in page
    assert "6 → 8" in page
    assert "Correction : droit" in page and "état : Obtenu → Demandé" in page
    assert "Annulation : note" in page and "Texte confidentiel" not in page


def test_the_sender_withdraws_a_referral_sent_by_mistake(app, world, person):
    world.programme.end_on = TODAY + timedelta(days=365)
    r = make_referral(person, world.programme, "sent", sender=world.agir, sent_on=TODAY - timedelta(days=2))
    db.session.commit()
    sw = client_for(app, "sw@example.fr")
    url = f"/referrals/{r.id}"
    page = html(sw.get(url))
    assert "Retirer l’orientation envoyée par erreur" in page
    assert "Retirer l’orientation envoyée par erreur" not in html(client_for(app, "ro@example.fr").get(url))
    done = sw.post(f"{url}/withdraw", data={"csrf_token": hidden(page, "csrf_token"),
                                            "withdraw-version_id": hidden(page, "withdraw-version_id"),
                                            "withdraw-correction_reason": "Orientée vers le mauvais programme"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/persons/{person.id}#orientations")
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
