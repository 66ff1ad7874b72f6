"""The audit log is append-only for the application, and entries written during a request carry its address."""
import pytest
from sqlalchemy import select

from agir import audit
from agir.extensions import db
from agir.web.security import AuditAppendOnly
from models import AuditEntry
from tests import factories


def test_a_stored_audit_entry_cannot_be_changed(world):
    entry = audit.record(world.users.social_worker, "read", ip="10.0.0.1")
    db.session.commit()
    entry.action = "nothing_happened"
    with pytest.raises(AuditAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "read"


def test_a_stored_audit_entry_cannot_be_deleted(world):
    entry = audit.record(world.users.social_worker, "read", ip="10.0.0.1")
    db.session.commit()
    db.session.delete(entry)
    with pytest.raises(AuditAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id) is not None


def test_entries_written_by_operations_during_a_request_get_the_callers_address(client, world):
    factories.login(client, "ro@example.fr")
    token = factories.csrf_token(client, "/account")
    client.post("/account/preferences", data={"csrf_token": token, "wants_digest": "y"},
                environ_base={"REMOTE_ADDR": "203.0.113.7"})
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "preferences_changed")).one()
    assert entry.ip == "203.0.113.7" and entry.fields == ["wants_digest"]
