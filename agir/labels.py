"""French labels of the enumerations (identifiers stay English, people read French)."""

LABELS: dict[str, dict[str, str]] = {
    "role": {"social_worker": "Référent·e de parcours", "referral_officer": "Chargé·e d'orientation",
             "pilot": "Pilote départemental", "admin": "Administrateur·rice"},
    "structure_kind": {"agir_operator": "Opérateur AGIR", "project_operator": "Opérateur de projet structurant",
                       "programme_operator": "Opérateur de programme", "state_service": "Service de l'État"},
    "theme": {"employment": "Emploi", "professional_french": "Français à visée professionnelle",
              "language": "Apprentissage du français", "health": "Santé", "mental_health": "Santé mentale",
              "mobility": "Mobilité", "host_society": "Société d'accueil", "mentoring": "Parrainage",
              "childcare": "Garde d'enfants", "digital": "Numérique", "sport_culture": "Sport et culture",
              "republic_values": "Valeurs de la République", "global_support": "Accompagnement global",
              "housing": "Logement", "rights": "Accès aux droits"},
    "sex": {"F": "Femme", "M": "Homme"},
    "status": {"refugee": "Réfugié·e", "subsidiary_protection": "Protection subsidiaire", "stateless": "Apatride",
               "family": "Primo-arrivant·e (famille)", "economic": "Primo-arrivant·e (économique)",
               "other": "Primo-arrivant·e (autre)"},
    "hosting": {"dna": "Dispositif national d'accueil (DNA)", "cph": "Centre provisoire d'hébergement (CPH)",
                "general_shelter": "Hébergement généraliste", "third_party": "Hébergé·e par un tiers",
                "homeless": "Sans domicile", "own_housing": "Logement personnel"},
    "level": {"pre_A1": "Infra A1", "A1": "A1", "A2": "A2", "B1": "B1", "B2": "B2", "C1": "C1", "C2": "C2"},
    "exit_reason": {"goals_reached": "Objectifs atteints", "max_duration": "Durée maximale atteinte",
                    "moved_away": "Déménagement", "dropped_out": "Abandon", "autonomous": "Autonomie",
                    "deceased": "Décès", "other": "Autre motif"},
    "right_kind": {"health_insurance": "Assurance maladie", "complementary_health": "Complémentaire santé (C2S)",
                   "caf_benefits": "Prestations CAF", "rsa": "RSA", "employment_registration": "Inscription France Travail",
                   "bank_account": "Compte bancaire", "residence_permit": "Titre de séjour",
                   "civil_status": "État civil", "driving_licence": "Permis de conduire"},
    "right_state": {"todo": "À faire", "requested": "Demandé", "obtained": "Obtenu", "refused": "Refusé",
                    "not_applicable": "Non concerné"},
    "housing_step_kind": {"social_housing_application": "Demande de logement social",
                          "siao_application": "Demande SIAO", "iml_application": "Demande IML", "other": "Autre démarche"},
    "housing_kind": {"social_rental": "Logement social", "private_rental": "Location privée",
                     "iml_mandate": "IML – mandat de gestion", "iml_sublet": "IML – sous-location",
                     "temporary": "Logement temporaire"},
    "job_kind": {"cdi": "CDI", "cdd": "CDD", "interim": "Intérim", "apprenticeship": "Apprentissage",
                 "subsidised": "Contrat aidé", "self_employed": "Indépendant"},
    "training_level": {"pre_qualifying": "Préqualifiante", "qualifying": "Qualifiante",
                       "certifying": "Certifiante", "diploma": "Diplômante"},
    "referral_state": {"sent": "Envoyée", "accepted": "Acceptée", "refused": "Refusée", "started": "Démarrée",
                       "completed": "Terminée", "dropped_out": "Abandonnée", "cancelled": "Annulée"},
    "event_kind": {"medical_consultation": "Consultation médicale", "mentoring_pair": "Binôme de parrainage",
                   "digital_tool": "Outil numérique fourni", "sport_event": "Événement sportif",
                   "cultural_event": "Événement culturel"},
    "alert_kind": {"end_soon": "Fin proche", "overdue": "Fin prévue dépassée", "over_limit": "Durée maximale dépassée",
                   "permit_expiry": "Titre de séjour expirant", "referral_unanswered": "Orientation sans réponse",
                   "followup_due": "Suivi à 6 mois à faire", "inactive": "Dossier inactif",
                   "eligibility_closing": "Éligibilité AGIR bientôt close"},
    "accompaniment_kind": {"agir": "Accompagnement AGIR", "project": "Projet structurant"},
}


def label(value, kind: str) -> str:
    """The French label of an enum value (the value itself when unknown, a dash when empty)."""
    if value is None or value == "":
        return "—"
    return LABELS.get(kind, {}).get(value, str(value))


def choices(kind: str, blank: str | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select field, optionally headed by a blank choice."""
    pairs = list(LABELS[kind].items())
    return ([("", blank)] + pairs) if blank is not None else pairs
