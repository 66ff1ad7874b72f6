"""Blueprint privacy: the right of access to one's file (GDPR art. 15), as JSON and as a printable page;
and the application-wide input guard of guard.py (a NUL character is refused before any view runs)."""
from flask import Blueprint

from blueprints.privacy.guard import refuse_nul_bytes

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
bp.before_app_request(refuse_nul_bytes)

from blueprints.privacy import routes  # noqa: E402,F401
