"""Blueprint persons: the social worker's list of persons and their files."""
from flask import Blueprint

bp = Blueprint("persons", __name__, url_prefix="/persons")

from blueprints.persons import (  # noqa: E402,F401
    routes,
    routes_accompaniments,
    routes_contract,
    routes_corrections,
    routes_documents,
    routes_entry,
    routes_path,
    routes_proofs,
)
from blueprints.persons.common import template_globals  # noqa: E402

bp.context_processor(template_globals)
