"""The cohort page of regional and national pilots (issue 19): the cohort curves of their scope (their region's
departments, or every department), or of one department of it. Aggregates only, small counts masked
(agir.indicators.cohort_table); the same figures as `agir cohort` for the same scope and as-of date."""
from types import SimpleNamespace
from typing import cast

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agir import access
from agir.dates import today as paris_today
from agir.extensions import db
from agir.indicators import CohortScope, cohort_table, compute_cohort
from blueprints._helpers import role_required
from blueprints.pilot import bp
from blueprints.pilot.common import period_form, period_from_args
from blueprints.pilot.scope import SCOPE_ROLES
from models import Department, Region


def scope_departments() -> list[Department]:
    """The departments the signed-in regional or national pilot may see, by region then code."""
    return list(db.session.scalars(
        select(Department).outerjoin(Region, Region.id == Department.region_id)
        .where(access.scope_departments_condition(current_user))
        .options(selectinload(Department.region)).order_by(Region.code, Department.code)).all())


def chosen_department(departments: list[Department]) -> Department | None:
    """The ?department= of the query string, one of the pilot's departments (404 for any other), or None."""
    code = request.args.get("department", "")
    if not code:
        return None
    found = next((d for d in departments if d.code == code), None)
    if found is None:
        abort(404)
    return found


@bp.get("/cohort")
@role_required(*SCOPE_ROLES)
def cohort():
    """Cohort curves of the pilot's scope or of one of its departments, members entered in the period."""
    departments = scope_departments()
    department = chosen_department(departments)
    national = access.compares_every_region(current_user)
    region = None if national else access.compared_region(current_user)
    if not national and region is None:
        abort(403)  # a regional pilot without a region sees nothing
    # The presets start in 2022 (or at the department's AGIR start when one is chosen).
    period = period_from_args(department or cast(Department, SimpleNamespace(agir_start_on=None)))
    as_of = paris_today()
    scope = CohortScope(period.start, period.end, department, None if department else region, as_of=as_of)
    figures = compute_cohort(scope)
    curves = cohort_table.milestones(figures)
    keep = {"department": department.code} if department else {}
    return render_template(
        "pilot/cohort.html", departments=departments, department=department, region=region,
        national=national, period=period, period_form=period_form(period), period_keep=keep,
        cohort=figures, curves=curves, cohort_data=cohort_table.chart_payload(figures, curves), as_of=as_of)
