"""The former landing page of regional and national pilots (issue 15): their comparison now (issue 19,
blueprints/pilot/compare.py). The address keeps working for bookmarks."""
from flask import redirect, url_for

from blueprints._helpers import role_required
from blueprints.pilot import bp

SCOPE_ROLES = ("regional_pilot", "national_pilot")


@bp.get("/scope")
@role_required(*SCOPE_ROLES)
def scope():
    """Sends regional and national pilots to the comparison of their scope's departments."""
    return redirect(url_for("pilot.compare_page"))
