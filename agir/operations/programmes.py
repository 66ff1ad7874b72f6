"""The programme catalogue (SPEC §2): programmes of a department and their sessions.

Referral officers edit the programmes their structure operates; admins edit any programme.
Operations flush and audit, never commit.
"""
import secrets
from datetime import date

from sqlalchemy import select

from agir import audit
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.i18n import LazyDate
from agir.i18n import lazy_gettext as _l
from models import Programme, Session, Structure
from models.enums import THEMES

PROGRAMME_FIELDS = (
    "name", "theme", "structure", "start_on", "end_on", "target_beneficiaries", "total_cost",
    "p104_subsidy", "carif_oref_ref",
)
MAX_SESSION_HOURS = 24.0


def new_programme_ref() -> str:
    """A unique generated reference for a programme created in the UI ("PRG-" + random)."""
    while True:
        ref = "PRG-" + secrets.token_hex(4).upper()
        if not db.session.scalar(select(Programme.id).where(Programme.ref == ref)):
            return ref


def may_edit_programme(actor, programme: Programme) -> bool:
    """Admins edit every programme; referral officers the programmes their structure operates."""
    role = getattr(actor, "role", None)
    if role == "admin":
        return True
    return role == "referral_officer" and actor.structure_id is not None \
        and actor.structure_id == programme.structure_id


def operator_choices(actor) -> list[Structure]:
    """Structures the actor may name as a programme's operator."""
    if getattr(actor, "role", None) == "admin":
        return list(db.session.scalars(select(Structure).order_by(Structure.name)))
    if getattr(actor, "role", None) == "referral_officer" and actor.structure is not None:
        return [actor.structure]
    return []


def _check_fields(values: dict) -> None:
    """Shape and consistency of a programme's fields (dates in order, money and counts non-negative)."""
    if not (values.get("name") or "").strip():
        raise RuleViolation("name_required", _l("Le nom du programme est requis."), "name")
    if values.get("theme") not in THEMES:
        raise RuleViolation("theme_unknown", _l("Thématique inconnue."), "theme")
    if values.get("start_on") is None:
        raise RuleViolation("start_required", _l("La date de début est requise."), "start_on")
    if values.get("end_on") is not None and values["end_on"] < values["start_on"]:
        raise RuleViolation("dates_backwards", _l("La date de fin ne peut précéder la date de début."), "end_on")
    for name in ("target_beneficiaries", "total_cost", "p104_subsidy"):
        if values.get(name) is not None and values[name] < 0:
            raise RuleViolation("negative_amount", _l("La valeur ne peut être négative."), name)
    cost, subsidy = values.get("total_cost"), values.get("p104_subsidy")
    if cost is not None and subsidy is not None and subsidy > cost:
        raise RuleViolation("subsidy_above_cost",
                            _l("La subvention P104 ne peut dépasser le coût total du programme."), "p104_subsidy")
    for session in values.get("sessions_on", ()):
        _check_session_in_programme(session, values["start_on"], values.get("end_on"), "end_on")


def _check_session_in_programme(held_on: date, start_on: date, end_on: date | None, field: str) -> None:
    if held_on < start_on or (end_on is not None and held_on > end_on):
        raise RuleViolation("session_outside_programme",
                            _l("Une séance du %(day)s tombe hors des dates du programme.", day=LazyDate(held_on)),
                                field)


def _check_operator(actor, structure: Structure | None) -> None:
    if structure is None:
        raise RuleViolation("structure_required", _l("La structure opératrice est requise."), "structure")
    if structure not in operator_choices(actor):
        raise RuleViolation("structure_forbidden",
                            _l("Vous ne pouvez créer ou modifier que les programmes de votre structure."), "structure")


def _clean(values: dict) -> dict:
    cleaned = {k: values.get(k) for k in PROGRAMME_FIELDS if k in values}
    cleaned["name"] = (cleaned.get("name") or "").strip()
    ref = (cleaned.get("carif_oref_ref") or "").strip()
    cleaned["carif_oref_ref"] = ref or None
    return cleaned


def create_programme(actor, **values) -> Programme:
    """Add a programme to the catalogue of its operator's department, with a generated ref."""
    values = _clean(values)
    _check_operator(actor, values.get("structure"))
    _check_fields(values)
    programme = Programme(ref=new_programme_ref(), department_id=values["structure"].department_id, **values)
    db.session.add(programme)
    db.session.flush()
    audit.record(actor, "programme_created", fields=[k for k, v in values.items() if v is not None],
                 detail=f"programme {programme.ref}")
    return programme


def update_programme(actor, programme: Programme, version_id: int | None, **values) -> Programme:
    """Change a programme's fields (optimistic locking on version_id)."""
    if not may_edit_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Vous ne pouvez pas modifier ce programme."), "structure")
    if version_id is not None and version_id != programme.version_id:
        raise StaleRecord()
    values = _clean(values)
    structure = values.get("structure", programme.structure)
    if structure is not programme.structure:
        _check_operator(actor, structure)
    values["sessions_on"] = [s.held_on for s in programme.sessions]
    _check_fields(values)
    values.pop("sessions_on")
    changed = [k for k, v in values.items() if getattr(programme, k) != v]
    for name in changed:
        setattr(programme, name, values[name])
    if "structure" in changed:
        programme.department_id = values["structure"].department_id
    db.session.flush()
    audit.record(actor, "programme_updated", fields=changed, detail=f"programme {programme.ref}")
    return programme


def add_session(actor, programme: Programme, held_on: date | None, hours: float | None) -> Session:
    """Record a dated session of the programme with its hours (counted once for the indicators)."""
    if not may_edit_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Vous ne pouvez pas modifier ce programme."), "held_on")
    if held_on is None:
        raise RuleViolation("date_required", _l("La date de la séance est requise."), "held_on")
    if hours is None or hours <= 0 or hours > MAX_SESSION_HOURS:
        raise RuleViolation("session_hours", _l("La durée d'une séance est comprise entre 0 (exclu) et 24 "
                                                "heures."),
                            "hours")
    _check_session_in_programme(held_on, programme.start_on, programme.end_on, "held_on")
    session = Session(programme=programme, held_on=held_on, hours=float(hours))
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "session_added", fields=["held_on", "hours"], detail=f"programme {programme.ref}")
    return session


def remove_session(actor, programme: Programme, session_id: int) -> None:
    """Delete one session of the programme."""
    if not may_edit_programme(actor, programme):
        raise RuleViolation("programme_forbidden", _l("Vous ne pouvez pas modifier ce programme."), "held_on")
    session = next((s for s in programme.sessions if s.id == session_id), None)
    if session is None:
        raise RuleViolation("session_unknown", _l("Cette séance n'existe pas (déjà supprimée ?)."), "held_on")
    if session.attendances:  # issue 17: the attended hours they filled would no longer add up
        raise RuleViolation("session_has_attendance",
                            _l("Des présences sont enregistrées pour la séance du %(day)s : retirez-les de la "
                               "feuille de présence avant d'annuler.", day=LazyDate(session.held_on)), "held_on")
    programme.sessions.remove(session)
    db.session.flush()
    audit.record(actor, "session_removed", fields=["held_on", "hours"], detail=f"programme {programme.ref}")
