"""Indicators of the Annex, cohort progress and their exports (SPEC §5, INTERCHANGE.md).

- scope.py   — the period / department / structure / as-of of a computation, checked from text;
- sql.py     — calendar arithmetic in SQL, identical on SQLite and PostgreSQL;
- annex.py   — the indicators JSON (SQL aggregates);
- results.py — its AGIR results: exit_outcomes, entry, appointments;
- cohort.py  — the cohort JSON;
- sheet.py   — the Annex sheet of one programme (target vs achieved);
- pilot.py   — dashboard queries: alert counts, compliance list, breakdowns;
- layout.py  — French labels, order and objectives of the Annex tables;
- exports.py — XLSX and CSV files laid out like the Annex tables.
"""
from agir.indicators.scope import CohortScope, Scope, ScopeError, build_cohort_scope, build_scope


def compute_indicators(scope: Scope, **computed) -> dict:
    """The indicators JSON for a scope (`computed`: figures the caller already has, see annex.compute)."""
    from agir.indicators import annex
    return annex.compute(scope, **computed)


def compute_cohort(scope: CohortScope) -> dict:
    """The cohort JSON for an entry period."""
    from agir.indicators import cohort
    return cohort.compute(scope)


__all__ = ["Scope", "CohortScope", "ScopeError", "build_scope", "build_cohort_scope", "compute_indicators",
           "compute_cohort"]
