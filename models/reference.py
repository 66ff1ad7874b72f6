"""Reference data: departments and structures (SPEC §2)."""
from datetime import date

from sqlalchemy import ForeignKey, Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.enums import DEPARTMENT_WAVES, STRUCTURE_KINDS, check_in
from models.geo import REGIONS, region_of


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


def _region_id(connection, code: str) -> int | None:
    """The id of the INSEE region of a department code (its row created if the table lacks it), or None."""
    region = region_of(code)
    if region is None:
        return None
    table = Region.__table__
    found = connection.scalar(select(table.c.id).where(table.c.code == region))
    if found is None:  # a schema made without migration 0011's seed (the tests' create_all)
        found = connection.execute(table.insert().values(code=region, name=REGIONS[region])).inserted_primary_key[0]
    return found


@event.listens_for(Department, "before_insert")
def _department_region_on_insert(mapper, connection, department) -> None:
    """A department written through the ORM (admin, demo, generator, tests) gets the region of its code."""
    if department.region_id is None and department.region is None:
        department.region_id = _region_id(connection, department.code)


@event.listens_for(Department, "before_update")
def _department_region_on_update(mapper, connection, department) -> None:
    """A department whose code changes follows it into the code's region."""
    if inspect(department).attrs.code.history.has_changes():
        department.region_id = _region_id(connection, department.code)


class Structure(db.Model):
    """An organisation of a department: AGIR operator, project operator, programme operator, state service."""

    __tablename__ = "structures"
    __table_args__ = (check_in("kind", STRUCTURE_KINDS),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Issue 17: what the appointment reminders tell the person (the place and the number to call).
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))

    department: Mapped[Department] = relationship(back_populates="structures")

    @property
    def holds_accompaniments(self) -> bool:
        """Only AGIR operators and structuring-project operators hold accompaniments."""
        return self.kind in ("agir_operator", "project_operator")

    def __repr__(self) -> str:
        return f"<Structure {self.ref}>"
