"""The limited view of a person (referral side) and what the programme records: participations, events.

Shown: identity, contact, language level, the referrals sent by or to my structure with their need,
participations and events of my programmes. Never notes, rights, housing or employment.
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from agir import access
from agir.extensions import db
from agir.operations import referrals as ops
from agir.queries import referrals as rq
from blueprints._helpers import audit_event, check_rules_too, person_or_404, role_required
from blueprints.referrals import bp
from blueprints.referrals._common import ROLES, attempt, attempt_all, show_error, version_of
from blueprints.referrals.forms import CancelForm, EventCorrectionForm, EventForm, ParticipationForm
from models import Event, Participation, Programme

SHOWN_FIELDS = ("last_name", "first_name", "sex", "birth_on", "nationality", "status", "language_level",
                "phone", "email", "referrals", "participations", "events")


def _my_programme(form) -> Programme | None:
    """The programme chosen on the form, when my structure operates it."""
    programme = db.session.get(Programme, form.programme_id.data) if form.programme_id.data else None
    return programme if programme is not None and ops.works_for_programme(current_user, programme) else None


def _blank_forms(participations, mine, events=()) -> dict:
    """Empty forms of the page: add a participation, record an event, edit or cancel each of my participations,
    cancel each event of my programmes."""
    choices = [(p.id, p.name) for p in mine]
    forms = {"new_participation": ParticipationForm(formdata=None, prefix="new"), "event": EventForm(formdata=None),
             "edits": {}, "cancels": {}, "fixes": {}}
    forms["new_participation"].programme_id.choices = forms["event"].programme_id.choices = choices
    for part in participations:
        if ops.works_for_programme(current_user, part.programme):
            forms["edits"][part.id] = ParticipationForm(
                formdata=None, obj=part, prefix=f"p{part.id}",
                level_start=part.level_start or "", level_end=part.level_end or "")
            forms["cancels"][("participation", part.id)] = CancelForm(formdata=None, prefix=f"cp{part.id}",
                                                                      version_id=part.version_id)
    for event in events:
        if event.programme is not None and ops.works_for_programme(current_user, event.programme):
            forms["cancels"][("event", event.id)] = CancelForm(formdata=None, prefix=f"ce{event.id}",
                                                               version_id=event.version_id)
            forms["fixes"][event.id] = EventCorrectionForm(
                formdata=None, prefix=f"fe{event.id}", kind=event.kind, event_on=event.event_on,
                event_ref=event.event_ref or "", version_id=event.version_id)
    return forms


def _render(person, posted: dict | None = None):
    """The page; `posted` replaces blank forms by the submitted ones (their errors and typed values)."""
    sid = current_user.structure_id
    participations = rq.limited_participations(person.id, sid)
    mine = rq.structure_programmes(sid)
    events = rq.limited_events(person.id, sid)
    forms = _blank_forms(participations, mine, events)
    for key, form in (posted or {}).items():
        if isinstance(key, int):
            forms["edits"][key] = form
        elif isinstance(key, tuple) and key[0] == "fix":
            forms["fixes"][key[1]] = form
        elif isinstance(key, tuple):
            forms["cancels"][key] = form
        else:
            form.programme_id.choices = [(p.id, p.name) for p in mine]
            forms[key] = form
    if posted is not None:  # shown again after a refused POST: a read of the person's data too
        db.session.rollback()
        audit_event("limited_view", person=person, fields=SHOWN_FIELDS)
        db.session.commit()
    return render_template(
        "referrals/person.html", person=person, referrals=rq.limited_referrals(person.id, sid),
        participations=participations, events=events, my_programmes=mine,
        forms=forms, may_refer=access.can_refer(current_user),
        may_open_file=access.view_level(current_user, person.id, db.session) == access.FULL)


@bp.get("/persons/<int:person_id>")
@role_required(*ROLES)
def person(person_id: int):
    """The limited view of a person referred to or from my structure (anyone else: 404)."""
    person = person_or_404(person_id, level=access.LIMITED)
    audit_event("limited_view", person=person, fields=SHOWN_FIELDS)
    db.session.commit()
    return _render(person)


@bp.post("/persons/<int:person_id>/participations")
@role_required(*ROLES)
def add_participation(person_id: int):
    """Record a participation in one of my programmes."""
    person = person_or_404(person_id, level=access.LIMITED)
    form = ParticipationForm(prefix="new")
    if form.is_submitted():
        valid = form.validate()  # every error at once: the rule checks run even when a field failed
        programme = _my_programme(form)
        if programme is None:
            form.programme_id.errors = [gettext("Choisissez un programme de votre structure.")]
        if not valid and programme is not None:
            check_rules_too(form, show_error, ops.create_participation, current_user, person, programme,
                            **_participation_values(form))
        elif valid and programme is not None and attempt(form, ops.create_participation, current_user, person,
                                                         programme, **_participation_values(form)):
            flash(gettext("Participation enregistrée."), "success")
            return redirect(url_for("referrals.person", person_id=person_id, _anchor="participations"))
    return _render(person, {"new_participation": form})


def _participation_values(form) -> dict:
    return {name: getattr(form, name).data for name in ops.PARTICIPATION_FIELDS}


@bp.post("/persons/<int:person_id>/participations/<int:participation_id>")
@role_required(*ROLES)
def edit_participation(person_id: int, participation_id: int):
    """Hours, levels and dates of a participation in one of my programmes."""
    person = person_or_404(person_id, level=access.LIMITED)
    participation = db.session.get(Participation, participation_id)
    if participation is None or participation.person_id != person.id \
            or not ops.works_for_programme(current_user, participation.programme):
        abort(404)
    form = ParticipationForm(prefix=f"p{participation_id}")
    if form.is_submitted():
        if attempt_all(form, ops.update_participation, current_user, participation, version_of(form),
                       form.correction_reason.data, **_participation_values(form)):
            flash(gettext("Participation enregistrée."), "success")
            return redirect(url_for("referrals.person", person_id=person_id,
                                    _anchor=f"participation-{participation_id}"))
    return _render(person, {participation_id: form})


@bp.post("/persons/<int:person_id>/events")
@role_required(*ROLES)
def add_event(person_id: int):
    """Record a consultation, mentoring pair, digital tool, sport or cultural event."""
    person = person_or_404(person_id, level=access.LIMITED)
    form = EventForm()
    form.programme_id.choices = [(p.id, p.name) for p in rq.structure_programmes(current_user.structure_id)]
    if form.is_submitted():
        if attempt_all(form, ops.record_event, current_user, person, _my_programme(form), form.kind.data,
                   form.event_on.data, form.event_ref.data):
            flash(gettext("Événement enregistré."), "success")
            return redirect(url_for("referrals.person", person_id=person_id, _anchor="evenements"))
    return _render(person, {"event": form})


def _programme_event_or_404(person, event_id: int) -> Event:
    """An event of this person recorded by one of my programmes, or 404."""
    event = db.session.get(Event, event_id)
    if event is None or event.person_id != person.id or event.programme is None \
            or not ops.works_for_programme(current_user, event.programme):
        abort(404)
    return event


@bp.post("/persons/<int:person_id>/events/<int:event_id>/cancel")
@role_required(*ROLES)
def cancel_event(person_id: int, event_id: int):
    """Cancel an event recorded by mistake by one of my programmes, with the reason."""
    person = person_or_404(person_id, level=access.LIMITED)
    event = _programme_event_or_404(person, event_id)
    form = CancelForm(prefix=f"ce{event_id}")
    if form.is_submitted() and attempt_all(form, ops.cancel_event, current_user, event,
                                           form.correction_reason.data, version_of(form)):
        flash(gettext("Événement annulé."), "success")
        return redirect(url_for("referrals.person", person_id=person_id, _anchor="evenements"))
    return _render(person, {("event", event_id): form})


@bp.post("/persons/<int:person_id>/events/<int:event_id>/correct")
@role_required(*ROLES)
def correct_event(person_id: int, event_id: int):
    """Correct an event recorded wrongly by one of my programmes, with the reason."""
    person = person_or_404(person_id, level=access.LIMITED)
    event = _programme_event_or_404(person, event_id)
    form = EventCorrectionForm(prefix=f"fe{event_id}")
    if form.is_submitted() and attempt_all(form, ops.correct_event, current_user, event, form.kind.data,
                                           form.event_on.data, form.event_ref.data, form.correction_reason.data,
                                           version_of(form)):
        flash(gettext("Événement corrigé."), "success")
        return redirect(url_for("referrals.person", person_id=person_id, _anchor="evenements"))
    return _render(person, {("fix", event_id): form})


@bp.post("/persons/<int:person_id>/participations/<int:participation_id>/cancel")
@role_required(*ROLES)
def cancel_participation(person_id: int, participation_id: int):
    """Cancel a participation recorded by mistake in one of my programmes, with the reason."""
    person = person_or_404(person_id, level=access.LIMITED)
    participation = db.session.get(Participation, participation_id)
    if participation is None or participation.person_id != person.id \
            or not ops.works_for_programme(current_user, participation.programme):
        abort(404)
    form = CancelForm(prefix=f"cp{participation_id}")
    if form.is_submitted() and attempt_all(form, ops.cancel_participation, current_user, participation,
                                           form.correction_reason.data, version_of(form)):
        flash(gettext("Participation annulée."), "success")
        return redirect(url_for("referrals.person", person_id=person_id, _anchor="participations"))
    return _render(person, {("participation", participation_id): form})
