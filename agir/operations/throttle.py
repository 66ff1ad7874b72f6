"""Login throttling, counted atomically and keyed so that nobody can lock someone else out.

Two counters per sign-in attempt, each with its limit within the window (LOGIN_LOCK_MINUTES):
- the pair (e-mail, client address): `LOGIN_MAX_FAILURES` (5) failures lock that account *from that
  address* only — an attacker's failures never lock the real user out from another address;
- the client address alone: a higher ceiling (`LOGIN_MAX_FAILURES_PER_IP`, 50), so that one address
  cannot go on guessing the passwords of many accounts (known or not).

Every attempt is counted *before* its password is checked (reserve): one atomic statement per key,
`INSERT … ON CONFLICT (key) DO UPDATE SET failures = failures + 1 … RETURNING failures` (a row lock on
PostgreSQL, the database lock on SQLite), committed at once. The n-th simultaneous attempt therefore
sees n, and only the attempts within the limit get their password checked: 30 simultaneous wrong
passwords get exactly 5 checked, whatever the number of workers. A successful sign-in gives its
reservation back: the pair's counter is cleared, the address's counter loses the one it counted.
"""
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from agir.extensions import db
from models import LoginThrottle
from models.base import utcnow


def email_key(email: str) -> str:
    """Throttle key of an e-mail address alone (kept for the counters of older versions)."""
    return "email:" + (email or "").strip().lower()[:200]


def pair_key(email: str, ip: str | None) -> str:
    """Throttle key of one account (an e-mail, known or not) tried from one client address."""
    return "pair:" + (email or "").strip().lower()[:180] + "|" + (ip or "unknown")[:64]


def ip_key(ip: str | None) -> str:
    """Throttle key of a client address."""
    return "ip:" + (ip or "unknown")[:64]


def locked_keys(keys: list[str], now: datetime | None = None) -> list[str]:
    """The keys among `keys` that are locked at `now`."""
    now = now or utcnow()
    return list(db.session.scalars(select(LoginThrottle.key).where(
        LoginThrottle.key.in_(keys), LoginThrottle.locked_until.is_not(None), LoginThrottle.locked_until > now)))


def _count(key: str, limit: int, window: timedelta, now: datetime) -> tuple[int, bool]:
    """Add one failure to the key in one atomic statement; (failures now counted, whether this one locked it).

    A counter whose window or lock is over starts again at 1; reaching `limit` locks the key for the window."""
    table = LoginThrottle.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert
    first_lock = now + window if limit <= 1 else None
    stmt = insert(table).values(key=key, failures=1, first_failure_at=now, locked_until=first_lock)
    stale = or_(table.c.first_failure_at < now - window,
                (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now))
    failures = case((stale, 1), else_=table.c.failures + 1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
        "failures": failures,
        "first_failure_at": case((stale, now), else_=table.c.first_failure_at),
        "locked_until": case((stale, first_lock),
                             (table.c.locked_until.is_(None) & (table.c.failures + 1 >= limit), now + window),
                             else_=table.c.locked_until),
    }).returning(table.c.failures)
    counted = db.session.execute(stmt).scalar_one()
    return counted, counted == limit


def reserve(keys_limits: dict[str, int], window: timedelta, now: datetime | None = None) -> list[str]:
    """Count this attempt on every key before its password is checked; the keys over their limit (the attempt
    is then refused unchecked). The caller commits at once, so that concurrent attempts see the count, and
    calls forget_old first in a transaction of its own (a purge and the counts in one transaction could each
    hold a row the other wants)."""
    now = now or utcnow()
    return [key for key, limit in keys_limits.items() if _count(key, limit, window, now)[0] > limit]


def record_failure(keys_limits: dict[str, int], window: timedelta, now: datetime | None = None) -> list[str]:
    """Count one failure on each key (limit per key); returns the keys that this failure locked."""
    now = now or utcnow()
    _purge(window, now)
    return [key for key, limit in keys_limits.items() if _count(key, limit, window, now)[1]]


def give_back(key: str) -> None:
    """A reserved attempt that succeeded is not a failure of the key."""
    db.session.execute(update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                       .values(failures=LoginThrottle.failures - 1))


def clear(key: str) -> None:
    """Forget the failures of a key (after a successful login with that e-mail from that address)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def forget_old(window: timedelta, now: datetime | None = None) -> None:
    """Purge the counters that are over (see _purge); to be committed on its own, before reserve."""
    _purge(window, now or utcnow())


def _purge(window: timedelta, now: datetime) -> None:
    """Drop counters whose window and lock are over, so that sprayed e-mails do not pile up. Rows another
    attempt holds are skipped (PostgreSQL: SKIP LOCKED), so the purge never waits and never deadlocks."""
    stale = select(LoginThrottle.key).where(
        LoginThrottle.first_failure_at < now - window,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
    ).with_for_update(skip_locked=True)
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))
