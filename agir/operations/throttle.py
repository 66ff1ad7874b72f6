"""Login throttling: failed logins counted per e-mail (known or not) and per IP address.

After `max_failures` failures of one key within the window, the key is locked for the window: every
attempt on it is refused (HTTP 429) whether the account exists or not, and whatever the password.
A successful login clears the e-mail's counter, never the IP's (one valid account must not let an
address go on guessing the passwords of others).
"""
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from agir.extensions import db
from models import LoginThrottle
from models.base import utcnow


def email_key(email: str) -> str:
    """Throttle key of an e-mail address (normalised, whether an account exists or not)."""
    return "email:" + (email or "").strip().lower()[:200]


def ip_key(ip: str | None) -> str:
    """Throttle key of a client address."""
    return "ip:" + (ip or "unknown")[:64]


def locked_keys(keys: list[str], now: datetime | None = None) -> list[str]:
    """The keys among `keys` that are locked at `now`."""
    now = now or utcnow()
    return list(db.session.scalars(select(LoginThrottle.key).where(
        LoginThrottle.key.in_(keys), LoginThrottle.locked_until.is_not(None), LoginThrottle.locked_until > now)))


def record_failure(keys_limits: dict[str, int], window: timedelta, now: datetime | None = None) -> list[str]:
    """Count one failure on each key (limit per key); returns the keys that this failure locked."""
    now = now or utcnow()
    _purge(window, now)
    newly_locked = []
    for key, limit in keys_limits.items():
        row = db.session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, first_failure_at=now)
            db.session.add(row)
        elif now - row.first_failure_at > window or (row.locked_until is not None and row.locked_until <= now):
            row.failures, row.first_failure_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit and row.locked_until is None:
            row.locked_until = now + window
            newly_locked.append(key)
    db.session.flush()
    return newly_locked


def clear(key: str) -> None:
    """Forget the failures of a key (after a successful login with that e-mail)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def _purge(window: timedelta, now: datetime) -> None:
    """Drop counters whose window and lock are over, so that sprayed e-mails do not pile up."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.first_failure_at < now - window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
    ))
