"""Eligibility to AGIR and to structuring projects, priority, prior programme, 5-year window (SPEC §4.1)."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agir.dates import add_months, add_years
from agir.rules.eligibility import (
    accompaniment_kind,
    check_eligibility,
    eligibility_closing_on,
    is_bpi,
    is_priority,
    two_year_limit,
    within_referral_window,
)
from models.enums import BPI_STATUSES, STATUSES, STRUCTURE_KINDS

DAY = timedelta(days=1)
AGIR_START = date(2022, 7, 1)
PROTECTION = date(2022, 3, 15)
NON_BPI = tuple(s for s in STATUSES if s not in BPI_STATUSES)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def verdict(on, *, status="refugee", protection_on=PROTECTION, structure_kind="agir_operator",
            agir_start=AGIR_START, prior_programme=None):
    return check_eligibility(status=status, protection_on=protection_on, on=on, structure_kind=structure_kind,
                             agir_start=agir_start, prior_programme=prior_programme)


# --- status (rule 1) -------------------------------------------------------------------------------

@pytest.mark.parametrize("status", BPI_STATUSES)
def test_every_bpi_status_is_eligible_within_two_years(status):
    v = verdict(date(2023, 1, 10), status=status)
    assert v.eligible and v.kind == "agir" and v.reasons == () and v.codes == []


@pytest.mark.parametrize("status", NON_BPI)
@pytest.mark.parametrize("structure_kind", ("agir_operator", "project_operator"))
def test_a_non_bpi_is_refused_by_agir_and_by_structuring_projects(status, structure_kind):
    v = verdict(date(2023, 1, 10), status=status, structure_kind=structure_kind)
    assert not v.eligible
    assert v.codes == ["not_bpi"]
    assert "protection internationale" in v.reasons[0].message
    assert v.priority is False


def test_is_bpi_only_for_the_three_protection_statuses():
    assert [s for s in STATUSES if is_bpi(s)] == list(BPI_STATUSES)
    assert not is_bpi(None) and not is_bpi("REFUGEE")


def test_a_bpi_without_protection_date_is_refused_with_its_reason():
    v = verdict(date(2023, 1, 10), protection_on=None)
    assert not v.eligible and v.codes == ["missing_protection_date"]
    assert not verdict(date(2023, 1, 10), protection_on=None, structure_kind="project_operator").eligible


# --- the department's AGIR start (rule 2) ----------------------------------------------------------

def test_enrolment_on_the_agir_start_day_is_eligible():
    assert verdict(AGIR_START).eligible


def test_enrolment_the_day_before_agir_start_is_refused():
    v = verdict(AGIR_START - DAY)
    assert not v.eligible and v.codes == ["before_agir_start"]
    assert "01/07/2022" in v.reasons[0].message


def test_agir_is_refused_where_it_is_not_deployed():
    v = verdict(date(2023, 1, 10), agir_start=None)
    assert not v.eligible and v.codes == ["agir_not_deployed"]
    assert v.reasons[0].message == "AGIR n'est pas encore déployé dans ce département."


# --- two calendar years (rule 3) --------------------------------------------------------------------

def test_the_day_before_protection_plus_two_years_is_eligible_and_that_day_is_not():
    limit = date(2024, 3, 15)
    assert two_year_limit(PROTECTION) == limit
    assert verdict(limit - DAY).eligible
    refused = verdict(limit)
    assert not refused.eligible and refused.codes == ["two_years_passed"]
    assert refused.reasons[0].message == "La protection a été obtenue il y a plus de deux ans (limite : 15/03/2024)."
    assert eligibility_closing_on(PROTECTION) == limit - DAY


def test_protection_on_29_february_plus_two_years_is_28_february():
    protection = date(2020, 2, 29)
    agir_start = date(2020, 1, 1)
    assert two_year_limit(protection) == date(2022, 2, 28)
    assert verdict(date(2022, 2, 27), protection_on=protection, agir_start=agir_start).eligible
    assert verdict(date(2022, 2, 28), protection_on=protection, agir_start=agir_start).codes == ["two_years_passed"]
    assert eligibility_closing_on(protection) == date(2022, 2, 27)


def test_enrolment_before_the_protection_date_is_refused():
    # docs/rules.md: before the protection date the person is not yet BPI.
    v = verdict(PROTECTION - DAY, agir_start=date(2020, 1, 1))
    assert not v.eligible and v.codes == ["before_protection"]
    assert verdict(PROTECTION, agir_start=date(2020, 1, 1)).eligible
    assert verdict(PROTECTION - DAY, structure_kind="project_operator").codes == ["before_protection"]


def test_several_failed_rules_are_all_given():
    v = verdict(date(2030, 1, 1), status="family", agir_start=None)
    assert v.codes == ["not_bpi", "agir_not_deployed"]
    v = verdict(date(2030, 1, 1), agir_start=date(2031, 1, 1))
    assert v.codes == ["before_agir_start", "two_years_passed"]


@given(protection=days, on=days, agir_start=days, status=st.sampled_from(BPI_STATUSES))
def test_agir_eligibility_is_exactly_the_three_rules(protection, on, agir_start, status):
    v = verdict(on, status=status, protection_on=protection, agir_start=agir_start)
    expected = agir_start <= on and protection <= on < add_years(protection, 2)
    assert v.eligible is expected
    assert v.eligible is (not v.reasons)
    assert v.kind == "agir"
    # The last day to enter is the day before the second anniversary.
    if agir_start <= on and protection <= on:
        assert v.eligible is (on <= eligibility_closing_on(protection))


# --- the kind of the holding structure ------------------------------------------------------------

def test_accompaniment_kind_by_structure_kind():
    assert {k: accompaniment_kind(k) for k in STRUCTURE_KINDS} == {
        "agir_operator": "agir", "project_operator": "project",
        "programme_operator": None, "state_service": None,
    }


def test_a_structuring_project_requires_only_bpi_status():
    # No AGIR in the department, protection long ago: a structuring project still takes a BPI.
    v = verdict(date(2030, 6, 1), structure_kind="project_operator", agir_start=None)
    assert v.eligible and v.kind == "project" and v.reasons == ()
    v = verdict(date(2021, 6, 1), protection_on=date(2021, 1, 1), structure_kind="project_operator",
                agir_start=AGIR_START)
    assert v.eligible


@pytest.mark.parametrize("structure_kind", ("programme_operator", "state_service"))
def test_programme_operators_and_state_services_hold_no_accompaniment(structure_kind):
    v = verdict(date(2023, 1, 10), structure_kind=structure_kind)
    assert not v.eligible and v.kind is None and v.codes == ["structure_cannot_hold"]
    assert verdict(date(2023, 1, 10), status="economic", structure_kind=structure_kind).codes == [
        "structure_cannot_hold", "not_bpi"]


# --- priority (§3.4 b) ----------------------------------------------------------------------------

def test_priority_when_protection_is_less_than_12_months_old():
    anniversary = add_months(PROTECTION, 12)
    assert anniversary == date(2023, 3, 15)
    assert verdict(anniversary - DAY).priority
    assert not verdict(anniversary).priority
    assert is_priority(PROTECTION, PROTECTION)
    assert not is_priority(PROTECTION, PROTECTION - DAY)
    assert not is_priority(None, PROTECTION)


def test_priority_from_29_february_ends_on_28_february():
    assert is_priority(date(2024, 2, 29), date(2025, 2, 27))
    assert not is_priority(date(2024, 2, 29), date(2025, 2, 28))


def test_a_non_bpi_is_never_priority():
    assert not verdict(PROTECTION + DAY, status="other").priority


def test_priority_is_given_for_a_structuring_project_too():
    assert verdict(date(2022, 5, 1), structure_kind="project_operator", agir_start=None).priority


@given(protection=days, on=days)
def test_priority_is_exactly_the_first_twelve_months(protection, on):
    assert is_priority(protection, on) is (protection <= on < add_months(protection, 12))


# --- warning: prior programme ---------------------------------------------------------------------

def test_a_prior_programme_is_a_warning_not_a_refusal():
    v = verdict(date(2023, 1, 10), prior_programme="HOPE")
    assert v.eligible
    assert [w.code for w in v.warnings] == ["prior_programme"]
    assert "HOPE" in v.warnings[0].message and "non déjà accompagnées" in v.warnings[0].message


@pytest.mark.parametrize("prior", (None, "", "   "))
def test_no_prior_programme_gives_no_warning(prior):
    assert verdict(date(2023, 1, 10), prior_programme=prior).warnings == ()


def test_the_prior_programme_warning_stays_when_refused():
    v = verdict(date(2030, 1, 1), prior_programme="HOPE")
    assert not v.eligible and [w.code for w in v.warnings] == ["prior_programme"]


# --- the five-year window for specialised programmes ----------------------------------------------

def test_referral_window_closes_at_five_years():
    assert add_years(PROTECTION, 5) == date(2027, 3, 15)
    assert within_referral_window(PROTECTION, date(2027, 3, 14))
    assert not within_referral_window(PROTECTION, date(2027, 3, 15))
    assert within_referral_window(PROTECTION, PROTECTION)


def test_referral_window_from_29_february():
    assert within_referral_window(date(2020, 2, 29), date(2025, 2, 27))
    assert not within_referral_window(date(2020, 2, 29), date(2025, 2, 28))


def test_without_reference_date_the_window_is_not_open():
    assert not within_referral_window(None, date(2023, 1, 1))


@given(reference=days, on=days)
def test_referral_window_is_strictly_before_reference_plus_five_years(reference, on):
    assert within_referral_window(reference, on) is (on < add_years(reference, 5))
