"""A short-lived cache of the dashboard's figures, per process (docs/rules.md, Performance).

At 100,000 persons one dashboard costs ~0.25 s of CPU (docs/performance.md): a pilot who comes
back to the same page, or moves through the compliance list, reads the figures computed a few
minutes earlier instead of computing them again. The page always says when its figures were
computed and offers to compute them again now.

- key: (department, first day, last day, as-of day, page of the compliance list) — a new day is a
  new key, so the situations "as of today" never come from yesterday;
- an entry lives `DASHBOARD_CACHE_SECONDS` (5 minutes by default; 0 turns the cache off), and at
  most `DASHBOARD_CACHE_SIZE` entries are kept (64 by default), the least recently used leaving first;
- a change of the department's settings forgets that department's entries.
Only figures are kept (numbers, pseudonyms, structure names): labels are translated when drawn.
"""
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime

from flask import current_app


class FiguresCache:
    """Least-recently-used entries with a time to live; thread-safe."""

    def __init__(self, max_entries: int, seconds: float, clock=time.monotonic):
        self.max_entries, self.seconds, self.clock = max(1, max_entries), seconds, clock
        self._entries: OrderedDict = OrderedDict()  # key → (expires, computed_at, figures)
        self._lock = threading.Lock()

    def get(self, key) -> tuple[datetime, object] | None:
        """(computed_at UTC, figures) while fresh, else None (an expired entry is dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def put(self, key, figures) -> datetime:
        """Keep freshly computed figures; their computation time (UTC)."""
        computed_at = datetime.now(UTC)
        with self._lock:
            self._entries[key] = (self.clock() + self.seconds, computed_at, figures)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return computed_at

    def forget(self, department_id: int) -> None:
        """Drop every entry of a department (keys start with its id)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == department_id]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


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
    """Drop a department's dashboards from this process's cache (its settings changed)."""
    cache = figures_cache()
    if cache is not None:
        cache.forget(department_id)


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
