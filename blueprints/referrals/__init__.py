"""Blueprint referrals: the queue, referrals, the programme catalogue and the limited view of persons."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")

from blueprints.referrals import persons, programmes, routes, series  # noqa: E402,F401
