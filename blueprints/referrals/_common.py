"""Helpers shared by the referrals views: run one operation, show its refusal next to the field, paginate."""
from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm.exc import StaleDataError

from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from blueprints._helpers import int_arg, validate_with_rules

ROLES = ("referral_officer", "social_worker")
# Names used by the operations → names of the form fields.
FIELD_ALIASES = {"programme": "programme_id", "structure": "structure_id", "end": "end_on"}


def show_error(form, exc: RuleViolation) -> None:
    """Put a rule's French message next to its field, or at the top of the form; every one of them when the
    operation found several (`violations`: a correction's date and its missing reason at once)."""
    more = getattr(exc, "violations", None)
    if more and len(more) > 1:
        for violation in more:
            _show_one(form, violation)
        return
    _show_one(form, exc)


def _show_one(form, exc: RuleViolation) -> None:
    name = FIELD_ALIASES.get(exc.field, exc.field)
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors") and not name.startswith("_"):
        field.errors = [*field.errors, exc.message]
    else:
        form.form_errors.append(exc.message)


def attempt(form, operation, *args, **kwargs):
    """Call one operation and commit; on a broken rule roll back, show it on the form and return None."""
    try:
        result = operation(*args, **kwargs)
        db.session.commit()
        return True if result is None else result
    except RuleViolation as exc:
        db.session.rollback()
        show_error(form, exc)
    except StaleDataError:
        db.session.rollback()
        show_error(form, StaleRecord())
    return None


def attempt_all(form, operation, *args, **kwargs):
    """A POST: field checks and the operation's rule checks together (every error at once); the operation runs
    for real only when every field is valid. Same result as attempt."""
    if not validate_with_rules(form, show_error, operation, *args, **kwargs):
        return None
    return attempt(form, operation, *args, **kwargs)


def version_of(form) -> int | None:
    """The version the form was loaded with (optimistic locking), or None."""
    try:
        return int(form.version_id.data)
    except (TypeError, ValueError, AttributeError):
        return None


@dataclass
class Page:
    """One page of rows, with what DSFR pagination needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def paginate(stmt: Select, scalars: bool = True) -> Page:
    """Count in SQL, then fetch the requested page only (?page=N)."""
    per_page = current_app.config.get("PER_PAGE", 25)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, min(int_arg("page", 1), max(1, ceil(total / per_page))))
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(limited)
    items = list(result.unique().scalars()) if scalars else list(result.unique().all())
    return Page(items, page, per_page, total)


def query_args(**overrides) -> dict:
    """The current query string as a dict, with some keys replaced (for pagination links)."""
    args = {k: v for k, v in request.args.items() if v}
    args.update({k: v for k, v in overrides.items()})
    return {k: v for k, v in args.items() if v is not None}
