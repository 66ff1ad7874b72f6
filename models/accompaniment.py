"""Accompaniments (AGIR or structuring project), extensions, exits and 6-month follow-ups."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import latest
from models.base import db, utcnow
from models.enums import ACCOMPANIMENT_KINDS, EXIT_REASONS, JOB_KINDS, TRAINING_LEVELS, check_in

# An accompaniment is open while it has no exit; a person has one open at most (SPEC §4.2), which the
# database itself guarantees with this partial unique index (migration 0005).
OPEN_ACCOMPANIMENT = "exit_on IS NULL"


class Accompaniment(db.Model):
    """A person's accompaniment, held by an AGIR operator or a structuring-project operator."""

    __tablename__ = "accompaniments"
    # A person's latest accompaniment read from the end of the index (persons list; docs/performance.md).
    __table_args__ = (Index("ix_accompaniments_person_id_start_on", "person_id", "start_on", "id"),
                      Index("uq_accompaniments_open_person_id", "person_id", unique=True,
                            sqlite_where=text(OPEN_ACCOMPANIMENT), postgresql_where=text(OPEN_ACCOMPANIMENT)),
                      # A structure's accompaniments' persons as an index-only scan (persons list; migration 0024).
                      Index("ix_accompaniments_structure_id_person_id", "structure_id", "person_id"),
                      check_in("kind", ACCOMPANIMENT_KINDS))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    # "agir" or "project", from the kind of the holding structure at enrolment.
    kind: Mapped[str] = mapped_column(String(8))
    start_on: Mapped[date] = mapped_column(index=True)
    planned_end_on: Mapped[date]
    # Planned end after the latest extension (denormalised for the alert and compliance queries).
    current_end_on: Mapped[date] = mapped_column(index=True)
    # End date of the accompaniment: the exit date, null while open (denormalised from Exit).
    exit_on: Mapped[date | None] = mapped_column(index=True)
    # Eligibility verdict at enrolment (SPEC §4.1), kept with the enrolment.
    is_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    is_priority: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility_reasons: Mapped[list] = mapped_column(JSON, default=list)
    # The entry path (SPEC §4.5): the diagnostic's date (its six areas: models/entry.py) and the engagement
    # contract's signature date and language (ISO 639-3).
    diagnostic_on: Mapped[date | None]
    contract_signed_on: Mapped[date | None] = mapped_column(index=True)
    contract_language: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="accompaniments")
    structure = relationship("Structure")
    extensions: Mapped[list["Extension"]] = relationship(
        back_populates="accompaniment", cascade="all, delete-orphan", order_by="Extension.decided_on"
    )
    exit: Mapped["Exit | None"] = relationship(
        back_populates="accompaniment", cascade="all, delete-orphan", uselist=False
    )
    diagnostic_areas = relationship("DiagnosticArea", back_populates="accompaniment", cascade="all, delete-orphan",
                                    order_by="DiagnosticArea.id")
    plan = relationship("PlanObjective", back_populates="accompaniment", cascade="all, delete-orphan",
                        order_by="PlanObjective.id")

    @property
    def is_open(self) -> bool:
        """True while no exit is recorded."""
        return self.exit_on is None


# Every write of accompaniments keeps its person's latest accompaniment (persons.latest_*; models.latest).
latest.attach(Accompaniment.__table__)


class Extension(db.Model):
    """A decision moving the planned end of an accompaniment, with its reason."""

    __tablename__ = "extensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    accompaniment_id: Mapped[int] = mapped_column(
        ForeignKey("accompaniments.id", ondelete="CASCADE"), index=True
    )
    decided_on: Mapped[date]
    planned_end_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)

    accompaniment: Mapped[Accompaniment] = relationship(back_populates="extensions")


class Exit(db.Model):
    """The end of an accompaniment: date, reason and the situation at exit."""

    __tablename__ = "exits"
    __table_args__ = (check_in("reason", EXIT_REASONS), check_in("job_kind", JOB_KINDS),
                      check_in("training_level", TRAINING_LEVELS))
    id: Mapped[int] = mapped_column(primary_key=True)
    accompaniment_id: Mapped[int] = mapped_column(
        ForeignKey("accompaniments.id", ondelete="CASCADE"), unique=True
    )
    exit_on: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(String(32))
    job_kind: Mapped[str | None] = mapped_column(String(32))
    job_months: Mapped[int | None]
    training_level: Mapped[str | None] = mapped_column(String(32))

    accompaniment: Mapped[Accompaniment] = relationship(back_populates="exit")
    followup: Mapped["FollowUp | None"] = relationship(
        back_populates="exit", cascade="all, delete-orphan", uselist=False
    )

    @property
    def is_positive(self) -> bool:
        """A positive exit: a job of any kind or a training."""
        return bool(self.job_kind or self.training_level)


class FollowUp(db.Model):
    """The 6-month follow-up after an exit."""

    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(ForeignKey("exits.id", ondelete="CASCADE"), unique=True)
    followup_on: Mapped[date]
    is_positive: Mapped[bool] = mapped_column(Boolean)

    exit: Mapped[Exit] = relationship(back_populates="followup")
