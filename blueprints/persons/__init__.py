"""Blueprint persons: the social worker's list of persons and their files."""
from flask import Blueprint

bp = Blueprint("persons", __name__, url_prefix="/persons")

from blueprints.persons import routes, routes_accompaniments, routes_corrections, routes_path  # noqa: E402,F401
from blueprints.persons import routes_contract  # noqa: E402,F401
from blueprints.persons import routes_entry  # noqa: E402,F401
from blueprints.persons.common import template_globals  # noqa: E402

bp.context_processor(template_globals)
