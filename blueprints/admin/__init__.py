"""Admin space: accounts, structures, departments and the audit log (role admin only, never a person's file)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from blueprints.admin import audit_log, reference_data, routes  # noqa: E402,F401
