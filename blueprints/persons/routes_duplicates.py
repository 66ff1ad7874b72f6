"""Probable duplicates (SPEC §4.8): shown before a file is created, listed from a file, and merging two files.

What the user is shown of a probable duplicate depends on agir.access: a file the user may open is
shown in full (name, birth date, ref, link); a file held by another structure of the department only
says THAT a file exists and WHICH structure holds it (so that the worker can call them) — no name, no
birth date, no link. Every showing is audited on the file concerned.
"""
from dataclasses import dataclass

from flask import flash, g, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm

from agir import access
from agir.duplicates import holder_structure_ids, probable_duplicates, structure_names
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import N_
from agir.operations.merge import MergeRefused, merge_persons, merge_violations, merged_identity
from blueprints._helpers import audit_event, person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, commit, file_url
from models import Person

CONFIRM = "not_duplicate"  # the name of the button « Ce n'est pas la même personne, créer le dossier »
SHOWN_AT_CREATION = "création d'un dossier"
SHOWN_FROM_FILE = "doublons d'un dossier"


@dataclass
class Candidate:
    """A probable duplicate as the user may see it: `person` only when the user may open the file."""

    id: int
    score: float
    person: Person | None
    structure: str | None

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def candidates(values: dict, department_id: int, exclude_id: int | None = None) -> list[Candidate]:
    """The probable duplicates of `values` in the department, as the current user may see them."""
    found = probable_duplicates(values, department_id, exclude_id)
    holders = holder_structure_ids([other["id"] for other, _ in found])
    names = structure_names(holders.values())
    out = []
    for other, value in found:
        visible = access.view_level(current_user, other["id"], db.session) == access.FULL
        shown = db.session.get(Person, other["id"]) if visible else None
        out.append(Candidate(id=other["id"], score=value, person=shown, structure=names.get(holders.get(other["id"]))))
    return out


def duplicates_cleared(form) -> bool:
    """Whether the new file may be created now: no probable duplicate, or the user said it is not the same
    person. Otherwise the duplicates are kept in `g.probable_duplicates` for the page (and audited)."""
    structure = getattr(current_user, "structure", None)
    if structure is None:
        return True  # the operation refuses with its own message
    found = candidates(form.values(), structure.department_id)
    if not found:
        return True
    if request.form.get(CONFIRM) == "1":
        for candidate in found:  # committed with the new file
            audit_event("duplicate_dismissed", person=candidate.id, detail=SHOWN_AT_CREATION)
        return True
    for candidate in found:
        audit_event("duplicate_shown", person=candidate.id, detail=SHOWN_AT_CREATION)
    commit()
    g.probable_duplicates = found
    return False


@bp.get("/<int:person_id>/duplicates")
@role_required(*ROLES)
def duplicates(person_id: int):
    """The probable duplicates of a file: those of my structure to merge, the others by their structure only."""
    person = person_or_404(person_id)
    values = {name: getattr(person, name) for name in ("last_name", "first_name", "birth_on", "nationality", "sex")}
    found = candidates(values, person.department_id, exclude_id=person.id)
    audit_event("view_person", person=person, detail=SHOWN_FROM_FILE)
    for candidate in found:
        audit_event("duplicate_shown", person=candidate.id, detail=SHOWN_FROM_FILE)
    commit()
    return render_template("persons/duplicates.html", person=person, found=found)


class MergeForm(FlaskForm):
    """Only the CSRF token: the two files are in the address."""


COMPARED = (("last_name", N_("Nom")), ("first_name", N_("Prénom")), ("sex", N_("Sexe")),
            ("birth_on", N_("Date de naissance")), ("nationality", N_("Nationalité")), ("status", N_("Statut")),
            ("protection_on", N_("Date de protection")), ("first_permit_on", N_("Date du premier titre")),
            ("arrival_on", N_("Date d'arrivée")), ("phone", N_("Téléphone")), ("email", N_("Courriel")))
RECORDS = (("accompaniments", N_("Accompagnements")), ("rights", N_("Droits")),
           ("housing_steps", N_("Démarches logement")), ("housing", N_("Accès au logement")), ("jobs", N_("Emplois")),
           ("trainings", N_("Formations")), ("referrals", N_("Orientations")),
           ("participations", N_("Participations")), ("events", N_("Événements")), ("notes", N_("Notes")))


@bp.route("/<int:person_id>/merge/<int:other_id>", methods=["GET", "POST"])
@role_required(*ROLES)
def merge(person_id: int, other_id: int):
    """Both files side by side, then the merge: `other` is merged into `person`, whose ref stays."""
    person = person_or_404(person_id)
    other = person_or_404(other_id)
    form = MergeForm()
    errors: list[str] = []
    if form.validate_on_submit():
        keep_ref, gone_ref = person.ref, other.ref
        try:
            merged = merge_persons(current_user, person, other)
            commit()
        except MergeRefused as exc:
            db.session.rollback()
            errors = [v.message for v in exc.violations]
        except RuleViolation as exc:
            db.session.rollback()
            errors = [exc.message]
        else:
            flash(gettext("Le dossier %(gone)s est fusionné dans le dossier %(keep)s.", gone=gone_ref, keep=keep_ref),
                  "success")
            return redirect(file_url(merged))
        person, other = db.session.get(Person, person_id), db.session.get(Person, other_id)
    else:
        errors = [v.message for v in merge_violations(current_user, person, other)]
        db.session.rollback()  # merge_violations only reads; nothing of it is kept
        person, other = db.session.get(Person, person_id), db.session.get(Person, other_id)
    for shown in (person, other):
        audit_event("view_person", person=shown, detail=SHOWN_FROM_FILE)
    commit()
    alone = person.household is None or len(person.household.members) == 1
    family = other.household is not None and len(other.household.members) > 1
    merged_household = other.household if alone and family else person.household  # as merge_persons does
    return render_template("persons/merge.html", person=person, other=other, form=form, errors=errors,
                           compared=COMPARED, records=RECORDS, merged=merged_identity(person, other),
                           merged_household=merged_household)
