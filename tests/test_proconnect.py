"""ProConnect sign-in (issue 20) against a real OpenID Connect provider served by the test (tests/oidc_provider.py):
the whole flow, then each refusal — wrong signature, replayed state, wrong nonce, expired token, unknown e-mail,
wrong issuer or audience, insufficient acr — with its French page and its audit entry."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from agir.extensions import db
from models import AuditEntry, User
from tests import factories
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture
def provider():
    p = Provider()
    p.start()
    yield p
    p.stop()


@pytest.fixture
def proconnect(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setitem(app.config, "PROCONNECT_DISCOVERY_URL", provider.discovery_url)
    return provider


def go_to_provider(client, next_url=None):
    """The button: the app sends the browser to the provider's authorize endpoint."""
    response = client.get("/login/proconnect" + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def back_from_provider(authorize_url):
    """The provider (real HTTP) answers with a redirect to the app's callback: its path and query."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    target = urlsplit(answer.headers["Location"])
    return f"{target.path}?{target.query}"


def sign_in(client, next_url=None):
    return client.get(back_from_provider(go_to_provider(client, next_url)))


def audit(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def signed_in_as(client):
    page = client.get("/account")
    return page.status_code == 200 and page.get_data(as_text=True)


def test_the_authorization_request_carries_pkce_state_nonce_and_acr(client, world, proconnect):
    query = parse_qs(urlsplit(go_to_provider(client)).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["state"][0] and query["nonce"][0] and query["acr_values"] == ["eidas1"]
    assert query["scope"] == ["openid email given_name usual_name"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == ["http://localhost/login/proconnect/callback"]


def test_an_existing_account_signs_in_by_its_verified_email(client, world, proconnect):
    proconnect.identity["email"] = "Pilot@Example.FR"  # any case
    response = sign_in(client, next_url="/pilot/")
    assert response.status_code == 302 and response.headers["Location"] == "/pilot/"
    page = signed_in_as(client)
    assert page and "pilot@example.fr" in page
    # the provider is never asked for a role, and no second factor is asked on top of ProConnect
    assert client.get("/pilot/").status_code == 200
    db.session.expire_all()
    pilot = db.session.get(User, world.users.pilot.id)
    assert pilot.role == "pilot" and pilot.oidc_subject == "pc-sub-0001"
    entry = audit("login")[-1]
    assert entry.user_email == "pilot@example.fr" and entry.detail == "ProConnect (eidas1)"
    assert {"/.well-known/openid-configuration", "/token", "/jwks", "/userinfo"} <= set(proconnect.requests)


def test_logout_ends_the_session_at_the_provider_too(client, world, proconnect):
    sign_in(client)
    token = factories.csrf_token(client, "/account")
    response = client.post("/logout", data={"csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'http-equiv="refresh"' in page
    href = re.search(r'data-testid="proconnect-logout"', page) and re.search(
        r'<a class="fr-btn" href="([^"]+)" data-testid="proconnect-logout"', page).group(1)
    location = urlsplit(html.unescape(href))
    assert f"{location.scheme}://{location.netloc}" == proconnect.base and location.path == "/session/end"
    query = parse_qs(location.query)
    assert query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert not signed_in_as(client)
    assert audit("logout")[-1].detail == "ProConnect aussi"


def refused(response, code, text):
    page = response.get_data(as_text=True)
    assert response.status_code == 403, page
    assert f'data-code="{code}"' in page and text in page and "Connexion avec ProConnect refusée" in page
    return page


def test_an_unknown_email_is_refused_and_no_account_is_created(client, world, proconnect):
    proconnect.identity["email"] = "inconnue@ddets.gouv.fr"
    before = db.session.scalar(select(func.count()).select_from(User))
    refused(sign_in(client), "unknown_account", "Aucun compte AGIR actif n’est ouvert à l’adresse inconnue@ddets")
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert not signed_in_as(client)
    assert audit("proconnect_refused")[-1].detail == "unknown_account inconnue@ddets.gouv.fr"


def test_a_disabled_account_is_refused(client, world, proconnect):
    world.users.pilot.is_enabled = False
    db.session.commit()
    refused(sign_in(client), "unknown_account", "Aucun compte AGIR actif")


def test_a_replayed_state_is_refused(client, app, world, proconnect):
    callback = back_from_provider(go_to_provider(client))
    assert client.get(callback).status_code == 302
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    refused(client.get(callback), "state", "déjà été utilisée")
    other = app.test_client()  # the answer carried to another browser: no request of its own
    refused(other.get(callback), "state", "déjà été utilisée")
    assert not signed_in_as(other)


def test_a_state_from_another_request_is_refused(client, world, proconnect):
    url = go_to_provider(client)
    callback = back_from_provider(url)
    path, query = callback.split("?")
    params = parse_qs(query)
    refused(client.get(f"{path}?code={params['code'][0]}&state=forged"), "state", "déjà été utilisée")


@pytest.mark.parametrize("mode, code, text", [
    ("signature", "signature", "n’est pas signé par ProConnect"),
    ("nonce", "nonce", "(nonce)"),
    ("expired", "expired", "a expiré"),
    ("issuer", "issuer", "ne vient pas du fournisseur attendu"),
    ("audience", "audience", "n’est pas destiné à AGIR"),
    ("acr", "acr", "niveau d’authentification indiqué par ProConnect est insuffisant"),
])
def test_a_wrong_id_token_is_refused(client, world, proconnect, mode, code, text):
    proconnect.misbehave = mode
    refused(sign_in(client), code, text)
    assert not signed_in_as(client)
    assert audit("proconnect_refused")[-1].detail == code
    db.session.expire_all()
    assert db.session.get(User, world.users.pilot.id).oidc_subject is None


def test_an_account_linked_to_another_identity_is_refused(client, world, proconnect):
    world.users.pilot.oidc_subject = "someone-else"
    db.session.commit()
    refused(sign_in(client), "other_subject", "déjà lié à une autre identité ProConnect")


def test_off_by_default_the_login_page_has_no_button_and_the_route_says_so(client, world):
    assert "ProConnect" not in client.get("/login").get_data(as_text=True)
    response = client.get("/login/proconnect")
    assert response.status_code == 404
    assert "La connexion avec ProConnect n’est pas configurée" in response.get_data(as_text=True)


def test_configured_the_login_page_offers_the_button(client, proconnect):
    page = client.get("/login").get_data(as_text=True)
    assert 'data-testid="proconnect"' in page and "S’identifier avec" in page


def test_the_provider_unreachable_is_a_clear_page(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setitem(app.config, "PROCONNECT_DISCOVERY_URL", "http://127.0.0.1:9/.well-known/openid-configuration")
    response = client.get("/login/proconnect")
    assert response.status_code == 503 and "ProConnect ne répond pas" in response.get_data(as_text=True)


def test_the_administrator_sees_whether_proconnect_is_configured(client, app, world, monkeypatch):
    factories.login(client, "admin@example.fr")
    page = client.get("/admin/").get_data(as_text=True)
    assert "ProConnect n’est pas configuré" in page
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setitem(app.config, "PROCONNECT_DISCOVERY_URL", "http://127.0.0.1:9/unused")
    assert "ProConnect n’est pas configuré" not in client.get("/admin/").get_data(as_text=True)


def test_an_account_with_a_provisional_password_uses_proconnect_without_changing_it(client, world, proconnect):
    """A provisional password (admin space): ProConnect authenticates the account; « Mon compte » does not hold it."""
    from agir.operations.users import reset_password
    reset_password(None, world.users.social_worker)
    db.session.commit()
    proconnect.identity["email"] = "sw@example.fr"
    assert sign_in(client).status_code == 302
    assert client.get("/persons/").status_code == 200


def test_an_email_the_provider_has_not_verified_is_refused(client, world, proconnect):
    proconnect.identity["email_verified"] = False
    refused(sign_in(client), "userinfo", "n’a pas transmis votre adresse électronique vérifiée")
    assert not signed_in_as(client)


def test_a_wrong_pkce_verifier_gets_no_token(client, world, proconnect):
    """The provider checks PKCE: a code exchanged with another verifier is refused (« n’a pas délivré de jeton »)."""
    callback = back_from_provider(go_to_provider(client))
    with client.session_transaction() as session:
        pending = dict(session["proconnect_pending"])
        pending["verifier"] = "x" * 64
        session["proconnect_pending"] = pending
    refused(client.get(callback), "token", "n’a pas délivré de jeton")
