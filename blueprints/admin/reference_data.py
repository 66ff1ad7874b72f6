"""Admin pages of the reference data: structures and departments (create, edit, lists)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.operations.reference import create_department, create_structure, update_department, update_structure
from blueprints._helpers import role_required, validate_with_rules
from blueprints.admin import bp
from blueprints.admin.common import ADMIN, int_or_none, page_args, paginate, show_violation
from blueprints.admin.forms import DepartmentForm, StructureFilterForm, StructureForm, department_choices
from models import Department, Structure, User


@bp.get("/structures/")
@role_required(*ADMIN)
def structures():
    """Structures with their number of accounts, filtered and paginated."""
    form = StructureFilterForm(request.args)
    form.department.choices = department_choices(gettext("Tous les départements"))
    form.validate()
    query = select(Structure).join(Department).options(contains_eager(Structure.department))
    if form.q.data:
        needle = form.q.data.strip().lower()
        query = query.where(or_(func.lower(Structure.name).contains(needle, autoescape=True),
                                func.lower(Structure.ref).contains(needle, autoescape=True)))
    if department_id := int_or_none(form.department.data):
        query = query.where(Structure.department_id == department_id)
    if form.kind.data:
        query = query.where(Structure.kind == form.kind.data)
    pagination = paginate(query.order_by(Department.code, Structure.name))
    accounts = _counts(User.structure_id, [s.id for s in pagination.items])
    return render_template("admin/structures.html", form=form, pagination=pagination, accounts=accounts,
                           args=page_args())


def _counts(column, ids: list[int]) -> dict[int, int]:
    """COUNT(*) GROUP BY column, for the ids of one page."""
    if not ids:
        return {}
    return dict(db.session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column)).all())


def _structure_operation(form: StructureForm, structure: Structure | None):
    """The create or update operation of the form's values (run for real, or for its rule checks only)."""
    department = db.session.get(Department, int_or_none(form.department.data) or 0)
    if structure is None:
        return lambda: create_structure(current_user, form.ref.data, form.name.data, department, form.kind.data)
    return lambda: update_structure(current_user, structure, form.ref.data, form.name.data, department,
                                    form.kind.data) or structure


def _valid(form, operation, *args, **kwargs) -> bool:
    """A POST whose fields are all valid; otherwise the rule checks run too (every error at once)."""
    return form.is_submitted() and validate_with_rules(form, show_violation, operation, *args, **kwargs)


def _save_structure(form: StructureForm, structure: Structure | None):
    try:
        structure = _structure_operation(form, structure)()
    except RuleViolation as exc:
        db.session.rollback()
        show_violation(form, exc)
        return None
    db.session.commit()
    flash(gettext("La structure %(ref)s est enregistrée.", ref=structure.ref), "success")
    return redirect(url_for("admin.structures"))


@bp.route("/structures/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def structure_new():
    """Create a structure."""
    form = StructureForm()
    if _valid(form, _structure_operation(form, None)) and (done := _save_structure(form, None)):
        return done
    return render_template("admin/structure_form.html", form=form, structure=None)


@bp.route("/structures/<int:structure_id>/edit", methods=["GET", "POST"])
@role_required(*ADMIN)
def structure_edit(structure_id: int):
    """Edit a structure (ref, name, department, kind)."""
    structure = db.session.get(Structure, structure_id) or abort(404)
    form = StructureForm(ref=structure.ref, name=structure.name, department=str(structure.department_id),
                         kind=structure.kind)
    if _valid(form, _structure_operation(form, structure)) and (done := _save_structure(form, structure)):
        return done
    return render_template("admin/structure_form.html", form=form, structure=structure)


@bp.get("/departments/")
@role_required(*ADMIN)
def departments():
    """Departments with their AGIR settings and number of structures."""
    pagination = paginate(select(Department).order_by(Department.code))
    structures = _counts(Structure.department_id, [d.id for d in pagination.items])
    return render_template("admin/departments.html", pagination=pagination, structures=structures)


def _department_values(form: DepartmentForm) -> dict:
    return {"name": form.name.data or "", "agir_start_on": form.agir_start_on.data,
            "agir_wave": int_or_none(form.agir_wave.data), "max_months": form.max_months.data}


@bp.route("/departments/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def department_new():
    """Create a department."""
    form = DepartmentForm()
    if _valid(form, create_department, current_user, form.code.data, **_department_values(form)):
        try:
            department = create_department(current_user, form.code.data, **_department_values(form))
        except RuleViolation as exc:
            db.session.rollback()
            show_violation(form, exc)
        else:
            db.session.commit()
            flash(gettext("Le département %(code)s est enregistré.", code=department.code), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/department_form.html", form=form, department=None)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
@role_required(*ADMIN)
def department_edit(department_id: int):
    """Edit a department's name and AGIR settings (optimistic locking on its version)."""
    department = db.session.get(Department, department_id) or abort(404)
    form = DepartmentForm(code=department.code, name=department.name, agir_start_on=department.agir_start_on,
                          agir_wave=str(department.agir_wave or ""), max_months=department.max_months,
                          version_id=department.version_id)
    if _valid(form, update_department, current_user, department, int_or_none(form.version_id.data),
              **_department_values(form)):
        try:
            update_department(current_user, department, int_or_none(form.version_id.data),
                              **_department_values(form))
            db.session.commit()
        except (RuleViolation, StaleDataError) as exc:
            db.session.rollback()
            show_violation(form, exc if isinstance(exc, RuleViolation) else StaleRecord())
        else:
            flash(gettext("Le département %(code)s est enregistré.", code=department.code), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/department_form.html", form=form, department=department)
