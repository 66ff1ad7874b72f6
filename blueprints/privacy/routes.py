"""Right of access: the holder's social worker exports one person's whole file, audited each time."""
import json
from datetime import date

from flask import Response, current_app, render_template
from flask_login import current_user

from agir import privacy
from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import format_date
from agir.safe_files import content_disposition
from blueprints._helpers import client_ip, person_or_404, role_required
from blueprints.privacy import bp

ROLES = ("social_worker",)


def _export(person_id: int, export_format: str) -> tuple:
    """The person (or 404 through agir.access) and their export, audited and committed."""
    person = person_or_404(person_id)
    data = privacy.export_person(current_user, person, export_format, ip=client_ip(),
                                 years=current_app.config["RETENTION_YEARS"],
                                 audit_days=current_app.config["AUDIT_RETENTION_DAYS"])
    db.session.commit()
    return person, data


def _fr(value: str | None) -> str:
    """An ISO date of the export as the French read it."""
    return format_date(date.fromisoformat(value)) if value else "—"


@bp.get("/persons/<int:person_id>")
@role_required(*ROLES)
def person(person_id: int):
    """The whole file in plain French, ready to print and hand over to the person."""
    person, data = _export(person_id, "html")
    return render_template("privacy/person.html", person=person, data=data, fr=_fr,
                           reason_text=privacy.reason_text, today=paris_today())


@bp.get("/persons/<int:person_id>.json")
@role_required(*ROLES)
def person_json(person_id: int):
    """The whole file as a JSON download (the interchange record of the person, with what it leaves out)."""
    person, data = _export(person_id, "json")
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = content_disposition(f"agir-droit-acces-{person.ref[:60]}.json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/persons/<int:person_id>.zip")
@role_required(*ROLES)
def person_zip(person_id: int):
    """The whole file and the documents themselves (issue 18): one zip, audited (the export and each document)."""
    person = person_or_404(person_id)
    data = privacy.export_person(current_user, person, "zip", ip=client_ip(),
                                 years=current_app.config["RETENTION_YEARS"],
                                 audit_days=current_app.config["AUDIT_RETENTION_DAYS"])
    body = privacy.access_archive(current_user, person, data, ip=client_ip())
    db.session.commit()
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(f"agir-droit-acces-{person.ref[:60]}.zip")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
