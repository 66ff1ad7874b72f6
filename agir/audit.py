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
