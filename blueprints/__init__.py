"""HTTP layer. Each blueprint is a package with __init__.py, routes.py and forms.py."""
from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    from blueprints.admin import bp as admin_bp
    from blueprints.agenda import bp as agenda_bp
    from blueprints.alerts import bp as alerts_bp
    from blueprints.api import bp as api_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.errors import bp as errors_bp
    from blueprints.main import bp as main_bp
    from blueprints.persons import bp as persons_bp
    from blueprints.pilot import bp as pilot_bp
    from blueprints.privacy import bp as privacy_bp
    from blueprints.referrals import bp as referrals_bp

    for bp in (main_bp, auth_bp, errors_bp, persons_bp, referrals_bp, pilot_bp, admin_bp, api_bp, alerts_bp):
        app.register_blueprint(bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(agenda_bp)
