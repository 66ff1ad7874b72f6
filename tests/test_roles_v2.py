"""Regional and national pilots (issue 15, item 5): `create-user`, access (aggregates only), the admin space,
the landing page, the database's CHECK and the migration's refusal to go down over their rows."""
import re
from html import unescape

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from agir import access
from agir.extensions import db
from models import AuditEntry, User
from tests import factories

PASSWORD = "a-long-enough-password"
PASSWORD_RE = re.compile(r'data-testid="provisional-password">([^<]+)<')


def create(runner, *args):
    return runner.invoke(args=["agir", "create-user", *args, "--password-stdin"], input=PASSWORD + "\n")


def stored(email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def users_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


@pytest.fixture
def reference(app_ctx):
    gironde = factories.make_department()  # region 75 Nouvelle-Aquitaine
    factories.make_structure(gironde, "agir_operator", ref="S1")
    factories.make_department(code="69", name="Rhône")  # region 84
    db.session.commit()
    return gironde


# ---------------------------------------------------------------- create-user

def test_create_a_regional_pilot_attached_to_its_region(runner, reference):
    result = create(runner, "dreets@example.fr", "--role", "regional_pilot", "--region", "75")
    assert result.exit_code == 0, result.output
    user = stored("dreets@example.fr")
    assert (user.role, user.region.code, user.region.name) == ("regional_pilot", "75", "Nouvelle-Aquitaine")
    assert user.structure_id is None and user.department_id is None


def test_a_region_without_a_department_yet_is_accepted(runner, reference):
    """The 18 INSEE regions exist whatever departments were entered (migration 0011 seeds them)."""
    result = create(runner, "corse@example.fr", "--role", "regional_pilot", "--region", "94")
    assert result.exit_code == 0, result.output
    assert stored("corse@example.fr").region.name == "Corse"


def test_create_a_national_pilot_attached_to_nothing(runner, reference):
    result = create(runner, "dgef@example.fr", "--role", "national_pilot")
    assert result.exit_code == 0, result.output
    user = stored("dgef@example.fr")
    assert user.role == "national_pilot"
    assert (user.structure_id, user.department_id, user.region_id) == (None, None, None)


@pytest.mark.parametrize("args, message", [
    (("--role", "regional_pilot"), "Un pilote régional est rattaché à une région (--region CODE)."),
    (("--role", "regional_pilot", "--region", "99"), "Région inconnue : 99"),
    (("--role", "regional_pilot", "--region", "33"), "Région inconnue : 33"),  # a department code is not one
    (("--role", "regional_pilot", "--region", "75", "--department", "33"),
     "Un pilote régional ou national n'est rattaché à aucun département."),
    (("--role", "national_pilot", "--region", "75"), "Seul un pilote régional est rattaché à une région."),
    (("--role", "national_pilot", "--department", "33"),
     "Un pilote régional ou national n'est rattaché à aucun département."),
    (("--role", "national_pilot", "--structure", "S1"),
     "Un pilote régional ou national n'est rattaché à aucune structure."),
    (("--role", "pilot", "--department", "33", "--region", "75"), "Seul un pilote régional est rattaché à une région."),
    (("--role", "social_worker", "--structure", "S1", "--region", "75"),
     "Seul un pilote régional est rattaché à une région."),
    (("--role", "admin", "--region", "75"), "Seul un pilote régional est rattaché à une région."),
])
def test_create_user_refuses_a_wrong_region_with_a_french_message_and_writes_nothing(runner, reference, args,
                                                                                     message):
    before = users_count()
    result = create(runner, "someone@example.fr", *args)
    assert result.exit_code == 1
    assert f"Erreur : {message.rstrip('.')}" in result.output  # then the option's hint: « (--region) ».
    assert users_count() == before


# ---------------------------------------------------------------- the database

def test_the_role_check_of_users_and_audit_accepts_the_two_roles_and_nothing_else(app_ctx, world):
    assert world.users.regional_pilot.role == "regional_pilot"  # written through the CHECK
    db.session.add(AuditEntry(action="login", role="national_pilot", user_id=world.users.national_pilot.id))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE users SET role = 'supervisor' WHERE id = :id"),
                           {"id": world.users.national_pilot.id})
        db.session.flush()
    db.session.rollback()


# ---------------------------------------------------------------- access

def signed_in(app, email):
    client = app.test_client()
    assert factories.login(client, email).status_code == 302
    return client


@pytest.mark.parametrize("email", ["regional@example.fr", "national@example.fr"])
def test_they_land_on_their_scope_page_after_login(app, world, email):
    client = signed_in(app, email)
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/pilot/scope")
    page = client.get("/pilot/scope", follow_redirects=True)  # the comparison of their departments (issue 19)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Les départements côte à côte" in html and "33 — Gironde" in html
    assert ">Mon périmètre</a>" in html


def test_the_regional_pilot_sees_the_departments_of_its_region_only(app, world):
    factories.make_department(code="69", name="Rhône")
    factories.make_department(code="86", name="Vienne")
    db.session.commit()
    regional = signed_in(app, "regional@example.fr").get("/pilot/scope", follow_redirects=True).get_data(as_text=True)
    assert "Pilotage régional — 75 Nouvelle-Aquitaine" in regional
    assert "33 — Gironde" in regional and "86 — Vienne" in regional and "Rhône" not in regional
    national = signed_in(app, "national@example.fr").get("/pilot/scope", follow_redirects=True).get_data(as_text=True)
    assert "Pilotage national" in national
    assert all(name in national for name in ("33 — Gironde", "86 — Vienne", "69 — Rhône", "84 — Auvergne"))


def test_the_scope_page_in_english(app, world):
    client = signed_in(app, "national@example.fr")
    token = factories.csrf_token(client, "/pilot/compare")
    client.post("/langue", data={"locale": "en", "csrf_token": token})
    page = client.get("/pilot/scope", follow_redirects=True).get_data(as_text=True)
    assert "National steering" in page and "Pilotage national" not in page


@pytest.mark.parametrize("email", ["regional@example.fr", "national@example.fr"])
def test_no_person_file_and_no_other_space(app, world, email):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    client = signed_in(app, email)
    assert client.get(f"/persons/{person.id}").status_code in (403, 404)
    for url in ("/persons/", "/referrals/", "/pilot/", "/alerts/", "/admin/", "/admin/users/"):
        assert client.get(url).status_code == 403, url


def test_the_access_predicates_of_the_two_roles(world):
    for user in (world.users.regional_pilot, world.users.national_pilot):
        assert access.sees_scope(user)
        assert not (access.holds_files(user) or access.sees_aggregates(user) or access.sees_alerts(user)
                    or access.can_refer(user) or access.is_admin(user) or access.reads_catalogue(user))
        assert db.session.scalars(access.persons_visible_to(user)).all() == []
        assert db.session.scalars(access.persons_referred_to(user)).all() == []


# ---------------------------------------------------------------- the admin space

@pytest.fixture
def admin(client, world):
    assert factories.login(client, "admin@example.fr").status_code == 302
    return client


def post(client, url, data, form_url=None):
    return client.post(url, data=dict(data, csrf_token=factories.csrf_token(client, form_url or url)))


def region_id(code):
    from models import Region
    return db.session.scalar(select(Region.id).where(Region.code == code))


def test_the_admin_creates_a_regional_pilot_with_the_region_select(admin, world):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    assert 'value="regional_pilot"' in page and 'value="national_pilot"' in page
    assert "75 — Nouvelle-Aquitaine" in page
    response = post(admin, "/admin/users/new", {"email": "dreets.na@example.fr", "role": "regional_pilot",
                                                "structure": "", "department": "", "region": str(region_id("75"))})
    assert response.status_code == 200
    assert PASSWORD_RE.search(response.get_data(as_text=True))
    user = stored("dreets.na@example.fr")
    assert (user.role, user.region.code) == ("regional_pilot", "75")
    shown = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Pilote régional" in shown and "75 — Nouvelle-Aquitaine" in shown


def test_the_admin_creates_a_national_pilot(admin, world):
    response = post(admin, "/admin/users/new", {"email": "dgef.2@example.fr", "role": "national_pilot",
                                                "structure": "", "department": "", "region": ""})
    assert response.status_code == 200 and PASSWORD_RE.search(response.get_data(as_text=True))
    assert stored("dgef.2@example.fr").role == "national_pilot"


@pytest.mark.parametrize("data, message", [
    ({"role": "regional_pilot", "region": ""}, "Un pilote régional est rattaché à une région."),
    ({"role": "national_pilot", "region": "75"}, "Seul un pilote régional est rattaché à une région."),
    ({"role": "pilot", "department": "dep", "region": "75"}, "Seul un pilote régional est rattaché à une région."),
    ({"role": "regional_pilot", "region": "9999"}, "Valeur non autorisée"),
])
def test_the_admin_form_refuses_a_wrong_region_next_to_the_field(admin, world, data, message):
    values = {"email": "wrong@example.fr", "structure": "", "department": "", **data}
    if values.get("region") == "75":
        values["region"] = str(region_id("75"))
    if values.get("department") == "dep":
        values["department"] = str(world.department.id)
    before = users_count()
    response = post(admin, "/admin/users/new", values)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html and not PASSWORD_RE.search(html)
    assert users_count() == before


def test_the_admin_moves_a_pilot_to_a_region_and_back(admin, world):
    pilot = world.users.pilot
    url = f"/admin/users/{pilot.id}/edit"
    response = post(admin, url, {"role": "regional_pilot", "structure": "", "department": "",
                                 "region": str(region_id("75")), "display_name": ""})
    assert response.status_code == 302
    user = stored("pilot@example.fr")
    assert (user.role, user.region.code, user.department_id) == ("regional_pilot", "75", None)
    rid = region_id("75")
    assert re.search(rf'<option (selected value="{rid}"|value="{rid}" selected)', admin.get(url).get_data(as_text=True))
    response = post(admin, url, {"role": "pilot", "structure": "", "department": str(world.department.id),
                                 "region": "", "display_name": ""})
    assert response.status_code == 302
    user = stored("pilot@example.fr")
    assert (user.role, user.region_id, user.department.code) == ("pilot", None, "33")
    changes = db.session.scalars(select(AuditEntry.fields).where(AuditEntry.action == "user_changed")).all()
    assert any("region" in (fields or "") for fields in changes)


# ---------------------------------------------------------------- migration 0012

@pytest.fixture
def migrated():
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine

    from tests.test_migrations import _fresh_url, app_on

    url = _fresh_url()
    application = app_on(url)
    with application.app_context():
        upgrade(revision="0012")
    engine = create_engine(url)
    yield application, engine
    engine.dispose()
    with application.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def _roles(engine):
    with engine.connect() as conn:
        return sorted(conn.execute(text("SELECT role FROM users")).scalars())


def test_migration_0012_takes_the_two_roles_and_goes_down_only_without_them(migrated, capfd):
    from flask_migrate import downgrade, upgrade
    application, engine = migrated
    with engine.begin() as conn:
        region = conn.execute(text("SELECT id FROM regions WHERE code = '75'")).scalar()
        conn.execute(text("INSERT INTO users (email, password_hash, role, region_id, is_enabled, session_epoch, "
                          "wants_digest, created_at) VALUES ('r@example.fr', 'x', 'regional_pilot', :region, "
                          ":yes, 0, :no, CURRENT_TIMESTAMP)"), {"region": region, "yes": True, "no": False})
    with pytest.raises(IntegrityError), engine.begin() as conn:  # the CHECK still refuses anything else
        conn.execute(text("UPDATE users SET role = 'supervisor'"))
    with application.app_context(), pytest.raises(SystemExit):  # flask_migrate logs the error and exits 1
        downgrade(revision="0011")
    assert "Retour à la révision 0011 impossible : 1 ligne(s) de users" in capfd.readouterr().err
    assert _roles(engine) == ["regional_pilot"]  # nothing changed
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'pilot', region_id = NULL"))
    with application.app_context():
        downgrade(revision="0011")
        assert "region_id" not in {c["name"] for c in inspect_columns(engine, "users")}
        upgrade(revision="0012")
    assert _roles(engine) == ["pilot"]


def inspect_columns(engine, table):
    from sqlalchemy import inspect
    return inspect(engine).get_columns(table)


def test_every_wrong_attachment_is_reported_at_once(runner, reference):
    result = create(runner, "all@example.fr", "--role", "regional_pilot", "--structure", "S1", "--department", "33")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Erreur : Un pilote régional ou national n'est rattaché à aucune structure (--structure).",
        "Erreur : Un pilote régional ou national n'est rattaché à aucun département (--department).",
        "Erreur : Un pilote régional est rattaché à une région (--region CODE).",
    ]
    assert stored("all@example.fr") is None


def test_the_admin_form_shows_every_wrong_attachment_next_to_its_field(admin, world):
    response = post(admin, "/admin/users/new", {"email": "both@example.fr", "role": "national_pilot",
                                                "structure": str(world.agir.id), "department": "",
                                                "region": str(region_id("75"))})
    html = unescape(response.get_data(as_text=True))
    assert "Un pilote régional ou national n'est rattaché à aucune structure." in html
    assert "Seul un pilote régional est rattaché à une région." in html
    assert stored("both@example.fr") is None


def test_the_accounts_list_shows_a_regional_pilots_region(admin, world):
    page = admin.get("/admin/users/?role=regional_pilot").get_data(as_text=True)
    assert "regional@example.fr" in page and "Région 75 — Nouvelle-Aquitaine" in page
    assert "Pilote national" in admin.get("/admin/").get_data(as_text=True)
