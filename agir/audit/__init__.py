"""The audit trail: every read, change and export of a person's file, with field names only."""
from collections.abc import Iterable

from agir.extensions import db
from models import AuditEntry


def record(actor, action: str, person=None, fields: Iterable[str] = (), ip: str | None = None,
           detail: str | None = None) -> AuditEntry:
    """Append one entry (never a value: only the names of the fields touched)."""
    entry = AuditEntry(
        user_id=getattr(actor, "id", None), user_email=getattr(actor, "email", None),
        role=getattr(actor, "role", None),
        person_id=getattr(person, "id", person if isinstance(person, int) else None),
        action=action, fields=sorted(set(fields)), ip=ip, detail=detail,
    )
    db.session.add(entry)
    return entry


def record_correction(actor, person, record_kind: str, before: dict, after: dict | None, reason: str,
                      ip: str | None = None) -> AuditEntry:
    """A recorded fact corrected (after given) or cancelled (after None), with the reason (SPEC §4.8).

    `before` and `after` are plain JSON values (dates as ISO strings) of the fields of the record;
    the history of the file shows them as « correction » or « annulation ».
    """
    action = "cancel_record" if after is None else "correct_record"
    changed = sorted(k for k in set(before) | set(after or {}) if after is None or before.get(k) != after.get(k))
    entry = record(actor, action, person, changed, ip=ip, detail=record_kind)
    entry.reason = reason
    entry.changes = {"record": record_kind, "before": before, "after": after}
    return entry
