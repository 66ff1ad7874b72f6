"""Text fields: one table of maximum lengths, and the medical-word check of referral needs.

MAX_LENGTHS is the only place a text length is decided. A VARCHAR column gives its own length
(read from the model, so a migration that widens a column widens the forms and the importer with
it); a TEXT column has no length in the database, and the table gives the one chosen in
docs/rules.md (« One rule, one place »). The forms' Length validators, the operations and the
interchange schema all read it.

The medical-word check: SPEC §3 « no diagnosis or medical detail is ever stored »; a referral's
need says what is expected of the programme, never why medically. The referral form and
`agir import` both call `check_no_medical_detail` (through `check_need` for the form).
"""
import re

from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l
from models import (
    Department,
    DiagnosticArea,
    Document,
    Event,
    Extension,
    Household,
    HousingStep,
    Note,
    Person,
    PlanObjective,
    Programme,
    Referral,
    RightStep,
    Structure,
)


def column_length(model, column: str) -> int:
    """The length of a VARCHAR column of a model (String(n) → n)."""
    length = model.__table__.c[column].type.length
    if length is None:
        raise ValueError(f"{model.__name__}.{column} has no length: give one in MAX_LENGTHS")
    return length


# Key: "<record>.<field>" as the interchange file names them (the form fields follow the columns).
MAX_LENGTHS: dict[str, int] = {
    "department.code": column_length(Department, "code"),
    "department.name": column_length(Department, "name"),
    "structure.ref": column_length(Structure, "ref"),
    "structure.name": column_length(Structure, "name"),
    "programme.ref": column_length(Programme, "ref"),
    "programme.name": column_length(Programme, "name"),
    "programme.carif_oref_ref": column_length(Programme, "carif_oref_ref"),
    "person.ref": column_length(Person, "ref"),
    "person.household": column_length(Household, "ref"),
    "person.last_name": column_length(Person, "last_name"),
    "person.first_name": column_length(Person, "first_name"),
    "person.nationality": column_length(Person, "nationality"),
    "person.prior_programme": column_length(Person, "prior_programme"),
    "person.phone": column_length(Person, "phone"),
    "person.email": column_length(Person, "email"),
    "housing_step.number": column_length(HousingStep, "number"),
    "event.event": column_length(Event, "event_ref"),
    "referral.need": column_length(Referral, "need"),
    # TEXT columns: the lengths chosen for what a person types (docs/rules.md).
    "note.text": 5000,
    "extension.reason": 2000,
    "right.reason": 500,
    "referral.refusal_reason": 1000,
    # Contract v2 (issue 15): a document's file name, the diagnostic's text per area, a plan objective.
    "document.filename": column_length(Document, "filename"),
    "diagnostic.text": 2000,
    "plan.objective": 500,
}
# The TEXT columns the table bounds (checked by tests/rules/test_text.py against the models).
TEXT_COLUMNS = {"note.text": (Note, "text"), "extension.reason": (Extension, "reason"),
                "right.reason": (RightStep, "refusal_reason"), "referral.refusal_reason": (Referral, "refusal_reason"),
                "diagnostic.text": (DiagnosticArea, "text"), "plan.objective": (PlanObjective, "objective")}
NEED_MAX = MAX_LENGTHS["referral.need"]


def too_long_message(limit: int):
    """The message of a text beyond its length (lazy: French outside a request)."""
    return _l("Ce texte fait au plus %(limit)s caractères.", limit=limit)


def check_length(value: str | None, key: str, field: str | None = None) -> None:
    """A text within MAX_LENGTHS[key] characters (None passes)."""
    limit = MAX_LENGTHS[key]
    if value is not None and len(value) > limit:
        raise RuleViolation("too_long", too_long_message(limit), field or key.rsplit(".", 1)[1])


# Words that only a diagnosis or a medical detail would use: the need says what is sought, never why medically.
MEDICAL_TERMS = re.compile(
    r"\b(diagnostiqu\w*|pathologie\w*|vih|sida|s[ée]ropositi\w*|tuberculose|h[ée]patite\w*|"
    r"cancer\w*|tumeur\w*|diab[èe]t\w*|d[ée]pression|d[ée]pressi[fv]\w*|schizophr\w*|psychoses?|psychotique\w*|"
    r"bipolaire\w*|[ée]pilep\w*|ptsd|tspt|stress post[- ]traumatique|syndrome\w*|traumatisme\w*|grossesse|"
    r"enceinte|chimioth[ée]rapie|antir[ée]troviral\w*|m[ée]dicament\w*|ordonnance\w*|handicap\w*)\b",
    re.IGNORECASE,
)


def medical_word(text: str | None) -> str | None:
    """The first word of the text that only a diagnosis or a treatment would use, or None."""
    found = MEDICAL_TERMS.search(text or "")
    return found.group(0) if found else None


def check_no_medical_detail(text: str | None, field: str = "need") -> None:
    """Refuse a text naming a disease, a diagnosis or a treatment (SPEC §3: never stored)."""
    word = medical_word(text)
    if word is not None:
        raise RuleViolation("need_medical",
                            _l("Le besoin ne doit contenir aucune information médicale (« %(word)s ») : "
                               "indiquez ce qui est attendu du programme, jamais un diagnostic ou un traitement.",
                                   word=word), field)


def check_need(need: str | None) -> str:
    """A referral's need as the form takes it: one sentence, NEED_MAX characters at most, no medical detail."""
    need = " ".join((need or "").split())
    if not need:
        raise RuleViolation("need_required", _l("Décrivez le besoin en une phrase."), "need")
    if len(need) > NEED_MAX:
        raise RuleViolation("need_too_long", _l("Le besoin tient en %(need_max)s caractères au plus.",
                                                need_max=NEED_MAX), "need")
    check_no_medical_detail(need)
    return need
