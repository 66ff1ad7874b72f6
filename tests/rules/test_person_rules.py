"""The person rules shared by the forms, the operations and `agir import` (agir.rules.person), and the one
« today » of the application (agir.dates.today, Europe/Paris)."""
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agir import dates
from agir.errors import RuleViolation
from agir.rules.person import (
    Enrolment,
    check_email,
    check_reference_date,
    enrolment_violations,
    not_after_today,
    not_before_birth,
    person_violations,
)
from models.enums import BPI_STATUSES, STATUSES

TODAY = date(2026, 3, 10)
NON_BPI = tuple(s for s in STATUSES if s not in BPI_STATUSES)
ROOT = Path(__file__).resolve().parents[2]


def person(**kw):
    values = dict(status="refugee", birth_on=date(1995, 3, 2), protection_on=date(2024, 1, 10), first_permit_on=None,
                  arrival_on=date(2024, 2, 1), cir_on=date(2024, 3, 1), email="amina.haidari@exemple.fr",
                  last_name="Haidari", first_name="Amina", prior_programme=None, phone=None)
    values.update(kw)
    return values


def fields(violations):
    return [(v.code, v.field) for v in violations]


# --- « today » is the day in France ------------------------------------------------------------

def test_today_is_the_day_in_paris():
    before = datetime.now(ZoneInfo("Europe/Paris")).date()
    assert dates.today() in (before, before + timedelta(days=1))  # (midnight may pass in between)


def test_no_code_of_the_application_asks_the_server_clock_for_its_day():
    """« today » means Europe/Paris everywhere: date.today() (the server's zone, often UTC: still yesterday
    until 01:00 or 02:00 in France) and a UTC time cut to its date are never used as a day."""
    found = []
    pattern = re.compile(r"\bdate\.today\b|datetime\.(now|utcnow)\(\)\.date\(\)|utcnow\(\)\.date\(\)|"
                         r"datetime\.now\(UTC\)\.date\(\)")
    for folder in ("agir", "blueprints"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


# --- not after today, not before birth ---------------------------------------------------------

def test_a_fact_dated_today_is_accepted_and_tomorrow_refused():
    not_after_today(TODAY, "date", "La date de la note", TODAY)
    with pytest.raises(RuleViolation) as refused:
        not_after_today(TODAY + timedelta(days=1), "date", "La date de la note", TODAY)
    assert refused.value.code == "date_in_future" and refused.value.field == "date"
    assert refused.value.message == "La date de la note ne peut pas être postérieure à aujourd'hui."


def test_a_date_of_the_persons_life_on_the_birth_day_is_accepted_and_the_day_before_refused():
    birth = date(1995, 3, 2)
    not_before_birth(birth, birth, "cir_on", "La date de signature du CIR")
    not_before_birth(None, birth, "cir_on", "La date de signature du CIR")
    with pytest.raises(RuleViolation) as refused:
        not_before_birth(birth - timedelta(days=1), birth, "cir_on", "La date de signature du CIR")
    assert (refused.value.code, refused.value.field) == ("before_birth", "cir_on")
    assert "ne peut précéder la naissance" in refused.value.message


@pytest.mark.parametrize("name", ["birth_on", "protection_on", "arrival_on", "cir_on"])
def test_every_date_of_the_past_is_refused_after_today(name):
    found = person_violations(person(**{name: TODAY + timedelta(days=1)}), TODAY)
    assert ("date_in_future", name) in fields(found)


@pytest.mark.parametrize("name", ["protection_on", "first_permit_on", "arrival_on", "cir_on"])
def test_every_date_of_the_persons_life_is_refused_before_the_birth(name):
    found = person_violations(person(**{name: date(1990, 1, 1)}), TODAY)
    assert ("before_birth", name) in fields(found)


def test_the_permit_expiry_is_no_fact_of_the_past():
    assert person_violations(person(permit_expiry_on=date(2031, 9, 14)), TODAY) == []


def test_every_violation_is_listed_at_once():
    found = person_violations(person(birth_on=date(2031, 1, 1), arrival_on=date(2099, 1, 1), cir_on=date(1990, 1, 1),
                                     email="pas une adresse", phone="0" * 41), TODAY)
    assert fields(found) == [("date_in_future", "birth_on"), ("date_in_future", "arrival_on"),
                             ("email", "email"), ("too_long", "phone")]
    # (the CIR date is compared with a birth date that is itself refused: said once, on the birth date)


# --- protection / first permit -----------------------------------------------------------------

@pytest.mark.parametrize("status", BPI_STATUSES)
def test_a_bpi_needs_a_protection_date(status):
    check_reference_date(status, date(2024, 1, 1), None)
    with pytest.raises(RuleViolation) as refused:
        check_reference_date(status, None, date(2024, 1, 1))
    assert (refused.value.code, refused.value.field) == ("protection_required", "protection_on")


@pytest.mark.parametrize("status", NON_BPI)
def test_anyone_else_needs_a_first_permit_date(status):
    check_reference_date(status, None, date(2024, 1, 1))
    with pytest.raises(RuleViolation) as refused:
        check_reference_date(status, date(2024, 1, 1), None)
    assert (refused.value.code, refused.value.field) == ("first_permit_required", "first_permit_on")


# --- e-mail ------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", ["nadia@example.org", "Amina.Haidari@Exemple.FR", "a+suivi@exemple.fr",
                                     "fatima.al-sayed@association.paris", "élodie@exemple.fr"])
def test_real_addresses_are_accepted(address):
    check_email(address)


@pytest.mark.parametrize("address", ["pas une adresse", "nadia@", "@exemple.fr", "nadia@exemple", "nadia@@exemple.fr",
                                     "nadia..r@exemple.fr", "nadia@exemple..fr", "nadia @exemple.fr",
                                     "nadia@exemple.fr.", "nadia@localhost", "a@b.c@d.fr"])
def test_invalid_addresses_are_refused_with_a_french_message(address):
    with pytest.raises(RuleViolation) as refused:
        check_email(address)
    assert (refused.value.code, refused.value.field) == ("email", "email")
    assert refused.value.message.startswith("Adresse électronique invalide")


# --- enrolments a change of the person would make ineligible -----------------------------------

AGIR = Enrolment(date(2024, 3, 1), "agir_operator", date(2022, 7, 1))
PROJECT = Enrolment(date(2024, 3, 1), "project_operator", None)


def test_a_protection_date_moved_after_the_entry_is_refused_on_the_protection_date():
    found = enrolment_violations("refugee", date(2024, 3, 2), [AGIR])
    assert fields(found) == [("before_protection", "protection_on")]
    assert "01/03/2024" in found[0].message


def test_a_protection_date_moved_two_years_before_an_agir_entry_is_refused_but_not_for_a_project():
    assert fields(enrolment_violations("refugee", date(2022, 3, 1), [AGIR])) == [("two_years_passed", "protection_on")]
    assert enrolment_violations("refugee", date(2022, 3, 1), [PROJECT]) == []


@pytest.mark.parametrize("status", NON_BPI)
def test_an_accompanied_person_stays_a_bpi(status):
    assert fields(enrolment_violations(status, None, [PROJECT])) == [("not_bpi", "status")]


def test_reasons_that_do_not_depend_on_the_person_are_left_out():
    late = Enrolment(date(2022, 1, 1), "agir_operator", date(2022, 7, 1))  # before AGIR's start
    assert enrolment_violations("refugee", date(2021, 9, 1), [late]) == []


@given(protection=st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 1, 1)),
       start=st.dates(min_value=date(2022, 7, 1), max_value=date(2026, 1, 1)))
def test_the_edit_rule_refuses_exactly_what_the_eligibility_rule_refuses_at_enrolment(protection, start):
    from agir.rules.eligibility import check_eligibility
    verdict = check_eligibility(status="refugee", protection_on=protection, on=start, structure_kind="agir_operator",
                                agir_start=date(2022, 7, 1))
    found = enrolment_violations("refugee", protection, [Enrolment(start, "agir_operator", date(2022, 7, 1))])
    assert [v.code for v in found] == verdict.codes


# The fast path of check_email never accepts what email-validator refuses.
_LABEL = st.text("abcXYZ019-", min_size=1, max_size=64)
_addresses = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join(labels)}{tld}",
    st.text("abcXYZ019_+-.!#", min_size=0, max_size=70), st.lists(_LABEL, min_size=0, max_size=5),
    st.sampled_from(["", ".fr", ".org", ".test", ".LOCAL", ".f", ".123", ".x-y", "." + "a" * 64, ".onion", ".paris"]))


@given(address=_addresses | st.text("ab.@-+", max_size=20))
def test_the_plain_address_shortcut_agrees_with_email_validator(address):
    from email_validator import EmailNotValidError, validate_email

    from agir.rules.person import plain_email
    if plain_email(address):
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            raise AssertionError(f"{address!r}: {exc}") from None


def test_the_plain_address_shortcut_takes_the_usual_addresses():
    from agir.rules.person import plain_email
    assert plain_email("prenom.nom.12@example.org") and plain_email("a+suivi@exemple.fr")
    assert not plain_email("a@exemple.test") and not plain_email("a@b") and not plain_email("élodie@exemple.fr")
