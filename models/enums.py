"""Enumerations of SPEC §2–§4, stored as strings. Order matters where stated.

Each enumeration is a `StrEnum` (its members compare equal to the strings stored in the
database); the tuples of values the rest of the code has always used are derived from them, in
the same order. Every column holding one of them carries a named CHECK constraint built by
`check_in` (migration 0005): a value outside the list is refused by the database itself.
Adding a value therefore takes a migration that rewrites that CHECK.
"""
from enum import IntEnum, StrEnum

from sqlalchemy import CheckConstraint


def _values(enum) -> tuple:
    """The plain values of an enumeration, in its order (plain str / int, not members)."""
    return tuple(member.value for member in enum)


class DepartmentWave(IntEnum):
    W2022 = 2022
    W2023 = 2023
    W2024 = 2024


class StructureKind(StrEnum):
    AGIR_OPERATOR = "agir_operator"
    PROJECT_OPERATOR = "project_operator"
    PROGRAMME_OPERATOR = "programme_operator"
    STATE_SERVICE = "state_service"


class Theme(StrEnum):
    EMPLOYMENT = "employment"
    PROFESSIONAL_FRENCH = "professional_french"
    LANGUAGE = "language"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    MOBILITY = "mobility"
    HOST_SOCIETY = "host_society"
    MENTORING = "mentoring"
    CHILDCARE = "childcare"
    DIGITAL = "digital"
    SPORT_CULTURE = "sport_culture"
    REPUBLIC_VALUES = "republic_values"
    GLOBAL_SUPPORT = "global_support"
    HOUSING = "housing"
    RIGHTS = "rights"


class Sex(StrEnum):
    F = "F"
    M = "M"


class Status(StrEnum):
    REFUGEE = "refugee"
    SUBSIDIARY_PROTECTION = "subsidiary_protection"
    STATELESS = "stateless"
    FAMILY = "family"
    ECONOMIC = "economic"
    OTHER = "other"


class Hosting(StrEnum):
    DNA = "dna"
    CPH = "cph"
    GENERAL_SHELTER = "general_shelter"
    THIRD_PARTY = "third_party"
    HOMELESS = "homeless"
    OWN_HOUSING = "own_housing"


class Level(StrEnum):
    """CECRL levels, in increasing order."""
    PRE_A1 = "pre_A1"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"


class AccompanimentKind(StrEnum):
    """An AGIR accompaniment or a structuring project (from the kind of the holding structure)."""
    AGIR = "agir"
    PROJECT = "project"


class ExitReason(StrEnum):
    GOALS_REACHED = "goals_reached"
    MAX_DURATION = "max_duration"
    MOVED_AWAY = "moved_away"
    DROPPED_OUT = "dropped_out"
    AUTONOMOUS = "autonomous"
    DECEASED = "deceased"
    OTHER = "other"


class RightKind(StrEnum):
    HEALTH_INSURANCE = "health_insurance"
    COMPLEMENTARY_HEALTH = "complementary_health"
    CAF_BENEFITS = "caf_benefits"
    RSA = "rsa"
    EMPLOYMENT_REGISTRATION = "employment_registration"
    BANK_ACCOUNT = "bank_account"
    RESIDENCE_PERMIT = "residence_permit"
    CIVIL_STATUS = "civil_status"
    DRIVING_LICENCE = "driving_licence"


class RightState(StrEnum):
    TODO = "todo"
    REQUESTED = "requested"
    OBTAINED = "obtained"
    REFUSED = "refused"
    NOT_APPLICABLE = "not_applicable"


class HousingStepKind(StrEnum):
    SOCIAL_HOUSING_APPLICATION = "social_housing_application"
    SIAO_APPLICATION = "siao_application"
    IML_APPLICATION = "iml_application"
    OTHER = "other"


class HousingKind(StrEnum):
    SOCIAL_RENTAL = "social_rental"
    PRIVATE_RENTAL = "private_rental"
    IML_MANDATE = "iml_mandate"
    IML_SUBLET = "iml_sublet"
    TEMPORARY = "temporary"


class JobKind(StrEnum):
    CDI = "cdi"
    CDD = "cdd"
    INTERIM = "interim"
    APPRENTICESHIP = "apprenticeship"
    SUBSIDISED = "subsidised"
    SELF_EMPLOYED = "self_employed"


class TrainingLevel(StrEnum):
    PRE_QUALIFYING = "pre_qualifying"
    QUALIFYING = "qualifying"
    CERTIFYING = "certifying"
    DIPLOMA = "diploma"


class ReferralState(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    STARTED = "started"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped_out"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    MEDICAL_CONSULTATION = "medical_consultation"
    MENTORING_PAIR = "mentoring_pair"
    DIGITAL_TOOL = "digital_tool"
    SPORT_EVENT = "sport_event"
    CULTURAL_EVENT = "cultural_event"


class Role(StrEnum):
    SOCIAL_WORKER = "social_worker"
    REFERRAL_OFFICER = "referral_officer"
    PILOT = "pilot"
    ADMIN = "admin"
    # Issue 15: aggregates only, for the departments of a region / for every department (SPEC §1).
    REGIONAL_PILOT = "regional_pilot"
    NATIONAL_PILOT = "national_pilot"


class AlertKind(StrEnum):
    END_SOON = "end_soon"
    OVERDUE = "overdue"
    OVER_LIMIT = "over_limit"
    PERMIT_EXPIRY = "permit_expiry"
    REFERRAL_UNANSWERED = "referral_unanswered"
    FOLLOWUP_DUE = "followup_due"
    INACTIVE = "inactive"
    ELIGIBILITY_CLOSING = "eligibility_closing"
    # Second version of the contract (SPEC §4.4, INTERCHANGE « Alerts of the second version »).
    FIRST_INTERVIEW_LATE = "first_interview_late"
    APPOINTMENT_MISSED = "appointment_missed"
    DOCUMENT_EXPIRY = "document_expiry"


# The tuples of values, as the code has always used them (plain strings, same order).
DEPARTMENT_WAVES = _values(DepartmentWave)
STRUCTURE_KINDS = _values(StructureKind)
THEMES = _values(Theme)
LANGUAGE_THEMES = (Theme.LANGUAGE.value, Theme.PROFESSIONAL_FRENCH.value)
EMPLOYMENT_SUBSIDY_THEMES = (Theme.EMPLOYMENT.value, Theme.PROFESSIONAL_FRENCH.value, Theme.GLOBAL_SUPPORT.value)
SEXES = _values(Sex)
BPI_STATUSES = (Status.REFUGEE.value, Status.SUBSIDIARY_PROTECTION.value, Status.STATELESS.value)
STATUSES = _values(Status)
HOSTINGS = _values(Hosting)
# CECRL levels, in increasing order.
LEVELS = _values(Level)
ACCOMPANIMENT_KINDS = _values(AccompanimentKind)
EARLY_EXIT_REASONS = (ExitReason.MOVED_AWAY.value, ExitReason.DROPPED_OUT.value, ExitReason.AUTONOMOUS.value,
                      ExitReason.DECEASED.value, ExitReason.OTHER.value)
EXIT_REASONS = _values(ExitReason)
RIGHT_KINDS = _values(RightKind)
RIGHT_STATES = _values(RightState)
HOUSING_STEP_KINDS = _values(HousingStepKind)
HOUSING_KINDS = _values(HousingKind)
PERMANENT_HOUSING_KINDS = (HousingKind.SOCIAL_RENTAL.value, HousingKind.PRIVATE_RENTAL.value,
                           HousingKind.IML_MANDATE.value)
JOB_KINDS = _values(JobKind)
TRAINING_LEVELS = _values(TrainingLevel)
REFERRAL_STATES = _values(ReferralState)
# A referral still under way: one at most per person and programme (partial unique index, migration 0005).
OPEN_REFERRAL_STATES = (ReferralState.SENT.value, ReferralState.ACCEPTED.value, ReferralState.STARTED.value)
EVENT_KINDS = _values(EventKind)
EVENTS_WITH_ID = (EventKind.SPORT_EVENT.value, EventKind.CULTURAL_EVENT.value)
ROLES = _values(Role)
ALERT_KINDS = _values(AlertKind)


def in_list_sql(column: str, values) -> str:
    """`column IN ('a', 'b')` (or numbers), the SQL of a CHECK and of a partial index's WHERE."""
    quoted = ", ".join(str(v) if isinstance(v, int) else "'" + str(v).replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


def check_in(column: str, values) -> CheckConstraint:
    """The named CHECK keeping a column within its enumeration: ck_<table>_<column> (models/base.py)."""
    return CheckConstraint(in_list_sql(column, values), name=column)


# --- Contract v2 (issue 15): languages, orientation, appointments, documents, entry path -------------

class LanguageLevel(StrEnum):
    """How well a person speaks a language (SPEC §3)."""
    NATIVE = "native"
    FLUENT = "fluent"
    BASIC = "basic"


class OrientationSource(StrEnum):
    """Who oriented the person to the structure (SPEC §3)."""
    OFII = "ofii"
    SIAO = "siao"
    OPERATOR = "operator"
    SELF = "self"
    OTHER = "other"


class AppointmentKind(StrEnum):
    FIRST_INTERVIEW = "first_interview"
    DIAGNOSTIC = "diagnostic"
    FOLLOW_UP = "follow_up"
    CONTRACT_SIGNATURE = "contract_signature"
    EXIT_INTERVIEW = "exit_interview"
    OTHER = "other"


class AppointmentMode(StrEnum):
    ON_SITE = "on_site"
    PHONE = "phone"
    VIDEO = "video"
    HOME_VISIT = "home_visit"


class AppointmentStatus(StrEnum):
    """planned -> honoured | missed | excused | cancelled (SPEC §4.6)."""
    PLANNED = "planned"
    HONOURED = "honoured"
    MISSED = "missed"
    EXCUSED = "excused"
    CANCELLED = "cancelled"


class DocumentKind(StrEnum):
    IDENTITY = "identity"
    RESIDENCE_PERMIT = "residence_permit"
    CAF = "caf"
    HEALTH_INSURANCE = "health_insurance"
    BANK_DETAILS = "bank_details"
    DIPLOMA = "diploma"
    LEASE = "lease"
    EMPLOYMENT_CONTRACT = "employment_contract"
    OTHER = "other"


class ScanStatus(StrEnum):
    """A document's bytes: pending (not yet scanned, cannot be opened) -> clean | infected (issue 18)."""
    PENDING = "pending"
    CLEAN = "clean"
    INFECTED = "infected"


class Area(StrEnum):
    """The six areas of the diagnostic, in this order; the plan's objectives use the same (SPEC §4.5)."""
    RIGHTS = "rights"
    HOUSING = "housing"
    EMPLOYMENT = "employment"
    LANGUAGE = "language"
    MOBILITY = "mobility"
    CHILDCARE = "childcare"


class Need(StrEnum):
    NONE = "none"
    LOW = "low"
    HIGH = "high"


class ObjectiveState(StrEnum):
    """open -> done | dropped (dated by `closed`)."""
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


LANGUAGE_LEVELS = _values(LanguageLevel)
ORIENTATION_SOURCES = _values(OrientationSource)
APPOINTMENT_KINDS = _values(AppointmentKind)
APPOINTMENT_MODES = _values(AppointmentMode)
APPOINTMENT_STATUSES = _values(AppointmentStatus)
DOCUMENT_KINDS = _values(DocumentKind)
SCAN_STATUSES = _values(ScanStatus)
AREAS = _values(Area)
DIAGNOSTIC_AREAS = AREAS
NEEDS = _values(Need)
OBJECTIVE_STATES = _values(ObjectiveState)
# An appointment lasts 5 to 480 minutes (INTERCHANGE.md); a CHECK keeps it so.
APPOINTMENT_MINUTES = (5, 480)
