"""Which proof is expected for which step of the path, and what the file holds of it (SPEC §4.7, issue 18).

A pure table (`RIGHT_PROOFS`, `HOUSING_STEP_PROOFS`, `HOUSING_PROOFS`, `JOB_PROOFS`): the document kinds of
models/enums.py (DOCUMENT_KINDS) that prove a right obtained, a housing application, a housing access or a
job. `expected_proofs` turns the steps a person is on into the kinds expected (each with the steps that
ask for it); `checklist` compares them with the person's CURRENT documents (a replaced document is history,
not a proof: docs/rules.md, « Justificatifs attendus »). No database, no request: the file page, the
printable summary and the tests all ask these functions.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from models.enums import DocumentKind, HousingKind, HousingStepKind, JobKind, RightKind, RightState

# The same 90 days as the document_expiry alert (agir.rules.alerts.DOCUMENT_EXPIRY_DAYS, INTERCHANGE.md).
EXPIRING_DAYS = 90

# A right proves itself once OBTAINED (the certificate of the body that opened it). Employment registration
# and the driving licence have no document kind of their own (INTERCHANGE.md lists the kinds): no proof
# is expected, an `other` document may still be kept.
RIGHT_PROOFS: dict[str, tuple[str, ...]] = {
    RightKind.RESIDENCE_PERMIT: (DocumentKind.RESIDENCE_PERMIT,),
    RightKind.CIVIL_STATUS: (DocumentKind.IDENTITY,),
    RightKind.HEALTH_INSURANCE: (DocumentKind.HEALTH_INSURANCE,),      # PUMa: attestation de droits
    RightKind.COMPLEMENTARY_HEALTH: (DocumentKind.HEALTH_INSURANCE,),  # CSS / C2S: attestation de droits
    RightKind.CAF_BENEFITS: (DocumentKind.CAF,),
    RightKind.RSA: (DocumentKind.CAF,),                                # paid by the CAF: attestation de paiement
    RightKind.BANK_ACCOUNT: (DocumentKind.BANK_DETAILS,),
    RightKind.EMPLOYMENT_REGISTRATION: (),
    RightKind.DRIVING_LICENCE: (),
}
# A social-housing application is filed with a valid residence permit (régularité du séjour, CCH R441-1);
# the other applications carry their number, no document.
HOUSING_STEP_PROOFS: dict[str, tuple[str, ...]] = {
    HousingStepKind.SOCIAL_HOUSING_APPLICATION: (DocumentKind.RESIDENCE_PERMIT,),
    HousingStepKind.SIAO_APPLICATION: (),
    HousingStepKind.IML_APPLICATION: (),
    HousingStepKind.OTHER: (),
}
# A dwelling rented or sublet is proven by its lease (bail, or the sublease of an IML sublet); temporary
# housing has none.
HOUSING_PROOFS: dict[str, tuple[str, ...]] = {
    HousingKind.SOCIAL_RENTAL: (DocumentKind.LEASE,),
    HousingKind.PRIVATE_RENTAL: (DocumentKind.LEASE,),
    HousingKind.IML_MANDATE: (DocumentKind.LEASE,),
    HousingKind.IML_SUBLET: (DocumentKind.LEASE,),
    HousingKind.TEMPORARY: (),
}
# A job is proven by its contract; a self-employed activity has none.
JOB_PROOFS: dict[str, tuple[str, ...]] = {
    JobKind.CDI: (DocumentKind.EMPLOYMENT_CONTRACT,),
    JobKind.CDD: (DocumentKind.EMPLOYMENT_CONTRACT,),
    JobKind.INTERIM: (DocumentKind.EMPLOYMENT_CONTRACT,),
    JobKind.APPRENTICESHIP: (DocumentKind.EMPLOYMENT_CONTRACT,),
    JobKind.SUBSIDISED: (DocumentKind.EMPLOYMENT_CONTRACT,),
    JobKind.SELF_EMPLOYED: (),
}
# Kept when the person has them, never expected: a diploma (recognition, ENIC-NARIC) proves a past
# qualification, not a step of the path; `other` proves nothing in particular.
NEVER_EXPECTED = (DocumentKind.DIPLOMA, DocumentKind.OTHER)

# Order of the lines: the order of DOCUMENT_KINDS.
_ORDER = {kind.value: position for position, kind in enumerate(DocumentKind)}

PRESENT_STATES = ("valid", "expiring", "expired")
MISSING = "missing"
PENDING = "pending"


@dataclass(frozen=True)
class Reason:
    """A step asking for a proof: its area (right, housing_step, housing, job, permit) and its kind."""

    area: str
    kind: str


@dataclass
class Expected:
    """A document kind expected in the file, and every step that asks for it."""

    kind: str
    reasons: list[Reason] = field(default_factory=list)


@dataclass(frozen=True)
class Held:
    """A document of the file, as the checklist sees it (plain values from one query)."""

    id: int
    kind: str
    document_on: date
    expires_on: date | None
    current: bool = True      # False once another document replaced it (history)
    usable: bool = True       # False when its scan found it infected (never a proof)
    scanning: bool = False    # True while no scanner has answered for it (« en attente d'analyse »)


@dataclass
class Line:
    """One line of the checklist: the kind expected, why, its state and the document proving it."""

    kind: str
    reasons: list[Reason]
    state: str                # valid | expiring | expired | pending | missing
    document: Held | None = None


def expected_proofs(*, rights: Iterable[tuple[str, str]] = (), housing_steps: Iterable[str] = (),
                    housing: Iterable[str] = (), jobs: Iterable[str] = (),
                    permit_recorded: bool = False) -> list[Expected]:
    """The document kinds expected for the steps a person is on, in the order of DOCUMENT_KINDS.

    rights: (kind, state) — only an obtained right asks for its proof; housing_steps / housing / jobs:
    the kinds recorded; permit_recorded: the file records a residence permit's expiry date."""
    wanted: dict[str, Expected] = {}

    def ask(kinds: tuple[str, ...], reason: Reason) -> None:
        for kind in kinds:
            line = wanted.setdefault(str(kind), Expected(str(kind)))
            if reason not in line.reasons:
                line.reasons.append(reason)

    if permit_recorded:
        ask((DocumentKind.RESIDENCE_PERMIT,), Reason("permit", "permit_expiry_on"))
    for kind, state in rights:
        if state == RightState.OBTAINED:
            ask(RIGHT_PROOFS.get(kind, ()), Reason("right", kind))
    for kind in housing_steps:
        ask(HOUSING_STEP_PROOFS.get(kind, ()), Reason("housing_step", kind))
    for kind in housing:
        ask(HOUSING_PROOFS.get(kind, ()), Reason("housing", kind))
    for kind in jobs:
        ask(JOB_PROOFS.get(kind, ()), Reason("job", kind))
    return sorted(wanted.values(), key=lambda line: _ORDER.get(line.kind, len(_ORDER)))


def proof_state(expires_on: date | None, today: date) -> str:
    """valid, expiring (expires within 90 days, today included) or expired (expired before today)."""
    if expires_on is None:
        return "valid"
    if expires_on < today:
        return "expired"
    if expires_on <= today + timedelta(days=EXPIRING_DAYS):
        return "expiring"
    return "valid"


def best_proof(documents: Iterable[Held], kind: str) -> Held | None:
    """The current, usable document of a kind that proves the longest: no expiry first, then the latest
    expiry, then the latest date (the same « latest-expiring » choice as the document_expiry alert)."""
    candidates = [d for d in documents if d.kind == kind and d.current and d.usable and not d.scanning]
    if not candidates:
        return None
    return max(candidates, key=lambda d: (d.expires_on is None, d.expires_on or date.min, d.document_on, d.id))


def checklist(expected: Iterable[Expected], documents: Iterable[Held], today: date) -> list[Line]:
    """For every kind expected: the document that proves it and its state; `pending` when the only documents of
    that kind still wait for their virus scan (nobody could open them: not yet a proof, not missing either);
    otherwise `missing`."""
    held = list(documents)
    lines = []
    for wanted in expected:
        proof = best_proof(held, wanted.kind)
        if proof is not None:
            lines.append(Line(wanted.kind, list(wanted.reasons), proof_state(proof.expires_on, today), proof))
            continue
        waiting = [d for d in held if d.kind == wanted.kind and d.current and d.usable and d.scanning]
        if waiting:
            latest = max(waiting, key=lambda d: (d.document_on, d.id))
            lines.append(Line(wanted.kind, list(wanted.reasons), PENDING, latest))
        else:
            lines.append(Line(wanted.kind, list(wanted.reasons), MISSING, None))
    return lines


def missing_count(lines: Iterable[Line]) -> int:
    """How many expected proofs the file lacks (expired ones are counted apart: they are held)."""
    return sum(1 for line in lines if line.state == MISSING)
