"""Jinja filters and globals: French dates, labels of enums, access predicates."""
from datetime import date

from flask import Flask, has_request_context
from flask_babel import get_locale

from agir import access, labels
from agir.dates import format_fr

MONTHS_EN = ("January", "February", "March", "April", "May", "June",
             "July", "August", "September", "October", "November", "December")


def date_long(day: date | None) -> str:
    """A date in words in the reader's language: "5 mars 2026" (French, the default) or "5 March 2026"."""
    if day is not None and has_request_context() and str(get_locale()) == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return format_fr(day, long=True)


def init_app(app: Flask) -> None:
    """Expose filters and predicates to every template."""
    app.jinja_env.filters["date_fr"] = format_fr
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.globals["labels"] = labels
    app.jinja_env.globals["access"] = access

    @app.context_processor
    def _endpoints():
        # Navigation shows only the pages that exist.
        return {"url_endpoints": app.view_functions.keys()}

    @app.context_processor
    def _js_strings():
        from agir.i18n import js_translations
        return {"js_translations": js_translations}
