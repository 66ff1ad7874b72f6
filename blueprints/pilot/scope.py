"""The landing page of regional and national pilots (issue 15): their scope's departments, until the
comparison pages come. Aggregates only: no person, no figure about persons here."""
from flask import render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from agir import access
from agir.extensions import db
from blueprints._helpers import role_required
from blueprints.pilot import bp
from models import Department, Region

SCOPE_ROLES = ("regional_pilot", "national_pilot")


@bp.get("/scope")
@role_required(*SCOPE_ROLES)
def scope():
    """The departments the regional or national pilot will compare, and a word that their pages come later."""
    departments = db.session.scalars(
        select(Department).outerjoin(Region, Region.id == Department.region_id)
        .where(access.scope_departments_condition(current_user))
        .options(selectinload(Department.region)).order_by(Region.code, Department.code)).all()
    return render_template("pilot/scope.html", departments=departments, region=current_user.region,
                           national=current_user.region_id is None)
