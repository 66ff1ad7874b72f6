"""The dashboard's figures kept a few minutes in the database, shared by every worker and host (docs/rules.md,
Performance; docs/operations.md, Several web hosts).

At 100,000 persons one dashboard costs ~0.25 s of CPU (docs/performance.md): a pilot who comes
back to the same page, or moves through the compliance list, reads the figures computed a few
minutes earlier instead of computing them again — on whichever web host the reverse proxy sends
the request to. The page always says when its figures were computed and offers to compute them
again now.

- key: (department, first day, last day, as-of day, page of the compliance list) — a new day is a
  new key, so the situations "as of today" never come from yesterday; the table `dashboard_cache`
  keeps the key's SHA-256 (key_hash), the department, computed_at, expires_at and the figures as JSON;
- an entry lives `DASHBOARD_CACHE_SECONDS` (5 minutes by default; 0 turns the cache off), and at
  most `DASHBOARD_CACHE_SIZE` entries are kept (64 by default): every write prunes the expired
  entries, then the oldest computed beyond that number (not the least recently *read*: a read
  that wrote would make every page a write);
- a change of the department's settings forgets that department's entries, on every host at once;
- two workers computing the same key at once both write it, without error: one upsert
  (`INSERT … ON CONFLICT (key_hash) DO UPDATE`, PostgreSQL and SQLite alike), the last one wins;
- writes go through a connection of their own, committed at once (like agir/jobs.py's lock), so
  they never wait on the request's transaction, and a failed write never breaks the page.
Only figures are kept (numbers, pseudonyms, structure names): labels are translated when drawn.
The figures go through a small typed JSON encoding (dates, tuples, dictionaries keyed by numbers,
the compliance lines) so that what comes back equals what was computed.
"""
import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError

from agir.extensions import db
from agir.indicators.pilot import ComplianceLine
from models import DashboardCache
from models.base import utcnow
from models.upsert import replace_row

log = logging.getLogger("agir.dashboard_cache")
# The only classes the figures may hold besides plain values (never an arbitrary import on reading).
DATACLASSES = {"ComplianceLine": ComplianceLine}


# --- the typed JSON encoding ------------------------------------------------------------------------

def encode(value):
    """Plain JSON for what JSON keeps as is; a one-key tagged object for the rest."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = [encode(v) for v in value]
        return items if isinstance(value, list) else {"__tuple": items}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"__dict": [[encode(k), encode(v)] for k, v in value.items()]}
    return _tagged(value)


def _tagged(value) -> dict:
    if isinstance(value, datetime):
        return {"__datetime": value.isoformat()}
    if isinstance(value, date):
        return {"__date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"__decimal": str(value)}
    if dataclasses.is_dataclass(value) and type(value).__name__ in DATACLASSES:
        return {"__" + type(value).__name__: {f.name: encode(getattr(value, f.name))
                                              for f in dataclasses.fields(value)}}
    raise TypeError(f"the dashboard cache cannot keep a {type(value).__name__}")


DECODERS: dict[str, Callable] = {
    "__tuple": lambda inner: tuple(decode(v) for v in inner),
    "__dict": lambda inner: {decode(k): decode(v) for k, v in inner},
    "__datetime": datetime.fromisoformat, "__date": date.fromisoformat, "__decimal": Decimal,
}


def decode(value):
    """The inverse of encode."""
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag in DECODERS:
            return DECODERS[tag](inner)
        if tag.startswith("__") and tag[2:] in DATACLASSES:
            return DATACLASSES[tag[2:]](**{k: decode(v) for k, v in inner.items()})
    return {k: decode(v) for k, v in value.items()}


def key_hash(key: tuple) -> str:
    """SHA-256 of the key's typed JSON (the same key gives the same hash in every process)."""
    return hashlib.sha256(json.dumps(encode(key), sort_keys=True).encode()).hexdigest()


# --- the cache --------------------------------------------------------------------------------------

class FiguresCache:
    """The table dashboard_cache: entries with a time to live, at most max_entries kept, shared by every process.

    Keys are tuples whose first item is the department's id."""

    def __init__(self, max_entries: int, seconds: float, clock: Callable[[], datetime] = utcnow):
        self.max_entries, self.seconds, self.clock = max(1, max_entries), seconds, clock

    def get(self, key: tuple) -> tuple[datetime, object] | None:
        """(computed_at UTC, figures) while fresh, else None (an expired entry is pruned by the next write)."""
        row = db.session.execute(select(DashboardCache.computed_at, DashboardCache.figures).where(
            DashboardCache.key_hash == key_hash(key), DashboardCache.expires_at > self.clock())).first()
        if row is None:
            return None
        return row.computed_at.replace(tzinfo=UTC), decode(json.loads(row.figures))

    def put(self, key: tuple, figures) -> datetime:
        """Keep freshly computed figures (replacing the key's entry, if any); their computation time (UTC)."""
        now = self.clock()
        values = {"key_hash": key_hash(key), "department_id": int(key[0]), "computed_at": now,
                  "expires_at": now + timedelta(seconds=self.seconds), "figures": json.dumps(encode(figures))}
        try:
            with db.engine.begin() as conn:
                conn.execute(replace_row(DashboardCache.__table__, values, ["key_hash"], conn.dialect.name))
            self.prune(now)
        except DBAPIError:  # the figures are shown all the same; the next request computes them again
            log.exception("Tableau de bord non conservé dans le cache partagé.")
        return now.replace(tzinfo=UTC)

    def prune(self, now: datetime | None = None) -> None:
        """Drop the expired entries, then the oldest computed beyond max_entries. Rows another process is
        writing are skipped (PostgreSQL: SKIP LOCKED), so that two prunes never wait on each other."""
        now = now or self.clock()
        table = DashboardCache.__table__
        with db.engine.begin() as conn:
            expired = select(table.c.key_hash).where(table.c.expires_at <= now).with_for_update(skip_locked=True)
            conn.execute(delete(table).where(table.c.key_hash.in_(expired)))
            beyond = (select(table.c.key_hash).order_by(table.c.computed_at.desc(), table.c.key_hash)
                      .offset(self.max_entries).with_for_update(skip_locked=True))
            conn.execute(delete(table).where(table.c.key_hash.in_(beyond.scalar_subquery())))

    def forget(self, department_id: int) -> None:
        """Drop every entry of a department, for every host."""
        forget_entries(department_id)

    def __len__(self) -> int:
        return db.session.scalar(select(func.count()).select_from(DashboardCache)) or 0


def forget_entries(department_id: int) -> None:
    """Delete a department's entries, committed at once on a connection of its own."""
    with db.engine.begin() as conn:
        conn.execute(delete(DashboardCache.__table__).where(DashboardCache.__table__.c.department_id == department_id))


def figures_cache() -> FiguresCache | None:
    """The application's cache of dashboards, or None when turned off (DASHBOARD_CACHE_SECONDS = 0)."""
    seconds = current_app.config.get("DASHBOARD_CACHE_SECONDS", 0)
    if not seconds:
        return None
    cache = current_app.extensions.get("agir_dashboard_cache")
    if cache is None or cache.seconds != seconds:
        cache = FiguresCache(current_app.config.get("DASHBOARD_CACHE_SIZE", 64), seconds)
        current_app.extensions["agir_dashboard_cache"] = cache
    return cache


def forget_department(department_id: int) -> None:
    """Drop a department's dashboards (its settings changed) — even when this host's cache is off, since
    another host may have kept some."""
    forget_entries(department_id)


def cached_figures(key, compute, recompute: bool = False) -> tuple[object, datetime]:
    """(figures, computed_at UTC): from the cache while fresh, else compute() now (and keep it)."""
    cache = figures_cache()
    if cache is None:
        return compute(), datetime.now(UTC)
    found = None if recompute else cache.get(key)
    if found is not None:
        computed_at, figures = found
        return figures, computed_at
    figures = compute()
    return figures, cache.put(key, figures)
