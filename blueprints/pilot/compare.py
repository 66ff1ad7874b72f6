"""Regional and national pilots' space (issue 19): every department of their scope side by side for a calendar
year, sortable, against the national targets, with a map of France and XLSX/CSV exports. Aggregates only, small
counts masked (agir.rules.masking); department pilots see their own figures on their dashboard (403 here)."""
import json

from flask import abort, render_template, request
from flask_babel import format_decimal, format_percent
from flask_login import current_user
from sqlalchemy import select

from agir import access
from agir.dates import today as paris_today
from agir.extensions import db
from agir.i18n import N_
from agir.indicators import compare, compare_exports
from blueprints._helpers import audit_event, role_required
from blueprints.pilot import bp
from blueprints.pilot.common import commit
from blueprints.pilot.routes import download
from models import Region

SCOPE_ROLES = ("regional_pilot", "national_pilot")
SHARE, MEAN = "share", "mean"
LABELS = compare.LABELS
MAP_FIGURES = ("housing_share", "employment_share", "agir_positive_share", "within_month_share",
               "average_duration_months", "exits")
SORTS = ("department", *compare.COLUMNS)
# The two tables of the page (17 columns would not fit a 1366-pixel screen): the exits against the targets, then
# the entry path, durations and cohort; both sorted alike.
GROUPS = (("comparaison", N_("Sorties et cibles nationales"), compare.COLUMNS[:7]),
          ("comparaison-parcours", N_("Entrée, durées et cohorte"), compare.COLUMNS[7:]))


def user_region() -> Region | None:
    """The region the page compares: the regional pilot's own; for a national pilot, the one asked (?region=),
    else the whole country. A regional pilot asking for another region gets 403; an unknown region is 404."""
    asked = request.args.get("region") or None
    if not access.compares_every_region(current_user):
        own = access.compared_region(current_user)
        if own is None or not access.may_compare_region(current_user, asked or own.code):
            abort(403)
        return own
    if not asked:
        return None
    region = db.session.scalar(select(Region).where(Region.code == asked))
    if region is None:
        abort(404)
    return region


def chosen_year() -> tuple[int, list[int], bool]:
    """The year asked (?year=), the years offered, and whether the one asked was refused (then the newest)."""
    offered = compare.years(paris_today())
    asked = request.args.get("year", "")
    if asked.isdigit() and int(asked) in offered:
        return int(asked), offered, False
    return offered[0], offered, bool(asked)


def comparison_from_args():
    region = user_region()
    year, offered, refused = chosen_year()
    return compare.for_year(year, region, paris_today()), offered, refused


def formatted(value, kind: str) -> str:
    """A figure in the reader's locale (— when not computable)."""
    if value is None:
        return "—"
    if kind == SHARE:
        return format_percent(value, "#,##0.0 %")
    if kind == MEAN:
        return format_decimal(value, "#,##0.0")
    return format_decimal(value, "#,##0")


def sorted_rows(rows: list[dict], key: str, descending: bool) -> list[dict]:
    """The departments sorted by a column; hidden and missing figures always last."""
    if key == "department":
        return sorted(rows, key=lambda row: row["department"], reverse=descending)
    present = [row for row in rows if compare.value_of(row, key) is not None]
    absent = [row for row in rows if compare.value_of(row, key) is None]
    present.sort(key=lambda row: (compare.value_of(row, key), row["department"]), reverse=descending)
    return present + absent


@bp.get("/compare")
@role_required(*SCOPE_ROLES)
def compare_page():
    """The departments of the pilot's scope side by side (sortable by any column, without JavaScript)."""
    comparison, offered, refused = comparison_from_args()
    result = compare.compute(comparison)
    sort = request.args.get("sort", "department")
    sort = sort if sort in SORTS else "department"
    descending = request.args.get("order") == "desc"
    figure = request.args.get("figure", "housing_share")
    figure = figure if figure in MAP_FIGURES else "housing_share"
    rows = sorted_rows(result["departments"], sort, descending)
    national = access.compares_every_region(current_user)
    regions = db.session.scalars(select(Region).order_by(Region.code)).all() if national else []
    kind = LABELS[figure][1]
    map_data = {row["department"]: _map_value(compare.value_of(row, figure), kind) for row in result["departments"]
                if compare.value_of(row, figure) is not None}
    keep = {"year": comparison.year, **({"region": comparison.region.code} if comparison.region and national else {})}
    return render_template(
        "pilot/compare.html", result=result, rows=rows, comparison=comparison, offered=offered, refused=refused,
        sort=sort, descending=descending, figure=figure, labels=LABELS, groups=GROUPS,
        map_figures=MAP_FIGURES, map_data=json.dumps(map_data, sort_keys=True),
        map_total=_map_value(compare.value_of(result["total"], figure), kind), keep=keep, regions=regions,
        national=national, targets=compare.TARGETS, formatted=formatted,
        value_of=compare.value_of, SHARE=SHARE)


def _map_value(value, kind: str):
    """A map's number: shares as percentages with one decimal."""
    if value is None:
        return ""
    return round(value * 100, 1) if kind == SHARE else value


@bp.get("/compare.<any(xlsx, csv):kind>")
@role_required(*SCOPE_ROLES)
def compare_export(kind: str):
    """The comparison as XLSX or CSV (audited), masked as the page."""
    comparison, _, _ = comparison_from_args()
    result = compare.compute(comparison)
    content = (compare_exports.comparison_xlsx if kind == "xlsx" else compare_exports.comparison_csv)(
        result, comparison.region.name if comparison.region else None)
    place = comparison.region.code if comparison.region else "national"
    audit_event("export_indicators", fields=["comparison"], detail=f"{kind} {place} {comparison.year}")
    commit()
    return download(content, kind, f"comparaison-agir-{place}-{comparison.year}.{kind}")

