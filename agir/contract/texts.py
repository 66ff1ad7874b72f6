"""The French texts of the engagement contract (SPEC §4.5): the msgids of the `contract` catalogues.

They are NOT the UI's strings (agir/translations/*/LC_MESSAGES/messages.po): the contract has its own
gettext domain, one catalogue per language (agir/translations/<locale>/LC_MESSAGES/contract.po), each with
its review record (docs/translations.md). `T()` only marks a text; agir.contract.catalogue translates it.
Placeholders are %(name)s, filled after translation.
"""


from agir.contract.marker import Marker

T = Marker()


TITLE = T("Contrat d'engagement réciproque")
SUBTITLE = T("Accompagnement global et individualisé des réfugiés (AGIR)")
UNREVIEWED = T("Traduction non vérifiée : ce texte n'a pas encore été relu par un traducteur.")
REVIEWED = T("Traduction relue par : %(who)s")
SECTION_PARTIES = T("Les parties")
PERSON = T("La personne accompagnée")
NAME = T("Nom et prénom : %(name)s")
BIRTH = T("Date de naissance : %(date)s")
STRUCTURE = T("La structure : %(name)s")
REFERENT = T("Référent ou référente : %(name)s")
SECTION_DATES = T("Dates de l'accompagnement")
START = T("Entrée dans l'accompagnement : %(date)s")
PLANNED_END = T("Fin prévue : %(date)s")
SIGNED = T("Contrat signé le : %(date)s")
NOT_SIGNED = T("Contrat signé le : ____ / ____ / ________")
SECTION_PLAN = T("Plan d'action : les objectifs convenus ensemble")
NO_OBJECTIVE = T("Aucun objectif n'est encore inscrit au plan d'action.")
OBJECTIVE_DUE = T("à atteindre avant le %(date)s")
SECTION_PERSON_COMMITS = T("La personne accompagnée s'engage à :")
PERSON_COMMITS = (
    T("venir aux rendez-vous convenus ou prévenir la structure en cas d'empêchement ;"),
    T("participer aux démarches et aux formations prévues dans le plan d'action ;"),
    T("informer son référent de tout changement de situation (adresse, famille, travail, titre de séjour) ;"),
    T("suivre les cours de français prescrits."),
)
SECTION_STRUCTURE_COMMITS = T("La structure s'engage à :")
STRUCTURE_COMMITS = (
    T("accompagner la personne dans l'accès à ses droits, au logement, à l'emploi et à la formation ;"),
    T("désigner un référent unique et le rendre joignable ;"),
    T("expliquer chaque démarche, avec un interprète si nécessaire ;"),
    T("respecter la confidentialité des informations confiées."),
)
DURATION = T("Le contrat vaut pour la durée de l'accompagnement. Il peut être revu d'un commun accord.")
SECTION_SIGNATURES = T("Signatures")
SIGN_PERSON = T("La personne accompagnée")
SIGN_REFERENT = T("Pour la structure, le référent ou la référente")
SIGN_PLACE = T("Fait à ______________________ , le ____ / ____ / ________")
LANGUAGE_NOTE = T("Ce contrat est rédigé en français et en %(language)s.")

# Area names of the diagnostic and of the plan (models.enums AREAS).
AREAS = {
    "rights": T("Accès aux droits"),
    "housing": T("Logement"),
    "employment": T("Emploi et formation"),
    "language": T("Langue française"),
    "mobility": T("Mobilité"),
    "childcare": T("Garde d'enfants"),
}

# The language's own name, written in that language (the translated catalogue gives it).
LANGUAGE_NAME = T("français")


def all_msgids() -> list[str]:
    """Every text of the contract, in the order of this module (the order of the catalogues)."""
    return T.msgids()
