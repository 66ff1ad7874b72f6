"""Appointments (SPEC §4.6). `start_at` is the local wall-clock time in Europe/Paris, stored naive
(what the person and the social worker read on the convocation, `YYYY-MM-DDTHH:MM` in the
interchange): never converted to UTC, so a day's appointments are those whose start_at falls on it."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import (
    APPOINTMENT_KINDS,
    APPOINTMENT_MINUTES,
    APPOINTMENT_MODES,
    APPOINTMENT_STATUSES,
    check_in,
)

HONOURED_FIRST_INTERVIEWS = "kind = 'first_interview' AND status = 'honoured'"


class Appointment(db.Model):
    """A person's appointment at a structure: start, length, kind, mode, référent, interpreter, status."""

    __tablename__ = "appointments"
    __table_args__ = (Index("ix_appointments_person_id_start_at", "person_id", "start_at"),
                      Index("ix_appointments_structure_id_start_at", "structure_id", "start_at"),
                      # Issue 17: the reminders job reads the appointments of two days (start_at range).
                      Index("ix_appointments_start_at", "start_at"),
                      # Each person's first honoured first interview, index only (the entry delays of the
                      # comparison of departments read one entry per oriented person).
                      Index("ix_appointments_honoured_first_interviews", "person_id", "start_at",
                            postgresql_where=text(HONOURED_FIRST_INTERVIEWS),
                            sqlite_where=text(HONOURED_FIRST_INTERVIEWS)),
                      check_in("kind", APPOINTMENT_KINDS), check_in("mode", APPOINTMENT_MODES),
                      check_in("status", APPOINTMENT_STATUSES),
                      CheckConstraint(f"minutes BETWEEN {APPOINTMENT_MINUTES[0]} AND {APPOINTMENT_MINUTES[1]}",
                                      name="minutes"))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"))
    start_at: Mapped[datetime]
    minutes: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    mode: Mapped[str] = mapped_column(String(16))
    referent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # ISO 639-3 code of the interpreter needed, or null.
    interpreter: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="appointments")
    structure = relationship("Structure")
    referent = relationship("User")
