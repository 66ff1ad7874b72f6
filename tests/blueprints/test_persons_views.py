"""The social worker's pages through the test client, with real forms and CSRF tokens."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm.exc import StaleDataError

from agir.dates import add_months
from agir.extensions import db
from agir.operations import accompaniments as acc_ops
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from models import (
    Accompaniment,
    Alert,
    AuditEntry,
    HousingAccess,
    Job,
    Note,
    Person,
    RightStep,
)
from tests import factories

TODAY = date.today()


def post(client, url, data):
    """Post a form as the browser does: with the session's CSRF token."""
    return client.post(url, data={"csrf_token": factories.csrf_token(client, "/persons/"), **data})


def html(response):
    return response.get_data(as_text=True)


@pytest.fixture
def sw(client, world):
    factories.login(client, "sw@example.fr")
    return world


def mine(world, **kw):
    """A person of my structure, protected 100 days ago (eligible and priority today)."""
    kw.setdefault("protection_on", TODAY - timedelta(days=100))
    person = factories.make_person(world.department, world.agir, **kw)
    db.session.commit()
    return person


def enrolled(world, start=None, **kw):
    person = mine(world, **kw)
    start = start or TODAY - timedelta(days=30)
    acc = factories.make_accompaniment(person, world.agir, start=start, planned_end=add_months(start, 12))
    db.session.commit()
    return person, acc


# ---- My persons -------------------------------------------------------------------------------

def test_the_list_shows_my_structures_persons_only_each_linked_to_its_file(client, sw):
    me = mine(sw, last_name="Haidari")
    factories.make_person(sw.department, sw.other, last_name="Ailleurs")
    db.session.commit()
    page = html(client.get("/persons/"))
    assert "HAIDARI" in page and f'href="/persons/{me.id}"' in page
    assert "AILLEURS" not in page


def test_the_list_shows_the_clock_and_what_is_pending(client, sw):
    person, acc = enrolled(sw, start=add_months(TODAY, -4) - timedelta(days=1), last_name="Clock")
    path_ops.set_right(sw.users.social_worker, db.session.get(Person, person.id), "rsa", "requested",
                       requested=TODAY - timedelta(days=3))
    db.session.commit()
    page = html(client.get("/persons/"))
    assert "mois 5 / 12" in page
    assert "1 droit en attente de réponse" in page


def test_an_alert_already_said_by_the_pending_list_is_not_repeated(client, sw):
    start = add_months(TODAY, -14)
    person, acc = enrolled(sw, start=start, protection_on=start - timedelta(days=30), last_name="Late")
    for kind in ("over_limit", "overdue"):
        db.session.add(Alert(kind=kind, person_id=person.id, structure_id=sw.agir.id, due_on=TODAY,
                             first_seen_on=TODAY, last_seen_on=TODAY))
    db.session.commit()
    page = html(client.get("/persons/"))
    rows = page[page.index("<tbody"):page.index("</tbody>")]  # the filters list every alert kind too
    assert rows.count("Durée maximale dépassée") == 1
    assert rows.count("Fin prévue dépassée") == 1  # the overdue alert, not said by the pending list


@pytest.mark.parametrize("query, shown, hidden", [
    ("q=haid", {"HAIDARI"}, {"OPEN", "CLOSED", "NONE"}),
    ("accompaniment=open", {"OPEN"}, {"CLOSED", "NONE", "HAIDARI"}),
    ("accompaniment=closed", {"CLOSED"}, {"OPEN", "NONE"}),
    ("accompaniment=none", {"NONE", "HAIDARI"}, {"OPEN", "CLOSED"}),
    ("priority=1", {"OPEN", "NONE", "HAIDARI"}, {"CLOSED"}),
    ("alert=any", {"CLOSED"}, {"OPEN", "NONE", "HAIDARI"}),
    ("alert=followup_due", {"CLOSED"}, {"OPEN", "NONE"}),
    ("alert=overdue", set(), {"CLOSED", "OPEN"}),
])
def test_search_and_filters(client, sw, query, shown, hidden):
    open_, _ = enrolled(sw, last_name="Open")
    open_acc = db.session.scalars(select(Accompaniment).where(Accompaniment.person_id == open_.id)).one()
    open_acc.is_priority = True
    closed, acc = enrolled(sw, start=TODAY - timedelta(days=400), last_name="Closed",
                           protection_on=TODAY - timedelta(days=500))
    acc_ops.record_exit(sw.users.social_worker, acc, TODAY - timedelta(days=200), "goals_reached")
    mine(sw, last_name="None")
    mine(sw, last_name="Haidari")
    db.session.add(Alert(kind="followup_due", person_id=closed.id, structure_id=sw.agir.id, due_on=TODAY,
                         first_seen_on=TODAY, last_seen_on=TODAY))
    db.session.commit()
    page = html(client.get("/persons/?" + query))
    for name in shown:
        assert name in page, name
    for name in hidden:
        assert f">{name} " not in page, name


def test_filter_planned_end_before_a_date_and_sort_by_planned_end(client, sw):
    soon, _ = enrolled(sw, start=TODAY - timedelta(days=330), last_name="Soon")
    later, _ = enrolled(sw, start=TODAY - timedelta(days=10), last_name="Later")
    limit = (TODAY + timedelta(days=60)).isoformat()
    page = html(client.get(f"/persons/?end_before={limit}"))
    assert "SOON" in page and "LATER" not in page
    page = html(client.get("/persons/?sort=end&dir=desc"))
    assert page.index("LATER") < page.index("SOON")
    page = html(client.get("/persons/?sort=end&dir=asc"))
    assert page.index("SOON") < page.index("LATER")


def test_the_list_is_paginated_with_dsfr_pagination(client, sw):
    for n in range(27):
        factories.make_person(sw.department, sw.agir, last_name=f"Page{n:02d}")
    db.session.commit()
    first = html(client.get("/persons/"))
    assert "PAGE00" in first and "PAGE24" in first and "PAGE25" not in first
    assert "fr-pagination" in first and "27</strong> personnes" in first
    second = html(client.get("/persons/?page=2"))
    assert "PAGE25" in second and "PAGE26" in second and "PAGE00" not in second


def _count_queries(app, client, url):
    statements = []

    def listen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    client.get(url)  # the header's alerts badge is counted at the first page of the minute, then read (kept)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return len(statements)


def test_the_list_makes_the_same_number_of_queries_for_5_or_25_persons(app, client, sw):
    def add(n):
        for i in range(n):
            person, acc = enrolled(sw, last_name=f"Q{i}")
            path_ops.set_right(sw.users.social_worker, db.session.get(Person, person.id), "rsa", "requested",
                               requested=TODAY)
        db.session.commit()

    add(5)
    few = _count_queries(app, client, "/persons/")
    add(20)
    many = _count_queries(app, client, "/persons/")
    assert many == few


# ---- New person -----------------------------------------------------------------------------

PERSON = {"last_name": "Haidari", "first_name": "Amina", "sex": "F", "birth_on": "1995-03-02",
          "nationality": "AFG", "status": "refugee", "household_choice": "new", "hosting": "cph",
          "language_level": "A1"}


def test_a_new_person_is_created_in_my_structure_and_opens_on_the_file(client, sw):
    data = dict(PERSON, protection_on=(TODAY - timedelta(days=30)).isoformat())
    response = post(client, "/persons/new", data)
    person = db.session.scalars(select(Person).where(Person.last_name == "Haidari")).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/persons/{person.id}#accompagnement")
    assert person.structure_id == sw.agir.id and person.ref.startswith("P-")
    assert person.household.ref.startswith("H-")
    page = html(client.get(response.headers["Location"]))
    assert "Le dossier de HAIDARI Amina est créé." in page
    assert "Éligible à un accompagnement AGIR" in page and "Public prioritaire" in page


def test_a_refused_new_person_shows_the_error_next_to_the_field_and_keeps_what_was_typed(client, sw):
    response = post(client, "/persons/new", PERSON)  # a refugee without protection date
    page = html(response)
    assert response.status_code == 200
    error = re.search(r'id="protection_on-error" class="fr-error-text">([^<]+)<', page)
    assert error and "obligatoire pour un·e BPI" in error.group(1)
    assert 'value="Haidari"' in page and 'value="1995-03-02"' in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_an_unreadable_date_gets_a_french_message(client, sw):
    page = html(post(client, "/persons/new", dict(PERSON, birth_on="02/03/1995x")))
    assert "Date invalide" in page


def test_a_new_person_joins_a_household_of_my_persons_but_not_of_another_structure(client, sw):
    first = mine(sw, last_name="Parent")
    other = factories.make_person(sw.department, sw.other, last_name="Stranger")
    db.session.commit()
    data = dict(PERSON, protection_on=TODAY.isoformat(), household_choice="join")
    refused = post(client, "/persons/new", dict(data, household_ref=other.household.ref))
    assert refused.status_code == 200 and "Choisissez un ménage dans la liste" in html(refused)
    assert post(client, "/persons/new", dict(data, household_ref=first.household.ref)).status_code == 302
    child = db.session.scalars(select(Person).where(Person.last_name == "Haidari")).one()
    assert child.household_id == first.household_id


def test_the_new_person_page_offers_my_households_and_prefills_one(client, sw):
    first = mine(sw, last_name="Parent")
    page = html(client.get(f"/persons/new?household={first.household.ref}"))
    assert f'<option value="{first.household.ref}">PARENT' in page
    assert f'value="{first.household.ref}"' in page and re.search(r'<input checked[^>]*value="join"', page)
    assert 'src="/static/js/persons.js"' in page and "<script>" not in page


def test_the_eligibility_endpoint_gives_the_verdict_with_reasons_and_priority(client, sw):
    protected = (TODAY - timedelta(days=30)).isoformat()
    ok = client.get(f"/persons/eligibility?status=refugee&protection_on={protected}").get_json()
    assert ok["eligible"] is True and ok["priority"] is True and ok["kind"] == "agir"
    assert ok["planned_end"] == add_months(TODAY, 12).isoformat()
    late = client.get("/persons/eligibility?status=refugee&protection_on=2015-01-01&prior_programme=HOPE").get_json()
    assert late["eligible"] is False and any("deux ans" in r for r in late["reasons"])
    assert any("HOPE" in w for w in late["warnings"]) and late["referral_window"] is False
    not_bpi = client.get("/persons/eligibility?status=family&first_permit_on=2024-01-01").get_json()
    assert not_bpi["eligible"] is False and "BPI" in not_bpi["reasons"][0]
    assert client.get("/persons/eligibility").get_json()["complete"] is False


# ---- The file ---------------------------------------------------------------------------------

def test_the_file_shows_every_section_and_audits_the_view(client, sw):
    person, _ = enrolled(sw, start=add_months(TODAY, -1) - timedelta(days=1), last_name="Haidari")
    response = client.get(f"/persons/{person.id}")
    page = html(response)
    for title in ("Identité et ménage", "Accompagnement", "Accès aux droits", "Logement", "Emploi et formation",
                  "Orientations et participations", "Événements", "Notes", "Chronologie", "Historique du dossier"):
        assert f">{title}</h2>" in page, title
    assert "Mois <strong>2</strong> sur 12 prévus" in page
    assert page.count('class="agir-right ') == 9  # one line per kind of right
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id,
                                                        AuditEntry.action == "view_person")).one()
    assert entry.user_id == sw.users.social_worker.id and entry.detail == "dossier" and entry.ip == "127.0.0.1"


def test_the_file_reads_each_of_its_sections_once(app, client, sw):
    """The view's audit entry used to be committed before the page was built: the commit expired the loaded file,
    which the page then read a second time, one relationship at a time."""
    person, _ = enrolled(sw)
    actor = sw.users.social_worker
    for kind in ("health_insurance", "rsa"):
        path_ops.set_right(actor, db.session.get(Person, person.id), kind, "requested", requested=TODAY)
    for months in (3, 6):
        path_ops.add_job(actor, db.session.get(Person, person.id), kind="cdd", date=TODAY, months=months)
    db.session.commit()
    client.get(f"/persons/{person.id}")  # the header's alerts badge is counted at the first page of the minute
    statements = []
    with app.app_context():
        engine = db.engine
    listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        page = html(client.get(f"/persons/{person.id}"))
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert page.count("demandé le") == 2 and page.count("CDD") >= 2
    reads = [m.group(1) for s in statements for m in [re.search(r"\bFROM (\w+)", s)] if m]
    for table in ("accompaniments", "right_steps", "housing_steps", "housing_accesses", "jobs", "trainings", "events",
                  "notes", "referrals", "participations", "exits", "extensions", "followups"):
        assert reads.count(table) <= 1, (table, reads)  # exits and followups: only when there is one to read
    assert reads.count("right_steps") == reads.count("jobs") == 1
    # The entry path's section (issue 16) reads the languages, the appointments, the diagnostic and the plan once.
    for table in ("person_languages", "appointments", "diagnostic_areas", "plan_objectives"):
        assert reads.count(table) <= 1, (table, reads)
    assert len(statements) <= 29, statements

def test_the_household_names_my_members_and_only_counts_the_others(client, sw):
    person = mine(sw, last_name="Haidari")
    factories.make_person(sw.department, sw.agir, household=person.household, last_name="Soeur")
    for name in ("Cousin", "Oncle"):
        factories.make_person(sw.department, sw.other, household=person.household, last_name=name)
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}"))
    assert "SOEUR" in page.upper() and "et 2 membres suivis par une autre structure" in page
    assert "COUSIN" not in page.upper() and "ONCLE" not in page.upper()

def test_the_files_history_names_every_action_and_field_in_french(client, sw):
    """Entries written by the import and by the referral officers read as the file's own entries do."""
    person = mine(sw)
    db.session.add_all([
        AuditEntry(person_id=person.id, action="import", fields=["arrival_date", "housing_steps", "rights"],
                   detail="agir import, ligne 3"),
        AuditEntry(person_id=person.id, action="referral_accepted", fields=["state", "accepted_on"]),
        AuditEntry(person_id=person.id, action="participation_created", fields=["start_on", "level_start"]),
    ])
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}"))
    history = page[page.index('id="historique"'):]
    assert "Import" in history and "date d&#39;arrivée, démarches logement, droits" in history
    assert "Orientation acceptée" in history and "état, date d&#39;acceptation" in history
    assert "Participation enregistrée" in history and "date de début, niveau d&#39;entrée" in history
    for code in ("arrival_date", "housing_steps", "accepted_on", "level_start", "referral accepted"):
        assert code not in history, code

def test_enrolment_through_the_form(client, sw):
    person = mine(sw)
    start = TODAY - timedelta(days=2)
    response = post(client, f"/persons/{person.id}/enrol", {"enrol-start": start.isoformat(), "enrol-planned_end": ""})
    assert response.status_code == 302
    acc = db.session.scalars(select(Accompaniment).where(Accompaniment.person_id == person.id)).one()
    assert acc.start_on == start and acc.current_end_on == add_months(start, 12) and acc.is_priority


def test_a_refused_enrolment_shows_the_rules_message_next_to_the_date(client, sw):
    person = mine(sw, protection_on=date(2015, 1, 1))
    response = post(client, f"/persons/{person.id}/enrol", {"enrol-start": TODAY.isoformat()})
    page = html(response)
    assert response.status_code == 200
    assert re.search(r'id="enrol-start-error" class="fr-error-text">[^<]*deux ans', page)
    assert db.session.scalar(select(func.count()).select_from(Accompaniment)) == 0


def test_exit_with_a_cdd_of_8_months_then_the_follow_up_when_due(client, sw):
    start = add_months(TODAY, -14)
    person, acc = enrolled(sw, start=start)
    exit_on = add_months(TODAY, -7)
    response = post(client, f"/persons/{person.id}/accompaniments/{acc.id}/exit",
                    {"version": acc.version_id, "date": exit_on.isoformat(), "reason": "goals_reached",
                     "job_kind": "cdd", "months": "8", "training_level": ""})
    assert response.status_code == 302
    db.session.expire_all()
    acc = db.session.get(Accompaniment, acc.id)
    assert (acc.exit_on, acc.exit.job_kind, acc.exit.job_months) == (exit_on, "cdd", 8)
    page = html(client.get(f"/persons/{person.id}"))
    assert "Suivi à 6 mois à faire" in page and "CDD de 8 mois" in page
    response = post(client, f"/persons/{person.id}/accompaniments/{acc.id}/followup",
                    {"followup-version": acc.version_id, "followup-date": TODAY.isoformat(),
                     "followup-positive": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).exit.followup.is_positive is True
    assert "Suivi à 6 mois à faire" not in html(client.get(f"/persons/{person.id}"))


def test_an_early_exit_without_an_early_reason_keeps_the_form_and_explains(client, sw):
    person, acc = enrolled(sw, start=TODAY - timedelta(days=30))
    response = post(client, f"/persons/{person.id}/accompaniments/{acc.id}/exit",
                    {"version": acc.version_id, "date": TODAY.isoformat(), "reason": "goals_reached",
                     "job_kind": "interim", "months": "2"})
    page = html(response)
    assert response.status_code == 200 and "motif de sortie anticipée" in page
    assert '<option selected value="interim">' in page or 'value="interim" selected' in page


def test_extension_through_the_form(client, sw):
    start = TODAY - timedelta(days=30)
    person = mine(sw)
    acc = factories.make_accompaniment(person, sw.agir, start=start, planned_end=add_months(start, 8))
    db.session.commit()
    new_end = add_months(start, 12)
    response = post(client, f"/persons/{person.id}/accompaniments/{acc.id}/extend",
                    {"version": acc.version_id, "date": TODAY.isoformat(), "planned_end": new_end.isoformat(),
                     "reason": "Logement en cours"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Accompaniment, acc.id).current_end_on == new_end


def test_a_right_is_updated_in_place_and_an_error_keeps_the_typed_values(client, sw):
    person = mine(sw)
    requested = (TODAY - timedelta(days=5)).isoformat()
    response = post(client, f"/persons/{person.id}/rights/caf_benefits",
                    {"right-caf_benefits-version": "0", "right-caf_benefits-state": "requested",
                     "right-caf_benefits-requested": requested})
    assert response.status_code == 302 and response.headers["Location"].endswith("#droit-caf_benefits")
    step = db.session.scalars(select(RightStep)).one()
    assert (step.state, step.requested_on.isoformat()) == ("requested", requested)
    bad = post(client, f"/persons/{person.id}/rights/caf_benefits",
               {"right-caf_benefits-version": str(step.version_id), "right-caf_benefits-state": "obtained",
                "right-caf_benefits-requested": requested,
                "right-caf_benefits-obtained": (TODAY - timedelta(days=9)).isoformat()})
    page = html(bad)
    assert bad.status_code == 200
    assert re.search(r'id="right-caf_benefits-obtained-error" class="fr-error-text">[^<]*précéder', page)
    assert f'value="{(TODAY - timedelta(days=9)).isoformat()}"' in page


def test_a_save_from_a_stale_form_is_refused_with_a_reload_link(client, sw):
    person = mine(sw, hosting="cph")
    form = html(client.get(f"/persons/{person.id}/edit"))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    # Someone else saves in between.
    other = db.session.get(Person, person.id)
    person_ops.update_person(sw.users.social_worker, other,
                             {**{n: getattr(other, n) for n in person_ops.PERSON_FIELDS}, "hosting": "dna"})
    db.session.commit()
    data = {n: (getattr(other, n).isoformat() if isinstance(getattr(other, n), date) else getattr(other, n) or "")
            for n in person_ops.PERSON_FIELDS}
    response = post(client, f"/persons/{person.id}/edit", dict(data, hosting="homeless", version=version))
    page = html(response)
    assert response.status_code == 200 and "modifié par quelqu&#39;un d&#39;autre" in page
    assert "Recharger la dernière version" in page
    db.session.expire_all()
    assert db.session.get(Person, person.id).hosting == "dna"


def test_a_concurrent_write_caught_by_the_database_is_refused_too(client, sw, monkeypatch):
    person = mine(sw)

    def collide(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'persons' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(person_ops, "update_person", collide)
    data = {n: "" for n in person_ops.PERSON_FIELDS}
    data.update(PERSON, protection_on="2024-01-01", version="1")
    page = html(post(client, f"/persons/{person.id}/edit", data))
    assert "modifié par quelqu&#39;un d&#39;autre" in page


def test_housing_jobs_and_events_are_added_corrected_and_deleted(client, sw):
    person = mine(sw)
    day = (TODAY - timedelta(days=3)).isoformat()
    assert post(client, f"/persons/{person.id}/housing/new",
                {"housing-kind": "social_rental", "housing-date": day}).status_code == 302
    access = db.session.scalars(select(HousingAccess)).one()
    assert "Logement pérenne depuis le" in html(client.get(f"/persons/{person.id}"))
    assert post(client, f"/persons/{person.id}/housing/{access.id}/edit",
                {"housing-kind": "temporary", "housing-date": day, "housing-version": access.version_id,
                 "housing-correction_reason": "Hébergement temporaire"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(HousingAccess, access.id).kind == "temporary"
    bad = post(client, f"/persons/{person.id}/jobs/new", {"job-kind": "cdi", "job-date": day, "job-months": "6"})
    assert bad.status_code == 200 and "CDI n&#39;a pas de durée" in html(bad)
    assert post(client, f"/persons/{person.id}/jobs/new",
                {"job-kind": "cdd", "job-date": day, "job-months": "8"}).status_code == 302
    job = db.session.scalars(select(Job)).one()
    assert post(client, f"/persons/{person.id}/jobs/{job.id}/cancel",
                {"cancel-version": job.version_id, "cancel-correction_reason": "Doublon"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert post(client, f"/persons/{person.id}/events/new",
                {"event-kind": "cultural_event", "event-date": day, "event-event_ref": "EXPO-1"}).status_code == 302
    assert "EXPO-1" in html(client.get(f"/persons/{person.id}"))


def test_notes_are_written_corrected_and_deleted_by_their_author(client, sw):
    person = mine(sw)
    assert post(client, f"/persons/{person.id}/notes/new",
                {"note-date": TODAY.isoformat(), "note-text": "Rendez-vous CAF mardi"}).status_code == 302
    note = db.session.scalars(select(Note)).one()
    assert "Rendez-vous CAF mardi" in html(client.get(f"/persons/{person.id}"))
    assert post(client, f"/persons/{person.id}/notes/{note.id}/edit",
                {"note-date": TODAY.isoformat(), "note-text": "Rendez-vous CAF jeudi", "note-version": 1,
                 "note-correction_reason": "Jeudi, pas mardi"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Note, note.id).text == "Rendez-vous CAF jeudi"
    assert post(client, f"/persons/{person.id}/notes/{note.id}/cancel",
                {"cancel-version": 2, "cancel-correction_reason": "Mauvais dossier"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Note)) == 0


def test_changing_household_through_the_form(client, sw):
    a, b = mine(sw, last_name="Alpha"), mine(sw, last_name="Beta")
    response = post(client, f"/persons/{b.id}/household",
                    {"version": b.version_id, "household_choice": "join", "household_ref": a.household.ref})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, b.id).household_id == a.household_id
    page = html(client.get(f"/persons/{a.id}"))
    assert "BETA Prénom" in page and "Ajouter un membre au ménage" in page


def test_the_history_shows_who_did_what_without_values(client, sw):
    person = mine(sw)
    post(client, f"/persons/{person.id}/notes/new", {"note-date": TODAY.isoformat(), "note-text": "Secret détail"})
    client.get(f"/persons/{person.id}")
    page = html(client.get(f"/persons/{person.id}/history"))
    assert "Ajout d&#39;une note" in page and "sw@example.fr" in page
    assert "date, texte" in page and "Secret détail" not in page
    # Changes by default; the consultations behind the filter (tests/blueprints/test_history.py).
    assert "Consultation" not in page
    assert "Consultation" in html(client.get(f"/persons/{person.id}/history?consultations=1"))


def test_the_printable_summary_has_a_print_button_and_no_notes(client, sw):
    person, _ = enrolled(sw)
    person_ops.add_note(sw.users.social_worker, db.session.get(Person, person.id), TODAY, "Note confidentielle")
    db.session.commit()
    response = client.get(f"/persons/{person.id}/summary")
    page = html(response)
    assert response.status_code == 200 and "Fiche de parcours" in page
    assert 'data-action="print"' in page and 'src="/static/js/persons.js"' in page
    assert "Note confidentielle" not in page and "<script>" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_file_links_to_the_referral_form_when_it_exists(app, client, sw):
    person = mine(sw)
    page = html(client.get(f"/persons/{person.id}"))
    if "referrals.new_referral" in app.view_functions:
        assert f"/referrals/new?person_id={person.id}" in page
    else:
        assert "Orienter vers un programme" not in page


def test_the_file_shows_the_open_alerts_of_my_structure_only(client, sw):
    person, _ = enrolled(sw)
    for kind, structure, resolved in (("permit_expiry", sw.agir, None), ("inactive", sw.agir, TODAY),
                                      ("end_soon", sw.other, None)):
        db.session.add(Alert(kind=kind, person_id=person.id, structure_id=structure.id, due_on=TODAY,
                             first_seen_on=TODAY, last_seen_on=TODAY, resolved_on=resolved))
    db.session.commit()
    page = html(client.get(f"/persons/{person.id}"))
    assert "Titre de séjour expirant" in page
    assert "Dossier inactif" not in page and "Fin proche" not in page


def test_a_non_bpi_file_explains_why_there_is_no_enrolment_form(client, sw):
    person = mine(sw, status="family", protection_on=None, first_permit_on=TODAY - timedelta(days=200))
    page = html(client.get(f"/persons/{person.id}"))
    assert "Non éligible" in page and "peut être orienté·e vers des programmes spécialisés" in page
    assert 'id="enrol-form"' not in page
    assert 'id="enrol-form"' in html(client.get(f"/persons/{mine(sw).id}"))
