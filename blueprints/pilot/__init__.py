"""Blueprint pilot."""
from flask import Blueprint

bp = Blueprint("pilot", __name__, url_prefix="/pilot")

from blueprints.pilot import routes  # noqa: E402,F401
