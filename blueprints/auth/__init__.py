"""Sign in and out; a provisional password is changed before anything else."""
from flask import Blueprint

bp = Blueprint("auth", __name__)

from blueprints.auth import proconnect, routes, totp  # noqa: E402,F401

bp.before_app_request(routes.require_own_password)
bp.before_app_request(totp.require_second_factor)

from agir.extensions import login_manager  # noqa: E402

login_manager.unauthorized_handler(routes.to_login)  # a form sent after the session ended comes back to its page
