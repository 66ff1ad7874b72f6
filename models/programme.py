"""Programmes (funded actions of the Annex) and their sessions."""
from datetime import date

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Session(db.Model):
    """One dated session of a programme, with its hours (counted once, whatever the attendance)."""

    __tablename__ = "programme_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    hours: Mapped[float] = mapped_column(Float)

    programme: Mapped[Programme] = relationship(back_populates="sessions")
