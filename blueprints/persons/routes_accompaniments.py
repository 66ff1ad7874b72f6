"""Enrolment, extension, exit and 6-month follow-up: one short form each (also embedded in the file)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import format_date
from agir.operations import accompaniments as ops
from agir.operations.accompaniments import proposed_planned_end, verdict_for
from agir.rules.accompaniment import followup_due_on
from agir.rules.durations import planned_end_bounds
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, audit_view, file_url, submit
from blueprints.persons.forms import EnrolForm, ExitForm, ExtensionForm, FollowUpForm
from blueprints.persons.presenters import PAGES, clock_bar
from models import Accompaniment


def _accompaniment_or_404(person, accompaniment_id: int) -> Accompaniment:
    accompaniment = db.session.get(Accompaniment, accompaniment_id)
    if accompaniment is None or accompaniment.person_id != person.id:
        abort(404)
    return accompaniment


def _versioned(form_class, record, prefix="", **data):
    """A form prefilled with the record's version on GET; the posted values on POST."""
    if request.method == "GET":
        return form_class(prefix=prefix, data={"version": record.version_id, **data})
    return form_class(prefix=prefix)


@bp.route("/<int:person_id>/enrol", methods=["GET", "POST"])
@role_required(*ROLES)
def enrol(person_id: int):
    """Enrol into an AGIR accompaniment or a structuring project held by my structure."""
    person = person_or_404(person_id)
    max_months = person.department.max_months
    form = EnrolForm(prefix="enrol", data={"planned_end": proposed_planned_end(paris_today(), max_months)}
                     if request.method == "GET" else None)
    if form.is_submitted():
        _, ok = submit(form, ops.enrol_person, current_user, person, form.start.data, form.planned_end.data)
        if ok:
            flash(gettext("L'inscription est enregistrée."), "success")
            return redirect(file_url(person, "accompagnement"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    on = form.start.data or paris_today()
    return render_template("persons/enrol.html", person=person, form=form,
                           verdict=verdict_for(person, current_user.structure, on),
                           bounds=planned_end_bounds(on, max_months))


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/extend", methods=["GET", "POST"])
@role_required(*ROLES)
def extend(person_id: int, accompaniment_id: int):
    """Move the planned end later, with a reason."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    form = _versioned(ExtensionForm, accompaniment)
    if form.is_submitted():
        _, ok = submit(form, ops.extend_accompaniment, current_user, accompaniment, form.date.data,
                      form.planned_end.data, form.reason.data, version=form.version_value)
        if ok:
            flash(gettext("La prolongation est enregistrée."), "success")
            return redirect(file_url(person, "accompagnement"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/extend.html", person=person, form=form, accompaniment=accompaniment,
                           bar=clock_bar(accompaniment, paris_today(), person.department.max_months))


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/exit", methods=["GET", "POST"])
@role_required(*ROLES)
def exit_(person_id: int, accompaniment_id: int):
    """Record the exit: date, reason, situation at exit."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    form = _versioned(ExitForm, accompaniment)
    if form.is_submitted():
        _, ok = submit(form, ops.record_exit, current_user, accompaniment, form.date.data, form.reason.data,
                      job_kind=form.job_kind.data or None, job_months=form.months.data,
                      training_level=form.training_level.data or None, version=form.version_value)
        if ok:
            flash(gettext("La sortie est enregistrée. Le suivi à 6 mois sera à faire à partir du %(day)s.",
                          day=format_date(followup_due_on(accompaniment.exit_on))), "success")
            return redirect(file_url(person, "accompagnement"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/exit.html", person=person, form=form, accompaniment=accompaniment,
                           bar=clock_bar(accompaniment, paris_today(), person.department.max_months))


@bp.route("/<int:person_id>/accompaniments/<int:accompaniment_id>/followup", methods=["GET", "POST"])
@role_required(*ROLES)
def followup(person_id: int, accompaniment_id: int):
    """Record (or correct) the 6-month follow-up."""
    person = person_or_404(person_id)
    accompaniment = _accompaniment_or_404(person, accompaniment_id)
    if accompaniment.exit is None:
        abort(404)
    done = accompaniment.exit.followup
    if done is not None:  # a recorded follow-up is corrected with a reason (SPEC §4.8)
        return redirect(url_for("persons.correct_followup", person_id=person.id, accompaniment_id=accompaniment.id))
    form = _versioned(FollowUpForm, accompaniment, prefix="followup", **({"date": done.followup_on,
                                                        "positive": "yes" if done.is_positive else "no"}
                                                       if done else {}))
    if form.is_submitted():
        _, ok = submit(form, ops.record_followup, current_user, accompaniment, form.date.data,
                      form.positive.data == "yes", version=form.version_value)
        if ok:
            flash(gettext("Le suivi à 6 mois est enregistré."), "success")
            return redirect(file_url(person, "accompagnement"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/followup.html", person=person, form=form, accompaniment=accompaniment,
                           due_on=followup_due_on(accompaniment.exit.exit_on))
