"""Admin pages of the audit log: filtered view, and one person's trail as CSV for the DPO (itself audited)."""
from flask import Response, abort, render_template, request
from flask_babel import gettext
from sqlalchemy import select

from agir.audit import trail as audit_trail
from agir.extensions import db
from agir.safe_files import content_disposition
from blueprints._helpers import audit_event, role_required
from blueprints.admin import bp
from blueprints.admin.common import ADMIN, page_args, paginate
from blueprints.admin.forms import AuditFilterForm, options
from models import Person


@bp.get("/audit/")
@role_required(*ADMIN)
def audit():
    """The audit log filtered by person number, user, action and dates; persons appear by number only."""
    form = AuditFilterForm(request.args)
    form.action.choices = options([("", gettext("Toutes les actions"))] + [
        (a, audit_trail.action_label(a)) for a in audit_trail.known_actions()])
    valid = form.validate()
    if valid:
        query = audit_trail.entries(person_id=form.person.data, user=form.user.data, action=form.action.data,
                                    date_from=form.date_from.data, date_to=form.date_to.data)
    else:
        query = audit_trail.entries(person_id=0)  # invalid filters show nothing rather than everything
    return render_template("admin/audit.html", form=form, pagination=paginate(query), args=page_args(),
                           action_label=audit_trail.action_label, person_id=form.person.data if valid else None)


@bp.get("/audit/persons/<int:person_id>.csv")
@role_required(*ADMIN)
def audit_person_csv(person_id: int):
    """Every audit entry about one person, as CSV; the export is written to the log as well."""
    if db.session.scalar(select(Person.id).where(Person.id == person_id)) is None:
        abort(404)
    body = audit_trail.person_trail_csv(person_id)
    audit_event("audit_exported", person=person_id, detail="journal d'audit de la personne (CSV)")
    db.session.commit()
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(f"audit-personne-{person_id}.csv"),
        "Cache-Control": "no-store",
    })
