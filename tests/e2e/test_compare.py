"""Regional and national pilots' comparison in a real browser at 1366 px, French and English: the table sorts by a
link, the map of France (DSFR Chart) is drawn beside its data table, axe-core finds nothing serious.
Screenshots: test-artifacts/compare-*.png."""
from datetime import date

import pytest
from playwright.sync_api import expect

from agir.extensions import db
from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_accessibility import FAILING, describe, violations
from tests.indicators.helpers import import_generated

TODAY = date(2025, 3, 1)


@pytest.fixture
def pilots(app_ctx, monkeypatch):
    monkeypatch.setattr("blueprints.pilot.compare.paris_today", lambda: TODAY)
    import_generated(400, seed=29, today=TODAY, departments=9)
    factories.make_user("regional_pilot", email="regional@example.fr", region="75")
    factories.make_user("national_pilot", email="national@example.fr")
    db.session.commit()


@pytest.fixture
def axe_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(60000)
    page.base = live_server
    yield page
    context.close()


def check(page, name: str) -> None:
    """The page as it stands: map drawn, no serious axe violation, a screenshot."""
    expect(page.locator("map-chart svg").first).to_be_visible()
    found = [v for v in violations(page) if v["impact"] in FAILING]
    shot(page, name)
    assert not found, describe(found)


@pytest.mark.parametrize("who", ["regional", "national"])
def test_the_comparison_in_french_and_english(axe_page, pilots, who):
    page = axe_page
    browser_login(page, f"{who}@example.fr", factories.PASSWORD)
    page.goto(page.base + "/pilot/compare?year=2024")
    expect(page.locator("h1")).to_contain_text("Pilotage régional" if who == "regional" else "Pilotage national")
    expect(page.locator("#comparaison thead")).to_contain_text("Cible 80 %")
    check(page, f"compare-{who}-fr")
    # Sorting is a link: the exits, largest first.
    page.click("#comparaison thead a:has-text('Sorties')  >> nth=0")
    expect(page.locator("#comparaison th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    with page.expect_navigation():  # the language switch is a form: wait for the page it loads
        page.click("footer button:has-text('English')")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text("Regional steering" if who == "regional" else "National steering")
    expect(page.locator("#comparaison thead")).to_contain_text("Target 80 %")
    check(page, f"compare-{who}-en")
    # Their API tokens page, with their own sub-navigation.
    page.goto(page.base + "/pilot/tokens")
    expect(page.locator("main")).to_contain_text("/api/v1/compare")
    found = [v for v in violations(page) if v["impact"] in FAILING]
    shot(page, f"compare-{who}-tokens-en")
    assert not found, describe(found)
