"""What an alert means to the person reading it: the situation, the action that resolves it, the link."""
from datetime import date, timedelta

from flask import current_app, url_for

from agir.dates import format_fr
from agir.rules import alerts as rules

ACTIONS = {
    "end_soon": "Préparer la sortie, ou prolonger l'accompagnement (avec son motif)",
    "overdue": "Enregistrer la sortie, ou prolonger l'accompagnement (avec son motif)",
    "over_limit": "Enregistrer la sortie (motif « durée maximale atteinte »)",
    "permit_expiry": "Accompagner le renouvellement du titre, puis mettre à jour sa date d'expiration",
    "referral_unanswered": "Relancer la structure d'accueil, ou annuler l'orientation",
    "followup_due": "Enregistrer le suivi à 6 mois",
    "inactive": "Faire le point avec la personne et consigner une démarche ou une note",
    "eligibility_closing": "Inscrire la personne en accompagnement AGIR avant cette date",
}
OFFICER_ACTIONS = {"referral_unanswered": "Accepter ou refuser l'orientation"}


def situation(alert, today: date) -> str:
    """One line saying what is late or near, from the alert's due date (docs/rules.md, Alertes)."""
    due = alert.due_on
    if alert.kind == "end_soon":
        return f"Fin prévue le {format_fr(due + timedelta(days=rules.END_SOON_DAYS))}"
    if alert.kind == "overdue":
        return f"Fin prévue dépassée depuis le {format_fr(due - timedelta(days=1))}"
    if alert.kind == "over_limit":
        return f"Durée maximale atteinte le {format_fr(due - timedelta(days=1))}"
    if alert.kind == "permit_expiry":
        expiry = due + timedelta(days=rules.PERMIT_EXPIRY_DAYS)
        verb = "a expiré le" if expiry < today else "expire le"
        return f"Le titre de séjour {verb} {format_fr(expiry)}"
    if alert.kind == "referral_unanswered":
        sent = due - timedelta(days=rules.REFERRAL_ANSWER_DAYS + 1)
        return f"Orientation envoyée le {format_fr(sent)}, sans réponse depuis {(today - sent).days} jours"
    if alert.kind == "followup_due":
        return f"Suivi à 6 mois attendu depuis le {format_fr(due)}"
    if alert.kind == "inactive":
        return f"Aucune action datée depuis le {format_fr(due - timedelta(days=rules.INACTIVE_DAYS))}"
    if alert.kind == "eligibility_closing":
        last_day = due + timedelta(days=rules.ELIGIBILITY_CLOSING_DAYS - 1)
        return f"Dernier jour d'entrée possible dans AGIR : {format_fr(last_day)}"
    return f"Depuis le {format_fr(due)}"


def action(alert, role: str) -> str:
    """The action that resolves the alert, for this role."""
    if role == "referral_officer":
        return OFFICER_ACTIONS.get(alert.kind, ACTIONS[alert.kind])
    return ACTIONS.get(alert.kind, "")


def _url(endpoint: str, fallback: str, **values) -> str:
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return fallback


def person_href(person_id: int, role: str) -> str:
    """The person's file (social worker) or limited view (referral officer)."""
    if role == "referral_officer":
        return _url("referrals.person", f"/referrals/persons/{person_id}", person_id=person_id)
    return _url("persons.show", f"/persons/{person_id}", person_id=person_id)


def link(alert, role: str) -> tuple[str, str]:
    """(href, text) of where to act: the referral for referral alerts, otherwise the person's file."""
    if alert.subject_key.startswith("referral:"):
        referral_id = int(alert.subject_key.split(":", 1)[1])
        return _url("referrals.referral", f"/referrals/{referral_id}", referral_id=referral_id), "Voir l'orientation"
    return person_href(alert.person_id, role), "Ouvrir le dossier"
