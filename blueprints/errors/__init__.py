"""French error pages (400, 403, 404, 429, 500); the 500 handler rolls back and shows a reference."""
from flask import Blueprint

bp = Blueprint("errors", __name__)

from blueprints.errors import handlers  # noqa: E402,F401
