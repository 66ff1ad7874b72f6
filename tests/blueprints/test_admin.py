"""The admin space through real forms: accounts, structures, departments, audit log and the DPO export."""
import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from agir import audit
from agir.extensions import db
from models import AuditEntry, Department, Structure, User
from models.base import utcnow
from tests import factories

PASSWORD_RE = re.compile(r'data-testid="provisional-password">([^<]+)<')


@pytest.fixture
def admin(client, world):
    """The test client signed in as the administrator."""
    assert factories.login(client, "admin@example.fr").status_code == 302
    return client


def post(client, url, data, form_url=None):
    data = dict(data, csrf_token=factories.csrf_token(client, form_url or url))
    return client.post(url, data=data)


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# Permissions ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("email", ["sw@example.fr", "ro@example.fr", "pilot@example.fr"])
@pytest.mark.parametrize("url", ["/admin/", "/admin/users/", "/admin/users/new", "/admin/structures/",
                                 "/admin/departments/", "/admin/audit/"])
def test_only_admins_enter_the_admin_space(client, world, email, url):
    factories.login(client, email)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get("/admin/users/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def test_admins_do_not_see_person_files(admin, world):
    person = factories.make_person(world.department, world.agir, last_name="Karimi", first_name="Amina")
    factories.make_accompaniment(person, world.agir)
    audit.record(world.users.social_worker, "read", person=person, fields=["last_name"])
    db.session.commit()
    assert admin.get("/persons/").status_code == 403
    assert admin.get(f"/persons/{person.id}").status_code in (403, 404)
    for url in ["/admin/", "/admin/audit/", f"/admin/audit/?person={person.id}", "/admin/users/"]:
        html = admin.get(url).get_data(as_text=True)
        assert "Karimi" not in html and "Amina" not in html
    assert f"n° {person.id}" in admin.get("/admin/audit/").get_data(as_text=True)


# Accounts ---------------------------------------------------------------------------------------------------

def test_overview_counts_accounts_by_role(admin):
    html = admin.get("/admin/").get_data(as_text=True)
    assert "Administration" in html and "Référent·e de parcours" in html
    assert re.search(r"Référent·e de parcours</a></td>\s*<td[^>]*>2</td>", html)


def test_users_list_filters_and_paginates(admin, world, app, monkeypatch):
    for i in range(30):
        factories.make_user("referral_officer", world.school, email=f"ro{i:02d}@example.fr")
    db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 25)
    first = admin.get("/admin/users/?role=referral_officer").get_data(as_text=True)
    assert "31 résultats" in first and "page 1 sur 2" in first and "sw@example.fr" not in first
    second = admin.get("/admin/users/?role=referral_officer&page=2").get_data(as_text=True)
    assert "ro29@example.fr" in second and "ro00@example.fr" not in second
    assert 'href="/admin/users/?page=1&amp;role=referral_officer"' in second  # filters kept
    html = admin.get(f"/admin/users/?structure={world.agir.id}").get_data(as_text=True)
    assert "sw@example.fr" in html and "sw-other@example.fr" not in html
    assert "pilot@example.fr" in admin.get("/admin/users/?q=PILOT").get_data(as_text=True)


def test_create_a_social_worker_with_a_provisional_password(admin, world, app):
    response = post(admin, "/admin/users/new", {"email": "New.Worker@example.fr", "role": "social_worker",
                                                 "structure": str(world.agir.id), "department": ""})
    assert response.status_code == 200
    password = PASSWORD_RE.search(response.get_data(as_text=True)).group(1)
    user = db.session.scalar(select(User).where(User.email == "new.worker@example.fr"))
    assert user.role == "social_worker" and user.structure_id == world.agir.id
    newcomer = app.test_client()
    assert factories.login(newcomer, "new.worker@example.fr", password).status_code == 302
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user_created")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.user_email == "admin@example.fr" and password not in (entry.detail or "")


def test_create_a_pilot_needs_a_department(admin, world):
    data = {"email": "p2@example.fr", "role": "pilot", "structure": "", "department": ""}
    html = post(admin, "/admin/users/new", data).get_data(as_text=True)
    assert "Un pilote est rattaché à un département." in html and "fr-error-text" in html
    assert 'value="p2@example.fr"' in html  # typed values kept
    data["department"] = str(world.department.id)
    assert PASSWORD_RE.search(post(admin, "/admin/users/new", data).get_data(as_text=True))
    assert count(User, User.email == "p2@example.fr") == 1


@pytest.mark.parametrize("field, value", [
    ("role", "admin"),            # admins are created on the server only
    ("role", "superuser"),
    ("structure", "99999"),
    ("department", "99999"),
])
def test_a_value_the_form_does_not_offer_is_refused(admin, world, field, value):
    data = {"email": "forged@example.fr", "role": "social_worker", "structure": str(world.agir.id),
            "department": ""}
    data[field] = value
    response = post(admin, "/admin/users/new", data)
    assert response.status_code == 200
    assert "Valeur non autorisée" in response.get_data(as_text=True)
    assert count(User, User.email == "forged@example.fr") == 0


def test_extra_posted_fields_are_ignored(admin, world):
    response = post(admin, "/admin/users/new", {
        "email": "extra@example.fr", "role": "referral_officer", "structure": str(world.school.id), "department": "",
        "is_enabled": "0", "session_epoch": "99", "password_hash": "x", "structure_id": str(world.agir.id)})
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.email == "extra@example.fr"))
    assert user.is_enabled and user.session_epoch == 0 and user.structure_id == world.school.id


def test_disable_and_enable_an_account(admin, world):
    sw = world.users.social_worker
    response = post(admin, f"/admin/users/{sw.id}/disable", {}, f"/admin/users/{sw.id}")
    assert response.status_code == 302
    assert count(User, User.id == sw.id, User.is_enabled.is_(False)) == 1
    assert "Désactivé" in admin.get(f"/admin/users/{sw.id}").get_data(as_text=True)
    post(admin, f"/admin/users/{sw.id}/enable", {}, f"/admin/users/{sw.id}")
    assert count(User, User.id == sw.id, User.is_enabled.is_(True)) == 1


def test_an_admin_cannot_disable_themself(admin, world):
    me = world.users.admin
    response = post(admin, f"/admin/users/{me.id}/disable", {}, f"/admin/users/{me.id}")
    assert response.status_code == 302
    assert "propre compte" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert count(User, User.id == me.id, User.is_enabled.is_(True)) == 1


def test_reset_password_shows_a_new_one_once(admin, world, app):
    ro = world.users.referral_officer
    html = post(admin, f"/admin/users/{ro.id}/password", {}, f"/admin/users/{ro.id}").get_data(as_text=True)
    password = PASSWORD_RE.search(html).group(1)
    assert password not in admin.get(f"/admin/users/{ro.id}").get_data(as_text=True)
    other = app.test_client()
    assert factories.login(other, "ro@example.fr").status_code == 200
    assert factories.login(other, "ro@example.fr", password).status_code == 302


def test_an_admin_changes_their_own_password_on_their_account_page(admin, world):
    me = world.users.admin
    response = post(admin, f"/admin/users/{me.id}/password", {}, f"/admin/users/{me.id}")
    assert response.status_code == 302
    assert "Mon compte" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert admin.get("/admin/").status_code == 200  # still signed in


def test_unknown_account_is_404(admin):
    assert admin.get("/admin/users/99999").status_code == 404


# Structures and departments ---------------------------------------------------------------------------------

def test_create_and_edit_a_structure(admin, world):
    data = {"ref": "S-NEW", "name": "Maison de l'emploi", "department": str(world.department.id),
            "kind": "programme_operator"}
    assert post(admin, "/admin/structures/new", data).status_code == 302
    structure = db.session.scalar(select(Structure).where(Structure.ref == "S-NEW"))
    assert structure.kind == "programme_operator"
    edit = f"/admin/structures/{structure.id}/edit"
    assert 'value="S-NEW"' in admin.get(edit).get_data(as_text=True)
    assert post(admin, edit, dict(data, name="Maison de l'emploi de Bordeaux")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Structure, structure.id).name == "Maison de l'emploi de Bordeaux"
    assert "Maison de l&#39;emploi de Bordeaux" in admin.get("/admin/structures/").get_data(as_text=True)


def test_structure_errors_are_shown_next_to_the_field(admin, world):
    data = {"ref": "S-AGIR", "name": "Doublon", "department": str(world.department.id), "kind": "agir_operator"}
    html = post(admin, "/admin/structures/new", data).get_data(as_text=True)
    assert "La référence S-AGIR est déjà utilisée." in html and 'id="ref-error"' in html
    html = post(admin, "/admin/structures/new", dict(data, ref="S-X", kind="hospital")).get_data(as_text=True)
    assert "Valeur non autorisée" in html
    assert count(Structure, Structure.name == "Doublon") == 0


def test_structures_list_filters(admin, world):
    html = admin.get("/admin/structures/?kind=programme_operator").get_data(as_text=True)
    assert "École de langue" in html and "Opérateur AGIR Bordeaux" not in html
    assert "Opérateur AGIR Bordeaux" in admin.get("/admin/structures/?q=bordeaux").get_data(as_text=True)


def test_create_a_department_with_its_agir_settings(admin):
    data = {"code": "974", "name": "La Réunion", "agir_start_on": "2024-01-15", "agir_wave": "2024", "max_months": ""}
    assert post(admin, "/admin/departments/new", data).status_code == 302
    dep = db.session.scalar(select(Department).where(Department.code == "974"))
    assert (dep.max_months, dep.agir_wave, dep.agir_start_on.isoformat()) == (18, 2024, "2024-01-15")
    html = admin.get("/admin/departments/").get_data(as_text=True)
    assert "La Réunion" in html and "15/01/2024" in html


@pytest.mark.parametrize("months, ok", [("5", False), ("6", True), ("18", True), ("19", False)])
def test_department_max_months_stays_within_6_and_18(admin, world, months, ok):
    dep = world.department
    url = f"/admin/departments/{dep.id}/edit"
    response = post(admin, url, {"name": dep.name, "agir_start_on": "2022-07-01", "agir_wave": "2022",
                                 "max_months": months, "version_id": str(dep.version_id)})
    assert (response.status_code == 302) is ok
    if not ok:
        assert "entre 6 et 18 mois" in response.get_data(as_text=True)
    assert count(Department, Department.max_months == int(months)) == (1 if ok else 0)


def test_department_edit_detects_a_concurrent_change(admin, world):
    dep = world.department
    url = f"/admin/departments/{dep.id}/edit"
    token = factories.csrf_token(admin, url)
    stale_version = str(dep.version_id)
    data = {"csrf_token": token, "name": "Gironde", "agir_start_on": "2022-07-01", "agir_wave": "2022",
            "max_months": "12", "version_id": stale_version}
    assert admin.post(url, data=dict(data, max_months="14")).status_code == 302
    response = admin.post(url, data=dict(data, max_months="16"))
    assert "modifié par quelqu&#39;un d&#39;autre" in response.get_data(as_text=True)
    assert count(Department, Department.max_months == 14) == 1


# Audit log --------------------------------------------------------------------------------------------------

@pytest.fixture
def trail(world):
    """Entries about two persons by two users, one of them old."""
    p1 = factories.make_person(world.department, world.agir)
    p2 = factories.make_person(world.department, world.agir)
    sw, other = world.users.social_worker, world.users.other_social_worker
    audit.record(sw, "read", person=p1, ip="10.1.1.1")
    audit.record(sw, "update", person=p1, fields=["phone", "email"], ip="10.1.1.1")
    audit.record(other, "read", person=p2)
    old = audit.record(sw, "read", person=p2)
    old.at = utcnow() - timedelta(days=40)
    audit.record(sw, "update", person=p1, fields=["last_name"], detail="=HYPERLINK(\"x\")")
    db.session.commit()
    return p1, p2


def rows(html):
    return html.count('<td class="agir-nowrap">')


def test_audit_view_filters_by_person_user_action_and_date(admin, trail, world):
    p1, p2 = trail
    assert rows(admin.get(f"/admin/audit/?person={p1.id}").get_data(as_text=True)) == 3
    assert rows(admin.get(f"/admin/audit/?person={p2.id}&user=sw-other").get_data(as_text=True)) == 1
    assert rows(admin.get(f"/admin/audit/?person={p1.id}&action=update").get_data(as_text=True)) == 2
    since = (utcnow() - timedelta(days=10)).date().isoformat()
    assert rows(admin.get(f"/admin/audit/?person={p2.id}&date_from={since}").get_data(as_text=True)) == 1
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert rows(admin.get(f"/admin/audit/?person={p2.id}&date_to={until}").get_data(as_text=True)) == 1
    assert rows(admin.get("/admin/audit/?person=abc").get_data(as_text=True)) == 0


def test_audit_view_is_paginated(admin, trail, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    html = admin.get("/admin/audit/?action=read").get_data(as_text=True)
    assert rows(html) == 2 and "page 1 sur 2" in html


def test_person_audit_export_for_the_dpo_is_csv_and_is_itself_audited(admin, trail):
    p1, _ = trail
    response = admin.get(f"/admin/audit/persons/{p1.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"audit-personne-{p1.id}.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:4] == ["Date (UTC)", "Utilisateur", "Rôle", "Action"]
    assert [r[3] for r in table[1:]] == ["read", "update", "update"]
    assert table[2][5] == "email, phone"
    assert table[3][7].startswith("'=")  # never a spreadsheet formula
    exported = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "audit_exported")).one()
    assert exported.person_id == p1.id and exported.user_email == "admin@example.fr"


def test_person_audit_export_of_an_unknown_person_is_404(admin):
    assert admin.get("/admin/audit/persons/99999.csv").status_code == 404


def _choose_password(client, provisional: str, new: str = "ma phrase de passe secrète"):
    return post(client, "/account/password", {"current_password": provisional, "new_password": new,
                                              "confirmation": new}, "/account")


def test_a_provisional_password_opens_only_the_account_page_until_changed(admin, world, app):
    html = post(admin, "/admin/users/new", {"email": "first.day@example.fr", "role": "social_worker",
                                            "structure": str(world.agir.id), "department": ""}).get_data(as_text=True)
    password = PASSWORD_RE.search(html).group(1)
    user = db.session.scalar(select(User).where(User.email == "first.day@example.fr"))
    assert user.has_provisional_password
    assert "le mot de passe est provisoire" in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    newcomer = app.test_client()
    assert factories.login(newcomer, "first.day@example.fr", password).status_code == 302
    for url in ("/", "/persons/", "/alerts/", "/referrals/", "/persons/new"):
        response = newcomer.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account"), url
    page = newcomer.get("/account").get_data(as_text=True)
    assert "Votre mot de passe est provisoire" in page and 'data-testid="provisional-callout"' in page
    assert newcomer.get("/healthz").status_code == 200
    assert _choose_password(newcomer, "pas le bon", "ma phrase de passe secrète").status_code == 200
    assert newcomer.get("/persons/").status_code == 302  # a refused change keeps the password provisional
    assert _choose_password(newcomer, password).status_code == 302
    assert newcomer.get("/persons/").status_code == 200
    db.session.expire_all()
    assert not db.session.get(User, user.id).has_provisional_password


def test_a_reset_password_is_provisional_too(admin, world, app):
    ro = world.users.referral_officer
    html = post(admin, f"/admin/users/{ro.id}/password", {}, f"/admin/users/{ro.id}").get_data(as_text=True)
    password = PASSWORD_RE.search(html).group(1)
    other = app.test_client()
    assert factories.login(other, "ro@example.fr", password).status_code == 302
    assert other.get("/referrals/").headers["Location"].endswith("/account")
    assert post(other, "/logout", {}, "/account").status_code == 302  # signing out stays possible
    assert factories.login(other, "ro@example.fr", password).status_code == 302
    assert _choose_password(other, password).status_code == 302
    assert other.get("/referrals/").status_code == 200



# Role and attachment of an existing account ------------------------------------------------------------------

def test_a_social_worker_moves_to_another_structure(admin, world, app):
    sw = world.users.social_worker
    theirs = factories.make_person(world.department, world.other)
    db.session.commit()
    worker = app.test_client()
    assert factories.login(worker, "sw@example.fr").status_code == 302
    assert worker.get(f"/persons/{theirs.id}").status_code == 404
    form = admin.get(f"/admin/users/{sw.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{world.agir.id}">' in form
    response = post(admin, f"/admin/users/{sw.id}/edit",
                    {"role": "social_worker", "structure": str(world.other.id), "department": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/{sw.id}")
    assert "ses sessions ont été fermées" in admin.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, sw.id).structure_id == world.other.id
    assert worker.get("/persons/").status_code == 302  # the old session ended
    assert factories.login(worker, "sw@example.fr").status_code == 302
    assert worker.get(f"/persons/{theirs.id}").status_code == 200  # the new structure's files
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user_changed")).one()
    assert entry.fields == ["structure"] and entry.user_email == "admin@example.fr"


def test_nothing_changed_writes_nothing(admin, world):
    sw = world.users.social_worker
    epoch = sw.session_epoch
    response = post(admin, f"/admin/users/{sw.id}/edit",
                    {"role": "social_worker", "structure": str(world.agir.id), "department": ""})
    assert "Aucune modification" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert count(AuditEntry, AuditEntry.action == "user_changed") == 0
    assert db.session.get(User, sw.id).session_epoch == epoch


@pytest.mark.parametrize("data, message", [
    ({"role": "pilot", "structure": "", "department": ""}, "Un pilote est rattaché à un département."),
    ({"role": "referral_officer", "structure": "", "department": ""}, "Ce rôle exige une structure"),
    ({"role": "admin", "structure": "", "department": ""}, "Valeur non autorisée"),
    ({"role": "social_worker", "structure": "99999", "department": ""}, "Valeur non autorisée"),
])
def test_a_wrong_attachment_is_refused_next_to_the_field_and_nothing_changes(admin, world, data, message):
    sw = world.users.social_worker
    response = post(admin, f"/admin/users/{sw.id}/edit", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "fr-error-text" in html
    assert count(User, User.id == sw.id, User.role == "social_worker", User.structure_id == world.agir.id) == 1


def test_a_social_worker_becomes_the_pilot_of_a_department(admin, world):
    sw = world.users.social_worker
    post(admin, f"/admin/users/{sw.id}/edit",
         {"role": "pilot", "structure": "", "department": str(world.department.id)})
    db.session.expire_all()
    user = db.session.get(User, sw.id)
    assert (user.role, user.structure_id, user.department_id) == ("pilot", None, world.department.id)


def test_administrator_accounts_are_not_edited_in_the_web_space(admin, world):
    me = world.users.admin
    response = admin.get(f"/admin/users/{me.id}/edit")
    assert response.status_code == 302
    assert "se gèrent sur le serveur" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Modifier le rôle ou le rattachement" not in admin.get(f"/admin/users/{me.id}").get_data(as_text=True)


def test_a_social_worker_moves_to_a_structure_of_another_department(admin, world):
    elsewhere = factories.make_department("75", "Paris")
    structure = factories.make_structure(elsewhere, ref="S-PARIS")
    db.session.commit()
    sw = world.users.social_worker
    form = admin.get(f"/admin/users/{sw.id}/edit").get_data(as_text=True)
    department_select = form.split('name="department"', 1)[1].split("</select>", 1)[0]
    assert '<option selected value="">' in department_select  # derived from the structure, not offered
    post(admin, f"/admin/users/{sw.id}/edit", {"role": "social_worker", "structure": str(structure.id),
                                               "department": ""})
    db.session.expire_all()
    assert db.session.get(User, sw.id).department_id == elsewhere.id
