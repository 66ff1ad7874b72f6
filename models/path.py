"""The path (parcours) of a person: rights, housing, employment, referrals, participations, events (SPEC §4.3)."""
from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import (
    EVENT_KINDS,
    HOUSING_KINDS,
    HOUSING_STEP_KINDS,
    JOB_KINDS,
    LEVELS,
    OPEN_REFERRAL_STATES,
    REFERRAL_STATES,
    RIGHT_KINDS,
    RIGHT_STATES,
    TRAINING_LEVELS,
    check_in,
    in_list_sql,
)
from models.person import Note  # noqa: F401  (re-exported: notes belong to the path too)


class RightStep(db.Model):
    """Opening of one right (health insurance, CAF, bank account…): one line per kind and person."""

    __tablename__ = "right_steps"
    __table_args__ = (UniqueConstraint("person_id", "kind"), check_in("kind", RIGHT_KINDS),
                      check_in("state", RIGHT_STATES))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="todo")
    requested_on: Mapped[date | None]
    obtained_on: Mapped[date | None] = mapped_column(index=True)
    refused_on: Mapped[date | None]
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="rights")


class HousingStep(db.Model):
    """A housing application (social housing with its number, SIAO, IML, other)."""

    __tablename__ = "housing_steps"
    __table_args__ = (check_in("kind", HOUSING_STEP_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    step_on: Mapped[date]
    number: Mapped[str | None] = mapped_column(String(64))
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="housing_steps")


class HousingAccess(db.Model):
    """Access to a dwelling; social_rental, private_rental and iml_mandate are permanent housing."""

    __tablename__ = "housing_accesses"
    __table_args__ = (check_in("kind", HOUSING_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    access_on: Mapped[date] = mapped_column(index=True)
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="housing")

    @property
    def is_permanent(self) -> bool:
        """Logement pérenne."""
        return self.kind in ("social_rental", "private_rental", "iml_mandate")


class Job(db.Model):
    """A job taken during or after the accompaniment; months is null for a CDI."""

    __tablename__ = "jobs"
    __table_args__ = (check_in("kind", JOB_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    start_on: Mapped[date]
    months: Mapped[int | None]
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="jobs")


class Training(db.Model):
    """A vocational training started by the person."""

    __tablename__ = "trainings"
    __table_args__ = (check_in("level", TRAINING_LEVELS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(32))
    start_on: Mapped[date]
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="trainings")


class Referral(db.Model):
    """Orientation of a person toward a programme; each step of its life is dated."""

    __tablename__ = "referrals"
    # One referral under way (sent, accepted, started) at most per person and programme, guaranteed by
    # the database itself (migration 0005); a refused, completed, dropped-out or cancelled one may be sent again.
    __table_args__ = (Index("uq_referrals_open_person_id_programme_id", "person_id", "programme_id", unique=True,
                            sqlite_where=text(in_list_sql("state", OPEN_REFERRAL_STATES)),
                            postgresql_where=text(in_list_sql("state", OPEN_REFERRAL_STATES))),
                      check_in("state", REFERRAL_STATES))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    # The structure that sent the referral (null when imported without one).
    sender_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="sent", index=True)
    need: Mapped[str | None] = mapped_column(String(300))
    sent_on: Mapped[date] = mapped_column(index=True)
    accepted_on: Mapped[date | None]
    refused_on: Mapped[date | None]
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date | None]
    completed_on: Mapped[date | None]
    dropped_out_on: Mapped[date | None]
    cancelled_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="referrals")
    programme = relationship("Programme")
    sender_structure = relationship("Structure")


class Participation(db.Model):
    """Participation in a programme: hours planned and attended, CECRL levels for language."""

    __tablename__ = "participations"
    __table_args__ = (check_in("level_start", LEVELS), check_in("level_end", LEVELS))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    start_on: Mapped[date] = mapped_column(index=True)
    end_on: Mapped[date | None] = mapped_column(index=True)
    planned_hours: Mapped[float | None] = mapped_column(Float)
    attended_hours: Mapped[float | None] = mapped_column(Float)
    level_start: Mapped[str | None] = mapped_column(String(8))
    level_end: Mapped[str | None] = mapped_column(String(8))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="participations")
    programme = relationship("Programme")

    @property
    def is_assiduous(self) -> bool:
        """Attended at least 80 % of the planned hours."""
        if not self.planned_hours or self.attended_hours is None:
            return False
        return self.attended_hours >= 0.8 * self.planned_hours


class Event(db.Model):
    """A dated event: consultation, mentoring pair, digital tool, sport or cultural event attended."""

    __tablename__ = "events"
    __table_args__ = (check_in("kind", EVENT_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    event_on: Mapped[date] = mapped_column(index=True)
    # Identifier of the sport or cultural event attended (counted once however many attend).
    event_ref: Mapped[str | None] = mapped_column(String(64))
    # The programme that recorded it, when recorded from the programme side.
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="events")
    programme = relationship("Programme")


__all__ = [
    "RightStep", "HousingStep", "HousingAccess", "Job", "Training", "Referral", "Participation",
    "Event", "Note",
]
