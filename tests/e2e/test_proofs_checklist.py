"""The checklist of expected proofs on a file (issue 18 item 1), in French and in English, at 1366 px: what is
expected, present, expiring, expired and missing, readable and clean for axe-core (serious/critical)."""
from datetime import date, timedelta

import pytest

from agir.extensions import db
from agir.operations import path as path_ops
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds
from tests.e2e.test_accessibility import AXE, FAILING, describe, violations

TODAY = date.today()


@pytest.fixture
def proofs_file(world):
    person = factories.make_person(world.department, world.agir, last_name="Rahimi", first_name="Laila",
                                   protection_on=TODAY - timedelta(days=400),
                                   permit_expiry_on=TODAY + timedelta(days=3000))
    factories.make_accompaniment(person, world.agir, start=TODAY - timedelta(days=100),
                                 planned_end=TODAY + timedelta(days=200))
    for kind in ("caf_benefits", "bank_account", "health_insurance"):
        path_ops.set_right(None, person, kind, "obtained", requested=TODAY - timedelta(days=60),
                           obtained=TODAY - timedelta(days=30))
    path_ops.add_item(None, person, "housing", {"kind": "social_rental", "date": TODAY - timedelta(days=15)})
    path_ops.add_item(None, person, "job", {"kind": "cdd", "date": TODAY - timedelta(days=20), "months": 6})
    old = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=1500),
                                  expires=TODAY - timedelta(days=10))
    new = factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=5),
                                  expires=TODAY + timedelta(days=3000))
    old.replaced_by_id = new.id
    factories.make_document(person, world.agir, "residence_permit", TODAY - timedelta(days=800),
                            expires=TODAY + timedelta(days=20))        # older, not yet marked as replaced
    factories.make_document(person, world.agir, "caf", TODAY - timedelta(days=5), expires=TODAY + timedelta(days=40))
    factories.make_document(person, world.agir, "health_insurance", TODAY - timedelta(days=400),
                            expires=TODAY - timedelta(days=2))
    factories.make_document(person, world.agir, "bank_details", TODAY - timedelta(days=30))
    db.session.commit()
    return person


def test_the_checklist_in_french_and_english_is_clean_for_axe(browser, live_server, proofs_file):
    if not AXE.exists():
        pytest.fail(f"{AXE} manquant : lancez `make vendor`")
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    try:
        browser_login(page, "sw@example.fr", factories.PASSWORD)
        for language, title, missing in (("fr", "Justificatifs attendus", "Manquant"),
                                         ("en", "Expected proofs", "Missing")):
            if language == "en":  # the footer's language switch, as a reader does
                with page.expect_navigation():
                    page.click("footer button:has-text('English')")
                page.wait_for_load_state()
            page.goto(f"{page.base}/persons/{proofs_file.id}#justificatifs")
            page.wait_for_load_state("networkidle")
            section = page.locator("#justificatifs")
            text = section.inner_text().lower()  # badges are upper case (DSFR CSS)
            assert title.lower() in text and missing.lower() in text
            assert section.locator("tr[data-state=missing]").count() == 2         # lease, employment contract
            assert section.locator("tr[data-state=expired]").count() == 1         # health insurance
            assert section.locator("tr[data-state=expiring]").count() == 1        # CAF
            assert section.locator("tr[data-state=valid]").count() == 2          # permit (the new one), RIB
            section.scroll_into_view_if_needed()
            section.screenshot(path=str(shot(page, f"proofs-checklist-{language}")).replace(".png", "-section.png"))
            found = violations(page)
            serious = [v for v in found if v["impact"] in FAILING]
            assert not serious, describe(serious)
        # English still: say which document replaces the older permit, from the table of older documents.
        with page.expect_navigation():
            page.click("#justificatifs a:has-text('Say which document replaces it')")
        page.wait_for_load_state("networkidle")
        serious = [v for v in violations(page) if v["impact"] in FAILING]
        assert not serious, describe(serious)
        shot(page, "proofs-replace-en")
        page.select_option("select[name=by]", index=1)
        with page.expect_navigation():
            page.click("button[type=submit]:has-text('Confirm the replacement')")
        page.wait_for_load_state()
        assert page.url.endswith("#justificatifs")
        history = page.locator("#justificatifs-historique")
        assert history.locator("a").count() == 0 and history.locator("tr[data-document]").count() == 2
    finally:
        context.close()
