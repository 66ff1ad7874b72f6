"""The file shows the checklist of expected proofs (issue 18 item 1); a replaced document stays as history
and proves nothing (item 5); the document_expiry alert looks only at current documents and links to the
file's proofs (item 5)."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from agir import alerts
from agir.errors import RuleViolation
from agir.extensions import db
from agir.operations import document_history
from agir.operations import path as path_ops
from models import AuditEntry, Document
from tests import factories
from tests.referrals_factories import client_for, html

TODAY = date.today()


@pytest.fixture
def person(world):
    p = factories.make_person(world.department, world.agir, last_name="Haidari",
                              protection_on=TODAY - timedelta(days=400),
                              permit_expiry_on=TODAY + timedelta(days=3000))
    factories.make_accompaniment(p, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    for kind in ("caf_benefits", "bank_account", "health_insurance"):
        path_ops.set_right(None, p, kind, "obtained", requested=TODAY - timedelta(days=60),
                           obtained=TODAY - timedelta(days=30))
    path_ops.set_right(None, p, "complementary_health", "requested", requested=TODAY - timedelta(days=10))
    path_ops.add_item(None, p, "job", {"kind": "cdd", "date": TODAY - timedelta(days=20), "months": 6})
    db.session.commit()
    return p


def rows(page: str) -> dict:
    """{kind: state} of the checklist table."""
    table = page.split('id="justificatifs-table"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r'<tr data-kind="(\w+)" data-state="(\w+)"', table))


def test_the_file_shows_what_is_expected_present_expiring_expired_and_missing(app, world, person):
    factories.make_document(person, world.agir, "caf", TODAY - timedelta(days=5), expires=TODAY + timedelta(days=20))
    factories.make_document(person, world.agir, "bank_details", TODAY - timedelta(days=5))
    factories.make_document(person, world.agir, "health_insurance", TODAY - timedelta(days=400),
                            expires=TODAY - timedelta(days=1))
    factories.make_document(person, world.agir, "diploma", TODAY - timedelta(days=400))
    db.session.commit()
    page = html(client_for(app, "sw@example.fr").get(f"/persons/{person.id}"))
    assert rows(page) == {"residence_permit": "missing", "caf": "expiring", "health_insurance": "expired",
                          "bank_details": "valid", "employment_contract": "missing"}
    assert "2 manquants" in page and "1 expiré" in page and "1 expire bientôt" in page
    assert 'href="#justificatifs"' in page
    # Why each is expected: the step that asks for it.
    assert "Droit obtenu : Prestations CAF" in page and "Emploi : CDD" in page
    assert "Titre de séjour enregistré au dossier" in page


def test_a_document_waiting_for_its_scan_shows_as_waiting_not_present(app, world, person):
    """A residence permit uploaded while no scanner answered cannot be opened: the checklist said « Présent » (and
    « Complet ») before any scan; it now says « En attente d'analyse » until the scan passes."""
    waiting = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=2),
                                      expires=TODAY + timedelta(days=2000))
    waiting.scan_status = "pending"
    db.session.commit()
    page = html(client_for(app, "sw@example.fr").get(f"/persons/{person.id}"))
    assert rows(page)["residence_permit"] == "pending"
    assert "1 en attente d'analyse" in page and "En attente d'analyse" in page
    waiting.scan_status = "clean"
    db.session.commit()
    assert rows(html(client_for(app, "sw@example.fr").get(f"/persons/{person.id}")))["residence_permit"] == "valid"


def test_the_file_reads_its_documents_in_one_query(app, world, person):
    for n in range(6):
        factories.make_document(person, world.agir, "caf", TODAY - timedelta(days=n), expires=TODAY + timedelta(days=n))
    db.session.commit()
    client = client_for(app, "sw@example.fr")
    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM documents" in statement:
            statements.append(statement)
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/persons/{person.id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements


def test_no_checklist_line_when_nothing_is_expected(app, world):
    p = factories.make_person(world.department, world.agir)
    db.session.commit()
    page = html(client_for(app, "sw@example.fr").get(f"/persons/{p.id}"))
    assert "Aucun justificatif attendu" in page and 'id="justificatifs-table"' not in page


def test_english_checklist(app, world, person):
    client = client_for(app, "sw@example.fr")
    with client.session_transaction() as session:
        session["locale"] = "en"
    page = html(client.get(f"/persons/{person.id}"))
    assert "Expected proofs" in page and "Missing" in page and "Obtained right: CAF benefits" in page


def test_replacing_keeps_the_history_and_the_new_one_proves(app, world, person):
    old = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=900),
                                  expires=TODAY + timedelta(days=30))
    new = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=2), expires=None)
    db.session.commit()
    client = client_for(app, "sw@example.fr")
    page = html(client.get(f"/persons/{person.id}"))
    assert rows(page)["residence_permit"] == "valid"           # the best one proves already
    assert f'/persons/{person.id}/documents/{old.id}/replaced' in page
    url = f"/persons/{person.id}/documents/{old.id}/replaced"
    form = html(client.get(url))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    response = client.post(url, data={"csrf_token": token, "version": version, "by": str(new.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith("#justificatifs")
    db.session.expire_all()
    assert db.session.get(Document, old.id).replaced_by_id == new.id   # kept, marked
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "replace_document")).one()
    assert entry.person_id == person.id and entry.fields == ["documents.replaced_by_id"]
    page = html(client.get(f"/persons/{person.id}"))
    history = page.split('id="justificatifs-historique"', 1)[1].split("</table>", 1)[0]
    assert f'data-document="{old.id}"' in history and "Document du" in history


def test_replacement_refused_with_every_reason_and_nothing_written(app, world, person):
    old = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=900))
    other_kind = factories.make_document(person, world.agir, "caf", TODAY)
    stranger = factories.make_person(world.department, world.agir)
    theirs = factories.make_document(stranger, world.agir, "residence_permit", TODAY)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        document_history.replace_document(None, person, old, other_kind)
    assert "même nature" in str(refused.value)
    with pytest.raises(RuleViolation):
        document_history.replace_document(None, person, old, theirs)
    with pytest.raises(RuleViolation):
        document_history.replace_document(None, person, old, old)
    db.session.rollback()
    assert db.session.get(Document, old.id).replaced_by_id is None
    # Through the page: the French message next to the field, nothing written.
    client = client_for(app, "sw@example.fr")
    url = f"/persons/{person.id}/documents/{old.id}/replaced"
    form = html(client.get(url))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    page = html(client.post(url, data={"csrf_token": token, "version": "1", "by": "0"}))
    assert "Choisissez le nouveau document" in page
    db.session.expire_all()
    assert db.session.get(Document, old.id).replaced_by_id is None


def test_another_structure_or_a_document_of_another_file_is_404(app, world, person):
    doc = factories.make_document(person, world.agir, "caf", TODAY)
    stranger = factories.make_person(world.department, world.other)
    factories.make_accompaniment(stranger, world.other)
    db.session.commit()
    own = client_for(app, "sw@example.fr")
    assert own.get(f"/persons/{stranger.id}/documents/{doc.id}/replaced").status_code == 404
    other = client_for(app, "sw-other@example.fr")
    assert other.get(f"/persons/{person.id}/documents/{doc.id}/replaced").status_code == 404


def found(as_of):
    items = alerts.as_interchange(db.session, alerts.compute_alerts(db.session, as_of))
    return [i for i in items if i["kind"] == "document_expiry"]


def test_the_expiry_alert_looks_only_at_current_documents(world):
    person = factories.make_person(world.department, world.agir)
    old = factories.make_document(person, world.agir, "identity", date(2022, 1, 1), expires=date(2023, 9, 30))
    as_of = date(2023, 8, 1)
    assert len(found(as_of)) == 1
    # Renewed with a card without expiry date: the contract alone would still raise the old one.
    new = factories.make_document(person, world.agir, "identity", date(2023, 7, 20), expires=None)
    assert len(found(as_of)) == 1
    document_history.replace_document(None, person, old, new)
    db.session.flush()
    assert found(as_of) == []
    # A replaced document never hides a current one either.
    later = factories.make_document(person, world.agir, "caf", date(2020, 1, 1), expires=date(2035, 1, 1))
    current = factories.make_document(person, world.agir, "caf", date(2023, 1, 1), expires=date(2023, 9, 1))
    later.replaced_by_id = current.id
    db.session.flush()
    assert [i["date"] for i in found(as_of)] == ["2023-06-03"]


def test_the_expiry_alert_links_to_the_proofs_of_the_file(app, world):
    from blueprints.alerts.presenters import link
    from models import Alert
    alert = Alert(kind="document_expiry", person_id=12, structure_id=world.agir.id, subject_key="document:3",
                  due_on=TODAY, first_seen_on=TODAY, last_seen_on=TODAY)
    with app.test_request_context("/"):
        href, text = link(alert, "social_worker")
    assert href == "/persons/12#justificatifs" and "justificatifs" in text
