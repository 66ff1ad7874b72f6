"""Jinja filters and globals: French dates, labels of enums, access predicates."""
from flask import Flask

from agir import access, labels
from agir.dates import format_fr


def init_app(app: Flask) -> None:
    """Expose filters and predicates to every template."""
    app.jinja_env.filters["date_fr"] = format_fr
    app.jinja_env.filters["date_long"] = lambda d: format_fr(d, long=True)
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["access"] = access

    @app.context_processor
    def _endpoints():
        # Navigation shows only the pages that exist.
        return {"url_endpoints": app.view_functions.keys()}
