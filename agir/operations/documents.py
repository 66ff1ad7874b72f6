"""Documents' files (issue 18, items 2-4): keep the bytes of an upload, record the virus scan's verdict,
scan again what is still pending, hand out the bytes of a clean document. Operations flush and audit; the
caller commits — except scan_pending, a job, which commits one document at a time.

The bytes are written only once the upload has passed every rule (agir.rules.documents), and removed again
when the database refuses the row (bytes_kept). An infected file found at upload is never stored; one found
later (the scanner was down at upload) loses its bytes and keeps its row, marked infected.
"""
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from hashlib import sha256

from sqlalchemy import select

from agir.audit import record
from agir.documents import store
from agir.documents.scan import ScannerUnavailable, Verdict, scan_bytes
from agir.errors import RuleViolation
from agir.extensions import db
from agir.i18n import lazy_gettext as _l
from agir.rules.entry import check_document
from models import Document
from models.base import utcnow

log = logging.getLogger("agir.documents")


class DocumentUnavailable(Exception):
    """The document has no bytes that may be opened (none held, not yet scanned, or infected)."""


def scan_now(data: bytes, config: Mapping) -> Verdict | None:
    """The scanner's verdict on these bytes, or None when no scanner answers (the document then waits)."""
    try:
        return scan_bytes(data, config)
    except ScannerUnavailable:
        return None


@contextmanager
def bytes_kept(data: bytes) -> Iterator[str]:
    """Store the bytes (encrypted) for the block, and delete them again if the block fails (its commit)."""
    key = store.put(data)
    try:
        yield key
    except BaseException:
        store.delete(key)
        raise


def refuse_infected(actor, person, filename: str, verdict: Verdict, ip: str | None = None) -> RuleViolation:
    """An upload the scanner found infected: nothing stored, an audit entry, the message for the form."""
    record(actor, "document_infected", person, ["file"], ip=ip, detail=f"{verdict.signature} ({filename})"[:255])
    return RuleViolation("document_infected", _l("Ce fichier contient un virus (%(name)s) : il est refusé et n'a pas "
                                                 "été enregistré.", name=verdict.signature or "?"), "file")


def add_document(actor, person, *, kind: str, document_on: date, expires_on: date | None, filename: str,
                 data: bytes, content_type: str, storage_key: str, verdict: Verdict | None,
                 ip: str | None = None) -> Document:
    """A document whose bytes are kept under storage_key: clean when the scanner said so, else pending."""
    check_document(document_on, expires_on)
    if verdict is not None and verdict.infected:
        raise ValueError("an infected upload is refused (refuse_infected), never recorded")
    document = Document(person_id=person.id, structure_id=actor.structure_id, kind=kind, document_on=document_on,
                        expires_on=expires_on, filename=filename, sha256=sha256(data).hexdigest(),
                        storage_key=storage_key, content_type=content_type, size_bytes=len(data),
                        scan_status="clean" if verdict is not None else "pending",
                        scanned_at=utcnow() if verdict is not None else None)
    db.session.add(document)
    db.session.flush()
    record(actor, "add_document", person, ["kind", "document_on", "expires_on", "file"], ip=ip,
           detail=f"document {document.id}")
    return document


def record_verdict(document: Document, verdict: Verdict, actor=None) -> str | None:
    """The scanner's verdict on a pending document; returns the storage key to delete (infected) after commit."""
    document.scanned_at = utcnow()
    if not verdict.infected:
        document.scan_status = "clean"
        return None
    key, document.storage_key, document.scan_status = document.storage_key, None, "infected"
    record(actor, "document_infected", document.person_id, ["file"],
           detail=f"{verdict.signature} (document {document.id})"[:255])
    return key


def scan_pending(config: Mapping, limit: int | None = None) -> dict[str, int]:
    """Scan the documents still pending, one commit each; stops at the first time the scanner does not answer."""
    counts = {"clean": 0, "infected": 0, "pending": 0}
    stmt = (select(Document.id).where(Document.scan_status == "pending", Document.storage_key.is_not(None))
            .order_by(Document.id))
    ids = list(db.session.scalars(stmt.limit(limit) if limit else stmt))
    for position, document_id in enumerate(ids):
        document = db.session.get(Document, document_id)
        if document is None or document.scan_status != "pending" or not document.storage_key:
            continue
        try:
            data = store.get(document.storage_key)
        except store.StoreError:  # bytes missing or altered: the document stays pending, an operator must look
            log.error("Document %s en attente : octets illisibles dans le stockage", document_id)
            continue
        verdict = scan_now(data, config)
        if verdict is None:
            counts["pending"] = len(ids) - position
            break
        doomed = record_verdict(document, verdict)
        db.session.commit()
        if doomed:
            store.delete(doomed)
        counts["infected" if verdict.infected else "clean"] += 1
    return counts


def open_document(actor, document: Document, ip: str | None = None) -> bytes:
    """The plain bytes of a clean document, the download audited; DocumentUnavailable otherwise."""
    if document.scan_status != "clean" or not document.storage_key:
        raise DocumentUnavailable(document.scan_status)
    data = store.get(document.storage_key)
    record(actor, "document_downloaded", document.person_id, ["file"], ip=ip, detail=f"document {document.id}")
    return data


def documents_of(person_id: int) -> list[Document]:
    """The person's documents, newest first (one query)."""
    return list(db.session.scalars(select(Document).where(Document.person_id == person_id)
                                   .order_by(Document.document_on.desc(), Document.id.desc())))
