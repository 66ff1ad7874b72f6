"""Home (redirects each role to its space), health check and language switch."""
from flask import Blueprint

bp = Blueprint("main", __name__)

from blueprints.main import routes  # noqa: E402,F401
