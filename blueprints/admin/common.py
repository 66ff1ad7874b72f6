"""Helpers shared by the admin views: pagination and rule violations shown next to their field."""
from flask import current_app, request

from agir.errors import RuleViolation
from agir.extensions import db
from blueprints._helpers import db_int, int_arg

ADMIN = ("admin",)


def paginate(query):
    """A Flask-SQLAlchemy page of the query (COUNT in SQL), page number from ?page=."""
    page = int_arg("page", 1) or 1
    return db.paginate(query, page=max(page, 1), per_page=current_app.config.get("PER_PAGE", 25), error_out=False)


def show_violation(form, exc: RuleViolation, aliases: dict[str, str] | None = None) -> None:
    """Put the message next to the field the rule names, or at the top of the form."""
    name = (aliases or {}).get(exc.field, exc.field)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)
    form._errors = None  # WTForms caches form.errors


def int_or_none(value) -> int | None:
    """An id from a select (blank, malformed or beyond a database integer = none)."""
    try:
        return db_int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def page_args(**extra) -> dict:
    """The current query string without `page` (the pagination links add their own)."""
    args = {k: v for k, v in request.args.items() if k != "page" and v != ""}
    args.update(extra)
    return args
