"""The department pilot: dashboard, Annex sheets, exports, settings and API tokens (aggregates only)."""
from flask import Blueprint

bp = Blueprint("pilot", __name__, url_prefix="/pilot")

from blueprints.pilot import annex, cohort, compare, routes, scope, settings  # noqa: E402,F401
