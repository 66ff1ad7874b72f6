"""Rules of a person's file (SPEC §3) that the forms, the operations and `agir import` share.

« Not after today » (a fact cannot be dated in the future), « not before birth », the protection /
first-permit requirement (a BPI needs a protection date, anyone else a first permit date), e-mail
validity, the lengths of the person's texts, and the enrolments a change of status or protection
date would make ineligible. Values are named as the model's columns (birth_on, protection_on…);
`agir.interchange.checks` maps them to the interchange names (birth_date, protection_date…).

`person_violations` returns every violation at once (a form shows them together, the importer
prints one line each); the `check_*` functions raise the first.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from agir.errors import RuleViolation
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from agir.rules.eligibility import MESSAGES as ELIGIBILITY_MESSAGES
from agir.rules.eligibility import check_eligibility, is_bpi, two_year_limit
from agir.rules.text import MAX_LENGTHS, too_long_message

# Dates that describe the past: a date after today is a typing error.
PAST_DATES = {
    "birth_on": _l("La date de naissance"), "protection_on": _l("La date de protection"),
    "first_permit_on": _l("La date du premier titre"), "arrival_on": _l("La date d'arrivée"),
    "cir_on": _l("La date de signature du CIR"),
}
# Dates that cannot come before the birth (the permit expiry is left out: it is no fact of the past).
AFTER_BIRTH = ("protection_on", "first_permit_on", "arrival_on", "cir_on")
PROTECTION_REQUIRED = _l(ELIGIBILITY_MESSAGES["missing_protection_date"])
FIRST_PERMIT_REQUIRED = _l("La date du premier titre de séjour est obligatoire pour un·e primo-arrivant·e.")
EMAIL_INVALID = _l("Adresse électronique invalide (exemple : prenom.nom@exemple.fr).")
# The person's texts and their key in agir.rules.text.MAX_LENGTHS.
TEXT_FIELDS = {"last_name": "person.last_name", "first_name": "person.first_name",
               "prior_programme": "person.prior_programme", "phone": "person.phone", "email": "person.email"}


def not_after_today(day: date | None, field: str, what: str, today: date) -> None:
    """A date of something that happened is not after today (`what`: « La date de … », feminine)."""
    if day is not None and day > today:
        raise RuleViolation("date_in_future", _l("%(what)s ne peut pas être postérieure à aujourd'hui.", what=what),
                            field)


def not_before_birth(day: date | None, birth: date | None, field: str, what: str) -> None:
    """A date of the person's life is not before their birth."""
    if day is not None and birth is not None and day < birth:
        raise RuleViolation("before_birth", _l("%(what)s ne peut précéder la naissance.", what=what), field)


def check_reference_date(status: str | None, protection_on: date | None, first_permit_on: date | None) -> None:
    """A BPI needs a protection date; anyone else a first residence permit date (SPEC §3, INTERCHANGE)."""
    if status is None:
        return
    if is_bpi(status) and protection_on is None:
        raise RuleViolation("protection_required", PROTECTION_REQUIRED, "protection_on")
    if not is_bpi(status) and first_permit_on is None:
        raise RuleViolation("first_permit_required", FIRST_PERMIT_REQUIRED, "first_permit_on")


# Addresses of the plainest form (ASCII dot-atom, hostname labels without « -- », a TLD of letters that
# is not a special-use name), which email-validator always accepts: they skip its full parse (an import
# checks thousands of them). Anything else goes through email-validator (tests/rules: same verdicts).
_PLAIN_EMAIL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@"
                          r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63})")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)


def plain_email(value: str) -> bool:
    """True for an address of the plainest form, which email-validator accepts (no need to ask it)."""
    match = _PLAIN_EMAIL.fullmatch(value)
    return (match is not None and len(value) <= 254 and "--" not in value.partition("@")[2]
            and match.group(1).lower() not in _SPECIAL_USE and len(value.partition("@")[0]) <= 64)


@lru_cache(maxsize=4096)
def _email_ok(value: str) -> bool:
    if plain_email(value):
        return True
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def check_email(value: str | None, field: str = "email") -> None:
    """An e-mail address valid as written (RFC 5322/6531 syntax, a real domain name; no DNS lookup)."""
    if value is not None and not _email_ok(value):
        raise RuleViolation("email", EMAIL_INVALID, field)


def _length_violations(values: dict) -> list[RuleViolation]:
    """The person's texts beyond their columns' lengths (agir.rules.text.MAX_LENGTHS)."""
    found = []
    for name, key in TEXT_FIELDS.items():
        value, limit = values.get(name), MAX_LENGTHS[key]
        if isinstance(value, str) and len(value) > limit:
            found.append(RuleViolation("too_long", too_long_message(limit), name))
    return found


def _collect(found: list, check, *args) -> None:
    try:
        check(*args)
    except RuleViolation as exc:
        found.append(exc)


def person_violations(values: dict, today: date, lengths: bool = True) -> list[RuleViolation]:
    """Every violation of the shared person rules, in the order of the form's fields.

    `values` holds the person's fields by column name (missing keys are None). `lengths=False`
    leaves the lengths to a caller that checked them already (the interchange schema).
    """
    found: list[RuleViolation] = []
    birth = values.get("birth_on")
    _collect(found, check_reference_date, values.get("status"), values.get("protection_on"),
             values.get("first_permit_on"))
    for name, what in PAST_DATES.items():
        day = values.get(name)
        if day is None:
            continue
        if day > today:  # (the rules are called only to refuse: an import asks this of every line)
            _collect(found, not_after_today, day, name, what, today)
            if name == "birth_on":
                birth = None  # a birth date refused is compared with nothing (one error, on the birth date)
        elif birth is not None and name in AFTER_BIRTH and day < birth:
            _collect(found, not_before_birth, day, birth, name, what)
    if values.get("email") is not None:
        _collect(found, check_email, values["email"])
    if lengths:
        found += _length_violations(values)
    return found


@dataclass(frozen=True)
class Enrolment:
    """What the eligibility rule needs of an accompaniment already recorded."""

    start_on: date
    structure_kind: str
    agir_start: date | None


# The eligibility reasons a person's own values decide (status, protection date), and the field to blame.
PERSON_REASONS = {"not_bpi": "status", "before_protection": "protection_on", "two_years_passed": "protection_on"}


def enrolment_violations(status: str | None, protection_on: date | None,
                         enrolments: Iterable[Enrolment]) -> list[RuleViolation]:
    """The accompaniments a change of status or protection date would make ineligible (SPEC §4.1).

    `agir import` checks every accompaniment of a file against the person's status and protection
    date; a form that changes them must refuse what the import would (an enrolment before the
    protection date, a non-BPI accompanied, an AGIR entry two years or more after the protection).
    The reasons that do not depend on the person (AGIR not deployed, the structure's kind) are left out:
    editing a person never creates them. A missing protection date is check_reference_date's.
    """
    found: list[RuleViolation] = []
    if status is None:
        return found
    for enrolment in sorted(enrolments, key=lambda e: e.start_on):
        verdict = check_eligibility(status=status, protection_on=protection_on, on=enrolment.start_on,
                                    structure_kind=enrolment.structure_kind, agir_start=enrolment.agir_start)
        for reason in verdict.reasons:
            field = PERSON_REASONS.get(reason.code)
            if field is None or any(v.field == field for v in found):
                continue
            found.append(RuleViolation(reason.code, _enrolment_message(reason.code, enrolment, protection_on),
                                       field))
    return found


def _enrolment_message(code: str, enrolment: Enrolment, protection_on: date | None):
    start = LazyDate(enrolment.start_on)
    if code == "not_bpi":
        return _l("La personne est accompagnée depuis le %(start)s : seul·e un·e BPI (réfugié·e, protection "
                  "subsidiaire, apatride) peut l'être. Corrigez d'abord l'accompagnement.", start=start)
    if code == "before_protection":
        return _l("L'accompagnement a commencé le %(start)s, avant cette date de protection : "
                  "une entrée ne peut précéder la protection.", start=start)
    if protection_on is None:  # two_years_passed is only found with a protection date
        raise ValueError(code)
    limit = LazyDate(two_year_limit(protection_on))
    return _l("Avec cette date de protection, l'entrée en AGIR du %(start)s dépasserait la limite "
              "des deux ans (entrée avant le %(limit)s).", start=start, limit=limit)
