"""The GDPR side of a file: the right of access (one person's whole file) and anonymisation.

The right of access reuses the interchange record of the person (agir.interchange.exporter), so the
JSON a person receives holds exactly what an export of the database would hold about them, plus
what the export leaves out (pseudonym, eligibility verdicts) and the information art. 15 GDPR asks
for (purposes, legal basis, recipients, retention). The readable page is drawn from the same data.

Anonymisation keeps the statistics (accompaniments, rights, referrals, participations, events …)
and removes what identifies the person: names, contact, notes, free texts, exact birth date, the
file reference and the pseudonym. It is set-based: a few UPDATE/DELETE statements for any number of
persons (the retention job anonymises thousands at once). It flushes and never commits.
"""
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

from sqlalchemy import bindparam, delete, insert, null, select, update

from agir import audit
from agir.alerts import forget_badge_counts
from agir.documents.purge import forget_after_commit, keys_of_persons
from agir.extensions import db
from agir.i18n import N_, gettext
from agir.interchange.exporter import person_record
from agir.rules.eligibility import MESSAGES
from models import (
    Accompaniment,
    AuditEntry,
    Department,
    DiagnosticArea,
    Document,
    Extension,
    HousingStep,
    Note,
    Person,
    PlanObjective,
    Programme,
    Referral,
    RightStep,
    Structure,
)
from models.base import utcnow
from models.person import new_pseudonym

FORMAT = "agir-droit-acces/1"
ANONYMOUS = "ANONYME"
# Free texts that the rules require (a refusal or an extension has a reason) are replaced, not emptied.
ERASED = "[effacé lors de l'anonymisation]"
ANONYMISED_FIELDS = (
    "last_name", "first_name", "phone", "email", "birth_on", "ref", "pseudonym", "prior_programme", "notes",
    "extensions.reason", "rights.refusal_reason", "referrals.need", "referrals.refusal_reason",
    "housing_steps.number",
    # Contract v2 (issue 15): the diagnostic's texts, the plan's objectives, the documents (metadata and bytes).
    "diagnostic_areas.text", "plan_objectives.objective", "documents",
)
CHUNK = 500

# What art. 13-15 GDPR says the person must be told, given with every export (docs/privacy.md).
PROCESSING = {
    "purposes": N_("Suivi de l'accompagnement global et individualisé des réfugiés (AGIR) et des projets "
                   "structurants : ouverture des droits, logement, emploi, orientations vers des programmes ; "
                   "statistiques anonymes pour l'évaluation de la politique d'intégration."),
    "legal_basis": N_("Mission d'intérêt public (RGPD art. 6-1-e) ; pour les orientations vers des programmes de "
                      "santé, motif d'intérêt public important et prise en charge sociale (art. 9-2-g et 9-2-h). "
                      "Aucun diagnostic ni détail médical n'est enregistré."),
    "recipients": N_("Les référent·es de parcours de la structure qui vous accompagne (dossier complet) ; les "
                     "chargé·es d'orientation des programmes vers lesquels vous êtes orienté·e (identité, "
                     "contact, niveau de français, orientations et participations seulement) ; le pilote "
                     "départemental ne voit que des chiffres agrégés, jamais votre nom."),
    "retention": N_("Le dossier est anonymisé lorsqu'il n'a plus d'activité depuis %(years)s ans après la fin de "
                    "l'accompagnement ; le journal des accès est conservé %(audit_days)s jours."),
    "rights": N_("Vous pouvez demander la rectification de ces données à votre référent·e de parcours, et vous "
                 "adresser au délégué à la protection des données de la structure ou à la CNIL (www.cnil.fr)."),
}


def reason_text(code: str) -> str:
    """The French sentence of an eligibility reason code, without its dates."""
    text = MESSAGES.get(code, code)
    return re.sub(r" ?\([^)]*\{\w+\}[^)]*\)", "", text)


def processing_information(years: int, audit_days: int, translate: bool = False) -> dict[str, str]:
    """The art. 15 information, with the configured retention periods (French, or the reader's language)."""
    if translate:
        return {key: gettext(text, years=years, audit_days=audit_days) for key, text in PROCESSING.items()}
    return {key: text % {"years": years, "audit_days": audit_days} for key, text in PROCESSING.items()}


def access_export(person_id: int, *, years: int, audit_days: int, now: datetime | None = None,
                  translate: bool = False) -> dict | None:
    """Everything the database holds about one person (right of access), or None if there is no such person.

    The JSON document is French; the readable page (translate=True) gives the art. 15 texts in the reader's
    language."""
    record = person_record(person_id)
    if record is None:
        return None
    person = db.session.get(Person, person_id)
    accompaniments = db.session.scalars(select(Accompaniment).where(Accompaniment.person_id == person_id)
                                        .order_by(Accompaniment.start_on, Accompaniment.id)).all()
    now = now or datetime.now(UTC)
    return {
        "format": FORMAT,
        "generated_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "person": record,
        "pseudonym": person.pseudonym,
        "eligibility": [{"start": a.start_on.isoformat(), "kind": a.kind, "eligible": a.is_eligible,
                         "priority": a.is_priority, "reasons": list(a.eligibility_reasons or [])}
                        for a in accompaniments],
        "references": _references(record),
        "processing": processing_information(years, audit_days, translate),
    }


def _references(record: dict) -> dict:
    """Names of the department, structures and programmes the record points to (refs alone mean nothing)."""
    structures = {a["structure"] for a in record["accompaniments"]}
    structures |= {r["sender"] for r in record["referrals"] if r.get("sender")}
    programmes = {r["programme"] for r in record["referrals"]} | {p["programme"] for p in record["participations"]}
    programmes |= {e["programme"] for e in record["events"] if e.get("programme")}
    department = db.session.scalar(select(Department).where(Department.code == record["department"]))
    return {
        "department": {"code": department.code, "name": department.name},
        "structures": {s.ref: {"name": s.name, "kind": s.kind}
                       for s in db.session.scalars(select(Structure).where(Structure.ref.in_(structures)))},
        "programmes": {p.ref: {"name": p.name, "theme": p.theme}
                       for p in db.session.scalars(select(Programme).where(Programme.ref.in_(programmes)))},
    }


def export_person(actor, person: Person, export_format: str, *, years: int, audit_days: int,
                  ip: str | None = None) -> dict:
    """The right-of-access export of a person, audited (action export_person, the format in detail)."""
    data = access_export(person.id, years=years, audit_days=audit_days, translate=export_format == "html")
    audit.record(actor, "export_person", person=person, ip=ip, detail=f"droit d'accès ({export_format})")
    db.session.flush()
    return data


# --- The archive of the right of access (issue 18): the data and the documents' plain bytes ---------------

# The extension of a document in the archive, from the type its content was checked to be (never its name).
ARCHIVE_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
NOT_INCLUDED = {
    "no_bytes": "fichier non conservé dans AGIR (seules ses informations le sont)",
    "pending": "en attente d'analyse antivirus : pas encore transmissible",
    "infected": "refusé : virus détecté, fichier supprimé",
    "missing": "fichier introuvable dans le stockage",
}


def _archive_name(position: int, document: Document) -> str:
    """A safe name inside the archive: its rank, kind (an enumeration value) and date; never the name typed."""
    extension = ARCHIVE_EXTENSIONS.get(document.content_type or "", "bin")
    return f"documents/{position:02d}-{document.kind}-{document.document_on.isoformat()}.{extension}"


def access_archive(actor, person: Person, data: dict, ip: str | None = None) -> bytes:
    """The right-of-access archive (zip): `donnees.json` (the export, plus where each document's file is in
    the archive or why it is not) and the documents' plain bytes — only those whose scan came back clean.
    Each document put in the archive is audited as downloaded (document_downloaded); flushes, never commits."""
    from agir.documents import store
    documents = db.session.scalars(select(Document).where(Document.person_id == person.id)
                                   .order_by(Document.document_on, Document.id)).all()
    buffer = io.BytesIO()
    listing = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for position, document in enumerate(documents, 1):
            entry = {"kind": document.kind, "date": document.document_on.isoformat(), "sha256": document.sha256,
                     "current": document.replaced_by_id is None, "file": None, "not_included": None}
            status = getattr(document, "scan_status", None)
            if not document.storage_key:
                entry["not_included"] = NOT_INCLUDED["no_bytes"]
            elif status != "clean":
                entry["not_included"] = NOT_INCLUDED["infected" if status == "infected" else "pending"]
            else:
                try:
                    plain = store.get(document.storage_key)
                except store.StoreError:
                    entry["not_included"] = NOT_INCLUDED["missing"]
                else:
                    name = _archive_name(position, document)
                    entry["file"] = name
                    archive.writestr(name, plain)
                    audit.record(actor, "document_downloaded", person=person, ip=ip,
                                 detail=f"document:{document.id} (droit d'accès)")
            listing.append(entry)
        archive.writestr("donnees.json", json.dumps({**data, "documents_files": listing}, ensure_ascii=False,
                                                    indent=2))
    db.session.flush()
    return buffer.getvalue()


# --- Anonymisation ----------------------------------------------------------------------------------

def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def anonymise_persons(actor, persons: Sequence[tuple[int, date]], detail: str) -> int:
    """Anonymise persons given as (id, birth date); one audit entry each (field names only). Returns the count.

    Names become ANONYME, contact and notes go, the birth date becomes 1 January of its year, the file
    reference and pseudonym are replaced by meaningless ones, free texts are erased; the version moves
    on, so that a form opened before cannot write the old values back.
    """
    if not persons:
        return 0
    db.session.flush()
    now = utcnow()
    table = Person.__table__
    db.session.execute(
        update(table).where(table.c.id == bindparam("pid")).values(
            last_name=ANONYMOUS, first_name=ANONYMOUS, phone=None, email=None, prior_programme=None,
            name_key=None, name_day_key=None, last_key=None, first_key=None, search_text=None, phone_key=None,
            birth_on=bindparam("birth"), ref=bindparam("new_ref"), pseudonym=bindparam("new_pseudonym"),
            anonymised_at=now, updated_at=now, version_id=table.c.version_id + 1),
        [{"pid": pid, "birth": date(born.year, 1, 1), "new_ref": f"ANON-{new_pseudonym()}",
          "new_pseudonym": new_pseudonym()} for pid, born in persons],
    )
    ids = [pid for pid, _ in persons]
    for chunk in _chunks(ids):
        _erase_free_texts(chunk)
    entries = [{"at": now, "user_id": getattr(actor, "id", None), "user_email": getattr(actor, "email", None),
                "role": getattr(actor, "role", None), "person_id": pid, "action": "anonymise",
                "fields": sorted(ANONYMISED_FIELDS), "ip": None, "detail": detail[:300]} for pid in ids]
    db.session.execute(insert(AuditEntry.__table__), entries)
    forget_badge_counts(db.session)  # their alerts leave the inboxes: the header's kept counts go with them
    db.session.expire_all()  # the identity map may hold the persons as they were
    return len(ids)


def _erase_free_texts(ids: list[int]) -> None:
    """Delete the notes and erase the free texts of the path of these persons."""
    db.session.execute(delete(Note.__table__).where(Note.__table__.c.person_id.in_(ids)))
    referrals = Referral.__table__
    db.session.execute(update(referrals).where(referrals.c.person_id.in_(ids)).values(need=None))
    db.session.execute(update(referrals).where(referrals.c.person_id.in_(ids),
                                               referrals.c.refusal_reason.is_not(None))
                       .values(refusal_reason=ERASED))
    rights = RightStep.__table__
    db.session.execute(update(rights).where(rights.c.person_id.in_(ids), rights.c.refusal_reason.is_not(None))
                       .values(refusal_reason=ERASED))
    extensions = Extension.__table__
    held = select(Accompaniment.id).where(Accompaniment.person_id.in_(ids))
    db.session.execute(update(extensions).where(extensions.c.accompaniment_id.in_(held)).values(reason=ERASED))
    steps = HousingStep.__table__
    db.session.execute(update(steps).where(steps.c.person_id.in_(ids)).values(number=None))
    areas, objectives = DiagnosticArea.__table__, PlanObjective.__table__
    db.session.execute(update(areas).where(areas.c.accompaniment_id.in_(held), areas.c.text.is_not(None))
                       .values(text=ERASED))
    db.session.execute(update(objectives).where(objectives.c.accompaniment_id.in_(held)).values(objective=ERASED))
    # Issue 18: the documents' bytes leave the store once this unit of work commits (agir.documents.purge).
    forget_after_commit(db.session, keys_of_persons(db.session, ids))
    db.session.execute(delete(Document.__table__).where(Document.__table__.c.person_id.in_(ids)))
    # Issue 17: the reminders sent hold the person's phone or e-mail address.
    from models import ReminderMessage
    db.session.execute(delete(ReminderMessage.__table__).where(ReminderMessage.__table__.c.person_id.in_(ids)))
    # The audit of corrections keeps the values before and after (a name, a birth date) and the reason typed: the
    # entries stay (who corrected what field, when), their values and reason go with the identity.
    audit = AuditEntry.__table__
    db.session.execute(update(audit).where(audit.c.person_id.in_(ids), audit.c.changes.is_not(None))
                       .values(changes=null()))
    db.session.execute(update(audit).where(audit.c.person_id.in_(ids), audit.c.reason.is_not(None))
                       .values(reason=ERASED))


def anonymise_person(actor, person: Person, detail: str = "anonymisation") -> Person:
    """Anonymise one person (same effect as the retention job)."""
    anonymise_persons(actor, [(person.id, person.birth_on)], detail)
    return db.session.get(Person, person.id)
