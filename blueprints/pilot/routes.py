"""Routes of the pilot blueprint."""
from flask import render_template

from blueprints._helpers import role_required
from blueprints.pilot import bp

ROLES = {"persons": ("social_worker",), "referrals": ("referral_officer", "social_worker"),
         "pilot": ("pilot",), "admin": ("admin",), "alerts": ("social_worker", "referral_officer")}["pilot"]


@bp.get("/")
@role_required(*ROLES)
def index():
    """Placeholder page until the blueprint is built."""
    return render_template("base.html")
