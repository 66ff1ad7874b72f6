"""Login, logout, throttling, open redirects, headers, cookies and the "Mon compte" page, through real forms."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from agir.extensions import db
from agir.operations.users import verify_password
from models import AuditEntry, LoginThrottle, User
from models.base import utcnow
from tests import factories

FAILED = "Adresse électronique ou mot de passe incorrect."
NEW = "another long passphrase"


def post_login(client, email, password, ip="192.0.2.1", next_url=None):
    token = factories.csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"email": email, "password": password, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": ip})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):  # issue 20
        factories.forget_last_totp_step(email)
        token = factories.csrf_token(client, "/login/code")
        response = client.post("/login/code", data={"code": factories.totp_code(), "csrf_token": token},
                               environ_base={"REMOTE_ADDR": ip})
    return response


def audit_actions():
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def without_token(html: str) -> str:
    return re.sub(r'value="[^"]*"', "", html)


# Login and logout -------------------------------------------------------------------------------------------

def test_login_redirects_to_the_role_space_and_is_audited(client, world):
    response = post_login(client, "sw@example.fr", factories.PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").headers["Location"].endswith("/persons/")
    assert "login" in audit_actions()


def test_failed_logins_are_audited_without_the_password(client, world):
    post_login(client, "sw@example.fr", "wrong password 123")
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).one()
    assert entry.ip == "192.0.2.1" and "wrong password 123" not in (entry.detail or "")


def test_a_disabled_account_gets_the_same_message_as_a_wrong_password(client, world):
    world.users.social_worker.is_enabled = False
    db.session.commit()
    response = post_login(client, "sw@example.fr", factories.PASSWORD)
    assert response.status_code == 200 and FAILED in response.get_data(as_text=True)


def test_logout_is_post_only_and_ends_the_session(client, world):
    post_login(client, "sw@example.fr", factories.PASSWORD)
    assert client.get("/logout").status_code == 405
    token = factories.csrf_token(client, "/account")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302
    assert "logout" in audit_actions()


@pytest.mark.parametrize("target", [
    "https://evil.example", "https://evil.example/login", "//evil.example", "/\\evil.example", "\\\\evil.example",
    "http:evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x", "evil.example",
])
def test_no_redirect_to_another_site_after_login(client, world, target):
    response = post_login(client, "sw@example.fr", factories.PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_local_next_page_is_followed_after_login(client, world):
    response = post_login(client, "sw@example.fr", factories.PASSWORD, next_url="/account")
    assert response.headers["Location"] == "/account"


# Throttling -------------------------------------------------------------------------------------------------

def fail_n_times(client, email, n, ip_prefix="198.51.100."):
    """n failures for one account from one address (issue 13: the account is locked from that address only)."""
    return [post_login(client, email, "not the password", ip=f"{ip_prefix}1") for _ in range(n)]


@pytest.mark.parametrize("email", ["sw@example.fr", "nobody@example.fr"])
def test_after_max_failures_for_an_email_the_next_attempt_is_429(client, world, app, email):
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert limit == 5
    for response in fail_n_times(client, email, limit):
        assert response.status_code == 200 and FAILED in response.get_data(as_text=True)
    locked = post_login(client, email, factories.PASSWORD, ip="198.51.100.1")  # even the right password
    assert locked.status_code == 429
    # from another address the account is not locked (an attacker cannot lock the real user out)
    assert post_login(client, email, "still not it", ip="203.0.113.9").status_code == 200
    html = locked.get_data(as_text=True)
    assert "Trop de tentatives" in html and 'lang="fr"' in html
    assert int(locked.headers["Retry-After"]) == app.config["LOGIN_LOCK_MINUTES"] * 60
    assert "login_throttled" in audit_actions()


def test_unknown_account_and_wrong_password_behave_the_same_when_throttled(client, world, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    known = [r.status_code for r in fail_n_times(client, "sw@example.fr", limit + 1, "198.51.100.")]
    unknown = [r.status_code for r in fail_n_times(client, "ghost@example.fr", limit + 1, "198.51.101.")]
    assert known == unknown == [200] * limit + [429]
    a = post_login(client, "sw@example.fr", "x" * 12, ip="198.51.100.1").get_data(as_text=True)
    b = post_login(client, "ghost@example.fr", "x" * 12, ip="198.51.101.1").get_data(as_text=True)
    assert without_token(a).replace("sw@example.fr", "E") == without_token(b).replace("ghost@example.fr", "E")


def test_a_successful_login_resets_the_email_counter(client, world, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    fail_n_times(client, "sw@example.fr", limit - 1, "198.51.100.")
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="203.0.113.1").status_code == 302
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    responses = fail_n_times(client, "sw@example.fr", limit - 1, "198.51.102.")
    assert [r.status_code for r in responses] == [200] * (limit - 1)
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="203.0.113.2").status_code == 302


def test_max_failures_from_one_address_lock_that_address_for_every_account(client, world, app):
    limit = app.config["LOGIN_MAX_FAILURES_PER_IP"]  # a ceiling per address, above the one per account
    for i in range(limit):
        assert post_login(client, f"user{i}@example.fr", "nope nope nope", ip="192.0.2.50").status_code == 200
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="192.0.2.50").status_code == 429
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="192.0.2.51").status_code == 302


def test_the_lock_ends_after_the_window(client, world, app):
    fail_n_times(client, "sw@example.fr", app.config["LOGIN_MAX_FAILURES"])
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="198.51.100.1").status_code == 429
    past = utcnow() - timedelta(minutes=1)
    db.session.execute(update(LoginThrottle).values(locked_until=past, first_failure_at=past - timedelta(hours=1)))
    db.session.commit()
    assert post_login(client, "sw@example.fr", factories.PASSWORD, ip="198.51.100.1").status_code == 302


# Headers, cookies, CSRF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/login", "/nowhere", "/healthz"])
def test_security_headers_on_every_kind_of_answer(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
        "script-src")[1].split(";")[0]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_hsts_only_when_cookies_are_https_only(client, app, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_of_a_signed_in_user_are_not_cached(client, world):
    post_login(client, "admin@example.fr", factories.PASSWORD)
    response = client.get("/admin/")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = post_login(client, "sw@example.fr", factories.PASSWORD)
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


def test_login_without_csrf_token_is_400_and_counts_nothing(client, world):
    response = client.post("/login", data={"email": "sw@example.fr", "password": "wrong"})
    assert response.status_code == 400
    assert "jeton CSRF" in response.get_data(as_text=True)
    assert db.session.scalar(select(LoginThrottle.key)) is None


@pytest.mark.parametrize("url", ["/logout", "/account/password", "/account/preferences"])
def test_account_forms_without_csrf_token_are_400(client, world, url):
    post_login(client, "sw@example.fr", factories.PASSWORD)
    assert client.post(url, data={"wants_digest": "y", "current_password": factories.PASSWORD}).status_code == 400
    assert client.get("/account").status_code == 200  # still signed in: nothing happened


# Mon compte -------------------------------------------------------------------------------------------------

def change_password(client, current, new, confirmation=None):
    token = factories.csrf_token(client, "/account")
    return client.post("/account/password", data={
        "csrf_token": token, "current_password": current, "new_password": new,
        "confirmation": new if confirmation is None else confirmation})


@pytest.mark.parametrize("role_email", ["sw@example.fr", "ro@example.fr", "pilot@example.fr", "admin@example.fr"])
def test_every_role_has_a_french_account_page(client, world, role_email):
    post_login(client, role_email, factories.PASSWORD)
    html = client.get("/account").get_data(as_text=True)
    assert "Mon compte" in html and "Changer mon mot de passe" in html and role_email in html


@pytest.mark.parametrize("current, new, confirmation, message", [
    ("not the password", NEW, NEW, "Le mot de passe actuel est incorrect."),
    (factories.PASSWORD, "too short", "too short", "au moins 12 caractères"),
    (factories.PASSWORD, NEW, NEW + "x", "La confirmation ne correspond pas"),
    (factories.PASSWORD, factories.PASSWORD, factories.PASSWORD, "différent de l&#39;actuel"),
])
def test_password_change_errors_are_shown_next_to_the_field(client, world, current, new, confirmation, message):
    post_login(client, "sw@example.fr", factories.PASSWORD)
    response = change_password(client, current, new, confirmation)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and "fr-error-text" in html
    db.session.expire_all()
    assert verify_password(db.session.get(User, world.users.social_worker.id).password_hash, factories.PASSWORD)


def test_password_change_keeps_this_session_and_the_new_password_works(client, world, app):
    post_login(client, "sw@example.fr", factories.PASSWORD)
    response = change_password(client, factories.PASSWORD, NEW)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    other = app.test_client()
    assert post_login(other, "sw@example.fr", factories.PASSWORD).status_code == 200
    assert post_login(other, "sw@example.fr", NEW).status_code == 302
    assert "password_changed" in audit_actions()


def test_digest_opt_in_and_out(client, world):
    post_login(client, "ro@example.fr", factories.PASSWORD)
    token = factories.csrf_token(client, "/account")
    assert client.post("/account/preferences", data={"csrf_token": token, "wants_digest": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, world.users.referral_officer.id).wants_digest is True
    assert 'checked' in client.get("/account").get_data(as_text=True)
    client.post("/account/preferences", data={"csrf_token": factories.csrf_token(client, "/account")})
    db.session.expire_all()
    assert db.session.get(User, world.users.referral_officer.id).wants_digest is False


def test_account_page_needs_login(client):
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
