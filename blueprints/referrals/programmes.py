"""The programme catalogue of a department: list, detail, creation, edition and sessions."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from agir import access
from agir.extensions import db
from agir.operations import programmes as ops
from agir.operations.referrals import works_for_programme
from agir.queries import referrals as rq
from blueprints._helpers import audit_event, role_required
from blueprints.referrals import bp
from blueprints.referrals._common import attempt, attempt_all, paginate, query_args, version_of
from blueprints.referrals.forms import CatalogueFilterForm, ProgrammeForm, SessionForm
from models import Department, Programme, Structure

READERS = ("referral_officer", "social_worker", "admin")
EDITORS = ("referral_officer", "admin")


def _programme_or_404(programme_id: int) -> Programme:
    """A programme of the user's department (any department for an admin)."""
    programme = db.session.get(Programme, programme_id)
    if programme is None or (not access.sees_all_departments(current_user)
                             and programme.department_id != current_user.effective_department_id):
        abort(404)
    return programme


def _editable_or_403(programme_id: int) -> Programme:
    programme = _programme_or_404(programme_id)
    if not ops.may_edit_programme(current_user, programme):
        abort(403)
    return programme


@bp.get("/programmes")
@role_required(*READERS)
def programmes():
    """The catalogue: programmes of my department, with sessions and hours; language ones without CARIF-OREF flagged."""
    filters = CatalogueFilterForm(request.args)
    department_id = current_user.effective_department_id
    if access.sees_all_departments(current_user):
        departments = db.session.scalars(select(Department).order_by(Department.code)).all()
        filters.department.choices = [("", gettext("Tous"))] + [(d.code, f"{d.code} — {d.name}") for d in departments]
        chosen = next((d for d in departments if d.code == filters.department.data), None)
        department_id = chosen.id if chosen else None
    elif department_id is None:
        abort(404)
    page = paginate(rq.catalogue_select(department_id, theme=filters.theme.data or None,
                                        unreferenced=filters.unreferenced.data == "1"), scalars=False)
    department = db.session.get(Department, department_id) if department_id else None
    return render_template("referrals/programmes.html", page=page, filters=filters, department=department,
                           query_args=query_args, may_create=access.can_edit_catalogue(current_user))


def _programme_form(form: ProgrammeForm) -> ProgrammeForm:
    admin = access.sees_all_departments(current_user)
    form.structure_id.choices = [(s.id, f"{s.name} ({s.department.code})" if admin else s.name)
                                 for s in ops.operator_choices(current_user)]
    return form


def _values(form: ProgrammeForm) -> dict:
    return {"name": form.name.data, "theme": form.theme.data,
            "structure": db.session.get(Structure, form.structure_id.data) if form.structure_id.data else None,
            "start_on": form.start_on.data, "end_on": form.end_on.data,
            "target_beneficiaries": form.target_beneficiaries.data, "total_cost": form.total_cost.data,
            "p104_subsidy": form.p104_subsidy.data, "carif_oref_ref": form.carif_oref_ref.data}


@bp.route("/programmes/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def new_programme():
    """Add a programme to the catalogue (a ref is generated)."""
    form = _programme_form(ProgrammeForm())
    if form.is_submitted():
        programme = attempt_all(form, ops.create_programme, current_user, **_values(form))
        if programme:
            flash(gettext("Programme « %(name)s » ajouté au catalogue (référence %(ref)s).", name=programme.name,
                          ref=programme.ref), "success")
            return redirect(url_for("referrals.programme", programme_id=programme.id))
    return render_template("referrals/programme_form.html", form=form, programme=None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@role_required(*EDITORS)
def edit_programme(programme_id: int):
    """Change a programme (optimistic locking: the form carries the version)."""
    programme = _editable_or_403(programme_id)
    form = _programme_form(ProgrammeForm(obj=programme, structure_id=programme.structure_id,
                                         version_id=programme.version_id))
    if form.is_submitted():
        if attempt_all(form, ops.update_programme, current_user, programme, version_of(form), **_values(form)):
            flash(gettext("Programme enregistré."), "success")
            return redirect(url_for("referrals.programme", programme_id=programme_id))
    return render_template("referrals/programme_form.html", form=form, programme=programme)


def _render_programme(programme: Programme, session_form: SessionForm | None = None):
    operator = works_for_programme(current_user, programme)
    participations = rq.programme_participations(programme.id) if operator else []
    # Rendered before the audit entry's commit (a commit expires the rows loaded: each would be read again).
    page = render_template(
        "referrals/programme.html", programme=programme, figures=rq.programme_figures(programme.id),
        may_edit=ops.may_edit_programme(current_user, programme), operator=operator,
        participations=participations, session_form=session_form or SessionForm(formdata=None),
        total_hours=sum(s.hours for s in programme.sessions))
    if operator:
        audit_event("programme_participants_viewed", fields=["first_name", "last_name", "participations"],
                    detail=f"programme {programme.ref}")
        db.session.commit()
    return page


@bp.get("/programmes/<int:programme_id>")
@role_required(*READERS)
def programme(programme_id: int):
    """One programme: its fields, sessions and figures; its participants for the operator."""
    return _render_programme(_programme_or_404(programme_id))


@bp.post("/programmes/<int:programme_id>/sessions")
@role_required(*EDITORS)
def add_session(programme_id: int):
    """Add a dated session with its hours."""
    programme = _editable_or_403(programme_id)
    form = SessionForm()
    if form.is_submitted():
        if attempt_all(form, ops.add_session, current_user, programme, form.held_on.data, form.hours.data):
            flash(gettext("Séance ajoutée."), "success")
            return redirect(url_for("referrals.programme", programme_id=programme_id, _anchor="seances"))
    return _render_programme(programme, form)


@bp.post("/programmes/<int:programme_id>/sessions/<int:session_id>/delete")
@role_required(*EDITORS)
def remove_session(programme_id: int, session_id: int):
    """Delete a session entered by mistake."""
    programme = _editable_or_403(programme_id)
    form = SessionForm()
    if attempt(form, ops.remove_session, current_user, programme, session_id):
        flash(gettext("Séance supprimée."), "success")
    else:
        flash(" ".join([*form.form_errors, *form.held_on.errors]), "error")
    return redirect(url_for("referrals.programme", programme_id=programme_id, _anchor="seances"))
