"""The right-of-access export includes the documents (issue 18 item 6): one zip with the person's data and
the documents' plain bytes under safe names, only the clean ones; audited; 404 without the file's right."""
import hashlib
import io
import json
import zipfile
from datetime import date

from sqlalchemy import select

from agir.documents import store
from agir.extensions import db
from models import AuditEntry
from tests import factories
from tests.referrals_factories import client_for

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def with_bytes(person, structure, kind, plain, content_type, status="clean", filename="../../etc/passwd.pdf"):
    document = factories.make_document(person, structure, kind, date(2023, 2, 1), filename=filename,
                                       sha256=hashlib.sha256(plain).hexdigest())
    document.storage_key = store.put(plain)
    document.content_type = content_type
    document.scan_status = status
    db.session.flush()
    return document


def test_the_zip_holds_the_data_and_the_clean_documents_plain_bytes(app, world):
    person = factories.make_person(world.department, world.agir, ref="REF/../x")
    factories.make_accompaniment(person, world.agir)
    permit = with_bytes(person, world.agir, "residence_permit", PDF, "application/pdf")
    with_bytes(person, world.agir, "caf", PNG, "image/png", status="pending")
    factories.make_document(person, world.agir, "identity", date(2022, 1, 1))           # imported: no bytes
    db.session.commit()

    response = client_for(app, "sw@example.fr").get(f"/privacy/persons/{person.id}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = sorted(archive.namelist())
    assert names == ["documents/02-residence_permit-2023-02-01.pdf", "donnees.json"]
    assert all(".." not in n and not n.startswith("/") for n in names)
    plain = archive.read("documents/02-residence_permit-2023-02-01.pdf")
    assert hashlib.sha256(plain).hexdigest() == permit.sha256 and plain == PDF

    data = json.loads(archive.read("donnees.json"))
    assert data["format"] == "agir-droit-acces/1" and data["person"]["ref"] == "REF/../x"
    assert [d["kind"] for d in data["person"]["documents"]] == ["identity", "residence_permit", "caf"]
    files = {d["kind"]: d for d in data["documents_files"]}
    assert files["residence_permit"]["file"] == "documents/02-residence_permit-2023-02-01.pdf"
    assert files["caf"]["file"] is None and "analyse" in files["caf"]["not_included"]
    assert files["identity"]["file"] is None and "non conservé" in files["identity"]["not_included"]

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.person_id == person.id)
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.detail) for e in entries if e.action in ("export_person", "document_downloaded")] == [
        ("export_person", "droit d'accès (zip)"), ("document_downloaded", f"document:{permit.id} (droit d'accès)")]


def test_the_zip_is_404_without_the_file_and_refused_to_other_roles(app, world):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    assert client_for(app, "sw-other@example.fr").get(f"/privacy/persons/{person.id}.zip").status_code == 404
    assert client_for(app, "ro@example.fr").get(f"/privacy/persons/{person.id}.zip").status_code in (403, 404)
    assert not db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document_downloaded")).all()


def test_the_privacy_page_offers_the_zip(app, world):
    person = factories.make_person(world.department, world.agir)
    factories.make_accompaniment(person, world.agir)
    db.session.commit()
    page = client_for(app, "sw@example.fr").get(f"/privacy/persons/{person.id}").get_data(as_text=True)
    assert f"/privacy/persons/{person.id}.zip" in page
