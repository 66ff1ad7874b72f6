"""Shared view helpers: role checks, person loading through agir.access, audit with the caller's IP."""
import contextlib
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required
from sqlalchemy.exc import InvalidRequestError

from agir import access, audit
from agir.extensions import db
from models import Person


def role_required(*roles: str):
    """Login required, then 403 for any role not listed."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = roles  # read by the access-inventory test
        return wrapped
    return decorator


def client_ip() -> str | None:
    """The caller's address (the reverse proxy sets X-Forwarded-For through ProxyFix in production)."""
    return request.remote_addr


def audit_event(action: str, person=None, fields=(), detail: str | None = None):
    """Write an audit entry for the current user and request."""
    return audit.record(current_user, action, person=person, fields=fields, ip=client_ip(), detail=detail)


def person_or_404(person_id: int, level: str = access.FULL) -> Person:
    """Load a person the current user may see at `level` (FULL or LIMITED); 404 otherwise, never a hint."""
    got = access.view_level(current_user, person_id, db.session)
    if got is None or (level == access.FULL and got != access.FULL):
        audit.record(current_user, "access_refused", person=None, ip=client_ip(),
                     detail=f"{request.method} {request.path}")
        db.session.commit()
        abort(404)
    return db.session.get(Person, person_id)


DB_INT_MAX = 2**31 - 1  # the largest id or page number the databases hold in an INTEGER column


def db_int(value) -> int:
    """The one integer converter of ids and pages typed in query strings and forms: a whole number within
    0..DB_INT_MAX (a database INTEGER), else ValueError (WTForms' `coerce`, int_arg). URLs use the same
    bound through the `int` URL converter (agir.app.DbIntConverter)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if not isinstance(value, int):
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or len(text) > 12:
            raise ValueError(value)
        value = int(text)
    number = value
    if not 0 <= number <= DB_INT_MAX:
        raise ValueError(value)
    return number


def int_arg(name: str, default: int | None = None) -> int | None:
    """A whole number from the query string, or `default` when absent, malformed or out of a database's range."""
    try:
        return db_int(request.args[name])
    except (KeyError, ValueError):
        return default


def _shown(form) -> set[str]:
    """Every message the form shows already (next to a field or at the top)."""
    return {str(m) for f in form._fields.values() for m in (f.errors or [])} | {str(m) for m in form.form_errors}


def attach_more(form, attach, violations) -> None:
    """Show more rule violations, each once, never on a field that already shows an error of its own (a field
    check or an earlier rule: its first message says what to fix)."""
    for violation in violations:
        if violation.message in _shown(form):
            continue
        before = {name: list(f.errors or []) for name, f in form._fields.items()}
        attach(form, violation)
        for name, f in form._fields.items():
            if before[name] and list(f.errors or []) != before[name]:
                f.errors = before[name]
    form._errors = None  # WTForms caches form.errors


def check_rules_too(form, attach, operation, *args, also=None, **kwargs) -> None:
    """Every error at once: the form failed its field checks, so the operation is run anyway on the values that
    did parse (an unreadable field is None), inside a savepoint that is always rolled back, and the rule it
    refuses is shown with the field errors — unless it concerns a field already in error (that field's own
    message says more). Nothing is written. A forged or expired request (CSRF error) runs nothing; an operation
    that cannot run on missing values (TypeError…) has nothing more to say. `also`, when given, returns every
    violation of the rules that can list them all (agir.rules), shown the same way: an operation stops at its
    first refusal, which may concern a field already in error."""
    from agir.errors import RuleViolation
    if getattr(form, "csrf_token", None) is not None and form.csrf_token.errors:
        return
    nested = db.session.begin_nested()
    found = []
    try:
        operation(*args, **kwargs)
    except RuleViolation as exc:
        found += getattr(exc, "violations", None) or [exc]  # an operation that reports every broken rule at once
    except Exception:  # noqa: BLE001, S110 - a dry run on incomplete values: any other failure says nothing more
        pass
    finally:
        # A flush that failed inside the savepoint (PostgreSQL: a number beyond an INTEGER that a field
        # check already refused) leaves it inactive but not closed: it must be rolled back all the same.
        with contextlib.suppress(InvalidRequestError):
            nested.rollback()
    if also is not None:
        with contextlib.suppress(Exception):  # same: incomplete values
            found += list(also())
    attach_more(form, attach, found)


def validate_with_rules(form, attach, operation, *args, also=None, **kwargs) -> bool:
    """On a POST: True when every field is valid (the caller then runs the operation for real); otherwise the
    rule checks run too (check_rules_too) and False."""
    if form.validate():
        return True
    check_rules_too(form, attach, operation, *args, also=also, **kwargs)
    return False
