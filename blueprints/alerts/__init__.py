"""Blueprint alerts."""
from flask import Blueprint

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

from blueprints.alerts import routes  # noqa: E402,F401
