"""The entry path (SPEC §3, §4.5): the languages a person speaks, the diagnostic's areas and the action
plan's objectives. The orientation is on the person, the diagnostic's date and the contract on the
accompaniment (models/person.py, models/accompaniment.py); rows here so SQL can count and group them."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import AREAS, LANGUAGE_LEVELS, NEEDS, OBJECTIVE_STATES, check_in


class PersonLanguage(db.Model):
    """A language a person speaks (ISO 639-3 code, agir/languages.py) and how well."""

    __tablename__ = "person_languages"
    __table_args__ = (UniqueConstraint("person_id", "code"), check_in("level", LANGUAGE_LEVELS))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(3))
    level: Mapped[str] = mapped_column(String(8))

    person = relationship("Person", back_populates="languages")


class DiagnosticArea(db.Model):
    """One of the six areas of an accompaniment's diagnostic: the need and a short text (never medical)."""

    __tablename__ = "diagnostic_areas"
    __table_args__ = (UniqueConstraint("accompaniment_id", "area"), check_in("area", AREAS),
                      check_in("need", NEEDS))
    id: Mapped[int] = mapped_column(primary_key=True)
    accompaniment_id: Mapped[int] = mapped_column(ForeignKey("accompaniments.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(16))
    need: Mapped[str] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(Text)

    accompaniment = relationship("Accompaniment", back_populates="diagnostic_areas")


class PlanObjective(db.Model):
    """An objective of the action plan: area, text, due date, state open -> done | dropped (closed on)."""

    __tablename__ = "plan_objectives"
    __table_args__ = (Index("ix_plan_objectives_accompaniment_id", "accompaniment_id"),
                      check_in("area", AREAS), check_in("state", OBJECTIVE_STATES))
    id: Mapped[int] = mapped_column(primary_key=True)
    accompaniment_id: Mapped[int] = mapped_column(ForeignKey("accompaniments.id", ondelete="CASCADE"))
    area: Mapped[str] = mapped_column(String(16))
    objective: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    state: Mapped[str] = mapped_column(String(8), default="open")
    closed_on: Mapped[date | None]
    # The fact that carries the objective out, if any (SPEC §4.5); kept null when that fact is deleted.
    right_step_id: Mapped[int | None] = mapped_column(ForeignKey("right_steps.id", ondelete="SET NULL"))
    housing_step_id: Mapped[int | None] = mapped_column(ForeignKey("housing_steps.id", ondelete="SET NULL"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"))
    training_id: Mapped[int | None] = mapped_column(ForeignKey("trainings.id", ondelete="SET NULL"))
    # The structure that recorded the line; null: imported.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    accompaniment = relationship("Accompaniment", back_populates="plan")
