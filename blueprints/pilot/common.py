"""What the pilot's views share: the role, the pilot's own department, the period, committing one operation."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from agir.dates import add_years
from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from agir.i18n import reader_is_english
from agir.indicators import Scope, ScopeError, build_scope
from agir.indicators.layout import format_value, small_count
from blueprints._helpers import client_ip, int_arg, validate_with_rules
from blueprints.pilot import bp
from models import AuditEntry, Department

ROLES = ("pilot",)
FIRST_YEAR = 2022  # the instruction dates from 2022: no AGIR figure before


def for_reader(figure: str) -> str:
    """A figure written the French way (1 234,5 %), as an English reader writes it (1,234.5%); unchanged in French.
    The pages follow the reader; the exports stay French by design (agir.indicators.layout writes them)."""
    if not reader_is_english():
        return figure
    return figure.replace(",", ".").replace("\u202f", ",").replace(" %", "%")


@bp.app_template_filter("pilot_figure")
def _figure(value, kind="count", decimals=2):
    return for_reader(format_value(value, kind, decimals))


@bp.app_template_filter("pilot_small_count")
def _small(value):
    return for_reader(small_count(value))


def pilot_department() -> Department:
    """The department of the signed-in pilot (a pilot without one sees nothing: 403)."""
    department_id = current_user.effective_department_id
    department = db.session.get(Department, department_id) if department_id else None
    if department is None:
        abort(403)
    return department


@dataclass
class Period:
    """The period the pilot looks at, with the presets offered and an error to show, if any."""

    start: date
    end: date
    presets: list[tuple[str, date, date]]
    error: str | None = None
    custom: bool = False

    def args(self) -> dict:
        """Query arguments that keep this period in links."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def presets(department: Department, today: date) -> list[tuple[str, date, date]]:
    """Calendar years from AGIR's start (or 2022) to this year, newest first, and the last 12 months."""
    first = max(FIRST_YEAR, department.agir_start_on.year if department.agir_start_on else FIRST_YEAR)
    years = [(gettext("Année %(year)s", year=y), date(y, 1, 1), date(y, 12, 31))
             for y in range(max(today.year, first), first - 1, -1)]
    return years + [(gettext("12 derniers mois"), add_years(today, -1) + timedelta(days=1), today)]


def period_from_args(department: Department, today: date | None = None) -> Period:
    """The period of the query string (?from=…&to=…), the current year by default."""
    today = today or paris_today()
    offered = presets(department, today)
    start, end = request.args.get("from"), request.args.get("to")
    default = Period(date(today.year, 1, 1), date(today.year, 12, 31), offered)
    if not start and not end:
        return default
    try:
        scope = build_scope(start, end, today=today)
    except ScopeError as error:
        default.error = error.message.replace("--from", gettext("« du »")).replace("--to", gettext("« au »"))
        return default
    custom = all((scope.start, scope.end) != (a, b) for _, a, b in offered)
    return Period(scope.start, scope.end, offered, custom=custom)


def period_form(period: Period):
    """The custom-period form filled with the period shown."""
    from blueprints.pilot.forms import PeriodForm
    return PeriodForm(formdata=None, data={"start": period.start, "end": period.end})


def department_scope(department: Department, period: Period, as_of: date | None = None) -> Scope:
    """The indicators' scope: the pilot's department over the period, situations as of today."""
    return Scope(period.start, period.end, as_of or paris_today(), department, None)


def commit() -> None:
    """Commit the unit of work; audit entries written by the operations get the caller's address."""
    ip = client_ip()
    for obj in db.session.new:
        if isinstance(obj, AuditEntry) and obj.ip is None:
            obj.ip = ip
    db.session.commit()


def attach_violation(form, exc: RuleViolation) -> None:
    """A rule's French message next to its field, or at the top of the form."""
    field = form._fields.get(exc.field or "")
    if field is None or field.type in ("HiddenField", "CSRFTokenField"):
        form.form_errors.append(exc.message)
    else:
        field.errors = list(field.errors or []) + [exc.message]


def submit(form, operation, *args, **kwargs):
    """A POST: field checks and the operation's rule checks together (every error at once); the operation runs
    for real only when every field is valid. Same result as apply."""
    if not validate_with_rules(form, attach_violation, operation, *args, **kwargs):
        return None, False
    return apply(form, operation, *args, **kwargs)


def apply(form, operation, *args, **kwargs):
    """Call one operation and commit: (result, True), or (None, False) with the French error on the form."""
    try:
        result = operation(*args, **kwargs)
        commit()
        return result, True
    except RuleViolation as exc:
        db.session.rollback()
        attach_violation(form, exc)
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        form.form_errors.append(StaleRecord().message)
    return None, False


def page_number() -> int:
    """The ?page= argument, 1 when absent, wrong or beyond a database integer."""
    return max(1, int_arg("page", 1))
