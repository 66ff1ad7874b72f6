"""The pilot's dashboard and the indicators' exports (the pilot's own department only)."""
from flask import Response, abort, render_template, request

from agir.dates import PARIS
from agir.i18n import format_date
from agir.indicators import CohortScope, cohort_table, compute_cohort, compute_indicators, exports, layout
from agir.indicators import pilot as queries
from agir.indicators.cohort import compute_with_counts as compute_cohort_with_counts
from agir.labels import label
from agir.safe_files import content_disposition
from blueprints._helpers import audit_event, role_required
from blueprints.pilot import bp
from blueprints.pilot.cache import cached_figures
from blueprints.pilot.common import (
    ROLES,
    commit,
    department_scope,
    page_number,
    period_form,
    period_from_args,
    pilot_department,
)

PER_PAGE = 20
EXPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "csv": "text/csv; charset=utf-8"}


@bp.get("/")
@role_required(*ROLES)
def index():
    """Where the department stands: Annex figures vs objectives, alerts, compliance, cohort curves."""
    department = pilot_department()
    period = period_from_args(department)
    scope = department_scope(department, period)
    page = page_number()
    figures, computed_at = cached_figures(
        (department.id, period.start, period.end, scope.as_of, page),
        lambda: dashboard_figures(department, period, scope, page), recompute=request.args.get("recompute") == "1")
    data, cohort, total = figures["data"], figures["cohort"], figures["total"]
    local = computed_at.astimezone(PARIS)
    curves = cohort_table.milestones(cohort)
    return render_template(
        "pilot/index.html", department=department, period=period, scope=scope, data=data,
        groups=layout.grouped(data), objectives=[r for r in layout.rows(data) if r.objective],
        alerts=figures["alerts"], lines=figures["lines"], total=total, page=page,
        pages=max(1, -(-total // PER_PAGE)), nationalities=figures["nationalities"],
        structures=figures["structures"], open_count=figures["open_count"], cohort=cohort, curves=curves,
        cohort_data=cohort_table.chart_payload(cohort, curves),
        period_form=period_form(period), computed_day=format_date(local), computed_time=f"{local:%H:%M}",
        label=label,
    )


def dashboard_figures(department, period, scope, page: int) -> dict:
    """Every figure of the dashboard (what the cache keeps: numbers, pseudonyms, names — no label)."""
    # Statements that read the same records serve several parts of the page (docs/performance.md):
    # the compliance list gives the compliance counts, the open accompaniments and the contracts; one read of the
    # period's records gives the breakdowns by nationality (whose sums are the public figures), by structure
    # and the participants' figures.
    lines, total, limits, contracts = queries.compliance_and_contracts(scope, page, PER_PAGE)
    records = queries.period_figures(scope)
    by_nationality, by_structure = records.public, records.structures
    return {
        "data": compute_indicators(scope, by_nationality=by_nationality, limits=limits, persons=records.participants,
                                   contracts=contracts),
        "cohort": compute_cohort(CohortScope(period.start, period.end, department, as_of=scope.as_of)),
        "lines": lines, "total": total, "open_count": limits["open"],
        "alerts": queries.alert_counts(department.id),
        "nationalities": queries.by_nationality(by_nationality),
        "structures": by_structure,
    }


def download(content: bytes, kind: str, filename: str) -> Response:
    """A file to save, never cached."""
    return Response(content, content_type=EXPORT_TYPES[kind], headers={
        "Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"})


@bp.get("/export.<any(xlsx, csv):kind>")
@role_required(*ROLES)
def export_indicators(kind: str):
    """The indicators of the period as XLSX or CSV (audited)."""
    if kind not in EXPORT_TYPES:
        abort(404)
    department = pilot_department()
    period = period_from_args(department)
    scope = department_scope(department, period)
    if kind == "xlsx":
        # The workbook also holds the dashboard's cohort and detailed breakdowns (issue 19), masked as the page.
        figures = queries.period_figures(scope)
        by_nationality, by_structure = figures.public, figures.structures
        data = compute_indicators(scope, by_nationality=by_nationality, persons=figures.participants)
        cohort = compute_cohort_with_counts(CohortScope(period.start, period.end, department, as_of=scope.as_of))
        content = exports.indicators_xlsx(data, department.name, cohort=cohort,
                                          breakdowns=(queries.by_nationality(by_nationality), by_structure))
    else:
        content = exports.indicators_csv(compute_indicators(scope), department.name)
    audit_event("export_indicators", fields=["indicators"],
                detail=f"{kind} {department.code} {period.start.isoformat()}..{period.end.isoformat()}")
    commit()
    return download(content, kind, f"indicateurs-agir-{department.code}-{period.start}-{period.end}.{kind}")
