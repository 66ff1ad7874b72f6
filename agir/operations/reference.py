"""Reference data kept by administrators: departments and structures (SPEC §2)."""
import re
from datetime import date

from sqlalchemy import exists, select, update

from agir import audit
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.rules.durations import check_max_months
from agir.rules.text import MAX_LENGTHS
from models import Accompaniment, Department, Programme, Structure, User
from models.enums import DEPARTMENT_WAVES, STRUCTURE_KINDS

# INSEE codes: 01–95 (no 20: Corsica is 2A and 2B), 2A, 2B, overseas 971–976.
DEPARTMENT_CODE_RE = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-6])$")
HOLDING_KINDS = ("agir_operator", "project_operator")


def default_max_months(wave: int | None) -> int:
    """18 months in the 2024 wave (§3.4 b), 12 otherwise."""
    return 18 if wave == 2024 else 12


def _check_department_values(name: str, agir_start_on: date | None, wave: int | None, max_months: int) -> None:
    if not (name or "").strip():
        raise RuleViolation("name_required", _l("Le nom est obligatoire."), "name")
    if wave is not None and wave not in DEPARTMENT_WAVES:
        raise RuleViolation("wave_unknown", _l("Vague inconnue : %(wave)s (attendu : 2022, 2023 ou 2024).",
                                               wave=wave), "agir_wave")
    if wave is not None and agir_start_on is None:
        raise RuleViolation("wave_without_start", _l("Une vague AGIR suppose une date de déploiement d'AGIR."),
                            "agir_start_on")
    check_max_months(max_months)


def create_department(actor, code: str, name: str, agir_start_on: date | None = None, agir_wave: int | None = None,
                      max_months: int | None = None) -> Department:
    """Create a department identified by its INSEE code."""
    code = (code or "").strip().upper()
    if not DEPARTMENT_CODE_RE.match(code):
        raise RuleViolation("department_code", _l("Code INSEE de département invalide : %(value)s.",
                                                  value=code or '(vide)'), "code")
    if db.session.scalar(select(Department.id).where(Department.code == code)):
        raise RuleViolation("department_taken", _l("Le département %(code)s existe déjà.", code=code), "code")
    max_months = default_max_months(agir_wave) if max_months is None else max_months
    _check_department_values(name, agir_start_on, agir_wave, max_months)
    department = Department(code=code, name=name.strip(), agir_start_on=agir_start_on, agir_wave=agir_wave,
                            max_months=max_months)
    db.session.add(department)
    db.session.flush()
    audit.record(actor, "department_created", fields=["code", "name", "agir_start_on", "agir_wave", "max_months"],
                 detail=f"département {code}")
    return department


def update_department(actor, department: Department, version_id: int | None, name: str,
                      agir_start_on: date | None, agir_wave: int | None, max_months: int | None) -> Department:
    """Change a department's name and AGIR settings (its code never changes: imports and exports use it)."""
    if version_id is not None and version_id != department.version_id:
        raise StaleRecord()
    max_months = default_max_months(agir_wave) if max_months is None else max_months
    _check_department_values(name, agir_start_on, agir_wave, max_months)
    values = {"name": name.strip(), "agir_start_on": agir_start_on, "agir_wave": agir_wave, "max_months": max_months}
    changed = [field for field, value in values.items() if getattr(department, field) != value]
    for field in changed:
        setattr(department, field, values[field])
    db.session.flush()
    if changed:
        audit.record(actor, "department_updated", fields=changed, detail=f"département {department.code}")
    return department


def _check_structure_values(ref: str, name: str, department: Department | None, kind: str,
                            structure_id: int | None = None) -> None:
    limit = MAX_LENGTHS["structure.ref"]
    if not ref or len(ref) > limit or any(c.isspace() for c in ref):
        raise RuleViolation("structure_ref", _l("La référence est obligatoire, sans espace, %(limit)s "
                                                "caractères au plus.", limit=limit),
                            "ref")
    if db.session.scalar(select(Structure.id).where(Structure.ref == ref, Structure.id != (structure_id or 0))):
        raise RuleViolation("structure_ref_taken", _l("La référence %(ref)s est déjà utilisée.", ref=ref), "ref")
    if not (name or "").strip():
        raise RuleViolation("name_required", _l("Le nom est obligatoire."), "name")
    if department is None:
        raise RuleViolation("department_required", _l("Choisissez le département de la structure."), "department")
    if kind not in STRUCTURE_KINDS:
        raise RuleViolation("structure_kind", _l("Type de structure inconnu : %(kind)s.", kind=kind), "kind")


def create_structure(actor, ref: str, name: str, department: Department | None, kind: str) -> Structure:
    """Create a structure of a department."""
    ref = (ref or "").strip()
    _check_structure_values(ref, name, department, kind)
    structure = Structure(ref=ref, name=name.strip(), department=department, kind=kind)
    db.session.add(structure)
    db.session.flush()
    audit.record(actor, "structure_created", fields=["ref", "name", "department", "kind"], detail=f"structure {ref}")
    return structure


def update_structure(actor, structure: Structure, ref: str, name: str, department: Department | None,
                     kind: str) -> Structure:
    """Edit a structure; its department and kind stay put once its records depend on them."""
    ref = (ref or "").strip()
    _check_structure_values(ref, name, department, kind, structure.id)
    holds = db.session.scalar(select(exists().where(Accompaniment.structure_id == structure.id)))
    operates = db.session.scalar(select(exists().where(Programme.structure_id == structure.id)))
    if department.id != structure.department_id and (holds or operates):
        raise RuleViolation("structure_department_locked",
                            _l("Cette structure porte des accompagnements ou des programmes : elle ne peut pas "
                               "changer de département."), "department")
    if holds and kind not in HOLDING_KINDS:
        raise RuleViolation("structure_kind_locked",
                            _l("Cette structure porte des accompagnements : elle reste un opérateur AGIR ou de "
                               "projet structurant."), "kind")
    values = {"ref": ref, "name": name.strip(), "department": department, "kind": kind}
    changed = [field for field, value in values.items() if getattr(structure, field) != value]
    for field in changed:
        setattr(structure, field, values[field])
    if "department" in changed:
        # The accounts of the structure work in its department.
        db.session.execute(update(User).where(User.structure_id == structure.id).values(department_id=department.id))
    db.session.flush()
    if changed:
        audit.record(actor, "structure_updated", fields=changed, detail=f"structure {ref}")
    return structure
