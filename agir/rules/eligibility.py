"""Eligibility to AGIR and to structuring projects, priority, and the 5-year window (SPEC §4.1)."""
from dataclasses import dataclass, field
from datetime import date

from agir.dates import add_months, add_years
from agir.i18n import N_, LazyDate
from agir.i18n import lazy_gettext as _l
from models.enums import BPI_STATUSES

MESSAGES = {
    "not_bpi": N_("La personne n'est pas bénéficiaire de la protection internationale (BPI)."),
    "missing_protection_date": N_("La date d'obtention de la protection est obligatoire pour un·e BPI."),
    "agir_not_deployed": N_("AGIR n'est pas encore déployé dans ce département."),
    "before_agir_start": N_("La date d'entrée est antérieure au déploiement d'AGIR dans le département (%(start)s)."),
    "two_years_passed": N_("La protection a été obtenue il y a plus de deux ans (limite : %(limit)s)."),
    "structure_cannot_hold": N_("Cette structure ne peut pas porter d'accompagnement "
                             "(seuls les opérateurs AGIR et de projets structurants le peuvent)."),
    "before_protection": N_("La date d'entrée est antérieure à la date d'obtention de la protection."),
}
WARNINGS = {
    "prior_programme": N_("La personne a déjà été accompagnée (%(programme)s) : "
                       "AGIR vise les personnes non déjà accompagnées."),
}


@dataclass(frozen=True)
class Reason:
    """One failed condition: a code and its message (lazy: French outside a request, the reader's language in one)."""

    code: str
    message: object


@dataclass(frozen=True)
class Verdict:
    """The outcome of the eligibility check at an enrolment date."""

    eligible: bool
    kind: str | None  # "agir", "project", or None when the structure cannot hold accompaniments
    reasons: tuple[Reason, ...] = ()
    priority: bool = False
    warnings: tuple[Reason, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        """Codes of the failed conditions."""
        return [r.code for r in self.reasons]


def is_bpi(status: str | None) -> bool:
    """Refugee, subsidiary protection or stateless."""
    return status in BPI_STATUSES


def two_year_limit(protection_on: date) -> date:
    """Last day excluded: enrolment must come strictly before protection + 2 years."""
    return add_years(protection_on, 2)


def is_priority(protection_on: date | None, on: date) -> bool:
    """Priority public (§3.4 b): protection obtained less than 12 months before the date."""
    return protection_on is not None and protection_on <= on < add_months(protection_on, 12)


def accompaniment_kind(structure_kind: str) -> str | None:
    """AGIR operator → "agir", project operator → "project", any other kind holds nothing."""
    return {"agir_operator": "agir", "project_operator": "project"}.get(structure_kind)


def check_eligibility(
    *, status: str, protection_on: date | None, on: date, structure_kind: str,
    agir_start: date | None, prior_programme: str | None = None,
) -> Verdict:
    """Verdict with reasons for enrolling a person on `on` with a structure of a department."""
    reasons: list[Reason] = []
    kind = accompaniment_kind(structure_kind)
    if kind is None:
        reasons.append(Reason("structure_cannot_hold", _l(MESSAGES["structure_cannot_hold"])))
    if not is_bpi(status):
        reasons.append(Reason("not_bpi", _l(MESSAGES["not_bpi"])))
    elif protection_on is None:
        reasons.append(Reason("missing_protection_date", _l(MESSAGES["missing_protection_date"])))
    elif on < protection_on:
        # Before the protection date the person is not yet a BPI (docs/rules.md).
        reasons.append(Reason("before_protection", _l(MESSAGES["before_protection"])))
    if kind == "agir":
        if agir_start is None:
            reasons.append(Reason("agir_not_deployed", _l(MESSAGES["agir_not_deployed"])))
        elif on < agir_start:
            reasons.append(Reason("before_agir_start",
                                  _l(MESSAGES["before_agir_start"], start=LazyDate(agir_start))))
        if is_bpi(status) and protection_on is not None and on >= two_year_limit(protection_on):
            limit = two_year_limit(protection_on)
            reasons.append(Reason("two_years_passed",
                                  _l(MESSAGES["two_years_passed"], limit=LazyDate(limit))))
    warnings: tuple[Reason, ...] = ()
    if prior_programme and prior_programme.strip():
        warnings = (Reason("prior_programme",
                           _l(WARNINGS["prior_programme"], programme=prior_programme.strip())),)
    return Verdict(
        eligible=not reasons, kind=kind, reasons=tuple(reasons),
        priority=is_bpi(status) and is_priority(protection_on, on), warnings=warnings,
    )


def within_referral_window(reference_on: date | None, on: date) -> bool:
    """Specialised programmes are open until protection (or first permit) date + 5 years, excluded."""
    return reference_on is not None and on < add_years(reference_on, 5)


def eligibility_closing_on(protection_on: date) -> date:
    """Last day a BPI can still enter AGIR (the day before protection + 2 years)."""
    from datetime import timedelta
    return two_year_limit(protection_on) - timedelta(days=1)
