"""Reminders of appointments sent to the person (issue 17, SPEC §4.6): one row per appointment, moment and
channel, whatever happens — the unique index is what guarantees that a reminder is never sent twice, even
by two scheduler processes at once (a moved appointment gets its reminders again, for the new date).
Each row keeps its delivery status, attempts and next try (backoff)."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import check_in

REMINDER_KINDS = ("two_days", "morning")
REMINDER_CHANNELS = ("email", "sms")
# pending: to send (again at next_attempt_at); sending: claimed by a run; sent: accepted by the provider or
# the SMTP server; logged: no provider configured, written to the log and kept; failed: given up.
REMINDER_STATUSES = ("pending", "sending", "sent", "logged", "failed")


class ReminderMessage(db.Model):
    """One reminder (e-mail or SMS) of one appointment: its text, language, delivery status and retries."""

    __tablename__ = "reminder_messages"
    __table_args__ = (Index("uq_reminder_messages_appointment_kind_channel", "appointment_id", "kind", "channel",
                            "start_at", unique=True),
                      Index("ix_reminder_messages_status_next_attempt_at", "status", "next_attempt_at"),
                      check_in("kind", REMINDER_KINDS), check_in("channel", REMINDER_CHANNELS),
                      check_in("status", REMINDER_STATUSES))
    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    # The appointment's start when the reminder was written: a moved appointment is reminded of again (its new
    # date), never twice for one date.
    start_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(8))
    locale: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    provider_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    appointment = relationship("Appointment")
