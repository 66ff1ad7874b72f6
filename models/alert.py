"""Alerts kept by the nightly job, the e-mail outbox, and job locks."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import ALERT_KINDS, check_in


class Alert(db.Model):
    """An alert of SPEC §4.4: appears once, keeps its first-seen date, resolved when it no longer holds."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "person_id", "structure_id", "subject_key"),
                      check_in("kind", ALERT_KINDS))
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"), index=True)
    # What the alert is about within the person's file (accompaniment, referral id…), "" if none.
    subject_key: Mapped[str] = mapped_column(String(64), default="")
    due_on: Mapped[date]
    first_seen_on: Mapped[date]
    last_seen_on: Mapped[date]
    resolved_on: Mapped[date | None] = mapped_column(index=True)

    person = relationship("Person")
    structure = relationship("Structure")


class OutboxMessage(db.Model):
    """An e-mail to send (or kept when no SMTP server is configured)."""

    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class JobLock(db.Model):
    """A named lock row so that one job never runs twice at once, whatever the process."""

    __tablename__ = "job_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(128))
    locked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


__all__ = ["Alert", "OutboxMessage", "JobLock", "utcnow"]
