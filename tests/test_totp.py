"""The second factor of password accounts (issue 20): enrolment, the code after the password, replay, throttling,
recovery codes, the rule that administrators and pilots enrol, and the administrator's reset."""
import re
import threading
import time

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from agir.extensions import db
from agir.operations import totp as totp_ops
from models import AuditEntry, TotpRecoveryCode, User
from tests import factories

IP = "192.0.2.20"


def post(client, url, data, ip=IP):
    token = factories.csrf_token(client, url)
    return client.post(url, data={**data, "csrf_token": token}, environ_base={"REMOTE_ADDR": ip})


def password_step(client, email, ip=IP, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    token = factories.csrf_token(client, "/login")
    return client.post(url, data={"email": email, "password": factories.PASSWORD, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": ip})


def code_step(client, code, ip=IP):
    return post(client, "/login/code", {"code": code}, ip)


def wrong_code(secret=factories.TOTP_SECRET) -> str:
    totp, now = pyotp.TOTP(secret), int(time.time() // 30)
    valid = {totp.generate_otp(s) for s in (now - 1, now, now + 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def actions(action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()  # in the order written (PostgreSQL has no default order)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_the_password_alone_opens_no_session_the_code_does(client, world):
    response = password_step(client, "pilot@example.fr", next_url="/pilot/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not signed_in(client)  # no session between the password and the code
    page = client.get("/login/code").get_data(as_text=True)
    assert "Double authentification" in page and 'autocomplete="one-time-code"' in page
    response = code_step(client, factories.totp_code())
    assert response.status_code == 302 and response.headers["Location"] == "/pilot/"
    assert signed_in(client)
    login = actions("login")[-1]
    assert login.user_email == "pilot@example.fr" and "code" in login.detail


def test_a_wrong_code_is_refused_next_to_the_field_and_audited(client, world):
    password_step(client, "admin@example.fr")
    response = code_step(client, wrong_code())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Code incorrect ou déjà utilisé" in page
    assert 'id="code-desc-error"' in page or "fr-error-text" in page
    assert not signed_in(client)
    assert "(code du second facteur)" in actions("login_failed")[-1].detail


def test_a_code_is_accepted_once(client, app, world):
    code = factories.totp_code()
    password_step(client, "pilot@example.fr")
    assert code_step(client, code).status_code == 302
    other = app.test_client()
    password_step(other, "pilot@example.fr")
    response = code_step(other, code)  # the same code, replayed within its 30 seconds
    assert response.status_code == 200 and "Code incorrect ou déjà utilisé" in response.get_data(as_text=True)
    assert not signed_in(other)


def test_wrong_codes_are_throttled_per_account_and_address(client, app, world):
    password_step(client, "national@example.fr")
    for _ in range(5):
        assert code_step(client, wrong_code()).status_code == 200
    response = code_step(client, factories.totp_code())  # even the right code: locked from this address
    assert response.status_code == 429 and response.headers["Retry-After"] == "900"
    assert "Trop de codes incorrects" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert actions("login_throttled")
    other = app.test_client()  # the holder, from another address, still signs in
    password_step(other, "national@example.fr", ip="198.51.100.7")
    factories.forget_last_totp_step("national@example.fr")
    assert code_step(other, factories.totp_code(), ip="198.51.100.7").status_code == 302


def test_the_limit_counts_every_browser_of_one_address(app, world):
    """The key is the account from the address, whatever the browser (agir.operations.throttle, like passwords)."""
    clients = [app.test_client() for _ in range(8)]
    for c in clients:
        password_step(c, "regional@example.fr")
    statuses = [code_step(c, wrong_code()).status_code for c in clients]
    assert statuses.count(200) == 5 and statuses.count(429) == 3


def enrol(client, email):
    """Sign in with the password (no second factor yet), land on the enrolment page, confirm a code."""
    response = password_step(client, email)
    assert response.status_code == 302
    response = client.get("/persons/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/totp")
    page = client.get("/account/totp").get_data(as_text=True)
    assert "<svg" in page and "Votre rôle donne accès" in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    bad = post(client, "/account/totp", {"code": wrong_code(secret)})
    assert bad.status_code == 200 and "Code incorrect" in bad.get_data(as_text=True)
    response = post(client, "/account/totp", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))
    return secret, codes


@pytest.mark.parametrize("role", ["admin", "pilot", "regional_pilot", "national_pilot"])
def test_administrators_and_pilots_enrol_before_anything_else(client, app_ctx, role):
    factories.make_department()
    kw = {"department": db.session.scalar(select(factories.Department))} if role == "pilot" else {}
    kw |= {"region": "75"} if role == "regional_pilot" else {}
    user = factories.make_user(role, email="new@example.fr", totp=False, **kw)
    db.session.commit()
    secret, codes = enrol(client, "new@example.fr")
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.has_totp and secret not in user.totp_secret  # kept encrypted
    assert totp_ops.decrypt_secret(user.totp_secret) == secret
    hashes = db.session.scalars(select(TotpRecoveryCode.code_hash).where(TotpRecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not set(hashes) & {c.replace("-", "") for c in codes}
    assert client.get("/persons/").headers.get("Location", "").endswith("/account/totp") is False
    assert actions("totp_enabled")


def test_the_other_roles_are_offered_it_not_forced(client, world):
    factories.login(client, "sw@example.fr")
    assert client.get("/persons/").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "Double authentification" in page and "Non activée" in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', client.get("/account/totp").get_data(
        as_text=True)).group(1).replace(" ", "")
    assert post(client, "/account/totp", {"code": pyotp.TOTP(secret).now()}).status_code == 200
    # next sign-in asks for the code
    client.post("/logout", data={"csrf_token": factories.csrf_token(client, "/account")})
    assert password_step(client, "sw@example.fr").headers["Location"].endswith("/login/code")


def test_a_recovery_code_works_once(client, app, app_ctx):
    factories.make_department()
    factories.make_user("pilot", department=db.session.scalar(select(factories.Department)),
                        email="p2@example.fr", totp=False)
    db.session.commit()
    _, codes = enrol(client, "p2@example.fr")
    first = app.test_client()
    password_step(first, "p2@example.fr")
    response = code_step(first, codes[0].upper())  # typed in capitals: accepted
    assert response.status_code == 302 and signed_in(first)
    assert "code de secours" in actions("login")[-1].detail
    second = app.test_client()
    password_step(second, "p2@example.fr")
    assert code_step(second, codes[0]).status_code == 200 and not signed_in(second)
    assert code_step(second, codes[1]).status_code == 302


def test_an_administrator_resets_a_second_factor_and_its_sessions_end(client, app, world):
    pilot_client = app.test_client()
    factories.login(pilot_client, "pilot@example.fr")
    assert signed_in(pilot_client)
    factories.login(client, "admin@example.fr")
    pilot = world.users.pilot
    page = client.get(f"/admin/users/{pilot.id}").get_data(as_text=True)
    assert "Réinitialiser la double authentification" in page
    response = client.post(f"/admin/users/{pilot.id}/totp-reset",
                           data={"csrf_token": factories.csrf_token(client, f"/admin/users/{pilot.id}")})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(User, pilot.id).has_totp
    assert not signed_in(pilot_client)  # its sessions ended
    reset = actions("totp_reset")[-1]
    assert reset.user_email == "admin@example.fr" and reset.detail == f"compte {pilot.id}"
    # back with the password only: enrolment first
    password_step(pilot_client, "pilot@example.fr")
    assert pilot_client.get("/pilot/").headers["Location"].endswith("/account/totp")


def test_no_administrator_resets_another_administrators_second_factor(client, world):
    other = factories.make_user("admin", email="admin2@example.fr")
    db.session.commit()
    factories.login(client, "admin@example.fr")
    assert "Réinitialiser la double authentification" not in client.get(
        f"/admin/users/{other.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{other.id}/totp-reset",
                           data={"csrf_token": factories.csrf_token(client, f"/admin/users/{other.id}")})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, other.id).has_totp and not actions("totp_reset")


def test_an_optional_second_factor_is_turned_off_with_a_code_a_required_one_is_not(client, app, world):
    factories.make_user("social_worker", world.agir, email="sw2@example.fr", totp=True)
    db.session.commit()
    factories.login(client, "sw2@example.fr")
    page = client.get("/account/totp").get_data(as_text=True)
    assert "Désactiver la double authentification" in page
    assert "Code incorrect" in post(client, "/account/totp/disable", {"code": wrong_code()}).get_data(as_text=True)
    factories.forget_last_totp_step("sw2@example.fr")
    response = post(client, "/account/totp/disable", {"code": factories.totp_code()})
    assert response.status_code == 302 and signed_in(client)
    db.session.expire_all()
    assert not db.session.scalar(select(User).where(User.email == "sw2@example.fr")).has_totp
    assert actions("totp_disabled")
    pilot = app.test_client()
    factories.login(pilot, "pilot@example.fr")
    assert "Désactiver la double authentification" not in pilot.get("/account/totp").get_data(as_text=True)
    factories.forget_last_totp_step("pilot@example.fr")
    response = post(pilot, "/account/totp/disable", {"code": factories.totp_code()})
    assert "obligatoire pour votre rôle" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, world.users.pilot.id).has_totp


def test_the_code_page_expires_after_five_minutes(client, world):
    password_step(client, "pilot@example.fr")
    with client.session_transaction() as session:
        pending = dict(session["totp_pending"])
        pending["at"] -= 301
        session["totp_pending"] = pending
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "Le délai pour saisir le code est dépassé" in client.get("/login").get_data(as_text=True)
    assert not signed_in(client)


def test_new_recovery_codes_replace_the_former_ones(client, world):
    factories.login(client, "admin@example.fr")
    factories.forget_last_totp_step("admin@example.fr")
    response = post(client, "/account/totp/recovery", {"code": factories.totp_code()})
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and actions("totp_recovery_codes_renewed")
    assert totp_ops.recovery_codes_left(db.session.get(User, world.users.admin.id)) == 10


def test_the_code_page_and_its_messages_are_english_in_english(client, world):
    client.post("/langue", data={"locale": "en", "csrf_token": factories.csrf_token(client, "/login")})
    password_step(client, "pilot@example.fr")
    page = client.get("/login/code").get_data(as_text=True)
    assert "Two-factor authentication" in page and "Double authentification" not in page
    assert "Wrong or already used code" in code_step(client, wrong_code()).get_data(as_text=True)


def test_one_code_posted_by_five_browsers_at_once_signs_in_only_one(world, app):
    """The replay guard is one atomic UPDATE: through a real threaded server, five sign-ins that post the same code
    at the same instant (each after the right password) give one session, four « Code incorrect ou déjà utilisé »."""
    from tests.test_races import Browser, _simultaneously
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        browsers = [Browser(f"http://127.0.0.1:{server.server_port}") for _ in range(5)]
        for b in browsers:
            b.login("pilot@example.fr")  # lands on the code page
        factories.forget_last_totp_step("pilot@example.fr")
        results = _simultaneously(browsers, "/login/code", {"code": factories.totp_code()})
    finally:
        server.shutdown()
    passed = [page for status, page in results if status == 200 and 'name="code"' not in page]
    refused = [page for status, page in results if "Code incorrect ou déjà utilisé" in page]
    assert len(passed) == 1 and len(refused) == 4, [status for status, _ in results]
