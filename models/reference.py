"""Reference data: departments and structures (SPEC §2)."""
from datetime import date

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.enums import DEPARTMENT_WAVES, STRUCTURE_KINDS, check_in


class Region(db.Model):
    """An INSEE region (SPEC §2): its code ("75", "04" …) and name; seeded by migration 0011."""

    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    departments: Mapped[list["Department"]] = relationship(back_populates="region")

    def __repr__(self) -> str:
        return f"<Region {self.code}>"


class Department(db.Model):
    """A French département, with its AGIR deployment settings."""

    __tablename__ = "departments"
    __table_args__ = (check_in("agir_wave", DEPARTMENT_WAVES),)
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    agir_start_on: Mapped[date | None]
    agir_wave: Mapped[int | None]
    max_months: Mapped[int] = mapped_column(Integer, default=12)
    # The INSEE region of the code (agir/reference_geo.py); null only for a row written without it.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    structures: Mapped[list["Structure"]] = relationship(back_populates="department")
    region: Mapped[Region | None] = relationship(back_populates="departments")

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


class Structure(db.Model):
    """An organisation of a department: AGIR operator, project operator, programme operator, state service."""

    __tablename__ = "structures"
    __table_args__ = (check_in("kind", STRUCTURE_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))

    department: Mapped[Department] = relationship(back_populates="structures")

    @property
    def holds_accompaniments(self) -> bool:
        """Only AGIR operators and structuring-project operators hold accompaniments."""
        return self.kind in ("agir_operator", "project_operator")

    def __repr__(self) -> str:
        return f"<Structure {self.ref}>"
