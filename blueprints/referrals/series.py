"""Session series (preview, then creation in one go), one occurrence or the rest of a series changed or cancelled,
and the attendance grid of a session (issue 17, item 5)."""
import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from agir import access
from agir.extensions import db
from agir.operations import series as ops
from agir.rules import series as rules
from blueprints._helpers import audit_event, role_required
from blueprints.referrals import bp
from blueprints.referrals._common import attempt, attempt_all
from blueprints.referrals.forms import AttendanceForm, OccurrenceCancelForm, OccurrenceForm, SeriesForm
from blueprints.referrals.programmes import EDITORS, _editable_or_403, _programme_or_404
from models import Programme, Session


def _series_args(form: SeriesForm) -> list:
    return [form.first_on.data, form.last_on.data, form.weekdays.data or [], form.hours.data]


@bp.route("/programmes/<int:programme_id>/series/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_series(programme_id: int):
    """Sessions as a recurring series: « Aperçu » lists the dates, « Créer » writes them all at once."""
    programme = _editable_or_403(programme_id)
    form = SeriesForm()
    plan = None
    if form.is_submitted():
        extra = {"skip_holidays": bool(form.skip_holidays.data), "exceptions": form.exceptions.data}
        if request.form.get("action") == "create":
            series = attempt_all(form, ops.create_series, current_user, programme, *_series_args(form),
                                 starts_at=form.starts_at.data, **extra)
            if series:
                flash(gettext("%(n)s séances créées.", n=len(series.sessions)), "success")
                return redirect(url_for("referrals.programme", programme_id=programme_id, _anchor="seances"))
        else:
            plan = attempt_all(form, ops.plan_series, current_user, programme, *_series_args(form), **extra)
    return render_template("referrals/series_form.html", programme=programme, form=form, plan=plan or None)


def _occurrence_or_404(programme: Programme, session_id: int) -> Session:
    session = db.session.get(Session, session_id)
    if session is None or session.programme_id != programme.id:
        abort(404)
    return session


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_occurrence(programme_id: int, session_id: int):
    """Change one occurrence (date, start, hours) or the rest of its series (start, hours); cancel them."""
    programme = _editable_or_403(programme_id)
    session = _occurrence_or_404(programme, session_id)
    form = OccurrenceForm(obj=session)
    cancel_form = OccurrenceCancelForm(formdata=None, prefix="cancel")
    if form.is_submitted():
        done = attempt_all(form, ops.update_occurrences, current_user, programme, session_id, form.scope.data,
                           form.hours.data, form.starts_at.data, form.held_on.data)
        if done:
            flash(gettext("Séance modifiée.") if len(done) == 1
                  else gettext("%(n)s séances modifiées.", n=len(done)), "success")
            return redirect(url_for("referrals.programme", programme_id=programme_id, _anchor="seances"))
    return render_template("referrals/occurrence_form.html", programme=programme, session=session, form=form,
                           cancel_form=cancel_form)


@bp.post("/programmes/<int:programme_id>/sessions/<int:session_id>/cancel")
@role_required(*EDITORS)
def cancel_occurrence(programme_id: int, session_id: int):
    """Cancel one occurrence or the rest of its series (refused when presences are recorded)."""
    programme = _editable_or_403(programme_id)
    session = _occurrence_or_404(programme, session_id)
    cancel_form = OccurrenceCancelForm(prefix="cancel")
    if cancel_form.validate():
        count = attempt(cancel_form, ops.cancel_occurrences, current_user, programme, session_id,
                        cancel_form.scope.data)
        if count:
            flash(gettext("%(n)s séance(s) annulée(s).", n=count), "success")
            return redirect(url_for("referrals.programme", programme_id=programme_id, _anchor="seances"))
    return render_template("referrals/occurrence_form.html", programme=programme, session=session,
                           form=OccurrenceForm(obj=session, formdata=None), cancel_form=cancel_form), 422


# ---------------------------------------------------------------- attendance

def _attendance_programme_or_404(programme_id: int) -> Programme:
    """The grid lists participants: the programme's structure's referral officers only (404 for anyone else)."""
    programme = _programme_or_404(programme_id)
    if not access.takes_attendance(current_user, programme):
        audit_event("access_refused", detail=f"{request.method} {request.path}")
        db.session.commit()
        abort(404)
    return programme


def _read_marks(rows, session: Session) -> tuple[list[rules.Mark], dict[int, str]]:
    """The posted rows, and the French error of each row refused (by participation id)."""
    marks, errors = [], {}
    for row in rows:
        pid = row.participation_id
        typed = (request.form.get(f"hours-{pid}") or "").strip()
        hours, invalid = _number(typed)
        was, _ = _number(request.form.get(f"was-{pid}") or "")
        mark, error = rules.read_mark(pid, request.form.get(f"present-{pid}") == "1", hours, invalid, was,
                                      session.hours)
        if error is not None:
            errors[pid] = str(error.message)
        elif mark is not None:
            marks.append(mark)
    return marks, errors


def _number(typed: str) -> tuple[float | None, bool]:
    """A French number (1,5) → (value, False); blank → (None, False); unreadable → (None, True)."""
    if not typed:
        return None, False
    try:
        value = float(typed.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        return None, True
    return (value, False) if math.isfinite(value) else (None, True)


@bp.route("/programmes/<int:programme_id>/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@role_required("referral_officer")
def attendance(programme_id: int, session_id: int):
    """Who came to the session: one checkbox per participant (and hours when partial), saved in one POST."""
    programme = _attendance_programme_or_404(programme_id)
    session = _occurrence_or_404(programme, session_id)
    form = AttendanceForm()
    rows = ops.session_participants(programme, session)
    errors: dict[int, str] = {}
    if form.is_submitted():
        if not form.validate():
            abort(400)
        marks, errors = _read_marks(rows, session)
        if not errors:
            saved = attempt(form, ops.save_attendance, current_user, programme, session, marks)
            if saved:
                if saved.conflicts:
                    flash(ngettext("Enregistré, sauf pour %(names)s : quelqu'un d'autre a modifié sa présence "
                                   "entre-temps (sa saisie est conservée, vérifiez-la).",
                                   "Enregistré, sauf pour %(names)s : quelqu'un d'autre a modifié leur présence "
                                   "entre-temps (sa saisie est conservée, vérifiez-la).",
                                   len(saved.conflicts), names=", ".join(saved.conflicts)), "warning")
                else:
                    flash(gettext("Feuille de présence enregistrée."), "success")
                return redirect(url_for("referrals.attendance", programme_id=programme_id, session_id=session_id))
    audit_event("attendance_grid_viewed", fields=["first_name", "last_name", "participations"],
                detail=f"programme {programme.ref}, séance du {session.held_on.isoformat()}")
    db.session.commit()
    return render_template("referrals/attendance.html", programme=programme, session=session, form=form,
                           rows=rows, errors=errors, posted=request.form if form.is_submitted() else None), \
        (422 if errors or form.form_errors else 200)


@bp.get("/programmes/<int:programme_id>/attendance")
@role_required("referral_officer")
def attendance_matrix(programme_id: int):
    """The programme's attendance at a glance: sessions × participants."""
    programme = _attendance_programme_or_404(programme_id)
    sessions, people, cells = ops.attendance_matrix(programme)
    audit_event("attendance_grid_viewed", fields=["first_name", "last_name", "participations"],
                detail=f"programme {programme.ref}")
    db.session.commit()
    return render_template("referrals/attendance_matrix.html", programme=programme, sessions=sessions,
                           people=people, cells=cells)

