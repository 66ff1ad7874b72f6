"""Rules of the entry path and of the v2 records (SPEC §3, §4.5–§4.7, INTERCHANGE « Since the second
version »): languages, appointments, documents, diagnostic, action plan, engagement contract, and a
department's region. Pure functions raising RuleViolation (field = the name of the field at fault),
used by `agir import` and by the forms of the next issues alike."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from agir import languages
from agir.errors import RuleViolation
from agir.i18n import lazy_gettext as _l
from agir.reference_geo import REGIONS, region_of
from agir.rules.text import medical_word
from models.enums import APPOINTMENT_MINUTES, ObjectiveState

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
HOLDING_KINDS = ("agir_operator", "project_operator")
# Statuses that say the appointment took place (or not) — only once its day has come.
OUTCOME_STATUSES = ("honoured", "missed")


def check_region(department_code: str, region: str | None) -> str | None:
    """The region of a department: absent, derived from the code; given, it must be the code's own."""
    own = region_of(department_code)
    if region is None or region == own:
        return own
    if own is None:
        raise RuleViolation("region_unknown_department",
                            _l("Le département %(department_code)s n'appartient à aucune région INSEE.",
                               department_code=department_code), "region")
    name = REGIONS.get(region)
    shown = f"{region} ({name})" if name else region
    raise RuleViolation("region_mismatch",
                        _l("La région %(shown)s n'est pas celle du département %(department_code)s : sa région "
                           "INSEE est %(own)s (%(value)s).", shown=shown, department_code=department_code, own=own,
                               value=REGIONS[own]), "region")


def check_language(code: str, field: str = "code") -> None:
    """An ISO 639-3 code (agir/languages.py)."""
    if not languages.is_iso639_3(code):
        raise RuleViolation("language_code", _l("Code de langue ISO 639-3 inconnu."), field)


def paris_local_time_exists(moment: datetime) -> bool:
    """False for a wall-clock time skipped when Paris moves to summer time (last Sunday of March, 02:00–02:59)."""
    if moment.month not in (3, 4):  # the change to summer time is in March (early April in 1977–1980)
        return True
    aware = moment.replace(tzinfo=PARIS)
    return aware.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) == moment


def check_appointment(start: datetime, minutes: int, status: str, structure_kind: str | None,
                      structure_department: str | None, person_department: str | None, today: date) -> None:
    """An appointment: held by an AGIR or structuring-project operator of the person's department, 5 to 480
    minutes, an existing Paris time, and not honoured or missed before its day."""
    if structure_kind is not None and (structure_kind not in HOLDING_KINDS
                                       or structure_department != person_department):
        raise RuleViolation("appointment_structure",
                            _l("Le rendez-vous doit être tenu par un opérateur AGIR ou de projet structurant du "
                               "département de la personne."), "structure")
    low, high = APPOINTMENT_MINUTES
    if not low <= minutes <= high:
        raise RuleViolation("appointment_minutes", _l("La durée est de %(low)s à %(high)s minutes.", low=low,
                                                      high=high), "minutes")
    if not paris_local_time_exists(start):
        raise RuleViolation("appointment_time_skipped",
                            _l("Cette heure n'existe pas à Paris ce jour-là (passage à l'heure d'été)."), "start")
    if status in OUTCOME_STATUSES and start.date() > today:
        raise RuleViolation("appointment_outcome_future",
                            _l("Un rendez-vous à venir ne peut pas être déjà honoré ou manqué."), "status")


def check_document(document_on: date, expires_on: date | None) -> None:
    """A document does not expire before its own date."""
    if expires_on is not None and expires_on < document_on:
        raise RuleViolation("document_expires_before", _l("La date d'expiration ne peut précéder la date du "
                                                          "document."),
                            "expires")


def check_not_before_start(day: date, start: date, field: str, what: str) -> None:
    """A date of the accompaniment (diagnostic, contract, closing of an objective) is not before its start."""
    if day < start:
        raise RuleViolation("before_start", _l("%(what)s ne peut précéder l'entrée dans l'accompagnement.",
                                               what=what), field)


def check_no_medical_text(text: str | None, field: str) -> None:
    """The diagnostic and the plan say what is needed, never a diagnosis or a treatment (SPEC §3, §4.5)."""
    word = medical_word(text)
    if word is not None:
        raise RuleViolation("medical_detail",
                            _l("Ce texte ne doit contenir aucune information médicale (« %(word)s ») : décrivez "
                               "la situation et le besoin, jamais un diagnostic ou un traitement.", word=word), field)


def check_objective(state: str, closed: date | None, start: date, today: date) -> None:
    """`closed` is set exactly when the state is not open, neither before the accompaniment's start nor
    after today."""
    if state == ObjectiveState.OPEN:
        if closed is not None:
            raise RuleViolation("objective_open_closed", _l("Un objectif en cours n'a pas de date de clôture."),
                                "closed")
        return
    if closed is None:
        raise RuleViolation("objective_closed_missing",
                            _l("La date de clôture est obligatoire pour un objectif atteint ou abandonné."), "closed")
    check_not_before_start(closed, start, "closed", _l("La date de clôture"))
    if closed > today:
        raise RuleViolation("date_in_future", _l("La date de clôture ne peut pas être postérieure à aujourd'hui."),
                            "closed")
