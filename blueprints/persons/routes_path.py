"""Rights, housing, jobs, trainings, events and notes: add, correct, delete (short forms, also embedded in the file)."""
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.labels import label
from agir.operations import path as path_ops
from agir.operations import persons as person_ops
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, apply, audit_view, commit, file_url, submit
from blueprints.persons.file import right_form
from blueprints.persons.forms import ITEM_FORMS, NoteForm
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


@bp.route("/<int:person_id>/<section>/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(*ROLES)
def edit_item(person_id: int, section: str, item_id: int):
    """Correct a dated line."""
    person = person_or_404(person_id)
    item_kind, anchor, _, title = _section_or_404(section)
    item = _item_or_404(person, item_kind, item_id)
    columns = path_ops.ITEMS[item_kind].columns
    form = ITEM_FORMS[item_kind](prefix=item_kind, data={n: getattr(item, c) for n, c in columns.items()}
                                 if request.method == "GET" else None)
    if form.is_submitted():
        _, ok = submit(form, path_ops.update_item, current_user, item, _values(form, item_kind))
        if ok:
            flash(gettext("La correction est enregistrée."), "success")
            return redirect(file_url(person, anchor))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/item.html", person=person, form=form, title=title, section=section,
                           item_kind=item_kind, anchor=anchor, item=item)


@bp.post("/<int:person_id>/<section>/<int:item_id>/delete")
@role_required(*ROLES)
def delete_item(person_id: int, section: str, item_id: int):
    """Delete a line recorded by mistake."""
    person = person_or_404(person_id)
    item_kind, anchor, _, _ = _section_or_404(section)
    item = _item_or_404(person, item_kind, item_id)
    path_ops.delete_item(current_user, item)
    commit()
    flash(gettext("La ligne est supprimée."), "success")
    return redirect(file_url(person, anchor))


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
    """Correct one's own note."""
    person = person_or_404(person_id)
    note = _note_or_404(person, note_id)
    form = NoteForm(prefix="note", data={"date": note.noted_on, "text": note.text}
                    if request.method == "GET" else None)
    if form.is_submitted():
        _, ok = submit(form, person_ops.update_note, current_user, note, form.date.data, form.text.data)
        if ok:
            flash(gettext("La note est corrigée."), "success")
            return redirect(file_url(person, "notes"))
    audit_view(person, PAGES["form"])  # a form shown again after a refused POST is a read too
    return render_template("persons/note.html", person=person, form=form, note=note)


@bp.post("/<int:person_id>/notes/<int:note_id>/delete")
@role_required(*ROLES)
def delete_note(person_id: int, note_id: int):
    """Delete one's own note."""
    person = person_or_404(person_id)
    note = _note_or_404(person, note_id)
    form = NoteForm(prefix="note")
    _, ok = apply(form, person_ops.delete_note, current_user, note)
    flash(gettext("La note est supprimée.") if ok else " ".join(form.form_errors), "success" if ok else "error")
    return redirect(file_url(person, "notes"))
