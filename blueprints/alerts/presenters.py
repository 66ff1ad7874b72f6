"""What an alert means to the person reading it: the situation, the action that resolves it, the link."""
from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import gettext

from agir.dates import add_months
from agir.i18n import N_, format_date
from agir.labels import label
from agir.rules import alerts as rules

ACTIONS = {
    "end_soon": N_("Préparer la sortie, ou prolonger l'accompagnement (avec son motif)"),
    "overdue": N_("Enregistrer la sortie, ou prolonger l'accompagnement (avec son motif)"),
    "over_limit": N_("Enregistrer la sortie (motif « durée maximale atteinte »)"),
    "permit_expiry": N_("Accompagner le renouvellement du titre, puis mettre à jour sa date d'expiration"),
    "referral_unanswered": N_("Relancer la structure d'accueil, ou annuler l'orientation"),
    "followup_due": N_("Enregistrer le suivi à 6 mois"),
    "inactive": N_("Faire le point avec la personne et consigner une démarche ou une note"),
    "eligibility_closing": N_("Inscrire la personne en accompagnement AGIR avant cette date"),
    "first_interview_late": N_("Fixer le premier entretien, ou enregistrer celui qui a eu lieu"),
    "appointment_missed": N_("Indiquer si la personne est venue, ou fixer un nouveau rendez-vous"),
    "document_expiry": N_("Accompagner le renouvellement, puis ajouter le nouveau document au dossier"),
}
OFFICER_ACTIONS = {"referral_unanswered": N_("Accepter ou refuser l'orientation")}


def situation(alert, today: date, subject=None) -> str:
    """One line saying what is late or near, from the alert's due date (docs/rules.md, Alertes);
    `subject`: the document or appointment behind the alert, when known (agir.queries.inbox.subjects_of)."""
    due = alert.due_on
    if alert.kind == "end_soon":
        return gettext("Fin prévue le %(day)s", day=format_date(due + timedelta(days=rules.END_SOON_DAYS)))
    if alert.kind == "overdue":
        return gettext("Fin prévue dépassée depuis le %(day)s", day=format_date(due - timedelta(days=1)))
    if alert.kind == "over_limit":
        return gettext("Durée maximale atteinte le %(day)s", day=format_date(due - timedelta(days=1)))
    if alert.kind == "permit_expiry":
        expiry = due + timedelta(days=rules.PERMIT_EXPIRY_DAYS)
        if expiry < today:
            return gettext("Le titre de séjour a expiré le %(day)s", day=format_date(expiry))
        return gettext("Le titre de séjour expire le %(day)s", day=format_date(expiry))
    if alert.kind == "referral_unanswered":
        sent = due - timedelta(days=rules.REFERRAL_ANSWER_DAYS + 1)
        return gettext("Orientation envoyée le %(day)s, sans réponse depuis %(days)s jours", day=format_date(sent),
                       days=(today - sent).days)
    if alert.kind == "followup_due":
        return gettext("Suivi à 6 mois attendu depuis le %(day)s", day=format_date(due))
    if alert.kind == "inactive":
        return gettext("Aucune action datée depuis le %(day)s",
                       day=format_date(due - timedelta(days=rules.INACTIVE_DAYS)))
    if alert.kind == "eligibility_closing":
        last_day = due + timedelta(days=rules.ELIGIBILITY_CLOSING_DAYS - 1)
        return gettext("Dernier jour d'entrée possible dans AGIR : %(day)s", day=format_date(last_day))
    if alert.kind == "first_interview_late":
        oriented = date.fromisoformat(alert.subject_key.split(":", 1)[1])
        return gettext("Orientation du %(day)s : premier entretien attendu au plus tard le %(limit)s",
                       day=format_date(oriented), limit=format_date(add_months(oriented, rules.FIRST_INTERVIEW_MONTHS)))
    if alert.kind == "appointment_missed":
        day = format_date(due - timedelta(days=1))
        status = getattr(subject, "status", None)
        if status == "missed":
            return gettext("Rendez-vous du %(day)s manqué, aucun nouveau rendez-vous fixé", day=day)
        if status == "planned":
            return gettext("Rendez-vous du %(day)s toujours « prévu » : indiquer s'il a eu lieu", day=day)
        return gettext("Rendez-vous du %(day)s manqué ou resté « prévu », aucun nouveau rendez-vous fixé", day=day)
    if alert.kind == "document_expiry":
        expiry = due + timedelta(days=rules.DOCUMENT_EXPIRY_DAYS)
        kind = getattr(subject, "kind", None)
        what = label(kind, "document_kind") if kind else gettext("Document")
        if expiry < today:
            return gettext("%(document)s : expiré le %(day)s", document=what, day=format_date(expiry))
        return gettext("%(document)s : expire le %(day)s", document=what, day=format_date(expiry))
    return gettext("Depuis le %(day)s", day=format_date(due))


def action(alert, role: str) -> str:
    """The action that resolves the alert, for this role."""
    if role == "referral_officer":
        return gettext(OFFICER_ACTIONS.get(alert.kind, ACTIONS[alert.kind]))
    return gettext(ACTIONS[alert.kind]) if alert.kind in ACTIONS else ""


def _url(endpoint: str, fallback: str, **values) -> str:
    if endpoint in current_app.view_functions:
        return url_for(endpoint, **values)
    return fallback


def person_href(person_id: int, role: str) -> str:
    """The person's file (social worker) or limited view (referral officer)."""
    if role == "referral_officer":
        return _url("referrals.person", f"/referrals/persons/{person_id}", person_id=person_id)
    return _url("persons.show", f"/persons/{person_id}", person_id=person_id)


AGENDA_KINDS = ("first_interview_late", "appointment_missed")


def link(alert, role: str) -> tuple[str, str]:
    """(href, text) of where to act: the referral for referral alerts, otherwise the person's file."""
    if alert.subject_key.startswith("referral:"):
        referral_id = int(alert.subject_key.split(":", 1)[1])
        href = _url("referrals.referral", f"/referrals/{referral_id}", referral_id=referral_id)
        return href, gettext("Voir l'orientation")
    if alert.kind in AGENDA_KINDS and role == "social_worker":  # issue 17: where the next appointment is booked
        href = _url("agenda.person", f"/agenda/persons/{alert.person_id}", person_id=alert.person_id)
        return href, gettext("Ouvrir l'agenda de la personne")
    if alert.kind == "document_expiry" and role == "social_worker":  # issue 18: the file's proofs section
        return person_href(alert.person_id, role) + "#justificatifs", gettext("Voir les justificatifs du dossier")
    return person_href(alert.person_id, role), gettext("Ouvrir le dossier")
