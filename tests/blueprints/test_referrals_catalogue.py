"""The programme catalogue through real forms: who reads, who edits, sessions, flags, departments."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.extensions import db
from models import Participation, Programme, Session
from tests import factories
from tests.referrals_factories import client_for, html


def _form(**kw):
    data = {"name": "Français langue d'intégration", "theme": "language", "start_on": "2024-01-08",
            "end_on": "2024-12-20", "target_beneficiaries": "40", "total_cost": "12 000,50", "p104_subsidy": "9000",
            "carif_oref_ref": ""}
    data.update(kw)
    return data


def fresh_programme(programme_id):
    db.session.expire_all()
    return db.session.get(Programme, programme_id)


def test_catalogue_lists_my_department_with_hours_and_flags(app, world):
    landes = factories.make_department(code="40", name="Landes")
    factories.make_programme(landes, factories.make_structure(landes, "programme_operator"), name="Programme landais")
    factories.make_programme(world.department, world.school, name="Français sans référence", carif=None,
                             sessions=((date(2022, 9, 1), 3.0), (date(2022, 9, 8), 2.5)))
    db.session.commit()
    page = html(client_for(app, "sw@example.fr").get("/referrals/programmes"))
    assert "Français pour tous" in page and "Français sans référence" in page
    assert "Programme landais" not in page
    assert "Référence manquante" in page and "5,5 h" in page and "2 séances" in page
    assert "Nouveau programme" not in page  # social workers read only


def test_unreferenced_filter(app, world):
    factories.make_programme(world.department, world.school, name="Français sans référence", carif=None)
    db.session.commit()
    page = html(client_for(app, "ro@example.fr").get("/referrals/programmes?unreferenced=1"))
    assert "Français sans référence" in page and "Français pour tous" not in page


@pytest.mark.parametrize("url", ["/referrals/programmes/new", "/referrals/programmes/{id}/edit"])
def test_social_worker_cannot_edit(app, world, url):
    sw = client_for(app, "sw@example.fr")
    assert sw.get(url.format(id=world.programme.id)).status_code == 403


def test_pilot_cannot_read_the_catalogue(app, world):
    pilot = client_for(app, "pilot@example.fr")
    assert pilot.get("/referrals/programmes").status_code == 403
    assert pilot.get(f"/referrals/programmes/{world.programme.id}").status_code == 403


def test_referral_officer_creates_a_programme_with_french_numbers(app, world):
    ro = client_for(app, "ro@example.fr")
    url = "/referrals/programmes/new"
    page = html(ro.get(url))
    assert "École de langue" in page and "Opérateur AGIR Bordeaux" not in page  # only my structure
    resp = ro.post(url, data=_form(csrf_token=factories.csrf_token(ro, url), structure_id=world.school.id))
    assert resp.status_code == 302
    programme = db.session.scalar(select(Programme).where(Programme.name == "Français langue d'intégration"))
    assert programme.ref.startswith("PRG-") and programme.total_cost == 12000.5
    assert programme.department_id == world.department.id and programme.carif_oref_ref is None
    shown = html(ro.get(resp.headers["Location"]))
    assert "sans référence CARIF-OREF" in shown and programme.ref in shown


def test_invalid_programme_shows_errors_next_to_fields_and_keeps_values(app, world):
    ro = client_for(app, "ro@example.fr")
    url = "/referrals/programmes/new"
    resp = ro.post(url, data=_form(csrf_token=factories.csrf_token(ro, url), structure_id=world.school.id,
                                   end_on="2023-12-31", p104_subsidy="20000"))
    page = html(resp)
    assert resp.status_code == 200
    assert re.search(r'id="end_on-error" class="fr-error-text">La date de fin ne peut précéder', page)
    assert 'value="Français langue d&#39;intégration"' in page
    assert db.session.scalar(select(func.count(Programme.id))) == 1


def test_another_structure_cannot_be_chosen_by_posting_its_id(app, world):
    ro = client_for(app, "ro@example.fr")
    url = "/referrals/programmes/new"
    resp = ro.post(url, data=_form(csrf_token=factories.csrf_token(ro, url), structure_id=world.agir.id))
    assert "Choisissez une structure de la liste" in html(resp)
    assert db.session.scalar(select(func.count(Programme.id))) == 1


def test_edit_with_a_stale_version_is_refused(app, world):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/programmes/{world.programme.id}/edit"
    token = factories.csrf_token(ro, url)
    world.programme.name = "Renommé ailleurs"
    db.session.commit()
    resp = ro.post(url, data=_form(csrf_token=token, structure_id=world.school.id, start_on="2022-01-01",
                                   end_on="2023-12-31", version_id="1"))
    assert "modifié par quelqu&#39;un d&#39;autre" in html(resp)
    assert fresh_programme(world.programme.id).name == "Renommé ailleurs"


def test_edit_saves_with_the_current_version(app, world):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/programmes/{world.programme.id}/edit"
    page = html(ro.get(url))
    version = re.search(r'name="version_id" type="hidden" value="(\d+)"', page).group(1)
    resp = ro.post(url, data=_form(csrf_token=factories.csrf_token(ro, url), structure_id=world.school.id,
                                   start_on="2022-01-01", end_on="2023-12-31", carif_oref_ref="14_AF_0099",
                                   version_id=version))
    assert resp.status_code == 302
    assert fresh_programme(world.programme.id).carif_oref_ref == "14_AF_0099"


def test_another_referral_officer_of_the_department_reads_but_cannot_edit(app, world):
    factories.make_user("referral_officer", world.other, email="ro-other@example.fr")
    db.session.commit()
    c = client_for(app, "ro-other@example.fr")
    page = html(c.get(f"/referrals/programmes/{world.programme.id}"))
    assert "Français pour tous" in page and "Ajouter une séance" not in page and "Participant" not in page
    assert c.get(f"/referrals/programmes/{world.programme.id}/edit").status_code == 403


def test_programme_of_another_department_is_404(app, world):
    landes = factories.make_department(code="40", name="Landes")
    other = factories.make_programme(landes, factories.make_structure(landes, "programme_operator"))
    db.session.commit()
    assert client_for(app, "ro@example.fr").get(f"/referrals/programmes/{other.id}").status_code == 404
    assert client_for(app, "admin@example.fr").get(f"/referrals/programmes/{other.id}").status_code == 200


def test_sessions_are_added_and_removed_through_forms(app, world):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/programmes/{world.programme.id}"
    resp = ro.post(f"{url}/sessions", data={"csrf_token": factories.csrf_token(ro, url), "held_on": "2022-10-03",
                                            "hours": "2,5"})
    assert resp.status_code == 302
    page = html(ro.get(url))
    assert "03/10/2022" in page and "2,5 h" in page and "5,5 h au total" in page
    session_id = db.session.scalar(select(Session.id).where(Session.held_on == date(2022, 10, 3)))
    resp = ro.post(f"{url}/sessions/{session_id}/delete", data={"csrf_token": factories.csrf_token(ro, url)})
    assert resp.status_code == 302
    assert db.session.scalar(select(func.count(Session.id))) == 1


def test_session_outside_the_programme_is_refused_next_to_the_date(app, world):
    ro = client_for(app, "ro@example.fr")
    url = f"/referrals/programmes/{world.programme.id}"
    resp = ro.post(f"{url}/sessions", data={"csrf_token": factories.csrf_token(ro, url), "held_on": "2025-01-03",
                                            "hours": "2"})
    assert re.search(r'id="held_on-error" class="fr-error-text">Une séance du 03/01/2025 tombe hors', html(resp))


def test_admin_sees_every_department_and_filters(app, world):
    landes = factories.make_department(code="40", name="Landes")
    factories.make_programme(landes, factories.make_structure(landes, "programme_operator"), name="Programme landais")
    db.session.commit()
    admin = client_for(app, "admin@example.fr")
    page = html(admin.get("/referrals/programmes"))
    assert "Programme landais" in page and "Français pour tous" in page
    page = html(admin.get("/referrals/programmes?department=40"))
    assert "Programme landais" in page and "Français pour tous" not in page


def test_operator_sees_participants_of_its_programme(app, world):
    person = factories.make_person(world.department, world.agir, last_name="Haidari")
    factories.make_accompaniment(person, world.agir)
    db.session.add(Participation(person=person, programme=world.programme, start_on=date(2022, 9, 1),
                                 planned_hours=100, attended_hours=90, level_start="A1", level_end="A2"))
    db.session.commit()
    page = html(client_for(app, "ro@example.fr").get(f"/referrals/programmes/{world.programme.id}"))
    assert "HAIDARI" in page and "assidu·e" in page and "1 participant·e, dont 1 assidu·e" in page
    sw_page = html(client_for(app, "sw@example.fr").get(f"/referrals/programmes/{world.programme.id}"))
    assert "HAIDARI" not in sw_page


def test_menu_marks_programmes_or_referrals_not_both(app, world):
    ro = client_for(app, "ro@example.fr")
    current = re.compile(r'href="([^"]+)"\s*aria-current="page"')
    assert current.findall(html(ro.get(f"/referrals/programmes/{world.programme.id}"))) == ["/referrals/programmes"]
    assert current.findall(html(ro.get("/referrals/"))) == ["/referrals/"]


@pytest.mark.parametrize("field, value, message", [
    ("target_beneficiaries", str(10**12), "Nombre trop grand."),
    ("total_cost", "NaN", "Nombre invalide"),
    ("total_cost", "inf", "Nombre invalide"),
    ("p104_subsidy", "1e309", "Nombre invalide"),
    ("total_cost", "9" * 20, "Nombre invalide"),
])
def test_numbers_beyond_what_a_programme_holds_are_refused_next_to_the_field(app, world, field, value, message):
    ro = client_for(app, "ro@example.fr")
    url = "/referrals/programmes/new"
    resp = ro.post(url, data=_form(csrf_token=factories.csrf_token(ro, url), structure_id=world.school.id,
                                   **{field: value}))
    page = html(resp)
    assert resp.status_code == 200
    assert re.search(rf'id="{field}-error" class="fr-error-text">{message}', page), page[page.find("fr-error"):][:300]
    assert db.session.scalar(select(func.count(Programme.id))) == 1
