"""Issue 18 items 2-3 in a real browser: the social worker sends the upload form empty (every error next to its
field), uploads a PDF named after the wrong type (refused next to the file field, what was typed kept), then a clean
PDF scanned by a real clamd, and finds it downloadable; the same page in English. axe-core finds no serious
violation. Screenshots at 1366 px: test-artifacts/documents-*.png."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agir.extensions import db
from tests import factories
from tests.clamd_server import clamd_session
from tests.documents import samples
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_contract_page import axe_page, serious_violations  # noqa: F401  (the axe-ready page)


@pytest.fixture(scope="module")
def clamd_socket():
    yield from clamd_session()


def test_upload_a_document_in_french_then_read_the_page_in_english(axe_page, world, app, clamd_socket,  # noqa: F811
                                                                    tmp_path):
    page = axe_page
    app.config["CLAMD_SOCKET"] = clamd_socket
    person = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Nasrin")
    db.session.commit()
    wrong, good = Path(tmp_path / "photo.pdf"), Path(tmp_path / "Titre de séjour.pdf")
    wrong.write_bytes(samples.image("PNG"))
    good.write_bytes(samples.pdf())
    try:
        browser_login(page, "sw@example.fr", factories.PASSWORD)
        page.goto(f"{page.base}/persons/{person.id}")
        page.click("#documents a:has-text('Voir et ajouter des documents')")
        expect(page.locator("h1")).to_have_text("Documents")
        page.click("button:has-text('Ajouter le document')")
        expect(page.locator("#kind-error")).to_have_text("Le type de document est obligatoire.")
        expect(page.locator("#file-error")).to_have_text("Choisissez le fichier à ajouter.")
        assert serious_violations(page) == []

        page.select_option("#kind", "residence_permit")
        page.fill("#document_on", "2024-03-01")
        page.set_input_files("#file", str(wrong))
        page.click("button:has-text('Ajouter le document')")
        expect(page.locator("#file-error")).to_contain_text("ne correspond pas à son contenu (PNG)")
        expect(page.locator("#document_on")).to_have_value("2024-03-01")
        shot(page, "documents-fr-refused")
        assert serious_violations(page) == []

        page.set_input_files("#file", str(good))
        page.click("button:has-text('Ajouter le document')")
        expect(page.locator(".fr-alert--success, .fr-alert--info").first).to_contain_text("Document ajouté")
        row = page.locator("#documents-table tbody tr").first
        expect(row).to_contain_text("Titre de séjour")
        expect(row.locator(".fr-badge")).to_have_text("Analysé, sain")
        with page.expect_download() as download:
            row.locator("a").click()
        assert Path(download.value.path()).read_bytes() == samples.pdf()
        shot(page, "documents-fr")
        assert serious_violations(page) == []

        with page.expect_navigation():  # the language switch is a form: wait for the page it loads
            page.click("footer button:has-text('English')")
        page.wait_for_load_state()
        expect(page.locator("h2#upload-title")).to_have_text("Add a document")
        expect(page.locator("#documents-table tbody tr").first.locator(".fr-badge")).to_have_text("Scanned, clean")
        shot(page, "documents-en")
        assert serious_violations(page) == []
    finally:
        app.config["CLAMD_SOCKET"] = None
