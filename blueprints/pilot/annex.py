"""The Annex sheet of each programme of the pilot's department: page, print, XLSX and CSV."""
from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext

from agir.dates import today as paris_today
from agir.extensions import db
from agir.indicators import ScopeError, build_scope, exports
from agir.indicators import pilot as queries
from agir.indicators.sheet import default_period, programme_sheet
from blueprints._helpers import audit_event, role_required
from blueprints.pilot import bp
from blueprints.pilot.common import (
    ROLES,
    commit,
    department_scope,
    period_form,
    period_from_args,
    pilot_department,
)
from blueprints.pilot.routes import EXPORT_TYPES, download
from models import Programme


def programme_or_404(programme_id: int) -> Programme:
    """A programme of the pilot's own department; any other is "not found"."""
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.department_id != pilot_department().id:
        abort(404)
    return programme


def sheet_period(programme: Programme) -> tuple[date, date, str | None]:
    """?from=…&to=… when given and valid, else the programme's own period."""
    start, end = default_period(programme, paris_today())
    if not request.args.get("from") and not request.args.get("to"):
        return start, end, None
    try:
        scope = build_scope(request.args.get("from"), request.args.get("to"))
    except ScopeError as error:
        return start, end, error.message.replace("--from", gettext("« du »")).replace("--to", gettext("« au »"))
    return scope.start, scope.end, None


@bp.get("/programmes/")
@role_required(*ROLES)
def programmes():
    """The department's programmes of the period, each with its Annex sheet."""
    department = pilot_department()
    period = period_from_args(department)
    return render_template("pilot/programmes.html", department=department, period=period,
                           period_form=period_form(period),
                           programmes=queries.programmes_of(department_scope(department, period)))


@bp.get("/programmes/<int:programme_id>/annex")
@role_required(*ROLES)
def programme_annex(programme_id: int):
    """Target vs achieved, activity and finance of one programme, ready to print."""
    programme = programme_or_404(programme_id)
    start, end, error = sheet_period(programme)
    sheet = programme_sheet(programme, start, end)
    return render_template("pilot/annex.html", programme=programme, sheet=sheet, error=error,
                           identification=exports.sheet_identification(sheet), lines=exports.sheet_lines(sheet))


@bp.get("/programmes/<int:programme_id>/annex.<any(xlsx, csv):kind>")
@role_required(*ROLES)
def programme_annex_export(programme_id: int, kind: str):
    """One programme's Annex sheet as XLSX or CSV (audited)."""
    if kind not in EXPORT_TYPES:
        abort(404)
    programme = programme_or_404(programme_id)
    start, end, _ = sheet_period(programme)
    sheet = programme_sheet(programme, start, end)
    content = exports.sheets_xlsx([sheet]) if kind == "xlsx" else exports.sheet_csv(sheet)
    audit_event("export_indicators", fields=["annex_sheet"], detail=f"{kind} programme {programme.ref}")
    commit()
    return download(content, kind, f"fiche-annexe-{programme.ref}-{start}-{end}.{kind}")


@bp.get("/programmes/annexes.xlsx")
@role_required(*ROLES)
def programmes_annex_workbook():
    """Every programme's Annex sheet of the period in one workbook, one worksheet each (audited)."""
    department = pilot_department()
    period = period_from_args(department)
    sheets = [programme_sheet(p, period.start, period.end)
              for p in queries.programmes_of(department_scope(department, period))]
    audit_event("export_indicators", fields=["annex_sheet"],
                detail=f"xlsx programmes {department.code} {period.start}..{period.end}")
    commit()
    return download(exports.sheets_xlsx(sheets), "xlsx",
                    f"fiches-annexes-{department.code}-{period.start}-{period.end}.xlsx")


