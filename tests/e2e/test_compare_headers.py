"""The comparison's column headers at 1366 px, French and English: every header's words stay inside its cell (a
long word such as « d'accompagnement » or « Accompagnements » used to run over the next column, Chromium on Linux
having no hyphenation dictionary for `hyphens: auto`). Found by a walk through `make run`'s demo."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import browser_login, shot
from tests.e2e.test_compare import axe_page, pilots  # noqa: F401 (fixtures)

OVERFLOWING = """() => [...document.querySelectorAll('.agir-compare thead th')]
  .filter(th => th.scrollWidth > th.clientWidth)
  .map(th => th.innerText.replace(/\\s+/g, ' ').trim() + ' : ' + th.scrollWidth + ' > ' + th.clientWidth)"""


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_no_header_runs_over_its_column(browser, live_server, pilots, locale):  # noqa: F811
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60000)
    page.base = live_server
    try:
        browser_login(page, "regional@example.fr", factories.PASSWORD)
        page.goto(page.base + "/pilot/compare?year=2024")
        if locale == "en":
            with page.expect_navigation():  # the language switch is a form: wait for the page it loads
                page.click("footer button:has-text('English')")
            page.wait_for_load_state()
        expect(page.locator("h1")).to_contain_text("Pilotage régional" if locale == "fr" else "Regional steering")
        expect(page.locator("#comparaison thead")).to_be_visible()
        overflowing = page.evaluate(OVERFLOWING)
        shot(page, f"compare-headers-{locale}")
        assert overflowing == [], overflowing
    finally:
        context.close()
