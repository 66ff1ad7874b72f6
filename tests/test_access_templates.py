"""Templates ask agir/access.py what a user may do, never compare role names (issue 13, item 4).

The predicates' table is written here once; the navigation each role sees is rendered through the
real pages and agrees with the roles the views accept (role_required).
"""
import re
from pathlib import Path

import pytest

from agir import access
from models.enums import ROLES, Role
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot in\b)|['\"](" + "|".join(ROLES) + r")['\"]")

# predicate: the roles for which it holds.
TABLE = {
    "holds_files": {"social_worker"},
    "can_edit_file": {"social_worker"},
    "can_edit_catalogue": {"referral_officer", "admin"},
    "reads_catalogue": {"social_worker", "referral_officer", "admin"},
    "can_refer": {"social_worker", "referral_officer"},
    "answers_for_programmes": {"referral_officer"},
    "sees_alerts": {"social_worker", "referral_officer"},
    "sees_aggregates": {"pilot"},
    "is_admin": {"admin"},
    "sees_all_departments": {"admin"},
    "may_receive_digest": {"social_worker", "referral_officer", "pilot"},
    "sees_scope": {"regional_pilot", "national_pilot"},
}
# Navigation: label, endpoint, predicate (as templates/base.html lists them).
NAV = [("Mes personnes", "persons.index", "holds_files"), ("Alertes", "alerts.index", "sees_alerts"),
       ("Orientations", "referrals.index", "can_refer"), ("Programmes", "referrals.programmes", "reads_catalogue"),
       ("Tableau de bord", "pilot.index", "sees_aggregates"), ("Mon périmètre", "pilot.scope", "sees_scope"),
       ("Administration", "admin.index", "is_admin")]
EMAILS = {"social_worker": "sw@example.fr", "referral_officer": "ro@example.fr", "pilot": "pilot@example.fr",
          "admin": "admin@example.fr", "regional_pilot": "regional@example.fr", "national_pilot": "national@example.fr"}


class _User:
    def __init__(self, role):
        self.role = role


def test_no_template_compares_role_names():
    found = [f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if ROLE_COMPARISON.search(line)]
    assert found == []


@pytest.mark.parametrize("predicate", sorted(TABLE))
def test_the_predicates_table(predicate):
    check = getattr(access, predicate)
    assert {role for role in ROLES if check(_User(role))} == TABLE[predicate]
    assert {role for role in Role if check(_User(Role(role)))} == TABLE[predicate]  # members as well as strings
    assert not check(None) and not check(_User(None))  # anonymous


def test_the_navigation_offers_exactly_the_pages_each_role_may_open(app):
    for _label, endpoint, predicate in NAV:
        view = app.view_functions[endpoint]
        assert set(view.allowed_roles) == TABLE[predicate], endpoint


def _nav(page: str) -> str:
    match = re.search(r'<nav class="fr-nav".*?</nav>', page, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_navigation_rendered(app, world, role):
    client = app.test_client()
    assert factories.login(client, EMAILS[role]).status_code == 302
    response = client.get("/", follow_redirects=True)
    assert response.status_code == 200
    nav = _nav(response.get_data(as_text=True))
    assert nav
    shown = {label for label, _, _ in NAV if f">{label}</a>" in nav}
    assert shown == {label for label, _, predicate in NAV if role in TABLE[predicate]}
    badge = 'id="alerts-badge"' in response.get_data(as_text=True)
    assert badge == (role in TABLE["sees_alerts"])


def test_an_admin_account_page_offers_no_role_change(app, world):
    from agir.extensions import db
    other_admin = factories.make_user("admin", email="admin2@example.fr")
    db.session.commit()
    client = app.test_client()
    factories.login(client, EMAILS["admin"])
    admin_page = client.get(f"/admin/users/{other_admin.id}").get_data(as_text=True)
    worker_page = client.get(f"/admin/users/{world.users.social_worker.id}").get_data(as_text=True)
    assert "Modifier le rôle ou le rattachement" not in admin_page
    assert "Modifier le rôle ou le rattachement" in worker_page


def test_no_view_compares_a_role_with_a_name():
    """The views ask agir/access.py too (role_required's declared tuples aside)."""
    views = Path(__file__).resolve().parents[1] / "blueprints"
    literal = re.compile(r"\.role\s*(==|!=)\s*['\"]")
    found = [f"{path.relative_to(views)}:{n}: {line.strip()}" for path in sorted(views.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert found == []
