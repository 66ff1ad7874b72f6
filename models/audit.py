"""The audit log: append-only; values are stored only for corrections (before / after, with the reason)."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db, utcnow
from models.enums import ROLES, check_in


class AuditEntry(db.Model):
    """Who did what to which file, when, from where — with field names, never values."""

    __tablename__ = "audit_entries"
    # The role the author held then (one of ROLES, or none for a command run on the server).
    __table_args__ = (check_in("role", ROLES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    user_email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    fields: Mapped[list] = mapped_column(JSON, default=list)
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(300))
    # Corrections and cancellations of a recorded fact (SPEC §4.8): why, and what it was and became
    # ({"record": "job", "before": {...}, "after": {...} or None when cancelled}).
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict | None] = mapped_column(JSON)
