"""Jinja filters and globals: dates in the reader's language, labels of enums, access predicates."""
from datetime import date

from flask import Flask

from agir import access, labels
from agir.i18n import format_date, format_datetime


def date_long(day: date | None) -> str:
    """A date in words in the reader's language: "5 mars 2026" (French, the default) or "5 March 2026"."""
    return format_date(day, long=True)


def init_app(app: Flask) -> None:
    """Expose filters and predicates to every template."""
    # Every date of every page goes through these (docs/rules.md « La session en anglais »):
    # 05/03/2026 in French, 5 Mar 2026 in English. `date_fr` is the historical name of `date_short`.
    app.jinja_env.filters["date_short"] = app.jinja_env.filters["date_fr"] = format_date
    app.jinja_env.filters["datetime_short"] = format_datetime
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
