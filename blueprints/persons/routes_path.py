"""Rights, housing, jobs, trainings, events and notes: add, correct, delete (short forms, also embedded in the file)."""
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.labels import label
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, audit_view, file_url, submit
from blueprints.persons.file import right_form
from blueprints.persons.forms import (
    ITEM_CORRECTION_FORMS,
    ITEM_FORMS,
    CancelLineForm,
    NoteCorrectionForm,
    NoteForm,
    RightCorrectionForm,
)
from blueprints.persons.presenters import PAGES
from models import Note, RightStep
from models.enums import RIGHT_KINDS

# URL segment → (item kind, section anchor, French titles: add / edit, success message)
SECTIONS = {
    "housing-steps": ("housing_step", "logement", _l("Nouvelle démarche logement"),
                      _l("Corriger une démarche logement")),
    "housing": ("housing", "logement", _l("Nouvel accès au logement"), _l("Corriger un accès au logement")),
    "jobs": ("job", "emploi", _l("Nouvel emploi"), _l("Corriger un emploi")),
    "trainings": ("training", "emploi", _l("Nouvelle formation"), _l("Corriger une formation")),
    "events": ("event", "evenements", _l("Nouvel événement"), _l("Corriger un événement")),
}


@bp.route("/<int:person_id>/rights/<kind>", methods=["GET", "POST"])
@role_required(*ROLES)
def right(person_id: int, kind: str):
    """Change the state and dates of one right."""
    person = person_or_404(person_id)
    if kind not in RIGHT_KINDS:
        abort(404)
    step = db.session.scalar(select(RightStep).where(RightStep.person_id == person.id, RightStep.kind == kind))
    form = right_form(kind, step, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        _, ok = submit(form, path_ops.set_right, current_user, person, kind, form.state.data,
                      requested=form.requested.data, obtained=form.obtained.data, refused=form.refused.data,
                      reason=form.reason.data, version=form.version_value)
        if ok:
            flash(gettext("%(what)s : enregistré.", what=label(kind, "right_kind")), "success")
            return redirect(file_url(person, f"droit-{kind}"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/right.html", person=person, form=form, kind=kind)


def _section_or_404(section: str):
    if section not in SECTIONS:
        abort(404)
    return SECTIONS[section]


def _values(form, item_kind: str) -> dict:
    return {name: getattr(form, name).data or None for name in path_ops.ITEMS[item_kind].columns}


@bp.route("/<int:person_id>/<section>/new", methods=["GET", "POST"])
@role_required(*ROLES)
def add_item(person_id: int, section: str):
    """Add a housing step, a housing access, a job, a training or an event."""
    person = person_or_404(person_id)
    item_kind, anchor, title, _ = _section_or_404(section)
    form = ITEM_FORMS[item_kind](prefix=item_kind)
    if form.is_submitted():
        _, ok = submit(form, path_ops.add_item, current_user, person, item_kind, _values(form, item_kind))
        if ok:
            flash(gettext("%(what)s : enregistré.", what=title), "success")
            return redirect(file_url(person, anchor))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/item.html", person=person, form=form, title=title, section=section,
                           item_kind=item_kind, anchor=anchor, item=None)


def _item_or_404(person, item_kind: str, item_id: int):
    item = db.session.get(path_ops.ITEMS[item_kind].model, item_id)
    if item is None or item.person_id != person.id:
        abort(404)
    return item


def _save(form, operation, *args, **kwargs):
    """submit(), and every violation the operation found at once (RuleViolation.violations), each next to its
    field: a correction's own rules and its missing reason together."""
    found = []

    def run(*a, **k):
        try:
            return operation(*a, **k)
        except RuleViolation as exc:
            found[:] = getattr(exc, "violations", [exc])
            raise
    return submit(form, run, *args, also=lambda: list(found), **kwargs)


def _line_page(template: str, person, form, **context):
    """A correction or cancellation page: a read of the file (audited), after a refused POST too."""
    audit_view(person, PAGES["form"])
    return render_template(template, person=person, form=form, **context)


def _refused_unless_recorder(form, person, item) -> None:
    """A structure that did not record the line reads why it cannot correct it, before typing anything."""
    if request.method == "GET" and not path_ops.may_correct(current_user, person, item):
        form.form_errors.append(gettext("Seule la structure qui a enregistré cette ligne peut la corriger ou "
                                        "l'annuler."))


@bp.route("/<int:person_id>/<section>/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES)
def edit_item(person_id: int, section: str, item_id: int):
    """Correct a dated line, with the reason (the form carries the version it was read at)."""
    person = person_or_404(person_id)
    item_kind, anchor, _, title = _section_or_404(section)
    item = _item_or_404(person, item_kind, item_id)
    columns = path_ops.ITEMS[item_kind].columns
    form = ITEM_CORRECTION_FORMS[item_kind](
        prefix=item_kind, data={"version": item.version_id} | {n: getattr(item, c) for n, c in columns.items()}
        if request.method == "GET" else None)
    _refused_unless_recorder(form, person, item)
    if form.is_submitted():
        _, ok = _save(form, path_ops.correct_item, current_user, item, _values(form, item_kind),
                       form.correction_reason.data, version=form.version_value)
        if ok:
            flash(gettext("La correction est enregistrée."), "success")
            return redirect(file_url(person, anchor))
    return _line_page("persons/item.html", person, form, title=title, section=section, item_kind=item_kind,
                      anchor=anchor, item=item)


@bp.route("/<int:person_id>/<section>/<int:item_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_item(person_id: int, section: str, item_id: int):
    """Cancel (delete) a line recorded by mistake, with the reason: a confirmation page showing the line."""
    person = person_or_404(person_id)
    item_kind, anchor, _, _ = _section_or_404(section)
    item = _item_or_404(person, item_kind, item_id)
    form = CancelLineForm(prefix="cancel", data={"version": item.version_id} if request.method == "GET" else None)
    _refused_unless_recorder(form, person, item)
    if form.is_submitted():
        _, ok = _save(form, path_ops.cancel_item, current_user, item, form.correction_reason.data,
                       version=form.version_value)
        if ok:
            flash(gettext("La ligne est annulée : elle ne compte plus dans le dossier ni dans les indicateurs."),
                  "success")
            return redirect(file_url(person, anchor))
    return _line_page("persons/cancel_line.html", person, form, anchor=anchor, record=item_kind, item=item)


def _note_or_404(person, note_id: int) -> Note:
    note = db.session.get(Note, note_id)
    if note is None or note.person_id != person.id:
        abort(404)
    return note


@bp.route("/<int:person_id>/notes/new", methods=["GET", "POST"])
@role_required(*ROLES)
def add_note(person_id: int):
    """Write a dated note."""
    person = person_or_404(person_id)
    form = NoteForm(prefix="note")
    if form.is_submitted():
        _, ok = submit(form, person_ops.add_note, current_user, person, form.date.data, form.text.data)
        if ok:
            flash(gettext("La note est enregistrée."), "success")
            return redirect(file_url(person, "notes"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/note.html", person=person, form=form, note=None)


@bp.route("/<int:person_id>/notes/<int:note_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES)
def edit_note(person_id: int, note_id: int):
    """Correct one's own note, with the reason."""
    person = person_or_404(person_id)
    note = _note_or_404(person, note_id)
    form = NoteCorrectionForm(prefix="note", data={"date": note.noted_on, "text": note.text,
                                                   "version": note.version_id}
                              if request.method == "GET" else None)
    _refused_unless_note_author(form, note)
    if form.is_submitted():
        _, ok = _save(form, person_ops.correct_note, current_user, note, form.date.data, form.text.data,
                       form.correction_reason.data, version=form.version_value)
        if ok:
            flash(gettext("La note est corrigée."), "success")
            return redirect(file_url(person, "notes"))
    return _line_page("persons/note.html", person, form, note=note)


def _refused_unless_note_author(form, note) -> None:
    if request.method == "GET" and not person_ops.may_correct_note(current_user, note):
        form.form_errors.append(gettext("Seul·e l'auteur·rice d'une note peut la corriger ou l'annuler."))


@bp.route("/<int:person_id>/notes/<int:note_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_note(person_id: int, note_id: int):
    """Cancel (delete) a note written by mistake, with the reason."""
    person = person_or_404(person_id)
    note = _note_or_404(person, note_id)
    form = CancelLineForm(prefix="cancel", data={"version": note.version_id} if request.method == "GET" else None)
    _refused_unless_note_author(form, note)
    if form.is_submitted():
        _, ok = _save(form, person_ops.cancel_note, current_user, note, form.correction_reason.data,
                       version=form.version_value)
        if ok:
            flash(gettext("La note est annulée."), "success")
            return redirect(file_url(person, "notes"))
    return _line_page("persons/cancel_line.html", person, form, anchor="notes", record="note", note=note)


# ---- Rights: correction (any state, even back) and cancellation, with the reason -------------------

def _right_step_or_404(person, kind: str) -> RightStep:
    if kind not in RIGHT_KINDS:
        abort(404)
    step = db.session.scalar(select(RightStep).where(RightStep.person_id == person.id, RightStep.kind == kind))
    if step is None:
        abort(404)  # nothing recorded: nothing to correct (the ordinary update records the first step)
    return step


@bp.route("/<int:person_id>/rights/<kind>/correct", methods=["GET", "POST"])
@role_required(*ROLES)
def correct_right(person_id: int, kind: str):
    """Correct a right recorded wrongly: any state, even an earlier one, with its dates and the reason."""
    person = person_or_404(person_id)
    step = _right_step_or_404(person, kind)
    form = RightCorrectionForm(prefix=f"correct-{kind}", data={
        "state": step.state, "requested": step.requested_on, "obtained": step.obtained_on,
        "refused": step.refused_on, "reason": step.refusal_reason, "version": step.version_id}
        if request.method == "GET" else None)
    if request.method == "GET" and not path_ops.may_correct(current_user, person, step):
        form.form_errors.append(gettext("Seule la structure qui a enregistré cette ligne peut la corriger ou "
                                        "l'annuler."))
    if form.is_submitted():
        _, ok = _save(form, path_ops.correct_right, current_user, step, form.state.data,
                       requested=form.requested.data, obtained=form.obtained.data, refused=form.refused.data,
                       refusal_reason=form.reason.data, reason=form.correction_reason.data,
                       version=form.version_value)
        if ok:
            flash(gettext("%(what)s : correction enregistrée.", what=label(kind, "right_kind")), "success")
            return redirect(file_url(person, f"droit-{kind}"))
    return _line_page("persons/right.html", person, form, kind=kind, step=step, correcting=True)


@bp.route("/<int:person_id>/rights/<kind>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel_right(person_id: int, kind: str):
    """Cancel a right line recorded by mistake: the right goes back to « à faire »."""
    person = person_or_404(person_id)
    step = _right_step_or_404(person, kind)
    form = CancelLineForm(prefix="cancel", data={"version": step.version_id} if request.method == "GET" else None)
    if request.method == "GET" and not path_ops.may_correct(current_user, person, step):
        form.form_errors.append(gettext("Seule la structure qui a enregistré cette ligne peut la corriger ou "
                                        "l'annuler."))
    if form.is_submitted():
        _, ok = _save(form, path_ops.cancel_right, current_user, step, form.correction_reason.data,
                       version=form.version_value)
        if ok:
            flash(gettext("%(what)s : la ligne est annulée, le droit est de nouveau « à faire ».",
                          what=label(kind, "right_kind")), "success")
            return redirect(file_url(person, f"droit-{kind}"))
    return _line_page("persons/cancel_line.html", person, form, anchor=f"droit-{kind}", record="right", step=step)


@bp.app_template_global("may_correct_line")
def may_correct_line(person, item) -> bool:
    """For the file's buttons: the current user's structure recorded the line (agir.operations.path)."""
    return path_ops.may_correct(current_user, person, item)


@bp.app_template_global("may_correct_note")
def may_correct_note(note) -> bool:
    """For the file's buttons: the current user may correct or cancel the note."""
    return person_ops.may_correct_note(current_user, note)
