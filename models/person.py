"""Persons and households (SPEC §3)."""
import secrets
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import HOSTINGS, LEVELS, ORIENTATION_SOURCES, SEXES, STATUSES, check_in


def new_pseudonym() -> str:
    """A random, meaningless identifier shown to pilots instead of a name."""
    return secrets.token_hex(5).upper()


class Household(db.Model):
    """Persons living together (ménage); housing indicators count households."""

    __tablename__ = "households"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)

    members: Mapped[list["Person"]] = relationship(back_populates="household")


# The columns of persons the persons list's filters read besides the name and the structure: the latest
# accompaniment kept (below), and the status and protection date of the priority of a person not enrolled.
LIST_FILTERED = ("latest_accompaniment_id", "latest_exit_on", "latest_is_priority", "status", "protection_on")


class Person(db.Model):
    """A refugee or primo-arrivant followed in a department."""

    __tablename__ = "persons"
    # A department's persons as an index-only scan (department figures; docs/performance.md). On
    # PostgreSQL it also carries the columns the dashboard's statements read of them (migration 0003).
    __table_args__ = (Index("ix_persons_department_id_id", "department_id", "id",
                            postgresql_include=["status", "sex", "birth_on", "nationality", "household_id",
                                                "pseudonym"]),
                      # Each person's department by id, index only (21 MB at 1,000,000 persons, where the
                      # covering index above is 116 MB): the comparison of departments (docs/performance.md,
                      # « Milestones kept per person »).
                      Index("ix_persons_id_department_id", "id", "department_id"),
                      check_in("sex", SEXES), check_in("status", STATUSES), check_in("hosting", HOSTINGS),
                      check_in("language_level", LEVELS),
                      check_in("orientation_source", ORIENTATION_SOURCES),
                      # Duplicates (SPEC §4.8): candidate pairs found by blocking keys (agir/duplicates.py).
                      Index("ix_persons_nationality_name_key", "nationality", "name_key"),
                      Index("ix_persons_nationality_last_key", "nationality", "last_key"),
                      Index("ix_persons_nationality_first_key", "nationality", "first_key"),
                      Index("ix_persons_nationality_name_day_key", "nationality", "name_day_key"),
                      # The persons list: a structure's files in name order, the first page an index range
                      # scan (agir.access.held_persons; migration 0024, docs/performance.md).
                      Index("ix_persons_structure_name", "structure_id", text("lower(last_name)"),
                            text("lower(first_name)"), "id", sqlite_where=text("anonymised_at IS NULL"),
                            postgresql_where=text("anonymised_at IS NULL")),
                      # The same, sorted by the latest accompaniment's planned end or start (models.latest; migration
                      # 0026): a page sorted by them is an index range scan too, in either direction. On PostgreSQL
                      # the first carries what the list's filters read, so that a filtered count is an index-only
                      # scan of the structure's entries instead of reading each file's row.
                      Index("ix_persons_structure_latest_end", "structure_id", "latest_end_on",
                            text("lower(last_name)"), text("lower(first_name)"), "id",
                            sqlite_where=text("anonymised_at IS NULL"), postgresql_where=text("anonymised_at IS NULL"),
                            postgresql_include=list(LIST_FILTERED)),
                      Index("ix_persons_structure_latest_start", "structure_id", "latest_start_on",
                            text("lower(last_name)"), text("lower(first_name)"), "id",
                            sqlite_where=text("anonymised_at IS NULL"), postgresql_where=text("anonymised_at IS NULL")))
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True, default=new_pseudonym)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    # The structure that opened the file (persons not yet enrolled are visible to it).
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"), index=True)
    last_name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    sex: Mapped[str] = mapped_column(String(1))
    birth_on: Mapped[date]
    nationality: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))
    protection_on: Mapped[date | None]
    first_permit_on: Mapped[date | None]
    arrival_on: Mapped[date | None]
    cir_on: Mapped[date | None]
    permit_expiry_on: Mapped[date | None]
    hosting: Mapped[str | None] = mapped_column(String(32))
    language_level: Mapped[str | None] = mapped_column(String(8))
    prior_programme: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    # Contract v2 (SPEC §3): the interpreter language needed (ISO 639-3) and the orientation that brought
    # the person to a structure: its date, source (ofii, siao, operator, self, other) and that structure.
    interpreter: Mapped[str | None] = mapped_column(String(3))
    oriented_on: Mapped[date | None] = mapped_column(index=True)
    orientation_source: Mapped[str | None] = mapped_column(String(16))
    orientation_structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id"), index=True)
    # Issue 17: the person asked not to receive appointment reminders (e-mail and SMS).
    reminders_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Normalised columns kept from the names and the phone by agir/duplicates.py (agir/rules/duplicates.py):
    # blocking keys of the duplicate search, the text the persons list searches, the phone's digits.
    name_key: Mapped[str | None] = mapped_column(String(130))
    name_day_key: Mapped[str | None] = mapped_column(String(130))
    last_key: Mapped[str | None] = mapped_column(String(130))
    first_key: Mapped[str | None] = mapped_column(String(130))
    search_text: Mapped[str | None] = mapped_column(String(600))
    phone_key: Mapped[str | None] = mapped_column(String(40), index=True)
    # The person's latest accompaniment (greatest start, then id) and what the persons list reads of it: kept by
    # the database's triggers on accompaniments (models.latest), never written by the application; NULL without
    # one. Read in SQL only: a Person already loaded is not refreshed when an accompaniment changes.
    latest_accompaniment_id: Mapped[int | None]
    latest_start_on: Mapped[date | None]
    latest_end_on: Mapped[date | None]  # the accompaniment's current_end_on
    latest_exit_on: Mapped[date | None]
    latest_is_priority: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    anonymised_at: Mapped[datetime | None]
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    department = relationship("Department")
    structure = relationship("Structure", foreign_keys=[structure_id])
    orientation_structure = relationship("Structure", foreign_keys=[orientation_structure_id])
    household: Mapped[Household | None] = relationship(back_populates="members")
    accompaniments = relationship(
        "Accompaniment", back_populates="person", order_by="Accompaniment.start_on",
        cascade="all, delete-orphan",
    )
    rights = relationship("RightStep", back_populates="person", cascade="all, delete-orphan",
                          order_by="RightStep.id")
    housing_steps = relationship("HousingStep", back_populates="person", cascade="all, delete-orphan",
                                 order_by="HousingStep.step_on")
    housing = relationship("HousingAccess", back_populates="person", cascade="all, delete-orphan",
                           order_by="HousingAccess.access_on")
    jobs = relationship("Job", back_populates="person", cascade="all, delete-orphan", order_by="Job.start_on")
    trainings = relationship("Training", back_populates="person", cascade="all, delete-orphan",
                             order_by="Training.start_on")
    referrals = relationship("Referral", back_populates="person", cascade="all, delete-orphan",
                             order_by="Referral.sent_on")
    participations = relationship("Participation", back_populates="person", cascade="all, delete-orphan",
                                  order_by="Participation.start_on")
    events = relationship("Event", back_populates="person", cascade="all, delete-orphan",
                          order_by="Event.event_on")
    notes = relationship("Note", back_populates="person", cascade="all, delete-orphan",
                         order_by="Note.noted_on")
    languages = relationship("PersonLanguage", back_populates="person", cascade="all, delete-orphan",
                             order_by="PersonLanguage.id")
    appointments = relationship("Appointment", back_populates="person", cascade="all, delete-orphan",
                                order_by="Appointment.start_at")
    documents = relationship("Document", back_populates="person", cascade="all, delete-orphan",
                             order_by="Document.document_on")

    @property
    def full_name(self) -> str:
        """Name as the French write it on a file: LAST NAME First name."""
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def is_bpi(self) -> bool:
        """Beneficiary of international protection (refugee, subsidiary protection, stateless)."""
        return self.status in ("refugee", "subsidiary_protection", "stateless")

    @property
    def reference_on(self) -> date | None:
        """Protection date for a BPI, first permit date otherwise (start of the 5-year window)."""
        return self.protection_on if self.is_bpi else self.first_permit_on

    @property
    def open_accompaniment(self):
        """The accompaniment with no exit, if any (at most one, SPEC §4.2)."""
        return next((a for a in self.accompaniments if a.exit is None), None)


class Note(db.Model):
    """Dated free text of a social worker; never shown to other roles."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The structure that recorded the line (corrections are its own); null: imported, or recorded before 0006.
    structure_id: Mapped[int | None] = mapped_column(ForeignKey("structures.id", ondelete="SET NULL"))
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="notes")
    author = relationship("User")
