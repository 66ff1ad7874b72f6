"""Expected proofs (issue 18): a document replaced by a newer one keeps its place in the history."""
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField

from agir.extensions import db
from agir.i18n import format_date
from agir.i18n import lazy_gettext as _l
from agir.labels import label
from agir.operations import document_history
from blueprints._helpers import person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, audit_view, file_url, submit
from blueprints.persons.forms import VersionedForm
from blueprints.persons.presenters import PAGES
from models import Document


class ReplaceDocumentForm(VersionedForm):
    """Which current document of the same kind replaces this one."""

    by = SelectField(_l("Remplacé par *"), coerce=int, validate_choice=False)


def _document_or_404(person, document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None or document.person_id != person.id:
        abort(404)
    return document


def _describe(document: Document) -> str:
    text = gettext("%(what)s du %(day)s", what=label(document.kind, "document_kind"),
                   day=format_date(document.document_on))
    if document.expires_on:
        text += " " + gettext("(expire le %(day)s)", day=format_date(document.expires_on))
    return text


@bp.route("/<int:person_id>/documents/<int:document_id>/replaced", methods=["GET", "POST"])
@role_required(*ROLES)
def replace_document(person_id: int, document_id: int):
    """Say which newer document of the same kind replaces this one (the old one stays as history)."""
    person = person_or_404(person_id)
    old = _document_or_404(person, document_id)
    candidates = db.session.scalars(
        select(Document).where(Document.person_id == person.id, Document.kind == old.kind,
                               Document.id != old.id, Document.replaced_by_id.is_(None))
        .order_by(Document.document_on.desc(), Document.id.desc())).all()
    form = ReplaceDocumentForm(formdata=request.form if request.method == "POST" else None,
                               data={"version": old.version_id})
    form.by.choices = [(0, gettext("— choisir —"))] + [(d.id, _describe(d)) for d in candidates]
    if request.method == "POST":
        new = db.session.get(Document, form.by.data) if form.by.data else None
        _, ok = submit(form, document_history.replace_document, current_user, person, old, new,
                       version=form.version_value)
        if ok:
            flash(gettext("%(what)s : remplacé, gardé dans l'historique.", what=_describe(old)), "success")
            return redirect(file_url(person, "justificatifs"))
    audit_view(person, PAGES["form"])
    return render_template("persons/document_replace.html", person=person, form=form, document=old,
                           described=_describe(old), candidates=candidates)
