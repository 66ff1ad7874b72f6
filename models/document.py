"""Documents kept in a person's file (SPEC §4.7): their metadata. The bytes come in a later issue:
the storage columns stay null until then (and for imported documents, whose bytes never travel)."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db, utcnow
from models.enums import DOCUMENT_KINDS, SCAN_STATUSES, check_in


class Document(db.Model):
    """A proof in the file: kind, date, expiry (or none), file name, digest of the bytes when held."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_person_id_kind", "person_id", "kind"),
                      check_in("kind", DOCUMENT_KINDS), check_in("scan_status", SCAN_STATUSES))
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    document_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    # Hex SHA-256 of the stored bytes; null when the bytes are not held.
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Where and what the bytes are (later issue): storage key, content type checked from the bytes, size.
    storage_key: Mapped[str | None] = mapped_column(String(255))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None]
    # Issue 18: the virus scan of the bytes — pending (cannot be opened), clean, infected (bytes deleted);
    # null when no bytes are held (an imported document). scanned_at: when clamd answered.
    scan_status: Mapped[str | None] = mapped_column(String(16))
    scanned_at: Mapped[datetime | None]
    # Issue 18: the document that replaced this one (a renewed permit, a new certificate); a replaced
    # document stays in the file's history but proves nothing any more (agir.rules.documents_checklist).
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"),
                                                       index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version_id}

    person = relationship("Person", back_populates="documents")
    structure = relationship("Structure")
    replaced_by = relationship("Document", remote_side=[id], foreign_keys=[replaced_by_id])

    @property
    def is_current(self) -> bool:
        """Not replaced by another document (the expiry alert and the checklist look only at these)."""
        return self.replaced_by_id is None
