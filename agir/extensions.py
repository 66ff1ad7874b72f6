"""Flask extensions, created unbound and wired in create_app."""
from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from models.base import db

login_manager = LoginManager()
csrf = CSRFProtect()
migrate = Migrate()
babel = Babel()

__all__ = ["db", "login_manager", "csrf", "migrate", "babel"]
