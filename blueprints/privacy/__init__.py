"""Blueprint privacy: the right of access to one's file (GDPR art. 15), as JSON and as a printable page."""
from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

from blueprints.privacy import routes  # noqa: E402,F401
