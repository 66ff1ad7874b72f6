"""The engagement contract (SPEC §4.5): generate its PDF (audited), record its signature (date, language),
correct or cancel that record with a reason (SPEC §4.8). Check, mutate, flush, audit; never commit."""
from datetime import date

from agir import contract
from agir.audit import record, record_correction
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.operations.corrections import CorrectionRefused
from agir.operations.locks import lock_person
from agir.operations.persons import check_version
from agir.rules.corrections import check_changed, check_reason
from agir.rules.entry import check_not_before_start
from models import Accompaniment
from models.base import utcnow

# The languages a contract can be signed in: French alone, or French and a language of the PDF.
SIGNATURE_LANGUAGES = ("fra", *contract.LANGUAGES)


def generate_contract(actor, accompaniment: Accompaniment, fonts: str | None = None,
                      language: str | None = None) -> tuple[bytes, str]:
    """The contract's PDF (French and `language`, else the person's); one audit entry per generation."""
    pdf, code = contract.generate(accompaniment, actor, fonts, language)
    record(actor, "contract_pdf", accompaniment.person,
           fields=["identity", "accompaniment", "plan", "contract"],
           detail=f"accompaniment {accompaniment.id}, fra+{code}")
    return pdf, code


def _holder(actor, accompaniment: Accompaniment) -> None:
    if accompaniment.structure_id != getattr(actor, "structure_id", None):
        raise RuleViolation("not_holder", _l("Seule la structure qui porte cet accompagnement enregistre son contrat."),
                            None)


def _check(accompaniment: Accompaniment, signed_on: date | None, language: str | None,
           today: date) -> list[RuleViolation]:
    """Every problem of a signature at once (field names: those of the form)."""
    found = []
    if signed_on is None:
        found.append(RuleViolation("required", _l("La date de signature est obligatoire."), "signed_on"))
    else:
        try:
            check_not_before_start(signed_on, accompaniment.start_on, "signed_on", "La date de signature")
        except RuleViolation as exc:  # the shared rule, with the entry date named and an English translation
            found.append(RuleViolation(exc.code, _l("La date de signature ne peut précéder l'entrée dans "
                                                    "l'accompagnement (le %(day)s).",
                                                    day=accompaniment.start_on.strftime("%d/%m/%Y")), "signed_on"))
        if signed_on > today:
            found.append(RuleViolation("date_in_future",
                                       _l("La date de signature ne peut pas être postérieure à aujourd'hui."),
                                       "signed_on"))
        if accompaniment.exit_on is not None and signed_on > accompaniment.exit_on:
            found.append(RuleViolation("after_exit", _l("La date de signature ne peut suivre la sortie de "
                                                        "l'accompagnement (le %(day)s).",
                                                        day=accompaniment.exit_on.strftime("%d/%m/%Y")),
                                       "signed_on"))
    if not language:
        found.append(RuleViolation("required", _l("Indiquez la langue du contrat signé."), "language"))
    elif language not in SIGNATURE_LANGUAGES:
        found.append(RuleViolation("language", _l("Le contrat n'existe pas dans cette langue."), "language"))
    return found


def _values(accompaniment: Accompaniment) -> dict:
    signed = accompaniment.contract_signed_on
    return {"contract_signed_on": signed.isoformat() if signed else None,
            "contract_language": accompaniment.contract_language}


def record_signature(actor, accompaniment: Accompaniment, signed_on: date | None, language: str | None,
                     version: int | None = None, today: date | None = None) -> Accompaniment:
    """The contract signed on that day in that language (French and it side by side)."""
    lock_person(accompaniment.person)
    check_version(accompaniment, version)
    _holder(actor, accompaniment)
    found = []
    if accompaniment.contract_signed_on is not None:
        found.append(RuleViolation("already_signed", _l("La signature du contrat est déjà enregistrée : "
                                                        "corrigez-la avec un motif."), None))
    found += _check(accompaniment, signed_on, language, today or paris_today())
    if found:
        raise CorrectionRefused(found)
    accompaniment.contract_signed_on, accompaniment.contract_language = signed_on, language
    accompaniment.updated_at = utcnow()
    db.session.flush()
    record(actor, "contract_signed", accompaniment.person, fields=["contract_signed_on", "contract_language"],
           detail=f"accompaniment {accompaniment.id}")
    return accompaniment


def correct_signature(actor, accompaniment: Accompaniment, signed_on: date | None, language: str | None,
                      reason: str | None, version: int | None = None, today: date | None = None) -> Accompaniment:
    """Correct the recorded signature (date, language), with a reason; the audit keeps before and after."""
    lock_person(accompaniment.person)
    check_version(accompaniment, version)
    _holder(actor, accompaniment)
    if accompaniment.contract_signed_on is None:
        raise RuleViolation("not_signed", _l("Aucune signature du contrat n'est enregistrée."), None)
    found = []
    try:
        check_reason(reason)
    except RuleViolation as exc:
        found.append(exc)
    found += _check(accompaniment, signed_on, language, today or paris_today())
    before = _values(accompaniment)
    after = {"contract_signed_on": signed_on.isoformat() if signed_on else None, "contract_language": language}
    if not found:
        try:
            check_changed(before, after)
        except RuleViolation as exc:
            found.append(exc)
    if found:
        raise CorrectionRefused(found)
    accompaniment.contract_signed_on, accompaniment.contract_language = signed_on, language
    accompaniment.updated_at = utcnow()
    db.session.flush()
    record_correction(actor, accompaniment.person, "contract", before, after, check_reason(reason))
    return accompaniment


def cancel_signature(actor, accompaniment: Accompaniment, reason: str | None,
                     version: int | None = None) -> Accompaniment:
    """A signature recorded by mistake: removed, with a reason (audited)."""
    lock_person(accompaniment.person)
    check_version(accompaniment, version)
    _holder(actor, accompaniment)
    if accompaniment.contract_signed_on is None:
        raise RuleViolation("not_signed", _l("Aucune signature du contrat n'est enregistrée."), None)
    check_reason(reason, cancel=True)
    before = _values(accompaniment)
    accompaniment.contract_signed_on = accompaniment.contract_language = None
    accompaniment.updated_at = utcnow()
    db.session.flush()
    record_correction(actor, accompaniment.person, "contract", before, None, check_reason(reason))
    return accompaniment
