"""Application factory: wires config, extensions, blueprints, error handlers and the CLI — nothing else."""
from flask import Flask
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter

from agir.config import Config, check_production
from agir.extensions import babel, csrf, db, login_manager, migrate
from agir.web.locale import select_locale

ROOT_TEMPLATES = "../templates"


class DbIntConverter(IntegerConverter):
    """`<int:…>` in URLs stays within the databases' INTEGER range: a larger number is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: object | None = None) -> Flask:
    """Build the Flask application."""
    app = Flask(__name__, template_folder=ROOT_TEMPLATES, static_folder="static")
    app.config.from_object(config or Config)
    app.url_map.converters["int"] = DbIntConverter
    check_production(app.config)

    import agir.duplicates  # noqa: F401  (keeps the search and duplicate keys of persons)
    import models  # noqa: F401  (register every table)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from agir.web import security, templating
    security.init_app(app)
    templating.init_app(app)
    app.jinja_env.globals["get_locale"] = get_locale

    from blueprints import register_blueprints
    register_blueprints(app)

    from agir.cli import agir_cli
    app.cli.add_command(agir_cli)
    return app
