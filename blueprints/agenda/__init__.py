"""The agenda (issue 17): appointments on the file, day / week / list views of a référent or of the structure."""
from flask import Blueprint

bp = Blueprint("agenda", __name__, url_prefix="/agenda")

from blueprints.agenda import routes, routes_feed, routes_letters  # noqa: E402,F401
