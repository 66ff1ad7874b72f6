"""Programmes (funded actions of the Annex) and their sessions."""
from datetime import date, time

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from models.base import db
from models.enums import THEMES, check_in


class Programme(db.Model):
    """A funded action operated by a structure of a department, on one theme."""

    __tablename__ = "programmes"
    __table_args__ = (check_in("theme", THEMES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(32), index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    start_on: Mapped[date]
    end_on: Mapped[date | None]
    target_beneficiaries: Mapped[int | None] = mapped_column(Integer)
    total_cost: Mapped[float | None] = mapped_column(Float)
    p104_subsidy: Mapped[float | None] = mapped_column(Float)
    carif_oref_ref: Mapped[str | None] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    structure = relationship("Structure")
    department = relationship("Department")
    sessions: Mapped[list["Session"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan", order_by="Session.held_on"
    )

    @property
    def needs_carif_oref(self) -> bool:
        """Language programmes must carry a CARIF-OREF reference (§3.5)."""
        return self.theme in ("language", "professional_french") and not self.carif_oref_ref


class SessionSeries(db.Model):
    """A recurring series of sessions (issue 17): weekdays between two dates, minus holidays and exceptions.

    The sessions it created are ordinary dated sessions pointing back to it (the interchange still carries them
    one per date); cancelling or changing « the rest of the series » acts on the sessions from a date on."""

    __tablename__ = "session_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    first_on: Mapped[date]
    last_on: Mapped[date]
    weekdays: Mapped[str] = mapped_column(String(16))  # "0,3": Monday and Thursday (Monday = 0)
    starts_at: Mapped[time | None]
    hours: Mapped[float] = mapped_column(Float)
    skip_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    exceptions: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[Programme] = relationship()
    sessions: Mapped[list["Session"]] = relationship(back_populates="series", order_by="Session.held_on")


class Session(db.Model):
    """One dated session of a programme, with its hours (counted once, whatever the attendance)."""

    __tablename__ = "programme_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    hours: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[time | None]
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id", ondelete="SET NULL"), index=True)

    programme: Mapped[Programme] = relationship(back_populates="sessions")
    series: Mapped[SessionSeries | None] = relationship(back_populates="sessions")
    attendances: Mapped[list["Attendance"]] = relationship(back_populates="session", cascade="all, delete-orphan")


class Attendance(db.Model):
    """A participant present at a session, with the hours attended (the session's hours, or fewer if partial).
    Absent: no row. The participation's attended hours are the sum of its rows (docs/rules.md)."""

    __tablename__ = "session_attendances"
    __table_args__ = (UniqueConstraint("session_id", "participation_id", name="uq_session_attendances_pair"),
                      CheckConstraint("hours > 0", name="hours_positive"))
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"), index=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id", ondelete="CASCADE"), index=True)
    hours: Mapped[float] = mapped_column(Float)

    session: Mapped[Session] = relationship(back_populates="attendances")
    # The participation's rows go with it (cancelled, anonymised person…), on SQLite too (no FK enforcement).
    participation = relationship("Participation",
                                 backref=backref("attendances", cascade="all, delete-orphan"))
