"""Programme catalogue operations: who edits, field rules, generated ref, sessions, optimistic locking."""
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import programmes as ops
from models import AuditEntry, Programme, Session
from tests import factories


def _values(operator, **kw):
    return dict(name="Français langue d'intégration", theme="language", structure=operator,
                start_on=date(2023, 1, 1), end_on=date(2023, 12, 31), target_beneficiaries=40,
                total_cost=50000.0, p104_subsidy=40000.0, carif_oref_ref="14_AF_0002") | kw


def test_referral_officer_creates_a_programme_of_their_structure_with_a_generated_ref(world):
    programme = ops.create_programme(world.users.referral_officer, **_values(world.school))
    assert programme.ref.startswith("PRG-") and len(programme.ref) == 12
    assert programme.department_id == world.department.id and programme.structure_id == world.school.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "programme_created"))
    assert "name" in entry.fields and "Français" not in str(entry.fields)


def test_referral_officer_cannot_create_for_another_structure_social_worker_not_at_all(world):
    with pytest.raises(RuleViolation) as exc:
        ops.create_programme(world.users.referral_officer, **_values(world.agir))
    assert exc.value.code == "structure_forbidden" and exc.value.field == "structure"
    with pytest.raises(RuleViolation):
        ops.create_programme(world.users.social_worker, **_values(world.agir))


def test_admin_creates_for_any_structure_of_any_department(world):
    landes = factories.make_department(code="40", name="Landes")
    centre = factories.make_structure(landes, "programme_operator")
    programme = ops.create_programme(world.users.admin, **_values(centre, theme="health", carif_oref_ref=None))
    assert programme.department_id == landes.id


@pytest.mark.parametrize("override, code, field", [
    ({"name": "  "}, "name_required", "name"),
    ({"theme": "cooking"}, "theme_unknown", "theme"),
    ({"end_on": date(2022, 12, 31)}, "dates_backwards", "end_on"),
    ({"total_cost": -1.0}, "negative_amount", "total_cost"),
    ({"target_beneficiaries": -3}, "negative_amount", "target_beneficiaries"),
    ({"p104_subsidy": 60000.0}, "subsidy_above_cost", "p104_subsidy"),
    ({"structure": None}, "structure_required", "structure"),
])
def test_programme_field_rules(world, override, code, field):
    with pytest.raises(RuleViolation) as exc:
        ops.create_programme(world.users.referral_officer, **(_values(world.school) | override))
    assert (exc.value.code, exc.value.field) == (code, field)
    assert db.session.scalar(select(func.count(Programme.id))) == 1  # only the world's programme


def test_language_programme_without_carif_oref_is_flagged(world):
    programme = ops.create_programme(world.users.referral_officer, **_values(world.school, carif_oref_ref="  "))
    assert programme.carif_oref_ref is None and programme.needs_carif_oref
    pro = ops.create_programme(world.users.referral_officer,
                               **_values(world.school, theme="professional_french", carif_oref_ref=None))
    assert pro.needs_carif_oref
    health = ops.create_programme(world.users.referral_officer, **_values(world.school, theme="health",
                                                                            carif_oref_ref=None))
    assert not health.needs_carif_oref


def test_update_changes_fields_and_audits_their_names(world):
    programme = world.programme
    ops.update_programme(world.users.referral_officer, programme, programme.version_id,
                         **_values(world.school, name="Français pour tous 2", start_on=programme.start_on,
                                   end_on=programme.end_on))
    db.session.commit()
    assert db.session.get(Programme, programme.id).name == "Français pour tous 2"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "programme_updated"))
    assert "name" in entry.fields and "structure" not in entry.fields


def test_update_with_a_stale_version_is_refused(world):
    with pytest.raises(StaleRecord):
        ops.update_programme(world.users.referral_officer, world.programme, world.programme.version_id + 1,
                             **_values(world.school))


def test_another_structure_cannot_update(world):
    other_officer = factories.make_user("referral_officer", world.other)
    with pytest.raises(RuleViolation) as exc:
        ops.update_programme(other_officer, world.programme, None, **_values(world.school))
    assert exc.value.code == "programme_forbidden"
    assert not ops.may_edit_programme(world.users.social_worker, world.programme)
    assert ops.may_edit_programme(world.users.admin, world.programme)


def test_sessions_are_added_and_removed(world):
    ro = world.users.referral_officer
    session = ops.add_session(ro, world.programme, date(2022, 10, 3), 2.5)
    db.session.commit()
    hours = db.session.scalar(select(func.sum(Session.hours)).where(Session.programme_id == world.programme.id))
    assert hours == 5.5  # 3 h from the factory + 2.5 h
    ops.remove_session(ro, world.programme, session.id)
    db.session.commit()
    assert db.session.scalar(select(func.count(Session.id))) == 1
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"session_added", "session_removed"} <= actions


@pytest.mark.parametrize("held_on, hours, code", [
    (date(2022, 10, 3), 0, "session_hours"),
    (date(2022, 10, 3), 25, "session_hours"),
    (date(2022, 10, 3), None, "session_hours"),
    (date(2021, 12, 31), 2, "session_outside_programme"),
    (date(2024, 1, 1), 2, "session_outside_programme"),
    (None, 2, "date_required"),
])
def test_session_rules(world, held_on, hours, code):
    with pytest.raises(RuleViolation) as exc:
        ops.add_session(world.users.referral_officer, world.programme, held_on, hours)
    assert exc.value.code == code


def test_moving_programme_dates_past_its_sessions_is_refused(world):
    with pytest.raises(RuleViolation) as exc:
        ops.update_programme(world.users.referral_officer, world.programme, None,
                             **_values(world.school, start_on=date(2022, 10, 1)))
    assert exc.value.code == "session_outside_programme"


def test_social_worker_cannot_touch_sessions(world):
    with pytest.raises(RuleViolation):
        ops.add_session(world.users.social_worker, world.programme, date(2022, 10, 3), 2)
    with pytest.raises(RuleViolation):
        ops.remove_session(world.users.social_worker, world.programme, world.programme.sessions[0].id)
