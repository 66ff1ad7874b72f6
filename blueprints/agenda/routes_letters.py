"""The convocation letter of a planned appointment (issue 17 item 3): a PDF in French and the person's language
side by side, for people without phone or e-mail. Access as the person's file (404 otherwise), audited, served
as an attachment with a safe file name."""
from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from agir import letters
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations import appointments as appointment_ops
from agir.operations import letters as ops
from agir.safe_files import content_disposition
from blueprints._helpers import audit_event, role_required
from blueprints.agenda import bp
from blueprints.agenda.routes import ROLES, _appointment_or_404


@bp.get("/appointments/<int:appointment_id>/convocation.pdf")
@role_required(*ROLES)
def convocation(appointment_id: int):
    """The convocation's PDF; `lang` chooses the second column (default: the interpreter's, else the person's
    language, else English)."""
    appointment, person = _appointment_or_404(appointment_id)
    lang = request.args.get("lang") or None
    if lang is not None and lang not in letters.LANGUAGES:
        abort(404)
    try:
        pdf, code = ops.generate_convocation(current_user, appointment, appointment_ops.paris_now(),
                                             current_app.config.get("CONTRACT_FONT_DIR"), lang)
    except RuleViolation as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("agenda.person", person_id=person.id))
    except letters.FontsMissing as exc:
        db.session.rollback()
        audit_event("file_viewed", person, fields=["appointments"], detail=f"convocation {appointment.id}")
        db.session.commit()
        return render_template("agenda/convocation_unavailable.html", person=person, files=exc.files,
                               package=exc.package), 503
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    name = f"convocation-{person.last_name}-{person.first_name}-{appointment.start_at:%Y-%m-%d}-fra-{code}.pdf"
    response.headers["Content-Disposition"] = content_disposition(name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("paris_now")
def paris_now():
    """The wall-clock time in Paris (naive, as appointments are stored): the file shows the convocation's link only
    for an appointment still ahead."""
    return appointment_ops.paris_now()
