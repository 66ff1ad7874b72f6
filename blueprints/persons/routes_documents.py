"""A person's documents (SPEC §4.7, issue 18): the list with each file's scan state, the upload form (kind, date,
expiry, file: every error at once, nothing stored on refusal) and the download of a clean file.

Access is the file's (person_or_404: 404 otherwise); only the social workers of the holding structure reach
these pages — the referral officers, pilots and admins never see a document. Downloads are audited and served
as attachments that no browser runs (nosniff, a sandboxing Content-Security-Policy)."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField
from wtforms.validators import InputRequired

from agir.documents import scan
from agir.documents.sniff import sniff
from agir.documents.store import StoreError
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.labels import choices
from agir.operations import documents as ops
from agir.rules.documents import MAX_BYTES, check_dates, check_file
from agir.safe_files import content_disposition
from blueprints._helpers import client_ip, person_or_404, role_required
from blueprints.persons import bp
from blueprints.persons.common import ROLES, attach_error, audit_view, commit
from blueprints.persons.forms import _date
from blueprints.persons.presenters import PAGES
from models import Document


class DocumentForm(FlaskForm):
    """Kind, date, expiry (optional) and the file."""

    kind = SelectField(_l("Type de document *"), choices=choices("document_kind", blank=_l("— Choisir —")),
                       validators=[InputRequired(_l("Le type de document est obligatoire."))])
    document_on = _date(_l("Date du document *"), _l("La date du document est obligatoire."))
    expires_on = _date(_l("Date d'expiration (si le document en a une)"))
    file = FileField(_l("Fichier *"))


def _upload(form, person) -> Document | None:
    """Validate everything, then keep the bytes and the row together; None with every error on the form."""
    from agir.dates import today
    form.validate()
    upload = form.file.data
    size, data = 0, b""
    if upload:
        upload.stream.seek(0, 2)
        size = upload.stream.tell()
        upload.stream.seek(0)
        data = upload.stream.read() if size <= MAX_BYTES else b""  # an oversized file is never read whole
    if not upload or not upload.filename:
        form.file.errors = [gettext("Choisissez le fichier à ajouter.")]
        content_type, problems = None, list[RuleViolation]()
    else:
        facts = sniff(data) if 0 < size <= MAX_BYTES else None
        content_type, problems = check_file(upload.filename, size, facts)
    if form.document_on.data and not form.document_on.errors:
        problems += check_dates(form.document_on.data, form.expires_on.data, today())
    for problem in problems:
        attach_error(form, problem)
    if form.errors or content_type is None:
        return None
    verdict = ops.scan_now(data, current_app.config)
    if verdict is not None and verdict.infected:
        attach_error(form, ops.refuse_infected(current_user, person, upload.filename, verdict, ip=client_ip()))
        commit()  # the audit entry of the refusal; nothing else was written
        return None
    with ops.bytes_kept(data) as key:
        document = ops.add_document(current_user, person, kind=form.kind.data, document_on=form.document_on.data,
                                    expires_on=form.expires_on.data, filename=upload.filename.strip(), data=data,
                                    content_type=content_type, storage_key=key, verdict=verdict)
        commit()
    return document


@bp.route("/<int:person_id>/documents", methods=["GET", "POST"])
@role_required(*ROLES)
def documents(person_id: int):
    """The person's documents and the upload form."""
    person = person_or_404(person_id)
    form = DocumentForm()
    added = _upload(form, person) if request.method == "POST" else None
    if added is not None:
        flash(gettext("Document ajouté : analysé par l'antivirus, il peut être ouvert.") if added.scan_status == "clean"
              else gettext("Document ajouté : en attente d'analyse antivirus, il ne peut pas encore être ouvert."),
              "success" if added.scan_status == "clean" else "warning")
        return redirect(url_for("persons.documents", person_id=person.id))
    audit_view(person, PAGES["documents"])
    config = current_app.config
    return render_template("persons/documents.html", person=person, form=form,
                           documents=ops.documents_of(person.id), scanner_ready=scan.ping(config),
                           scanner_configured=scan.scanner_address(config) is not None)


@bp.route("/<int:person_id>/documents/<int:document_id>/file")
@role_required(*ROLES)
def document_file(person_id: int, document_id: int):
    """The bytes of a clean document, as an attachment no browser runs; 404 for anything else."""
    person = person_or_404(person_id)
    document = db.session.get(Document, document_id)
    if document is None or document.person_id != person.id:
        abort(404)
    try:
        data = ops.open_document(current_user, document, ip=client_ip())
    except ops.DocumentUnavailable:
        abort(404)
    except StoreError:
        current_app.logger.exception("Document %s : octets illisibles dans le stockage", document.id)
        abort(404)
    commit()
    response = current_app.response_class(data, mimetype=document.content_type or "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(document.filename or f"document-{document.id}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response
