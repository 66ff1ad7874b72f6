"""The entry path through the real pages (SPEC §4.5, issue 16 items 1–3, 5, 6): orientations to schedule, the
orientation, languages and interpreter, the first interview, the diagnostic and the action plan — every error
next to its field and all at once, values kept, corrections with a reason, versions checked."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from agir.dates import add_months
from agir.dates import today as paris_today
from agir.extensions import db
from models import Appointment, AuditEntry, Person, RightStep
from models.entry import DiagnosticArea, PersonLanguage, PlanObjective
from tests import factories
from tests.referrals_factories import client_for, html, make_referral

TODAY = paris_today()


def hidden(text: str, name: str) -> str:
    for tag in re.findall(r"<input[^>]*>", text):
        if f'name="{name}"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise AssertionError(f"no input {name}")


def post(client, url, data):
    page = html(client.get(url))
    return client.post(url, data={"csrf_token": hidden(page, "csrf_token"), **data})


def error_of(text: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}-error" class="fr-error-text">([^<]*)<', text)
    return match.group(1) if match else ""


@pytest.fixture
def sw(app, world):
    return client_for(app, "sw@example.fr")


def oriented(world, days_ago: int, structure=None, **kw) -> Person:
    p = factories.make_person(world.department, structure or world.agir, oriented_on=TODAY - timedelta(days=days_ago),
                              orientation_source="ofii", orientation_structure_id=(structure or world.agir).id, **kw)
    return p


@pytest.fixture
def enrolled(world):
    p = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Zahra",
                              protection_on=TODAY - timedelta(days=300),
                              oriented_on=TODAY - timedelta(days=60), orientation_source="ofii",
                              orientation_structure_id=world.agir.id)
    factories.make_accompaniment(p, world.agir, start=TODAY - timedelta(days=40),
                                 planned_end=TODAY + timedelta(days=300))
    db.session.commit()
    return p


# ---------------------------------------------------------------- orientations to schedule

def test_orientations_overdue_first_with_days_and_interpreter(world, sw):
    late = oriented(world, 40, last_name="Ahmadi", interpreter="prs")
    oriented(world, 10, last_name="Berhane")
    db.session.add(PersonLanguage(person_id=late.id, code="prs", level="native"))
    seen = oriented(world, 20, last_name="Vu")
    db.session.add(Appointment(person_id=seen.id, structure_id=world.agir.id, start_at=datetime.combine(
        TODAY - timedelta(days=5), datetime.min.time()), minutes=60, kind="first_interview", mode="on_site",
        status="honoured"))
    oriented(world, 50, structure=world.other, last_name="Ailleurs")  # another structure's
    factories.make_person(world.department, world.agir, last_name="Sansorientation")
    db.session.commit()
    text = html(sw.get("/persons/orientations"))
    assert text.index("AHMADI") < text.index("BERHANE")
    assert "VU " not in text.split("<tbody>")[1] and "AILLEURS" not in text and "SANSORIENTATION" not in text
    days_late = (TODAY - add_months(TODAY - timedelta(days=40), 1)).days
    assert f"en retard de {days_late} jours" in text
    assert "Interprète : Dari" in text and "Dari (langue maternelle)" in text
    left = (add_months(TODAY - timedelta(days=10), 1) - TODAY).days
    assert f"{left} jours restants" in text
    late_only = html(sw.get("/persons/orientations?show=late"))
    assert "AHMADI" in late_only and "BERHANE" not in late_only
    assert "BERHANE" not in html(sw.get("/persons/orientations?show=interpreter"))
    assert "BERHANE" in html(sw.get("/persons/orientations?q=berhane")).split("<tbody>")[1]


def test_orientations_paginated(app, world, sw):
    for n in range(27):
        oriented(world, n, last_name=f"Page{n:02d}")
    db.session.commit()
    first = html(sw.get("/persons/orientations"))
    second = html(sw.get("/persons/orientations?page=2"))
    assert "PAGE26" in first and "PAGE00" not in first  # the oldest orientation (nearest limit) first
    assert "PAGE00" in second and "PAGE26" not in second and "27</strong> orientations" in first


def test_orientations_other_roles(app, world):
    ro = client_for(app, "ro@example.fr")
    assert ro.get("/persons/orientations").status_code == 403


# ---------------------------------------------------------------- orientation

def test_orientation_every_error_at_once_values_kept(world, sw):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    future = (TODAY + timedelta(days=3)).isoformat()
    resp = post(sw, f"/persons/{p.id}/orientation", {"oriented_on": future, "orientation_source": "",
                                                      "orientation_structure": str(world.agir.id)})
    text = html(resp)
    assert resp.status_code == 200
    assert "postérieure à aujourd" in error_of(text, "oriented_on")
    assert "Indiquez qui a orienté" in error_of(text, "orientation_source")
    assert f'value="{future}"' in text
    db.session.refresh(p)
    assert p.oriented_on is None


def test_orientation_recorded_then_listed(world, sw):
    p = factories.make_person(world.department, world.agir, last_name="Nouvelle")
    db.session.commit()
    day = TODAY - timedelta(days=2)
    resp = post(sw, f"/persons/{p.id}/orientation", {"oriented_on": day.isoformat(), "orientation_source": "ofii",
                                                      "orientation_structure": str(world.agir.id)})
    assert resp.status_code == 302
    db.session.refresh(p)
    assert (p.oriented_on, p.orientation_source, p.orientation_structure_id) == (day, "ofii", world.agir.id)
    assert "NOUVELLE" in html(sw.get("/persons/orientations"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "orientation_recorded",
                                                      AuditEntry.person_id == p.id))


def test_orientation_stale_version(world, sw):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    page = html(sw.get(f"/persons/{p.id}/orientation"))
    p.phone = "0600000000"
    db.session.commit()  # someone else saved the person meanwhile
    resp = sw.post(f"/persons/{p.id}/orientation", data={
        "csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"),
        "oriented_on": TODAY.isoformat(), "orientation_source": "ofii", "orientation_structure": str(world.agir.id)})
    assert "modifié par quelqu'un d'autre" in html(resp).replace("&#39;", "'")


# ---------------------------------------------------------------- languages

def test_languages_errors_at_once(world, sw):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    resp = post(sw, f"/persons/{p.id}/languages", {
        "languages-0-code": "zzz", "languages-0-level": "native",
        "languages-1-code": "prs", "languages-1-level": "",
        "languages-2-code": "Dari", "languages-2-level": "basic", "interpreter": "klingon"})
    text = html(resp)
    assert "ISO 639-3 inconnu" in error_of(text, "languages-0-code")
    assert "Indiquez le niveau" in error_of(text, "languages-1-level")
    assert "déjà dans la liste" in error_of(text, "languages-2-code")
    assert "ISO 639-3 inconnu" in error_of(text, "interpreter")
    assert 'value="zzz"' in text and 'value="klingon"' in text
    assert not p.languages


def test_languages_by_name_shown_on_file_and_limited_view(app, world, sw):
    p = factories.make_person(world.department, world.agir, last_name="Tesfay")
    db.session.commit()
    resp = post(sw, f"/persons/{p.id}/languages", {
        "languages-0-code": "tigrinya", "languages-0-level": "native",
        "languages-1-code": "arb", "languages-1-level": "basic", "interpreter": "tir"})
    assert resp.status_code == 302
    db.session.refresh(p)
    assert sorted((x.code, x.level) for x in p.languages) == [("arb", "basic"), ("tir", "native")]
    assert p.interpreter == "tir"
    file_page = html(sw.get(f"/persons/{p.id}"))
    assert "Tigrigna (langue maternelle)" in file_page and "Interprète : Tigrigna" in file_page
    make_referral(p, world.programme, sender=world.agir)
    db.session.commit()
    ro = client_for(app, "ro@example.fr")
    limited = html(ro.get(f"/referrals/persons/{p.id}"))
    assert "Tigrigna (langue maternelle)" in limited and "Interprète : Tigrigna" in limited
    english = html(sw.get(f"/persons/{p.id}", headers={"Accept-Language": "en"}))
    assert "Tigrinya" in english


def test_language_search(world, sw):
    rows = sw.get("/persons/languages.json?q=dar").get_json()
    assert rows[0] == {"code": "prs", "name": "Dari"}


# ---------------------------------------------------------------- first interview

def test_first_interview_errors_and_record(world, sw):
    p = oriented(world, 20, last_name="Karimi")
    db.session.commit()
    resp = post(sw, f"/persons/{p.id}/first-interview", {"day": (TODAY - timedelta(days=25)).isoformat(),
                                                         "at": "25:00"})
    text = html(resp)
    assert "précéder l'orientation" in error_of(text, "day").replace("&#39;", "'")
    assert "HH:MM" in error_of(text, "at")
    day = TODAY - timedelta(days=3)
    assert post(sw, f"/persons/{p.id}/first-interview", {"day": day.isoformat(), "at": "10:30"}).status_code == 302
    appointment = db.session.scalars(select(Appointment).where(Appointment.person_id == p.id)).one()
    assert (appointment.kind, appointment.status, appointment.start_at) == (
        "first_interview", "honoured", datetime.combine(day, datetime.min.time()).replace(hour=10, minute=30))
    assert "KARIMI" not in html(sw.get("/persons/orientations"))
    file_page = html(sw.get(f"/persons/{p.id}"))
    assert "17 jours après l'orientation" in file_page and "dans le délai d'un mois" in file_page


# ---------------------------------------------------------------- diagnostic

AREAS = ("rights", "housing", "employment", "language", "mobility", "childcare")


def diagnostic_data(**over):
    data = {"diagnostic_on": TODAY.isoformat()}
    for area in AREAS:
        data[f"{area}_need"], data[f"{area}_text"] = "low", ""
    data.update(over)
    return data


def test_diagnostic_errors_at_once(world, sw, enrolled):
    resp = post(sw, f"/persons/{enrolled.id}/diagnostic", diagnostic_data(
        diagnostic_on=(TODAY - timedelta(days=50)).isoformat(), housing_need="",
        mobility_text="Suivi pour une dépression, traitement en cours"))
    text = html(resp)
    assert "précéder l&#39;entrée" in error_of(text, "diagnostic_on")
    assert "Indiquez le besoin" in error_of(text, "housing_need")
    assert "information médicale" in error_of(text, "mobility_text")
    assert "traitement en cours" in text  # kept
    assert not db.session.scalars(select(DiagnosticArea)).all()


def test_diagnostic_recorded_then_corrected_with_reason(world, sw, enrolled):
    url = f"/persons/{enrolled.id}/diagnostic"
    assert post(sw, url, diagnostic_data(housing_need="high", housing_text="Hébergée chez un tiers")).status_code == 302
    acc = enrolled.open_accompaniment
    db.session.refresh(acc)
    assert acc.diagnostic_on == TODAY
    assert {a.area: a.need for a in acc.diagnostic_areas}["housing"] == "high"
    refused = html(post(sw, url, diagnostic_data(housing_need="low")))
    assert "Indiquez le motif de la correction" in error_of(refused, "correction_reason")
    ok = post(sw, url, diagnostic_data(housing_need="low", correction_reason="Logement trouvé entre-temps"))
    assert ok.status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "correct_record")).one()
    assert entry.changes["before"]["housing_need"] == "high" and entry.changes["after"]["housing_need"] == "low"
    assert entry.reason == "Logement trouvé entre-temps"


def test_diagnostic_stale(world, sw, enrolled):
    url = f"/persons/{enrolled.id}/diagnostic"
    page = html(sw.get(url))
    acc = enrolled.open_accompaniment
    acc.planned_end_on = acc.planned_end_on + timedelta(days=1)
    db.session.commit()
    resp = sw.post(url, data={"csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"),
                              **diagnostic_data()})
    assert "modifié par quelqu'un d'autre" in html(resp).replace("&#39;", "'")


def test_diagnostic_needs_my_open_accompaniment(world, sw):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    assert sw.get(f"/persons/{p.id}/diagnostic").status_code == 404


# ---------------------------------------------------------------- plan

def test_objective_errors_at_once(world, sw, enrolled):
    resp = post(sw, f"/persons/{enrolled.id}/objectives/new", {
        "area": "", "objective": "Obtenir une ordonnance de psychiatre",
        "due_on": (TODAY - timedelta(days=100)).isoformat(), "link": "right:999999"})
    text = html(resp)
    assert "Indiquez le domaine" in error_of(text, "area")
    assert "information médicale" in error_of(text, "objective")
    assert "échéance" in error_of(text, "due_on").lower()
    assert error_of(text, "link")  # a link to no fact of this file (a forged value) is refused too
    assert not db.session.scalars(select(PlanObjective)).all()


def test_objective_linked_overdue_closed_and_corrected(world, sw, enrolled):
    right = RightStep(person_id=enrolled.id, kind="health_insurance", state="requested",
                      requested_on=TODAY - timedelta(days=10))
    db.session.add(right)
    db.session.commit()
    due = TODAY - timedelta(days=2)
    resp = post(sw, f"/persons/{enrolled.id}/objectives/new", {
        "area": "rights", "objective": "Ouvrir les droits à l'assurance maladie", "due_on": due.isoformat(),
        "link": f"right:{right.id}"})
    assert resp.status_code == 302
    item = db.session.scalars(select(PlanObjective)).one()
    assert item.right_step_id == right.id
    file_page = html(sw.get(f"/persons/{enrolled.id}"))
    assert "Assurance maladie — Demandé" in file_page
    assert "échéance dépassée" in file_page and "1 objectif a dépassé son échéance" in file_page
    url = f"/persons/{enrolled.id}/objectives/{item.id}"
    missing = html(post(sw, url, {"area": "rights", "objective": item.objective, "due_on": due.isoformat(),
                                  "link": f"right:{right.id}", "state": "done", "closed_on": ""}))
    assert "date de clôture est obligatoire" in error_of(missing, "closed_on")
    closed = post(sw, url, {"area": "rights", "objective": item.objective, "due_on": due.isoformat(),
                            "link": f"right:{right.id}", "state": "done", "closed_on": TODAY.isoformat()})
    assert closed.status_code == 302
    db.session.refresh(item)
    assert (item.state, item.closed_on) == ("done", TODAY)
    assert "échéance dépassée" not in html(sw.get(f"/persons/{enrolled.id}"))
    no_reason = html(post(sw, url, {"area": "rights", "objective": "Autre texte", "due_on": due.isoformat(),
                                    "link": "", "state": "done", "closed_on": TODAY.isoformat()}))
    assert "Indiquez le motif de la correction" in error_of(no_reason, "correction_reason")
    assert post(sw, url, {"area": "rights", "objective": "Autre texte", "due_on": due.isoformat(), "link": "",
                          "state": "done", "closed_on": TODAY.isoformat(),
                          "correction_reason": "Texte mal saisi"}).status_code == 302
    db.session.refresh(item)
    assert item.objective == "Autre texte" and item.right_step_id is None


def test_other_structure_gets_404(app, world, enrolled):
    other = client_for(app, "sw-other@example.fr")
    for url in ("orientation", "languages", "first-interview", "diagnostic", "objectives/new"):
        assert other.get(f"/persons/{enrolled.id}/{url}").status_code == 404


# ---------------------------------------------------------------- a new file with its orientation

def new_person_data(**over):
    data = {"last_name": "Rahimi", "first_name": "Nasrin", "sex": "F", "birth_on": "1995-04-02",
            "nationality": "AFG", "status": "refugee", "protection_on": (TODAY - timedelta(days=90)).isoformat(),
            "household_choice": "new"}
    data.update(over)
    return data


def test_new_person_with_orientation_errors_at_once(world, sw):
    future = (TODAY + timedelta(days=1)).isoformat()
    resp = post(sw, "/persons/new", new_person_data(last_name="", oriented_on=future, orientation_source="",
                                                    orientation_structure=str(world.school.id)))
    text = html(resp)
    assert "Le nom est obligatoire" in error_of(text, "last_name")
    assert "postérieure à aujourd" in error_of(text, "oriented_on")
    assert "Indiquez qui a orienté" in error_of(text, "orientation_source")
    assert "Choisissez une structure" in error_of(text, "orientation_structure")
    assert f'value="{future}"' in text
    assert db.session.scalar(select(Person).where(Person.first_name == "Nasrin")) is None


def test_new_person_with_orientation_listed(world, sw):
    day = TODAY - timedelta(days=5)
    resp = post(sw, "/persons/new", new_person_data(oriented_on=day.isoformat(), orientation_source="ofii",
                                                    orientation_structure=str(world.agir.id)))
    assert resp.status_code == 302
    person = db.session.scalar(select(Person).where(Person.first_name == "Nasrin"))
    assert (person.oriented_on, person.orientation_source, person.orientation_structure_id) == (
        day, "ofii", world.agir.id)
    assert "RAHIMI" in html(sw.get("/persons/orientations")).split("<tbody>")[1]


def test_new_person_without_orientation(world, sw):
    assert post(sw, "/persons/new", new_person_data()).status_code == 302
    person = db.session.scalar(select(Person).where(Person.first_name == "Nasrin"))
    assert person.oriented_on is None and person.orientation_structure_id is None


def test_overdue_objectives_in_the_inbox(app, world, sw, enrolled):
    acc = enrolled.open_accompaniment
    db.session.add_all([
        PlanObjective(accompaniment_id=acc.id, area="housing", objective="Déposer la demande de logement social",
                      due_on=TODAY - timedelta(days=4), state="open"),
        PlanObjective(accompaniment_id=acc.id, area="mobility", objective="Passer le code de la route",
                      due_on=TODAY + timedelta(days=4), state="open"),
        PlanObjective(accompaniment_id=acc.id, area="rights", objective="Ouvrir un compte bancaire",
                      due_on=TODAY - timedelta(days=9), state="done", closed_on=TODAY - timedelta(days=10))])
    db.session.commit()
    text = html(sw.get("/alerts/"))
    section = text.split('id="objectifs-en-retard"')[1].split("</section>")[0]
    assert "Déposer la demande de logement social" in section and "en retard de 4 jours" in section
    assert "HAIDARI" in section
    assert "code de la route" not in section and "compte bancaire" not in section
    other = client_for(app, "sw-other@example.fr")
    assert "Déposer la demande" not in html(other.get("/alerts/"))


def test_languages_and_objective_stale_and_history(world, sw, enrolled):
    page = html(sw.get(f"/persons/{enrolled.id}/languages"))
    enrolled.phone = "0611111111"
    db.session.commit()  # someone else saved the person meanwhile
    resp = sw.post(f"/persons/{enrolled.id}/languages", data={
        "csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"),
        "languages-0-code": "prs", "languages-0-level": "native"})
    assert "modifié par quelqu'un d'autre" in html(resp).replace("&#39;", "'")
    assert not db.session.scalars(select(PersonLanguage)).all()
    acc = enrolled.open_accompaniment
    item = PlanObjective(accompaniment_id=acc.id, area="language", objective="Atteindre A2 à l'oral", state="open",
                         structure_id=world.agir.id)
    db.session.add(item)
    db.session.commit()
    url = f"/persons/{enrolled.id}/objectives/{item.id}"
    page = html(sw.get(url))
    item.due_on = TODAY + timedelta(days=30)
    db.session.commit()
    resp = sw.post(url, data={"csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"),
                              "area": "language", "objective": item.objective, "state": "dropped",
                              "closed_on": TODAY.isoformat(), "due_on": ""})
    assert "modifiée par quelqu'un d'autre" in html(resp).replace("&#39;", "'") or \
        "modifié par quelqu'un d'autre" in html(resp).replace("&#39;", "'")
    db.session.refresh(item)
    assert item.state == "open"
    assert post(sw, f"/persons/{enrolled.id}/first-interview", {"day": TODAY.isoformat(), "at": "09:00"}
                ).status_code == 302
    history = html(sw.get(f"/persons/{enrolled.id}/history"))
    assert "Premier entretien enregistré" in history


def test_the_entry_pages_in_english(world, sw, enrolled):
    oriented(world, 40, last_name="Ahmadi", interpreter="prs")
    db.session.commit()
    english = {"Accept-Language": "en"}
    text = html(sw.get("/persons/orientations", headers=english))
    days_late = (TODAY - add_months(TODAY - timedelta(days=40), 1)).days
    assert "Orientations to schedule" in text and f"{days_late} days late" in text and "Interpreter: Dari" in text
    page = html(sw.get(f"/persons/{enrolled.id}/diagnostic", headers=english))
    resp = sw.post(f"/persons/{enrolled.id}/diagnostic", headers=english, data={
        "csrf_token": hidden(page, "csrf_token"), "version": hidden(page, "version"),
        **diagnostic_data(housing_need="")})
    assert "Give the need." in error_of(html(resp), "housing_need")
    assert "Housing: need" in html(resp)


def test_orientation_to_a_structure_not_in_the_list(world, sw):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    for value in (str(world.school.id), "abc"):
        text = html(post(sw, f"/persons/{p.id}/orientation", {
            "oriented_on": TODAY.isoformat(), "orientation_source": "operator", "orientation_structure": value}))
        assert "Choisissez une structure de la liste." in error_of(text, "orientation_structure")
    db.session.refresh(p)
    assert p.oriented_on is None
