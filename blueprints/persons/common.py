"""What every view of the persons blueprint shares: the role, one operation then commit, errors to fields."""

from flask import request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from agir.dates import today as paris_today
from agir.errors import RuleViolation, StaleRecord
from agir.extensions import db
from blueprints._helpers import attach_more, audit_event, client_ip, validate_with_rules
from models import AuditEntry

ROLES = ("social_worker",)
# Rule fields that do not share their name with a form field.
FIELD_ALIASES = {"followup.date": "date", "start_on": "start", "planned_end_on": "planned_end",
                 "job_months": "months"}


def commit() -> None:
    """Commit the unit of work; audit entries written by the operations get the caller's address."""
    ip = client_ip()
    for obj in db.session.new:
        if isinstance(obj, AuditEntry) and obj.ip is None:
            obj.ip = ip
    db.session.commit()


def attach_error(form, exc: RuleViolation) -> None:
    """Show a rule's message next to the field it concerns, or above the form."""
    name = FIELD_ALIASES.get(exc.field or "", exc.field or "")
    field = form._fields.get(name) if name else None
    if field is None or field.type in ("HiddenField", "CSRFTokenField"):
        form.form_errors.append(exc.message)
        form.is_stale = isinstance(exc, StaleRecord)
    else:
        field.errors = list(field.errors or []) + [exc.message]


def apply(form, operation, *args, **kwargs):
    """Call one operation and commit. Returns (result, True), or (None, False) with the error on the form."""
    try:
        result = operation(*args, **kwargs)
        commit()
        return result, True
    except RuleViolation as exc:
        db.session.rollback()
        attach_error(form, exc)
    except (StaleDataError, IntegrityError):
        # Someone saved the same record (or created the same right line) between our read and our write.
        db.session.rollback()
        attach_error(form, StaleRecord())
    return None, False


def submit(form, operation, *args, also=None, **kwargs):
    """A POST: field checks and the operation's rule checks together (every error at once), then, when the
    fields are valid, the operation for real. `also` lists every violation of rules that can list them all
    (person_rules). Returns (result, ok) like apply."""
    if not validate_with_rules(form, attach_error, operation, *args, also=also, **kwargs):
        return None, False
    result, ok = apply(form, operation, *args, **kwargs)
    if not ok and also is not None:
        attach_more(form, attach_error, also())  # the operation stopped at its first refusal
    return result, ok


def person_rules(values: dict):
    """Every violation of the shared person rules (agir.rules.person) on the form's values, as the operations
    see them (text stripped, empty as None): all shown at once instead of the operation's first one."""
    from agir.dates import today
    from agir.rules.person import person_violations
    cleaned = {name: (value.strip() or None) if isinstance(value, str) else value for name, value in values.items()}
    return lambda: person_violations(cleaned, today())


def audit_view(person, page: str) -> None:
    """Every read of a file is audited (which page; no value), committed before the page is built — a form
    shown again after a refused POST too (it shows the file's data).

    The commit keeps what the view has loaded: a commit expires every object of the session by
    default, and the file page then read the whole file a second time, one relationship at a time
    (docs/performance.md, change 10). What was read a moment ago in this request is what the page
    shows. Committing here, not after the page is built, keeps SQLite's write lock for the insert
    only: held during the rendering, it queued the other workers' views behind it.
    """
    if request.method != "GET":
        db.session.rollback()  # a refused POST shows the form again: nothing of it is written, only this read
    audit_read("view_person", person=person, detail=page)


def audit_read(action: str, person=None, fields=(), detail: str | None = None) -> None:
    """One audit entry for a page that shows personal data, committed at once, keeping what the view loaded
    (see audit_view)."""
    audit_event(action, person=person, fields=fields, detail=detail)
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        commit()
    finally:
        session.expire_on_commit = expiring


def file_url(person, anchor: str | None = None) -> str:
    """The person's file, at a section."""
    return url_for("persons.show", person_id=person.id, _anchor=anchor)


def template_globals() -> dict:
    """Values every template of the blueprint may use."""
    from agir.dates import age_on
    from blueprints.persons.forms import ITEM_FIELDS, NATIONALITIES
    from blueprints.persons.presenters import action_label, field_label, fields_text, local_time, page_label
    return {"nationalities": NATIONALITIES, "item_fields": ITEM_FIELDS, "action_label": action_label,
            "field_label": field_label, "page_label": page_label,
            "fields_text": fields_text, "local_time": local_time, "age_on": age_on, "today_date": paris_today}
