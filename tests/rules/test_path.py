"""The path (SPEC §4.3): rights, referral life and dates, participations, jobs, CECRL progression."""
import itertools
import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agir.errors import RuleViolation
from agir.rules.path import (
    REFERRAL_DATE_FIELDS,
    REFERRAL_PATHS,
    REFERRAL_TRANSITIONS,
    check_job,
    check_participation,
    check_referral_transition,
    check_right,
    check_right_change,
    date_of,
    is_durable_job,
    level_rank,
    progressed_one_level,
    referral_state,
)
from models.enums import JOB_KINDS, LEVELS, REFERRAL_STATES, RIGHT_STATES

DAY = timedelta(days=1)
D1, D2, D3, D4 = date(2023, 3, 1), date(2023, 3, 10), date(2023, 4, 2), date(2023, 9, 30)


def refused(code, func, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as exc:
        func(*args, **kwargs)
    assert exc.value.code == code
    assert exc.value.message
    return exc.value


# --- rights: state and dates ----------------------------------------------------------------------

@pytest.mark.parametrize("state, dates, reason", [
    ("todo", {}, None),
    ("not_applicable", {}, None),
    ("requested", {"requested": D1}, None),
    ("obtained", {"requested": D1, "obtained": D2}, None),
    ("obtained", {"obtained": D2}, None),                          # obtained without a recorded request
    ("obtained", {"requested": D1, "obtained": D1}, None),         # same day
    ("refused", {"requested": D1, "refused": D2}, "Pièces manquantes"),
    ("refused", {"refused": D2}, "Hors critères"),
])
def test_a_right_with_the_dates_of_its_state_is_accepted(state, dates, reason):
    check_right(state, dates, reason)


@pytest.mark.parametrize("state, dates, code, field", [
    ("requested", {}, "right_date_missing", "requested"),
    ("obtained", {"requested": D1}, "right_date_missing", "obtained"),
    ("refused", {"requested": D1}, "right_date_missing", "refused"),
    ("todo", {"requested": D1}, "right_date_forbidden", "requested"),
    ("not_applicable", {"obtained": D1}, "right_date_forbidden", "obtained"),
    ("requested", {"requested": D1, "obtained": D2}, "right_date_forbidden", "obtained"),
    ("requested", {"requested": D1, "refused": D2}, "right_date_forbidden", "refused"),
    ("obtained", {"obtained": D2, "refused": D2}, "right_date_forbidden", "refused"),
    ("refused", {"refused": D2, "obtained": D2}, "right_date_forbidden", "obtained"),
    ("obtained", {"requested": D2, "obtained": D2 - DAY}, "dates_backwards", "obtained"),
    ("refused", {"requested": D2, "refused": D2 - DAY}, "dates_backwards", "refused"),
])
def test_a_right_with_wrong_or_backward_dates_is_refused(state, dates, code, field):
    assert refused(code, check_right, state, dates, "motif").field == field


@pytest.mark.parametrize("reason", (None, "", "  "))
def test_a_refused_right_needs_its_reason(reason):
    error = refused("right_refusal_reason", check_right, "refused", {"requested": D1, "refused": D2}, reason)
    assert error.field == "reason" and error.message == "Le motif du refus est obligatoire."


def test_right_messages_are_correct_french():
    assert refused("right_date_missing", check_right, "obtained", {}).message == "La date d'obtention est requise."
    assert refused("right_date_forbidden", check_right, "todo", {"obtained": D1}).message == (
        "Une date d'obtention ne va pas avec cet état.")
    assert refused("right_date_forbidden", check_right, "todo", {"refused": D1}).message == (
        "Une date de refus ne va pas avec cet état.")
    assert refused("dates_backwards", check_right, "obtained", {"requested": D2, "obtained": D1}).message == (
        "La date d'obtention ne peut précéder la date de demande.")


def test_date_of_elides_before_a_vowel():
    assert [date_of(n) for n in ("sent", "accepted", "refused", "started", "completed", "dropped_out",
                                 "cancelled", "requested", "obtained")] == [
        "la date d'envoi", "la date d'acceptation", "la date de refus", "la date de démarrage", "la date de fin",
        "la date d'abandon", "la date d'annulation", "la date de demande", "la date d'obtention"]


def test_an_unknown_right_state_is_refused():
    assert refused("right_state_unknown", check_right, "lost", {}).field == "state"


@given(st.dates(), st.dates())
def test_a_right_outcome_never_precedes_its_request(requested, outcome):
    for state in ("obtained", "refused"):
        try:
            check_right(state, {"requested": requested, state: outcome}, "motif")
            accepted = True
        except RuleViolation:
            accepted = False
        assert accepted is (outcome >= requested)


# --- rights: the state never moves backwards --------------------------------------------------------

ALLOWED_RIGHT_CHANGES = {
    ("todo", s) for s in RIGHT_STATES} | {("not_applicable", s) for s in RIGHT_STATES} | {
    ("requested", "requested"), ("requested", "obtained"), ("requested", "refused"),
    ("obtained", "obtained"),
    ("refused", "refused"), ("refused", "requested"), ("refused", "obtained"),
}
STATE_DATES = {"todo": {}, "not_applicable": {}, "requested": {"requested": D1},
               "obtained": {"requested": D1, "obtained": D2}, "refused": {"requested": D1, "refused": D2}}
LATER_DATES = {"todo": {}, "not_applicable": {}, "requested": {"requested": D3},
               "obtained": {"requested": D3, "obtained": D4}, "refused": {"requested": D3, "refused": D4}}


@pytest.mark.parametrize("before, after", sorted(itertools.product(RIGHT_STATES, repeat=2)))
def test_every_right_state_change(before, after):
    if (before, after) in ALLOWED_RIGHT_CHANGES:
        check_right_change(before, STATE_DATES[before], after, LATER_DATES[after])
    else:
        error = refused("right_backwards", check_right_change, before, STATE_DATES[before], after, LATER_DATES[after])
        assert error.field == "state"


def test_a_right_requested_again_or_obtained_after_a_refusal_is_not_dated_before_it():
    before = {"requested": D1, "refused": D2}
    check_right_change("refused", before, "requested", {"requested": D2})
    check_right_change("refused", before, "obtained", {"obtained": D2})
    error = refused("dates_backwards", check_right_change, "refused", before, "requested", {"requested": D2 - DAY})
    assert error.field == "requested" and "10/03/2023" in error.message
    refused("dates_backwards", check_right_change, "refused", before, "obtained",
            {"requested": D1, "obtained": D2 - DAY})


def test_a_right_backwards_message_is_french():
    error = refused("right_backwards", check_right_change, "obtained", STATE_DATES["obtained"], "todo", {})
    assert error.message == "Un droit « obtenu » ne peut pas revenir à l'état « à faire »."


# --- referrals: every transition pair ----------------------------------------------------------------

ALLOWED_REFERRAL_TRANSITIONS = {
    ("sent", "accepted"), ("sent", "refused"), ("sent", "cancelled"),
    ("accepted", "started"), ("started", "completed"), ("started", "dropped_out"),
}


@pytest.mark.parametrize("current, target", sorted(itertools.product(REFERRAL_STATES, repeat=2)))
def test_every_referral_transition_pair(current, target):
    if (current, target) in ALLOWED_REFERRAL_TRANSITIONS:
        check_referral_transition(current, target)
    else:
        error = refused("referral_transition", check_referral_transition, current, target)
        assert error.field == "state"


def test_a_refused_referral_transition_explains_what_may_follow():
    error = refused("referral_transition", check_referral_transition, "accepted", "cancelled")
    assert error.message == ("Une orientation acceptée ne peut pas devenir annulée "
                             "(suites possibles : démarrée).")
    error = refused("referral_transition", check_referral_transition, "completed", "started")
    assert "aucune (état final)" in error.message


@pytest.mark.parametrize("current, target", [("lost", "sent"), ("sent", "lost")])
def test_an_unknown_referral_state_is_refused(current, target):
    refused("referral_state_unknown", check_referral_transition, current, target)


def test_referral_paths_follow_the_transitions():
    assert REFERRAL_PATHS["sent"] == ("sent",)
    for current, targets in REFERRAL_TRANSITIONS.items():
        for target in targets:
            assert REFERRAL_PATHS[target] == REFERRAL_PATHS[current] + (target,)
    assert set(REFERRAL_PATHS) == set(REFERRAL_STATES) == set(REFERRAL_DATE_FIELDS)


# --- referrals: the state derived from the dates -------------------------------------------------------

@pytest.mark.parametrize("state", REFERRAL_STATES)
def test_each_referral_path_gives_its_state(state):
    path = REFERRAL_PATHS[state]
    dates = {name: D1 + timedelta(days=i) for i, name in enumerate(path)}
    assert referral_state(dates) == state
    same_day = {name: D1 for name in path}
    assert referral_state(same_day) == state
    with_nulls = {name: dates.get(name) for name in REFERRAL_DATE_FIELDS}
    assert referral_state(with_nulls) == state


@pytest.mark.parametrize("dates, field", [
    ({"sent": D1, "accepted": D2, "refused": D3}, "refused"),
    ({"sent": D1, "started": D2}, "started"),
    ({"sent": D1, "accepted": D2, "cancelled": D3}, "cancelled"),
    ({"sent": D1, "accepted": D2, "started": D3, "completed": D4, "dropped_out": D4}, "dropped_out"),
    ({"sent": D1, "refused": D2, "started": D3}, "started"),
])
def test_dates_forming_no_referral_path_are_refused(dates, field):
    assert refused("referral_path", referral_state, dates).field == field


def test_a_referral_without_a_sent_date_is_refused():
    assert refused("referral_date_missing", referral_state, {}).field == "sent"
    assert refused("referral_date_missing", referral_state, {"accepted": D2}).field == "sent"


@pytest.mark.parametrize("state", [s for s in REFERRAL_STATES if s != "sent"])
def test_a_referral_step_dated_before_the_previous_one_is_refused(state):
    path = REFERRAL_PATHS[state]
    dates = {name: D1 + timedelta(days=10 * i) for i, name in enumerate(path)}
    dates[path[-1]] = dates[path[-2]] - DAY
    error = refused("dates_backwards", referral_state, dates)
    assert error.field == path[-1]
    assert error.message == f"{date_of(path[-1]).capitalize()} ne peut précéder {date_of(path[-2])}."


def test_a_referral_accepted_before_it_was_sent_is_explained_in_french():
    error = refused("dates_backwards", referral_state, {"sent": D2, "accepted": D1})
    assert error.message == "La date d'acceptation ne peut précéder la date d'envoi."


short_dates = st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 1, 10))


@given(st.dictionaries(st.sampled_from(REFERRAL_DATE_FIELDS), short_dates))
def test_referral_state_accepts_exactly_ordered_paths(dates):
    valid = [state for state, path in REFERRAL_PATHS.items()
             if set(path) == set(dates) and all(dates[a] <= dates[b] for a, b in itertools.pairwise(path))]
    try:
        state = referral_state(dates)
    except RuleViolation:
        assert valid == []
    else:
        assert valid == [state]


# --- participations ---------------------------------------------------------------------------------

def test_a_complete_participation_is_accepted():
    check_participation(D1, D4, 100, 85, "A1", "A2")
    check_participation(D1, None, None, None, None, None)
    check_participation(D1, D1, 0, 0, "pre_A1", "pre_A1")
    check_participation(D1, D4, 100, 120, "B1", "A2")   # more hours than planned, or a lower level, are facts


def test_a_participation_ending_before_it_starts_is_refused():
    assert refused("dates_backwards", check_participation, D2, D1, 10, 5, None, None).field == "end"


@pytest.mark.parametrize("planned, attended, field", [(-1, 0, "planned_hours"), (10, -0.5, "attended_hours")])
def test_negative_hours_are_refused(planned, attended, field):
    assert refused("negative_hours", check_participation, D1, D4, planned, attended, None, None).field == field


@pytest.mark.parametrize("value", (math.nan, math.inf, -math.inf))
def test_hours_that_are_not_numbers_are_refused(value):
    assert refused("hours_invalid", check_participation, D1, D4, value, 0, None, None).field == "planned_hours"
    assert refused("hours_invalid", check_participation, D1, D4, 10, value, None, None).field == "attended_hours"


@pytest.mark.parametrize("start, end, field", [("A0", "A1", "level_start"), ("A1", "b2", "level_end")])
def test_unknown_cecrl_levels_are_refused(start, end, field):
    assert refused("level_unknown", check_participation, D1, D4, 10, 5, start, end).field == field


# --- CECRL progression ------------------------------------------------------------------------------

def test_cecrl_levels_are_ranked_in_order():
    assert [level_rank(level) for level in LEVELS] == list(range(7))
    assert LEVELS == ("pre_A1", "A1", "A2", "B1", "B2", "C1", "C2")
    assert level_rank(None) is None and level_rank("Z9") is None


@pytest.mark.parametrize("start, end, progressed", [
    ("pre_A1", "A1", True), ("A1", "A2", True), ("A1", "B1", True), ("B2", "C2", True),
    ("A1", "A1", False), ("C2", "C2", False), ("A2", "A1", False),
    (None, "A1", False), ("A1", None, False), (None, None, False),
])
def test_progressed_one_level(start, end, progressed):
    assert progressed_one_level(start, end) is progressed


@given(st.sampled_from(LEVELS), st.sampled_from(LEVELS))
def test_progression_is_strictly_a_higher_end_level(start, end):
    assert progressed_one_level(start, end) is (LEVELS.index(end) > LEVELS.index(start))


# --- jobs -------------------------------------------------------------------------------------------

def test_a_cdi_has_no_length():
    check_job("cdi", None)
    assert refused("cdi_months", check_job, "cdi", 12).field == "months"


@pytest.mark.parametrize("kind", [k for k in JOB_KINDS if k != "cdi"])
def test_other_jobs_have_a_length_of_at_least_one_month_when_known(kind):
    check_job(kind, None)
    check_job(kind, 1)
    check_job(kind, 36)
    assert refused("job_months", check_job, kind, 0).field == "months"
    refused("job_months", check_job, kind, -3)


def test_an_unknown_job_kind_is_refused():
    assert refused("job_kind_unknown", check_job, "stage", 3).field == "kind"


@pytest.mark.parametrize("kind, months, durable", [
    ("cdi", None, True),
    ("cdd", 6, False), ("cdd", 7, True), ("interim", 6, False), ("interim", 7, True),
    ("apprenticeship", 24, True), ("subsidised", 1, False), ("self_employed", None, False),
    ("cdd", None, False), (None, 12, False), (None, None, False),
])
def test_durable_job_is_a_cdi_or_more_than_six_months(kind, months, durable):
    assert is_durable_job(kind, months) is durable


@given(st.sampled_from([k for k in JOB_KINDS if k != "cdi"]), st.integers(min_value=1, max_value=120))
def test_durable_job_threshold(kind, months):
    assert is_durable_job(kind, months) is (months >= 7)
