"""Access inventory: every endpoint of app.url_map requires login and declares its roles; roles × URLs.

Adding a page without `blueprints._helpers.role_required` (which sets `allowed_roles`) makes this file
fail, unless the endpoint is in the short allow-list below. API endpoints may authenticate by token
instead: then an anonymous call must be refused (401/403), never answered.
"""
from datetime import date

import pytest
from flask import url_for
from werkzeug.routing.converters import AnyConverter, FloatConverter, IntegerConverter

from agir.extensions import db
from models import Note
from models.enums import ROLES
from tests import factories

# Open to anonymous visitors, or to any signed-in user (main.index sends each role to its space).
ALLOW_LIST = {"auth.login", "auth.logout", "main.healthz", "main.set_locale", "main.index", "static",
              # the steps of signing in (issue 20): the second factor's code, ProConnect's start and callback
              "auth.login_code", "auth.proconnect_start", "auth.proconnect_callback"}
# Reached by a secret in the URL instead of a login (a calendar application cannot sign in, issue 17): without
# the right secret the answer is 404, never the page (tests/test_calendar_feed.py checks the secret itself).
SECRET_URLS = {"agenda.feed"}
ROLE_EMAILS = {"social_worker": "sw@example.fr", "referral_officer": "ro@example.fr",
               "pilot": "pilot@example.fr", "admin": "admin@example.fr",
               "regional_pilot": "regional@example.fr", "national_pilot": "national@example.fr"}
# Values that a URL argument of this name accepts (so that a 404 is never the URL's fault).
KNOWN_VALUES = {"section": "jobs", "kind": "health_insurance"}


def routes(app):
    """(endpoint, method, rule) for every endpoint and method, HEAD/OPTIONS aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def build(app, rule, **given) -> str:
    """A URL for the rule with plausible values for its arguments."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if name in given:
            values[name] = given[name]
        elif isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, (IntegerConverter, FloatConverter)):
            values[name] = 1
        else:
            values[name] = KNOWN_VALUES.get(name, "x")
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def roles_of(app, endpoint):
    return getattr(app.view_functions[endpoint], "allowed_roles", None)


def is_api(endpoint: str) -> bool:
    return endpoint.startswith("api.")


@pytest.fixture
def no_csrf(app, monkeypatch):
    """Requests reach the access checks (CSRF is checked first and tested on its own below)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)


def signed_in_client(app, role):
    client = app.test_client()
    assert factories.login(client, ROLE_EMAILS[role]).status_code == 302
    return client


def unprotected(app) -> list[str]:
    """Endpoints that neither are allow-listed nor declare their roles through role_required."""
    offenders = []
    for endpoint, _method, rule in routes(app):
        if endpoint in ALLOW_LIST or endpoint in SECRET_URLS:
            continue
        roles = roles_of(app, endpoint)
        if roles is None and is_api(endpoint):
            continue  # token-authenticated: checked by behaviour in the next test
        if not roles or not set(roles) <= set(ROLES):
            offenders.append(f"{endpoint} ({rule.rule}): allowed_roles={roles!r}")
    return sorted(set(offenders))


def test_every_endpoint_requires_login_and_declares_its_roles(app):
    offenders = unprotected(app)
    assert not offenders, "Endpoints without login and an explicit role check:\n" + "\n".join(offenders)


def test_the_inventory_catches_a_page_without_role_check():
    from flask_login import login_required

    from agir.app import create_app
    from agir.config import TestConfig
    from blueprints._helpers import role_required

    other = create_app(TestConfig)
    other.add_url_rule("/forgotten", "forgotten", login_required(lambda: "x"))
    other.add_url_rule("/typo", "typo", role_required("superviser")(lambda: "x"))
    assert unprotected(other) == ["forgotten (/forgotten): allowed_roles=None",
                                  "typo (/typo): allowed_roles=('superviser',)"]


def test_anonymous_requests_are_sent_to_login_everywhere(app, no_csrf, world):
    offenders = []
    client = app.test_client()
    for endpoint, method, rule in routes(app):
        if endpoint in ALLOW_LIST:
            continue
        response = client.open(build(app, rule), method=method)
        if endpoint in SECRET_URLS:
            ok = response.status_code == 404
        elif is_api(endpoint) and roles_of(app, endpoint) is None:
            ok = response.status_code in (401, 403)
        else:
            ok = response.status_code == 302 and response.headers["Location"].startswith("/login")
        if not ok:
            offenders.append(f"{method} {rule.rule} → {response.status_code}")
    assert not offenders, "Reached without login:\n" + "\n".join(offenders)


def api_roles() -> tuple[str, ...]:
    """The roles the token-authenticated API serves (it checks them itself, by token or session)."""
    from agir.operations.api_tokens import TOKEN_ROLES
    return tuple(TOKEN_ROLES)


def test_every_role_not_listed_gets_403(app, no_csrf, world):
    offenders = []
    for role in ROLES:
        client = signed_in_client(app, role)
        for endpoint, method, rule in routes(app):
            roles = roles_of(app, endpoint)
            if roles is None and is_api(endpoint):
                roles = api_roles()
            if endpoint in ALLOW_LIST or roles is None or role in roles:
                continue
            status = client.open(build(app, rule), method=method).status_code
            if status != 403:
                offenders.append(f"{role}: {method} {rule.rule} → {status}")
    assert not offenders, "Roles not listed but not refused:\n" + "\n".join(offenders)


@pytest.mark.parametrize("role", ["pilot", "admin", "regional_pilot", "national_pilot"])
@pytest.mark.parametrize("url", ["/persons/", "/referrals/"])
def test_pilots_and_admins_get_403_on_nominative_lists(app, world, role, url):
    assert signed_in_client(app, role).get(url).status_code == 403


@pytest.mark.parametrize("url", ["/persons/", "/referrals/", "/pilot/", "/admin/", "/alerts/", "/account"])
def test_anonymous_visitors_are_redirected_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, url", [
    ("social_worker", "/admin/"), ("social_worker", "/pilot/"), ("referral_officer", "/admin/"),
    ("referral_officer", "/pilot/"), ("referral_officer", "/persons/"), ("pilot", "/admin/"), ("admin", "/pilot/"),
    ("regional_pilot", "/pilot/"), ("regional_pilot", "/admin/"), ("regional_pilot", "/alerts/"),
    ("national_pilot", "/pilot/"), ("national_pilot", "/admin/"), ("national_pilot", "/alerts/"),
    ("pilot", "/pilot/scope"), ("social_worker", "/pilot/scope"), ("admin", "/pilot/scope"),
])
def test_other_spaces_are_403(app, world, role, url):
    assert signed_in_client(app, role).get(url).status_code == 403


def test_every_post_without_csrf_token_is_400(app, world):
    csrf = app.extensions["csrf"]
    offenders = []
    clients = {}
    for endpoint, method, rule in routes(app):
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        view = app.view_functions[endpoint]
        blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views or blueprint in csrf._exempt_blueprints:
            continue  # token-authenticated API
        roles = roles_of(app, endpoint)
        role = roles[0] if roles else None
        if role and role not in clients:
            clients[role] = signed_in_client(app, role)
        client = clients[role] if role else app.test_client()
        status = client.open(build(app, rule), method=method, data={"x": "1"}).status_code
        if status != 400:
            offenders.append(f"{method} {rule.rule} as {role or 'anonymous'} → {status}")
    assert not offenders, "Forms accepted without a CSRF token:\n" + "\n".join(offenders)


def test_another_structures_social_worker_gets_404_on_every_part_of_a_file(app, no_csrf, world):
    person = factories.make_person(world.department, world.agir)
    accompaniment = factories.make_accompaniment(person, world.agir)
    note = Note(person=person, noted_on=date(2022, 9, 2), text="Entretien")
    db.session.add(note)
    db.session.commit()
    owner, stranger = app.test_client(), app.test_client()
    factories.login(owner, "sw@example.fr")
    factories.login(stranger, "sw-other@example.fr")
    assert owner.get(f"/persons/{person.id}").status_code == 200  # the file exists and is open to its holder
    given = {"person_id": person.id, "accompaniment_id": accompaniment.id, "note_id": note.id}
    offenders, checked = [], 0
    for endpoint, method, rule in routes(app):
        roles = roles_of(app, endpoint)
        if "person_id" not in rule.arguments or not roles or "social_worker" not in roles:
            continue
        checked += 1
        status = stranger.open(build(app, rule, **given), method=method).status_code
        if status not in (403, 404):
            offenders.append(f"{method} {rule.rule} → {status}")
    assert checked >= 5
    assert not offenders, "Parts of another structure's file reachable:\n" + "\n".join(offenders)


@pytest.mark.parametrize("role", ["pilot", "regional_pilot", "national_pilot"])
def test_pilots_never_reach_a_route_about_a_person(app, no_csrf, world, role):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    pilot = signed_in_client(app, role)
    offenders = []
    for _endpoint, method, rule in routes(app):
        if "person_id" not in rule.arguments:
            continue
        status = pilot.open(build(app, rule, person_id=person.id), method=method).status_code
        if status not in (403, 404):
            offenders.append(f"{method} {rule.rule} → {status}")
    assert not offenders, f"Nominative routes reachable by a {role}:\n" + "\n".join(offenders)
