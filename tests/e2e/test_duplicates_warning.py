"""Creating a file for a person who already has one (SPEC §4.8), in a real browser: the warning lists the probable
duplicates — the file of my structure in full, the other structure's only by its name —, passes axe-core, and
the worker can still create the file after saying it is not the same person. Screenshot: /tmp/shot-duplicates.png
(and test-artifacts/duplicates-warning.png)."""
import shutil
from datetime import date

import pytest
from playwright.sync_api import expect

from agir.dates import add_months
from agir.extensions import db
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds
from tests.e2e.test_accessibility import AXE, describe, violations

TODAY = date.today()


@pytest.fixture
def bypass_page(browser, live_server):
    """A page that may inject axe-core (the CSP forbids it otherwise)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    yield page
    context.close()


def test_the_creation_warns_of_probable_duplicates(bypass_page, world):
    if not AXE.exists():
        pytest.fail(f"{AXE} manquant : lancez `make vendor` (axe-core vient de npm)")
    page = bypass_page
    mine = factories.make_person(world.department, world.agir, last_name="HAIDARI", first_name="Fatima",
                                 birth_on=date(1995, 2, 3), nationality="AFG")
    theirs = factories.make_person(world.department, world.other, last_name="Haidari", first_name="Fatma",
                                   birth_on=date(1995, 1, 1), nationality="AFG")
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + "/persons/new")
    page.fill("#last_name", "Haidari")
    page.fill("#first_name", "Fatemeh")
    page.select_option("#sex", "F")
    page.fill("#birth_on", "1995-03-02")
    page.fill("#nationality", "AFG")
    page.select_option("#status", "refugee")
    page.fill("#protection_on", add_months(TODAY, -3).isoformat())
    page.get_by_role("button", name="Créer le dossier").click()

    warning = page.locator("#doublons")
    expect(warning).to_contain_text("Cette personne a peut-être déjà un dossier")
    expect(warning.get_by_role("link", name="HAIDARI Fatima")).to_have_attribute("href", f"/persons/{mine.id}")
    expect(warning).to_contain_text("Un dossier existe déjà à la structure « Autre opérateur AGIR »")
    expect(warning).not_to_contain_text(theirs.ref)
    expect(warning).not_to_contain_text("Fatma")
    expect(page.locator("#first_name")).to_have_value("Fatemeh")  # what was typed is kept
    warning.scroll_into_view_if_needed()
    path = shot(page, "duplicates-warning")
    shutil.copy(path, "/tmp/shot-duplicates.png")
    found = [v for v in violations(page) if v["impact"] in ("serious", "critical")]
    assert not found, describe(found)

    page.get_by_role("button", name="Ce n’est pas la même personne, créer le dossier").click()
    expect(page.get_by_role("status")).to_contain_text("Le dossier de HAIDARI Fatemeh est créé.")


def test_the_duplicate_list_and_the_merge_page_pass_axe(bypass_page, world):
    page = bypass_page
    keep = factories.make_person(world.department, world.agir, last_name="HAIDARI", first_name="Fatemeh",
                                 birth_on=date(1995, 3, 2))
    gone = factories.make_person(world.department, world.agir, last_name="Haidari", first_name="Fatima",
                                 birth_on=date(1995, 2, 3), phone="06 12 34 56 78")
    factories.make_person(world.department, world.other, last_name="Haidari", first_name="Fatma",
                          birth_on=date(1995, 1, 1))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    page.goto(page.base + f"/persons/{keep.id}")
    page.get_by_role("link", name="Doublons probables").click()
    expect(page.locator("h1")).to_contain_text("Doublons probables de HAIDARI Fatemeh")
    assert not [v for v in violations(page) if v["impact"] in ("serious", "critical")]
    page.get_by_role("link", name="Comparer et fusionner").click()
    expect(page.locator("table")).to_contain_text("06 12 34 56 78")
    shot(page, "duplicates-merge")
    found = [v for v in violations(page) if v["impact"] in ("serious", "critical")]
    assert not found, describe(found)
    page.get_by_role("button", name=f"Fusionner {gone.ref} dans {keep.ref}").click()
    merged = f"Le dossier {gone.ref} est fusionné dans le dossier {keep.ref}."
    expect(page.get_by_role("status")).to_contain_text(merged)
