"""French labels of the enumerations (identifiers stay English, people read French).

The French labels are the msgids of the translations: label() and choices() give them in the
reader's language (agir.i18n; French outside a request, e.g. in exports written by the CLI).
"""
from agir.i18n import N_, gettext, lazy_gettext

LABELS: dict[str, dict[str, str]] = {
    "role": {"social_worker": N_("Référent·e de parcours"), "referral_officer": N_("Chargé·e d'orientation"),
             "pilot": N_("Pilote départemental"), "admin": N_("Administrateur·rice"),
             "regional_pilot": N_("Pilote régional"), "national_pilot": N_("Pilote national")},
    "structure_kind": {"agir_operator": N_("Opérateur AGIR"),
                       "project_operator": N_("Opérateur de projet structurant"),
                       "programme_operator": N_("Opérateur de programme"),
                       "state_service": N_("Service de l'État")},
    "theme": {"employment": N_("Emploi"), "professional_french": N_("Français à visée professionnelle"),
              "language": N_("Apprentissage du français"), "health": N_("Santé"),
              "mental_health": N_("Santé mentale"), "mobility": N_("Mobilité"),
              "host_society": N_("Société d'accueil"), "mentoring": N_("Parrainage"),
              "childcare": N_("Garde d'enfants"), "digital": N_("Numérique"), "sport_culture": N_("Sport et culture"),
              "republic_values": N_("Valeurs de la République"), "global_support": N_("Accompagnement global"),
              "housing": N_("Logement"), "rights": N_("Accès aux droits")},
    "sex": {"F": N_("Femme"), "M": N_("Homme")},
    "status": {"refugee": N_("Réfugié·e"), "subsidiary_protection": N_("Protection subsidiaire"),
               "stateless": N_("Apatride"), "family": N_("Primo-arrivant·e (famille)"),
               "economic": N_("Primo-arrivant·e (économique)"), "other": N_("Primo-arrivant·e (autre)")},
    "hosting": {"dna": N_("Dispositif national d'accueil (DNA)"), "cph": N_("Centre provisoire d'hébergement (CPH)"),
                "general_shelter": N_("Hébergement généraliste"), "third_party": N_("Hébergé·e par un tiers"),
                "homeless": N_("Sans domicile"), "own_housing": N_("Logement personnel")},
    "level": {"pre_A1": N_("Infra A1"), "A1": "A1", "A2": "A2", "B1": "B1", "B2": "B2", "C1": "C1", "C2": "C2"},
    "exit_reason": {"goals_reached": N_("Objectifs atteints"), "max_duration": N_("Durée maximale atteinte"),
                    "moved_away": N_("Déménagement"), "dropped_out": N_("Abandon"), "autonomous": N_("Autonomie"),
                    "deceased": N_("Décès"), "other": N_("Autre motif")},
    "right_kind": {"health_insurance": N_("Assurance maladie"),
                   "complementary_health": N_("Complémentaire santé (C2S)"),
                   "caf_benefits": N_("Prestations CAF"), "rsa": N_("RSA"),
                   "employment_registration": N_("Inscription France Travail"),
                   "bank_account": N_("Compte bancaire"), "residence_permit": N_("Titre de séjour"),
                   "civil_status": N_("État civil"), "driving_licence": N_("Permis de conduire")},
    "right_state": {"todo": N_("À faire"), "requested": N_("Demandé"), "obtained": N_("Obtenu"),
                    "refused": N_("Refusé"), "not_applicable": N_("Non concerné")},
    "housing_step_kind": {"social_housing_application": N_("Demande de logement social"),
                          "siao_application": N_("Demande SIAO"), "iml_application": N_("Demande IML"),
                          "other": N_("Autre démarche")},
    "housing_kind": {"social_rental": N_("Logement social"), "private_rental": N_("Location privée"),
                     "iml_mandate": N_("IML – mandat de gestion"), "iml_sublet": N_("IML – sous-location"),
                     "temporary": N_("Logement temporaire")},
    "job_kind": {"cdi": N_("CDI"), "cdd": N_("CDD"), "interim": N_("Intérim"), "apprenticeship": N_("Apprentissage"),
                 "subsidised": N_("Contrat aidé"), "self_employed": N_("Indépendant")},
    "training_level": {"pre_qualifying": N_("Préqualifiante"), "qualifying": N_("Qualifiante"),
                       "certifying": N_("Certifiante"), "diploma": N_("Diplômante")},
    "referral_state": {"sent": N_("Envoyée"), "accepted": N_("Acceptée"), "refused": N_("Refusée"),
                       "started": N_("Démarrée"), "completed": N_("Terminée"), "dropped_out": N_("Abandonnée"),
                       "cancelled": N_("Annulée")},
    "event_kind": {"medical_consultation": N_("Consultation médicale"), "mentoring_pair": N_("Binôme de parrainage"),
                   "digital_tool": N_("Outil numérique fourni"), "sport_event": N_("Événement sportif"),
                   "cultural_event": N_("Événement culturel")},
    "alert_kind": {"end_soon": N_("Fin proche"), "overdue": N_("Fin prévue dépassée"),
                   "over_limit": N_("Durée maximale dépassée"), "permit_expiry": N_("Titre de séjour expirant"),
                   "referral_unanswered": N_("Orientation sans réponse"), "followup_due": N_("Suivi à 6 mois à faire"),
                   "inactive": N_("Dossier inactif"), "eligibility_closing": N_("Éligibilité AGIR bientôt close"),
                   "first_interview_late": N_("Premier entretien en retard"),
                   "appointment_missed": N_("Rendez-vous manqué"),
                   "document_expiry": N_("Document expirant")},
    "accompaniment_kind": {"agir": N_("Accompagnement AGIR"), "project": N_("Projet structurant")},
    "document_kind": {"identity": N_("Pièce d'identité"), "residence_permit": N_("Titre de séjour"),
                      "caf": N_("Attestation CAF"), "health_insurance": N_("Attestation d'assurance maladie"),
                      "bank_details": N_("Relevé d'identité bancaire (RIB)"), "diploma": N_("Diplôme"),
                      "lease": N_("Bail"), "employment_contract": N_("Contrat de travail"),
                      "other": N_("Autre document")},
    "scan_status": {"pending": N_("En attente d'analyse"), "clean": N_("Analysé, sain"),
                    "infected": N_("Refusé : virus détecté")},
    # Nationalities most often met (ISO 3166 alpha-3): suggested while typing, named in the file and in
    # the pilot's breakdown; any other 3-letter code is accepted and shown as it is.
    "nationality": {"AFG": N_("Afghanistan"), "ALB": N_("Albanie"), "DZA": N_("Algérie"), "ARM": N_("Arménie"),
                     "AZE": N_("Azerbaïdjan"), "BGD": N_("Bangladesh"), "BDI": N_("Burundi"),
                     "MMR": N_("Birmanie (Myanmar)"), "CMR": N_("Cameroun"), "CAF": N_("Centrafrique"),
                     "TCD": N_("Tchad"), "CHN": N_("Chine"), "COL": N_("Colombie"), "COG": N_("Congo"),
                     "COD": N_("Congo (RD)"), "CIV": N_("Côte d'Ivoire"), "ERI": N_("Érythrée"),
                     "ETH": N_("Éthiopie"), "GEO": N_("Géorgie"), "GIN": N_("Guinée"), "HTI": N_("Haïti"),
                     "IRN": N_("Iran"), "IRQ": N_("Irak"), "LBN": N_("Liban"), "LBY": N_("Libye"), "MLI": N_("Mali"),
                     "MAR": N_("Maroc"), "MRT": N_("Mauritanie"), "NGA": N_("Nigeria"), "PAK": N_("Pakistan"),
                     "PSE": N_("Palestine"), "RUS": N_("Russie"), "RWA": N_("Rwanda"), "SEN": N_("Sénégal"),
                     "SOM": N_("Somalie"), "SDN": N_("Soudan"), "SSD": N_("Soudan du Sud"), "LKA": N_("Sri Lanka"),
                     "SYR": N_("Syrie"), "TUN": N_("Tunisie"), "TUR": N_("Turquie"), "UKR": N_("Ukraine"),
                     "VEN": N_("Venezuela"), "YEM": N_("Yémen"), "XXA": N_("Apatride (code ICAO)")},
}


def label(value, kind: str) -> str:
    """The label of an enum value in the reader's language (the value itself when unknown, a dash when empty)."""
    if value is None or value == "":
        return "—"
    text = LABELS.get(kind, {}).get(value)
    return gettext(text) if text is not None else str(value)


def lazy_label(value, kind: str):
    """label(), resolved when displayed (select choices defined when a form class is created)."""
    return lazy_gettext(LABELS[kind][value])


def choices(kind: str, blank: str | None = None) -> list[tuple]:
    """(value, label) pairs for a select field, optionally headed by a blank choice (labels resolved when shown)."""
    pairs = [(value, lazy_gettext(text)) for value, text in LABELS[kind].items()]
    return ([("", blank)] + pairs) if blank is not None else pairs

# The entry path (SPEC §3, §4.5; docs/rules.md « Parcours d'entrée »).
LABELS.update({
    "orientation_source": {"ofii": N_("OFII (signature du CIR)"), "siao": N_("SIAO"),
                           "operator": N_("Autre structure"), "self": N_("Venue spontanée"), "other": N_("Autre")},
    "language_level": {"native": N_("Langue maternelle"), "fluent": N_("Courant"), "basic": N_("Notions")},
    "area": {"rights": N_("Accès aux droits"), "housing": N_("Logement"), "employment": N_("Emploi et formation"),
             "language": N_("Langue française"), "mobility": N_("Mobilité"), "childcare": N_("Garde d'enfants")},
    "need": {"none": N_("Aucun besoin"), "low": N_("Besoin faible"), "high": N_("Besoin fort")},
    "objective_state": {"open": N_("En cours"), "done": N_("Atteint"), "dropped": N_("Abandonné")},
})
