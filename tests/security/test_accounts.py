"""Findings 3 and 4 of issue 13: API tokens end with the password, the account or its rights;
no administrator acts on another administrator's account."""
import pytest
from sqlalchemy import select

from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations import users as ops
from agir.operations.api_tokens import create_api_token
from models import ApiToken, AuditEntry, User
from tests import factories

API = "/api/v1/indicators?from=2022-01-01&to=2022-12-31"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _token_for(world) -> str:
    _, raw = create_api_token(world.users.pilot, "Tableur DDETS")
    db.session.commit()
    return raw


def _api(app, raw: str) -> int:
    return app.test_client().get(API, headers={"Authorization": f"Bearer {raw}"}).status_code


def _admin_client(app):
    admin = app.test_client()
    factories.login(admin, "admin@example.fr")
    return admin, factories.csrf_token(admin, "/account")


def _revocations(user_id: int) -> list[AuditEntry]:
    db.session.expire_all()
    tokens = {f"jeton {t.id}" for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id))}
    return [e for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token_revoked"))
            if any(e.detail and e.detail.startswith(t) for t in tokens)]


def test_a_token_ends_when_an_administrator_resets_the_password(app, world):
    raw = _token_for(world)
    assert _api(app, raw) == 200
    admin, csrf = _admin_client(app)
    assert admin.post(f"/admin/users/{world.users.pilot.id}/password", data={"csrf_token": csrf}).status_code == 200
    assert _api(app, raw) == 401
    assert len(_revocations(world.users.pilot.id)) == 1


def test_a_token_ends_when_the_account_is_disabled_and_stays_ended_once_enabled(app, world):
    raw = _token_for(world)
    admin, csrf = _admin_client(app)
    admin.post(f"/admin/users/{world.users.pilot.id}/disable", data={"csrf_token": csrf})
    assert _api(app, raw) == 401
    admin.post(f"/admin/users/{world.users.pilot.id}/enable", data={"csrf_token": csrf})
    db.session.expire_all()
    assert _user("pilot@example.fr").is_enabled
    assert _api(app, raw) == 401
    assert len(_revocations(world.users.pilot.id)) == 1


def test_a_token_ends_when_the_role_or_attachment_changes(app, world):
    raw = _token_for(world)
    other = factories.make_department(code="40", name="Landes")
    db.session.commit()
    pilot = _user("pilot@example.fr")
    ops.change_attachment(_user("admin@example.fr"), pilot, "pilot", None, other.code)
    db.session.commit()
    assert _api(app, raw) == 401
    assert len(_revocations(pilot.id)) == 1


def test_a_token_ends_when_its_owner_changes_the_password(app, world):
    raw = _token_for(world)
    pilot = app.test_client()
    factories.login(pilot, "pilot@example.fr")
    csrf = factories.csrf_token(pilot, "/account")
    new = "another long enough password"
    pilot.post("/account/password", data={"csrf_token": csrf, "current_password": factories.PASSWORD,
                                          "new_password": new, "confirmation": new})
    db.session.expire_all()
    assert ops.verify_password(_user("pilot@example.fr").password_hash, new)
    assert _api(app, raw) == 401


def test_nothing_unchanged_revokes_a_token(app, world):
    raw = _token_for(world)
    ops.change_attachment(_user("admin@example.fr"), _user("pilot@example.fr"), "pilot", None, world.department.code)
    db.session.commit()
    assert _api(app, raw) == 200


@pytest.fixture
def second_admin(world):
    other = factories.make_user("admin", email="admin2@example.fr")
    db.session.commit()
    return other


@pytest.mark.parametrize("action", ["password", "disable", "enable"])
def test_no_administrator_acts_on_another_administrators_account(app, world, second_admin, action):
    if action == "enable":
        second_admin.is_enabled = False
        db.session.commit()
    before = (second_admin.password_hash, second_admin.is_enabled, second_admin.session_epoch)
    admin, csrf = _admin_client(app)
    response = admin.post(f"/admin/users/{second_admin.id}/{action}", data={"csrf_token": csrf},
                          follow_redirects=True)
    assert response.status_code == 403
    assert "autre administrateur" in response.get_data(as_text=True)
    db.session.expire_all()
    other = _user("admin2@example.fr")
    assert (other.password_hash, other.is_enabled, other.session_epoch) == before


@pytest.mark.parametrize("operation", [ops.reset_password, ops.disable_user, ops.enable_user])
def test_the_operations_refuse_too(world, second_admin, operation):
    with pytest.raises(RuleViolation) as refused:
        operation(_user("admin@example.fr"), second_admin)
    assert refused.value.code == "admin_on_admin"


def test_the_server_still_manages_administrators(world, second_admin, runner):
    assert ops.disable_user(None, second_admin).is_enabled is False
    assert ops.enable_user(None, second_admin).is_enabled is True
    assert ops.reset_password(None, second_admin)
    db.session.commit()
    result = runner.invoke(args=["agir", "create-user", "admin3@example.fr", "--role", "admin",
                                 "--password-stdin"], input="a long enough admin password\n")
    assert result.exit_code == 0, result.output
