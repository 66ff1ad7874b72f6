"""Shared view helpers: role checks, person loading through agir.access, audit with the caller's IP."""
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

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
