"""Enumerations of SPEC §2–§4, stored as strings. Order matters where stated."""

DEPARTMENT_WAVES = (2022, 2023, 2024)
STRUCTURE_KINDS = ("agir_operator", "project_operator", "programme_operator", "state_service")
THEMES = (
    "employment", "professional_french", "language", "health", "mental_health", "mobility",
    "host_society", "mentoring", "childcare", "digital", "sport_culture", "republic_values",
    "global_support", "housing", "rights",
)
LANGUAGE_THEMES = ("language", "professional_french")
EMPLOYMENT_SUBSIDY_THEMES = ("employment", "professional_french", "global_support")
SEXES = ("F", "M")
BPI_STATUSES = ("refugee", "subsidiary_protection", "stateless")
STATUSES = BPI_STATUSES + ("family", "economic", "other")
HOSTINGS = ("dna", "cph", "general_shelter", "third_party", "homeless", "own_housing")
# CECRL levels, in increasing order.
LEVELS = ("pre_A1", "A1", "A2", "B1", "B2", "C1", "C2")
EARLY_EXIT_REASONS = ("moved_away", "dropped_out", "autonomous", "deceased", "other")
EXIT_REASONS = ("goals_reached", "max_duration") + EARLY_EXIT_REASONS
RIGHT_KINDS = (
    "health_insurance", "complementary_health", "caf_benefits", "rsa", "employment_registration",
    "bank_account", "residence_permit", "civil_status", "driving_licence",
)
RIGHT_STATES = ("todo", "requested", "obtained", "refused", "not_applicable")
HOUSING_STEP_KINDS = ("social_housing_application", "siao_application", "iml_application", "other")
HOUSING_KINDS = ("social_rental", "private_rental", "iml_mandate", "iml_sublet", "temporary")
PERMANENT_HOUSING_KINDS = ("social_rental", "private_rental", "iml_mandate")
JOB_KINDS = ("cdi", "cdd", "interim", "apprenticeship", "subsidised", "self_employed")
TRAINING_LEVELS = ("pre_qualifying", "qualifying", "certifying", "diploma")
REFERRAL_STATES = ("sent", "accepted", "refused", "started", "completed", "dropped_out", "cancelled")
EVENT_KINDS = ("medical_consultation", "mentoring_pair", "digital_tool", "sport_event", "cultural_event")
EVENTS_WITH_ID = ("sport_event", "cultural_event")
ROLES = ("social_worker", "referral_officer", "pilot", "admin")
ALERT_KINDS = (
    "end_soon", "overdue", "over_limit", "permit_expiry", "referral_unanswered",
    "followup_due", "inactive", "eligibility_closing",
)
