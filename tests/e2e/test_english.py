"""The English UI in a real browser: the footer button switches the language, pages follow (screenshots kept)."""
from datetime import date, timedelta

from agir.dates import add_months
from agir.extensions import db
from tests import factories
from tests.e2e.conftest import browser_login, shot, wait_bounds
from tests.test_i18n import compiled_catalogue  # noqa: F401  (autouse: the .mo exists before the pages load)


def test_a_social_worker_switches_to_english_and_reads_a_file(page, world):
    person = factories.make_person(world.department, world.agir, first_name="Amina", last_name="HASSAN",
                                   protection_on=date.today() - timedelta(days=200))
    start = date.today() - timedelta(days=60)
    factories.make_accompaniment(person, world.agir, start=start, planned_end=add_months(start, 12))
    db.session.commit()
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    assert page.locator("h1").inner_text() == "Mes personnes"
    with page.expect_navigation():  # the language switch is a form: wait for the page it loads
        page.click("footer button:has-text('English')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My persons"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("footer button[lang=fr]").inner_text() == "Français"
    shot(page, "en-persons")
    page.click("a:has-text('HASSAN')")
    page.wait_for_load_state()
    assert page.locator("#identite-title").inner_text() == "Identity and household"
    assert page.locator("#droits-title").inner_text() == "Access to rights"
    shot(page, "en-person-file")
    page.click("footer button:has-text('Français')")
    page.wait_for_load_state()
    assert page.locator("#identite-title").inner_text() == "Identité et ménage"


def test_an_english_browser_gets_the_english_login_page(browser, live_server, world):
    context = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    wait_bounds(pg)
    try:
        pg.goto(live_server + "/login")
        assert pg.locator("h1").inner_text() == "Log in to AGIR"
        assert pg.locator("html").get_attribute("lang") == "en"
        shot(pg, "en-login")
        pg.fill("input[name=email]", "sw@example.fr")
        pg.fill("input[name=password]", "not the password")
        pg.click("button[type=submit]:has-text('Log in')")
        pg.wait_for_load_state()
        assert pg.locator(".fr-error-text").inner_text() == "Incorrect email address or password."
    finally:
        context.close()


def test_the_live_eligibility_verdict_speaks_english(page, world):
    from playwright.sync_api import expect
    browser_login(page, "sw@example.fr", factories.PASSWORD)
    with page.expect_navigation():  # the language switch is a form: wait for the page it loads
        page.click("footer button:has-text('English')")
    page.wait_for_load_state()
    page.goto(page.base + "/persons/new")
    page.select_option("#status", "refugee")
    page.fill("#protection_on", (date.today() - timedelta(days=100)).isoformat())
    page.locator("#protection_on").dispatch_event("change")
    verdict = page.locator("#eligibility-verdict")
    expect(verdict).to_contain_text("Eligible for AGIR support")
    expect(verdict).to_contain_text("Priority group")
    expect(verdict).not_to_contain_text("Verdict au")
    shot(page, "en-live-verdict")
