"""Issue 16 item 4 in a real browser: the social worker opens the engagement contract from the file, sends the
signature form empty (every error next to its field), records the signature, and downloads the PDF in the
person's language (Tigrinya beside French); axe-core finds no serious violation on the contract page.
Screenshots: test-artifacts/contract-*.png."""
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agir.extensions import db
from models import Accompaniment
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds

AXE = Path(__file__).resolve().parents[2] / "agir" / "static" / "vendor" / "axe" / "axe.min.js"


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose CSP lets axe-core be injected (the application's own pages never need it)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True,
                                  accept_downloads=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    yield page
    context.close()


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} manquant : lancez `make vendor` (axe-core vient de npm)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("o => axe.run(document, o)", {"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_from_the_file_to_the_signed_contract_and_its_pdf(axe_page, world):
    page = axe_page
    start = date.today() - timedelta(days=15)
    person = factories.make_person(world.department, world.agir, last_name="Tesfay", first_name="Selam",
                                   protection_on=start - timedelta(days=30))
    factories.add_language(person, "tir", "native")
    acc = factories.make_accompaniment(person, world.agir, start=start, planned_end=start + timedelta(days=365))
    factories.add_objective(acc, "language", "Suivre les cours de français du CIR", due=start + timedelta(days=120))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(f"{page.base}/persons/{person.id}")
    page.locator("[data-contract-link]").click()
    expect(page.locator("h1")).to_have_text("Contrat d’engagement")
    assert serious_violations(page) == []
    expect(page.locator("#contract-language")).to_have_value("tir")  # the person's language proposed

    page.fill("#contract-signed_on", "")
    page.select_option("#contract-language", "")
    page.get_by_role("button", name="Enregistrer la signature").click()
    page.wait_for_load_state()
    expect(page.get_by_text("La date de signature est obligatoire.").first).to_be_visible()
    expect(page.get_by_text("Indiquez la langue du contrat signé.").first).to_be_visible()
    assert serious_violations(page) == []
    shot(page, "contract-errors")

    page.fill("#contract-signed_on", date.today().isoformat())
    page.select_option("#contract-language", "tir")
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_text("La signature du contrat est enregistrée.").first).to_be_visible()
    expect(page.locator("[data-contract-signed]")).to_contain_text("Tigrigna")
    shot(page, "contract-signed")
    db.session.expire_all()
    signed = db.session.get(Accompaniment, acc.id)
    assert (signed.contract_signed_on, signed.contract_language) == (date.today(), "tir")

    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le contrat (PDF)").click()
    download = info.value
    assert download.suggested_filename == "contrat-engagement-Tesfay-Selam-fra-tir.pdf"
    assert shutil.which("pdftotext"), "pdftotext missing: apt-get install poppler-utils"
    text = subprocess.run(["pdftotext", download.path(), "-"], capture_output=True, check=True).stdout.decode()
    assert "Contrat d'engagement" in text and "ውዕል ክልተኣዊ ተወፋይነት" in text
    assert f"Contrat signé le : {date.today():%d/%m/%Y}" in text
    assert len(re.findall("[\u1200-\u137f]", text)) > 300
