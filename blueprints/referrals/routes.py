"""The queue of referrals, sending a referral, and answering it step by step."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from agir import access
from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import N_
from agir.i18n import lazy_gettext as _l
from agir.labels import label
from agir.operations import referrals as ops
from agir.queries import referrals as rq
from agir.rules.path import REFERRAL_DATE_FIELDS, REFERRAL_STATE_LABELS
from blueprints._helpers import audit_event, int_arg, person_or_404, role_required
from blueprints.referrals import bp
from blueprints.referrals._common import ROLES, attempt_all, paginate, query_args, version_of
from blueprints.referrals.forms import (
    NO_PROGRAMME,
    CancelForm,
    QueueFilterForm,
    ReferralForm,
    StepDateForm,
    StepForm,
    UndoStepForm,
)
from models import Programme, Referral

STEP_TITLES = {"accepted": _l("Accepter"), "refused": _l("Refuser"), "started": _l("Démarrer"),
               "completed": _l("Terminer"), "dropped_out": _l("Enregistrer un abandon"),
               "cancelled": _l("Annuler l'orientation")}
STEP_DONE = {"accepted": N_("Orientation acceptée."), "refused": N_("Orientation refusée."),
             "started": N_("Participation démarrée."), "completed": N_("Participation terminée."),
             "dropped_out": N_("Abandon enregistré."), "cancelled": N_("Orientation annulée.")}


@bp.get("/")
@role_required(*ROLES)
def index():
    """The queue: referrals received by my structure's programmes and sent by my structure."""
    filters = QueueFilterForm(request.args)
    filters.programme.choices = [("", gettext("Tous"))] + [(str(p.id), p.name)
                                                           for p in rq.queue_programmes(current_user)]
    direction = filters.direction.data or None
    stmt = rq.queue_select(current_user, direction=direction, state=filters.state.data or None,
                           theme=filters.theme.data or None,
                           programme_id=int_arg("programme"))
    page = paginate(stmt)
    audit_event("referral_queue_viewed", fields=["need", "state", "person"],
                detail=f"{len(page.items)} orientations affichées")
    db.session.commit()
    return render_template("referrals/index.html", page=page, filters=filters, today=paris_today(),
                           counts=rq.queue_counts(current_user, direction), query_args=query_args,
                           late_days=rq.UNANSWERED_DAYS)


def _referral_form(person, form=None):
    form = form or ReferralForm()
    programmes = rq.referable_programmes(person.department_id, paris_today())
    groups: dict[str | None, list] = {None: [("", NO_PROGRAMME)]}  # nothing pre-selected
    for p in programmes:
        groups.setdefault(label(p.theme, "theme"), []).append((p.id, f"{p.name} — {p.structure.name}"))
    form.programme_id.choices = groups
    return form


@bp.route("/new", methods=["GET", "POST"])
@role_required(*ROLES)
def new_referral():
    """Refer a person to a programme (?person_id=…): the need in a sentence, the date of sending."""
    person = person_or_404(int_arg("person_id") or 0, level=access.LIMITED)
    form = _referral_form(person)
    if request.method == "GET" and int_arg("programme_id"):
        form.programme_id.data = int_arg("programme_id")
    if form.is_submitted():
        programme = db.session.get(Programme, form.programme_id.data) if form.programme_id.data else None
        referral = attempt_all(form, ops.send_referral, current_user, person, programme, form.need.data,
                               form.sent_on.data)
        if referral:
            flash(gettext("Orientation envoyée à %(structure)s.", structure=programme.structure.name), "success")
            warning = ops.referral_window_warning(person, referral.sent_on)
            if warning:
                flash(warning, "warning")
            return redirect(url_for("referrals.referral", referral_id=referral.id))
    audit_event("referral_form_viewed", person=person, fields=["first_name", "last_name", "protection_on"])
    db.session.commit()
    sent_on = form.sent_on.data if isinstance(form.sent_on.data, date) else paris_today()
    return render_template("referrals/new.html", form=form, person=person,
                           warning=ops.referral_window_warning(person, sent_on))


def _referral_or_404(referral_id: int) -> Referral:
    """A referral the user's structure sent or receives, about a person they may see; 404 otherwise."""
    referral = db.session.get(Referral, referral_id)
    if referral is None or not (ops.is_sender(current_user, referral)
                                or current_user.structure_id == referral.programme.structure_id):
        abort(404)
    person_or_404(referral.person_id, level=access.LIMITED)
    return referral


def _correction_forms(referral: Referral, posted: dict | None = None) -> dict:
    """The correction forms this user may use: undo the latest step, correct the date of each step of their side."""
    forms = {}
    if referral.state != "sent" and ops.step_owner_ok(current_user, referral, ops.last_step(referral)):
        forms["undo"] = UndoStepForm(prefix="undo", formdata=None, version_id=referral.version_id)
    for step in REFERRAL_DATE_FIELDS:
        if getattr(referral, f"{step}_on") is not None and ops.step_owner_ok(current_user, referral, step):
            forms[step] = StepDateForm(prefix=f"date-{step}", formdata=None, on=getattr(referral, f"{step}_on"),
                                       version_id=referral.version_id)
    if ops.may_withdraw(current_user, referral):
        forms["withdraw"] = CancelForm(prefix="withdraw", formdata=None, version_id=referral.version_id)
    forms.update(posted or {})
    return forms


def _render_referral(referral: Referral, forms: dict | None = None, status: int = 200,
                     corrections: dict | None = None):
    steps = ops.next_steps(current_user, referral)
    forms = forms or {}
    for step in steps:
        forms.setdefault(step, StepForm(prefix=step, formdata=None, version_id=referral.version_id))
    return render_template("referrals/referral.html", referral=referral, steps=steps, forms=forms,
                           corrections=_correction_forms(referral, corrections),
                           last_step=ops.last_step(referral),
                           titles=STEP_TITLES, state_labels=REFERRAL_STATE_LABELS,
                           warning=ops.referral_window_warning(referral.person, referral.sent_on),
                           participation=ops.latest_participation(referral.person_id, referral.programme_id)
                           if referral.state in ('started', 'completed', 'dropped_out') else None,
                           may_open_file=access.view_level(current_user, referral.person_id, db.session) == access.FULL
                           ), status


@bp.get("/<int:referral_id>")
@role_required(*ROLES)
def referral(referral_id: int):
    """One referral: its dated steps, and the next steps this user may take."""
    referral = _referral_or_404(referral_id)
    audit_event("referral_viewed", person=referral.person_id, fields=["need", "state", "programme"],
                detail=f"referral {referral.id}")
    db.session.commit()
    return _render_referral(referral)


@bp.post("/<int:referral_id>/<any(accepted, refused, started, completed, dropped_out, cancelled):step>")
@role_required(*ROLES)
def move(referral_id: int, step: str):
    """Take one step (accept, refuse, start, complete, drop out, cancel) at a date."""
    referral = _referral_or_404(referral_id)
    form = StepForm(prefix=step)
    if form.is_submitted():
        done = attempt_all(form, ops.move_referral, current_user, referral, step, form.on.data,
                       reason=form.reason.data, version_id=version_of(form))
        if done:
            flash(gettext(STEP_DONE[step]), "success")
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _render_referral(referral, {step: form})


@bp.post("/<int:referral_id>/withdraw")
@role_required(*ROLES)
def withdraw(referral_id: int):
    """Delete a referral sent by mistake (its sender, before any answer), with the reason."""
    referral = _referral_or_404(referral_id)
    person_id = referral.person_id
    form = CancelForm(prefix="withdraw")
    if form.is_submitted() and attempt_all(form, ops.withdraw_referral, current_user, referral,
                                           form.correction_reason.data, version_of(form)):
        flash(gettext("L'orientation envoyée par erreur est retirée."), "success")
        level = access.view_level(current_user, person_id, db.session)
        if level == access.FULL:
            return redirect(url_for("persons.show", person_id=person_id, _anchor="orientations"))
        if level is not None:
            return redirect(url_for("referrals.person", person_id=person_id))
        return redirect(url_for("referrals.index"))
    return _render_referral(referral, corrections={"withdraw": form})


@bp.post("/<int:referral_id>/undo")
@role_required(*ROLES)
def undo_step(referral_id: int):
    """Take back the latest step, recorded by mistake (the side that recorded it), with the reason."""
    referral = _referral_or_404(referral_id)
    form = UndoStepForm(prefix="undo")
    if form.is_submitted():
        if attempt_all(form, ops.undo_referral_step, current_user, referral, form.correction_reason.data,
                       version_of(form)):
            flash(gettext("L'étape est reprise : l'orientation revient à son état précédent."), "success")
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _render_referral(referral, corrections={"undo": form})


@bp.post("/<int:referral_id>/steps/<any(sent, accepted, refused, started, completed, dropped_out, cancelled):step>"
         "/date")
@role_required(*ROLES)
def correct_step_date(referral_id: int, step: str):
    """Correct the date of one recorded step, with the reason."""
    referral = _referral_or_404(referral_id)
    form = StepDateForm(prefix=f"date-{step}")
    if form.is_submitted():
        if attempt_all(form, ops.correct_referral_date, current_user, referral, step, form.on.data,
                       form.correction_reason.data, version_of(form)):
            flash(gettext("La date est corrigée."), "success")
            return redirect(url_for("referrals.referral", referral_id=referral_id))
    return _render_referral(referral, corrections={step: form})
