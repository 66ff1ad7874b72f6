"""Referral operations: every transition (allowed and refused), dates, sides, need, window; participations, events."""
import json
from datetime import date

import pytest
from sqlalchemy import func, select

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations import programmes as programme_ops
from agir.operations import referrals as ops
from agir.rules.path import REFERRAL_DATE_FIELDS, REFERRAL_TRANSITIONS
from models import AuditEntry, Event, Participation, Referral
from models.enums import REFERRAL_STATES
from tests import factories
from tests.referrals_factories import STEP_GAP, make_referral

TODAY = date(2023, 6, 1)
TARGETS = ("accepted", "refused", "started", "completed", "dropped_out", "cancelled")


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(p, world.agir)
    return p


def _actor_for(world, target):
    """The sender cancels; the programme's structure takes every other step."""
    return world.users.social_worker if target == "cancelled" else world.users.referral_officer


@pytest.mark.parametrize("current", REFERRAL_STATES)
@pytest.mark.parametrize("target", TARGETS)
def test_every_transition_is_allowed_or_refused_by_the_rule(world, person, current, target):
    referral = make_referral(person, world.programme, state=current, sender=world.agir)
    before = {s: getattr(referral, f"{s}_on") for s in REFERRAL_DATE_FIELDS}
    on = max(d for d in before.values() if d) + STEP_GAP
    if target in REFERRAL_TRANSITIONS[current]:
        ops.move_referral(_actor_for(world, target), referral, target, on, reason="Complet", today=TODAY)
        assert referral.state == target
        assert getattr(referral, f"{target}_on") == on
    else:
        with pytest.raises(RuleViolation) as exc:
            ops.move_referral(_actor_for(world, target), referral, target, on, reason="Complet", today=TODAY)
        assert exc.value.code == "referral_transition"
        assert "ne peut pas devenir" in exc.value.message and "suites possibles" in exc.value.message
        assert referral.state == current
        assert {s: getattr(referral, f"{s}_on") for s in REFERRAL_DATE_FIELDS} == before


def test_allowed_pairs_are_exactly_the_specified_life():
    allowed = {(a, b) for a, targets in REFERRAL_TRANSITIONS.items() for b in targets}
    assert allowed == {("sent", "accepted"), ("sent", "refused"), ("sent", "cancelled"), ("accepted", "started"),
                       ("started", "completed"), ("started", "dropped_out")}


def test_full_path_sent_accepted_started_completed_keeps_every_date(world, person):
    r = ops.send_referral(world.users.social_worker, person, world.programme, "Apprendre le français pour l'emploi",
                          date(2023, 1, 2), today=TODAY)
    ro = world.users.referral_officer
    ops.move_referral(ro, r, "accepted", date(2023, 1, 5), today=TODAY)
    ops.move_referral(ro, r, "started", date(2023, 1, 9), today=TODAY)
    ops.move_referral(ro, r, "completed", date(2023, 5, 30), today=TODAY)
    db.session.refresh(r)
    assert (r.state, r.sent_on, r.accepted_on, r.started_on, r.completed_on) == (
        "completed", date(2023, 1, 2), date(2023, 1, 5), date(2023, 1, 9), date(2023, 5, 30))
    assert r.sender_structure_id == world.agir.id


def test_a_step_dated_before_the_previous_one_is_refused(world, person):
    r = make_referral(person, world.programme, state="accepted", sender=world.agir, sent_on=date(2023, 1, 2))
    with pytest.raises(RuleViolation) as exc:
        ops.move_referral(world.users.referral_officer, r, "started", date(2023, 1, 8), today=TODAY)
    assert exc.value.code == "dates_backwards" and exc.value.field == "on"
    assert "acceptation" in exc.value.message
    ops.move_referral(world.users.referral_officer, r, "started", date(2023, 1, 9), today=TODAY)  # same day is fine
    assert r.state == "started"


def test_a_step_in_the_future_is_refused(world, person):
    r = make_referral(person, world.programme, sender=world.agir)
    with pytest.raises(RuleViolation) as exc:
        ops.move_referral(world.users.referral_officer, r, "accepted", date(2023, 6, 2), today=TODAY)
    assert exc.value.code == "date_in_future"


def test_refusal_needs_a_reason_and_keeps_it(world, person):
    r = make_referral(person, world.programme, sender=world.agir)
    with pytest.raises(RuleViolation) as exc:
        ops.move_referral(world.users.referral_officer, r, "refused", date(2023, 1, 2), reason="  ", today=TODAY)
    assert exc.value.field == "reason" and r.state == "sent"
    ops.move_referral(world.users.referral_officer, r, "refused", date(2023, 1, 2), reason="Session complète",
                      today=TODAY)
    assert (r.state, r.refusal_reason, r.refused_on) == ("refused", "Session complète", date(2023, 1, 2))


def test_only_the_sender_cancels_and_only_the_programme_answers(world, person):
    r = make_referral(person, world.programme, sender=world.agir)
    with pytest.raises(RuleViolation) as exc:
        ops.move_referral(world.users.referral_officer, r, "cancelled", date(2023, 1, 2), today=TODAY)
    assert exc.value.code == "referral_side"
    with pytest.raises(RuleViolation) as exc:
        ops.move_referral(world.users.social_worker, r, "accepted", date(2023, 1, 2), today=TODAY)
    assert exc.value.code == "referral_side"
    assert ops.next_steps(world.users.social_worker, r) == ["cancelled"]
    assert ops.next_steps(world.users.referral_officer, r) == ["accepted", "refused"]
    ops.move_referral(world.users.social_worker, r, "cancelled", date(2023, 1, 2), today=TODAY)
    assert r.state == "cancelled"


def test_a_stale_version_is_refused(world, person):
    r = make_referral(person, world.programme, sender=world.agir)
    with pytest.raises(StaleRecord):
        ops.move_referral(world.users.referral_officer, r, "accepted", date(2023, 1, 2), version_id=r.version_id + 1,
                          today=TODAY)


def test_send_referral_records_sender_state_and_audit_without_values(world, person):
    r = ops.send_referral(world.users.social_worker, person, world.programme, "Cours de français du soir",
                          date(2023, 5, 2), today=TODAY)
    assert (r.state, r.sent_on, r.sender_structure_id, r.need) == ("sent", date(2023, 5, 2), world.agir.id,
                                                                    "Cours de français du soir")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "referral_sent"))
    assert entry.person_id == person.id and set(entry.fields) == {"programme", "need", "sent_on"}
    assert "français" not in (entry.detail or "")


@pytest.mark.parametrize("need, code", [
    ("", "need_required"),
    ("x" * 301, "need_too_long"),
    ("Suivi de sa tuberculose", "need_medical"),
    ("Personne séropositive, besoin d'un suivi", "need_medical"),
    ("Dépression depuis son arrivée", "need_medical"),
    ("Diagnostiqué diabétique, besoin d'un accompagnement", "need_medical"),
])
def test_need_is_one_sentence_without_medical_detail(world, person, need, code):
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.social_worker, person, world.programme, need, date(2023, 5, 2), today=TODAY)
    assert exc.value.code == code and exc.value.field == "need"


@pytest.mark.parametrize("need", ["Bilan de santé et ouverture des droits", "Accompagnement psychosocial",
                                  "Diagnostic linguistique avant entrée en formation", "Besoin de garde d'enfants"])
def test_ordinary_needs_pass(world, person, need):
    assert ops.send_referral(world.users.social_worker, person, world.programme, need, date(2023, 5, 2),
                             today=TODAY).need == need


def test_a_second_open_referral_to_the_same_programme_is_refused(world, person):
    ops.send_referral(world.users.social_worker, person, world.programme, "Cours", date(2023, 5, 2), today=TODAY)
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.social_worker, person, world.programme, "Cours", date(2023, 5, 3), today=TODAY)
    assert exc.value.code == "referral_open"


def test_programme_of_another_department_or_ended_is_refused(world, person):
    other_dep = factories.make_department(code="40", name="Landes")
    other = factories.make_programme(other_dep, factories.make_structure(other_dep, "programme_operator"))
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.social_worker, person, other, "Cours", date(2023, 5, 2), today=TODAY)
    assert exc.value.code == "programme_other_department"
    ended = factories.make_programme(world.department, world.school, end=date(2023, 3, 31))
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.social_worker, person, ended, "Cours", date(2023, 5, 2), today=TODAY)
    assert exc.value.code == "programme_ended"


def test_refer_someone_not_visible_or_as_pilot_is_refused(world, person):
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.other_social_worker, person, world.programme, "Cours", date(2023, 5, 2),
                          today=TODAY)
    assert exc.value.code == "person_forbidden"
    with pytest.raises(RuleViolation) as exc:
        ops.send_referral(world.users.pilot, person, world.programme, "Cours", date(2023, 5, 2), today=TODAY)
    assert exc.value.code == "referral_forbidden"
    assert db.session.scalar(select(func.count(Referral.id))) == 0


def test_referral_window_warning_beyond_five_years(world):
    bpi = factories.make_person(world.department, world.agir, protection_on=date(2018, 5, 2))
    assert ops.referral_window_warning(bpi, date(2023, 5, 1)) is None
    warning = ops.referral_window_warning(bpi, date(2023, 5, 2))
    assert "cinq ans" in warning and "02/05/2023" in warning
    non_bpi = factories.make_person(world.department, world.agir, status="family", protection_on=None,
                                    first_permit_on=date(2020, 1, 1))
    assert ops.referral_window_warning(non_bpi, date(2024, 12, 31)) is None
    assert "premier titre" in ops.referral_window_warning(non_bpi, date(2025, 1, 1))
    unknown = factories.make_person(world.department, world.agir, protection_on=None)
    assert "pas renseignée" in ops.referral_window_warning(unknown, date(2023, 1, 1))


def test_referral_beyond_five_years_is_still_sent(world):
    old = factories.make_person(world.department, world.agir, protection_on=date(2015, 1, 1))
    r = ops.send_referral(world.users.social_worker, old, world.programme, "Cours", date(2023, 5, 2), today=TODAY)
    assert r.state == "sent"


def test_start_opens_a_participation_and_completion_closes_it(world, person):
    r = make_referral(person, world.programme, state="accepted", sender=world.agir, sent_on=date(2023, 1, 2))
    ro = world.users.referral_officer
    ops.move_referral(ro, r, "started", date(2023, 1, 16), today=TODAY)
    part = db.session.scalar(select(Participation).where(Participation.person_id == person.id))
    assert (part.programme_id, part.start_on, part.end_on, part.level_start) == (
        world.programme.id, date(2023, 1, 16), None, "A1")
    ops.move_referral(ro, r, "completed", date(2023, 5, 31), today=TODAY)
    assert part.end_on == date(2023, 5, 31)
    assert db.session.scalar(select(func.count(Participation.id))) == 1


def test_drop_out_closes_the_participation_too(world, person):
    r = make_referral(person, world.programme, state="accepted", sender=world.agir, sent_on=date(2023, 1, 2))
    ops.move_referral(world.users.referral_officer, r, "started", date(2023, 1, 16), today=TODAY)
    ops.move_referral(world.users.referral_officer, r, "dropped_out", date(2023, 2, 1), today=TODAY)
    assert ops.open_participation(person.id, world.programme.id) is None
    part = db.session.scalar(select(Participation))
    assert part.end_on == date(2023, 2, 1)


# ---------------------------------------------------------------- participations

def _participation(world, person, **kw):
    values = dict(start_on=date(2023, 1, 16), end_on=None, planned_hours=100.0, attended_hours=None,
                  level_start="A1", level_end=None) | kw
    return ops.create_participation(world.users.referral_officer, person, world.programme, **values)


def test_participation_hours_and_levels_land_in_their_columns(world, person):
    part = _participation(world, person)
    ops.update_participation(world.users.referral_officer, part, part.version_id, start_on=date(2023, 1, 16),
                             end_on=date(2023, 5, 31), planned_hours=100.0, attended_hours=85.0,
                             level_start="A1", level_end="A2")
    db.session.commit()
    stored = db.session.get(Participation, part.id)
    assert (stored.planned_hours, stored.attended_hours, stored.level_start, stored.level_end, stored.end_on) == (
        100.0, 85.0, "A1", "A2", date(2023, 5, 31))
    assert stored.is_assiduous
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "participation_updated"))
    assert set(entry.fields) == {"end_on", "attended_hours", "level_end"}


def test_attendance_below_80_percent_is_not_assiduous(world, person):
    assert not _participation(world, person, attended_hours=79.0).is_assiduous
    assert _participation(world, person, start_on=date(2023, 2, 1), attended_hours=80.0).is_assiduous


@pytest.mark.parametrize("values, code, field", [
    ({"end_on": date(2023, 1, 1)}, "dates_backwards", "end_on"),
    ({"attended_hours": float("nan")}, "hours_invalid", "attended_hours"),
    ({"planned_hours": -1.0}, "negative_hours", "planned_hours"),
    ({"level_end": "Z9"}, "level_unknown", "level_end"),
    ({"start_on": None}, "start_required", "start_on"),
])
def test_participation_rules(world, person, values, code, field):
    with pytest.raises(RuleViolation) as exc:
        _participation(world, person, **values)
    assert (exc.value.code, exc.value.field) == (code, field)


def test_attended_above_planned_is_an_accepted_fact(world, person):
    assert _participation(world, person, attended_hours=110.0).is_assiduous


def test_levels_only_for_language_programmes(world, person):
    health = factories.make_programme(world.department, world.school, theme="health", carif=None)
    with pytest.raises(RuleViolation) as exc:
        ops.create_participation(world.users.referral_officer, person, health, start_on=date(2023, 1, 2),
                                 level_start="A1")
    assert exc.value.code == "levels_language_only"
    part = ops.create_participation(world.users.referral_officer, person, health, start_on=date(2023, 1, 2),
                                    level_start="")
    assert part.level_start is None


def test_only_the_programme_structure_records_participations(world, person):
    with pytest.raises(RuleViolation) as exc:
        ops.create_participation(world.users.social_worker, person, world.programme, start_on=date(2023, 1, 2))
    assert exc.value.code == "programme_forbidden"
    part = _participation(world, person)
    with pytest.raises(RuleViolation):
        ops.update_participation(world.users.social_worker, part, part.version_id, start_on=date(2023, 1, 2))


def test_participation_stale_version_is_refused(world, person):
    part = _participation(world, person)
    with pytest.raises(StaleRecord):
        ops.update_participation(world.users.referral_officer, part, part.version_id + 1, start_on=date(2023, 1, 2))


# ---------------------------------------------------------------- events

def test_events_land_with_their_programme_and_feed_the_aggregates(world, person):
    ro = world.users.referral_officer
    ops.record_event(ro, person, world.programme, "medical_consultation", date(2023, 3, 1), today=TODAY)
    ops.record_event(ro, person, world.programme, "mentoring_pair", date(2023, 3, 2), today=TODAY)
    ops.record_event(ro, person, world.programme, "digital_tool", date(2023, 3, 3), today=TODAY)
    ops.record_event(ro, person, world.programme, "sport_event", date(2023, 3, 4), " EV-FOOT-1 ", today=TODAY)
    ops.record_event(ro, person, world.programme, "cultural_event", date(2023, 3, 5), "EV-MUSEE", today=TODAY)
    db.session.commit()
    rows = dict(db.session.execute(select(Event.kind, func.count(Event.id)).where(
        Event.programme_id == world.programme.id).group_by(Event.kind)).all())
    assert rows == {k: 1 for k in ("medical_consultation", "mentoring_pair", "digital_tool", "sport_event",
                                   "cultural_event")}
    assert db.session.scalar(select(Event.event_ref).where(Event.kind == "sport_event")) == "EV-FOOT-1"


@pytest.mark.parametrize("kind, ref, on, code", [
    ("sport_event", None, date(2023, 3, 1), "event_ref_required"),
    ("medical_consultation", "X1", date(2023, 3, 1), "event_ref_forbidden"),
    ("medical_consultation", None, date(2023, 6, 2), "date_in_future"),
    ("party", None, date(2023, 3, 1), "event_kind_unknown"),
])
def test_event_rules(world, person, kind, ref, on, code):
    with pytest.raises(RuleViolation) as exc:
        ops.record_event(world.users.referral_officer, person, world.programme, kind, on, ref, today=TODAY)
    assert exc.value.code == code


def test_events_are_recorded_and_removed_only_by_the_programme_structure(world, person):
    with pytest.raises(RuleViolation):
        ops.record_event(world.users.social_worker, person, world.programme, "digital_tool", date(2023, 3, 1),
                         today=TODAY)
    event = ops.record_event(world.users.referral_officer, person, world.programme, "digital_tool",
                             date(2023, 3, 1), today=TODAY)
    with pytest.raises(RuleViolation):
        ops.cancel_event(world.users.social_worker, event, "Mauvaise personne")
    ops.cancel_event(world.users.referral_officer, event, "Mauvaise personne", event.version_id)
    assert db.session.scalar(select(func.count(Event.id))) == 0


# ---------------------------------------------------------------- what the programme side feeds

def test_what_the_programme_records_feeds_the_indicators(world, person, runner):
    """Sessions, participation hours/levels and events recorded here land in the indicators JSON (contract)."""
    ro, sw = world.users.referral_officer, world.users.social_worker
    programme_ops.add_session(ro, world.programme, date(2023, 2, 1), 4.0)  # + the factory's 3 h of 2022
    digital = programme_ops.create_programme(ro, name="Ateliers numériques", theme="digital", structure=world.school,
                                             start_on=date(2023, 1, 1), end_on=date(2023, 12, 31))
    programme_ops.add_session(ro, digital, date(2023, 3, 1), 2.5)
    r = ops.send_referral(sw, person, world.programme, "Cours de français", date(2023, 1, 2), today=TODAY)
    ops.move_referral(ro, r, "accepted", date(2023, 1, 3), today=TODAY)
    ops.move_referral(ro, r, "started", date(2023, 1, 9), today=TODAY)
    part = ops.open_participation(person.id, world.programme.id)
    ops.update_participation(ro, part, part.version_id, start_on=date(2023, 1, 9), end_on=None, planned_hours=50.0,
                             attended_hours=45.0, level_start="A1", level_end="A2")
    ops.move_referral(ro, r, "completed", date(2023, 5, 31), today=TODAY)
    for kind, ref in (("medical_consultation", None), ("mentoring_pair", None), ("digital_tool", None),
                      ("sport_event", "FOOT-1"), ("cultural_event", "MUSEE-1")):
        ops.record_event(ro, person, world.programme, kind, date(2023, 4, 1), ref, today=TODAY)
    other = factories.make_person(world.department, world.agir)
    ops.record_event(ro, other, world.programme, "sport_event", date(2023, 4, 1), "FOOT-1", today=TODAY)
    db.session.commit()

    result = runner.invoke(args=["agir", "indicators", "--from", "2023-01-01", "--to", "2023-12-31",
                                 "--department", "33", "--as-of", "2023-12-31"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["language"] == {"training_hours": 4, "assiduous_participants": 1, "progressed_one_level": 1}
    assert figures["digital"] == {"tools_provided": 1, "training_hours": 2.5}
    assert figures["health"]["medical_consultations"] == 1
    assert figures["mentoring"]["pairs"] == 1
    assert figures["sport_culture"] == {"sport_events": 1, "cultural_events": 1}  # one football match, two people
