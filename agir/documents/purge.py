"""A document's bytes go when its row goes (issue 18 item 6): retention, anonymisation, a file deleted.

The bytes live outside the database (agir.documents.store), so they cannot be deleted in the same
transaction as the row. They are deleted right AFTER the commit that removed their rows, never before:
a rolled-back unit of work (a dry run, a refused operation) keeps both. Two ways in:

- `forget_after_commit(keys)`: the set-based deletes (agir.privacy anonymises thousands of files with one
  DELETE) hand over the storage keys they are about to delete;
- an ORM `after_delete` on Document: a document deleted as an object (a file deleted with its path, the
  relationships' cascade) hands over its own key.

After the commit, the keys that some document row still names (the same bytes kept by a merge, a row
restored meanwhile) are kept; the others are deleted from the store (local directory or S3). A store that
fails then is logged: the encrypted bytes stay, orphaned, and `orphan_keys` finds them again; the nightly
retention job deletes them (`sweep_orphans`) once they are a day old — never younger: an upload writes its
bytes before its row commits.
"""
import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from models import Document

log = logging.getLogger("agir.documents")
PENDING = "agir_document_bytes_to_delete"


def forget_after_commit(session, keys: Iterable[str | None]) -> None:
    """Delete these storage keys' bytes once the session's transaction commits (nothing on a rollback)."""
    wanted = {key for key in keys if key}
    if wanted:
        real = session() if callable(session) and not isinstance(session, Session) else session
        real.info.setdefault(PENDING, set()).update(wanted)


def keys_of_persons(session, person_ids: Iterable[int]) -> list[str]:
    """The storage keys of the documents of these persons (before a set-based delete)."""
    ids = list(person_ids)
    if not ids:
        return []
    return list(session.scalars(select(Document.storage_key).where(Document.person_id.in_(ids),
                                                                   Document.storage_key.is_not(None))))


@event.listens_for(Document, "after_delete")
def _document_deleted(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None and target.storage_key:
        session.info.setdefault(PENDING, set()).add(target.storage_key)


@event.listens_for(Session, "after_commit")
def _delete_bytes(session) -> None:
    keys = session.info.pop(PENDING, None)
    if not keys:
        return
    from agir.documents import store
    bind = session.get_bind()
    with bind.connect() as conn:  # the session's own transaction is over: a connection of its own
        still = set(conn.scalars(select(Document.storage_key).where(Document.storage_key.in_(sorted(keys)))))
    for key in sorted(keys - still):
        try:
            store.delete(key)
        except Exception:  # noqa: BLE001 - the row is gone already: log, the orphan sweep finds it again
            log.exception("Octets du document %s non supprimés du stockage", key)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None and previous_transaction.nested is False:
        session.info.pop(PENDING, None)


def orphan_keys(session) -> list[str]:
    """Keys held by the store that no document row names (bytes whose deletion failed)."""
    from agir.documents import store
    held = set(store.current_store().backend.keys())
    named = set(session.scalars(select(Document.storage_key).where(Document.storage_key.is_not(None))))
    return sorted(held - named)


ORPHAN_GRACE = timedelta(days=1)


def sweep_orphans(session, older_than: timedelta = ORPHAN_GRACE, now: datetime | None = None,
                  dry_run: bool = False) -> int:
    """Delete the bytes no document row names, written more than `older_than` ago; the count deleted (or, in a
    dry run, that would be).

    The grace leaves alone the bytes of an upload whose row is not committed yet. Each key is checked again
    against the rows just before its deletion (a row restored or merged meanwhile keeps its bytes)."""
    from agir.documents import store
    backend = store.current_store().backend
    cutoff = (now or datetime.now(UTC)) - older_than
    deleted = 0
    for key in orphan_keys(session):
        written = backend.modified(key)
        if written is None or written > cutoff:
            continue
        if session.scalar(select(Document.id).where(Document.storage_key == key).limit(1)) is not None:
            continue
        if not dry_run:
            try:
                store.delete(key)
            except Exception:  # noqa: BLE001 - logged; the next night tries again
                log.exception("Octets orphelins %s non supprimés du stockage", key)
                continue
        deleted += 1
    if deleted and not dry_run:
        log.info("%d fichier(s) de document sans document supprimé(s) du stockage.", deleted)
    return deleted
