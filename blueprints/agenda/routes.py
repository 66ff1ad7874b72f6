"""The agenda (issue 17, SPEC §4.6): a server-rendered DSFR agenda rather than a JavaScript calendar widget
(FullCalendar…): plain tables and links read by screen readers and used with the keyboard, no script
needed, nothing to keep in step with the CSP — and a table of one week fits a 1366 px laptop.

/agenda/?view=day|week|list&day=AAAA-MM-JJ&scope=me|structure — the référent's own appointments or the
whole structure's. /agenda/persons/<id> — a person's appointments and the form to book one (where the
alerts first_interview_late and appointment_missed lead). Move, cancel, outcome: one operation each.
"""
from datetime import date, datetime, timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from agir import access, languages, sms
from agir.dates import today as paris_today
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations import appointments as ops
from blueprints._helpers import audit_event, person_or_404, role_required
from blueprints.agenda import bp
from blueprints.agenda.cards import CARD_COLUMNS, Words
from blueprints.agenda.forms import (
    KIND_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    AppointmentForm,
    CancelForm,
    ContactForm,
    MoveForm,
    OptOutForm,
    OutcomeForm,
)
from models import Appointment, Person, ReminderMessage, User

ROLES = ("social_worker",)
VIEWS = ("day", "week", "list")
LIST_DAYS = 28
# Languages offered while typing the interpreter's (any ISO 639-3 code is accepted).
COMMON_LANGUAGES = ("prs", "pus", "ara", "tir", "fas", "eng", "rus", "ukr", "som", "amh", "urd", "ben", "tam",
                    "kur", "ckb", "kmr", "sqi", "hye", "kat", "fra", "spa", "por", "swa", "lin", "mnk", "ful")


def _day_arg() -> date:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return paris_today()


def _labels():
    return {"kind": {k: gettext(v) for k, v in KIND_LABELS.items()},
            "mode": {k: gettext(v) for k, v in MODE_LABELS.items()},
            "status": {k: gettext(v) for k, v in STATUS_LABELS.items()}}


def _referent_choices():
    return [(str(u.id), u.display_name or u.email) for u in ops.referents_of(current_user.structure_id)]


def _agenda_rows(start: date, end: date, scope: str):
    """The structure's appointments between two days (end excluded), cancelled ones aside, with their person's name
    and their référent's: the index (structure_id, start_at) answers it. Only the columns the agenda prints (not
    whole Appointment, Person and User rows: a busy week has 600 of each to build, then to expire at the commit).
    The file's visibility is checked for each appointment's person (a few hundred), not by building the list of
    every file of the structure (44 → 6 ms at 100,000 persons: docs/performance.md, « Agenda »)."""
    stmt = (select(*CARD_COLUMNS, Person.id.label("person_id"), Person.last_name, Person.first_name,
                   User.display_name.label("referent_name"), User.email.label("referent_email"))
            .join(Person, Person.id == Appointment.person_id)
            .outerjoin(User, User.id == Appointment.referent_id)
            .where(Appointment.structure_id == current_user.structure_id,
                   Appointment.start_at >= datetime.combine(start, datetime.min.time()),
                   Appointment.start_at < datetime.combine(end, datetime.min.time()),
                   Appointment.status != "cancelled", access.full_file_row_condition(current_user))
            .order_by(Appointment.start_at, Appointment.id))
    if scope == "me":
        stmt = stmt.where(Appointment.referent_id == current_user.id)
    return db.session.execute(stmt).all()


def _safe_next(url: str | None) -> str:
    if url and url.startswith(("/agenda", "/persons/")) and "//" not in url and "\\" not in url:
        return url
    return url_for("agenda.index")


@bp.get("/")
@role_required(*ROLES)
def index():
    """Day, week or list view of my appointments or of my structure's."""
    view = request.args.get("view") if request.args.get("view") in VIEWS else "week"
    scope = "structure" if request.args.get("scope") == "structure" else "me"
    day = _day_arg()
    if view == "day":
        first, last = day, day + timedelta(days=1)
    elif view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=7)
    else:
        first, last = day, day + timedelta(days=LIST_DAYS)
    rows = _agenda_rows(first, last, scope)
    days = [first + timedelta(days=i) for i in range((last - first).days)]
    # Words, URLs and dates worked out once for the page, not once per appointment (blueprints/agenda/cards.py).
    words = Words(_labels(), ops.paris_now())
    cards = [words.row(row) for row in rows]
    by_day: dict[date, list] = {d: [] for d in days}
    for card in cards:
        by_day[card.start_day].append(card)
    if view == "week":  # Saturday and Sunday shown only when something is planned then
        days = [d for d in days if d.weekday() < 5 or by_day[d]]
    step = {"day": timedelta(days=1), "week": timedelta(days=7), "list": timedelta(days=LIST_DAYS)}[view]
    # Rendered before the audit entry's commit: a commit expires every row loaded, and the page would then read
    # each appointment and person again, one query each (580 statements for a structure's busy week).
    page = render_template("agenda/index.html", view=view, scope=scope, day=day, first=first, last=last,
                           days=days, by_day=by_day, rows=cards, previous=day - step, following=day + step,
                           today=paris_today(), t=words, one_day=timedelta(days=1),
                           weekdays={d: weekday_day(d) for d in days} if view == "list" else {})
    if rows:
        audit_event("agenda_viewed", fields=["last_name", "first_name", "appointments"],
                    detail=f"{len(rows)} rendez-vous affichés ({view}, {scope}, {first.isoformat()})")
        db.session.commit()
    return page


def _person_page(person, form, status=200):
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.person_id == person.id,
                                  Appointment.structure_id == current_user.structure_id)
        .order_by(Appointment.start_at.desc())).all()
    audit_event("file_viewed", person, fields=["appointments"], detail="agenda de la personne")
    db.session.commit()
    words = Words(_labels(), ops.paris_now(), back=request.path)
    return render_template("agenda/person.html", person=person, form=form, appointments=appointments,
                           labels=words.labels, t=words,
                           languages=[(c, languages.name(c, str(_locale()))) for c in COMMON_LANGUAGES]), status


def _locale():
    from flask_babel import get_locale
    return get_locale() or "fr"


def _attach(form, violations) -> None:
    for violation in violations:
        target = getattr(form, violation.field, None) if violation.field else None
        if target is None:
            form.form_errors.append(violation.message)
        elif not target.errors:  # a field already in error keeps its own message (it says what to fix)
            target.errors = list(target.errors or []) + [violation.message]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/persons/<int:person_id>", methods=["GET", "POST"])
@role_required(*ROLES)
def person(person_id: int):
    """A person's appointments at my structure, and the form to book a new one (every error at once)."""
    person = person_or_404(person_id)
    form = AppointmentForm(prefix="appointment")
    form.referent.choices = _referent_choices()
    if request.method == "GET":
        form.referent.data = str(current_user.id)
        form.interpreter.data = person.interpreter
    if form.is_submitted():
        form.validate()
        if form.csrf_token.errors:
            return _person_page(person, form, 400)
        try:
            with db.session.begin_nested():
                ops.create_appointment(current_user, person, start=form.start.data, minutes=form.minutes.data,
                                       kind=form.kind.data, mode=form.mode.data,
                                       referent_id=_int(form.referent.data), interpreter=form.interpreter.data)
                if form.errors:  # a field that did not parse: nothing is written, every error shown
                    raise ops.AppointmentRefused([RuleViolation("form", "", None)])
        except RuleViolation as exc:
            _attach(form, [v for v in getattr(exc, "violations", [exc]) if v.message])
        else:
            db.session.commit()
            flash(gettext("Le rendez-vous est enregistré."), "success")
            return redirect(url_for("agenda.person", person_id=person.id))
        db.session.rollback()
        return _person_page(person, form, 422)
    return _person_page(person, form)


def _appointment_or_404(appointment_id: int) -> tuple[Appointment, Person]:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        abort(404)
    person = person_or_404(appointment.person_id)
    if appointment.structure_id != current_user.structure_id:
        abort(404)
    return appointment, person


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
@role_required(*ROLES)
def move(appointment_id: int):
    """Move a planned appointment, with the reason (the audit keeps where it was)."""
    appointment, person = _appointment_or_404(appointment_id)
    form = MoveForm(prefix="move")
    form.referent.choices = _referent_choices()
    if request.method == "GET":
        form.start.data, form.minutes.data = appointment.start_at, appointment.minutes
        form.referent.data, form.version.data = str(appointment.referent_id or ""), str(appointment.version_id)
    status = 200
    if form.is_submitted():
        form.validate()
        if not form.csrf_token.errors:
            try:
                with db.session.begin_nested():
                    ops.move_appointment(current_user, appointment, start=form.start.data, minutes=form.minutes.data,
                                         referent_id=_int(form.referent.data), reason=form.correction_reason.data,
                                         version=_int(form.version.data))
                    if form.errors:
                        raise ops.AppointmentRefused([RuleViolation("form", "", None)])
            except RuleViolation as exc:
                _attach(form, [v for v in getattr(exc, "violations", [exc]) if v.message])
            else:
                db.session.commit()
                flash(gettext("Le rendez-vous est déplacé."), "success")
                return redirect(url_for("agenda.person", person_id=person.id))
        db.session.rollback()
        status = 422
    audit_event("file_viewed", person, fields=["appointments"], detail=f"déplacement du rendez-vous {appointment.id}")
    db.session.commit()
    return render_template("agenda/move.html", person=person, appointment=appointment, form=form,
                           labels=_labels()), status


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
@role_required(*ROLES)
def cancel(appointment_id: int):
    """Cancel a planned appointment, with the reason."""
    appointment, person = _appointment_or_404(appointment_id)
    form = CancelForm(prefix="cancel")
    if request.method == "GET":
        form.version.data = str(appointment.version_id)
    status = 200
    if form.is_submitted():
        form.validate()
        if not form.csrf_token.errors:
            try:
                ops.cancel_appointment(current_user, appointment, form.correction_reason.data,
                                       version=_int(form.version.data))
            except RuleViolation as exc:
                db.session.rollback()
                _attach(form, [exc])
            else:
                db.session.commit()
                flash(gettext("Le rendez-vous est annulé."), "success")
                return redirect(url_for("agenda.person", person_id=person.id))
        status = 422
    audit_event("file_viewed", person, fields=["appointments"], detail=f"annulation du rendez-vous {appointment.id}")
    db.session.commit()
    return render_template("agenda/cancel.html", person=person, appointment=appointment, form=form,
                           labels=_labels()), status


@bp.post("/appointments/<int:appointment_id>/outcome")
@role_required(*ROLES)
def outcome(appointment_id: int):
    """Honoured, missed or excused in one click from the agenda or the person's page."""
    appointment, person = _appointment_or_404(appointment_id)
    form = OutcomeForm()
    back = _safe_next(form.next.data)
    if not form.validate():
        flash(gettext("Le formulaire a expiré : rechargez la page puis recommencez."), "error")
        return redirect(back)
    try:
        ops.record_outcome(current_user, appointment, request.form.get("outcome", ""))
    except RuleViolation as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(gettext("Issue du rendez-vous enregistrée : %(status)s.", status=_labels()["status"][appointment.status]),
          "success")
    return redirect(back)


@bp.app_template_filter("appointment_status")
def appointment_status(status: str) -> str:
    """An appointment's status in the reader's language (the file's section)."""
    return gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status


@bp.post("/persons/<int:person_id>/reminders")
@role_required(*ROLES)
def opt_out(person_id: int):
    """The person does not want reminders any more (or wants them again)."""
    person = person_or_404(person_id)
    form = OptOutForm()
    if form.validate():
        ops.set_reminders_opt_out(current_user, person, form.opt_out.data == "1")
        db.session.commit()
        flash(gettext("La personne ne recevra plus de rappels.") if person.reminders_opt_out
              else gettext("La personne recevra de nouveau les rappels de ses rendez-vous."), "success")
    else:
        flash(gettext("Le formulaire a expiré : rechargez la page puis recommencez."), "error")
    return redirect(url_for("agenda.person", person_id=person.id))


@bp.route("/reminders", methods=["GET", "POST"])
@role_required(*ROLES)
def reminders():
    """The structure's coordinates given in reminders, how reminders are delivered, and the latest reminders sent
    (the outbox: status, attempts — never their text, which a colleague of another référent need not read)."""
    structure = current_user.structure
    form = ContactForm(data={"phone": structure.phone, "address": structure.address}
                       if request.method == "GET" else None)
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                ops.set_structure_contact(current_user, form.phone.data, form.address.data)
            except RuleViolation as exc:
                db.session.rollback()
                _attach(form, getattr(exc, "violations", [exc]))
                status = 422
            else:
                db.session.commit()
                flash(gettext("Les coordonnées données dans les rappels sont enregistrées."), "success")
                return redirect(url_for("agenda.reminders"))
        else:
            status = 422
    outbox = db.session.execute(
        select(ReminderMessage, Appointment.start_at)
        .join(Appointment, Appointment.id == ReminderMessage.appointment_id)
        .where(Appointment.structure_id == structure.id).order_by(ReminderMessage.id.desc()).limit(50)).all()
    return render_template("agenda/reminders.html", form=form, outbox=outbox,
                           sms_configured=sms.configured(current_app.config),
                           smtp_configured=bool(current_app.config.get("SMTP_HOST"))), status


@bp.app_template_filter("weekday_day")
def weekday_day(day: date) -> str:
    """« lundi 30 novembre » in the reader's language (the agenda's column and day headings)."""
    from babel.dates import format_date
    return format_date(day, "EEEE d MMMM", locale=str(_locale()))


@bp.app_template_filter("language_name")
def language_name(code: str | None) -> str:
    """An ISO 639-3 code's name in the reader's language (the file's appointments)."""
    return languages.name(code, str(_locale())) if code else "—"
