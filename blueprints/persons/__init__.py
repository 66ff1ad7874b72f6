"""Blueprint persons."""
from flask import Blueprint

bp = Blueprint("persons", __name__, url_prefix="/persons")

from blueprints.persons import routes  # noqa: E402,F401
