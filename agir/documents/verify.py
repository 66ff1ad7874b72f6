"""Are the documents' bytes all there, and are they the bytes that were deposited? (issue 18 item 6)

After a restore (docs/operations.md § 6), every document row that names bytes must find them in the
restored directory or bucket, decrypt them with the key kept apart from the backups, and give back the
sha256 of the plain bytes recorded at upload. Rows are read in chunks (bounded memory), one object at a time.
"""
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from models import Document

CHUNK = 500


@dataclass
class Verification:
    """What `verify` found: documents whose bytes are sound, missing, or do not decrypt / not the same."""

    checked: int = 0
    missing: list[int] = field(default_factory=list)
    altered: list[int] = field(default_factory=list)
    orphans: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered)


def verify(session) -> Verification:
    """Read back every document's bytes from the store and compare their sha256 with the row's."""
    from agir.documents import store
    from agir.documents.purge import orphan_keys
    result = Verification()
    rows = session.execute(select(Document.id, Document.storage_key, Document.sha256)
                           .where(Document.storage_key.is_not(None)).order_by(Document.id)
                           .execution_options(yield_per=CHUNK))
    for document_id, key, digest in rows:
        result.checked += 1
        if not store.exists(key):
            result.missing.append(document_id)
            continue
        try:
            plain = store.get(key)
        except store.StoreError:
            result.altered.append(document_id)
            continue
        if digest and hashlib.sha256(plain).hexdigest() != digest:
            result.altered.append(document_id)
    result.orphans = len(orphan_keys(session))
    return result
