"""Account operations: creation rules, authentication, passwords, disabling, throttling, reference data."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import reference, throttle, users
from agir.operations.users import authenticate, change_password, create_user, verify_password
from models import AuditEntry, LoginThrottle
from models.base import utcnow
from tests import factories

GOOD = "a-very-long-password"


def actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.mark.parametrize("kwargs, code", [
    ({"email": "not-an-email"}, "email_invalid"),
    ({"role": "superuser"}, "role_unknown"),
    ({"password": "elevenchars"}, "password_short"),
    ({"password": "x" * 513}, "password_long"),
    ({"email": "SW@example.fr "}, "email_taken"),
    ({"role": "social_worker", "structure_ref": None}, "structure_required"),
    ({"role": "referral_officer", "structure_ref": None}, "structure_required"),
    ({"role": "social_worker", "structure_ref": "NOPE"}, "structure_unknown"),
    ({"role": "pilot", "structure_ref": None, "department_code": None}, "department_required"),
    ({"role": "pilot", "structure_ref": None, "department_code": "75"}, "department_unknown"),
])
def test_create_user_refuses_invalid_accounts(world, kwargs, code):
    values = {"email": "new@example.fr", "role": "social_worker", "password": GOOD, "structure_ref": "S-AGIR"}
    values.update(kwargs)
    with pytest.raises(RuleViolation) as exc:
        create_user(values.pop("email"), values.pop("role"), values.pop("password"), **values)
    assert exc.value.code == code


def test_create_user_rejects_a_structure_outside_the_pilots_department(world):
    other = factories.make_department(code="40", name="Landes")
    with pytest.raises(RuleViolation) as exc:
        create_user("p2@example.fr", "pilot", GOOD, structure_ref="S-AGIR", department_code=other.code)
    assert exc.value.code == "department_mismatch"


def test_twelve_characters_is_enough_and_email_is_stored_lower_case(world):
    user = create_user("  New.Person@Example.FR ", "social_worker", "x" * 12, structure_ref="S-AGIR")
    assert user.email == "new.person@example.fr"
    assert user.department_id == world.department.id  # from the structure
    assert user.password_hash.startswith("$argon2id$") and verify_password(user.password_hash, "x" * 12)
    assert "user_created" in actions()


def test_authenticate_checks_password_and_enabled_state(world):
    sw = world.users.social_worker
    assert authenticate("SW@example.fr", factories.PASSWORD) is sw
    assert sw.last_login_at is not None
    assert authenticate("sw@example.fr", "wrong password!!") is None
    assert authenticate("nobody@example.fr", factories.PASSWORD) is None
    sw.is_enabled = False
    assert authenticate("sw@example.fr", factories.PASSWORD) is None


def test_change_password_needs_the_current_one_and_ends_other_sessions(world):
    sw = world.users.social_worker
    epoch = sw.session_epoch
    with pytest.raises(RuleViolation) as exc:
        change_password(sw, "not my password", GOOD, GOOD)
    assert exc.value.field == "current_password"
    assert "password_change_refused" in actions()
    with pytest.raises(RuleViolation) as exc:
        change_password(sw, factories.PASSWORD, "short", "short")
    assert exc.value.field == "new_password"
    with pytest.raises(RuleViolation) as exc:
        change_password(sw, factories.PASSWORD, GOOD, GOOD + "!")
    assert exc.value.field == "confirmation"
    with pytest.raises(RuleViolation) as exc:
        change_password(sw, factories.PASSWORD, factories.PASSWORD, factories.PASSWORD)
    assert exc.value.code == "password_unchanged"
    assert sw.session_epoch == epoch
    change_password(sw, factories.PASSWORD, GOOD, GOOD)
    assert verify_password(sw.password_hash, GOOD) and sw.session_epoch == epoch + 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "password_changed")).one()
    assert entry.fields == ["password"] and GOOD not in (entry.detail or "")


def test_reset_password_gives_a_strong_random_password_and_ends_sessions(world):
    ro = world.users.referral_officer
    epoch = ro.session_epoch
    first = users.reset_password(world.users.admin, ro)
    second = users.reset_password(world.users.admin, ro)
    assert first != second and len(second) >= 12
    assert verify_password(ro.password_hash, second) and not verify_password(ro.password_hash, first)
    assert ro.session_epoch == epoch + 2


def test_disable_then_enable_an_account(world):
    admin, sw = world.users.admin, world.users.social_worker
    epoch = sw.session_epoch
    users.disable_user(admin, sw)
    assert not sw.is_enabled and sw.session_epoch == epoch + 1
    users.enable_user(admin, sw)
    assert sw.is_enabled
    assert actions()[-2:] == ["user_disabled", "user_enabled"]


def test_an_admin_cannot_disable_their_own_account(world):
    with pytest.raises(RuleViolation) as exc:
        users.disable_user(world.users.admin, world.users.admin)
    assert exc.value.code == "disable_self"
    assert world.users.admin.is_enabled


def test_digest_preference_is_saved_and_audited_once(world):
    sw = world.users.social_worker
    users.set_digest(sw, True)
    users.set_digest(sw, True)
    assert sw.wants_digest is True
    assert actions().count("preferences_changed") == 1


def test_throttle_locks_a_key_after_the_limit_within_the_window(app_ctx):
    window, now = timedelta(minutes=15), utcnow()
    key = throttle.email_key("Someone@Example.fr")
    assert key == "email:someone@example.fr"
    for i in range(4):
        assert throttle.record_failure({key: 5}, window, now + timedelta(seconds=i)) == []
    assert throttle.locked_keys([key], now) == []
    assert throttle.record_failure({key: 5}, window, now + timedelta(seconds=5)) == [key]
    assert throttle.locked_keys([key], now + timedelta(minutes=10)) == [key]
    assert throttle.locked_keys([key], now + timedelta(minutes=16)) == []


def test_throttle_forgets_failures_older_than_the_window(app_ctx):
    window, now = timedelta(minutes=15), utcnow()
    key = throttle.ip_key("10.0.0.1")
    for _ in range(4):
        throttle.record_failure({key: 5}, window, now)
    assert throttle.record_failure({key: 5}, window, now + timedelta(minutes=20)) == []
    assert db.session.get(LoginThrottle, key).failures == 1


def test_clearing_a_key_resets_its_counter(app_ctx):
    window, key = timedelta(minutes=15), throttle.email_key("a@example.fr")
    for _ in range(4):
        throttle.record_failure({key: 5}, window)
    throttle.clear(key)
    assert throttle.record_failure({key: 5}, window) == []
    assert db.session.get(LoginThrottle, key).failures == 1


# Reference data ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", ["20", "00", "96", "2C", "977", "ABC", ""])
def test_department_code_must_be_an_insee_code(app_ctx, code):
    with pytest.raises(RuleViolation) as exc:
        reference.create_department(None, code, "Nom")
    assert exc.value.field == "code"


def test_department_defaults_and_limits_of_max_months(app_ctx):
    assert reference.create_department(None, "2a", "Corse-du-Sud").code == "2A"
    assert reference.create_department(None, "974", "La Réunion", date(2024, 1, 1), 2024).max_months == 18
    assert reference.create_department(None, "33", "Gironde", date(2022, 7, 1), 2022).max_months == 12
    for months in (5, 19):
        with pytest.raises(RuleViolation) as exc:
            reference.create_department(None, "40", "Landes", max_months=months)
        assert exc.value.field == "max_months"
    with pytest.raises(RuleViolation) as exc:
        reference.create_department(None, "33", "Gironde")
    assert exc.value.code == "department_taken"


def test_update_department_refuses_a_stale_version(app_ctx):
    dep = reference.create_department(None, "33", "Gironde", date(2022, 7, 1), 2022)
    db.session.commit()
    version = dep.version_id
    reference.update_department(None, dep, version, "Gironde", date(2022, 7, 1), 2022, 9)
    db.session.commit()
    assert dep.max_months == 9 and dep.version_id == version + 1
    with pytest.raises(StaleRecord):
        reference.update_department(None, dep, version, "Gironde", date(2022, 7, 1), 2022, 10)


def test_structure_department_and_kind_are_locked_once_it_holds_accompaniments(world):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    landes = factories.make_department(code="40", name="Landes")
    with pytest.raises(RuleViolation) as exc:
        reference.update_structure(None, world.agir, "S-AGIR", "Opérateur", landes, "agir_operator")
    assert exc.value.field == "department"
    with pytest.raises(RuleViolation) as exc:
        reference.update_structure(None, world.agir, "S-AGIR", "Opérateur", world.department, "state_service")
    assert exc.value.field == "kind"
    reference.update_structure(None, world.agir, "S-AGIR-33", "Opérateur renommé", world.department,
                               "project_operator")
    assert (world.agir.ref, world.agir.kind) == ("S-AGIR-33", "project_operator")


def test_structure_refs_are_unique_and_moving_a_structure_moves_its_accounts(world):
    with pytest.raises(RuleViolation) as exc:
        reference.create_structure(None, "S-AGIR", "Doublon", world.department, "agir_operator")
    assert exc.value.code == "structure_ref_taken"
    empty = reference.create_structure(None, "S-NEW", "Nouvelle", world.department, "state_service")
    user = factories.make_user("referral_officer", empty)
    landes = factories.make_department(code="40", name="Landes")
    reference.update_structure(None, empty, "S-NEW", "Nouvelle", landes, "state_service")
    db.session.refresh(user)
    assert empty.department is landes and user.department_id == landes.id
