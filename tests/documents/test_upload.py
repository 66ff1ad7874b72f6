"""Issue 18 items 2-3: upload from the person's file and download, through the real pages (CSRF on).

Each bad input is refused with its French message next to the file field, every error at once, and nothing is
stored: no row in `documents`, no file in the store's directory. A clean PDF is accepted and scanned clean by a
real clamd; EICAR is refused as infected; without a scanner the document waits and cannot be opened."""
import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from agir.documents import store
from agir.extensions import db
from agir.rules.documents import MAX_BYTES
from models import AuditEntry, Document
from tests import factories
from tests.documents import samples


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    return p


def _url(person):
    return f"/persons/{person.id}/documents"


def _post(client, person, name, data, **fields):
    token = factories.csrf_token(client, _url(person))
    form = {"csrf_token": token, "kind": "residence_permit", "document_on": "2024-03-01", "expires_on": "2029-02-28",
            **fields}
    if name is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post(_url(person), data=form, content_type="multipart/form-data")


def _stored_files(app) -> list[Path]:
    return [p for p in Path(app.config["DOCUMENTS_DIR"]).rglob("*") if p.is_file()]


def _document_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Document))


def _file_error(html: str) -> str:
    match = re.search(r'id="file-error" class="fr-error-text">([^<]*)<', html)
    return match.group(1) if match else ""


@pytest.mark.parametrize("name,data,words", [
    ("gros.pdf", samples.pdf() + b"%" * (MAX_BYTES + 1 - len(samples.pdf())), "dépasse 10 Mo"),
    ("vide.pdf", b"", "Le fichier est vide."),
    ("image.pdf", samples.image("PNG"), "ne correspond pas à son contenu (PNG)"),
    ("script.pdf", samples.pdf_with_javascript(), "contenu actif"),
    ("page.pdf", samples.HTML, "ni un PDF, ni une image JPEG ou PNG"),
    ("bombe.png", samples.zip_bomb(), "ni un PDF, ni une image JPEG ou PNG"),
    ("grande.png", samples.png_bomb(), "trop grande une fois décompressée"),
    ("../../titre.pdf", samples.pdf(), "ni chemin"),
    ("titre\0.pdf", samples.pdf(), "caractère interdit (caractère nul ou de contrôle)"),
])
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(app, client, login, person, name, data, words):
    login("sw@example.fr")
    response = _post(client, person, name, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert words in _file_error(html).replace("&#39;", "'").replace("&#34;", '"'), _file_error(html)
    assert 'value="2024-03-01"' in html  # what was typed is kept
    assert _document_count() == 0 and _stored_files(app) == []


def test_every_error_at_once(app, client, login, person):
    login("sw@example.fr")
    html = _post(client, person, "a/b.pdf", samples.pdf_with_javascript(), kind="", document_on="2099-01-01",
                 expires_on="2098-01-01").get_data(as_text=True)
    assert "Le type de document est obligatoire." in html
    assert "ne peut pas être postérieure à aujourd" in html
    assert "La date d&#39;expiration ne peut précéder la date du document." in html
    assert "ni chemin" in html and "contenu actif" in html
    assert _document_count() == 0 and _stored_files(app) == []


def test_no_file_chosen(app, client, login, person):
    login("sw@example.fr")
    html = _post(client, person, None, b"").get_data(as_text=True)
    assert "Choisissez le fichier à ajouter." in _file_error(html)
    assert _document_count() == 0


def test_a_clean_pdf_is_scanned_stored_encrypted_and_downloaded_as_an_attachment(app, client, login, person,
                                                                                  scanner):
    login("sw@example.fr")
    plain = samples.pdf()
    response = _post(client, person, "Titre de séjour – recto.pdf", plain)
    assert response.status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert (document.scan_status, document.content_type, document.size_bytes) == ("clean", "application/pdf",
                                                                                   len(plain))
    assert document.scanned_at is not None and document.structure_id == person.structure_id
    import hashlib
    assert document.sha256 == hashlib.sha256(plain).hexdigest()
    [path] = _stored_files(app)
    assert b"/Catalog" not in path.read_bytes()  # encrypted at rest
    page = client.get(_url(person)).get_data(as_text=True)
    assert "Analysé, sain" in page and f"/documents/{document.id}/file" in page
    download = client.get(f"/persons/{person.id}/documents/{document.id}/file")
    assert download.status_code == 200 and download.data == plain
    assert download.headers["Content-Disposition"].startswith("attachment;")
    disposition = download.headers["Content-Disposition"]
    assert "filename*=UTF-8''Titre%20de%20s%C3%A9jour%20%E2%80%93%20recto.pdf" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert download.headers["Content-Type"] == "application/pdf"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.person_id == person.id)).all()
    assert "add_document" in actions and "document_downloaded" in actions


def test_eicar_is_refused_as_infected_nothing_stored_and_audited(app, client, login, person, scanner):
    login("sw@example.fr")
    html = _post(client, person, "attestation.pdf", samples.pdf(body_comment=b"%" + samples.EICAR + b"\n")
                 ).get_data(as_text=True)
    assert "contient un virus" in _file_error(html)
    assert _document_count() == 0 and _stored_files(app) == []
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "document_infected")).one()
    assert entry.person_id == person.id and "AGIR-Test.EICAR" in entry.detail


def test_without_a_scanner_the_document_waits_cannot_be_opened_then_the_scan_command_clears_it(
        app, client, login, person, runner, clamd_socket):
    login("sw@example.fr")
    app.config["CLAMD_SOCKET"] = None
    assert _post(client, person, "rib.png", samples.image("PNG")).status_code == 302
    document = db.session.scalars(select(Document)).one()
    assert document.scan_status == "pending" and store.exists(document.storage_key)
    page = client.get(_url(person)).get_data(as_text=True)
    assert "En attente d&#39;analyse" in page and "Antivirus indisponible" in page
    assert client.get(f"/persons/{person.id}/documents/{document.id}/file").status_code == 404
    assert runner.invoke(args=["agir", "documents", "scan"]).exit_code == 1  # no scanner: said, nothing done
    app.config["CLAMD_SOCKET"] = clamd_socket
    try:
        result = runner.invoke(args=["agir", "documents", "scan"])
    finally:
        app.config["CLAMD_SOCKET"] = None
    assert result.exit_code == 0 and "1 document(s) sain(s)" in result.output
    db.session.expire_all()
    assert db.session.get(Document, document.id).scan_status == "clean"
    assert client.get(f"/persons/{person.id}/documents/{document.id}/file").status_code == 200


def test_a_pending_document_found_infected_later_loses_its_bytes(app, client, login, person, clamd_socket):
    from agir.jobs import run_document_scan
    login("sw@example.fr")
    app.config["CLAMD_SOCKET"] = None
    _post(client, person, "attestation.pdf", samples.pdf(body_comment=b"%" + samples.EICAR + b"\n"))
    document = db.session.scalars(select(Document)).one()
    key = document.storage_key
    assert document.scan_status == "pending" and store.exists(key)
    assert run_document_scan({"CLAMD_SOCKET": clamd_socket}) == {"clean": 0, "infected": 1, "pending": 0}
    db.session.expire_all()
    document = db.session.get(Document, document.id)
    assert (document.scan_status, document.storage_key) == ("infected", None) and not store.exists(key)
    assert _stored_files(app) == []
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "document_infected")) == 1


def test_the_bytes_are_deleted_when_the_row_cannot_be_written(app, client, login, person, monkeypatch):
    from blueprints.persons import routes_documents
    login("sw@example.fr")

    def refuse(*args, **kwargs):
        raise RuntimeError("the database refused the row")
    monkeypatch.setattr(routes_documents, "commit", refuse)
    client.application.testing, propagate = True, app.config.get("PROPAGATE_EXCEPTIONS")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        assert _post(client, person, "a.pdf", samples.pdf()).status_code == 500
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = propagate
    assert _stored_files(app) == [] and _document_count() == 0


@pytest.mark.parametrize("who", ["other_social_worker", "referral_officer", "pilot", "admin"])
def test_only_the_holding_structure_sees_documents(app, client, login, person, world, who, scanner):
    login("sw@example.fr")
    _post(client, person, "a.pdf", samples.pdf())
    document = db.session.scalars(select(Document)).one()
    other = app.test_client()
    factories.login(other, getattr(world.users, who).email)
    for url in (_url(person), f"/persons/{person.id}/documents/{document.id}/file"):
        assert other.get(url).status_code in (403, 404), (who, url)
    if who == "other_social_worker":  # a social worker: the file's rule, a 404 that says nothing
        assert other.get(f"/persons/{person.id}/documents/{document.id}/file").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "document_downloaded")) == 0


def test_another_persons_document_id_is_a_404(app, client, login, person, world, scanner):
    login("sw@example.fr")
    _post(client, person, "a.pdf", samples.pdf())
    document = db.session.scalars(select(Document)).one()
    second = factories.make_person(world.department, world.agir)
    db.session.commit()
    assert client.get(f"/persons/{second.id}/documents/{document.id}/file").status_code == 404


def test_imported_document_without_bytes_cannot_be_downloaded(app, client, login, person, world):
    factories.make_document(person, world.agir, on=date(2022, 8, 20))
    db.session.commit()
    document = db.session.scalars(select(Document)).one()
    login("sw@example.fr")
    assert "Fichier non reçu" in client.get(_url(person)).get_data(as_text=True)
    assert client.get(f"/persons/{person.id}/documents/{document.id}/file").status_code == 404


def test_the_file_page_leads_to_the_documents_and_counts_them(app, client, login, person):
    login("sw@example.fr")
    app.config["CLAMD_SOCKET"] = None
    _post(client, person, "a.pdf", samples.pdf())
    html = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert 'id="documents"' in html and f'href="/persons/{person.id}/documents"' in html
    section = html[html.index('id="documents"'):]
    section = section[:section.index("</section>")]
    assert "1 document au dossier." in section and "1 en attente d'analyse" in section, section


def test_a_pending_document_whose_bytes_vanished_is_left_pending_and_the_others_are_scanned(
        app, client, login, person, clamd_socket):
    from agir.jobs import run_document_scan
    login("sw@example.fr")
    app.config["CLAMD_SOCKET"] = None
    _post(client, person, "a.pdf", samples.pdf())
    _post(client, person, "b.png", samples.image("PNG"))
    first, second = db.session.scalars(select(Document).order_by(Document.id)).all()
    store.current_store().backend.remove(first.storage_key)  # lost outside the application
    assert run_document_scan({"CLAMD_SOCKET": clamd_socket}) == {"clean": 1, "infected": 0, "pending": 0}
    db.session.expire_all()
    assert [d.scan_status for d in db.session.scalars(select(Document).order_by(Document.id))] == ["pending", "clean"]
