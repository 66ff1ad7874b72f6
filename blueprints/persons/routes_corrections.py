"""Correct or cancel an enrolment, an extension, an exit or a follow-up; delete a file created by mistake (SPEC §4.8).

Each page shows what is recorded, asks for the corrected values and the reason, and shows every error
at once: the checks of the form and the rules of the operation (agir.operations.corrections) together.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import exists, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from agir import access
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.i18n import N_
from agir.operations import corrections as ops
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, attach_error, audit_view, commit, file_url
from blueprints.persons.forms import (
    CancelRecordForm,
    DeletePersonForm,
    EnrolmentCorrectionForm,
    ExitCorrectionForm,
    ExtensionCorrectionForm,
    FollowUpCorrectionForm,
)
from blueprints.persons.presenters import PAGES
from models import Accompaniment, Exit, Extension, FollowUp, Person


def _accompaniment_or_404(person, accompaniment_id: int) -> Accompaniment:
    accompaniment = db.session.get(Accompaniment, accompaniment_id)
    if accompaniment is None or accompaniment.person_id != person.id:
        abort(404)
    return accompaniment


def _form(form_class, version: int, **data):
    """Prefilled with the record on GET; the posted values on POST."""
    if request.method == "GET":
        return form_class(data={"version": version, **data})
    return form_class()


def _submit(form, operation, *args, **kwargs) -> bool:
    """Field checks and rule checks together: every error at once, nothing written unless all pass."""
    if request.method != "POST":
        return False
    form_ok = form.validate()
    if form.csrf_token.errors:
        return False
    try:
        operation(*args, **kwargs)
        if form_ok:
            commit()
    except RuleViolation as exc:
        db.session.rollback()
        for violation in getattr(exc, "violations", [exc]):
            name = violation.field or ""
            if name in form._fields and form._fields[name].errors:
                continue  # the field's own check already speaks for it (an unreadable date)
            attach_error(form, violation)
        return False
    except (StaleDataError, IntegrityError, ObjectDeletedError):
        # Someone saved the same accompaniment between our read and our write.
        db.session.rollback()
        attach_error(form, StaleRecord())
        return False
    if not form_ok:
        db.session.rollback()
        return False
    return True


def _gone(person, context: dict) -> bool:
    """True when what the page is about was cancelled or deleted by someone else meanwhile."""
    def missing(model, obj=None, **where) -> bool:
        if obj is not None:
            where = {"id": inspect(obj).identity[0]}
        return not db.session.scalar(select(exists().where(
            *(getattr(model, name) == value for name, value in where.items()))))
    acc, record = context.get("accompaniment"), context.get("record")
    if missing(Person, person):
        return True
    if acc is None:
        return False
    acc_id = inspect(acc).identity[0]
    return (missing(Accompaniment, acc) or (record in ("exit", "followup") and missing(Exit, accompaniment_id=acc_id))
            or (record == "followup" and missing(FollowUp, exit_id=db.session.scalar(
                select(Exit.id).where(Exit.accompaniment_id == acc_id))))
            or (record == "extension" and missing(Extension, context["extension"])))


def _page(template: str, person, form, **context):
    if request.method == "POST" and _gone(person, context):
        flash(gettext("Ce que vous corrigiez a été modifié ou annulé par quelqu'un d'autre pendant votre saisie : "
                      "voici le dossier à jour."), "error")
        person_id = inspect(person).identity[0]
        if not db.session.scalar(select(exists().where(Person.id == person_id))):
            return redirect(url_for("persons.index"))
        return redirect(url_for("persons.show", person_id=person_id, _anchor="accompagnement"))
    audit_view(person, PAGES["form"])
    return render_template(template, person=person, form=form, **context)


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/correct", methods=["GET", "POST"])
@role_required(*ROLES)
def correct_enrolment(person_id: int, accompaniment_id: int):
    """Correct the entry date or the planned end of an enrolment."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    form = _form(EnrolmentCorrectionForm, acc.version_id, start=acc.start_on, planned_end=acc.planned_end_on)
    if _submit(form, ops.correct_enrolment, current_user, acc, form.start.data, form.planned_end.data,
               form.correction_reason.data, version=form.version_value):
        flash(gettext("L'inscription est corrigée."), "success")
        return redirect(file_url(person, "accompagnement"))
    return _page("persons/correct.html", person, form, accompaniment=acc, record="enrolment",
                 fields=[form.start, form.planned_end])


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/extensions/<int:extension_id>/correct",
          methods=["GET", "POST"])
@role_required(*ROLES)
def correct_extension(person_id: int, accompaniment_id: int, extension_id: int):
    """Correct an extension's decision date, new planned end or motive."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    ext = _extension_or_404(acc, extension_id)
    form = _form(ExtensionCorrectionForm, acc.version_id, date=ext.decided_on, planned_end=ext.planned_end_on,
                 reason=ext.reason)
    if _submit(form, ops.correct_extension, current_user, ext, form.date.data, form.planned_end.data,
               form.reason.data, form.correction_reason.data, version=form.version_value):
        flash(gettext("La prolongation est corrigée."), "success")
        return redirect(file_url(person, "accompagnement"))
    return _page("persons/correct.html", person, form, accompaniment=acc, record="extension", extension=ext,
                 fields=[form.date, form.planned_end, form.reason])


def _extension_or_404(acc: Accompaniment, extension_id: int) -> Extension:
    ext = db.session.get(Extension, extension_id)
    if ext is None or ext.accompaniment_id != acc.id:
        abort(404)
    return ext


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/exit/correct", methods=["GET", "POST"])
@role_required(*ROLES)
def correct_exit(person_id: int, accompaniment_id: int):
    """Correct the exit: date, reason, situation at exit."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    x = acc.exit
    if x is None:
        abort(404)
    form = _form(ExitCorrectionForm, acc.version_id, date=x.exit_on, reason=x.reason, job_kind=x.job_kind or "",
                 months=x.job_months, training_level=x.training_level or "")
    if _submit(form, ops.correct_exit, current_user, acc, form.date.data, form.reason.data,
               form.job_kind.data or None, form.months.data, form.training_level.data or None,
               form.correction_reason.data, version=form.version_value):
        flash(gettext("La sortie est corrigée."), "success")
        return redirect(file_url(person, "accompagnement"))
    return _page("persons/correct.html", person, form, accompaniment=acc, record="exit",
                 fields=[form.date, form.reason, form.job_kind, form.months, form.training_level])


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/followup/correct", methods=["GET", "POST"])
@role_required(*ROLES)
def correct_followup(person_id: int, accompaniment_id: int):
    """Correct the 6-month follow-up."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    done = acc.exit.followup if acc.exit else None
    if done is None:
        abort(404)
    form = _form(FollowUpCorrectionForm, acc.version_id, date=done.followup_on,
                 positive="yes" if done.is_positive else "no")
    positive = {"yes": True, "no": False}.get(form.positive.data)
    if _submit(form, ops.correct_followup, current_user, acc, form.date.data, positive,
               form.correction_reason.data, version=form.version_value):
        flash(gettext("Le suivi à 6 mois est corrigé."), "success")
        return redirect(file_url(person, "accompagnement"))
    return _page("persons/correct.html", person, form, accompaniment=acc, record="followup",
                 fields=[form.date, form.positive])


# ---- Cancellations: a confirmation page with the reason, then POST ----------------------------

CANCELS = {
    # record: (operation, success message)
    "enrolment": (ops.cancel_enrolment, N_("L'inscription est annulée.")),
    "exit": (ops.cancel_exit, N_("La sortie est annulée : l'accompagnement est de nouveau en cours.")),
    "followup": (ops.cancel_followup, N_("Le suivi à 6 mois est annulé.")),
}


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/<any(enrolment, exit, followup):record>/cancel",
          methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_record(person_id: int, accompaniment_id: int, record: str):
    """Cancel an enrolment, an exit or a follow-up recorded by mistake."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    if (record in ("exit", "followup") and acc.exit is None) or (record == "followup" and acc.exit.followup is None):
        abort(404)
    form = _form(CancelRecordForm, acc.version_id)
    operation, message = CANCELS[record]
    if _submit(form, operation, current_user, acc, form.correction_reason.data, version=form.version_value):
        flash(gettext(message), "success")
        if access.view_level(current_user, person_id, db.session) != access.FULL:
            # The file was opened by another structure: without this enrolment it is theirs again.
            flash(gettext("Le dossier relève de nouveau de la structure qui l'a ouvert."), "info")
            return redirect(url_for("persons.index"))
        return redirect(file_url(person, "accompagnement"))
    blockers = [gettext(b) for b in ops.enrolment_dependents(acc)] if record == "enrolment" else []
    return _page("persons/cancel.html", person, form, accompaniment=acc, record=record, blockers=blockers)


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/extensions/<int:extension_id>/cancel",
          methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_extension(person_id: int, accompaniment_id: int, extension_id: int):
    """Cancel an extension recorded by mistake."""
    person = person_or_404(person_id)
    acc = _accompaniment_or_404(person, accompaniment_id)
    ext = _extension_or_404(acc, extension_id)
    form = _form(CancelRecordForm, acc.version_id)
    if _submit(form, ops.cancel_extension, current_user, ext, form.correction_reason.data,
               version=form.version_value):
        flash(gettext("La prolongation est annulée."), "success")
        return redirect(file_url(person, "accompagnement"))
    return _page("persons/cancel.html", person, form, accompaniment=acc, record="extension", extension=ext,
                 blockers=[])


@bp.route("/<int:person_id>/delete", methods=["GET", "POST"])
@role_required(*ROLES)
def delete_person(person_id: int):
    """Delete a file created by mistake (no accompaniment, referral or participation), with a reason."""
    person = person_or_404(person_id)
    if not ops.can_delete_person(current_user, person):
        abort(404)
    form = _form(DeletePersonForm, person.version_id)
    ref = person.ref
    if _submit(form, ops.delete_person, current_user, person, form.correction_reason.data,
               version=form.version_value):
        flash(gettext("Le dossier %(ref)s est supprimé. La suppression et son motif restent dans le journal "
                      "d'audit.", ref=ref), "success")
        return redirect(url_for("persons.index"))
    return _page("persons/delete.html", person, form, blockers=[gettext(b) for b in ops.file_dependents(person)])
