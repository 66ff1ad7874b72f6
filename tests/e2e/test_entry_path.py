"""The entry path as a social worker lives it, in a real browser (SPEC §4.5, issue 16): a person oriented by the
OFII is recorded with the new file, appears in « Orientations à planifier » (the late one first, with its
interpreter), the first interview is recorded, then the diagnostic (a medical word refused next to its field,
every value kept) and the action plan; every page passes axe-core. Screenshots: /tmp/shot-orientations.png,
/tmp/shot-diagnostic.png (and test-artifacts/)."""
import shutil
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from agir.dates import add_months
from agir.dates import today as paris_today
from agir.extensions import db
from models import Person
from models.entry import PersonLanguage
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds
from tests.e2e.test_accessibility import AXE, describe, violations

TODAY = paris_today()


@pytest.fixture
def axe_page(browser, live_server):
    """A page that may inject axe-core (the CSP forbids it otherwise)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    wait_bounds(page)
    page.base = live_server
    yield page
    context.close()


def clean(page):
    found = [v for v in violations(page) if v["impact"] in ("serious", "critical")]
    assert not found, f"{page.url}\n{describe(found)}"


def test_from_orientation_to_action_plan(axe_page, world):
    if not AXE.exists():
        pytest.fail(f"{AXE} manquant : lancez `make vendor` (axe-core vient de npm)")
    page = axe_page
    late = factories.make_person(world.department, world.agir, last_name="Ahmadi", first_name="Karim",
                                 oriented_on=TODAY - timedelta(days=35), orientation_source="ofii",
                                 orientation_structure_id=world.agir.id, interpreter="prs")
    db.session.add(PersonLanguage(person_id=late.id, code="prs", level="native"))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)

    # A new file with its orientation (ten days ago, by the OFII).
    page.goto(page.base + "/persons/new")
    page.fill("#last_name", "Tesfay")
    page.fill("#first_name", "Selam")
    page.select_option("#sex", "F")
    page.fill("#birth_on", "1998-06-12")
    page.fill("#nationality", "ERI")
    page.select_option("#status", "refugee")
    page.fill("#protection_on", add_months(TODAY, -4).isoformat())
    page.fill("#oriented_on", (TODAY - timedelta(days=10)).isoformat())
    page.select_option("#orientation_source", "ofii")
    clean(page)
    page.get_by_role("button", name="Créer le dossier").click()
    expect(page.get_by_role("status")).to_contain_text("Le dossier de TESFAY Selam est créé.")
    person = db.session.query(Person).filter_by(last_name="Tesfay").one()

    # Her languages: Tigrinya typed by its name, and the interpreter.
    page.goto(page.base + f"/persons/{person.id}/languages")
    page.fill("#languages-0-code", "Tigrigna")
    page.select_option("#languages-0-level", "native")
    page.fill("#languages-1-code", "ara")
    page.select_option("#languages-1-level", "basic")
    page.fill("#interpreter", "tir")
    clean(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#entree")).to_contain_text("Tigrigna (langue maternelle)")
    expect(page.locator("#entree")).to_contain_text("Interprète : Tigrigna")

    # The orientations to schedule: the late one first, shown as such, each with its interpreter need.
    page.goto(page.base + "/persons/orientations")
    rows = page.locator("#orientations-table tbody tr")
    expect(rows).to_have_count(2)
    days_late = (TODAY - add_months(TODAY - timedelta(days=35), 1)).days
    expect(rows.nth(0)).to_contain_text("AHMADI Karim")
    expect(rows.nth(0)).to_contain_text(f"en retard de {days_late} jour")
    expect(rows.nth(0)).to_contain_text("Interprète : Dari")
    expect(rows.nth(1)).to_contain_text("TESFAY Selam")
    expect(rows.nth(1)).to_contain_text("Interprète : Tigrigna")
    clean(page)
    shutil.copy(shot(page, "entry-orientations"), "/tmp/shot-orientations.png")

    # The first interview, two days ago.
    rows.nth(1).get_by_role("link", name="Premier entretien réalisé").click()
    page.fill("#day", (TODAY + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#day-error")).to_contain_text("postérieure à aujourd")
    clean(page)
    page.fill("#day", (TODAY - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#entree")).to_contain_text("8 jours après l'orientation")
    expect(page.locator("#entree")).to_contain_text("dans le délai d'un mois")
    page.goto(page.base + "/persons/orientations")
    expect(page.locator("#orientations-table tbody tr")).to_have_count(1)

    # Enrolled (the enrolment's own pages are tested elsewhere), the diagnostic: a medical word is refused
    # next to its field, the missing need too, all at once, what was typed is kept.
    factories.make_accompaniment(db.session.get(Person, person.id), world.agir, start=TODAY - timedelta(days=1),
                                 planned_end=add_months(TODAY, 12))
    db.session.commit()
    page.goto(page.base + f"/persons/{person.id}")
    page.locator("#entree").get_by_role("link", name="Établir le diagnostic").click()
    for area in ("rights", "employment", "language", "mobility", "childcare"):
        page.select_option(f"#{area}_need", "low")
    page.fill("#housing_text", "Hébergée par une amie, demande de logement social à déposer")
    page.fill("#language_text", "Suivie pour une dépression")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#housing_need-error")).to_contain_text("Indiquez le besoin")
    expect(page.locator("#language_text-error")).to_contain_text("information médicale")
    expect(page.locator("#housing_text")).to_have_value("Hébergée par une amie, demande de logement social à déposer")
    clean(page)
    page.locator("#housing_need").scroll_into_view_if_needed()
    shutil.copy(shot(page, "entry-diagnostic"), "/tmp/shot-diagnostic.png")
    page.select_option("#housing_need", "high")
    page.fill("#language_text", "Cours de français à reprendre, niveau A1 à l'oral")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Le diagnostic est enregistré.")
    expect(page.locator("#entree")).to_contain_text("Besoin fort")

    # The action plan: an objective due next month.
    page.locator("#entree").get_by_role("link", name="Ajouter un objectif").click()
    page.select_option("#area", "housing")
    page.fill("#objective", "Déposer la demande de logement social")
    page.fill("#due_on", add_months(TODAY, 1).isoformat())
    clean(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#entree")).to_contain_text("Déposer la demande de logement social")
    expect(page.locator("#entree")).to_contain_text("En cours")
    clean(page)
    page.locator("#entree").scroll_into_view_if_needed()
    page.locator("#entree").screenshot(path="/tmp/shot-entry-file.png")
    page.goto(page.base + f"/persons/{person.id}/diagnostic")
    expect(page.locator("#correction_reason")).to_be_visible()
    clean(page)
